//! The explorer window: controls on the left, run controls on top, live plots in the middle.
//!
//! The app only composes panels. Panels read state and return [`Action`]s; this file turns
//! actions into trainer commands. The window knows the trainer only through the session's
//! channels, and no frame ever waits on it: events are drained without blocking and the window
//! repaints on a timer while anything is in flight.

pub mod controls;
pub mod dialogs;
pub mod edits;
pub mod file_menu;
pub mod frame_stats;
pub mod history;
pub mod launch;
pub mod live;
pub mod plots;
pub mod run_bar;
pub mod screenshot;
pub mod sweep_view;

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use eframe::egui;

use crate::config::Config;
use crate::train::{Command, RunState, Session};
use dialogs::{DialogKind, Dialogs};
use frame_stats::FrameStats;
use history::RunHistory;
use live::{Absorbed, Live};
use screenshot::{Automation, Phase, ScreenshotSaver};

pub use launch::{LaunchOptions, run};

/// Window size on start; `--screenshot` PNGs have this size (at one pixel per point).
pub const WINDOW_SIZE: [f32; 2] = [1440.0, 900.0];

/// Repaint interval while something changes without input (training, a build, a dialog):
/// 10 frames/s reads as live (snapshots come at 4/s) and leaves the CPU to the trainer, which
/// matters most where the window is drawn in software.
const BUSY_REPAINT: Duration = Duration::from_millis(100);
/// When idle, the window still polls now and then for late events.
const IDLE_REPAINT: Duration = Duration::from_millis(250);

/// What a panel asks the app to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Start,
    Pause,
    Step,
    /// Rebuild from the seed with the configuration on screen.
    Reset,
    /// Put the controls back to what the trainer runs with.
    DiscardEdits,
    KeepRun,
    ClearKeptRuns,
    SelectSample(usize),
    /// Which hidden layer's membranes are traced.
    TraceLayer(usize),
    OpenDialog(DialogKind),
    DismissError,
    DismissMessage,
}

/// A line for the user about something the window did (saved a file, refused one).
#[derive(Clone, Debug)]
pub struct Message {
    pub text: String,
    pub is_error: bool,
}

/// State the window owns: the configuration being edited and what is selected.
pub struct UiState {
    /// The controls' configuration; live settings are sent on change, the rest waits for a
    /// reset.
    pub draft: Config,
    /// Test sample shown in the raster and traces.
    pub sample: usize,
    /// Hidden layer whose membranes are traced.
    pub trace_layer: usize,
    pub message: Option<Message>,
    /// Whether wgpu can run here, once checked (`Err` says why not).
    pub wgpu: WgpuCheck,
}

#[derive(Debug, Default)]
pub enum WgpuCheck {
    #[default]
    Unchecked,
    Checking(Receiver<Result<(), String>>),
    Available,
    Unavailable(String),
}

pub struct ExplorerApp {
    session: Session,
    live: Live,
    ui: UiState,
    history: RunHistory,
    dialogs: Box<dyn Dialogs>,
    saver: ScreenshotSaver,
    automation: Option<Automation>,
    frame_stats: Option<FrameStats>,
    /// Where the weights asked of the trainer go when they arrive.
    weights_to: Option<PathBuf>,
    /// Results of writes running off the UI thread.
    jobs: (mpsc::Sender<Message>, Receiver<Message>),
    sweep: sweep_view::SweepView,
}

impl ExplorerApp {
    /// Starts the trainer thread on `config` and shows it; `dialogs` answers the File menu.
    pub fn new(ctx: &egui::Context, config: Config, dialogs: Box<dyn Dialogs>) -> Self {
        install_fonts(ctx);
        let session = Session::spawn(config.clone());
        Self {
            session,
            live: Live::new(),
            ui: UiState {
                draft: config,
                sample: 0,
                trace_layer: 0,
                message: None,
                wgpu: WgpuCheck::Unchecked,
            },
            history: RunHistory::default(),
            dialogs,
            saver: ScreenshotSaver::default(),
            automation: None,
            frame_stats: None,
            weights_to: None,
            jobs: mpsc::channel(),
            sweep: sweep_view::SweepView::default(),
        }
    }

    pub fn with_automation(mut self, automation: Automation) -> Self {
        self.automation = Some(automation);
        self
    }

    pub fn with_frame_stats(mut self) -> Self {
        self.frame_stats = Some(FrameStats::default());
        self
    }

    // Read-only views for tests and `main`.

    pub fn run_state(&self) -> Option<RunState> {
        self.live.state
    }

    pub fn live(&self) -> &Live {
        &self.live
    }

    pub fn draft(&self) -> &Config {
        &self.ui.draft
    }

    pub fn history(&self) -> &RunHistory {
        &self.history
    }

    pub fn message(&self) -> Option<&Message> {
        self.ui.message.as_ref()
    }

    pub fn wgpu_check(&self) -> &WgpuCheck {
        &self.ui.wgpu
    }

    pub fn sweep_view(&mut self) -> &mut sweep_view::SweepView {
        &mut self.sweep
    }

    pub fn frame_stats(&self) -> Option<&FrameStats> {
        self.frame_stats.as_ref()
    }

    /// Structural edits waiting for a reset.
    pub fn pending_reset(&self) -> Vec<edits::DiffEntry> {
        match &self.live.applied {
            Some(applied) => edits::structural_changes(&self.ui.draft, applied),
            None => Vec::new(),
        }
    }

    fn send(&self, command: Command) {
        self.session.send(command);
    }

    fn absorb_events(&mut self) {
        for event in self.session.drain() {
            match self.live.absorb(event, &mut self.history) {
                Absorbed::Nothing => {}
                Absorbed::Ready(_) => {
                    if self.ui.sample != 0 {
                        self.send(Command::SetSnapshotSample(self.ui.sample));
                    }
                }
                Absorbed::Weights(w) => self.export_weights(*w),
            }
        }
    }

    /// Reads a weight file and hands it to the trainer, which refuses shapes that differ from
    /// its network (the refusal arrives as an error event).
    fn import_weights(&mut self, path: &std::path::Path) -> Message {
        let loaded = crate::io::weights::load_safetensors(path).and_then(|file| {
            crate::io::weights::weights_from_file(&file, &burn::tensor::Device::flex())
                .map_err(|e| format!("{}: {e}", path.display()))
        });
        match loaded {
            Ok(weights) => {
                self.send(Command::LoadWeights(Box::new(weights)));
                Message {
                    text: format!("imported weights from {}", path.display()),
                    is_error: false,
                }
            }
            Err(e) => Message {
                text: format!("weights not imported: {e}"),
                is_error: true,
            },
        }
    }

    /// Writes weights the trainer sent to the file the user chose, off the UI thread.
    fn export_weights(&mut self, weights: crate::snn::network::Weights) {
        let Some(path) = self.weights_to.take() else {
            return;
        };
        let config = self.live.applied.clone().unwrap_or_default();
        let summary = crate::io::weights::TrainingSummary {
            epoch: self.live.last_epoch.as_ref().map(|e| e.epoch),
            test_acc: self.live.last_epoch.as_ref().map(|e| e.test_acc),
        };
        let tx = self.jobs.0.clone();
        let spawned = std::thread::Builder::new()
            .name("export-weights".into())
            .spawn(move || {
                let result =
                    crate::io::weights::save_by_extension(&path, &weights, &config, &summary);
                let _ = tx.send(match result {
                    Ok(()) => Message {
                        text: format!("exported weights to {}", path.display()),
                        is_error: false,
                    },
                    Err(e) => Message {
                        text: format!("weights not exported: {e}"),
                        is_error: true,
                    },
                });
            });
        if let Err(e) = spawned {
            self.ui.message = Some(Message {
                text: format!("weights not exported: cannot start the writer: {e}"),
                is_error: true,
            });
        }
    }

    /// Sends every live edit (β, shape, regularizers, learning rate) the moment it is made.
    fn send_live_edits(&mut self) {
        if let Some(applied) = &mut self.live.applied
            && let Some(c) = edits::live_command(&self.ui.draft, applied)
        {
            self.session.send(c);
        }
    }

    fn poll_wgpu_check(&mut self) {
        if self.ui.draft.backend != "wgpu" {
            return;
        }
        match &self.ui.wgpu {
            WgpuCheck::Unchecked => {
                // Probing initializes a GPU runtime: seconds, so never on the UI thread.
                let (tx, rx) = mpsc::channel();
                let spawned =
                    std::thread::Builder::new()
                        .name("wgpu-probe".into())
                        .spawn(move || {
                            let _ = tx.send(
                                crate::backend::device("wgpu")
                                    .map(|_| ())
                                    .map_err(|e| e.to_string()),
                            );
                        });
                self.ui.wgpu = match spawned {
                    Ok(_) => WgpuCheck::Checking(rx),
                    Err(e) => WgpuCheck::Unavailable(format!("cannot check wgpu: {e}")),
                };
            }
            WgpuCheck::Checking(rx) => match rx.try_recv() {
                Ok(Ok(())) => self.ui.wgpu = WgpuCheck::Available,
                Ok(Err(why)) => self.ui.wgpu = WgpuCheck::Unavailable(why),
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.ui.wgpu = WgpuCheck::Unavailable("wgpu check crashed".into())
                }
            },
            WgpuCheck::Available => {}
            WgpuCheck::Unavailable(why) => {
                // The run stays on the CPU backend it has.
                let cpu = self
                    .live
                    .applied
                    .as_ref()
                    .map(|c| c.backend.clone())
                    .filter(|b| b != "wgpu")
                    .unwrap_or_else(|| "flex".into());
                self.ui.message = Some(Message {
                    text: format!("{why}. The run stays on {cpu}."),
                    is_error: true,
                });
                self.ui.draft.backend = cpu;
            }
        }
    }

    fn handle(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::Start => self.send(Command::Start),
            Action::Pause => self.send(Command::Pause),
            Action::Step => self.send(Command::Step),
            Action::Reset => match self.ui.draft.validate() {
                Ok(()) => {
                    self.live.building = true;
                    self.live.error = None;
                    self.send(Command::Reset(Some(Box::new(
                        self.ui.draft.training.clone(),
                    ))));
                }
                Err(e) => {
                    self.ui.message = Some(Message {
                        text: format!("cannot reset: {e}"),
                        is_error: true,
                    })
                }
            },
            Action::DiscardEdits => {
                if let Some(applied) = &self.live.applied {
                    self.ui.draft = applied.clone();
                }
            }
            Action::KeepRun => {
                if !self.history.keep_current() {
                    self.ui.message = Some(Message {
                        text: "nothing to keep yet: train a few batches first".into(),
                        is_error: false,
                    });
                }
            }
            Action::ClearKeptRuns => self.history.clear_kept(),
            Action::SelectSample(i) => {
                self.ui.sample = i;
                self.send(Command::SetSnapshotSample(i));
            }
            Action::TraceLayer(i) => self.ui.trace_layer = i,
            Action::OpenDialog(kind) => {
                let name = match kind {
                    DialogKind::OpenExperiment
                    | DialogKind::ImportWeights
                    | DialogKind::DataFolder
                    | DialogKind::ShdTrain
                    | DialogKind::ShdTest => "",
                    DialogKind::SaveExperiment => "experiment.toml",
                    DialogKind::ExportWeights => "weights.safetensors",
                    DialogKind::SavePng => "surrogate-lab.png",
                };
                self.dialogs.start(kind, name);
            }
            Action::DismissError => self.live.error = None,
            Action::DismissMessage => self.ui.message = None,
        }
        ctx.request_repaint();
    }

    fn poll_dialogs(&mut self, ctx: &egui::Context) {
        let Some((kind, path)) = self.dialogs.poll() else {
            return;
        };
        // A cancelled dialog changes nothing.
        let Some(path) = path else { return };
        if kind == DialogKind::ExportWeights {
            self.weights_to = Some(path);
            self.send(Command::RequestWeights);
            return;
        }
        if kind == DialogKind::ImportWeights {
            self.ui.message = Some(self.import_weights(&path));
            return;
        }
        let message = file_menu::complete(kind, &path, &mut self.ui.draft, &mut self.saver, ctx);
        self.ui.message = message;
    }

    fn poll_saves(&mut self) {
        if let Some(m) = self.jobs.1.try_iter().last() {
            self.ui.message = Some(m);
        }
        for (path, result) in self.saver.poll() {
            let automated = self
                .automation
                .as_ref()
                .is_some_and(|a| a.path == path && a.phase == Phase::Saving);
            self.ui.message = Some(match &result {
                Ok([w, h]) => Message {
                    text: format!("saved {} ({w}×{h})", path.display()),
                    is_error: false,
                },
                Err(e) => Message {
                    text: e.clone(),
                    is_error: true,
                },
            });
            if automated && let Some(a) = &mut self.automation {
                match &result {
                    Ok([w, h]) => {
                        eprintln!("wrote {} ({w}×{h})", path.display());
                        a.exit_code.store(0, std::sync::atomic::Ordering::SeqCst);
                    }
                    Err(e) => eprintln!("error: {e}"),
                }
                a.phase = Phase::Done;
            }
        }
    }

    /// `--screenshot`: drives the same actions a user would.
    fn automate(&mut self, ctx: &egui::Context) -> Vec<Action> {
        let mut actions = Vec::new();
        let Some(a) = &mut self.automation else {
            return actions;
        };
        match a.phase {
            Phase::WaitingForNetwork { since } => {
                if self.live.has_network() && !self.live.building {
                    actions.push(Action::Start);
                    a.phase = Phase::Training {
                        since: Instant::now(),
                    };
                } else if self.live.error.is_some() || since.elapsed() > screenshot::BUILD_TIMEOUT {
                    // Photograph the failure: the window says what went wrong.
                    a.phase = Phase::Saving;
                    self.saver.request(ctx, a.path.clone());
                }
            }
            Phase::Training { since } => {
                if since.elapsed() < a.train_for {
                    return actions;
                }
                let edited = a.compare.take().map(|kv| self.ui.draft.set(&kv));
                match edited {
                    Some(Ok(config)) => {
                        self.ui.draft = config;
                        actions.extend([Action::KeepRun, Action::Reset]);
                        a.phase = Phase::WaitingForNetwork {
                            since: Instant::now(),
                        };
                    }
                    other => {
                        if let Some(Err(e)) = other {
                            eprintln!("error: --compare: {e}");
                        }
                        a.phase = Phase::Saving;
                        self.saver.request(ctx, a.path.clone());
                    }
                }
            }
            Phase::Saving => {}
            Phase::Done => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
        actions
    }

    /// Structural edits and the banners above the plots.
    fn notifications(&self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut actions = Vec::new();
        if let Some(e) = &self.live.error {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("⚠ trainer: {}", glyph_safe(e)),
                );
                if ui.small_button("✖").on_hover_text("Dismiss").clicked() {
                    actions.push(Action::DismissError);
                }
            });
        }
        let pending = self.pending_reset();
        if !pending.is_empty() {
            ui.horizontal_wrapped(|ui| {
                let what: Vec<String> = pending.iter().map(|d| d.short(&d.right)).collect();
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("Needs a reset to apply: {}", what.join(", ")),
                );
                if ui.button("⟲ Reset to apply").clicked() {
                    actions.push(Action::Reset);
                }
                if ui.button("Discard edits").clicked() {
                    actions.push(Action::DiscardEdits);
                }
            });
        }
        if let Some(m) = &self.ui.message {
            ui.horizontal_wrapped(|ui| {
                let color = if m.is_error {
                    ui.visuals().error_fg_color
                } else {
                    ui.visuals().text_color()
                };
                ui.colored_label(color, &m.text);
                if ui
                    .small_button("✖")
                    .on_hover_text("Dismiss message")
                    .clicked()
                {
                    actions.push(Action::DismissMessage);
                }
            });
        }
        actions
    }
}

impl eframe::App for ExplorerApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if let (Some(stats), Some(cpu)) = (&mut self.frame_stats, frame.info().cpu_usage) {
            stats.record(cpu);
        }
        let ctx = ui.ctx().clone();
        self.absorb_events();
        self.poll_wgpu_check();
        self.poll_dialogs(&ctx);
        self.poll_saves();
        let mut actions = self.automate(&ctx);

        egui::Panel::top("menu").show(ui, |ui| {
            actions.extend(file_menu::show(
                ui,
                self.dialogs.busy(),
                self.live.has_network(),
            ));
        });
        egui::Panel::top("run").show(ui, |ui| {
            actions.extend(run_bar::show(ui, &self.live, &self.history));
            actions.extend(self.notifications(ui));
        });
        egui::Panel::left("controls")
            .resizable(true)
            .default_size(360.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    actions.extend(controls::show(ui, &mut self.ui, &self.live, &self.history));
                });
            });
        egui::CentralPanel::default().show(ui, |ui| {
            if sweep_view::tabs(ui, &mut self.sweep) {
                self.sweep.ui(ui, &self.ui.draft);
            } else {
                actions.extend(plots::show(ui, &self.live, &self.history, &self.ui));
            }
        });

        for action in actions {
            self.handle(&ctx, action);
        }
        // After the panels, so a slider moved in this frame reaches the trainer in this frame.
        self.send_live_edits();
        let busy = self.live.is_running()
            || self.live.building
            || self.dialogs.busy()
            || self.saver.pending()
            || self.weights_to.is_some()
            || self.automation.is_some()
            || self.sweep.is_running()
            || matches!(self.ui.wgpu, WgpuCheck::Checking(_));
        ctx.request_repaint_after(if busy { BUSY_REPAINT } else { IDLE_REPAINT });
    }

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        // A screenshot shows the plots, not a tooltip under wherever the pointer happens to be.
        if self.automation.is_some() {
            raw_input.events.retain(|e| {
                !matches!(
                    e,
                    egui::Event::PointerMoved(_)
                        | egui::Event::MouseMoved(_)
                        | egui::Event::PointerButton { .. }
                        | egui::Event::MouseWheel { .. }
                )
            });
            raw_input.events.push(egui::Event::PointerGone);
        }
    }

    fn on_exit(&mut self) {
        if let Some(stats) = &self.frame_stats {
            eprintln!("{}", stats.report());
        }
    }
}

/// Text from the engine, written for the paper's symbols, with the one the bundled fonts lack
/// (ϑ, the threshold) spelled out.
pub fn glyph_safe(text: &str) -> String {
    text.replace('ϑ', "U_th")
}

/// egui's fonts plus Hack as a fallback for proportional text, which has the arrows, norms and
/// subscripts that Ubuntu-Light lacks. Tests install the same fonts, so a glyph that would show
/// as a box in the window fails a test instead.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if let Some(family) = fonts.families.get_mut(&egui::FontFamily::Proportional)
        && !family.iter().any(|f| f == "Hack")
    {
        let at = family.len().min(1);
        family.insert(at, "Hack".to_owned());
    }
    ctx.set_fonts(fonts);
}
