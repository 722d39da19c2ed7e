//! The explorer window: controls on the left, run controls on top, live plots in the middle.
//!
//! The app only composes panels. Panels read state and return [`Action`]s; this file turns
//! actions into trainer commands. The window knows the trainer only through the session's
//! channels, and no frame ever waits on it: every queued event is drained, without blocking, at
//! the start of a frame, and the window repaints on a timer while anything is in flight
//! ([`redraw`]).

pub mod actions;
pub mod banners;
pub mod controls;
pub mod dialogs;
pub mod edits;
pub mod file_jobs;
pub mod file_menu;
pub mod fonts;
pub mod frame_stats;
pub mod history;
pub mod inspector;
#[cfg(not(target_arch = "wasm32"))]
pub mod launch;
pub mod lesson_panel;
pub mod live;
pub mod open_network;
#[cfg(target_arch = "wasm32")]
pub mod page;
pub mod plots;
pub mod redraw;
pub mod run_bar;
pub mod screenshot;
pub mod share;
pub mod sweep_view;
pub mod task;
pub mod weight_files;
pub mod wgpu_check;

use eframe::egui;

use crate::config::Config;
use crate::train::{Command, RunState, Session};
use dialogs::{Dialogs, FileChooser};
use frame_stats::FrameStats;
use history::RunHistory;
use live::{Absorbed, Live};
use screenshot::{Automation, ScreenshotSaver};
use weight_files::WeightFiles;

pub use actions::Action;
pub use fonts::{glyph_safe, install_fonts};
#[cfg(not(target_arch = "wasm32"))]
pub use launch::{LaunchOptions, run};
pub use wgpu_check::WgpuCheck;

/// Window size on start; `--screenshot` PNGs have this size (at one pixel per point).
pub const WINDOW_SIZE: [f32; 2] = [1440.0, 900.0];

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
    /// The lesson on screen, if any.
    pub lesson: Option<lesson_panel::OpenLesson>,
    /// The Paste experiment box, while open.
    pub paste: Option<share::PasteBox>,
    /// The hidden neuron the inspector follows.
    pub selected: Option<crate::train::metrics::NeuronRef>,
    /// The time marked in every time plot.
    pub cursor: plots::cursor::TimeCursor,
}

pub struct ExplorerApp {
    ctx: egui::Context,
    session: Session,
    live: Live,
    ui: UiState,
    history: RunHistory,
    dialogs: FileChooser,
    saver: ScreenshotSaver,
    automation: Option<Automation>,
    frame_stats: Option<FrameStats>,
    renderer: redraw::Renderer,
    weights: WeightFiles,
    files: file_jobs::FileJobs,
    sweep: sweep_view::SweepView,
    open_network: open_network::OpenNetwork,
}

impl ExplorerApp {
    /// Starts the trainer thread on `config` and shows it; `dialogs` are the system's file
    /// dialogs (the window falls back to its own where they cannot be shown).
    pub fn new(ctx: &egui::Context, config: Config, dialogs: Box<dyn Dialogs>) -> Self {
        install_fonts(ctx);
        let session = Session::spawn(config.clone());
        Self {
            ctx: ctx.clone(),
            session,
            live: Live::new(),
            ui: UiState {
                draft: config,
                sample: 0,
                trace_layer: 0,
                message: None,
                wgpu: WgpuCheck::Unchecked,
                lesson: None,
                paste: None,
                selected: None,
                cursor: Default::default(),
            },
            history: RunHistory::default(),
            dialogs: FileChooser::new(dialogs),
            saver: ScreenshotSaver::default(),
            automation: None,
            frame_stats: None,
            renderer: redraw::Renderer::Unknown,
            weights: WeightFiles::default(),
            files: file_jobs::FileJobs::default(),
            sweep: sweep_view::SweepView::default(),
            open_network: open_network::OpenNetwork::default(),
        }
    }

    pub fn with_automation(mut self, automation: Automation) -> Self {
        self.automation = Some(automation);
        self
    }

    /// Shows `lesson`'s steps; the window runs the configuration it was started with (the
    /// lesson's experiment, plus any `--set` edits, for `surrogate-lab lesson`).
    pub fn with_lesson(mut self, lesson: crate::config::Lesson) -> Self {
        self.ui.lesson = Some(lesson_panel::OpenLesson::new(lesson));
        self
    }

    /// Opens the inspector on `at` (`--select-neuron`).
    pub fn with_selected_neuron(mut self, at: crate::train::metrics::NeuronRef) -> Self {
        self.handle(Action::SelectNeuron(Some(at)));
        self
    }

    /// Shows the Sweep tab on `study`'s preset with its committed results (`--study`).
    pub fn with_study(mut self, study: crate::sweep::studies::Study) -> Self {
        self.sweep.shown = true;
        self.sweep.pick_preset(study);
        let base = self.sweep.preset_base.clone().unwrap_or_default();
        self.sweep.open_results(&base);
        self
    }

    pub fn selected_neuron(&self) -> Option<crate::train::metrics::NeuronRef> {
        self.ui.selected
    }

    pub fn time_cursor(&self) -> plots::cursor::TimeCursor {
        self.ui.cursor
    }

    pub fn lesson(&self) -> Option<&lesson_panel::OpenLesson> {
        self.ui.lesson.as_ref()
    }

    /// Runs the network of a NIR file opened before the window (`--open-network`).
    pub fn with_network(
        mut self,
        path: &std::path::Path,
        opened: &crate::nir::import::Opened,
    ) -> Self {
        let command = self.open_network.send(path, opened);
        self.send(command);
        self
    }

    /// The imported network in use, if any.
    pub fn network_in_use(&self) -> Option<&open_network::NetworkInUse> {
        self.open_network.in_use.as_ref()
    }

    /// Opens with `message` in the banner (a shared link that was refused, say).
    pub fn with_message(mut self, message: Message) -> Self {
        self.ui.message = Some(message);
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

    /// The run in one line: state, epoch, loss, test accuracy, speed. The page shows it as the
    /// tab's title (the browser test reads it back).
    pub fn status_line(&self) -> String {
        let state = match self.live.state {
            _ if self.live.building => "building",
            None => "starting",
            Some(RunState::Idle) => "ready",
            Some(RunState::Running) => "training",
            Some(RunState::Paused) => "paused",
            Some(RunState::Finished) => "finished",
            Some(RunState::Stopped) => "stopped",
        };
        let mut line = format!("surrogate-lab · {state}");
        if let Some(open) = &self.ui.lesson {
            line += &format!(" · lesson {:?}", open.lesson.title);
        }
        if let Some(applied) = &self.live.applied {
            line += &format!(" · {} · β {}", self.live.dataset, applied.surrogate.beta);
        }
        if let Some(b) = &self.live.last_batch {
            line += &format!(
                " · epoch {} batch {}/{}",
                b.epoch, b.batch, b.batches_per_epoch
            );
            // The β the trainer used for that batch: a live edit shows here once it is in force.
            line += &format!(" · loss {:.4} at β {}", b.loss, b.surrogate.beta);
        }
        if let Some(e) = &self.live.last_epoch {
            line += &format!(" · epochs done {} · test acc {:.3}", e.epoch, e.test_acc);
        }
        let (samples, secs) = self.live.trained;
        if samples > 0 {
            line += &format!(
                " · {samples} samples trained, {:.0} samples/s",
                samples as f64 / secs.max(1e-9)
            );
        }
        line
    }

    /// The link that opens what is on screen: the draft experiment, inside the built-in
    /// lesson that is open, if one is. `base` is the page's address.
    pub fn share_link(&self, base: &str) -> String {
        let lesson = self
            .ui
            .lesson
            .as_ref()
            .and_then(|open| share::built_in_name(&open.lesson.title));
        format!("{base}#{}", share::link_fragment(&self.ui.draft, lesson))
    }

    fn send(&self, command: Command) {
        self.session.send(command);
    }

    fn absorb_events(&mut self) {
        let interacting = self.ctx.input(|i| {
            i.pointer.any_down()
                || i.events.iter().any(|e| {
                    matches!(
                        e,
                        egui::Event::PointerButton { .. }
                            | egui::Event::Key { .. }
                            | egui::Event::Text(_)
                            | egui::Event::MouseWheel { .. }
                    )
                })
        });
        self.session.set_interacting(interacting);
        for event in self.session.drain() {
            match self.live.absorb(event, &mut self.history) {
                Absorbed::Nothing => {}
                Absorbed::Ready(_) => {
                    if self.ui.sample != 0 {
                        self.send(Command::SetSnapshotSample(self.ui.sample));
                    }
                }
                Absorbed::NetworkReplaced(summary) => {
                    self.ui.message = Some(self.open_network.replaced(&summary));
                }
                Absorbed::Network(held) => {
                    let summary = crate::io::weights::TrainingSummary {
                        epoch: self.live.last_epoch.as_ref().map(|e| e.epoch),
                        test_acc: self.live.last_epoch.as_ref().map(|e| e.test_acc),
                    };
                    if let Some(m) = self.weights.write(&self.ctx, *held, summary) {
                        self.ui.message = Some(m);
                    }
                }
            }
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

    fn poll_background(&mut self) {
        if let Some(done) = self.files.poll() {
            self.finish_file_job(done);
        }
        if let Some(m) = self.weights.poll() {
            self.ui.message = Some(m);
        }
        let (message, command) = self.open_network.poll();
        if let Some(m) = message {
            self.ui.message = Some(m);
        }
        if let Some(c) = command {
            self.send(c);
        }
        for (path, result) in self.saver.poll(&self.ctx) {
            self.ui.message = Some(screenshot::saved_message(&path, &result));
            if let Some(a) = &mut self.automation {
                a.saved(&path, &result);
            }
        }
    }
}

impl eframe::App for ExplorerApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if let (Some(stats), Some(cpu)) = (&mut self.frame_stats, frame.info().cpu_usage) {
            stats.record(cpu);
        }
        if self.renderer == redraw::Renderer::Unknown {
            let (renderer, words) = redraw::Renderer::of(frame);
            self.renderer = renderer;
            if let (Some(w), Some(_)) = (words, &self.frame_stats) {
                eprintln!("window drawn by {w}");
            }
        }
        self.absorb_events();
        #[cfg(target_arch = "wasm32")]
        page::report(self);
        let applied = self.live.applied.as_ref();
        if let Some(m) = self.ui.wgpu.poll(&self.ctx, &mut self.ui.draft, applied) {
            self.ui.message = Some(m);
        }
        self.poll_dialogs();
        self.poll_background();
        let mut actions = match &mut self.automation {
            Some(a) => a.step(&self.ctx, &self.live, &mut self.ui.draft, &mut self.saver),
            None => Vec::new(),
        };

        egui::Panel::top("menu").show(ui, |ui| {
            let busy = self.dialogs.busy() || self.files.busy();
            actions.extend(file_menu::show(
                ui,
                busy,
                self.live.has_network(),
                &mut self.weights.flavour,
            ));
        });
        if let Some(open) = &self.ui.lesson {
            egui::Panel::right("lesson")
                .resizable(true)
                .default_size(320.0)
                .show(ui, |ui| actions.extend(lesson_panel::show(ui, open)));
        }
        if let Some(at) = self.ui.selected {
            egui::Panel::right("inspector")
                .resizable(true)
                .default_size(inspector::WIDTH)
                .show(ui, |ui| {
                    actions.extend(inspector::show(ui, &self.live, &self.ui, at));
                });
        }
        if let Some(paste) = &mut self.ui.paste {
            actions.extend(share::show(&self.ctx, paste));
        }
        egui::Panel::top("run").show(ui, |ui| {
            actions.extend(run_bar::show(ui, &self.live, &self.history));
            open_network::show_in_use(ui, &self.open_network);
            let pending = self.pending_reset();
            let (error, message) = (self.live.error.as_deref(), self.ui.message.as_ref());
            actions.extend(banners::show(ui, error, &pending, message));
        });
        egui::Panel::left("controls")
            .resizable(true)
            .default_size(360.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    let imported = self
                        .open_network
                        .in_use
                        .as_ref()
                        .map(|n| n.summary.as_str());
                    actions.extend(controls::show(
                        ui,
                        &mut self.ui,
                        &self.live,
                        &self.history,
                        imported,
                    ));
                });
            });
        egui::CentralPanel::default().show(ui, |ui| {
            if sweep_view::tabs(ui, &mut self.sweep) {
                self.sweep.ui(ui, &self.ui.draft);
            } else {
                actions.extend(plots::show(ui, &self.live, &self.history, &self.ui));
            }
        });

        self.open_network.show_form(&self.ctx);

        // After the panels, so a slider moved in this frame reaches the trainer in this frame,
        // and before the actions, so a Step clicked in the same frame trains with it.
        self.send_live_edits();
        for action in actions {
            self.handle(action);
        }
        if self.ui.cursor.end_frame() {
            self.ctx.request_repaint();
        }
        let trainer = self.live.is_running() || self.live.building;
        let other = self.dialogs.busy()
            || self.saver.pending()
            || self.weights.busy()
            || self.open_network.busy()
            // Automation only waits for the trainer, then checks the clock: the trainer's
            // pace is enough for it.
            || (self.automation.is_some() && !trainer)
            || self.sweep.is_running()
            || self.ui.wgpu.is_checking();
        let activity = redraw::Activity { trainer, other };
        self.ctx
            .request_repaint_after(redraw::next_frame(self.renderer, activity));
    }

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        if let Some(a) = &mut self.automation {
            a.hide_pointer(raw_input);
        }
    }

    fn on_exit(&mut self) {
        if let Some(stats) = &self.frame_stats {
            eprintln!("{}", stats.report());
            let (samples, secs) = self.live.trained;
            if samples > 0 {
                eprintln!(
                    "training while drawn: {samples} samples in {secs:.1} s of batches ({:.0} samples/s)",
                    samples as f64 / secs.max(1e-9)
                );
            }
        }
    }
}
