//! File menu: open and save experiments, export and import weights, save a PNG of the window.
//!
//! Every write is atomic; a failed one says why and leaves the old file and the controls as
//! they were.

use std::path::Path;

use eframe::egui;

use super::dialogs::{DialogKind, Outcome};
use super::file_jobs;
use super::screenshot::ScreenshotSaver;
use super::{Action, Message};
use crate::config::lesson::BUILT_IN;
use crate::config::{Config, Lesson};
use crate::nir::flavour::Flavour;

/// The UI scale the View menu offers (egui's zoom factor; Ctrl +/− go from 0.2 to 5).
pub const ZOOM_RANGE: std::ops::RangeInclusive<f32> = 0.5..=3.0;

pub fn show(
    ui: &mut egui::Ui,
    dialog_open: bool,
    has_network: bool,
    nir_flavour: &mut Flavour,
) -> Vec<Action> {
    let mut actions = Vec::new();
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            ui.add_enabled_ui(!dialog_open, |ui| {
                if ui.button("Open experiment…").clicked() {
                    actions.push(Action::OpenDialog(DialogKind::OpenExperiment));
                }
                if ui.button("Save experiment…").clicked() {
                    actions.push(Action::OpenDialog(DialogKind::SaveExperiment));
                }
                if ui
                    .add_enabled(has_network, egui::Button::new("Export weights…"))
                    .on_hover_text("safetensors (PyTorch orientation) or NIR (.nir), with the experiment in the metadata")
                    .clicked()
                {
                    actions.push(Action::OpenDialog(DialogKind::ExportWeights));
                }
                ui.horizontal(|ui| {
                    ui.label("   .nir for")
                        .on_hover_text("generic: NIR's own meaning of every field; snnTorch, Norse: a graph their importers run as this program does (README \"Networks in and out\")");
                    for (flavour, name) in [
                        (Flavour::Generic, "generic"),
                        (Flavour::Snntorch, "snnTorch"),
                        (Flavour::Norse, "Norse"),
                    ] {
                        ui.radio_value(nir_flavour, flavour, name);
                    }
                });
                if ui
                    .add_enabled(has_network, egui::Button::new("Import weights…"))
                    .on_hover_text("safetensors written by surrogate-lab or PyTorch (same tensor names); shapes must match the network")
                    .clicked()
                {
                    actions.push(Action::OpenDialog(DialogKind::ImportWeights));
                }
                if ui
                    .button("Open network…")
                    .on_hover_text("A NIR graph (snnTorch, Norse, ours): train it further and see it in every plot; its inputs and classes must match the data set")
                    .clicked()
                {
                    actions.push(Action::OpenDialog(DialogKind::OpenNetwork));
                }
                if ui.button("Save PNG of the window…").clicked() {
                    actions.push(Action::OpenDialog(DialogKind::SavePng));
                }
                ui.separator();
                if ui
                    .button("Open lesson…")
                    .on_hover_text("A lesson file (TOML): an experiment, steps of text, the controls it shows")
                    .clicked()
                {
                    actions.push(Action::OpenDialog(DialogKind::OpenLesson));
                }
            });
            ui.separator();
            if ui
                .button("Copy experiment")
                .on_hover_text("The experiment on screen, as TOML, to the clipboard: send exactly what you see")
                .clicked()
            {
                actions.push(Action::CopyExperiment);
            }
            if ui
                .button("Copy link")
                .on_hover_text("A link that opens this page with the experiment on screen (and the lesson that is open): hand it to a class")
                .clicked()
            {
                actions.push(Action::CopyLink);
            }
            if ui
                .button("Paste experiment…")
                .on_hover_text("Load an experiment copied from the clipboard (checked like a file)")
                .clicked()
            {
                actions.push(Action::PasteExperiment);
            }
            // A page is closed with its tab.
            if !cfg!(target_arch = "wasm32") {
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
        });
        ui.menu_button("Lessons", |ui| {
            for (name, _) in BUILT_IN {
                match Lesson::built_in(name) {
                    Some(Ok(lesson)) if ui.button(&lesson.title).clicked() => {
                        actions.push(Action::OpenLesson(Box::new(lesson)));
                    }
                    // The built-in lessons are checked by the tests; never hide a broken one.
                    Some(Err(e)) => {
                        ui.colored_label(ui.visuals().error_fg_color, e.to_string());
                    }
                    _ => {}
                }
            }
            ui.separator();
            if ui.add_enabled(!dialog_open, egui::Button::new("Open lesson file…")).clicked() {
                actions.push(Action::OpenDialog(DialogKind::OpenLesson));
            }
        });
        ui.menu_button("View", |ui| {
            let l = ui.label("UI scale");
            let mut zoom = ui.ctx().zoom_factor();
            let changed = ui
                .add(
                    egui::Slider::new(&mut zoom, ZOOM_RANGE)
                        .custom_formatter(|z, _| format!("{:.0} %", z * 100.0))
                        .custom_parser(|t| t.trim_end_matches([' ', '%']).parse::<f64>().ok().map(|p| p / 100.0))
                        .step_by(0.05),
                )
                .labelled_by(l.id)
                .on_hover_text("Ctrl + / Ctrl − / Ctrl 0; 150–200 % for a projector")
                .changed();
            if changed {
                ui.ctx().set_zoom_factor(zoom);
            }
            egui::gui_zoom::zoom_menu_buttons(ui);
        });
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.weak("surrogate-gradient learning in spiking networks (Zenke & Vogels 2021)");
        });
    });
    actions
}

/// Applies a dialog the user confirmed with `path` that needs no file read or written (a data
/// folder, a PNG the next frame draws); the message says what happened.
fn apply(
    kind: DialogKind,
    path: &Path,
    draft: &mut Config,
    saver: &mut ScreenshotSaver,
    ctx: &egui::Context,
) -> Option<Message> {
    match kind {
        DialogKind::SavePng => {
            saver.request(ctx, path.to_path_buf());
            None
        }
        DialogKind::DataFolder | DialogKind::ShdTrain | DialogKind::ShdTest => {
            let text = path.to_string_lossy().into_owned();
            if kind == DialogKind::ShdTest {
                draft.data.test_path = text;
            } else {
                draft.data.path = text;
            }
            Some(Message {
                text: format!("data: {}; reset to load it", path.display()),
                is_error: false,
            })
        }
        // Files are read and written by `file_jobs`, the network by `open_network`, weights to
        // export by `weight_files` once the trainer sent them.
        DialogKind::OpenExperiment
        | DialogKind::SaveExperiment
        | DialogKind::OpenLesson
        | DialogKind::ImportWeights
        | DialogKind::ExportWeights
        | DialogKind::OpenNetwork => None,
    }
}

impl super::ExplorerApp {
    /// Carries out what the user chose in a File-menu dialog.
    pub(super) fn poll_dialogs(&mut self) {
        let (kind, path) = match self.dialogs.show(&self.ctx) {
            Some(Outcome::Answered(kind, Some(path))) => (kind, path),
            Some(Outcome::FellBack(why)) => {
                self.ui.message = Some(Message {
                    text: why,
                    is_error: false,
                });
                return;
            }
            // A cancelled dialog changes nothing.
            Some(Outcome::Answered(_, None)) | None => return,
        };
        self.ui.message = match kind {
            DialogKind::OpenNetwork => self.open_network.chosen(&self.ctx, path),
            DialogKind::ExportWeights => {
                let command = self.weights.export(path);
                self.send(command);
                return;
            }
            DialogKind::OpenExperiment
            | DialogKind::SaveExperiment
            | DialogKind::OpenLesson
            | DialogKind::ImportWeights => {
                match self.files.start(&self.ctx, kind, path, &self.ui.draft) {
                    // Started: the outcome is a message at a later frame.
                    None => return,
                    failed => failed,
                }
            }
            _ => apply(kind, &path, &mut self.ui.draft, &mut self.saver, &self.ctx),
        };
    }

    /// Applies what a file job read or wrote.
    pub(super) fn finish_file_job(&mut self, done: file_jobs::Done) {
        self.ui.message = match done {
            file_jobs::Done::Experiment(config, text) => {
                self.ui.draft = config;
                Some(Message {
                    text,
                    is_error: false,
                })
            }
            file_jobs::Done::Lesson(lesson) => {
                self.ui.message = None;
                self.open_lesson(lesson);
                return;
            }
            file_jobs::Done::Weights(command, message) => {
                self.send(command);
                Some(message)
            }
            file_jobs::Done::Said(message) => Some(message),
        };
    }
}
