//! Current-based leaky integrate-and-fire dynamics, discrete time (ARCHITECTURE.md §1):
//!
//! ```text
//!   I[n+1] = α·I[n] + W·s_in[n] (+ V·s[n] when recurrent)
//!   U[n+1] = (β·U[n] + c·I[n]) · (1 − s[n])      reset to zero (or − ϑ·s[n], or none)
//!   s[n]   = Θ(U[n] − ϑ)
//! ```
//!
//! with α = exp(−Δt/τ_syn), β = exp(−Δt/τ_mem) and c = 1 − β (paper) or 1 (SpyTorch). The
//! readout uses the same synapse and a membrane with τ_out, and neither spikes nor resets.

use burn::tensor::Tensor;

use super::spike_op::spike;
use serde::{Deserialize, Serialize};

use super::model::ModelConfig;
use super::surrogate::SurrogateConfig;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetMode {
    /// U ← 0 after a spike (the paper's default).
    Zero,
    /// U ← U − ϑ after a spike.
    Subtract,
    /// No reset: the membrane integrates through spikes.
    None,
}

/// The per-step constants derived from a [`ModelConfig`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dynamics {
    pub alpha: f32,
    pub beta_mem: f32,
    pub beta_out: f32,
    /// Input factor c for hidden membranes: 1 − β_mem, or 1.
    pub input_scale: f32,
    /// Input factor for the readout membrane: 1 − β_out, or 1.
    pub out_input_scale: f32,
    pub threshold: f32,
    pub reset: ResetMode,
    pub reset_detached: bool,
    pub recurrent_detached: bool,
    pub dt_ms: f32,
}

impl Dynamics {
    pub fn new(m: &ModelConfig) -> Self {
        let decay = |tau: f64| (-m.dt_ms / tau).exp();
        let beta_mem = decay(m.tau_mem_ms);
        let beta_out = decay(m.tau_out_ms);
        let factor = |b: f64| if m.input_factor { 1.0 - b } else { 1.0 };
        Self {
            alpha: decay(m.tau_syn_ms) as f32,
            beta_mem: beta_mem as f32,
            beta_out: beta_out as f32,
            input_scale: factor(beta_mem) as f32,
            out_input_scale: factor(beta_out) as f32,
            threshold: m.threshold as f32,
            reset: m.reset,
            reset_detached: m.reset_detached,
            recurrent_detached: m.recurrent_detached,
            dt_ms: m.dt_ms as f32,
        }
    }
}

/// What one hidden layer produced over a trial.
pub struct LayerTrace {
    /// s[n], [T, batch, width].
    pub spikes: Tensor<3>,
    /// U[n] before the reset of step n, [T, batch, width], when recording was asked for.
    pub membrane: Option<Tensor<3>>,
}

/// Runs one LIF layer over a trial. `current` is W·s_in[n] for every n, [T, batch, width].
pub fn lif_layer(
    current: Tensor<3>,
    recurrent: Option<&Tensor<2>>,
    dy: &Dynamics,
    surrogate: &SurrogateConfig,
    record_membrane: bool,
) -> LayerTrace {
    let [steps, batch, width] = current.dims();
    let device = current.device();
    let mut syn = Tensor::<2>::zeros([batch, width], &device);
    let mut mem = Tensor::<2>::zeros([batch, width], &device);
    let mut spikes = Vec::with_capacity(steps);
    let mut membrane = Vec::with_capacity(if record_membrane { steps } else { 0 });
    let beta = surrogate.beta as f32;

    for input in current.chunk(steps, 0) {
        let input: Tensor<2> = input.reshape([batch, width]);
        // s[n] = Θ(U[n] − ϑ), with the surrogate derivative on the way back.
        let s = spike(mem.clone().sub_scalar(dy.threshold), surrogate.shape, beta);
        if record_membrane {
            membrane.push(mem.clone());
        }
        let reset = if dy.reset_detached {
            s.clone().detach()
        } else {
            s.clone()
        };
        // β·U[n] + c·I[n]
        let integrated = mem.mul_scalar(dy.beta_mem) + syn.clone().mul_scalar(dy.input_scale);
        mem = match dy.reset {
            ResetMode::Zero => integrated.clone() - integrated * reset,
            ResetMode::Subtract => integrated - reset.mul_scalar(dy.threshold),
            ResetMode::None => integrated,
        };
        // α·I[n] + W·s_in[n] (+ V·s[n])
        syn = syn.mul_scalar(dy.alpha) + input;
        if let Some(v) = recurrent {
            let fed_back = if dy.recurrent_detached {
                s.clone().detach()
            } else {
                s.clone()
            };
            syn = syn + fed_back.matmul(v.clone());
        }
        spikes.push(s);
    }

    LayerTrace {
        spikes: Tensor::stack(spikes, 0),
        membrane: record_membrane.then(|| Tensor::stack(membrane, 0)),
    }
}

/// The non-spiking leaky readout; returns U_out[n+1] for n = 0..T, [T, batch, outputs].
pub fn leaky_readout(current: Tensor<3>, dy: &Dynamics) -> Tensor<3> {
    leaky_integrator(current, dy.alpha, dy.beta_out, dy.out_input_scale)
}

/// Membrane of a hidden layer with its threshold removed (no spikes, no reset): what
/// fluctuation-driven initialization calibrates against. [T, batch, width].
pub fn free_membrane(current: Tensor<3>, dy: &Dynamics) -> Tensor<3> {
    leaky_integrator(current, dy.alpha, dy.beta_mem, dy.input_scale)
}

/// The readout as one matmul: it is linear and time-invariant, so U_out[n+1] = Σ_m K[n][m]·x[m]
/// with K the impulse response of the synapse-membrane pair. Same values as [`leaky_readout`]
/// with one graph node instead of several per step.
pub fn leaky_readout_matmul(current: Tensor<3>, dy: &Dynamics) -> Tensor<3> {
    let [steps, batch, width] = current.dims();
    let kernel = impulse_response(steps, dy.alpha, dy.beta_out, dy.out_input_scale);
    let k = Tensor::<2>::from_data(
        burn::tensor::TensorData::new(kernel, [steps, steps]),
        &current.device(),
    );
    k.matmul(current.reshape([steps, batch * width]))
        .reshape([steps, batch, width])
}

/// K[n][m]: U[n+1] after a unit input at step m, row-major [T, T] (zero for m ≥ n).
fn impulse_response(steps: usize, alpha: f32, beta: f32, c: f32) -> Vec<f32> {
    let (a, b, c) = (alpha as f64, beta as f64, c as f64);
    let mut k = vec![0f32; steps * steps];
    for m in 0..steps {
        let (mut syn, mut mem) = (0f64, 0f64);
        for n in 0..steps {
            mem = b * mem + c * syn;
            syn = a * syn + if n == m { 1.0 } else { 0.0 };
            k[n * steps + m] = mem as f32;
        }
    }
    k
}

/// I[n+1] = α·I[n] + x[n]; U[n+1] = β·U[n] + c·I[n]; returns U[n+1] for every n.
fn leaky_integrator(current: Tensor<3>, alpha: f32, beta: f32, c: f32) -> Tensor<3> {
    let [steps, batch, width] = current.dims();
    let device = current.device();
    let mut syn = Tensor::<2>::zeros([batch, width], &device);
    let mut mem = Tensor::<2>::zeros([batch, width], &device);
    let mut out = Vec::with_capacity(steps);
    for input in current.chunk(steps, 0) {
        let input: Tensor<2> = input.reshape([batch, width]);
        mem = mem.mul_scalar(beta) + syn.clone().mul_scalar(c);
        syn = syn.mul_scalar(alpha) + input;
        out.push(mem.clone());
    }
    Tensor::stack(out, 0)
}
