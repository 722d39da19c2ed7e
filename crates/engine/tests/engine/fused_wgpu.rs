//! The fused LIF kernel on wgpu (`snn/gpu/`) against the CPU fused op (`snn/fused/`, itself
//! held to the per-step graph by crates/engine/tests/engine/fused.rs and crates/engine/tests/engine/conventions.rs): the same loss and
//! every weight's gradient, for every reset option, detached or live reset and recurrence,
//! every surrogate shape, both input factors, and every update convention with per-neuron
//! constants and biases. Runs wherever wgpu finds an adapter (in CI: Mesa's lavapipe); skipped,
//! saying so, where none exists.
//!
//! Tolerances (f32 both sides, the projections and readout are matmuls of different kernels):
//! loss within 1e-4 relative; each gradient element within 1e-3 of its parameter's largest
//! gradient element.

// The GPU path is compiled only with the `wgpu` feature (CI runs these with it).

use crate::common::{close, loss_and_grads, matrix};
use burn::tensor::{Device, Tensor, TensorData};
use surrogate_engine::backend;
use surrogate_engine::rng::Rng;
use surrogate_engine::snn::dynamics::{CurrentTiming, LayerDynamics, NetworkDynamics, ResetTiming};
use surrogate_engine::snn::lif::{Dynamics, ResetMode};
use surrogate_engine::snn::model::{ModelConfig, PerLayer};
use surrogate_engine::snn::network::{Path, Weights};
use surrogate_engine::snn::surrogate::{SurrogateConfig, SurrogateShape};
use surrogate_engine::train::Trainer;
use surrogate_engine::train::config::TrainingConfig;

const LOSS_TOL: f64 = 1e-4;
const GRAD_TOL: f32 = 1e-3;
const STEPS: usize = 30;
const BATCH: usize = 4;
const INPUTS: usize = 12;
const CLASSES: usize = 3;

fn gpu() -> Option<Device> {
    match backend::device("wgpu") {
        Ok(d) => Some(d),
        Err(why) => {
            eprintln!("skipped: wgpu cannot run here ({why})");
            None
        }
    }
}

fn on(device: &Device, t: &Tensor<2>) -> Tensor<2> {
    Tensor::from_data(t.to_data(), device)
}

/// Random weights for `hidden` (on the CPU) and a sparse random input raster.
fn network(seed: u64, hidden: &[usize], recurrent: bool) -> (Weights, Tensor<3>) {
    let cpu = Device::flex();
    let mut rng = Rng::new(seed);
    let mut fan_in = INPUTS;
    let (mut w, mut v) = (Vec::new(), Vec::new());
    for &width in hidden {
        let scale = 8.0 / (fan_in as f64).sqrt();
        w.push(matrix(&mut rng, fan_in, width, scale, &cpu));
        v.push(recurrent.then(|| matrix(&mut rng, width, width, 0.5, &cpu)));
        fan_in = width;
    }
    let weights = Weights {
        hidden: w,
        recurrent: v,
        readout: matrix(&mut rng, fan_in, CLASSES, 1.0, &cpu),
    };
    let x: Vec<f32> = (0..STEPS * BATCH * INPUTS)
        .map(|_| if rng.uniform() < 0.3 { 1.0 } else { 0.0 })
        .collect();
    let input = Tensor::from_data(TensorData::new(x, [STEPS, BATCH, INPUTS]), &cpu);
    (weights, input)
}

/// Loss and gradients of the fused path on the CPU and on wgpu, held to each other.
fn assert_same(
    case: &str,
    gpu: &Device,
    weights: &Weights,
    input: &Tensor<3>,
    dynamics: &NetworkDynamics,
    surrogate: &SurrogateConfig,
) {
    let labels = [0, 1, 2, 1];
    let (l_cpu, g_cpu, spikes) =
        loss_and_grads(weights, input, &labels, dynamics, surrogate, Path::Fused);
    // The kernel, not a fallback: the layers are narrow enough and the tensors on a cube device.
    assert!(
        surrogate_engine::snn::gpu::on_cube(gpu),
        "{case}: wgpu is a CubeCL device"
    );
    let weights_gpu = weights.map(|_, w| on(gpu, w));
    let input_gpu = Tensor::from_data(input.to_data(), gpu);
    let (l_gpu, g_gpu, spikes_gpu) = loss_and_grads(
        &weights_gpu,
        &input_gpu,
        &labels,
        dynamics,
        surrogate,
        Path::Fused,
    );
    assert!(spikes > 10, "{case}: only {spikes} spikes, vacuous");
    assert_eq!(spikes_gpu, spikes, "{case}: spike count");
    assert!(
        close(l_gpu as f64, l_cpu as f64, LOSS_TOL),
        "{case}: loss wgpu {l_gpu} vs cpu {l_cpu}"
    );
    for (k, (a, b)) in g_gpu.iter().zip(&g_cpu).enumerate() {
        assert_eq!(a.len(), b.len(), "{case}: param {k}");
        let scale = b.iter().fold(0f32, |m, x| m.max(x.abs()));
        let trivial = surrogate.shape == SurrogateShape::TrueGradient && k + 1 < g_cpu.len();
        assert!(trivial || scale > 1e-6, "{case}: param {k} has no gradient");
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(
                (x - y).abs() <= GRAD_TOL * scale.max(1e-6),
                "{case}: param {k}[{i}] wgpu {x} vs cpu {y} (scale {scale})"
            );
        }
    }
}

fn paper(model: &ModelConfig, weights: &Weights) -> NetworkDynamics {
    NetworkDynamics::paper(&Dynamics::new(model), &weights.widths(), weights.outputs())
}

#[test]
fn wgpu_fused_matches_cpu_fused_for_every_reset_and_recurrence_option() {
    let Some(gpu) = gpu() else { return };
    let surrogate = SurrogateConfig {
        shape: SurrogateShape::SuperSpike,
        beta: 5.0,
    };
    let mut seed = 0;
    for (recurrent, rec_detached) in [(false, false), (true, false), (true, true)] {
        for reset in [ResetMode::Zero, ResetMode::Subtract, ResetMode::None] {
            for detached in [true, false] {
                seed += 1;
                let hidden = [9, 7];
                let model = ModelConfig {
                    hidden: hidden.to_vec(),
                    recurrent: PerLayer::All(recurrent),
                    reset,
                    reset_detached: detached,
                    recurrent_detached: rec_detached,
                    ..ModelConfig::default()
                };
                let (weights, input) = network(seed, &hidden, recurrent);
                let case = format!(
                    "recurrent {recurrent} (detached {rec_detached}), {reset:?}, reset detached {detached}"
                );
                let dynamics = paper(&model, &weights);
                assert_same(&case, &gpu, &weights, &input, &dynamics, &surrogate);
            }
        }
    }
}

#[test]
fn wgpu_fused_matches_cpu_fused_for_every_surrogate_and_input_factor() {
    let Some(gpu) = gpu() else { return };
    for (n, shape) in SurrogateShape::ALL.into_iter().enumerate() {
        for input_factor in [true, false] {
            let hidden = [10];
            let model = ModelConfig {
                hidden: hidden.to_vec(),
                recurrent: PerLayer::All(true),
                input_factor,
                ..ModelConfig::default()
            };
            let (mut weights, input) = network(100 + n as u64, &hidden, true);
            if !input_factor {
                // c = 1 instead of 1 − β: smaller weights keep the layer from saturating.
                weights = weights.map(|_, w| w.clone().mul_scalar(0.15));
            }
            let surrogate = SurrogateConfig { shape, beta: 4.0 };
            let case = format!("{shape:?}, input factor {input_factor}");
            let dynamics = paper(&model, &weights);
            assert_same(&case, &gpu, &weights, &input, &dynamics, &surrogate);
        }
    }
}

fn spread(rng: &mut Rng, n: usize, lo: f64, hi: f64) -> Vec<f32> {
    (0..n)
        .map(|_| (lo + (hi - lo) * rng.uniform()) as f32)
        .collect()
}

#[test]
fn wgpu_fused_matches_cpu_fused_for_every_update_convention() {
    let Some(gpu) = gpu() else { return };
    let surrogate = SurrogateConfig {
        shape: SurrogateShape::SuperSpike,
        beta: 5.0,
    };
    let mut seed = 200;
    for current in [CurrentTiming::Previous, CurrentTiming::This] {
        for reset_timing in [ResetTiming::Next, ResetTiming::Same] {
            for reset in [ResetMode::Zero, ResetMode::Subtract, ResetMode::None] {
                seed += 1;
                let hidden = [8, 7];
                let (weights, input) = network(seed, &hidden, true);
                let mut rng = Rng::new(seed);
                let mut layer = |width: usize, spiking: bool| LayerDynamics {
                    alpha: spread(&mut rng, width, 0.5, 0.9),
                    kappa: spread(&mut rng, width, 0.3, 1.5),
                    beta: spread(&mut rng, width, 0.7, 0.95),
                    c: spread(&mut rng, width, 0.2, 1.0),
                    leak: spread(&mut rng, width, -0.02, 0.05),
                    threshold: spread(&mut rng, width, 0.8, 1.2),
                    v_reset: spread(&mut rng, width, -0.1, 0.2),
                    spiking,
                    reset,
                    reset_detached: seed % 2 == 0,
                    recurrent_detached: false,
                    current,
                    reset_timing,
                };
                let hidden_layers = hidden.iter().map(|&w| layer(w, true)).collect();
                let readout = layer(CLASSES, false);
                let dynamics = NetworkDynamics {
                    hidden: hidden_layers,
                    readout,
                    bias: hidden
                        .iter()
                        .map(|&h| Some(spread(&mut rng, h, -0.2, 0.3)))
                        .collect(),
                    recurrent_bias: hidden
                        .iter()
                        .map(|&h| Some(spread(&mut rng, h, -0.1, 0.1)))
                        .collect(),
                    readout_bias: None,
                };
                let case = format!("{current:?} current, {reset_timing:?} reset, {reset:?}");
                assert_same(&case, &gpu, &weights, &input, &dynamics, &surrogate);
            }
        }
    }
}

/// The kernel's recurrent sum multiplies every term, silent neurons' too, so a NaN in V of a
/// neuron that never fires shows as on the dense per-step graph (see crates/engine/tests/engine/fused.rs).
#[test]
fn wgpu_a_nan_in_v_of_a_silent_neuron_stops_both_paths() {
    if gpu().is_some() {
        crate::common::nan_in_v_stops_training("wgpu");
    }
}

#[test]
fn wgpu_trains_fused_by_default_and_model_fused_false_forces_the_per_step_graph() {
    let mut c = TrainingConfig::default();
    c.data.randman.samples_per_class = 4;
    c.data.steps = 20;
    c.optim.batch_size = 8;
    c.model.hidden = vec![16];
    c.backend = "wgpu".into();
    if gpu().is_none() {
        return;
    }
    let mut fused = Trainer::new(c.clone()).expect("valid");
    assert_eq!(
        fused.path(),
        Path::Fused,
        "wgpu runs the fused kernel by default"
    );
    c.model.fused = false;
    let mut per_step = Trainer::new(c).expect("valid");
    assert_eq!(per_step.path(), Path::PerStep, "model.fused = false");
    // Same seed, same data, two paths: the first batch's loss agrees.
    let a = fused.train_batch().expect("fused batch");
    let b = per_step.train_batch().expect("per-step batch");
    assert!(
        close(a.loss as f64, b.loss as f64, LOSS_TOL),
        "fused {} vs per-step {}",
        a.loss,
        b.loss
    );
}
