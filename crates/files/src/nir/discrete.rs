//! NIR's continuous-time neurons as per-step constants, for a Δt and a discretisation the
//! user names (NIR stores neither):
//!
//! ```text
//!   τ_syn·İ = −I + w_in·x      →  I ← α·I + κ·x,          α = d(τ_syn), κ = (1 − α)·w_in
//!   τ_mem·v̇ = (v_leak − v) + r·I →  v ← β·v + c·I + λ,     β = d(τ_mem), c = (1 − β)·r,
//!                                                          λ = (1 − β)·v_leak
//! ```
//!
//! with d(τ) = exp(−Δt/τ) (exact for an input held over the step, as the paper and this
//! program do) or 1 − Δt/τ (forward Euler, as Norse and snnTorch import). Types without a
//! synapse (LIF, LI) take their input directly: α = 0, κ = 1.

use super::stack::Neurons;

// The model's concept (how a τ becomes a per-step decay); here because NIR is where the user
// names it.
pub use crate::snn::dynamics::Discretisation;

/// One layer's per-step constants, one value per neuron.
#[derive(Clone, Debug, PartialEq)]
pub struct StepConstants {
    pub alpha: Vec<f32>,
    pub kappa: Vec<f32>,
    pub beta: Vec<f32>,
    pub c: Vec<f32>,
    pub leak: Vec<f32>,
    /// Spiking layers only.
    pub threshold: Option<Vec<f32>>,
    pub v_reset: Vec<f32>,
}

/// The constants of `neurons` (named `node` in errors) at Δt = `dt_s` seconds. A decay
/// outside [0, 1) — Euler with Δt > τ — is refused: the discrete neuron would oscillate.
pub fn step_constants(
    node: &str,
    neurons: &Neurons,
    dt_s: f64,
    how: Discretisation,
) -> Result<StepConstants, String> {
    if !(dt_s.is_finite() && dt_s > 0.0) {
        return Err(format!(
            "Δt must be a positive number of seconds, not {dt_s}"
        ));
    }
    let decays = |key: &str, taus: &[f64]| -> Result<Vec<f64>, String> {
        taus.iter()
            .map(|&tau| {
                let d = how.decay(dt_s, tau);
                if (0.0..1.0).contains(&d) {
                    Ok(d)
                } else {
                    Err(format!(
                        "{node}: {key} = {tau} s gives a decay of {d} per step of Δt = {dt_s} s \
                         ({}); a smaller Δt is needed",
                        how.key()
                    ))
                }
            })
            .collect()
    };
    let n = neurons.len();
    let (alpha, kappa) = match &neurons.tau_syn {
        Some(tau_syn) => {
            let alpha = decays("tau_syn", tau_syn)?;
            let kappa = alpha
                .iter()
                .zip(&neurons.w_in)
                .map(|(a, w)| (1.0 - a) * w)
                .collect();
            (alpha, kappa)
        }
        None => (vec![0.0; n], vec![1.0; n]),
    };
    let beta = decays("tau_mem", &neurons.tau_mem)?;
    let c = beta
        .iter()
        .zip(&neurons.r)
        .map(|(b, r)| (1.0 - b) * r)
        .collect::<Vec<_>>();
    let leak = beta
        .iter()
        .zip(&neurons.v_leak)
        .map(|(b, v)| (1.0 - b) * v)
        .collect::<Vec<_>>();
    let f32s = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    Ok(StepConstants {
        alpha: f32s(&alpha),
        kappa: f32s(&kappa),
        beta: f32s(&beta),
        c: f32s(&c),
        leak: f32s(&leak),
        threshold: neurons.v_threshold.as_deref().map(f32s),
        v_reset: neurons
            .v_reset
            .as_deref()
            .map_or_else(|| vec![0.0; n], f32s),
    })
}
