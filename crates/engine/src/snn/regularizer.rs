//! Activity regularization on spike counts (paper Sec. 4.2.5; after stork).
//!
//! ζ = Σ_n s[n] per neuron and sample. A lower bound λ·mean([θ − ζ]₊^p) keeps neurons from
//! falling silent; an upper bound λ·mean([ζ − θ]₊^p) pushes the network towards sparse firing.
//! "Population" scope compares the layer's mean count per sample instead of each neuron's.

use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

use crate::bounds::{OutOfBounds, check_range};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    L1,
    L2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegScope {
    /// Each neuron's spike count against θ.
    Neuron,
    /// The layer's mean spike count against θ.
    Population,
}

/// One bound on spike counts ζ = Σ_n s[n]: λ · mean([θ − ζ]₊^p) (lower) or [ζ − θ]₊^p (upper).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoundConfig {
    pub lambda: f64,
    /// In spikes per sample.
    pub theta: f64,
    pub norm: Norm,
    pub scope: RegScope,
}

impl Default for BoundConfig {
    fn default() -> Self {
        Self {
            lambda: 0.0,
            theta: 0.0,
            norm: Norm::L2,
            scope: RegScope::Neuron,
        }
    }
}

/// Both bounds; live: the trainer takes new ones between batches.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegConfig {
    pub lower: BoundConfig,
    pub upper: BoundConfig,
}

impl Default for RegConfig {
    fn default() -> Self {
        Self {
            // The paper's lower bound: L2, per neuron, λ = 100, θ = 10⁻³ (keeps neurons from dying).
            lower: BoundConfig {
                lambda: 100.0,
                theta: 1e-3,
                norm: Norm::L2,
                scope: RegScope::Neuron,
            },
            // Off by default; e.g. λ = 0.1–1, θ = a few spikes, population, for sparse activity.
            upper: BoundConfig {
                lambda: 0.0,
                theta: 2.0,
                norm: Norm::L2,
                scope: RegScope::Population,
            },
        }
    }
}

impl RegConfig {
    pub fn validate(&self) -> Result<(), OutOfBounds> {
        for (name, b) in [("reg.lower", &self.lower), ("reg.upper", &self.upper)] {
            check_range(
                &format!("{name}.lambda"),
                b.lambda,
                0.0,
                1e6,
                "λ must be 0–1e6",
            )?;
            check_range(
                &format!("{name}.theta"),
                b.theta,
                0.0,
                1e6,
                "θ must be 0–1e6 spikes",
            )?;
        }
        Ok(())
    }
}

/// The summed penalty over all layers, or `None` when both bounds are off.
pub fn activity_penalty(spikes: &[Tensor<3>], reg: &RegConfig) -> Option<Tensor<1>> {
    let mut total: Option<Tensor<1>> = None;
    for layer in spikes {
        let [_, batch, width] = layer.dims();
        let counts: Tensor<2> = layer.clone().sum_dim(0).reshape([batch, width]);
        for (bound, lower) in [(&reg.lower, true), (&reg.upper, false)] {
            if let Some(term) = bound_term(counts.clone(), bound, lower) {
                total = Some(match total {
                    Some(t) => t + term,
                    None => term,
                });
            }
        }
    }
    total
}

fn bound_term(counts: Tensor<2>, bound: &BoundConfig, lower: bool) -> Option<Tensor<1>> {
    if bound.lambda <= 0.0 {
        return None;
    }
    let counts = match bound.scope {
        RegScope::Neuron => counts,
        RegScope::Population => counts.mean_dim(1),
    };
    let excess = if lower {
        counts.neg().add_scalar(bound.theta as f32)
    } else {
        counts.sub_scalar(bound.theta as f32)
    }
    .clamp_min(0.0);
    let powered = match bound.norm {
        Norm::L1 => excess,
        Norm::L2 => excess.clone() * excess,
    };
    Some(powered.mean().mul_scalar(bound.lambda as f32))
}
