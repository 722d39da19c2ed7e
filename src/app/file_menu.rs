//! File menu: open and save experiments, export and import weights, save a PNG of the window.
//!
//! Every write is atomic; a failed one says why and leaves the old file and the controls as
//! they were.

use std::path::Path;

use eframe::egui;

use super::dialogs::{DialogKind, Outcome};
use super::screenshot::ScreenshotSaver;
use super::weight_files;
use super::{Action, Message};
use crate::config::Config;

pub fn show(ui: &mut egui::Ui, dialog_open: bool, has_network: bool) -> Vec<Action> {
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
                if ui
                    .add_enabled(has_network, egui::Button::new("Import weights…"))
                    .on_hover_text("safetensors written by surrogate-lab or PyTorch (same tensor names); shapes must match the network")
                    .clicked()
                {
                    actions.push(Action::OpenDialog(DialogKind::ImportWeights));
                }
                if ui.button("Save PNG of the window…").clicked() {
                    actions.push(Action::OpenDialog(DialogKind::SavePng));
                }
            });
            ui.separator();
            if ui.button("Quit").clicked() {
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.weak("surrogate-gradient learning in spiking networks (Zenke & Vogels 2021)");
        });
    });
    actions
}

/// Finishes a dialog the user confirmed with `path`; the message says what happened.
pub fn complete(
    kind: DialogKind,
    path: &Path,
    draft: &mut Config,
    saver: &mut ScreenshotSaver,
    ctx: &egui::Context,
) -> Option<Message> {
    let shown = path.display();
    let result = match kind {
        DialogKind::OpenExperiment => Config::load(path)
            .map_err(|e| format!("cannot open {e}"))
            .map(|config| {
                *draft = config;
                format!("opened {shown}; live settings apply now, the rest at the next reset")
            }),
        DialogKind::SaveExperiment => draft
            .save(path)
            .map(|()| format!("saved {shown}"))
            .map_err(|e| e.to_string()),
        DialogKind::SavePng => {
            saver.request(ctx, path.to_path_buf());
            return None;
        }
        // The weights live on the trainer's thread: the app asks for them and writes them when
        // they arrive (see `weight_files`).
        DialogKind::ExportWeights | DialogKind::ImportWeights => return None,
        DialogKind::DataFolder | DialogKind::ShdTrain | DialogKind::ShdTest => {
            let text = path.to_string_lossy().into_owned();
            if kind == DialogKind::ShdTest {
                draft.data.test_path = text;
            } else {
                draft.data.path = text;
            }
            Ok(format!("data: {shown}; reset to load it"))
        }
    };
    Some(match result {
        Ok(text) => Message {
            text,
            is_error: false,
        },
        Err(text) => Message {
            text,
            is_error: true,
        },
    })
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
            DialogKind::ExportWeights => {
                let command = self.weights.export(path);
                self.send(command);
                return;
            }
            DialogKind::ImportWeights => Some(match weight_files::import(&path) {
                Ok((command, message)) => {
                    self.send(command);
                    message
                }
                Err(message) => message,
            }),
            _ => complete(kind, &path, &mut self.ui.draft, &mut self.saver, &self.ctx),
        };
    }
}
