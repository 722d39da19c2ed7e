//! The network's settings: layers, time constants, reset, loss and initialization.

use serde::{Deserialize, Serialize};

use super::dynamics::{CurrentTiming, ResetTiming};
use super::init::InitKind;
use super::lif::ResetMode;
use super::loss::LossKind;
use crate::bounds::{OutOfBounds, check_positive};

pub const MAX_HIDDEN_LAYERS: usize = 4;
pub const MAX_WIDTH: usize = 16_384;

/// Per-layer flag that also accepts one value for every layer (`model.recurrent = true`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PerLayer {
    All(bool),
    Each(Vec<bool>),
}

impl PerLayer {
    pub fn get(&self, layer: usize) -> bool {
        match self {
            PerLayer::All(v) => *v,
            PerLayer::Each(v) => v.get(layer).copied().unwrap_or(false),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelConfig {
    /// Width of each hidden layer (1–4 layers).
    pub hidden: Vec<usize>,
    pub recurrent: PerLayer,
    pub dt_ms: f64,
    pub tau_syn_ms: f64,
    pub tau_mem_ms: f64,
    pub tau_out_ms: f64,
    pub threshold: f64,
    pub reset: ResetMode,
    /// Reset term cut from the graph (default), or differentiated through.
    pub reset_detached: bool,
    /// Recurrent input V·s[n] cut from the graph on the way back ("Ctl" in the paper's
    /// recurrence panel): V still learns, but no gradient reaches s[n] through it. Off by
    /// default ("Prop"): BPTT runs through the recurrence.
    pub recurrent_detached: bool,
    /// Which current the membrane integrates: the previous step's (the paper) or this step's
    /// (Norse, snnTorch). Left out of files while it is the paper's, so that files and sweep
    /// fingerprints made before it existed stay the same.
    #[serde(skip_serializing_if = "is_default")]
    pub current: CurrentTiming,
    /// When a spike resets the membrane: in the next step (the paper) or the same step
    /// (Norse, snnTorch). Left out of files while it is the paper's, as `current`.
    #[serde(skip_serializing_if = "is_default")]
    pub reset_timing: ResetTiming,
    /// Scale the synaptic input to the membrane by (1 − β_mem), as the paper does.
    pub input_factor: bool,
    pub loss: LossKind,
    pub init: InitKind,
    /// Run each layer's time loop as one fused op (a host loop on CPU backends, a CubeCL kernel
    /// on wgpu); false forces the per-step graph everywhere.
    pub fused: bool,
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self {
            hidden: vec![100],
            recurrent: PerLayer::All(false),
            dt_ms: 1.0,
            tau_syn_ms: 5.0,
            tau_mem_ms: 10.0,
            tau_out_ms: 20.0,
            threshold: 1.0,
            reset: ResetMode::Zero,
            reset_detached: true,
            recurrent_detached: false,
            current: CurrentTiming::Previous,
            reset_timing: ResetTiming::Next,
            input_factor: true,
            loss: LossKind::MaxOverTime,
            init: InitKind::Normal { gain: 5.0 },
            fused: true,
        }
    }
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// A network the settings cannot describe.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("model.hidden: {0} layers given: 1–{max} hidden layers allowed", max = MAX_HIDDEN_LAYERS)]
    LayerCount(usize),
    #[error("model.hidden: layer {layer} has width {width}: widths must be 1–{max}", max = MAX_WIDTH)]
    Width { layer: usize, width: usize },
    #[error(
        "model.recurrent: {flags} flags for {layers} hidden layers: give one per layer, or a single true/false"
    )]
    RecurrentFlags { flags: usize, layers: usize },
    #[error(transparent)]
    Value(#[from] OutOfBounds),
}

impl ModelError {
    /// The TOML path of the refused setting.
    pub fn key(&self) -> &str {
        match self {
            ModelError::LayerCount(_) | ModelError::Width { .. } => "model.hidden",
            ModelError::RecurrentFlags { .. } => "model.recurrent",
            ModelError::Value(e) => e.key(),
        }
    }
}

impl ModelConfig {
    pub fn is_recurrent(&self, layer: usize) -> bool {
        self.recurrent.get(layer)
    }

    /// The first setting that describes no network, if any.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.hidden.is_empty() || self.hidden.len() > MAX_HIDDEN_LAYERS {
            return Err(ModelError::LayerCount(self.hidden.len()));
        }
        if let Some((i, &width)) = self
            .hidden
            .iter()
            .enumerate()
            .find(|&(_, &w)| w == 0 || w > MAX_WIDTH)
        {
            return Err(ModelError::Width {
                layer: i + 1,
                width,
            });
        }
        if let PerLayer::Each(flags) = &self.recurrent
            && flags.len() != self.hidden.len()
        {
            return Err(ModelError::RecurrentFlags {
                flags: flags.len(),
                layers: self.hidden.len(),
            });
        }
        check_positive("model.dt_ms", self.dt_ms)?;
        check_positive("model.tau_syn_ms", self.tau_syn_ms)?;
        check_positive("model.tau_mem_ms", self.tau_mem_ms)?;
        check_positive("model.tau_out_ms", self.tau_out_ms)?;
        check_positive("model.threshold", self.threshold)?;
        Ok(self.init.validate()?)
    }
}
