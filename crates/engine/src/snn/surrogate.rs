//! Surrogate derivatives σ'(x), x = U − ϑ, with scale β (Zenke & Vogels 2021, ARCHITECTURE.md §2).
//!
//! The forward pass of a spiking neuron is always the Heaviside step; only its derivative is
//! replaced. Each shape exists here as a plain scalar function: the oracle for tests and the curve
//! the window draws. The tensor version lives in `spike_op.rs` and must agree with these.

use serde::{Deserialize, Serialize};

use crate::bounds::{OutOfBounds, check_range};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurrogateShape {
    /// Fast sigmoid, 1/(β|x|+1)²; the paper's default.
    #[serde(alias = "fast_sigmoid", alias = "superspike")]
    SuperSpike,
    /// Derivative of the logistic sigmoid, peak 1/4.
    Sigmoid,
    /// Piecewise linear, max(0, 1 − β|x|).
    Esser,
    /// β/(β|x|+1)²: peak grows with β, tending to the true δ.
    AsymptoticSuperSpike,
    Exponential,
    /// snnTorch's default shape.
    Arctan,
    Gaussian,
    /// σ' = 1 everywhere; the β → 0 limit of the normalised shapes.
    StraightThrough,
    /// Heaviside's own derivative (0 almost everywhere): hidden layers never learn.
    TrueGradient,
}

impl SurrogateShape {
    pub const ALL: [SurrogateShape; 9] = [
        SurrogateShape::SuperSpike,
        SurrogateShape::Sigmoid,
        SurrogateShape::Esser,
        SurrogateShape::AsymptoticSuperSpike,
        SurrogateShape::Exponential,
        SurrogateShape::Arctan,
        SurrogateShape::Gaussian,
        SurrogateShape::StraightThrough,
        SurrogateShape::TrueGradient,
    ];

    /// The name used in config files and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            SurrogateShape::SuperSpike => "super_spike",
            SurrogateShape::Sigmoid => "sigmoid",
            SurrogateShape::Esser => "esser",
            SurrogateShape::AsymptoticSuperSpike => "asymptotic_super_spike",
            SurrogateShape::Exponential => "exponential",
            SurrogateShape::Arctan => "arctan",
            SurrogateShape::Gaussian => "gaussian",
            SurrogateShape::StraightThrough => "straight_through",
            SurrogateShape::TrueGradient => "true_gradient",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SurrogateShape::SuperSpike => "SuperSpike (fast sigmoid)",
            SurrogateShape::Sigmoid => "sigmoid′",
            SurrogateShape::Esser => "Esser (piecewise linear)",
            SurrogateShape::AsymptoticSuperSpike => "asymptotic SuperSpike",
            SurrogateShape::Exponential => "exponential",
            SurrogateShape::Arctan => "arctan",
            SurrogateShape::Gaussian => "Gaussian",
            SurrogateShape::StraightThrough => "straight-through",
            SurrogateShape::TrueGradient => "true gradient",
        }
    }

    /// The formula as it is shown next to the β slider.
    pub fn formula(self) -> &'static str {
        match self {
            SurrogateShape::SuperSpike => "σ'(x) = 1/(β|x|+1)²",
            SurrogateShape::Sigmoid => "σ'(x) = s(1−s), s = 1/(1+e^(−βx))",
            SurrogateShape::Esser => "σ'(x) = max(0, 1−β|x|)",
            SurrogateShape::AsymptoticSuperSpike => "σ'(x) = β/(β|x|+1)²",
            SurrogateShape::Exponential => "σ'(x) = exp(−β|x|)",
            SurrogateShape::Arctan => "σ'(x) = 1/(1+(πβx/2)²)",
            SurrogateShape::Gaussian => "σ'(x) = exp(−(βx)²/2)",
            SurrogateShape::StraightThrough => "σ'(x) = 1",
            SurrogateShape::TrueGradient => "σ'(x) = 0 (x ≠ 0)",
        }
    }

    /// Whether β changes the shape at all.
    pub fn uses_beta(self) -> bool {
        !matches!(
            self,
            SurrogateShape::StraightThrough | SurrogateShape::TrueGradient
        )
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// σ'(x) at scale β. Finite for every finite x and every β ≥ 0.
    pub fn derivative(self, x: f64, beta: f64) -> f64 {
        // β = 0 with an infinite membrane would give 0·∞ = NaN; β|x| is 0 then by definition.
        let bx = if beta == 0.0 { 0.0 } else { beta * x.abs() };
        match self {
            SurrogateShape::SuperSpike => 1.0 / ((bx + 1.0) * (bx + 1.0)),
            SurrogateShape::Sigmoid => {
                // s(1−s) = e/(1+e)² with e = exp(−β|x|) ≤ 1: never overflows.
                let e = (-bx).exp();
                e / ((1.0 + e) * (1.0 + e))
            }
            SurrogateShape::Esser => (1.0 - bx).max(0.0),
            SurrogateShape::AsymptoticSuperSpike => {
                // β/(β|x|+1)² written as (β/(β|x|+1))/(β|x|+1) so neither factor overflows first.
                let d = bx + 1.0;
                (beta / d) / d
            }
            SurrogateShape::Exponential => (-bx).exp(),
            SurrogateShape::Arctan => {
                let z = std::f64::consts::FRAC_PI_2 * bx;
                1.0 / (1.0 + z * z)
            }
            SurrogateShape::Gaussian => (-0.5 * bx * bx).exp(),
            SurrogateShape::StraightThrough => 1.0,
            SurrogateShape::TrueGradient => 0.0,
        }
    }

    /// σ'(u − ϑ) for a row of membranes, in f32 (the fused op's backward). The shape is chosen
    /// once per row so each loop vectorizes; same formulas and overflow care as `derivative`.
    #[inline(always)]
    pub fn derivative_row(self, u: &[f32], threshold: f32, beta: f32, out: &mut [f32]) {
        // β = 0 decided once, not per value: β·|x| is 0 even where |x| is infinite.
        if beta == 0.0 {
            self.derivative_row_of(|_| 0.0, beta, u, out);
        } else {
            self.derivative_row_of(|x| beta * (x - threshold).abs(), beta, u, out);
        }
    }

    #[inline(always)]
    fn derivative_row_of(self, bx: impl Fn(f32) -> f32, beta: f32, u: &[f32], out: &mut [f32]) {
        let pairs = u.iter().zip(out.iter_mut());
        match self {
            SurrogateShape::SuperSpike => pairs.for_each(|(&x, o)| {
                let d = bx(x) + 1.0;
                *o = 1.0 / (d * d)
            }),
            SurrogateShape::Sigmoid => pairs.for_each(|(&x, o)| {
                let e = (-bx(x)).exp();
                *o = e / ((1.0 + e) * (1.0 + e))
            }),
            SurrogateShape::Esser => pairs.for_each(|(&x, o)| *o = (1.0 - bx(x)).max(0.0)),
            SurrogateShape::AsymptoticSuperSpike => pairs.for_each(|(&x, o)| {
                let r = 1.0 / (bx(x) + 1.0);
                *o = r * r * beta
            }),
            SurrogateShape::Exponential => pairs.for_each(|(&x, o)| *o = (-bx(x)).exp()),
            SurrogateShape::Arctan => pairs.for_each(|(&x, o)| {
                let z = std::f32::consts::FRAC_PI_2 * bx(x);
                *o = 1.0 / (1.0 + z * z)
            }),
            SurrogateShape::Gaussian => pairs.for_each(|(&x, o)| {
                let z = bx(x);
                *o = (-0.5 * z * z).exp()
            }),
            SurrogateShape::StraightThrough => pairs.for_each(|(_, o)| *o = 1.0),
            SurrogateShape::TrueGradient => pairs.for_each(|(_, o)| *o = 0.0),
        }
    }

    /// A primitive f of σ' (f' = σ'), used by the straight-through construction
    /// H(x).detach() + f(x) − f(x).detach(), an independent route to the same gradient.
    pub fn primitive(self, x: f64, beta: f64) -> f64 {
        let ax = x.abs();
        let sign = x.signum();
        match self {
            SurrogateShape::SuperSpike => x / (beta * ax + 1.0),
            SurrogateShape::Sigmoid => 1.0 / (beta * (1.0 + (-beta * x).exp())),
            SurrogateShape::Esser => {
                let c = x.clamp(-1.0 / beta, 1.0 / beta);
                c - 0.5 * beta * c * c.abs()
            }
            SurrogateShape::AsymptoticSuperSpike => beta * x / (beta * ax + 1.0),
            SurrogateShape::Exponential => sign * (1.0 - (-beta * ax).exp()) / beta,
            SurrogateShape::Arctan => {
                let k = std::f64::consts::FRAC_PI_2 * beta;
                (k * x).atan() / k
            }
            SurrogateShape::Gaussian => {
                std::f64::consts::FRAC_PI_2.sqrt() / beta * erf(beta * x / std::f64::consts::SQRT_2)
            }
            SurrogateShape::StraightThrough => x,
            SurrogateShape::TrueGradient => 0.0,
        }
    }
}

impl std::fmt::Display for SurrogateShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// Abramowitz–Stegun 7.1.26 is too coarse for a gradient oracle; this is the series/continued
/// fraction pair accurate to ~1e-12, enough to check f' = σ' by finite differences.
/// Above this β·|x| underflows every normalised shape to 0 for any membrane that matters.
pub const MAX_BETA: f64 = 1e6;

/// The surrogate the spike op differentiates with: shape and scale β. Live: the trainer takes a
/// new one between batches.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SurrogateConfig {
    pub shape: SurrogateShape,
    pub beta: f64,
}

impl Default for SurrogateConfig {
    fn default() -> Self {
        Self {
            shape: SurrogateShape::SuperSpike,
            beta: 10.0,
        }
    }
}

impl SurrogateConfig {
    pub fn validate(&self) -> Result<(), OutOfBounds> {
        check_range(
            "surrogate.beta",
            self.beta,
            0.0,
            MAX_BETA,
            &format!("β must be ≥ 0 and ≤ {MAX_BETA:e}"),
        )
    }
}

fn erf(x: f64) -> f64 {
    let ax = x.abs();
    let v = if ax < 2.5 {
        // Maclaurin series: erf(x) = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1)).
        let mut term = ax;
        let mut sum = ax;
        let x2 = ax * ax;
        let mut n = 0.0;
        while term.abs() > 1e-17 * sum.abs() {
            n += 1.0;
            term *= -x2 / n;
            sum += term / (2.0 * n + 1.0);
            if n > 200.0 {
                break;
            }
        }
        2.0 / std::f64::consts::PI.sqrt() * sum
    } else {
        // Continued fraction for erfc, converges fast for |x| ≥ 2.5.
        let mut f = 0.0;
        for k in (1..60).rev() {
            f = (k as f64 / 2.0) / (ax + f);
        }
        1.0 - (-ax * ax).exp() / std::f64::consts::PI.sqrt() / (ax + f)
    };
    if x < 0.0 { -v } else { v }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_is_finite_at_extreme_beta() {
        for shape in SurrogateShape::ALL {
            for beta in [0.0, 1e-6, 1.0, 1e3, 1e12, 1e30, f64::MAX] {
                for x in [
                    0.0,
                    -0.0,
                    1e-300,
                    -1e-3,
                    0.5,
                    -7.0,
                    1e10,
                    f64::MAX,
                    f64::INFINITY,
                ] {
                    let d = shape.derivative(x, beta);
                    assert!(d.is_finite(), "{shape} σ'({x}) at β={beta} = {d}");
                    assert!(d >= 0.0, "{shape} σ'({x}) at β={beta} = {d}");
                }
            }
        }
    }

    #[test]
    fn primitive_differentiates_to_derivative() {
        for shape in SurrogateShape::ALL {
            for beta in [0.5, 3.0, 10.0] {
                for i in -40..=40 {
                    let x = i as f64 * 0.037 + 0.0011;
                    let h = 1e-6;
                    let fd =
                        (shape.primitive(x + h, beta) - shape.primitive(x - h, beta)) / (2.0 * h);
                    let d = shape.derivative(x, beta);
                    assert!(
                        (fd - d).abs() < 1e-5,
                        "{shape} β={beta} x={x}: f'={fd} σ'={d}"
                    );
                }
            }
        }
    }

    #[test]
    fn normalised_shapes_peak_at_one_and_asymptotic_at_beta() {
        assert_eq!(SurrogateShape::SuperSpike.derivative(0.0, 100.0), 1.0);
        assert_eq!(SurrogateShape::Sigmoid.derivative(0.0, 100.0), 0.25);
        assert_eq!(
            SurrogateShape::AsymptoticSuperSpike.derivative(0.0, 100.0),
            100.0
        );
    }

    #[test]
    fn row_derivative_matches_scalar() {
        let u: Vec<f32> = (-50..50).map(|i| 1.0 + i as f32 * 0.031).collect();
        let mut out = vec![0f32; u.len()];
        for shape in SurrogateShape::ALL {
            for beta in [0.0f32, 1.0, 10.0, 1e4] {
                shape.derivative_row(&u, 1.0, beta, &mut out);
                for (x, o) in u.iter().zip(&out) {
                    let want = shape.derivative((*x - 1.0) as f64, beta as f64);
                    assert!(
                        (*o as f64 - want).abs() <= 1e-5 * want.abs().max(1.0),
                        "{shape} β={beta} x={x}: {o} vs {want}"
                    );
                    assert!(o.is_finite());
                }
            }
        }
    }

    #[test]
    fn keys_round_trip() {
        for shape in SurrogateShape::ALL {
            assert_eq!(SurrogateShape::from_key(shape.key()), Some(shape));
        }
    }
}
