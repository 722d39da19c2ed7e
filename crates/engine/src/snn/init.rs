//! Weight initialization: the paper's uniform rule, SpyTorch's scaled normal, and a
//! fluctuation-driven rule that calibrates each layer on data.
//!
//! The paper's U(−√k, √k), k = 1/fan_in, combined with the (1−β) input factor leaves the
//! network nearly silent (ARCHITECTURE.md §5: 0 Hz, loss stuck at ln 10), which is why it is not the default.

use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use super::dynamics::LayerDynamics;
use super::lif::{Dynamics, free_membrane, lif_layer};
use super::model::ModelConfig;
use super::network::{Weights, project};
use super::surrogate::SurrogateConfig;
use crate::bounds::{OutOfBounds, check_range};
use crate::rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", deny_unknown_fields)]
pub enum InitKind {
    /// The paper's U(−√k, √k), k = 1/fan_in: leaves a (1−β)-scaled network nearly silent.
    Uniform,
    /// N(0, (gain/√fan_in)²), as SpyTorch.
    Normal { gain: f64 },
    /// σ_w chosen per layer so the free membrane's standard deviation is `target`·ϑ.
    Fluctuation { target: f64 },
}

impl InitKind {
    pub fn describe(&self) -> String {
        match self {
            InitKind::Uniform => "uniform U(−√k, √k), k = 1/fan_in (paper)".into(),
            InitKind::Normal { gain } => format!("normal N(0, ({gain}/√fan_in)²)"),
            InitKind::Fluctuation { target } => {
                format!("fluctuation-driven: membrane std = {target}·ϑ")
            }
        }
    }

    pub fn validate(&self) -> Result<(), OutOfBounds> {
        match *self {
            InitKind::Uniform => Ok(()),
            InitKind::Normal { gain } => check_range("model.init.gain", gain, 0.0, 1e3, "0–1000"),
            InitKind::Fluctuation { target } => check_range(
                "model.init.target",
                target,
                1e-3,
                100.0,
                "0.001–100 (in units of ϑ)",
            ),
        }
    }
}

fn matrix(values: Vec<f32>, rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values, [rows, cols]), device)
}

/// Draws one [fan_in, fan_out] matrix by `kind`; fluctuation-driven layers start at unit gain
/// and are rescaled after calibration.
fn draw(kind: &InitKind, fan_in: usize, fan_out: usize, rng: &mut Rng) -> Vec<f32> {
    let n = fan_in * fan_out;
    let k = 1.0 / fan_in as f64;
    match kind {
        InitKind::Uniform => (0..n)
            .map(|_| ((rng.uniform() * 2.0 - 1.0) * k.sqrt()) as f32)
            .collect(),
        InitKind::Normal { gain } => (0..n)
            .map(|_| (rng.normal() * gain * k.sqrt()) as f32)
            .collect(),
        InitKind::Fluctuation { .. } => (0..n).map(|_| (rng.normal() * k.sqrt()) as f32).collect(),
    }
}

/// Initial weights for `inputs` → hidden layers → `outputs`. The same seed gives the same
/// weights on every backend. `calibration` (a [T, batch, inputs] raster of training data) is
/// needed by the fluctuation-driven rule and ignored by the others.
pub fn init_weights(
    model: &ModelConfig,
    inputs: usize,
    outputs: usize,
    seed: u64,
    device: &Device,
    calibration: Option<Tensor<3>>,
) -> Weights {
    let mut rng = Rng::derive(seed, 0x494E_4954); // "INIT"
    let mut hidden = Vec::new();
    let mut recurrent = Vec::new();
    let mut fan_in = inputs;
    for (l, &width) in model.hidden.iter().enumerate() {
        hidden.push(matrix(
            draw(&model.init, fan_in, width, &mut rng),
            fan_in,
            width,
            device,
        ));
        recurrent.push(model.is_recurrent(l).then(|| {
            matrix(
                draw(&model.init, width, width, &mut rng),
                width,
                width,
                device,
            )
        }));
        fan_in = width;
    }
    let readout = matrix(
        draw(&model.init, fan_in, outputs, &mut rng),
        fan_in,
        outputs,
        device,
    );
    let weights = Weights {
        hidden,
        recurrent,
        readout,
    };
    match (&model.init, calibration) {
        (InitKind::Fluctuation { target }, Some(x)) => calibrate(weights, model, *target, x),
        _ => weights,
    }
}

/// Scales each layer so the threshold-free membrane's standard deviation is `target`·ϑ on the
/// calibration data, layer by layer (each layer sees the previous, already scaled layer's spikes).
fn calibrate(mut weights: Weights, model: &ModelConfig, target: f64, input: Tensor<3>) -> Weights {
    let dy = Dynamics::new(model);
    let surrogate = SurrogateConfig::default();
    let mut x = input;
    let mut gain = 1.0f32;
    for l in 0..weights.hidden.len() {
        let membrane = free_membrane(project(x.clone(), &weights.hidden[l]), &dy);
        let std = membrane_std(membrane);
        gain = if std > 1e-12 {
            (target * model.threshold / std) as f32
        } else {
            // No input reached this layer: keep unit gain rather than divide by zero.
            1.0
        };
        weights.hidden[l] = weights.hidden[l].clone().mul_scalar(gain);
        if let Some(v) = weights.recurrent[l].take() {
            weights.recurrent[l] = Some(v.mul_scalar(gain));
        }
        let width = weights.hidden[l].dims()[1];
        let trace = lif_layer(
            project(x, &weights.hidden[l]),
            weights.recurrent[l].as_ref(),
            &LayerDynamics::paper_hidden(&dy, width),
            &surrogate,
            false,
        );
        x = trace.spikes;
    }
    weights.readout = weights.readout.clone().mul_scalar(gain);
    weights
}

fn membrane_std(membrane: Tensor<3>) -> f64 {
    let values: Vec<f32> = membrane.into_data().iter::<f32>().collect();
    if values.is_empty() {
        return 0.0;
    }
    let n = values.len() as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
    (values
        .iter()
        .map(|&v| (v as f64 - mean).powi(2))
        .sum::<f64>()
        / n)
        .sqrt()
}
