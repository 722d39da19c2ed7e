//! The trainer on its own thread, spoken to only through channels.
//!
//! The window (or a test) sends [`Command`]s and drains [`Event`]s; nothing ever waits on the
//! worker. Commands are applied between batches, so a live edit reaches the very next batch.
//!
//! In the page (wasm32) there is no thread to start: the same worker lives inside the
//! session, and each [`Session::drain`] (once a frame) lets it apply the commands sent since
//! and train for a share of the frame before it is drawn ([`frame_budget`]). The channels, the
//! commands and the events are the same, so the window does not know which it has.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
#[cfg(not(target_arch = "wasm32"))]
use std::thread::JoinHandle;
use std::time::Duration;

use crate::clock::Instant;

use super::config::TrainingConfig;
use super::live::LiveSettings;
use super::metrics::{BatchMetrics, EpochMetrics, Inspection, NeuronRef, Snapshot};
use super::trainer::{HeldNetwork, ImportedNetwork, Trainer};
use crate::snn::network::Weights;

#[derive(Clone, Debug)]
pub enum Command {
    /// Start training, or resume a paused run.
    Start,
    Pause,
    /// Train exactly one batch, then pause.
    Step,
    /// End the run; the weights stay for inspection and export. A later Start resets first.
    Stop,
    /// Rebuild the network from the seed (same seed → same initial weights), optionally with a
    /// new configuration (structural edits).
    Reset(Option<Box<TrainingConfig>>),
    /// New surrogate, regularizers and learning rate for the next batch; refused (with an
    /// error event) unless valid.
    SetLive(LiveSettings),
    /// Which test sample the snapshots show.
    SetSnapshotSample(usize),
    /// The neuron the inspector follows (answered with [`Event::Inspection`] beside every
    /// snapshot and after every live edit), or none.
    Inspect(Option<NeuronRef>),
    /// Ask for the network as it stands, for an export (answered with [`Event::Network`]).
    RequestNetwork,
    /// Replace the weights (imported from a file); refused unless every shape matches.
    LoadWeights(Box<Weights>),
    /// Replace the whole network (weights and dynamics, e.g. read from a NIR file); refused,
    /// with the network in use kept, unless it fits the data set. A reset or a new run
    /// starts again from it; a reset with new settings builds the settings' network.
    ReplaceNetwork(Box<ImportedNetwork>),
    Shutdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// Built, not started (after creation or a reset).
    Idle,
    Running,
    Paused,
    /// All configured epochs done; Start trains that many more.
    Finished,
    Stopped,
}

#[derive(Clone, Debug)]
pub enum Event {
    /// The trainer is built: data set name, batches per epoch, and the settings in force.
    Ready {
        dataset: String,
        batches_per_epoch: usize,
        config: Box<TrainingConfig>,
    },
    State(RunState),
    /// A finished run was started again: it now stops after this many epochs in all (the
    /// settings' `optim.epochs` more). Until this event, the target is `Ready`'s settings'.
    EpochTarget(usize),
    Batch(BatchMetrics),
    Epoch(EpochMetrics),
    Snapshot(Box<Snapshot>),
    Inspection(Box<Inspection>),
    /// The weights as trained, the settings and the imported network, if one runs.
    Network(Box<HeldNetwork>),
    /// The network was replaced ([`Command::ReplaceNetwork`]); what was mapped, in one line.
    NetworkReplaced(String),
    /// Something went wrong; the run is paused and nothing was lost.
    Error(String),
}

/// Snapshots are bounded to this rate so the window never drowns in them.
const SNAPSHOT_INTERVAL: Duration = Duration::from_millis(250);

/// In the page, how long one frame may train before it is drawn, at least: one batch, then
/// none started past the budget.
pub const FRAME_BUDGET: Duration = Duration::from_millis(60);

/// ... and at most, so that the page answers the pointer a few times a second however slowly
/// it draws.
pub const MAX_FRAME_BUDGET: Duration = Duration::from_millis(400);

/// In the page: the training time of the next frame, given how long the page spent outside
/// training since the last one (drawing, the browser's work). Training gets two thirds of the
/// time: where WebGL is drawn in software (SwiftShader, no GPU) a frame costs ~150 ms of the
/// same CPU, and a fixed 60 ms budget left training a quarter of it; on a GPU a frame costs a
/// few ms and the page runs at 10+ frames a second.
///
/// While the user is acting on the page (a button held, a click or a key in this frame) the
/// frame trains only [`FRAME_BUDGET`]: the browser queues input behind a busy frame, so under
/// software drawing a press and its release each waited a whole 400 ms slice plus the drawing
/// (measured 0.7 s per event in headless Chromium); the short slice halves the wait for a
/// release, a slider's next position, the next key.
pub fn frame_budget(outside: Duration, interacting: bool) -> Duration {
    if interacting {
        return FRAME_BUDGET;
    }
    (outside * 2).clamp(FRAME_BUDGET, MAX_FRAME_BUDGET)
}

/// Whether training happens inside [`Session::drain`] (the page) instead of on a thread: the
/// window then asks for the next frame at once while the trainer works.
pub const TRAINS_IN_FRAMES: bool = cfg!(target_arch = "wasm32");

pub struct Session {
    commands: Sender<Command>,
    events: Receiver<Event>,
    #[cfg(not(target_arch = "wasm32"))]
    handle: Option<JoinHandle<()>>,
    #[cfg(target_arch = "wasm32")]
    worker: std::cell::RefCell<Worker>,
    /// In the page: when the last share of training ended.
    #[cfg(target_arch = "wasm32")]
    last_pump: std::cell::Cell<Option<Instant>>,
    /// In the page: whether the user is acting on it this frame ([`frame_budget`]).
    #[cfg(target_arch = "wasm32")]
    interacting: std::cell::Cell<bool>,
}

impl Session {
    /// Starts the worker; it builds the trainer (data and weights) off the caller's thread and
    /// reports [`Event::Ready`] or [`Event::Error`].
    pub fn spawn(config: impl Into<TrainingConfig>) -> Session {
        let config = config.into();
        let (cmd_tx, cmd_rx) = mpsc::channel();
        let (ev_tx, ev_rx) = mpsc::channel();
        #[cfg(not(target_arch = "wasm32"))]
        let handle = std::thread::Builder::new()
            .name("trainer".into())
            .spawn(move || Worker::new(config, cmd_rx, ev_tx).run())
            .ok();
        Session {
            commands: cmd_tx,
            events: ev_rx,
            #[cfg(not(target_arch = "wasm32"))]
            handle,
            #[cfg(target_arch = "wasm32")]
            worker: std::cell::RefCell::new(Worker::new(config, cmd_rx, ev_tx)),
            #[cfg(target_arch = "wasm32")]
            last_pump: std::cell::Cell::new(None),
            #[cfg(target_arch = "wasm32")]
            interacting: std::cell::Cell::new(false),
        }
    }

    pub fn send(&self, command: Command) {
        // A dead worker has already reported why; there is nothing more to do with the command.
        let _ = self.commands.send(command);
    }

    /// Whether the user is acting on the window this frame: in the page the next share of
    /// training is then short ([`frame_budget`]); on a thread it changes nothing.
    pub fn set_interacting(&self, interacting: bool) {
        #[cfg(target_arch = "wasm32")]
        self.interacting.set(interacting);
        #[cfg(not(target_arch = "wasm32"))]
        let _ = interacting;
    }

    /// Every event that has arrived, without waiting (in the page, after this frame's share
    /// of training).
    pub fn drain(&self) -> Vec<Event> {
        #[cfg(target_arch = "wasm32")]
        {
            let outside = self.last_pump.get().map_or(FRAME_BUDGET, |t| t.elapsed());
            self.pump(frame_budget(outside, self.interacting.get()));
            self.last_pump.set(Some(Instant::now()));
        }
        self.events.try_iter().collect()
    }

    /// Waits up to `timeout` for the next event (for tests and the CLI).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn next_event(&self, timeout: Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Trains until the next event or `timeout` (the page cannot block: it works instead).
    #[cfg(target_arch = "wasm32")]
    pub fn next_event(&self, timeout: Duration) -> Option<Event> {
        let started = Instant::now();
        loop {
            if let Ok(event) = self.events.try_recv() {
                return Some(event);
            }
            if started.elapsed() >= timeout {
                return None;
            }
            self.pump(timeout.saturating_sub(started.elapsed()));
        }
    }

    #[cfg(target_arch = "wasm32")]
    fn pump(&self, budget: Duration) {
        // Re-entry cannot happen (one thread, and the worker never calls back into the
        // session), but a borrow failure must not take the page down.
        if let Ok(mut worker) = self.worker.try_borrow_mut() {
            worker.pump(budget);
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// The trainer, or, while there is none, the settings the next reset builds it from.
enum Network {
    Built(Box<Trainer>),
    /// The start-up settings until a build succeeds, or those of a trainer lost to a panic.
    Missing(Box<TrainingConfig>),
}

struct Worker {
    network: Network,
    commands: Receiver<Command>,
    events: Sender<Event>,
    state: RunState,
    target_epochs: usize,
    snapshot_sample: usize,
    last_snapshot: Option<Instant>,
    /// The network a reset starts again from, when one was imported.
    imported: Option<Box<ImportedNetwork>>,
    inspected: Option<NeuronRef>,
    /// In the page: whether the first build has run (it runs in the first frame's pump).
    #[cfg(target_arch = "wasm32")]
    started: bool,
    #[cfg(target_arch = "wasm32")]
    shut_down: bool,
}

impl Worker {
    fn new(config: TrainingConfig, commands: Receiver<Command>, events: Sender<Event>) -> Self {
        Self {
            target_epochs: config.optim.epochs,
            network: Network::Missing(Box::new(config)),
            commands,
            events,
            state: RunState::Idle,
            snapshot_sample: 0,
            last_snapshot: None,
            imported: None,
            inspected: None,
            #[cfg(target_arch = "wasm32")]
            started: false,
            #[cfg(target_arch = "wasm32")]
            shut_down: false,
        }
    }

    fn trainer(&self) -> Option<&Trainer> {
        match &self.network {
            Network::Built(t) => Some(t),
            Network::Missing(_) => None,
        }
    }

    /// The settings in force: the trainer's (live edits included), or those waiting for a build.
    fn settings(&self) -> TrainingConfig {
        match &self.network {
            Network::Built(t) => t.config().clone(),
            Network::Missing(c) => (**c).clone(),
        }
    }

    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    fn set_state(&mut self, state: RunState) {
        self.state = state;
        self.emit(Event::State(state));
    }

    /// Builds the trainer for `config`, reusing the loaded data when the data settings match.
    /// On failure the trainer (or the settings) in force stay.
    fn rebuild(&mut self, config: TrainingConfig) {
        let reuse = self
            .trainer()
            .filter(|t| t.config().data == config.data)
            .map(|t| t.data().clone());
        let built = catch_unwind(AssertUnwindSafe(|| match reuse {
            Some(data) => Trainer::with_data(config, data),
            None => Trainer::new(config),
        }));
        match built {
            Ok(Ok(mut trainer)) => {
                if let Some(network) = &self.imported
                    && let Err(why) = trainer.import((**network).clone())
                {
                    self.imported = None;
                    self.emit(Event::Error(format!("imported network dropped: {why}")));
                }
                self.target_epochs = trainer.config().optim.epochs;
                self.emit(Event::Ready {
                    dataset: trainer.data().name.clone(),
                    batches_per_epoch: trainer.batches_per_epoch(),
                    config: Box::new(trainer.config().clone()),
                });
                self.network = Network::Built(Box::new(trainer));
                self.set_state(RunState::Idle);
                self.send_snapshot();
            }
            Ok(Err(e)) => self.emit(Event::Error(format!("cannot build the network: {e}"))),
            Err(panic) => self.emit(Event::Error(format!(
                "cannot build the network: internal error: {}",
                panic_message(&panic)
            ))),
        }
    }

    fn send_snapshot(&mut self) {
        let Network::Built(t) = &self.network else {
            return;
        };
        self.last_snapshot = Some(Instant::now());
        // A snapshot is a view: if making one fails, say so and keep the worker alive.
        match catch_unwind(AssertUnwindSafe(|| t.snapshot(self.snapshot_sample))) {
            Ok(snap) => self.emit(Event::Snapshot(Box::new(snap))),
            Err(panic) => self.emit(Event::Error(format!(
                "cannot draw the sample: internal error: {}",
                panic_message(&panic)
            ))),
        }
        self.send_inspection();
    }

    /// The inspected neuron on the snapshot's sample, if one is selected and exists.
    fn send_inspection(&self) {
        let (Network::Built(t), Some(at)) = (&self.network, self.inspected) else {
            return;
        };
        match catch_unwind(AssertUnwindSafe(|| t.inspect(self.snapshot_sample, at))) {
            Ok(Some(inspection)) => self.emit(Event::Inspection(Box::new(inspection))),
            Ok(None) => {}
            Err(panic) => self.emit(Event::Error(format!(
                "cannot inspect the neuron: internal error: {}",
                panic_message(&panic)
            ))),
        }
    }

    /// The page's worker loop, one frame at a time: the first call builds the network; later
    /// ones apply every queued command, then train batch after batch while running until
    /// `budget` is spent (a batch is never cut, so a frame trains at least one).
    #[cfg(target_arch = "wasm32")]
    fn pump(&mut self, budget: Duration) {
        if self.shut_down {
            return;
        }
        if !self.started {
            self.started = true;
            self.rebuild(self.settings());
            return;
        }
        let started = Instant::now();
        loop {
            match self.commands.try_recv() {
                Ok(Command::Shutdown) | Err(TryRecvError::Disconnected) => {
                    self.shut_down = true;
                    return;
                }
                Ok(c) => {
                    self.handle(c);
                    continue;
                }
                Err(TryRecvError::Empty) => {}
            }
            if self.state != RunState::Running || started.elapsed() >= budget {
                return;
            }
            self.train_one();
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn run(mut self) {
        self.rebuild(self.settings());
        loop {
            let command = if self.state == RunState::Running {
                match self.commands.try_recv() {
                    Ok(c) => Some(c),
                    Err(TryRecvError::Empty) => None,
                    Err(TryRecvError::Disconnected) => return,
                }
            } else {
                match self.commands.recv() {
                    Ok(c) => Some(c),
                    Err(_) => return,
                }
            };
            match command {
                Some(Command::Shutdown) => return,
                Some(c) => self.handle(c),
                None => self.train_one(),
            }
        }
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Start => {
                if self.trainer().is_none() {
                    self.emit(Event::Error(
                        "no network to train: fix the configuration and reset".into(),
                    ));
                    return;
                }
                match self.state {
                    RunState::Stopped => self.rebuild(self.settings()),
                    RunState::Finished => {
                        self.target_epochs += self.settings().optim.epochs.max(1);
                        self.emit(Event::EpochTarget(self.target_epochs));
                    }
                    _ => {}
                }
                self.set_state(RunState::Running);
            }
            Command::Pause => {
                if self.state == RunState::Running {
                    self.set_state(RunState::Paused);
                }
            }
            Command::Step => {
                if self.state == RunState::Stopped {
                    // A stopped run is over: stepping starts a new one, as Start would.
                    self.rebuild(self.settings());
                }
                if self.trainer().is_some() {
                    self.train_one();
                    if self.state != RunState::Finished {
                        self.set_state(RunState::Paused);
                    }
                    self.send_snapshot();
                }
            }
            Command::Stop => {
                if self.trainer().is_some() {
                    self.set_state(RunState::Stopped);
                }
            }
            Command::Reset(config) => {
                if config.is_some() {
                    // New settings describe a new network: the imported one is let go.
                    self.imported = None;
                }
                let config = config.map_or_else(|| self.settings(), |c| *c);
                self.rebuild(config);
            }
            Command::SetLive(live) => match live.validate() {
                Err(e) => self.emit(Event::Error(format!("live edit refused: {e}"))),
                Ok(()) => {
                    match &mut self.network {
                        Network::Built(t) => t.set_live(live),
                        Network::Missing(c) => c.set_live(live),
                    }
                    // β or the shape moved: the inspector shows the new window at once.
                    self.send_inspection();
                }
            },
            Command::SetSnapshotSample(i) => {
                self.snapshot_sample = i;
                self.send_snapshot();
            }
            Command::Inspect(at) => {
                self.inspected = at;
                self.send_inspection();
            }
            Command::RequestNetwork => {
                if let Some(t) = self.trainer() {
                    self.emit(Event::Network(Box::new(t.held())));
                }
            }
            Command::LoadWeights(weights) => {
                let Network::Built(t) = &mut self.network else {
                    self.emit(Event::Error("no network to load weights into".into()));
                    return;
                };
                match t.weights().shape_mismatch(&weights) {
                    Some(why) => self.emit(Event::Error(format!("weights refused: {why}"))),
                    None => {
                        t.set_weights(*weights);
                        self.send_snapshot();
                    }
                }
            }
            Command::ReplaceNetwork(network) => self.replace_network(network),
            Command::Shutdown => {}
        }
    }

    fn replace_network(&mut self, network: Box<ImportedNetwork>) {
        let Network::Built(t) = &mut self.network else {
            self.emit(Event::Error(
                "no data set to run the network on: fix the configuration and reset".into(),
            ));
            return;
        };
        match t.import((*network).clone()) {
            Err(why) => self.emit(Event::Error(format!("network refused: {why}"))),
            Ok(()) => {
                let summary = network.summary.clone();
                self.imported = Some(network);
                if self.state == RunState::Running {
                    self.set_state(RunState::Paused);
                }
                self.emit(Event::NetworkReplaced(summary));
                self.send_snapshot();
            }
        }
    }

    fn train_one(&mut self) {
        let Network::Built(trainer) = &mut self.network else {
            self.set_state(RunState::Idle);
            return;
        };
        let result = catch_unwind(AssertUnwindSafe(|| {
            let batch = trainer.train_batch()?;
            let epoch = batch.epoch_done.then(|| trainer.finish_epoch());
            Ok::<_, super::trainer::TrainError>((batch, epoch, trainer.epochs_done()))
        }));
        match result {
            Ok(Ok((batch, epoch, epochs_done))) => {
                self.emit(Event::Batch(batch));
                if let Some(e) = epoch {
                    self.emit(Event::Epoch(e));
                    if epochs_done >= self.target_epochs {
                        self.set_state(RunState::Finished);
                        self.send_snapshot();
                    }
                }
                if self
                    .last_snapshot
                    .is_none_or(|t| t.elapsed() >= SNAPSHOT_INTERVAL)
                {
                    self.send_snapshot();
                }
            }
            Ok(Err(e)) => {
                self.emit(Event::Error(e.to_string()));
                self.set_state(RunState::Paused);
            }
            Err(panic) => {
                // A panic inside burn leaves the trainer in an unknown state: drop it, keeping
                // its settings for the reset.
                let settings = trainer.config().clone();
                self.network = Network::Missing(Box::new(settings));
                self.emit(Event::Error(format!(
                    "internal error during training ({}); reset to continue",
                    panic_message(&panic)
                )));
                self.set_state(RunState::Paused);
            }
        }
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

#[cfg(test)]
mod budget_tests {
    use super::*;

    #[test]
    fn the_page_trains_two_thirds_of_the_time_within_bounds() {
        let ms = Duration::from_millis;
        assert_eq!(frame_budget(ms(150), false), ms(300));
        assert_eq!(frame_budget(ms(5), false), FRAME_BUDGET);
        assert_eq!(frame_budget(ms(5_000), false), MAX_FRAME_BUDGET);
        // The user's input cuts the slice short, whatever the drawing costs.
        assert_eq!(frame_budget(ms(150), true), FRAME_BUDGET);
        assert_eq!(frame_budget(ms(5_000), true), FRAME_BUDGET);
    }
}
