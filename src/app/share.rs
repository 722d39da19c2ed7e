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
    /// Whether the clipboard was asked for. It is asked only once the text field holds the
    /// focus in a frame where it takes input: the platform answers with a paste event in the
    /// next frame, and a new window's first frame only measures it, so an answer to a request
    /// sent on opening would arrive before the field could take it, and be lost.
    clipboard_asked: bool,
    /// Where the window was last frame: it fits what was pasted over a few frames, which
    /// are drawn at once rather than at the next mouse move.
    last_rect: Option<egui::Rect>,
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
    // An experiment is ~80 lines: unbounded, the field would push Load and Cancel off the
    // screen, out of reach of the pointer. The window fits its content each frame (a
    // resizable one keeps the size it had when the field was empty and clips the buttons).
    let field_height = (ctx.content_rect().height() * 0.45).max(120.0);
    let shown = egui::Window::new("Paste experiment")
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            ui.label("Paste an experiment (TOML or JSON, as Copy experiment writes it) here:");
            let edit = egui::ScrollArea::vertical()
                .max_height(field_height)
                .show(ui, |ui| {
                    ui.add(
                        egui::TextEdit::multiline(&mut paste.text)
                            .id_salt("paste experiment")
                            .desired_rows(10)
                            .desired_width(420.0)
                            .code_editor()
                            .hint_text("Ctrl+V"),
                    )
                })
                .inner;
            if paste.text.is_empty() && !edit.has_focus() {
                edit.request_focus();
            }
            if !paste.clipboard_asked && edit.has_focus() && !ui.is_sizing_pass() {
                paste.clipboard_asked = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::RequestPaste);
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
    let rect = shown.map(|s| s.response.rect);
    if rect != paste.last_rect {
        paste.last_rect = rect;
        ctx.request_repaint();
    }
    actions
}
