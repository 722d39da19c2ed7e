//! Sharing what is on screen: Copy experiment puts the draft's TOML on the clipboard; Paste
//! experiment opens a box the clipboard is pasted into, and loads it only if it is a valid
//! experiment (checked like a file), so a bad paste changes nothing.

use eframe::egui;

use super::Action;
use crate::config::Config;

/// The Paste experiment box, while it is open.
#[derive(Default)]
pub struct PasteBox {
    pub text: String,
    /// Why the last Load was refused.
    pub error: Option<String>,
}

/// Parses pasted text as an experiment file would be; the error is one line.
pub fn parse(text: &str) -> Result<Config, String> {
    let trimmed = text.trim_start();
    // JSON when it looks like it, as a `.json` file would be read.
    let json = trimmed.starts_with('{');
    Config::from_str_format(text, json).map_err(|e| format!("pasted experiment refused: {e}"))
}

/// Draws the box; returns what the user chose.
pub fn show(ctx: &egui::Context, paste: &mut PasteBox) -> Vec<Action> {
    let mut actions = Vec::new();
    egui::Window::new("Paste experiment")
        .collapsible(false)
        .default_width(420.0)
        .show(ctx, |ui| {
            ui.label("Paste an experiment (TOML or JSON, as Copy experiment writes it) here:");
            let edit = ui.add(
                egui::TextEdit::multiline(&mut paste.text)
                    .desired_rows(10)
                    .code_editor()
                    .hint_text("Ctrl+V"),
            );
            if paste.text.is_empty() && !edit.has_focus() {
                edit.request_focus();
            }
            if let Some(e) = &paste.error {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            ui.horizontal(|ui| {
                if ui.button("Load").clicked() {
                    actions.push(Action::LoadPasted);
                }
                if ui.button("Cancel").clicked() {
                    actions.push(Action::ClosePaste);
                }
            });
        });
    actions
}
