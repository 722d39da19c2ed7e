//! A mapped [`Stack`] as a network this program runs: weights in our [in, out]
//! orientation and per-layer dynamics, under the conventions the user names (NIR stores
//! neither Δt nor the simulator's update order).

use burn::tensor::{Device, Tensor, TensorData};

use super::discrete::{Discretisation, step_constants};
use super::flavour::NEVER_FIRES;
use super::stack::{Layer, ResetKind, Stack};
use crate::snn::dynamics::{CurrentTiming, LayerDynamics, NetworkDynamics, ResetTiming};
use crate::snn::lif::ResetMode;
use crate::snn::network::{Weights, transposed};

/// How to read a graph's continuous-time neurons as discrete steps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conventions {
    pub dt_s: f64,
    pub discretisation: Discretisation,
    pub current: CurrentTiming,
    pub reset_timing: ResetTiming,
    /// Reset to the graph's `v_reset`, by subtraction, or none; `None`: the graph's own
    /// (our metadata), else NIR's reset to `v_reset`.
    pub reset: Option<ResetMode>,
    pub reset_detached: bool,
}

impl Conventions {
    /// How Norse 1.1's `from_nir` runs a graph (tests/fixtures/nir-paper/README.md).
    pub fn norse(dt_s: f64) -> Self {
        Self {
            dt_s,
            discretisation: Discretisation::Euler,
            current: CurrentTiming::This,
            reset_timing: ResetTiming::Same,
            reset: None,
            reset_detached: true,
        }
    }

    /// How this program runs its own networks, as its generic export writes them.
    pub fn ours(dt_s: f64) -> Self {
        Self {
            dt_s,
            discretisation: Discretisation::Euler,
            current: CurrentTiming::Previous,
            reset_timing: ResetTiming::Next,
            reset: None,
            reset_detached: true,
        }
    }
}

/// NIR's (out, in) weight as our [in, out] tensor.
fn ours(shape: &[usize], data: &[f64], device: &Device) -> Tensor<2> {
    let (out, inp) = (shape[0], shape[1]);
    Tensor::from_data(
        TensorData::new(
            transposed(out, inp, data)
                .into_iter()
                .map(|x| x as f32)
                .collect(),
            [inp, out],
        ),
        device,
    )
}

fn f32s(v: &Option<Vec<f64>>) -> Option<Vec<f32>> {
    v.as_ref().map(|v| v.iter().map(|&x| x as f32).collect())
}

fn dynamics(layer: &Layer, stack: &Stack, conv: &Conventions) -> Result<LayerDynamics, String> {
    let k = step_constants(&layer.node, &layer.neurons, conv.dt_s, conv.discretisation)?;
    let reset = conv.reset.unwrap_or(match stack.reset {
        Some(ResetKind::Subtract) => ResetMode::Subtract,
        Some(ResetKind::None) => ResetMode::None,
        Some(ResetKind::ToValue) | None => ResetMode::Zero,
    });
    let width = layer.width();
    // A threshold no membrane reaches (our snntorch/norse flavours' readout) is a readout
    // that never spikes: run as one, it records the membrane after each step's update.
    let threshold = k
        .threshold
        .filter(|t| t.iter().any(|&x| f64::from(x) < NEVER_FIRES));
    Ok(LayerDynamics {
        alpha: k.alpha,
        kappa: k.kappa,
        beta: k.beta,
        c: k.c,
        leak: k.leak,
        spiking: threshold.is_some(),
        threshold: threshold.unwrap_or_else(|| vec![f32::INFINITY; width]),
        v_reset: k.v_reset,
        reset,
        reset_detached: conv.reset_detached,
        recurrent_detached: false,
        current: conv.current,
        reset_timing: conv.reset_timing,
    })
}

/// The weights and dynamics of `stack` under `conv`.
pub fn to_network(
    stack: &Stack,
    conv: &Conventions,
    device: &Device,
) -> Result<(Weights, NetworkDynamics), String> {
    let mut hidden = Vec::new();
    let mut recurrent = Vec::new();
    let mut layers = Vec::new();
    for layer in &stack.hidden {
        hidden.push(ours(
            &layer.input.weight.shape,
            &layer.input.weight.data,
            device,
        ));
        recurrent.push(
            layer
                .recurrent
                .as_ref()
                .map(|r| ours(&r.weight.shape, &r.weight.data, device)),
        );
        layers.push(dynamics(layer, stack, conv)?);
    }
    let r = &stack.readout;
    let weights = Weights {
        hidden,
        recurrent,
        readout: ours(&r.input.weight.shape, &r.input.weight.data, device),
    };
    let dynamics = NetworkDynamics {
        hidden: layers,
        readout: dynamics(r, stack, conv)?,
        bias: stack.hidden.iter().map(|l| f32s(&l.input.bias)).collect(),
        recurrent_bias: stack
            .hidden
            .iter()
            .map(|l| l.recurrent.as_ref().and_then(|r| f32s(&r.bias)))
            .collect(),
        readout_bias: f32s(&r.input.bias),
    };
    Ok((weights, dynamics))
}
