//! The training loop: forward, loss, backward, optimizer step; evaluation; snapshots.
//!
//! Synchronous and free of threads: the CLI drives it directly, the session runs it on a
//! worker thread. Live edits ([`LiveSettings`]) change `config` and are read by the very next
//! batch.

mod imported;
mod inspect;
mod snapshot;

pub use imported::{HeldNetwork, ImportedNetwork};

use crate::clock::Instant;
use std::sync::Arc;

use burn::tensor::{Device, Tensor};

use super::config::{SettingsError, TrainingConfig};
use super::live::LiveSettings;
use super::metrics::{BatchMetrics, EpochMetrics, EvalMetrics, Lap, PhaseTimes};
use super::optim::Optimizer;
use crate::backend::{self, BackendError, scalar};
use crate::data::error::LoadError;
use crate::data::{self, DataSplits, SpikeDataset};
use crate::rng::Rng;
use crate::snn::dynamics::NetworkDynamics;
use crate::snn::init::{InitKind, init_weights};
use crate::snn::loss::{class_scores, count_correct, cross_entropy, predictions};
use crate::snn::network::{Forward, Input, ParamRole, Path, Weights, forward_with};
use crate::snn::regularizer::activity_penalty;

/// Why a batch could not be trained.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainError {
    /// The loss was NaN or infinite; the weights were left as they were before the batch.
    Diverged {
        epoch: usize,
        batch: usize,
        loss: f32,
    },
    /// A gradient was NaN or infinite (or so large that its square, Adam's second moment,
    /// overflows) while the loss was finite; the optimizer step was skipped, so the weights and
    /// the optimizer's moments and step count are as they were before the batch. `layer` is
    /// where the backward pass first met it (the deepest affected matrix).
    NonFiniteGradient {
        epoch: usize,
        batch: usize,
        layer: String,
    },
}

impl TrainError {
    /// One word for machines: the sweep CSV's status and the CLI's JSON `error` field.
    pub fn kind(&self) -> &'static str {
        match self {
            TrainError::Diverged { .. } => "diverged",
            TrainError::NonFiniteGradient { .. } => "non_finite_gradient",
        }
    }
}

impl std::fmt::Display for TrainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TrainError::Diverged { epoch, batch, loss } => write!(
                f,
                "training diverged: loss is {loss} at epoch {epoch}, batch {batch}; run paused (lower the learning rate or β, then reset)"
            ),
            TrainError::NonFiniteGradient {
                epoch,
                batch,
                layer,
            } => write!(
                f,
                "non-finite gradient in {layer} at epoch {epoch}, batch {batch}; step skipped, weights unchanged, run paused (lower β or pick a bounded surrogate, then resume)"
            ),
        }
    }
}

impl std::error::Error for TrainError {}

/// A weight matrix as the user knows it: "hidden layer 2 (recurrent weights)", "readout".
fn layer_label(role: ParamRole) -> String {
    match role {
        ParamRole::FeedForward(l) => format!("hidden layer {} (input weights)", l + 1),
        ParamRole::Recurrent(l) => format!("hidden layer {} (recurrent weights)", l + 1),
        ParamRole::Readout => "readout".into(),
    }
}

/// Why no trainer could be built; the message names the key at fault.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("data: {0}")]
    Data(#[from] LoadError),
    #[error(
        "optim.batch_size: {batch_size} is larger than the {samples} training samples of {dataset}"
    )]
    BatchTooLarge {
        batch_size: usize,
        samples: usize,
        dataset: String,
    },
    #[error("backend: {0}")]
    Device(BackendError),
}

/// Evaluation batches are large: no graph is kept, so memory is only the activations.
const EVAL_BATCH: usize = 512;

#[derive(Default)]
struct EpochTally {
    loss_sum: f64,
    correct: usize,
    seen: usize,
    seconds: f64,
}

pub struct Trainer {
    /// The settings built from, with the live edits since.
    config: TrainingConfig,
    data: Arc<DataSplits>,
    device: Device,
    weights: Weights,
    optimizer: Optimizer,
    rng: Rng,
    order: Vec<usize>,
    cursor: usize,
    epochs_done: usize,
    global_step: u64,
    tally: EpochTally,
    /// A network read from a file (NIR), whose dynamics replace the paper's.
    imported: Option<ImportedNetwork>,
    phases: PhaseTimes,
}

impl Trainer {
    /// Loads the data the configuration names and initializes the network.
    pub fn new(config: impl Into<TrainingConfig>) -> Result<Self, BuildError> {
        let config = config.into();
        config.validate()?;
        let data = data::load(&config.data)?;
        Self::with_data(config, Arc::new(data))
    }

    /// Initializes the network on data already loaded (a reset keeps the data set).
    pub fn with_data(
        config: impl Into<TrainingConfig>,
        data: Arc<DataSplits>,
    ) -> Result<Self, BuildError> {
        let config = config.into();
        config.validate()?;
        if config.optim.batch_size > data.train.len() {
            return Err(BuildError::BatchTooLarge {
                batch_size: config.optim.batch_size,
                samples: data.train.len(),
                dataset: data.name.clone(),
            });
        }
        let device = backend::device(&config.backend).map_err(BuildError::Device)?;
        // Only the fluctuation-driven rule looks at data; the others need no dense batch.
        let calibration = matches!(config.model.init, InitKind::Fluctuation { .. }).then(|| {
            let n = data.train.len().min(256);
            let indices: Vec<usize> = (0..n).collect();
            data.train.dense_batch(&indices, &device)
        });
        let weights = init_weights(
            &config.model,
            data.train.inputs,
            data.train.classes,
            config.seed,
            &device,
            calibration,
        );
        let optimizer = Optimizer::new(config.optim.kind, config.optim.adam_betas);
        let rng = Rng::derive(config.seed, 0x4F52_4445); // "ORDE"
        let order = (0..data.train.len()).collect();
        Ok(Self {
            config,
            data,
            device,
            weights,
            optimizer,
            rng,
            order,
            cursor: 0,
            epochs_done: 0,
            global_step: 0,
            tally: EpochTally::default(),
            imported: None,
            phases: PhaseTimes::default(),
        })
    }

    pub fn config(&self) -> &TrainingConfig {
        &self.config
    }

    pub fn data(&self) -> &Arc<DataSplits> {
        &self.data
    }

    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// Replaces the weights (e.g. loaded from a file; moved to this trainer's device); shapes
    /// must match the network (see [`Weights::shape_mismatch`]).
    pub fn set_weights(&mut self, weights: Weights) {
        self.weights = weights.map(|_, w| w.clone().to_device(&self.device));
        // The optimizer's moments belonged to the weights just replaced.
        self.optimizer = Optimizer::new(self.config.optim.kind, self.config.optim.adam_betas);
    }

    pub fn epochs_done(&self) -> usize {
        self.epochs_done
    }

    pub fn global_step(&self) -> u64 {
        self.global_step
    }

    pub fn batches_per_epoch(&self) -> usize {
        self.data.train.len().div_ceil(self.config.optim.batch_size)
    }

    pub fn live(&self) -> LiveSettings {
        self.config.live()
    }

    /// Takes new live settings; the next batch trains with them.
    pub fn set_live(&mut self, live: LiveSettings) {
        self.config.set_live(live);
    }

    /// The fused path where the backend has it and the configuration asks for it.
    pub fn path(&self) -> Path {
        if self.config.model.fused && backend::supports_fused(&self.config.backend) {
            Path::Fused
        } else {
            Path::PerStep
        }
    }

    /// A batch as the chosen path takes it: events for the fused path, a dense raster otherwise.
    fn batch_input(&self, split: &SpikeDataset, indices: &[usize], autodiff: bool) -> Input {
        match self.path() {
            Path::Fused if backend::supports_sparse_input(&self.config.backend) => {
                Input::Sparse(Arc::new(split.sparse_batch(indices)))
            }
            Path::Fused | Path::PerStep => {
                let x = split.dense_batch(indices, &self.device);
                Input::Dense(Box::new(if autodiff { x.autodiff() } else { x }))
            }
        }
    }

    /// Trains on the next batch of the current epoch (shuffling at the start of each epoch).
    pub fn train_batch(&mut self) -> Result<BatchMetrics, TrainError> {
        let started = Instant::now();
        let mut lap = Lap::start();
        if self.cursor == 0 {
            self.rng.shuffle(&mut self.order);
            self.tally = EpochTally::default();
        }
        let bs = self.config.optim.batch_size;
        let end = (self.cursor + bs).min(self.order.len());
        let indices = self.order[self.cursor..end].to_vec();
        let batch_number = self.cursor / bs + 1;
        let train = &self.data.train;
        let labels = train.batch_labels(&indices);
        let net = self.network_dynamics();
        let surrogate = self.config.surrogate;

        // Forward through the tracked weights.
        let tracked = self.weights.map(|_, w| w.clone().autodiff().require_grad());
        let input = self.batch_input(train, &indices, true);
        self.phases.input += lap.split();
        let out = forward_with(&tracked, input, &net, &surrogate, self.path());
        self.phases.forward += lap.split();
        let spikes: Vec<Tensor<3>> = out.layers.iter().map(|l| l.spikes.clone()).collect();
        let scores = class_scores(out.readout, self.config.model.loss);

        // Loss: cross-entropy plus activity penalty.
        let ce = cross_entropy(scores.clone(), &labels);
        let penalty = activity_penalty(&spikes, &self.config.reg);
        let ce_value = scalar(ce.clone().inner());
        let reg_value = penalty.as_ref().map_or(0.0, |p| scalar(p.clone().inner()));
        let loss = match penalty {
            Some(p) => ce + p,
            None => ce,
        };
        let loss_value = ce_value + reg_value;
        self.phases.loss += lap.split();
        if !loss_value.is_finite() {
            // Leave everything as it was before this batch so the user can change course.
            return Err(TrainError::Diverged {
                epoch: self.epochs_done + 1,
                batch: batch_number,
                loss: loss_value,
            });
        }

        // Backward, then gradients → optimizer.
        let grads = loss.backward();
        self.phases.backward += lap.split();
        let hidden_layers = self.weights.hidden.len();
        let mut sq_norms = vec![0f64; hidden_layers + 1];
        let mut grad_list = Vec::new();
        let mut non_finite = None;
        for (role, t) in tracked.params() {
            let g = t
                .grad(&grads)
                .unwrap_or_else(|| Tensor::zeros(t.dims(), &self.device));
            let sq = scalar((g.clone() * g.clone()).sum());
            // Σg² is finite only if every g² is: one check covers NaN, ±∞ and overflow.
            if !sq.is_finite() {
                non_finite = Some(role);
            }
            sq_norms[role.layer(hidden_layers)] += sq as f64;
            grad_list.push(g);
        }
        if let Some(role) = non_finite {
            // Skip the step: weights, moments and step count stay as before this batch.
            return Err(TrainError::NonFiniteGradient {
                epoch: self.epochs_done + 1,
                batch: batch_number,
                layer: layer_label(role),
            });
        }
        self.phases.gradients += lap.split();
        let params: Vec<Tensor<2>> = self
            .weights
            .params()
            .into_iter()
            .map(|(_, t)| t.clone())
            .collect();
        let updated = self.optimizer.step(params, grad_list, self.config.optim.lr);
        self.weights = self.weights.from_params(updated.into_iter());
        self.phases.optimizer += lap.split();

        // Metrics.
        let correct = count_correct(scores.inner(), &labels);
        let rate_hz = spikes
            .into_iter()
            .map(|s| scalar(s.inner().mean()) * 1000.0 / self.dt_ms())
            .collect();
        self.phases.metrics += lap.split();
        self.phases.batches += 1;
        let n = indices.len();
        self.cursor = end;
        self.global_step += 1;
        let seconds = started.elapsed().as_secs_f64();
        self.tally.loss_sum += loss_value as f64 * n as f64;
        self.tally.correct += correct;
        self.tally.seen += n;
        self.tally.seconds += seconds;
        let epoch_done = self.cursor >= self.order.len();
        let metrics = BatchMetrics {
            epoch: self.epochs_done + 1,
            batch: batch_number,
            batches_per_epoch: self.batches_per_epoch(),
            global_step: self.global_step,
            loss: loss_value,
            ce_loss: ce_value,
            reg_loss: reg_value,
            accuracy: correct as f32 / n as f32,
            rate_hz,
            grad_norm: sq_norms.into_iter().map(|s| s.sqrt() as f32).collect(),
            surrogate,
            lr: self.config.optim.lr,
            samples: n,
            seconds,
            epoch_done,
        };
        Ok(metrics)
    }

    /// Where the batches trained so far spent their time.
    pub fn phase_times(&self) -> &PhaseTimes {
        &self.phases
    }

    /// Closes the epoch whose last batch was just trained: evaluates and summarizes it.
    pub fn finish_epoch(&mut self) -> EpochMetrics {
        self.cursor = 0;
        self.epochs_done += 1;
        let test = self.evaluate(&self.data.test);
        let valid_acc = self.data.valid.as_ref().map(|v| self.evaluate(v).accuracy);
        let t = &self.tally;
        let seen = t.seen.max(1) as f64;
        EpochMetrics {
            epoch: self.epochs_done,
            train_loss: (t.loss_sum / seen) as f32,
            train_acc: (t.correct as f64 / seen) as f32,
            test_loss: test.loss,
            test_acc: test.accuracy,
            valid_acc,
            rate_hz: test.rate_hz,
            seconds: t.seconds,
            samples_per_sec: t.seen as f64 / t.seconds.max(1e-9),
            neuron_rates_hz: test.neuron_rates_hz,
        }
    }

    /// Trains one whole epoch (or the rest of the current one).
    pub fn run_epoch(&mut self) -> Result<EpochMetrics, TrainError> {
        loop {
            if self.train_batch()?.epoch_done {
                return Ok(self.finish_epoch());
            }
        }
    }

    /// The class each sample of a split is assigned (the argmax `evaluate` counts), in order.
    pub fn predict(&self, split: &SpikeDataset) -> Vec<usize> {
        let net = self.network_dynamics();
        let all: Vec<usize> = (0..split.len()).collect();
        let mut out = Vec::with_capacity(split.len());
        for indices in all.chunks(EVAL_BATCH) {
            let o = self.forward_eval(split, indices, &net);
            out.extend(predictions(class_scores(o.readout, self.config.model.loss)));
        }
        out
    }

    /// One evaluation batch through the network, without gradients.
    fn forward_eval(
        &self,
        split: &SpikeDataset,
        indices: &[usize],
        net: &NetworkDynamics,
    ) -> Forward {
        let input = self.batch_input(split, indices, false);
        forward_with(
            &self.weights,
            input,
            net,
            &self.config.surrogate,
            self.path(),
        )
    }

    /// Loss, accuracy and per-neuron rates over a split, without gradients.
    pub fn evaluate(&self, split: &SpikeDataset) -> EvalMetrics {
        let net = self.network_dynamics();
        let widths = self.weights.widths();
        let mut spike_counts: Vec<Vec<f64>> = widths.iter().map(|&w| vec![0.0; w]).collect();
        let mut loss_sum = 0.0f64;
        let mut correct = 0usize;
        let all: Vec<usize> = (0..split.len()).collect();
        for indices in all.chunks(EVAL_BATCH) {
            let labels = split.batch_labels(indices);
            let out = self.forward_eval(split, indices, &net);
            for (layer, counts) in out.layers.iter().zip(spike_counts.iter_mut()) {
                let [_, _, width] = layer.spikes.dims();
                let per_neuron: Tensor<1> = layer.spikes.clone().sum_dims(&[0, 1]).reshape([width]);
                for (c, v) in counts.iter_mut().zip(per_neuron.into_data().iter::<f32>()) {
                    *c += v as f64;
                }
            }
            let scores = class_scores(out.readout, self.config.model.loss);
            loss_sum +=
                scalar(cross_entropy(scores.clone(), &labels)) as f64 * indices.len() as f64;
            correct += count_correct(scores, &labels);
        }
        let n = split.len().max(1) as f64;
        let to_hz = 1000.0 / (self.dt_ms() as f64 * split.steps as f64 * n);
        let neuron_rates_hz: Vec<Vec<f32>> = spike_counts
            .iter()
            .map(|c| c.iter().map(|&s| (s * to_hz) as f32).collect())
            .collect();
        EvalMetrics {
            loss: (loss_sum / n) as f32,
            accuracy: (correct as f64 / n) as f32,
            rate_hz: neuron_rates_hz
                .iter()
                .map(|r| r.iter().sum::<f32>() / r.len().max(1) as f32)
                .collect(),
            neuron_rates_hz,
        }
    }
}
