//! Activity regularization on spike counts (paper Sec. 4.2.5; after stork).
//!
//! ζ = Σ_n s[n] per neuron and sample. A lower bound λ·mean([θ − ζ]₊^p) keeps neurons from
//! falling silent; an upper bound λ·mean([ζ − θ]₊^p) pushes the network towards sparse firing.
//! "Population" scope compares the layer's mean count per sample instead of each neuron's.

use burn::tensor::Tensor;

use crate::io::config::{BoundConfig, Norm, RegConfig, RegScope};

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
