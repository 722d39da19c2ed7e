//! The left panel: everything the engine exposes. The live settings (surrogate, regularizers,
//! learning rate) come first; network, data and backend need a reset and sit below.

mod data;
mod network;
mod optimizer;
mod regularizer;
pub mod surrogate;
mod widgets;

use eframe::egui;

use super::history::RunHistory;
use super::lesson_panel::{self, OpenLesson};
use super::live::Live;
use super::{Action, UiState};
use crate::config::lesson::{Control, Target};

pub fn show(
    ui: &mut egui::Ui,
    state: &mut UiState,
    live: &Live,
    history: &RunHistory,
    imported: Option<&str>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let lesson = state.lesson.as_ref();
    let draft = &mut state.draft;
    // The surrogate and the regularizers are what the lab is about: first, and live.
    section(
        ui,
        lesson,
        Control::Surrogate,
        "Surrogate gradient (live)",
        true,
        |ui| {
            let hist = live.snapshot.as_ref().map(|s| &s.membrane_histogram);
            surrogate::show(ui, &mut draft.surrogate, hist);
        },
    );
    section(
        ui,
        lesson,
        Control::Regularizer,
        "Activity regularization (live)",
        true,
        |ui| regularizer::show(ui, &mut draft.reg),
    );
    section(ui, lesson, Control::Optimizer, "Optimizer", true, |ui| {
        optimizer::show(ui, draft)
    });
    section(ui, lesson, Control::Network, "Network", true, |ui| {
        if let Some(summary) = imported {
            // The settings below no longer describe what trains; say so where they are.
            ui.colored_label(
                ui.visuals().warn_fg_color,
                crate::app::glyph_safe(&format!("Training the imported network: {summary}")),
            );
            ui.weak("The settings below are the network Reset builds in its place.");
        }
        let in_force = live.applied.as_ref().map(|c| &c.model.init);
        network::show(ui, &mut draft.model, in_force);
    });
    let data_title = format!("Data: {}", draft.data.kind.label());
    section(ui, lesson, Control::Data, &data_title, false, |ui| {
        actions.extend(data::show(ui, &mut draft.data, live))
    });
    section(
        ui,
        lesson,
        Control::Backend,
        "Compute backend",
        false,
        |ui| optimizer::backend(ui, draft, &state.wgpu),
    );
    section(ui, lesson, Control::Runs, "Runs", false, |ui| {
        runs(ui, history, draft)
    });
    actions
}

/// One collapsible section, `name` as lessons call it: absent when the open lesson hides it,
/// opened and framed when the lesson's step points at it.
fn section(
    ui: &mut egui::Ui,
    lesson: Option<&OpenLesson>,
    name: Control,
    title: &str,
    open: bool,
    add: impl FnOnce(&mut egui::Ui),
) {
    if lesson_panel::hides(lesson, name) {
        return;
    }
    let pointed = lesson_panel::points_at(lesson, Target::Control(name));
    let r = egui::CollapsingHeader::new(egui::RichText::new(title).strong())
        // The data header's text names the data set; its open state must survive a change.
        .id_salt(title.split(':').next().unwrap_or(title))
        .default_open(open)
        .open(pointed.then_some(true))
        .show(ui, add);
    if pointed {
        let rect = r.body_response.map_or(r.header_response.rect, |b| {
            b.rect.union(r.header_response.rect)
        });
        lesson_panel::mark(ui, rect);
    }
}

fn runs(ui: &mut egui::Ui, history: &RunHistory, reference: &crate::config::Config) {
    if history.kept.is_empty() {
        ui.weak("📌 Keep run (top bar) keeps this run's curves; change a setting, reset, train, and compare.");
        return;
    }
    let (current, kept) = history.labels(reference);
    ui.label(format!("—— {current}"));
    for k in kept {
        ui.label(format!("- - {k}"));
    }
}
