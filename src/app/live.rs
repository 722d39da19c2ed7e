//! The window's copy of what the trainer owns, rebuilt from its events only.

use crate::config::Config;
use crate::train::metrics::{BatchMetrics, EpochMetrics, Inspection, Snapshot};
use crate::train::{Event, RunState};

use super::history::RunHistory;
use super::inspector::NeuronRates;

/// Smoothing of the samples/s and s/batch estimates: about the last ten batches.
const EMA: f64 = 0.1;

#[derive(Default)]
pub struct Live {
    /// The configuration the trainer runs with: its last `Ready`, plus the live edits sent since.
    /// `None` until a network has been built.
    pub applied: Option<Config>,
    pub dataset: String,
    pub batches_per_epoch: usize,
    pub state: Option<RunState>,
    /// A build (start-up or reset) was asked for and has not answered yet.
    pub building: bool,
    pub last_batch: Option<BatchMetrics>,
    pub last_epoch: Option<EpochMetrics>,
    pub snapshot: Option<Box<Snapshot>>,
    /// The inspected neuron on the snapshot's sample, when one is selected.
    pub inspection: Option<Box<Inspection>>,
    /// Every neuron's rate at each snapshot of this run: the inspector's history.
    pub neuron_rates: NeuronRates,
    /// The trainer's latest complaint, shown until dismissed.
    pub error: Option<String>,
    pub samples_per_sec: f64,
    pub seconds_per_batch: f64,
    /// Epochs the trainer will stop after, as it last said (`Ready`, then `EpochTarget`).
    pub target_epochs: usize,
    /// Every batch since the window opened: samples and the trainer's seconds for them, the
    /// same measure as the command line's per-epoch samples/s (`--frame-stats` prints it).
    pub trained: (usize, f64),
}

/// What an event changed that the app must act on beyond this struct.
#[derive(Debug)]
pub enum Absorbed {
    Nothing,
    /// A network was (re)built with this configuration.
    Ready(Box<Config>),
    Network(Box<crate::train::trainer::HeldNetwork>),
    /// The trainer runs an imported network now; what was mapped, in one line.
    NetworkReplaced(String),
}

impl Live {
    pub fn new() -> Self {
        Self {
            building: true,
            ..Default::default()
        }
    }

    pub fn is_running(&self) -> bool {
        self.state == Some(RunState::Running)
    }

    pub fn has_network(&self) -> bool {
        self.applied.is_some() && self.state.is_some()
    }

    pub fn absorb(&mut self, event: Event, history: &mut RunHistory) -> Absorbed {
        match event {
            Event::Ready {
                dataset,
                batches_per_epoch,
                config,
            } => {
                self.dataset = dataset;
                self.batches_per_epoch = batches_per_epoch;
                let config = Box::new(Config::from(*config));
                self.target_epochs = config.optim.epochs;
                self.applied = Some((*config).clone());
                self.building = false;
                self.last_batch = None;
                self.last_epoch = None;
                self.samples_per_sec = 0.0;
                self.seconds_per_batch = 0.0;
                self.inspection = None;
                self.neuron_rates = NeuronRates::default();
                history.restart((*config).clone());
                return Absorbed::Ready(config);
            }
            Event::State(s) => self.state = Some(s),
            Event::EpochTarget(epochs) => self.target_epochs = epochs,
            Event::Batch(m) => {
                history.current.record_batch(&m);
                if let Some(a) = &mut self.applied {
                    // The trainer reports what it trained with; trust it over what was sent.
                    a.surrogate = m.surrogate;
                    a.optim.lr = m.lr;
                }
                self.trained.0 += m.samples;
                self.trained.1 += m.seconds;
                let rate = m.samples as f64 / m.seconds.max(1e-9);
                let smooth = |old: f64, new: f64| {
                    if old == 0.0 {
                        new
                    } else {
                        old + EMA * (new - old)
                    }
                };
                self.samples_per_sec = smooth(self.samples_per_sec, rate);
                self.seconds_per_batch = smooth(self.seconds_per_batch, m.seconds);
                self.last_batch = Some(m);
            }
            Event::Epoch(m) => {
                history.current.record_epoch(&m);
                self.last_epoch = Some(m);
            }
            Event::Snapshot(s) => {
                self.neuron_rates.record(&s);
                self.snapshot = Some(s);
            }
            Event::Inspection(i) => self.inspection = Some(i),
            Event::Network(n) => return Absorbed::Network(n),
            Event::NetworkReplaced(summary) => {
                self.error = None;
                return Absorbed::NetworkReplaced(summary);
            }
            Event::Error(e) => {
                self.error = Some(e);
                self.building = false;
            }
        }
        Absorbed::Nothing
    }

    /// Batches done and to do in this run, for the progress bar.
    pub fn progress(&self) -> (usize, usize) {
        let per_epoch = self.batches_per_epoch.max(1);
        let total = self.target_epochs.max(1) * per_epoch;
        let done = self
            .last_batch
            .as_ref()
            .map_or(0, |b| (b.epoch - 1) * per_epoch + b.batch);
        (done.min(total), total)
    }

    /// Seconds left at the recent pace (evaluation time not included).
    pub fn eta_seconds(&self) -> Option<f64> {
        let (done, total) = self.progress();
        (self.seconds_per_batch > 0.0).then(|| (total - done) as f64 * self.seconds_per_batch)
    }
}
