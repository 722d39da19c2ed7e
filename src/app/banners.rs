//! The lines above the plots: the trainer's error, edits waiting for a reset, and the last
//! message about something the window did.

use eframe::egui;

use super::edits::DiffEntry;
use super::{Action, Message, glyph_safe};

pub fn show(
    ui: &mut egui::Ui,
    trainer_error: Option<&str>,
    pending_reset: &[DiffEntry],
    message: Option<&Message>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    if let Some(e) = trainer_error {
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
    if !pending_reset.is_empty() {
        ui.horizontal_wrapped(|ui| {
            let what: Vec<String> = pending_reset.iter().map(|d| d.short(&d.right)).collect();
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
    if let Some(m) = message {
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
