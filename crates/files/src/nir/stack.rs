//! What a NIR graph means to this program: a layered (recurrent) stack of neuron layers,
//! each fed through one weight node, the last one the readout. Parameters stay in NIR's
//! continuous-time terms (seconds, per neuron); turning them into per-step decays needs a
//! Δt and a discretisation, which NIR does not store.

use super::graph::{Array, Meta};
use std::collections::BTreeMap;

/// The neuron node types this program runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeuronKind {
    /// Current-based synapse and a spiking membrane.
    CubaLif,
    /// A spiking membrane driven directly by its input.
    Lif,
    /// Current-based synapse and a membrane that never spikes.
    CubaLi,
    /// A membrane that never spikes, driven directly.
    Li,
}

impl NeuronKind {
    pub fn from_nir(kind: &str) -> Option<Self> {
        match kind {
            "CubaLIF" => Some(Self::CubaLif),
            "LIF" => Some(Self::Lif),
            "CubaLI" => Some(Self::CubaLi),
            "LI" => Some(Self::Li),
            _ => None,
        }
    }

    pub fn nir_name(self) -> &'static str {
        match self {
            Self::CubaLif => "CubaLIF",
            Self::Lif => "LIF",
            Self::CubaLi => "CubaLI",
            Self::Li => "LI",
        }
    }

    pub fn spiking(self) -> bool {
        matches!(self, Self::CubaLif | Self::Lif)
    }

    pub fn has_synapse(self) -> bool {
        matches!(self, Self::CubaLif | Self::CubaLi)
    }
}

/// How a spike resets the membrane. NIR has no field for it (its neurons reset to
/// `v_reset`); our own exports say which in their metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetKind {
    ToValue,
    Subtract,
    None,
}

/// One layer's neurons, every parameter an array of one value per neuron (a scalar in the
/// file is broadcast). Times in seconds, NIR's continuous-time meaning:
/// τ_syn·İ = −I + w_in·x, τ_mem·v̇ = (v_leak − v) + r·I.
#[derive(Clone, Debug, PartialEq)]
pub struct Neurons {
    pub kind: NeuronKind,
    /// CubaLIF and CubaLI only.
    pub tau_syn: Option<Vec<f64>>,
    /// τ_mem, or LIF's and LI's τ.
    pub tau_mem: Vec<f64>,
    pub r: Vec<f64>,
    pub v_leak: Vec<f64>,
    /// 1 where the type has no w_in (LIF, LI) or the file leaves it out.
    pub w_in: Vec<f64>,
    /// Spiking kinds only.
    pub v_threshold: Option<Vec<f64>>,
    /// Spiking kinds only: the file's, or 0 (NIR's default).
    pub v_reset: Option<Vec<f64>>,
}

impl Neurons {
    pub fn len(&self) -> usize {
        self.tau_mem.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tau_mem.is_empty()
    }
}

/// A weight node: `weight` in NIR's (out, in) orientation, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    pub node: String,
    pub weight: Array,
    pub bias: Option<Vec<f64>>,
}

impl Projection {
    pub fn outputs(&self) -> usize {
        self.weight.shape[0]
    }

    pub fn inputs(&self) -> usize {
        self.weight.shape[1]
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// The neuron node's name in the graph.
    pub node: String,
    pub input: Projection,
    /// A weight node from this layer back to itself.
    pub recurrent: Option<Projection>,
    pub neurons: Neurons,
}

impl Layer {
    pub fn width(&self) -> usize {
        self.neurons.len()
    }
}

/// A layered network read from a NIR graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Stack {
    pub inputs: usize,
    pub hidden: Vec<Layer>,
    pub readout: Layer,
    /// Δt in seconds, when the graph's metadata holds one (our exports do).
    pub dt_s: Option<f64>,
    /// The reset our exports name in their metadata; `None`: NIR's reset to `v_reset`.
    pub reset: Option<ResetKind>,
    pub metadata: BTreeMap<String, Meta>,
}

impl Stack {
    /// `12 → 38 recurrent CubaLIF → 7 CubaLIF`.
    pub fn summary(&self) -> String {
        let mut parts = vec![self.inputs.to_string()];
        for layer in self.hidden.iter().chain(std::iter::once(&self.readout)) {
            let recurrent = if layer.recurrent.is_some() {
                "recurrent "
            } else {
                ""
            };
            parts.push(format!(
                "{} {recurrent}{}",
                layer.width(),
                layer.neurons.kind.nir_name()
            ));
        }
        parts.join(" → ")
    }
}
