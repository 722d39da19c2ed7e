//! The engine against an independent scalar BPTT oracle: a reverse-mode tape over f64
//! scalars that runs the update conventions of `dynamics.rs` neuron by neuron, compared with
//! burn's loss and every weight's gradient, entry by entry, on the fused path and on the
//! per-step graph. The option matrix is filled: both current timings × both reset timings ×
//! three resets × recurrence (none, propagated, detached) × 1–3 hidden layers × biased or
//! not × events or a dense raster; each case draws per-neuron or shared constants, a
//! detached or live reset and one of eight surrogate shapes, and asserts that every layer
//! spiked and that gradient passed through a non-zero σ′ in every layer.
//!
//! Tolerance, per entry: |burn − oracle| ≤ 1e-3·|oracle| + 1e-4·(the largest |oracle| entry
//! of that matrix). The floor is for entries that are sums cancelling towards zero, whose f32
//! rounding error scales with the terms rather than with the sum.

use crate::common::{close, to_vec};
use burn::tensor::{Device, Tensor, TensorData};
use surrogate_engine::rng::Rng;
use surrogate_engine::snn::dynamics::{CurrentTiming, LayerDynamics, NetworkDynamics, ResetTiming};
use surrogate_engine::snn::lif::{Dynamics, ResetMode};
use surrogate_engine::snn::loss::{LossKind, class_scores, cross_entropy};
use surrogate_engine::snn::model::{ModelConfig, PerLayer};
use surrogate_engine::snn::network::{Input, Path, Weights, forward, forward_with};
use surrogate_engine::snn::surrogate::{SurrogateConfig, SurrogateShape};

/// A minimal reverse-mode tape over f64 scalars; the spike node's local derivative is σ'.
#[derive(Default)]
struct Tape {
    value: Vec<f64>,
    parents: Vec<Vec<(usize, f64)>>,
}

impl Tape {
    fn node(&mut self, v: f64, parents: Vec<(usize, f64)>) -> usize {
        self.value.push(v);
        self.parents.push(parents);
        self.value.len() - 1
    }
    fn leaf(&mut self, v: f64) -> usize {
        self.node(v, vec![])
    }
    fn v(&self, i: usize) -> f64 {
        self.value[i]
    }
    fn add(&mut self, a: usize, b: usize) -> usize {
        self.node(self.v(a) + self.v(b), vec![(a, 1.0), (b, 1.0)])
    }
    fn sub(&mut self, a: usize, b: usize) -> usize {
        self.node(self.v(a) - self.v(b), vec![(a, 1.0), (b, -1.0)])
    }
    fn mul(&mut self, a: usize, b: usize) -> usize {
        self.node(self.v(a) * self.v(b), vec![(a, self.v(b)), (b, self.v(a))])
    }
    fn scale(&mut self, a: usize, k: f64) -> usize {
        self.node(self.v(a) * k, vec![(a, k)])
    }
    fn shift(&mut self, a: usize, k: f64) -> usize {
        self.node(self.v(a) + k, vec![(a, 1.0)])
    }
    fn detach(&mut self, a: usize) -> usize {
        self.leaf(self.v(a))
    }
    fn spike(&mut self, a: usize, shape: SurrogateShape, beta: f64) -> usize {
        let x = self.v(a);
        let s = if x > 0.0 { 1.0 } else { 0.0 };
        self.node(s, vec![(a, shape.derivative(x, beta))])
    }
    fn exp(&mut self, a: usize) -> usize {
        let e = self.v(a).exp();
        self.node(e, vec![(a, e)])
    }
    fn ln(&mut self, a: usize) -> usize {
        self.node(self.v(a).ln(), vec![(a, 1.0 / self.v(a))])
    }
    fn max(&mut self, xs: &[usize]) -> usize {
        let best = *xs
            .iter()
            .max_by(|&&a, &&b| self.v(a).total_cmp(&self.v(b)))
            .expect("non-empty");
        self.node(self.v(best), vec![(best, 1.0)])
    }
    fn sum(&mut self, xs: &[usize]) -> usize {
        let v = xs.iter().map(|&i| self.v(i)).sum();
        self.node(v, xs.iter().map(|&i| (i, 1.0)).collect())
    }
    fn backward(&self, out: usize) -> Vec<f64> {
        let mut g = vec![0.0; self.value.len()];
        g[out] = 1.0;
        for i in (0..=out).rev() {
            for &(p, d) in &self.parents[i] {
                g[p] += g[i] * d;
            }
        }
        g
    }
}

/// The recurrence of every hidden layer.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Recurrence {
    None,
    Propagated,
    Detached,
}

/// One point of the option matrix (every field is printed when it fails).
#[allow(dead_code)]
#[derive(Clone, Copy, Debug)]
struct Case {
    current: CurrentTiming,
    timing: ResetTiming,
    reset: ResetMode,
    recurrence: Recurrence,
    layers: usize,
    biased: bool,
    events: bool,
    reset_detached: bool,
    per_neuron: bool,
    shape: SurrogateShape,
}

const INPUTS: usize = 6;
const WIDTHS: [usize; 3] = [5, 4, 4];
const OUTPUTS: usize = 3;
const STEPS: usize = 12;
const BATCH: usize = 2;
const SURROGATE_BETA: f64 = 2.0;
/// Every shape whose σ′ is non-zero somewhere (the true gradient's is zero almost everywhere).
fn shapes() -> Vec<SurrogateShape> {
    SurrogateShape::ALL
        .into_iter()
        .filter(|&s| s != SurrogateShape::TrueGradient)
        .collect()
}

/// A network and its input as plain numbers, for the oracle and for burn alike.
struct Spec {
    /// Per hidden layer, W [in][width].
    w: Vec<Vec<f32>>,
    /// Per hidden layer, V [from][to] where recurrent.
    v: Vec<Option<Vec<f32>>>,
    /// [last width][outputs].
    w_out: Vec<f32>,
    dynamics: NetworkDynamics,
    /// [t][b][i], 0 or 1.
    input: Vec<f32>,
    labels: Vec<usize>,
}

fn spread(rng: &mut Rng, n: usize, lo: f64, hi: f64) -> Vec<f32> {
    (0..n)
        .map(|_| (lo + (hi - lo) * rng.uniform()) as f32)
        .collect()
}

fn layer(rng: &mut Rng, width: usize, spiking: bool, case: &Case) -> LayerDynamics {
    let (alpha, beta, c, kappa, leak, threshold, v_reset) = if case.per_neuron {
        (
            spread(rng, width, 0.6, 0.9),
            spread(rng, width, 0.8, 0.95),
            spread(rng, width, 0.4, 1.0),
            spread(rng, width, 0.6, 1.4),
            spread(rng, width, -0.02, 0.05),
            spread(rng, width, 0.8, 1.2),
            spread(rng, width, -0.1, 0.2),
        )
    } else {
        // The paper's constants (Δt = 1 ms, τ_syn = 5 ms, τ_mem = 10 or 20 ms), c = 1.
        let tau_mem: f32 = if spiking { 10.0 } else { 20.0 };
        (
            vec![(-1.0f32 / 5.0).exp(); width],
            vec![(-1.0 / tau_mem).exp(); width],
            vec![1.0; width],
            vec![1.0; width],
            vec![0.0; width],
            vec![1.0; width],
            vec![0.0; width],
        )
    };
    LayerDynamics {
        alpha,
        kappa,
        beta,
        c,
        leak,
        threshold,
        v_reset,
        spiking,
        reset: case.reset,
        reset_detached: case.reset_detached,
        recurrent_detached: case.recurrence == Recurrence::Detached,
        current: case.current,
        reset_timing: case.timing,
    }
}

fn build(case: &Case, seed: u64) -> Spec {
    let mut rng = Rng::new(seed);
    let widths = &WIDTHS[..case.layers];
    let recurrent = case.recurrence != Recurrence::None;
    let mut fan_in = INPUTS;
    let (mut w, mut v, mut hidden) = (Vec::new(), Vec::new(), Vec::new());
    for &width in widths {
        let scale = 2.5 / (fan_in as f64).sqrt();
        w.push(
            (0..fan_in * width)
                .map(|_| (rng.normal() * scale + 0.25) as f32)
                .collect(),
        );
        v.push(recurrent.then(|| {
            (0..width * width)
                .map(|_| (rng.normal() * 0.6) as f32)
                .collect()
        }));
        hidden.push(layer(&mut rng, width, true, case));
        fan_in = width;
    }
    let w_out = (0..fan_in * OUTPUTS)
        .map(|_| (rng.normal() * 0.5 + 0.5) as f32)
        .collect();
    let dynamics = NetworkDynamics {
        bias: widths
            .iter()
            .map(|&h| case.biased.then(|| spread(&mut rng, h, -0.2, 0.3)))
            .collect(),
        recurrent_bias: widths
            .iter()
            .map(|&h| (case.biased && recurrent).then(|| spread(&mut rng, h, -0.1, 0.1)))
            .collect(),
        readout_bias: case.biased.then(|| spread(&mut rng, OUTPUTS, -0.1, 0.1)),
        readout: layer(&mut rng, OUTPUTS, false, case),
        hidden,
    };
    let input = (0..STEPS * BATCH * INPUTS)
        .map(|_| if rng.uniform() < 0.5 { 1.0 } else { 0.0 })
        .collect();
    let labels = (0..BATCH).map(|b| b % OUTPUTS).collect();
    Spec {
        w,
        v,
        w_out,
        dynamics,
        input,
        labels,
    }
}

/// What the oracle computed: the tape, the loss node, every weight's leaf, and per layer the
/// spike nodes; `margin` is the smallest |M − ϑ| it met (f32 and f64 may disagree on a spike
/// closer to threshold than that).
struct Oracle {
    tape: Tape,
    loss: usize,
    w: Vec<Vec<usize>>,
    v: Vec<Option<Vec<usize>>>,
    w_out: Vec<usize>,
    spikes: Vec<Vec<usize>>,
    margin: f64,
    /// The smallest gap between a readout trace's maximum and its runner-up: where two steps
    /// (nearly) tie, the max over time may pick another step in f32, and send the gradient
    /// there.
    max_gap: f64,
}

/// A layer's input at one step: the data's 0/1 values, or the spike nodes of the layer below.
enum LayerInput {
    Data(Vec<f32>),
    Nodes(Vec<usize>),
}

fn oracle(spec: &Spec, shape: SurrogateShape) -> Oracle {
    let mut tp = Tape::default();
    let leaves =
        |tp: &mut Tape, v: &[f32]| v.iter().map(|&x| tp.leaf(x as f64)).collect::<Vec<_>>();
    let w: Vec<Vec<usize>> = spec.w.iter().map(|m| leaves(&mut tp, m)).collect();
    let v: Vec<Option<Vec<usize>>> = spec
        .v
        .iter()
        .map(|m| m.as_ref().map(|m| leaves(&mut tp, m)))
        .collect();
    let w_out = leaves(&mut tp, &spec.w_out);
    let dy = &spec.dynamics;
    let mut spikes = vec![Vec::new(); w.len()];
    let mut margin = f64::INFINITY;
    let mut max_gap = f64::INFINITY;
    let mut losses = Vec::new();
    for (b, &label) in spec.labels.iter().enumerate() {
        let mut x: Vec<LayerInput> = (0..STEPS)
            .map(|t| {
                let at = (t * BATCH + b) * INPUTS;
                LayerInput::Data(spec.input[at..at + INPUTS].to_vec())
            })
            .collect();
        for (l, k) in dy.hidden.iter().enumerate() {
            let width = k.width();
            let zero = tp.leaf(0.0);
            let (mut syn, mut mem, mut last) =
                (vec![zero; width], vec![zero; width], vec![zero; width]);
            let now = k.current == CurrentTiming::This;
            let same = k.reset_timing == ResetTiming::Same;
            let mut out = Vec::with_capacity(STEPS);
            for (t, x_t) in x.iter().enumerate() {
                // x[n] = W·s_in[n] + b (+ the recurrent bias from the second step on).
                let drive: Vec<usize> = (0..width)
                    .map(|j| {
                        let mut acc = tp.leaf(0.0);
                        match x_t {
                            LayerInput::Data(values) => {
                                for (i, &xi) in values.iter().enumerate() {
                                    if xi != 0.0 {
                                        let term = tp.scale(w[l][i * width + j], xi as f64);
                                        acc = tp.add(acc, term);
                                    }
                                }
                            }
                            LayerInput::Nodes(s) => {
                                for (i, &si) in s.iter().enumerate() {
                                    let term = tp.mul(si, w[l][i * width + j]);
                                    acc = tp.add(acc, term);
                                }
                            }
                        }
                        if let Some(bias) = &dy.bias[l] {
                            acc = tp.shift(acc, bias[j] as f64);
                        }
                        if t > 0
                            && let Some(rb) = &dy.recurrent_bias[l]
                        {
                            acc = tp.shift(acc, rb[j] as f64);
                        }
                        acc
                    })
                    .collect();
                // I ← α·I + κ·(x[n] + V·s), s the latest spikes.
                let synapse = |tp: &mut Tape, syn: &[usize], s: &[usize]| -> Vec<usize> {
                    (0..width)
                        .map(|j| {
                            let mut total = drive[j];
                            if let Some(v) = &v[l] {
                                for (n, &sn) in s.iter().enumerate() {
                                    let fed = if k.recurrent_detached {
                                        tp.detach(sn)
                                    } else {
                                        sn
                                    };
                                    let term = tp.mul(fed, v[n * width + j]);
                                    total = tp.add(total, term);
                                }
                            }
                            let decayed = tp.scale(syn[j], k.alpha[j] as f64);
                            let scaled = tp.scale(total, k.kappa[j] as f64);
                            tp.add(decayed, scaled)
                        })
                        .collect()
                };
                if now {
                    syn = synapse(&mut tp, &syn, &last);
                }
                // A = β·U + c·I + λ; the spike reads A (same step) or U (next step).
                let integrated: Vec<usize> = (0..width)
                    .map(|j| {
                        let bu = tp.scale(mem[j], k.beta[j] as f64);
                        let ci = tp.scale(syn[j], k.c[j] as f64);
                        let a = tp.add(bu, ci);
                        tp.shift(a, k.leak[j] as f64)
                    })
                    .collect();
                let read = if same { &integrated } else { &mem };
                let s: Vec<usize> = (0..width)
                    .map(|j| {
                        let shifted = tp.shift(read[j], -(k.threshold[j] as f64));
                        margin = margin.min(tp.v(shifted).abs());
                        tp.spike(shifted, shape, SURROGATE_BETA)
                    })
                    .collect();
                mem = (0..width)
                    .map(|j| {
                        let r = if k.reset_detached {
                            tp.detach(s[j])
                        } else {
                            s[j]
                        };
                        let a = integrated[j];
                        match k.reset {
                            ResetMode::Zero => {
                                let lost = tp.mul(a, r);
                                let kept = tp.sub(a, lost);
                                let to = tp.scale(r, k.v_reset[j] as f64);
                                tp.add(kept, to)
                            }
                            ResetMode::Subtract => {
                                let by = tp.scale(r, k.threshold[j] as f64);
                                tp.sub(a, by)
                            }
                            ResetMode::None => a,
                        }
                    })
                    .collect();
                if !now {
                    syn = synapse(&mut tp, &syn, &s);
                }
                spikes[l].extend(&s);
                last = s.clone();
                out.push(LayerInput::Nodes(s));
            }
            x = out;
        }
        // The non-spiking readout: U_out after each step's update; CE of its max over time.
        let k = &dy.readout;
        let now = k.current == CurrentTiming::This;
        let mut scores = Vec::new();
        for o in 0..OUTPUTS {
            let mut syn = tp.leaf(0.0);
            let mut mem = tp.leaf(0.0);
            let mut trace = Vec::new();
            for x_t in &x {
                let LayerInput::Nodes(s) = x_t else {
                    unreachable!("every case has a hidden layer")
                };
                let mut drive = tp.leaf(0.0);
                for (n, &sn) in s.iter().enumerate() {
                    let term = tp.mul(sn, w_out[n * OUTPUTS + o]);
                    drive = tp.add(drive, term);
                }
                if let Some(bias) = &dy.readout_bias {
                    drive = tp.shift(drive, bias[o] as f64);
                }
                let synapse = |tp: &mut Tape, syn: usize| {
                    let decayed = tp.scale(syn, k.alpha[o] as f64);
                    let scaled = tp.scale(drive, k.kappa[o] as f64);
                    tp.add(decayed, scaled)
                };
                if now {
                    syn = synapse(&mut tp, syn);
                }
                let bu = tp.scale(mem, k.beta[o] as f64);
                let ci = tp.scale(syn, k.c[o] as f64);
                let a = tp.add(bu, ci);
                mem = tp.shift(a, k.leak[o] as f64);
                if !now {
                    syn = synapse(&mut tp, syn);
                }
                trace.push(mem);
            }
            let mut values: Vec<f64> = trace.iter().map(|&m| tp.v(m)).collect();
            values.sort_by(|a, b| b.total_cmp(a));
            max_gap = max_gap.min(values[0] - values[1]);
            scores.push(tp.max(&trace));
        }
        let exps: Vec<usize> = scores.iter().map(|&s| tp.exp(s)).collect();
        let z = tp.sum(&exps);
        let log_z = tp.ln(z);
        losses.push(tp.sub(log_z, scores[label]));
    }
    let sum = tp.sum(&losses);
    let loss = tp.scale(sum, 1.0 / spec.labels.len() as f64);
    Oracle {
        tape: tp,
        loss,
        w,
        v,
        w_out,
        spikes,
        margin,
        max_gap,
    }
}

/// burn's loss and the gradients of every weight, in `Weights::params()` order.
fn burn_side(spec: &Spec, case: &Case, path: Path) -> (f64, Vec<Vec<f32>>) {
    let device = Device::flex();
    let mat = |v: &[f32], r: usize, c: usize| {
        Tensor::<2>::from_data(TensorData::new(v.to_vec(), [r, c]), &device)
            .autodiff()
            .require_grad()
    };
    let mut fan_in = INPUTS;
    let mut hidden = Vec::new();
    let mut recurrent = Vec::new();
    for (l, w) in spec.w.iter().enumerate() {
        let width = WIDTHS[l];
        hidden.push(mat(w, fan_in, width));
        recurrent.push(spec.v[l].as_ref().map(|v| mat(v, width, width)));
        fan_in = width;
    }
    let weights = Weights {
        hidden,
        recurrent,
        readout: mat(&spec.w_out, fan_in, OUTPUTS),
    };
    let input = if case.events {
        Input::Sparse(crate::common::events_of(&spec.input, STEPS, BATCH, INPUTS))
    } else {
        let x = Tensor::<3>::from_data(
            TensorData::new(spec.input.clone(), [STEPS, BATCH, INPUTS]),
            &device,
        );
        Input::from(x.autodiff())
    };
    let surrogate = SurrogateConfig {
        shape: case.shape,
        beta: SURROGATE_BETA,
    };
    let out = forward_with(&weights, input, &spec.dynamics, &surrogate, path);
    let l = cross_entropy(
        class_scores(out.readout, LossKind::MaxOverTime),
        &spec.labels,
    );
    let value = to_vec(l.clone().inner())[0] as f64;
    let grads = l.backward();
    let g = weights
        .params()
        .into_iter()
        .map(|(_, t)| t.grad(&grads).map(to_vec).unwrap_or_default())
        .collect();
    (value, g)
}

/// The cases of the option matrix, each with its drawn extras.
fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let mut rng = Rng::new(2026);
    let shapes = shapes();
    for current in [CurrentTiming::Previous, CurrentTiming::This] {
        for timing in [ResetTiming::Next, ResetTiming::Same] {
            for reset in [ResetMode::Zero, ResetMode::Subtract, ResetMode::None] {
                for recurrence in [
                    Recurrence::None,
                    Recurrence::Propagated,
                    Recurrence::Detached,
                ] {
                    for layers in 1..=3 {
                        for biased in [false, true] {
                            for events in [false, true] {
                                out.push(Case {
                                    current,
                                    timing,
                                    reset,
                                    recurrence,
                                    layers,
                                    biased,
                                    events,
                                    reset_detached: rng.uniform() < 0.5,
                                    per_neuron: rng.uniform() < 0.5,
                                    shape: shapes[out.len() % shapes.len()],
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// Draws a network for `case` on which the comparison means something: every layer spikes,
/// gradient passes through a non-zero σ′ in every layer and reaches every matrix (at least
/// 10⁻⁴ somewhere), no membrane
/// comes so close to threshold that f32 and f64 could disagree on a spike, and no readout
/// trace's maximum (nearly) ties with another step's. Redraws (with the next seed) up to
/// 40 times.
fn meaningful(case: &Case, index: usize) -> (Spec, Oracle, Vec<f64>) {
    for attempt in 0..40u64 {
        let spec = build(case, index as u64 * 1000 + attempt);
        let o = oracle(&spec, case.shape);
        if o.margin < 1e-3 || o.max_gap < 1e-4 {
            continue;
        }
        let g = o.tape.backward(o.loss);
        let active = o.spikes.iter().all(|layer| {
            let fired = layer.iter().filter(|&&s| o.tape.v(s) > 0.0).count();
            // σ′ is the spike node's local derivative; gradient reached it from the loss.
            let through = layer
                .iter()
                .filter(|&&s| o.tape.parents[s][0].1 != 0.0 && g[s] != 0.0)
                .count();
            fired >= 2 && through >= 1
        });
        // Every matrix gets a gradient of at least 10⁻⁴ somewhere. A matrix whose gradient
        // arrives only through σ′ far in its tail (the Gaussian's) or at the edge of its
        // support (Esser's) gets 10⁻⁶ … 10⁻¹⁷: below what f32 resolves of the terms it is
        // summed from, so both paths and the oracle then disagree by rounding alone.
        let all_learn =
            o.w.iter()
                .chain(o.v.iter().flatten())
                .chain([&o.w_out])
                .all(|ids| ids.iter().any(|&i| g[i].abs() >= 1e-4));
        if active && all_learn {
            return (spec, o, g);
        }
    }
    panic!("{case:?}: no network drawn in 40 tries spikes in every layer");
}

#[test]
fn the_engine_matches_a_scalar_bptt_oracle_over_the_whole_option_matrix() {
    let all = cases();
    let mut worst = 0f64;
    for (index, case) in all.iter().enumerate() {
        let (spec, o, g) = meaningful(case, index);
        let fired: Vec<usize> = o
            .spikes
            .iter()
            .map(|layer| layer.iter().filter(|&&s| o.tape.v(s) > 0.0).count())
            .collect();
        assert!(
            fired.iter().all(|&n| n >= 2),
            "{case:?}: spikes per layer {fired:?}"
        );
        let mut expected: Vec<Vec<f64>> = Vec::new();
        for (l, ids) in o.w.iter().enumerate() {
            expected.push(ids.iter().map(|&i| g[i]).collect());
            if let Some(v) = &o.v[l] {
                expected.push(v.iter().map(|&i| g[i]).collect());
            }
        }
        expected.push(o.w_out.iter().map(|&i| g[i]).collect());
        for path in [Path::Fused, Path::PerStep] {
            let (loss, grads) = burn_side(&spec, case, path);
            assert!(
                close(loss, o.tape.v(o.loss), 1e-4),
                "{case:?} {path:?}: loss {loss} vs oracle {}",
                o.tape.v(o.loss)
            );
            assert_eq!(grads.len(), expected.len(), "{case:?} {path:?}");
            for (m, (got, want)) in grads.iter().zip(&expected).enumerate() {
                assert_eq!(got.len(), want.len(), "{case:?} {path:?} matrix {m}");
                let scale = want.iter().fold(0f64, |s, x| s.max(x.abs()));
                assert!(scale > 0.0, "{case:?}: matrix {m} has no gradient");
                for (e, (&a, &b)) in got.iter().zip(want).enumerate() {
                    let err = (a as f64 - b).abs();
                    worst = worst.max(err / (b.abs() + scale));
                    assert!(
                        err <= 1e-3 * b.abs() + 1e-4 * scale,
                        "{case:?} {path:?}: matrix {m} (params() order) entry {e}: burn {a} vs oracle {b} (largest {scale})"
                    );
                }
            }
        }
    }
    eprintln!(
        "{} cases; worst |burn − oracle| / (|oracle| + largest) = {worst:.2e}",
        all.len()
    );
}

/// The oracle of the paper's conventions, through `forward` (which builds the dynamics from
/// a `ModelConfig`): the same matrix entries as a `NetworkDynamics` built by hand.
#[test]
fn the_paper_model_built_from_its_config_matches_the_oracle() {
    let case = Case {
        current: CurrentTiming::Previous,
        timing: ResetTiming::Next,
        reset: ResetMode::Zero,
        recurrence: Recurrence::Propagated,
        layers: 1,
        biased: false,
        events: false,
        reset_detached: true,
        per_neuron: false,
        shape: SurrogateShape::SuperSpike,
    };
    let (spec, o, g) = meaningful(&case, 9999);
    let model = ModelConfig {
        hidden: vec![WIDTHS[0]],
        recurrent: PerLayer::All(true),
        input_factor: false,
        ..ModelConfig::default()
    };
    let dy = Dynamics::new(&model);
    let paper = NetworkDynamics::paper(&dy, &[WIDTHS[0]], OUTPUTS);
    for (name, a, b) in [
        ("α", &paper.hidden[0].alpha, &spec.dynamics.hidden[0].alpha),
        ("β", &paper.hidden[0].beta, &spec.dynamics.hidden[0].beta),
        ("β_out", &paper.readout.beta, &spec.dynamics.readout.beta),
        ("c", &paper.readout.c, &spec.dynamics.readout.c),
    ] {
        assert!(
            a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6),
            "the paper's {name}: {a:?} vs {b:?}"
        );
    }
    let ad = Device::flex().autodiff();
    let mat = |v: &[f32], r: usize, c: usize| {
        Tensor::<2>::from_data(TensorData::new(v.to_vec(), [r, c]), &ad).require_grad()
    };
    let weights = Weights {
        hidden: vec![mat(&spec.w[0], INPUTS, WIDTHS[0])],
        recurrent: vec![spec.v[0].as_ref().map(|v| mat(v, WIDTHS[0], WIDTHS[0]))],
        readout: mat(&spec.w_out, WIDTHS[0], OUTPUTS),
    };
    let x = Tensor::<3>::from_data(
        TensorData::new(spec.input.clone(), [STEPS, BATCH, INPUTS]),
        &ad,
    );
    let surrogate = SurrogateConfig {
        shape: case.shape,
        beta: SURROGATE_BETA,
    };
    let out = forward(&weights, x, &dy, &surrogate, Path::Fused);
    let l = cross_entropy(
        class_scores(out.readout, LossKind::MaxOverTime),
        &spec.labels,
    );
    assert!(close(
        to_vec(l.clone().inner())[0] as f64,
        o.tape.v(o.loss),
        1e-4
    ));
    let grads = l.backward();
    let got = to_vec(weights.hidden[0].grad(&grads).expect("tracked"));
    let scale = o.w[0].iter().fold(0f64, |s, &i| s.max(g[i].abs()));
    for (e, (&a, &i)) in got.iter().zip(&o.w[0]).enumerate() {
        assert!(
            (a as f64 - g[i]).abs() <= 1e-3 * g[i].abs() + 1e-4 * scale,
            "W[{e}]: {a} vs {}",
            g[i]
        );
    }
}

fn rand_vec(rng: &mut Rng, n: usize, scale: f64) -> Vec<f32> {
    (0..n).map(|_| (rng.normal() * scale) as f32).collect()
}

/// Gradients of (W, V) through burn for one recurrent layer, on `path`.
fn burn_grads(detach_recurrence: bool, path: Path) -> (Vec<f32>, Vec<f32>) {
    let (n_in, n_hid, n_out, steps, batch) = (5, 6, 2, 25, 3);
    let ad = Device::flex().autodiff();
    let model = ModelConfig {
        hidden: vec![n_hid],
        recurrent: PerLayer::All(true),
        recurrent_detached: detach_recurrence,
        ..ModelConfig::default()
    };
    let dy = Dynamics::new(&model);
    let mut rng = Rng::new(7);
    let mut mat = |r: usize, c: usize, scale: f64, shift: f32| {
        let v: Vec<f32> = rand_vec(&mut rng, r * c, scale)
            .iter()
            .map(|x| x + shift)
            .collect();
        Tensor::<2>::from_data(TensorData::new(v, [r, c]), &ad).require_grad()
    };
    let weights = Weights {
        hidden: vec![mat(n_in, n_hid, 12.0, 0.0)],
        recurrent: vec![Some(mat(n_hid, n_hid, 4.0, 0.0))],
        readout: mat(n_hid, n_out, 0.5, 1.0),
    };
    let flat: Vec<f32> = (0..steps * batch * n_in)
        .map(|_| if rng.uniform() < 0.4 { 1.0 } else { 0.0 })
        .collect();
    let x = Tensor::<3>::from_data(TensorData::new(flat, [steps, batch, n_in]), &ad);
    let surrogate = SurrogateConfig::default();
    let out = forward(&weights, x, &dy, &surrogate, path);
    let spikes: f32 = to_vec(out.layers[0].spikes.clone().inner()).iter().sum();
    assert!(spikes > 10.0, "the net must spike ({spikes})");
    let l = cross_entropy(class_scores(out.readout, LossKind::MaxOverTime), &[0, 1, 0]);
    let grads = l.backward();
    let g = |t: &Tensor<2>| to_vec(t.grad(&grads).expect("tracked"));
    (
        g(&weights.hidden[0]),
        g(weights.recurrent[0].as_ref().expect("recurrent")),
    )
}

#[test]
fn detaching_the_recurrence_changes_the_hidden_gradient_and_keeps_v_learning() {
    for path in [Path::PerStep, Path::Fused] {
        let (w_prop, v_prop) = burn_grads(false, path);
        let (w_ctl, v_ctl) = burn_grads(true, path);
        let differ = w_prop
            .iter()
            .zip(&w_ctl)
            .filter(|(a, b)| (*a - *b).abs() > 1e-6 * a.abs().max(1e-3))
            .count();
        assert!(
            differ > w_prop.len() / 4,
            "{path:?}: only {differ} of {} W gradients changed",
            w_prop.len()
        );
        for (name, v) in [("Prop", &v_prop), ("Ctl", &v_ctl)] {
            assert!(
                v.iter().all(|x| x.is_finite()) && v.iter().any(|&x| x != 0.0),
                "{path:?} {name}: V's gradient is not defined: {v:?}"
            );
        }
    }
}
