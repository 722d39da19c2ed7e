//! The neuron inspector: one hidden neuron, selected by a click in the raster or on a membrane
//! trace, followed on the shown test sample under the current weights. Its data come from the
//! trainer (`Trainer::inspect`, sent as `Event::Inspection` beside every snapshot and after
//! every live edit), so the panel moves while training and while β or the shape is dragged.

mod history;
mod time_plots;

use eframe::egui;

use super::live::Live;
use super::plots::placeholder;
use super::{Action, UiState};
use crate::train::metrics::NeuronRef;

pub use history::NeuronRates;

/// Default width of the panel (points).
pub const WIDTH: f32 = 400.0;

pub fn show(ui: &mut egui::Ui, live: &Live, state: &UiState, at: NeuronRef) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.horizontal(|ui| {
        ui.heading("Neuron inspector");
        if ui
            .small_button("✖")
            .on_hover_text("Close the inspector")
            .clicked()
        {
            actions.push(Action::SelectNeuron(None));
        }
    });
    ui.label(
        egui::RichText::new(format!("hidden {} · neuron {}", at.layer + 1, at.neuron)).strong(),
    );
    let Some(ins) = live.inspection.as_ref().filter(|i| i.at == at) else {
        ui.label("waiting for the trainer…");
        placeholder(ui, "the neuron's traces appear with the next snapshot");
        return actions;
    };
    ui.label(
        egui::RichText::new(format!(
            "{} · test sample {} (label {}) · batch {} · loss {:.3}",
            ins.surrogate.shape.label(),
            ins.sample,
            ins.label,
            ins.global_step,
            ins.loss
        ))
        .small(),
    );
    ui.label(
        egui::RichText::new(
            "Shaded: steps where σ′ ≥ 10 % of its peak, the only ones where the surrogate \
             lets gradient into this neuron. Drag β and watch the window and ∂L/∂U shrink.",
        )
        .small()
        .weak(),
    );
    let spacing = ui.spacing().item_spacing.y;
    // Three time plots on top, the weights and the rate side by side below; each title line
    // costs about 20 points.
    let rest = ui.available_height();
    let bottom = (rest * 0.25).max(110.0);
    let each = ((rest - bottom - 3.0 * (20.0 + spacing) - 24.0) / 3.0).max(70.0);
    actions.extend(time_plots::show(ui, ins, state, each));
    ui.columns(2, |cols| {
        cols[0].set_height(bottom);
        history::weight_histogram(&mut cols[0], &ins.input_weights, at);
        cols[1].set_height(bottom);
        history::rate_plot(&mut cols[1], &live.neuron_rates, at);
    });
    actions
}
