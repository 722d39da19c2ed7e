//! What the trainer reports: per batch, per epoch, and snapshots of one sample.

use std::time::Duration;

use crate::clock::Instant;

use serde::Serialize;

use crate::snn::surrogate::SurrogateConfig;

#[derive(Clone, Debug, Serialize)]
pub struct BatchMetrics {
    /// The epoch this batch belongs to (1-based).
    pub epoch: usize,
    /// Position of this batch in its epoch (1-based) and the number of batches per epoch.
    pub batch: usize,
    pub batches_per_epoch: usize,
    pub global_step: u64,
    /// Cross-entropy plus activity penalty.
    pub loss: f32,
    pub ce_loss: f32,
    pub reg_loss: f32,
    pub accuracy: f32,
    /// Mean firing rate of each hidden layer, Hz.
    pub rate_hz: Vec<f32>,
    /// Gradient norm per layer: hidden layers (feed-forward and recurrent together), then readout.
    pub grad_norm: Vec<f32>,
    /// The surrogate and learning rate this batch was trained with.
    pub surrogate: SurrogateConfig,
    pub lr: f64,
    pub samples: usize,
    /// Wall time of this batch, seconds.
    pub seconds: f64,
    /// True on the last batch of an epoch.
    pub epoch_done: bool,
}

/// Loss, accuracy and activity of the network over one split, without training.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EvalMetrics {
    pub loss: f32,
    pub accuracy: f32,
    pub rate_hz: Vec<f32>,
    /// Rate of every neuron of every hidden layer, Hz.
    pub neuron_rates_hz: Vec<Vec<f32>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EpochMetrics {
    pub epoch: usize,
    pub train_loss: f32,
    pub train_acc: f32,
    pub test_loss: f32,
    pub test_acc: f32,
    pub valid_acc: Option<f32>,
    /// Mean hidden rate per layer on the test set, Hz.
    pub rate_hz: Vec<f32>,
    /// Training time of this epoch (evaluation excluded), seconds.
    pub seconds: f64,
    pub samples_per_sec: f64,
    #[serde(skip)]
    pub neuron_rates_hz: Vec<Vec<f32>>,
}

/// Spike events of one layer for one sample: (step, neuron).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Raster {
    pub width: usize,
    pub events: Vec<(u32, u32)>,
}

/// Counts of values in equal bins over [lo, hi]; values outside fall in the end bins.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Histogram {
    pub lo: f32,
    pub hi: f32,
    pub counts: Vec<u32>,
}

impl Histogram {
    pub fn of(values: impl IntoIterator<Item = f32>, lo: f32, hi: f32, bins: usize) -> Self {
        let mut counts = vec![0u32; bins];
        let width = (hi - lo) / bins as f32;
        for v in values {
            if v.is_nan() {
                continue;
            }
            let i = ((v - lo) / width).floor().clamp(0.0, (bins - 1) as f32) as usize;
            counts[i] += 1;
        }
        Self { lo, hi, counts }
    }

    pub fn bin_centre(&self, i: usize) -> f32 {
        self.lo + (i as f32 + 0.5) * (self.hi - self.lo) / self.counts.len() as f32
    }
}

/// One sample seen through the network, for the rasters and traces in the window.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Snapshot {
    pub global_step: u64,
    /// Index in the test split, its label and the network's prediction.
    pub sample: usize,
    pub label: usize,
    pub prediction: usize,
    pub steps: usize,
    pub dt_ms: f32,
    pub threshold: f32,
    pub input: Raster,
    pub hidden: Vec<Raster>,
    /// Per hidden layer: the neurons traced and their membrane U[n].
    pub traced_neurons: Vec<Vec<usize>>,
    pub membrane: Vec<Vec<Vec<f32>>>,
    /// Per output: U_out[n].
    pub readout: Vec<Vec<f32>>,
    /// x = U − ϑ of every hidden neuron at every step over a small batch: where the surrogate
    /// is evaluated.
    pub membrane_histogram: Histogram,
    /// Per layer, per neuron rate over the snapshot batch, Hz.
    pub neuron_rates_hz: Vec<Vec<f32>>,
}

/// Neurons that never fired, and neurons firing in at least half of all steps.
pub fn dead_and_saturated(rates_hz: &[f32], dt_ms: f32) -> (usize, usize) {
    let max_rate = 1000.0 / dt_ms;
    let dead = rates_hz.iter().filter(|&&r| r == 0.0).count();
    let saturated = rates_hz.iter().filter(|&&r| r >= 0.5 * max_rate).count();
    (dead, saturated)
}

/// One hidden neuron: layer (0-based) and index in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct NeuronRef {
    pub layer: usize,
    pub neuron: usize,
}

/// One hidden neuron on one test sample under the current weights: what the neuron inspector
/// shows. `grad_membrane` comes from a backward pass of that sample alone (cross-entropy plus
/// the activity penalty, as in training).
#[derive(Clone, Debug, Serialize)]
pub struct Inspection {
    pub global_step: u64,
    pub at: NeuronRef,
    pub sample: usize,
    pub label: usize,
    pub steps: usize,
    pub dt_ms: f32,
    pub threshold: f32,
    /// The surrogate the backward pass used.
    pub surrogate: SurrogateConfig,
    /// U[n], the membrane the spike reads at step n.
    pub membrane: Vec<f32>,
    /// Steps n with s[n] = 1.
    pub spike_steps: Vec<usize>,
    /// σ′(U[n] − ϑ) at each step, and σ′'s peak value (at x = 0).
    pub surrogate_derivative: Vec<f32>,
    pub surrogate_peak: f32,
    /// ∂L/∂U[n]: the error signal reaching the membrane at each step (through the surrogate
    /// and the membrane's own future).
    pub grad_membrane: Vec<f32>,
    /// The sample's loss.
    pub loss: f32,
    /// The neuron's feed-forward input weights (one per input of its layer).
    pub input_weights: Vec<f32>,
}

impl Inspection {
    /// Steps where σ′ reaches at least a tenth of its peak: where the surrogate lets gradient
    /// through.
    pub fn open_steps(&self) -> Vec<usize> {
        let floor = 0.1 * self.surrogate_peak;
        self.surrogate_derivative
            .iter()
            .enumerate()
            .filter(|&(_, &d)| self.surrogate_peak > 0.0 && d >= floor)
            .map(|(n, _)| n)
            .collect()
    }
}

/// Where training batches' time went, summed since the trainer was built: what a benchmark
/// reads to choose the next lever (`examples/bench.rs --phases`). Each phase ends when its
/// results are on the host, so the phases add up to the batch's wall time.
#[derive(Clone, Debug, Default)]
pub struct PhaseTimes {
    pub batches: u64,
    /// Shuffling and gathering the batch's input spikes.
    pub input: Duration,
    /// The hidden layers and the readout.
    pub forward: Duration,
    /// Class scores, cross-entropy, the activity penalty and their values.
    pub loss: Duration,
    pub backward: Duration,
    /// Reading each parameter's gradient, its norm and the finiteness check.
    pub gradients: Duration,
    pub optimizer: Duration,
    /// Accuracy and spike rates for the batch's metrics.
    pub metrics: Duration,
}

impl PhaseTimes {
    /// The phases by name, in the order a batch runs them.
    pub fn named(&self) -> [(&'static str, Duration); 7] {
        [
            ("input", self.input),
            ("forward", self.forward),
            ("loss", self.loss),
            ("backward", self.backward),
            ("gradients", self.gradients),
            ("optimizer", self.optimizer),
            ("metrics", self.metrics),
        ]
    }
}

/// A stopwatch read once per phase: each read is the time since the previous one.
pub struct Lap(Instant);

impl Lap {
    pub fn start() -> Self {
        Lap(Instant::now())
    }

    pub fn split(&mut self) -> Duration {
        let now = Instant::now();
        let lap = now - self.0;
        self.0 = now;
        lap
    }
}
