//! The fused LIF op against the per-step reference: same loss, same gradients, for every reset
//! option, with and without recurrence (propagated or detached), for 1–3 layers; and with its
//! input as events (the input weights inside the op) and the readout's weights inside its op.

use crate::common::{close, loss_and_grads, loss_and_grads_of, matrix, to_vec};
use burn::tensor::{Device, Tensor, TensorData};
use surrogate_engine::rng::Rng;
use surrogate_engine::snn::dynamics::NetworkDynamics;
use surrogate_engine::snn::lif::{Dynamics, ResetMode};
use surrogate_engine::snn::model::{ModelConfig, PerLayer};
use surrogate_engine::snn::network::{Path, Weights};
use surrogate_engine::snn::surrogate::{SurrogateConfig, SurrogateShape};

/// The same loss and gradients, bit for bit.
fn assert_same_bits(a: (f32, &[Vec<f32>]), b: (f32, &[Vec<f32>]), what: &str) {
    assert_eq!(a.0.to_bits(), b.0.to_bits(), "loss differs {what}");
    assert_eq!(a.1.len(), b.1.len(), "{what}");
    for (k, (x, y)) in a.1.iter().zip(b.1).enumerate() {
        let same = x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits());
        assert!(same, "param {k}: gradients differ {what}");
    }
}

#[test]
fn fused_path_matches_per_step_loss_and_gradients() {
    let device = Device::flex();
    let (inputs, steps, batch, classes) = (12, 30, 4, 3);
    for layers in 1..=3 {
        for recurrent in [false, true] {
            for reset in [ResetMode::Zero, ResetMode::Subtract, ResetMode::None] {
                let rec_options: &[bool] = if recurrent { &[false, true] } else { &[false] };
                for (detached, &rec_detached) in [true, false]
                    .into_iter()
                    .flat_map(|d| rec_options.iter().map(move |rd| (d, rd)))
                {
                    let hidden = vec![9; layers];
                    let model = ModelConfig {
                        hidden: hidden.clone(),
                        recurrent: PerLayer::All(recurrent),
                        reset,
                        reset_detached: detached,
                        recurrent_detached: rec_detached,
                        ..ModelConfig::default()
                    };
                    let dy = Dynamics::new(&model);
                    let surrogate = SurrogateConfig {
                        shape: SurrogateShape::SuperSpike,
                        beta: 5.0,
                    };
                    let mut rng = Rng::new(layers as u64 * 100 + recurrent as u64);
                    let mut fan_in = inputs;
                    let mut w = Vec::new();
                    let mut v = Vec::new();
                    for &width in &hidden {
                        w.push(matrix(
                            &mut rng,
                            fan_in,
                            width,
                            8.0 / (fan_in as f64).sqrt(),
                            &device,
                        ));
                        v.push(
                            recurrent.then(|| matrix(&mut rng, width, width, 1.5 / 3.0, &device)),
                        );
                        fan_in = width;
                    }
                    let weights = Weights {
                        hidden: w,
                        recurrent: v,
                        readout: matrix(&mut rng, fan_in, classes, 1.0, &device),
                    };
                    let x: Vec<f32> = (0..steps * batch * inputs)
                        .map(|_| if rng.uniform() < 0.3 { 1.0 } else { 0.0 })
                        .collect();
                    let input =
                        Tensor::<3>::from_data(TensorData::new(x, [steps, batch, inputs]), &device);
                    let labels = [0, 1, 2, 1];

                    let dynamics =
                        NetworkDynamics::paper(&dy, &weights.widths(), weights.outputs());
                    let run = |path| {
                        loss_and_grads(&weights, &input, &labels, &dynamics, &surrogate, path)
                    };
                    let (l_ref, g_ref, spikes) = run(Path::PerStep);
                    let (l_fused, g_fused, _) = run(Path::Fused);
                    let case = format!(
                        "{layers} layers, recurrent {recurrent} (detached {rec_detached}), {reset:?}, detached {detached}"
                    );
                    assert!(
                        spikes > 10,
                        "{case}: only {spikes} spikes, test would be vacuous"
                    );
                    assert!(
                        close(l_fused as f64, l_ref as f64, 1e-5),
                        "{case}: loss {l_fused} vs {l_ref}"
                    );
                    for (k, (a, b)) in g_fused.iter().zip(&g_ref).enumerate() {
                        assert_eq!(a.len(), b.len(), "{case}: param {k}");
                        let scale = b.iter().fold(0f32, |m, x| m.max(x.abs())).max(1e-6);
                        assert!(scale > 1e-6, "{case}: param {k} has no gradient");
                        for (i, (x, y)) in a.iter().zip(b).enumerate() {
                            assert!(
                                (x - y).abs() <= 1e-3 * scale,
                                "{case}: param {k}[{i}] fused {x} vs per-step {y} (scale {scale})"
                            );
                        }
                    }
                }
            }
        }
    }
}

/// A batch wider than one parallel task of the fused op (64 samples), with an uneven last task:
/// still the per-step loss and gradients, and the same bits on every run with a fixed thread
/// count.
#[test]
fn fused_path_splits_wide_batches_without_changing_results() {
    let device = Device::flex();
    let (inputs, steps, batch, classes, width) = (10, 20, 150, 3, 12);
    let model = ModelConfig {
        hidden: vec![width],
        recurrent: PerLayer::All(true),
        ..ModelConfig::default()
    };
    let dy = Dynamics::new(&model);
    let surrogate = SurrogateConfig {
        shape: SurrogateShape::SuperSpike,
        beta: 5.0,
    };
    let mut rng = Rng::new(37);
    let weights = Weights {
        hidden: vec![matrix(
            &mut rng,
            inputs,
            width,
            8.0 / (inputs as f64).sqrt(),
            &device,
        )],
        recurrent: vec![Some(matrix(&mut rng, width, width, 0.5, &device))],
        readout: matrix(&mut rng, width, classes, 1.0, &device),
    };
    let x: Vec<f32> = (0..steps * batch * inputs)
        .map(|_| if rng.uniform() < 0.3 { 1.0 } else { 0.0 })
        .collect();
    let input = Tensor::<3>::from_data(TensorData::new(x, [steps, batch, inputs]), &device);
    let labels: Vec<usize> = (0..batch).map(|b| b % classes).collect();
    let dynamics = NetworkDynamics::paper(&dy, &weights.widths(), weights.outputs());
    let run = |path| loss_and_grads(&weights, &input, &labels, &dynamics, &surrogate, path);
    let on_threads = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool")
            .install(|| run(Path::Fused))
    };
    let (l_ref, g_ref, spikes) = run(Path::PerStep);
    assert!(spikes > 100, "only {spikes} spikes, test would be vacuous");
    let (l_fused, g_fused, _) = on_threads(2);
    assert!(
        close(l_fused as f64, l_ref as f64, 1e-5),
        "loss {l_fused} vs {l_ref}"
    );
    for (k, (a, b)) in g_fused.iter().zip(&g_ref).enumerate() {
        let scale = b.iter().fold(0f32, |m, x| m.max(x.abs()));
        assert!(scale > 1e-6, "param {k} has no gradient");
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(
                (x - y).abs() <= 1e-3 * scale,
                "param {k}[{i}] fused {x} vs per-step {y} (scale {scale})"
            );
        }
    }
    let (l_again, g_again, _) = on_threads(2);
    assert_same_bits(
        (l_again, &g_again),
        (l_fused, &g_fused),
        "between runs on 2 threads",
    );
}

#[test]
fn sparse_input_projection_matches_dense_matmul() {
    use surrogate_engine::data::SpikeDataset;
    use surrogate_engine::snn::network::project;
    use surrogate_engine::snn::sparse_input::sparse_project;

    let device = Device::flex();
    let ad = device.clone().autodiff();
    let mut rng = Rng::new(4);
    let (inputs, steps, width) = (50, 20, 7);
    let mut data = SpikeDataset::new(inputs, steps, 2);
    for s in 0..6 {
        let events: Vec<(u32, u32)> = (0..40)
            .map(|_| (rng.below(steps) as u32, rng.below(inputs) as u32))
            .collect();
        data.push(events, s % 2).expect("in range");
    }
    let indices = [4, 0, 5, 2];
    let w = matrix(&mut rng, inputs, width, 1.0, &device);
    let upstream = Tensor::<3>::from_data(
        TensorData::new(
            (0..steps * 4 * width)
                .map(|i| ((i * 37) % 11) as f32 - 5.0)
                .collect::<Vec<f32>>(),
            [steps, 4, width],
        ),
        &ad,
    );

    let w_dense = w.clone().autodiff().require_grad();
    let dense = project(data.dense_batch(&indices, &device).autodiff(), &w_dense);
    let w_sparse = w.clone().autodiff().require_grad();
    let sparse = sparse_project(&std::sync::Arc::new(data.sparse_batch(&indices)), &w_sparse);
    assert_eq!(
        to_vec(sparse.clone().inner()),
        to_vec(dense.clone().inner())
    );

    let gd = (dense * upstream.clone()).sum().backward();
    let gs = (sparse * upstream).sum().backward();
    let a = to_vec(w_dense.grad(&gd).expect("tracked"));
    let b = to_vec(w_sparse.grad(&gs).expect("tracked"));
    assert!(a.iter().any(|&x| x != 0.0));
    for (x, y) in a.iter().zip(&b) {
        assert!((x - y).abs() < 1e-4, "dense {x} vs sparse {y}");
    }
}

/// Input as events, as the trainer gives the fused path: the first layer takes W inside its
/// op (the events select W's rows forwards, and ∂L/∂W is scattered back per task) and the
/// readout takes its weights inside its own. Against the per-step path on the dense raster,
/// for a batch of three uneven tasks, with and without recurrence, every convention of the
/// current's timing; the same bits on one thread and on two.
#[test]
fn events_and_readout_weights_inside_the_ops_match_per_step() {
    use surrogate_engine::snn::dynamics::CurrentTiming;
    use surrogate_engine::snn::network::Input;

    let device = Device::flex();
    let (inputs, steps, batch, classes, width) = (14, 20, 150, 3, 11);
    // A biased first layer (as NIR imports make) takes the projection op of `sparse_input.rs`
    // (its W gradient a scatter over row blocks) instead of the layer op's own events.
    for (recurrent, biased) in [(false, false), (true, false), (false, true), (true, true)] {
        for current in [CurrentTiming::Previous, CurrentTiming::This] {
            let model = ModelConfig {
                hidden: vec![width, 7],
                recurrent: PerLayer::All(recurrent),
                ..ModelConfig::default()
            };
            let dy = Dynamics::new(&model);
            let surrogate = SurrogateConfig {
                shape: SurrogateShape::SuperSpike,
                beta: 5.0,
            };
            let mut rng = Rng::new(41 + recurrent as u64);
            let weights = Weights {
                hidden: vec![
                    matrix(
                        &mut rng,
                        inputs,
                        width,
                        8.0 / (inputs as f64).sqrt(),
                        &device,
                    ),
                    matrix(&mut rng, width, 7, 8.0 / (width as f64).sqrt(), &device),
                ],
                recurrent: vec![
                    recurrent.then(|| matrix(&mut rng, width, width, 0.5, &device)),
                    recurrent.then(|| matrix(&mut rng, 7, 7, 0.5, &device)),
                ],
                readout: matrix(&mut rng, 7, classes, 1.0, &device),
            };
            let x: Vec<f32> = (0..steps * batch * inputs)
                .map(|_| if rng.uniform() < 0.2 { 1.0 } else { 0.0 })
                .collect();
            let events = crate::common::events_of(&x, steps, batch, inputs);
            let dense = Tensor::<3>::from_data(TensorData::new(x, [steps, batch, inputs]), &device);
            let labels: Vec<usize> = (0..batch).map(|b| b % classes).collect();
            let mut dynamics = NetworkDynamics::paper(&dy, &weights.widths(), weights.outputs());
            for layer in dynamics.hidden.iter_mut().chain([&mut dynamics.readout]) {
                layer.current = current;
            }
            if biased {
                dynamics.bias[0] = Some((0..width).map(|j| 0.05 * j as f32 - 0.2).collect());
            }
            let case = format!("recurrent {recurrent}, biased {biased}, current {current:?}");
            let (l_ref, g_ref, spikes) = loss_and_grads(
                &weights,
                &dense,
                &labels,
                &dynamics,
                &surrogate,
                Path::PerStep,
            );
            assert!(
                spikes > 100,
                "{case}: only {spikes} spikes, test would be vacuous"
            );
            let on_threads = |threads: usize| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("a thread pool")
                    .install(|| {
                        let input = Input::Sparse(events.clone());
                        loss_and_grads_of(
                            &weights,
                            input,
                            &labels,
                            &dynamics,
                            &surrogate,
                            Path::Fused,
                        )
                    })
            };
            let (l_fused, g_fused, _) = on_threads(2);
            assert!(
                close(l_fused as f64, l_ref as f64, 1e-5),
                "{case}: loss {l_fused} vs {l_ref}"
            );
            assert_eq!(g_fused.len(), g_ref.len());
            for (k, (a, b)) in g_fused.iter().zip(&g_ref).enumerate() {
                assert_eq!(a.len(), b.len(), "{case}: param {k}");
                let scale = b.iter().fold(0f32, |m, x| m.max(x.abs()));
                assert!(scale > 1e-6, "{case}: param {k} has no gradient");
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    assert!(
                        (x - y).abs() <= 1e-3 * scale,
                        "{case}: param {k}[{i}] fused {x} vs per-step {y} (scale {scale})"
                    );
                }
            }
            for threads in [1, 3] {
                let (l_other, g_other, _) = on_threads(threads);
                assert_same_bits(
                    (l_other, &g_other),
                    (l_fused, &g_fused),
                    &format!("{case}: on {threads} threads and two"),
                );
            }
        }
    }
}

/// A weight that went non-finite shows on the event-driven paths as it does on the dense
/// per-step path (0·NaN is NaN there), so that the trainer still sees it: a NaN readout
/// weight makes the loss NaN even where its neuron never fires, a NaN input weight makes the
/// gradients non-finite.
#[test]
fn a_nan_weight_shows_on_the_event_driven_paths_as_on_the_dense_one() {
    use surrogate_engine::data::batch::SparseBatch;
    use surrogate_engine::snn::network::Input;

    let device = Device::flex();
    let model = ModelConfig {
        hidden: vec![5],
        ..ModelConfig::default()
    };
    let dy = Dynamics::new(&model);
    let surrogate = SurrogateConfig::default();
    let mut rng = Rng::new(3);
    let weights = Weights {
        hidden: vec![matrix(&mut rng, 4, 5, 1.0, &device)],
        recurrent: vec![None],
        readout: matrix(&mut rng, 5, 2, 1.0, &device),
    };
    // One event, at input 0: input 3's row of W is never selected.
    let events = std::sync::Arc::new(SparseBatch {
        steps: 3,
        batch: 1,
        inputs: 4,
        row_offsets: vec![0, 1, 1, 1],
        units: vec![0],
    });
    let dense = events.to_dense(&device);
    let dynamics = NetworkDynamics::paper(&dy, &weights.widths(), weights.outputs());
    let poison = |w: &Tensor<2>, row: usize| {
        let [r, c] = w.dims();
        let mut v = to_vec(w.clone());
        v[row * c] = f32::NAN;
        Tensor::<2>::from_data(TensorData::new(v, [r, c]), &device)
    };
    let finite = |g: &[Vec<f32>]| g.iter().flatten().all(|x| x.is_finite());
    // A biased layer (as NIR imports make) takes the projection op of `sparse_input.rs`
    // instead of the layer op's own: the same rule must hold there.
    let mut biased = dynamics.clone();
    biased.bias[0] = Some(vec![0.0; 5]);
    for which in ["none", "input", "readout", "input, biased layer"] {
        let mut w = weights.clone();
        match which {
            "input" | "input, biased layer" => w.hidden[0] = poison(&w.hidden[0], 3),
            "readout" => w.readout = poison(&w.readout, 4),
            _ => {}
        }
        let dynamics = if which.ends_with("biased layer") {
            &biased
        } else {
            &dynamics
        };
        let input = Input::Sparse(events.clone());
        let (loss, grads, _) =
            loss_and_grads_of(&w, input, &[1], dynamics, &surrogate, Path::Fused);
        let (l_ref, g_ref, _) =
            loss_and_grads(&w, &dense, &[1], dynamics, &surrogate, Path::PerStep);
        assert_eq!(
            loss.is_finite(),
            l_ref.is_finite(),
            "{which}: loss {loss} vs {l_ref}"
        );
        assert_eq!(
            finite(&grads),
            finite(&g_ref),
            "{which}: gradients' finiteness"
        );
        match which {
            "none" => assert!(loss.is_finite() && finite(&grads)),
            "readout" => assert!(!loss.is_finite(), "a NaN readout weight gave loss {loss}"),
            _ => assert!(
                !finite(&grads),
                "a NaN input weight left the gradients finite"
            ),
        }
    }
}

/// A NaN in V on a row whose neuron never fires, with the recurrence detached (the paper's
/// Ctl): the fused layer adds only fired neurons' rows of V, and with the recurrence detached
/// its backward never forms g·Vᵀ, so it must mark V's non-finite columns itself, as the dense
/// s·V of the per-step path has them (0·NaN is NaN). (With the marking taken out, the fused
/// trainer trained on.)
#[test]
fn a_nan_in_v_of_a_silent_neuron_stops_both_paths_with_the_recurrence_detached() {
    crate::common::nan_in_v_stops_training("flex");
}
