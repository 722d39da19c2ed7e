//! The update conventions imported networks need (this step's or the previous step's
//! current, reset in the same or the next step, per-neuron constants, leak, reset value,
//! biases, spiking readouts): the fused op's hand-written BPTT against burn's autodiff of
//! the per-step path, loss and every weight's gradient, for every combination (the same
//! check crates/engine/tests/engine/fused.rs makes for the paper's options).

use crate::common::{close, loss_and_grads, matrix};
use burn::tensor::{Device, Tensor, TensorData};
use surrogate_engine::rng::Rng;
use surrogate_engine::snn::dynamics::{CurrentTiming, LayerDynamics, NetworkDynamics, ResetTiming};
use surrogate_engine::snn::lif::ResetMode;
use surrogate_engine::snn::network::{Path, Weights};
use surrogate_engine::snn::surrogate::{SurrogateConfig, SurrogateShape};

fn spread(rng: &mut Rng, n: usize, lo: f64, hi: f64) -> Vec<f32> {
    (0..n)
        .map(|_| (lo + (hi - lo) * rng.uniform()) as f32)
        .collect()
}

/// Per-neuron constants that differ neuron to neuron.
fn layer(rng: &mut Rng, width: usize, spiking: bool, case: Case) -> LayerDynamics {
    LayerDynamics {
        alpha: spread(rng, width, 0.5, 0.9),
        kappa: spread(rng, width, 0.3, 1.5),
        beta: spread(rng, width, 0.7, 0.95),
        c: spread(rng, width, 0.2, 1.0),
        leak: spread(rng, width, -0.02, 0.05),
        threshold: spread(rng, width, 0.8, 1.2),
        v_reset: spread(rng, width, -0.1, 0.2),
        spiking,
        reset: case.reset,
        reset_detached: case.detached,
        recurrent_detached: false,
        current: case.current,
        reset_timing: case.timing,
    }
}

/// One combination (all fields are printed when it fails).
#[allow(dead_code)]
#[derive(Clone, Copy, Debug)]
struct Case {
    current: CurrentTiming,
    timing: ResetTiming,
    reset: ResetMode,
    detached: bool,
    recurrent: bool,
    spiking_readout: bool,
}

const INPUTS: usize = 10;
const STEPS: usize = 25;
const BATCH: usize = 4;
const CLASSES: usize = 3;
const HIDDEN: [usize; 2] = [8, 7];

/// A two-layer network of `case`'s conventions with per-neuron constants and biases, and a
/// spike input, all drawn from `seed`.
fn build(case: Case, seed: u64, device: &Device) -> (Weights, NetworkDynamics, Tensor<3>) {
    let Case {
        recurrent,
        spiking_readout,
        ..
    } = case;
    let (inputs, steps, batch, classes, hidden) = (INPUTS, STEPS, BATCH, CLASSES, HIDDEN);
    let mut rng = Rng::new(seed);
    let mut fan_in = inputs;
    let (mut w, mut v, mut layers) = (Vec::new(), Vec::new(), Vec::new());
    for &width in &hidden {
        w.push(matrix(
            &mut rng,
            fan_in,
            width,
            6.0 / (fan_in as f64).sqrt(),
            device,
        ));
        v.push(recurrent.then(|| matrix(&mut rng, width, width, 0.5, device)));
        layers.push(layer(&mut rng, width, true, case));
        fan_in = width;
    }
    let weights = Weights {
        hidden: w,
        recurrent: v,
        readout: matrix(&mut rng, fan_in, classes, 1.0, device),
    };
    let dynamics = NetworkDynamics {
        bias: hidden
            .iter()
            .map(|&h| Some(spread(&mut rng, h, -0.2, 0.3)))
            .collect(),
        recurrent_bias: hidden
            .iter()
            .map(|&h| recurrent.then(|| spread(&mut rng, h, -0.1, 0.1)))
            .collect(),
        readout_bias: Some(spread(&mut rng, classes, -0.1, 0.1)),
        readout: layer(&mut rng, classes, spiking_readout, case),
        hidden: layers,
    };
    let x: Vec<f32> = (0..steps * batch * inputs)
        .map(|_| if rng.uniform() < 0.3 { 1.0 } else { 0.0 })
        .collect();
    let input = Tensor::<3>::from_data(TensorData::new(x, [steps, batch, inputs]), device);
    (weights, dynamics, input)
}

#[test]
fn fused_bptt_matches_per_step_autodiff_for_every_convention() {
    let device = Device::flex();
    let mut n = 0;
    for current in [CurrentTiming::Previous, CurrentTiming::This] {
        for timing in [ResetTiming::Next, ResetTiming::Same] {
            for reset in [ResetMode::Zero, ResetMode::Subtract, ResetMode::None] {
                for (detached, recurrent, spiking_readout) in [
                    (true, true, false),
                    (false, true, true),
                    (true, false, true),
                ] {
                    let case = Case {
                        current,
                        timing,
                        reset,
                        detached,
                        recurrent,
                        spiking_readout,
                    };
                    n += 1;
                    let (weights, dynamics, input) = build(case, n, &device);
                    let surrogate = SurrogateConfig {
                        shape: SurrogateShape::SuperSpike,
                        beta: 5.0,
                    };
                    let run = |path| {
                        loss_and_grads(&weights, &input, &[0, 1, 2, 1], &dynamics, &surrogate, path)
                    };
                    let (l_ref, g_ref, spikes) = run(Path::PerStep);
                    let (l_fused, g_fused, _) = run(Path::Fused);
                    assert!(spikes > 10, "{case:?}: only {spikes} spikes");
                    assert!(
                        close(l_fused as f64, l_ref as f64, 1e-5),
                        "{case:?}: loss {l_fused} vs {l_ref}"
                    );
                    for (k, (a, b)) in g_fused.iter().zip(&g_ref).enumerate() {
                        assert_eq!(a.len(), b.len(), "{case:?}: param {k}");
                        let scale = b.iter().fold(0f32, |m, x| m.max(x.abs()));
                        assert!(scale > 1e-6, "{case:?}: param {k} has no gradient");
                        for (i, (x, y)) in a.iter().zip(b).enumerate() {
                            assert!(
                                (x - y).abs() <= 1e-3 * scale,
                                "{case:?}: param {k}[{i}] fused {x} vs per-step {y}"
                            );
                        }
                    }
                }
            }
        }
    }
}

/// The per-step graph on wgpu (lavapipe in CI) computes what it computes on the CPU for the
/// conventions other simulators use: this step's current, reset by subtraction in the same
/// step, recurrence, biases, per-neuron constants and a spiking readout.
#[test]
fn wgpu_per_step_matches_the_cpu_for_norse_conventions() {
    let gpu = match surrogate_engine::backend::device("wgpu") {
        Ok(d) => d,
        Err(why) => {
            eprintln!("skipped: wgpu cannot run here: {why}");
            return;
        }
    };
    let cpu = Device::flex();
    let surrogate = SurrogateConfig {
        shape: SurrogateShape::SuperSpike,
        beta: 5.0,
    };
    for (seed, reset, spiking_readout) in [
        (101, ResetMode::Subtract, true),
        (102, ResetMode::Zero, false),
    ] {
        let case = Case {
            current: CurrentTiming::This,
            timing: ResetTiming::Same,
            reset,
            detached: true,
            recurrent: true,
            spiking_readout,
        };
        let (weights, dynamics, input) = build(case, seed, &cpu);
        let labels = [0, 1, 2, 1];
        let (l_cpu, g_cpu, s_cpu) = loss_and_grads(
            &weights,
            &input,
            &labels,
            &dynamics,
            &surrogate,
            Path::PerStep,
        );
        let on_gpu = weights.map(|_, w| w.clone().to_device(&gpu));
        let (l_gpu, g_gpu, s_gpu) = loss_and_grads(
            &on_gpu,
            &input.clone().to_device(&gpu),
            &labels,
            &dynamics,
            &surrogate,
            Path::PerStep,
        );
        assert!(s_cpu > 10, "{case:?}: only {s_cpu} spikes");
        assert_eq!(s_gpu, s_cpu, "{case:?}: spike counts differ");
        assert!(
            close(l_gpu as f64, l_cpu as f64, 1e-5),
            "{case:?}: loss {l_gpu} on wgpu vs {l_cpu} on the CPU"
        );
        for (k, (a, b)) in g_gpu.iter().zip(&g_cpu).enumerate() {
            let scale = b.iter().fold(0f32, |m, x| m.max(x.abs()));
            assert!(scale > 1e-6, "{case:?}: param {k} has no gradient");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert!(
                    (x - y).abs() <= 1e-3 * scale,
                    "{case:?}: param {k}[{i}] wgpu {x} vs CPU {y}"
                );
            }
        }
    }
}
