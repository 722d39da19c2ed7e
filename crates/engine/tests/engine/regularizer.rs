//! Activity regularization against a plain f64 computation from the spike counts: every norm
//! (L1, L2), scope (per neuron, population) and bound (lower, upper), value and gradient.

use crate::common::{close, to_vec};
use burn::tensor::{Device, Tensor, TensorData};
use surrogate_engine::rng::Rng;
use surrogate_engine::snn::regularizer::activity_penalty;
use surrogate_engine::snn::regularizer::{BoundConfig, Norm, RegConfig, RegScope};

const STEPS: usize = 12;
const BATCH: usize = 5;

/// A random 0/1 raster [T, batch, width], about one step in three a spike: counts spread over
/// 0–10, so a threshold in between leaves some neurons above it and some below.
fn raster(width: usize, rng: &mut Rng) -> Vec<f32> {
    (0..STEPS * BATCH * width)
        .map(|_| if rng.uniform() < 0.35 { 1.0 } else { 0.0 })
        .collect()
}

/// ζ[b][n] = Σ_t s[t, b, n].
fn counts(s: &[f32], width: usize) -> Vec<Vec<f64>> {
    let mut z = vec![vec![0.0; width]; BATCH];
    for t in 0..STEPS {
        for (b, row) in z.iter_mut().enumerate() {
            for (n, c) in row.iter_mut().enumerate() {
                *c += s[(t * BATCH + b) * width + n] as f64;
            }
        }
    }
    z
}

/// One bound's value and its derivative with respect to each count ζ[b][n].
fn oracle(z: &[Vec<f64>], bound: &BoundConfig, lower: bool) -> (f64, Vec<Vec<f64>>) {
    let width = z[0].len();
    let p = match bound.norm {
        Norm::L1 => 1,
        Norm::L2 => 2,
    };
    // [x]₊^p and its derivative.
    let excess = |zeta: f64| {
        let e = if lower {
            bound.theta - zeta
        } else {
            zeta - bound.theta
        };
        e.max(0.0)
    };
    let sign = if lower { -1.0 } else { 1.0 };
    let d_power = |e: f64| {
        if e <= 0.0 {
            0.0
        } else if p == 1 {
            1.0
        } else {
            2.0 * e
        }
    };
    let mut grad = vec![vec![0.0; width]; BATCH];
    let value = match bound.scope {
        RegScope::Neuron => {
            let m = (BATCH * width) as f64;
            let mut sum = 0.0;
            for b in 0..BATCH {
                for n in 0..width {
                    let e = excess(z[b][n]);
                    sum += e.powi(p);
                    grad[b][n] = bound.lambda * sign * d_power(e) / m;
                }
            }
            bound.lambda * sum / m
        }
        RegScope::Population => {
            let mut sum = 0.0;
            for b in 0..BATCH {
                let mean = z[b].iter().sum::<f64>() / width as f64;
                let e = excess(mean);
                sum += e.powi(p);
                grad[b].fill(bound.lambda * sign * d_power(e) / (BATCH * width) as f64);
            }
            bound.lambda * sum / BATCH as f64
        }
    };
    (value, grad)
}

struct Case {
    layers: Vec<(usize, Vec<f32>)>,
}

fn case(seed: u64) -> Case {
    let mut rng = Rng::new(seed);
    Case {
        layers: [7usize, 4]
            .into_iter()
            .map(|w| (w, raster(w, &mut rng)))
            .collect(),
    }
}

/// The penalty as the trainer computes it, and d penalty / d s for every layer.
fn burn_penalty(case: &Case, reg: &RegConfig) -> Option<(f64, Vec<Vec<f32>>)> {
    let device = Device::flex().autodiff();
    let spikes: Vec<Tensor<3>> = case
        .layers
        .iter()
        .map(|(w, s)| {
            Tensor::<3>::from_data(TensorData::new(s.clone(), [STEPS, BATCH, *w]), &device)
                .require_grad()
        })
        .collect();
    let penalty = activity_penalty(&spikes, reg)?;
    let value = to_vec(penalty.clone().inner())[0] as f64;
    let grads = penalty.backward();
    let g = spikes
        .iter()
        .map(|s| to_vec(s.grad(&grads).expect("spikes are tracked")))
        .collect();
    Some((value, g))
}

/// Value and gradient of the whole penalty from the oracle, summed over layers and bounds.
fn expected(case: &Case, reg: &RegConfig) -> (f64, Vec<Vec<Vec<f64>>>) {
    let mut total = 0.0;
    let mut grads = Vec::new();
    for (width, s) in &case.layers {
        let z = counts(s, *width);
        let mut g = vec![vec![0.0; *width]; BATCH];
        for (bound, lower) in [(&reg.lower, true), (&reg.upper, false)] {
            if bound.lambda > 0.0 {
                let (v, dg) = oracle(&z, bound, lower);
                total += v;
                for b in 0..BATCH {
                    for n in 0..*width {
                        g[b][n] += dg[b][n];
                    }
                }
            }
        }
        grads.push(g);
    }
    (total, grads)
}

fn check(reg: RegConfig, what: &str) {
    let case = case(7);
    let (value, grads) = burn_penalty(&case, &reg).expect("a bound is on");
    let (want, want_grads) = expected(&case, &reg);
    assert!(want > 0.0, "{what}: the case must be active, oracle gave 0");
    assert!(
        close(value, want, 1e-5),
        "{what}: burn {value}, oracle {want}"
    );
    for (l, ((width, _), (g, wg))) in case
        .layers
        .iter()
        .zip(grads.iter().zip(&want_grads))
        .enumerate()
    {
        // ζ = Σ_t s: every step of a neuron gets the count's derivative.
        for t in 0..STEPS {
            for b in 0..BATCH {
                for n in 0..*width {
                    let got = g[(t * BATCH + b) * width + n] as f64;
                    assert!(
                        close(got, wg[b][n], 1e-5),
                        "{what}: layer {l} d/ds[{t},{b},{n}] burn {got}, oracle {}",
                        wg[b][n]
                    );
                }
            }
        }
    }
}

fn off() -> BoundConfig {
    BoundConfig {
        lambda: 0.0,
        ..BoundConfig::default()
    }
}

/// θ never equal to a count (ζ is an integer, a population mean a multiple of 1/7 or 1/4, and
/// 4.3 is neither), so no term sits on the kink of [·]₊.
fn bound(norm: Norm, scope: RegScope, lambda: f64) -> BoundConfig {
    BoundConfig {
        lambda,
        theta: 4.3,
        norm,
        scope,
    }
}

#[test]
fn every_lower_bound_form_matches_the_oracle() {
    for norm in [Norm::L1, Norm::L2] {
        for scope in [RegScope::Neuron, RegScope::Population] {
            let reg = RegConfig {
                lower: bound(norm, scope, 3.0),
                upper: off(),
            };
            check(reg, &format!("lower {norm:?} {scope:?}"));
        }
    }
}

#[test]
fn every_upper_bound_form_matches_the_oracle() {
    for norm in [Norm::L1, Norm::L2] {
        for scope in [RegScope::Neuron, RegScope::Population] {
            let reg = RegConfig {
                lower: off(),
                upper: bound(norm, scope, 0.7),
            };
            check(reg, &format!("upper {norm:?} {scope:?}"));
        }
    }
}

#[test]
fn both_bounds_add_up() {
    let reg = RegConfig {
        lower: bound(Norm::L2, RegScope::Neuron, 2.0),
        upper: bound(Norm::L1, RegScope::Population, 0.5),
    };
    check(reg, "lower L2 neuron + upper L1 population");
}

#[test]
fn a_lower_bound_below_every_count_costs_nothing() {
    let case = case(11);
    let min_count = case
        .layers
        .iter()
        .flat_map(|(w, s)| counts(s, *w).into_iter().flatten())
        .fold(f64::INFINITY, f64::min);
    let reg = RegConfig {
        lower: BoundConfig {
            lambda: 100.0,
            theta: min_count - 0.5,
            norm: Norm::L2,
            scope: RegScope::Neuron,
        },
        upper: off(),
    };
    let (value, grads) = burn_penalty(&case, &reg).expect("the bound is on");
    assert_eq!(value, 0.0);
    assert!(grads.iter().flatten().all(|&g| g == 0.0));
}

#[test]
fn both_bounds_off_is_no_penalty_at_all() {
    let reg = RegConfig {
        lower: off(),
        upper: off(),
    };
    assert!(burn_penalty(&case(3), &reg).is_none());
}
