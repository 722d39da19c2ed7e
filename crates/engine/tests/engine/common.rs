//! Helpers of the engine's tests.
#![allow(dead_code)]

use burn::tensor::Device;
use surrogate_engine::backend;

/// Every backend compiled into this build that can run here, by name. A compiled-in backend
/// that cannot run (wgpu without an adapter) is reported and skipped.
pub fn devices() -> Vec<(&'static str, Device)> {
    let mut out = Vec::new();
    for name in backend::compiled_backends() {
        match backend::device(name) {
            Ok(d) => out.push((name, d)),
            Err(why) => eprintln!("skipping backend {name}: {why}"),
        }
    }
    out
}

pub fn to_vec<const D: usize>(t: burn::tensor::Tensor<D>) -> Vec<f32> {
    t.into_data().iter::<f32>().collect()
}

/// |a − b| ≤ tol·max(1, |b|).
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

/// A [rows, cols] matrix of N(0, scale²) values.
pub fn matrix(
    rng: &mut surrogate_engine::rng::Rng,
    rows: usize,
    cols: usize,
    scale: f64,
    device: &Device,
) -> burn::tensor::Tensor<2> {
    let v: Vec<f32> = (0..rows * cols)
        .map(|_| (rng.normal() * scale) as f32)
        .collect();
    burn::tensor::Tensor::from_data(burn::tensor::TensorData::new(v, [rows, cols]), device)
}

/// Loss (CE of max over time + an activity penalty, so spike counts get a direct gradient
/// too), every weight's gradient and the hidden spike count, through the chosen path.
pub fn loss_and_grads(
    weights: &surrogate_engine::snn::network::Weights,
    input: &burn::tensor::Tensor<3>,
    labels: &[usize],
    dynamics: &surrogate_engine::snn::dynamics::NetworkDynamics,
    surrogate: &surrogate_engine::snn::surrogate::SurrogateConfig,
    path: surrogate_engine::snn::network::Path,
) -> (f32, Vec<Vec<f32>>, usize) {
    let input = surrogate_engine::snn::network::Input::from(input.clone().autodiff());
    loss_and_grads_of(weights, input, labels, dynamics, surrogate, path)
}

/// [`loss_and_grads`] for any input, events included.
pub fn loss_and_grads_of(
    weights: &surrogate_engine::snn::network::Weights,
    input: surrogate_engine::snn::network::Input,
    labels: &[usize],
    dynamics: &surrogate_engine::snn::dynamics::NetworkDynamics,
    surrogate: &surrogate_engine::snn::surrogate::SurrogateConfig,
    path: surrogate_engine::snn::network::Path,
) -> (f32, Vec<Vec<f32>>, usize) {
    use surrogate_engine::snn::loss::{LossKind, class_scores, cross_entropy};
    use surrogate_engine::snn::regularizer::{RegConfig, activity_penalty};
    let tracked = weights.map(|_, w| w.clone().autodiff().require_grad());
    let out =
        surrogate_engine::snn::network::forward_with(&tracked, input, dynamics, surrogate, path);
    let spikes: Vec<burn::tensor::Tensor<3>> =
        out.layers.iter().map(|l| l.spikes.clone()).collect();
    let total_spikes = spikes
        .iter()
        .map(|s| {
            to_vec(s.clone().inner())
                .iter()
                .filter(|&&v| v > 0.0)
                .count()
        })
        .sum();
    let mut reg = RegConfig::default();
    reg.upper.lambda = 0.05;
    reg.upper.theta = 1.0;
    let loss = cross_entropy(class_scores(out.readout, LossKind::MaxOverTime), labels)
        + activity_penalty(&spikes, &reg).expect("penalty on");
    let value = to_vec(loss.clone().inner())[0];
    let grads = loss.backward();
    let g = tracked
        .params()
        .into_iter()
        .map(|(_, t)| t.grad(&grads).map(to_vec).unwrap_or_default())
        .collect();
    (value, g, total_spikes)
}

/// Trains one batch of a recurrent layer whose neuron 3 is held silent (its input weights and
/// those from its peers strongly negative) with V[3][0] = NaN, on `backend`'s fused path and
/// per-step graph, the recurrence detached and propagated: every trainer must refuse the batch
/// and keep its weights; with V finite the same batch trains and the neuron stays silent.
pub fn nan_in_v_stops_training(backend: &str) {
    use burn::tensor::{Tensor, TensorData};
    use surrogate_engine::snn::model::PerLayer;
    use surrogate_engine::train::config::TrainingConfig;
    use surrogate_engine::train::{TrainError, Trainer};

    let silent = 3;
    for fused in [true, false] {
        for propagated in [false, true] {
            let mut config = TrainingConfig::default();
            config.data.randman.samples_per_class = 20;
            config.backend = backend.into();
            config.optim.batch_size = 50;
            config.model.hidden = vec![12];
            config.model.recurrent = PerLayer::All(true);
            config.model.recurrent_detached = !propagated;
            config.model.fused = fused;
            let case = format!("{backend}: fused={fused} recurrence propagated={propagated}");
            let mut trainer = Trainer::new(config).expect("valid");
            let device = trainer.weights().readout.device();
            let set = |t: &Tensor<2>, f: &dyn Fn(usize, usize, f32) -> f32| {
                let [r, c] = t.dims();
                let v: Vec<f32> = to_vec(t.clone())
                    .iter()
                    .enumerate()
                    .map(|(k, &x)| f(k / c, k % c, x))
                    .collect();
                Tensor::<2>::from_data(TensorData::new(v, [r, c]), &device)
            };
            let mut w = trainer.weights().clone();
            w.hidden[0] = set(&w.hidden[0], &|_, j, x| if j == silent { -50.0 } else { x });
            let v = w.recurrent[0].as_ref().expect("recurrent");
            let finite_v = set(v, &|_, j, x| if j == silent { -50.0 } else { x });
            let nan_v = set(&finite_v, &|n, j, x| {
                if n == silent && j == 0 { f32::NAN } else { x }
            });

            w.recurrent[0] = Some(finite_v);
            let mut control = Trainer::new(trainer.config().clone()).expect("valid");
            control.set_weights(w.clone());
            let metrics = control.train_batch().expect("finite weights train");
            assert!(metrics.loss.is_finite(), "{case}");
            let rate = control.snapshot(0).neuron_rates_hz[0][silent];
            assert_eq!(rate, 0.0, "{case}: the neuron must stay silent");

            w.recurrent[0] = Some(nan_v);
            trainer.set_weights(w.clone());
            let err = match trainer.train_batch() {
                Ok(m) => panic!(
                    "{case}: a NaN in V must stop the batch, it trained: loss {}",
                    m.loss
                ),
                Err(e) => e,
            };
            assert!(
                matches!(
                    err,
                    TrainError::NonFiniteGradient { .. } | TrainError::Diverged { .. }
                ),
                "{case}: {err}"
            );
            let kept = to_vec(trainer.weights().hidden[0].clone());
            assert_eq!(kept, to_vec(w.hidden[0].clone()), "{case}: weights changed");
        }
    }
}

/// A time-major 0/1 raster [T, batch, inputs] as events, row n·batch + b.
pub fn events_of(
    x: &[f32],
    steps: usize,
    batch: usize,
    inputs: usize,
) -> std::sync::Arc<surrogate_engine::data::batch::SparseBatch> {
    let mut row_offsets = vec![0];
    let mut units = Vec::new();
    for row in x.chunks(inputs) {
        units.extend((0..inputs as u32).filter(|&u| row[u as usize] != 0.0));
        row_offsets.push(units.len());
    }
    std::sync::Arc::new(surrogate_engine::data::batch::SparseBatch {
        steps,
        batch,
        inputs,
        row_offsets,
        units,
    })
}
