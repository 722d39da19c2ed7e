//! Images → spike events (ARCHITECTURE.md §4).
//!
//! Latency code (SpyTorch's `current2firing_time`): a pixel x ∈ [0, 1] is the constant input
//! current of a leaky neuron with time constant τ and threshold θ; it fires once, at
//!
//! ```text
//!     t(x) = τ · ln(x / (x − θ))    for x > θ, never otherwise,
//! ```
//!
//! in time steps, rounded down; spikes at t ≥ T fall off the trial. Bright pixels fire first
//! (x = 1, τ = 20, θ = 0.2: step 4).
//!
//! Poisson code: each step a pixel fires with probability `max_rate`·x, independently; the
//! spike trains are drawn from our own seeded generator, one stream per sample, so a seed gives
//! the same data on every platform.

use serde::{Deserialize, Serialize};

use crate::bounds::{OutOfBounds, check_range};
use crate::rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncodingKind {
    /// One spike per pixel x > θ, at step τ·ln(x/(x−θ)): bright pixels fire first.
    Latency,
    /// Independent spikes each step with probability `max_rate`·x.
    Poisson,
}

/// Image → spike raster. Pixels are scaled to x ∈ [0, 1].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncodingConfig {
    pub kind: EncodingKind,
    /// Latency: membrane time constant τ of the encoding, in time steps.
    pub tau: f64,
    /// Latency: threshold θ; pixels x ≤ θ never fire.
    pub theta: f64,
    /// Poisson: spike probability per time step of a pixel x = 1.
    pub max_rate: f64,
    /// Poisson: seed of the spike trains (same seed → same data).
    pub seed: u64,
}

impl Default for EncodingConfig {
    fn default() -> Self {
        Self {
            kind: EncodingKind::Latency,
            tau: 20.0,
            theta: 0.2,
            max_rate: 0.2,
            seed: 1,
        }
    }
}

impl EncodingConfig {
    /// Checks the settings of the chosen code only.
    pub fn validate(&self) -> Result<(), OutOfBounds> {
        match self.kind {
            EncodingKind::Latency => {
                check_range(
                    "data.encoding.tau",
                    self.tau,
                    1e-3,
                    1e4,
                    "τ must be 0.001–10000 time steps",
                )?;
                check_range(
                    "data.encoding.theta",
                    self.theta,
                    0.0,
                    0.999,
                    "θ must be 0–0.999 (pixels are 0–1)",
                )
            }
            EncodingKind::Poisson => check_range(
                "data.encoding.max_rate",
                self.max_rate,
                1e-6,
                1.0,
                "a spike probability per step, 0.000001–1",
            ),
        }
    }
}

/// The latency code's firing time of pixel `x`, in (fractional) time steps; `None` for x ≤ θ.
pub fn latency_time(x: f64, tau: f64, theta: f64) -> Option<f64> {
    (x > theta).then(|| tau * (x / (x - theta)).ln())
}

/// How images become spikes; built from the configuration once per load.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Encoder {
    Latency { tau: f64, theta: f64 },
    Poisson { max_rate: f64, seed: u64 },
}

impl Encoder {
    pub fn new(cfg: &EncodingConfig) -> Self {
        match cfg.kind {
            EncodingKind::Latency => Encoder::Latency {
                tau: cfg.tau,
                theta: cfg.theta,
            },
            EncodingKind::Poisson => Encoder::Poisson {
                max_rate: cfg.max_rate,
                seed: cfg.seed,
            },
        }
    }

    /// Appends the (step, unit) events of one image of 8-bit pixels (x = byte / 255) to `out`.
    /// `stream` tells samples apart for the Poisson code (use the split and sample index).
    pub fn encode(&self, pixels: &[u8], steps: usize, stream: u64, out: &mut Vec<(u32, u32)>) {
        // A lookup table per grey level would be faster still; 256 ln() per image is noise.
        match *self {
            Encoder::Latency { tau, theta } => {
                for (unit, &p) in pixels.iter().enumerate() {
                    let x = f64::from(p) / 255.0;
                    if let Some(t) = latency_time(x, tau, theta) {
                        let step = t.floor();
                        if step < steps as f64 {
                            out.push((step as u32, unit as u32));
                        }
                    }
                }
            }
            Encoder::Poisson { max_rate, seed } => {
                let mut rng = Rng::derive(seed, stream);
                for (unit, &p) in pixels.iter().enumerate() {
                    let prob = (max_rate * f64::from(p) / 255.0).min(1.0);
                    poisson_train(prob, steps, &mut rng, |step| out.push((step, unit as u32)));
                }
            }
        }
    }
}

/// A Bernoulli spike train of `steps` steps with probability `prob` per step, drawn by
/// geometric gaps (one draw per spike, not one per step).
fn poisson_train(prob: f64, steps: usize, rng: &mut Rng, mut emit: impl FnMut(u32)) {
    if prob <= 0.0 {
        return;
    }
    if prob >= 1.0 {
        (0..steps as u32).for_each(emit);
        return;
    }
    let log_q = (-prob).ln_1p(); // ln(1 − p) < 0
    let mut step = -1.0f64;
    loop {
        // Steps until the next spike: P(gap = k) = (1−p)^(k−1) p, k ≥ 1.
        let u = 1.0 - rng.uniform(); // (0, 1]
        step += (u.ln() / log_q).floor() + 1.0;
        if step >= steps as f64 {
            return;
        }
        emit(step as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_fires_bright_pixels_first_and_dim_ones_never() {
        let t1 = latency_time(1.0, 20.0, 0.2).unwrap();
        assert!((t1 - 20.0 * (1.0f64 / 0.8).ln()).abs() < 1e-12);
        assert!(latency_time(0.5, 20.0, 0.2).unwrap() > t1);
        assert_eq!(latency_time(0.2, 20.0, 0.2), None);
        assert_eq!(latency_time(0.0, 20.0, 0.2), None);
    }

    #[test]
    fn latency_events_round_down_and_drop_late_spikes() {
        let enc = Encoder::Latency {
            tau: 20.0,
            theta: 0.2,
        };
        let mut out = Vec::new();
        // 255 → step 4 (t = 4.46); 52 (x = 0.204) → t ≈ 80: kept at T = 100, dropped at T = 50.
        enc.encode(&[255, 0, 52], 100, 0, &mut out);
        let late = (20.0 * (52.0 / 255.0 / (52.0 / 255.0 - 0.2f64)).ln()).floor() as u32;
        assert_eq!(out, vec![(4, 0), (late, 2)]);
        out.clear();
        enc.encode(&[255, 0, 52], late as usize, 0, &mut out);
        assert_eq!(out, vec![(4, 0)]);
    }

    #[test]
    fn poisson_rate_matches_and_seed_reproduces() {
        let enc = Encoder::Poisson {
            max_rate: 0.2,
            seed: 9,
        };
        let pixels = vec![255u8; 200];
        let mut a = Vec::new();
        enc.encode(&pixels, 500, 3, &mut a);
        let rate = a.len() as f64 / (200.0 * 500.0);
        assert!((rate - 0.2).abs() < 0.01, "rate {rate}");
        assert!(a.iter().all(|&(s, u)| s < 500 && u < 200));
        let mut b = Vec::new();
        enc.encode(&pixels, 500, 3, &mut b);
        assert_eq!(a, b);
        let mut c = Vec::new();
        enc.encode(&pixels, 500, 4, &mut c);
        assert_ne!(a, c);
    }

    #[test]
    fn poisson_black_pixels_are_silent_and_certain_ones_fire_every_step() {
        let mut out = Vec::new();
        Encoder::Poisson {
            max_rate: 1.0,
            seed: 1,
        }
        .encode(&[0, 255], 10, 0, &mut out);
        assert_eq!(out, (0..10).map(|s| (s, 1)).collect::<Vec<_>>());
    }
}
