//! The neuron inspector's error signal ∂L/∂U[n] is the engine's gradient: carried back
//! through the synapse by hand, it must give the neuron's input-weight gradient that the
//! fused path (the trainer's own backward, a separate BPTT) computes for the same sample.

use crate::common;

use std::time::Duration;

use burn::tensor::Tensor;
use common::to_vec;
use surrogate_lab::config::Config;
use surrogate_lab::snn::lif::{Dynamics, ResetMode};
use surrogate_lab::snn::loss::{class_scores, cross_entropy};
use surrogate_lab::snn::network::{Path, forward};
use surrogate_lab::snn::regularizer::activity_penalty;
use surrogate_lab::train::metrics::{Inspection, NeuronRef};
use surrogate_lab::train::{Command, Event, Session, Trainer};

/// Two hidden layers (so layer 0's signal crosses layer 1's backward) and the upper-bound
/// penalty on (so spike counts get a direct gradient too).
fn config() -> Config {
    let mut c = Config::default();
    c.data.randman.samples_per_class = 40;
    c.optim.batch_size = 50;
    c.model.hidden = vec![40, 30];
    c.reg.upper.lambda = 0.05;
    c.reg.upper.theta = 1.0;
    c
}

/// The engine's gradient of the loss of `sample` alone w.r.t. every hidden layer's input
/// weights, through the fused path ([in, width] row-major per layer).
fn engine_weight_grads(trainer: &Trainer, sample: usize) -> Vec<Vec<f32>> {
    let c = trainer.config();
    let split = &trainer.data().test;
    let device = trainer.weights().readout.device();
    let tracked = trainer
        .weights()
        .map(|_, w| w.clone().autodiff().require_grad());
    let input = split.dense_batch(&[sample], &device).autodiff();
    let dy = Dynamics::new(&c.model);
    let out = forward(&tracked, input, &dy, &c.surrogate, Path::Fused);
    let spikes: Vec<Tensor<3>> = out.layers.iter().map(|l| l.spikes.clone()).collect();
    let ce = cross_entropy(
        class_scores(out.readout, c.model.loss),
        &split.batch_labels(&[sample]),
    );
    let loss = ce + activity_penalty(&spikes, &c.reg).expect("penalty on");
    let grads = loss.backward();
    tracked
        .hidden
        .iter()
        .map(|w| {
            w.grad(&grads)
                .map(to_vec)
                .expect("hidden weights get a gradient")
        })
        .collect()
}

/// What the inspector's ∂L/∂U[n] implies for the neuron's input weights: with
/// I[n+1] = α·I[n] + Σ_i x_i[n]·W_ij and U[n+1] = (β·U[n] + c·I[n])·(1 − s[n]),
/// ∂L/∂I[n] = α·∂L/∂I[n+1] + c·(1 − s[n])·∂L/∂U[n+1] and ∂L/∂W_ij = Σ_n x_i[n]·∂L/∂I[n+1].
fn weight_grad_from(ins: &Inspection, dy: &Dynamics, x: &[Vec<f32>]) -> Vec<f64> {
    assert_eq!(
        dy.reset,
        ResetMode::Zero,
        "the formula above is for reset to zero"
    );
    let steps = ins.steps;
    let spiked = |n: usize| ins.spike_steps.contains(&n);
    let mut g_i = vec![0f64; steps + 1];
    for n in (0..steps).rev() {
        let g_u_next = if n + 1 < steps {
            ins.grad_membrane[n + 1] as f64
        } else {
            0.0
        };
        let keep = if spiked(n) { 0.0 } else { 1.0 };
        g_i[n] = dy.alpha as f64 * g_i[n + 1] + dy.input_scale as f64 * keep * g_u_next;
    }
    let inputs = x.first().map_or(0, Vec::len);
    (0..inputs)
        .map(|i| (0..steps).map(|n| x[n][i] as f64 * g_i[n + 1]).sum())
        .collect()
}

/// x[n][i] of the sample's raster (input or a hidden layer's spikes).
fn dense(events: &[(u32, u32)], steps: usize, width: usize) -> Vec<Vec<f32>> {
    let mut x = vec![vec![0f32; width]; steps];
    for &(t, n) in events {
        x[t as usize][n as usize] = 1.0;
    }
    x
}

fn check_layer(trainer: &Trainer, sample: usize, layer: usize) -> usize {
    let snap = trainer.snapshot(sample);
    let x = match layer {
        0 => dense(&snap.input.events, snap.steps, snap.input.width),
        l => dense(
            &snap.hidden[l - 1].events,
            snap.steps,
            snap.hidden[l - 1].width,
        ),
    };
    let engine = engine_weight_grads(trainer, sample);
    let width = trainer.weights().widths()[layer];
    let dy = Dynamics::new(&trainer.config().model);
    let mut checked = 0;
    for neuron in 0..width {
        let ins = trainer
            .inspect(sample, NeuronRef { layer, neuron })
            .expect("the neuron exists");
        assert_eq!(ins.membrane.len(), snap.steps);
        assert!(ins.grad_membrane.iter().all(|g| g.is_finite()));
        let mine = weight_grad_from(&ins, &dy, &x);
        let theirs: Vec<f64> = (0..mine.len())
            .map(|i| engine[layer][i * width + neuron] as f64)
            .collect();
        let scale = theirs.iter().fold(0f64, |m, v| m.max(v.abs()));
        if scale < 1e-7 {
            continue;
        }
        checked += 1;
        for (i, (a, b)) in mine.iter().zip(&theirs).enumerate() {
            assert!(
                (a - b).abs() <= 2e-3 * scale + 1e-7,
                "layer {layer} neuron {neuron} input {i}: inspector gives {a}, engine {b} (scale {scale})"
            );
        }
    }
    checked
}

#[test]
fn inspector_gradient_matches_the_engine_for_that_sample() {
    let mut trainer = Trainer::new(config()).expect("valid");
    for _ in 0..3 {
        trainer.train_batch().expect("trains");
    }
    for sample in [0, 7] {
        for layer in 0..2 {
            let checked = check_layer(&trainer, sample, layer);
            // Most neurons of a trained network receive gradient; a test that compared only
            // zeros would prove nothing.
            assert!(
                checked >= 5,
                "sample {sample} layer {layer}: only {checked} neurons had a gradient"
            );
        }
    }
}

#[test]
fn inspection_shows_the_neurons_membrane_and_spikes() {
    let trainer = Trainer::new(config()).expect("valid");
    let snap = trainer.snapshot(3);
    let at = NeuronRef {
        layer: 0,
        neuron: snap.traced_neurons[0][0],
    };
    let ins = trainer.inspect(3, at).expect("exists");
    // The same membrane the snapshot traces, and spikes exactly where the raster has them.
    let traced = &snap.membrane[0][0];
    for (a, b) in ins.membrane.iter().zip(traced) {
        assert!((a - b).abs() < 1e-5, "membrane {a} vs snapshot {b}");
    }
    let raster: Vec<usize> = snap.hidden[0]
        .events
        .iter()
        .filter(|&&(_, n)| n as usize == at.neuron)
        .map(|&(t, _)| t as usize)
        .collect();
    assert_eq!(ins.spike_steps, raster);
    // Spikes only where U reached the threshold; σ′ is the shape's at U − ϑ.
    for &n in &ins.spike_steps {
        assert!(ins.membrane[n] >= ins.threshold);
    }
    let s = ins.surrogate;
    for (u, d) in ins.membrane.iter().zip(&ins.surrogate_derivative) {
        let want = s.shape.derivative((u - ins.threshold) as f64, s.beta);
        assert!((*d as f64 - want).abs() <= 1e-6 * want.abs().max(1.0));
    }
    let w = to_vec(trainer.weights().hidden[0].clone());
    let width = trainer.weights().widths()[0];
    let column: Vec<f32> = w.iter().skip(at.neuron).step_by(width).copied().collect();
    assert_eq!(ins.input_weights, column);
    assert!(
        trainer
            .inspect(
                0,
                NeuronRef {
                    layer: 0,
                    neuron: width
                }
            )
            .is_none()
    );
    assert!(
        trainer
            .inspect(
                0,
                NeuronRef {
                    layer: 2,
                    neuron: 0
                }
            )
            .is_none()
    );
}

fn next_inspection(session: &Session) -> Inspection {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        if let Some(Event::Inspection(i)) = session.next_event(Duration::from_secs(1)) {
            return *i;
        }
    }
    panic!("no inspection within a minute");
}

#[test]
fn session_sends_the_inspection_and_resends_it_when_beta_moves() {
    let session = Session::spawn(config());
    let at = NeuronRef {
        layer: 1,
        neuron: 4,
    };
    session.send(Command::Inspect(Some(at)));
    let first = next_inspection(&session);
    assert_eq!(first.at, at);
    assert_eq!(first.surrogate.beta, 10.0);
    let mut live = config().training.live();
    live.surrogate.beta = 1000.0;
    session.send(Command::SetLive(live));
    let second = next_inspection(&session);
    assert_eq!(second.surrogate.beta, 1000.0);
    // The same membrane (β only shapes the backward), a narrower window.
    assert_eq!(first.membrane, second.membrane);
    assert!(second.open_steps().len() <= first.open_steps().len());
}

#[test]
fn select_neuron_flag_refuses_a_neuron_the_network_lacks() {
    for (flag, want) in [
        ("2:0", "the network has 1 hidden layers, not 2"),
        ("1:100", "hidden 1 has 100 neurons (0 to 99), not 100"),
        ("one", "is not LAYER:INDEX"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_surrogate-lab"))
            .args([
                "--select-neuron",
                flag,
                "--screenshot",
                "/nonexistent/x.png",
            ])
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {err}");
        assert!(err.contains(want), "{flag}: {err}");
    }
}
