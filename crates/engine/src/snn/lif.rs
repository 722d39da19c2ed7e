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
//! Imported networks generalize this (per-neuron constants, this step's current, reset in the
//! same step, spiking readouts): see `dynamics.rs`; the paper's model is its default.

use burn::tensor::Tensor;

use super::dynamics::{CurrentTiming, LayerDynamics, ResetTiming};
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

impl ResetMode {
    /// The setting's value in files and NIR metadata.
    pub fn key(self) -> &'static str {
        match self {
            ResetMode::Zero => "zero",
            ResetMode::Subtract => "subtract",
            ResetMode::None => "none",
        }
    }
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
    /// No gradient reaches s[n] through V·s[n] (the paper's recurrence "Ctl").
    pub recurrent_detached: bool,
    pub current: CurrentTiming,
    pub reset_timing: ResetTiming,
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
            current: m.current,
            reset_timing: m.reset_timing,
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

/// A per-neuron constant as an operand: a scalar when every neuron shares it (one op, as
/// the paper's model always had), else a [batch, width] tensor.
enum Coef {
    Scalar(f32),
    Row(Box<Tensor<2>>),
}

impl Coef {
    fn new(values: &[f32], batch: usize, device: &burn::tensor::Device) -> Self {
        match LayerDynamics::shared(values) {
            Some(v) => Coef::Scalar(v),
            None => Coef::Row(Box::new(
                Tensor::<2>::from_data(
                    burn::tensor::TensorData::new(values.to_vec(), [1, values.len()]),
                    device,
                )
                .expand([batch, values.len()]),
            )),
        }
    }

    fn mul(&self, t: Tensor<2>) -> Tensor<2> {
        match self {
            Coef::Scalar(v) => t.mul_scalar(*v),
            Coef::Row(r) => t * (**r).clone(),
        }
    }

    fn sub_from(&self, t: Tensor<2>) -> Tensor<2> {
        match self {
            Coef::Scalar(v) => t.sub_scalar(*v),
            Coef::Row(r) => t - (**r).clone(),
        }
    }

    fn add_to(&self, t: Tensor<2>) -> Tensor<2> {
        match self {
            Coef::Scalar(v) => t.add_scalar(*v),
            Coef::Row(r) => t + (**r).clone(),
        }
    }
}

/// Runs one LIF layer over a trial (conventions in `dynamics.rs`). `current` is the drive
/// x[n] for every n, [T, batch, width].
pub fn lif_layer(
    current: Tensor<3>,
    recurrent: Option<&Tensor<2>>,
    layer: &LayerDynamics,
    surrogate: &SurrogateConfig,
    record_membrane: bool,
) -> LayerTrace {
    lif_layer_probed(current, recurrent, layer, surrogate, record_membrane, None)
}

/// [`lif_layer`] with `probe` ([T, batch, width], zeros) added to the membrane M[n] that the
/// spike reads and the next step carries: its gradient is then ∂L/∂U[n], the error signal at
/// each step, which burn keeps only for leaves.
pub fn lif_layer_probed(
    current: Tensor<3>,
    recurrent: Option<&Tensor<2>>,
    layer: &LayerDynamics,
    surrogate: &SurrogateConfig,
    record_membrane: bool,
    probe: Option<Tensor<3>>,
) -> LayerTrace {
    let [steps, batch, width] = current.dims();
    let device = current.device();
    let coef = |v: &[f32]| Coef::new(v, batch, &device);
    let (alpha, beta, c, threshold) = (
        coef(&layer.alpha),
        coef(&layer.beta),
        coef(&layer.c),
        coef(&layer.threshold),
    );
    // Terms the paper's model lacks stay out of its graph.
    let kappa = (!layer.kappa_is_one()).then(|| coef(&layer.kappa));
    let leak = layer.has_leak().then(|| coef(&layer.leak));
    let v_reset = layer.has_reset_value().then(|| coef(&layer.v_reset));
    let now = layer.current == CurrentTiming::This;
    let same = layer.reset_timing == ResetTiming::Same;

    let mut syn = Tensor::<2>::zeros([batch, width], &device);
    let mut mem = Tensor::<2>::zeros([batch, width], &device);
    let mut last = Tensor::<2>::zeros([batch, width], &device);
    let mut spikes = Vec::with_capacity(steps);
    let mut membrane = Vec::with_capacity(if record_membrane { steps } else { 0 });
    let sg_beta = surrogate.beta as f32;
    // I ← α·I + κ·(x[n] + V·s), s the latest spikes.
    let synapse = |syn: Tensor<2>, input: Tensor<2>, s: &Tensor<2>| {
        let mut drive = input;
        if let Some(v) = recurrent {
            let fed_back = if layer.recurrent_detached {
                s.clone().detach()
            } else {
                s.clone()
            };
            drive = drive + fed_back.matmul(v.clone());
        }
        let drive = match &kappa {
            Some(k) => k.mul(drive),
            None => drive,
        };
        alpha.mul(syn) + drive
    };

    let mut probes = probe.map(|p| p.chunk(steps, 0).into_iter());
    for input in current.chunk(steps, 0) {
        let input: Tensor<2> = input.reshape([batch, width]);
        let probe: Option<Tensor<2>> = probes
            .as_mut()
            .and_then(|p| p.next())
            .map(|p| p.reshape([batch, width]));
        if now {
            syn = synapse(syn, input.clone(), &last);
        }
        if !same && let Some(p) = &probe {
            mem = mem + p.clone();
        }
        // A = β·U + c·I (+ λ)
        let mut integrated = beta.mul(mem.clone()) + c.mul(syn.clone());
        if let Some(l) = &leak {
            integrated = l.add_to(integrated);
        }
        if same && let Some(p) = probe {
            integrated = integrated + p;
        }
        let m = if same { integrated.clone() } else { mem };
        // s[n] = Θ(M − ϑ), with the surrogate derivative on the way back.
        let s = spike(threshold.sub_from(m.clone()), surrogate.shape, sg_beta);
        if record_membrane {
            membrane.push(m);
        }
        let reset = if layer.reset_detached {
            s.clone().detach()
        } else {
            s.clone()
        };
        mem = match layer.reset {
            ResetMode::Zero => {
                let kept = integrated.clone() - integrated * reset.clone();
                match &v_reset {
                    Some(v) => kept + v.mul(reset),
                    None => kept,
                }
            }
            ResetMode::Subtract => integrated - threshold.mul(reset),
            ResetMode::None => integrated,
        };
        if !now {
            syn = synapse(syn, input, &s);
        }
        last = s.clone();
        spikes.push(s);
    }

    LayerTrace {
        spikes: Tensor::stack(spikes, 0),
        membrane: record_membrane.then(|| Tensor::stack(membrane, 0)),
    }
}

/// A non-spiking readout with per-neuron constants and either current timing; returns M[n]
/// for every n, [T, batch, outputs] (per step; the fused path runs `fused::readout_fused`).
pub fn readout_per_step(current: Tensor<3>, layer: &LayerDynamics) -> Tensor<3> {
    let [steps, batch, width] = current.dims();
    let device = current.device();
    let coef = |v: &[f32]| Coef::new(v, batch, &device);
    let (alpha, beta, c) = (coef(&layer.alpha), coef(&layer.beta), coef(&layer.c));
    let kappa = (!layer.kappa_is_one()).then(|| coef(&layer.kappa));
    let leak = layer.has_leak().then(|| coef(&layer.leak));
    let now = layer.current == CurrentTiming::This;
    let mut syn = Tensor::<2>::zeros([batch, width], &device);
    let mut mem = Tensor::<2>::zeros([batch, width], &device);
    let mut out = Vec::with_capacity(steps);
    let synapse = |syn: Tensor<2>, input: Tensor<2>| {
        alpha.mul(syn)
            + match &kappa {
                Some(k) => k.mul(input),
                None => input,
            }
    };
    for input in current.chunk(steps, 0) {
        let input: Tensor<2> = input.reshape([batch, width]);
        if now {
            syn = synapse(syn, input.clone());
        }
        mem = beta.mul(mem) + c.mul(syn.clone());
        if let Some(l) = &leak {
            mem = l.add_to(mem);
        }
        if !now {
            syn = synapse(syn, input);
        }
        out.push(mem.clone());
    }
    Tensor::stack(out, 0)
}

/// Membrane of a hidden layer with its threshold removed (no spikes, no reset): what
/// fluctuation-driven initialization calibrates against. [T, batch, width].
pub fn free_membrane(current: Tensor<3>, dy: &Dynamics) -> Tensor<3> {
    let width = current.dims()[2];
    readout_per_step(current, &LayerDynamics::paper_hidden(dy, width))
}
