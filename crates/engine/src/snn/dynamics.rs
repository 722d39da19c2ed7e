//! Per-neuron step constants and update conventions of each layer, general enough to run
//! the paper's model and networks written by other simulators exactly:
//!
//! ```text
//!   step n, input x[n] (W·s_in[n] + b, plus κ·V·s of the latest spikes when recurrent):
//!   [this step's current]   I ← α·I + κ·x[n]
//!   A = β·U + c·I + λ
//!   [reset in the same step] M = A, s[n] = Θ(M − ϑ), U ← R(A, s[n])
//!   [reset in the next step] M = U, s[n] = Θ(M − ϑ), U ← R(A, s[n])
//!   [previous step's current] I ← α·I + κ·x[n]
//!   R: to v_reset A − A·s + v_reset·s | by subtraction A − ϑ·s | none A
//! ```
//!
//! M is the membrane a spike is read from (what plots show). The paper's model is the
//! previous-current, next-step-reset pair with κ = 1, λ = 0, v_reset = 0; Norse and snnTorch
//! take this step's current and reset in the same step.

use serde::{Deserialize, Serialize};

use super::lif::{Dynamics, ResetMode};

/// Which synaptic current the membrane integrates in step n.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CurrentTiming {
    /// I[n−1], before this step's input (the paper, SpyTorch).
    #[default]
    Previous,
    /// I[n], with this step's input (Norse, snnTorch).
    This,
}

/// When a spike acts on the membrane.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetTiming {
    /// s[n] is read from the membrane before this step's integration; the reset applies to
    /// the integrated membrane (the paper).
    #[default]
    Next,
    /// s[n] is read from this step's integrated membrane and resets it at once (Norse).
    Same,
}

impl CurrentTiming {
    /// The setting's value in files and NIR metadata.
    pub fn key(self) -> &'static str {
        match self {
            CurrentTiming::Previous => "previous",
            CurrentTiming::This => "this",
        }
    }
}

impl ResetTiming {
    /// The setting's value in files and NIR metadata.
    pub fn key(self) -> &'static str {
        match self {
            ResetTiming::Next => "next",
            ResetTiming::Same => "same",
        }
    }
}

/// One layer's neurons: per-neuron constants (length = width) and conventions.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerDynamics {
    pub alpha: Vec<f32>,
    pub kappa: Vec<f32>,
    pub beta: Vec<f32>,
    pub c: Vec<f32>,
    pub leak: Vec<f32>,
    pub threshold: Vec<f32>,
    pub v_reset: Vec<f32>,
    /// A readout that never spikes ignores threshold and reset.
    pub spiking: bool,
    pub reset: ResetMode,
    pub reset_detached: bool,
    /// V·s[n] passes no gradient back to s[n]; V itself still learns.
    pub recurrent_detached: bool,
    pub current: CurrentTiming,
    pub reset_timing: ResetTiming,
}

impl LayerDynamics {
    pub fn width(&self) -> usize {
        self.alpha.len()
    }

    /// The paper's hidden layer of `width` neurons, in the conventions `dy` names.
    pub fn paper_hidden(dy: &Dynamics, width: usize) -> Self {
        Self::uniform(
            width,
            dy.alpha,
            dy.beta_mem,
            dy.input_scale,
            dy.threshold,
            true,
            dy,
        )
    }

    /// The paper's non-spiking readout of `width` neurons, in the conventions `dy` names.
    pub fn paper_readout(dy: &Dynamics, width: usize) -> Self {
        Self::uniform(
            width,
            dy.alpha,
            dy.beta_out,
            dy.out_input_scale,
            dy.threshold,
            false,
            dy,
        )
    }

    fn uniform(
        width: usize,
        alpha: f32,
        beta: f32,
        c: f32,
        threshold: f32,
        spiking: bool,
        dy: &Dynamics,
    ) -> Self {
        Self {
            alpha: vec![alpha; width],
            kappa: vec![1.0; width],
            beta: vec![beta; width],
            c: vec![c; width],
            leak: vec![0.0; width],
            threshold: vec![threshold; width],
            v_reset: vec![0.0; width],
            spiking,
            reset: dy.reset,
            reset_detached: dy.reset_detached,
            recurrent_detached: dy.recurrent_detached,
            current: dy.current,
            reset_timing: dy.reset_timing,
        }
    }

    /// The one value of every neuron, when they share it.
    pub fn shared(values: &[f32]) -> Option<f32> {
        let first = *values.first()?;
        values.iter().all(|&v| v == first).then_some(first)
    }

    pub fn kappa_is_one(&self) -> bool {
        self.kappa.iter().all(|&k| k == 1.0)
    }

    pub fn has_leak(&self) -> bool {
        self.leak.iter().any(|&l| l != 0.0)
    }

    pub fn has_reset_value(&self) -> bool {
        self.v_reset.iter().any(|&v| v != 0.0)
    }
}

/// How a continuous-time τ becomes a per-step decay d(τ) over Δt: how the constants of a
/// network read from a NIR file were made, and how they are written back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discretisation {
    /// d(τ) = exp(−Δt/τ).
    Exact,
    /// d(τ) = 1 − Δt/τ.
    Euler,
}

impl Discretisation {
    pub fn decay(self, dt: f64, tau: f64) -> f64 {
        match self {
            Discretisation::Exact => (-dt / tau).exp(),
            Discretisation::Euler => 1.0 - dt / tau,
        }
    }

    /// The τ whose decay over `dt` is `decay` (the inverse of [`Self::decay`]).
    pub fn tau(self, dt: f64, decay: f64) -> f64 {
        match self {
            Discretisation::Exact => -dt / decay.ln(),
            Discretisation::Euler => dt / (1.0 - decay),
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Discretisation::Exact => "exact",
            Discretisation::Euler => "euler",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "exact" => Some(Discretisation::Exact),
            "euler" => Some(Discretisation::Euler),
            _ => None,
        }
    }
}

/// Every layer's dynamics and the fixed biases of a network.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkDynamics {
    pub hidden: Vec<LayerDynamics>,
    pub readout: LayerDynamics,
    /// Added to each hidden layer's drive at every step, [width].
    pub bias: Vec<Option<Vec<f32>>>,
    /// A recurrent weight node's bias, added to the drive from the second step on (the
    /// recurrent edge carries nothing before the first step's spikes exist).
    pub recurrent_bias: Vec<Option<Vec<f32>>>,
    pub readout_bias: Option<Vec<f32>>,
}

impl NetworkDynamics {
    /// The paper's model for these layer widths, in the update conventions `dy` names (the
    /// paper's by default): no biases, shared constants.
    pub fn paper(dy: &Dynamics, widths: &[usize], outputs: usize) -> Self {
        Self {
            hidden: widths
                .iter()
                .map(|&w| LayerDynamics::paper_hidden(dy, w))
                .collect(),
            readout: LayerDynamics::paper_readout(dy, outputs),
            bias: vec![None; widths.len()],
            recurrent_bias: vec![None; widths.len()],
            readout_bias: None,
        }
    }
}
