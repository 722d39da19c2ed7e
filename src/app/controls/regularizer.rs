//! Activity regularization: lower and upper bounds on spike counts.

use eframe::egui;

use super::widgets::{choice, grid, log_slider};
use crate::snn::regularizer::{BoundConfig, Norm, RegConfig, RegScope};

pub fn show(ui: &mut egui::Ui, reg: &mut RegConfig) {
    ui.label("Lower bound λ·mean([θ − ζ]₊^p) keeps neurons from falling silent")
        .on_hover_text("ζ = spikes per neuron and sample");
    bound(ui, "lower", "lo", &mut reg.lower);
    ui.label("Upper bound λ·mean([ζ − θ]₊^p) makes activity sparse");
    bound(ui, "upper", "up", &mut reg.upper);
}

fn bound(ui: &mut egui::Ui, id: &str, sub: &str, b: &mut BoundConfig) {
    grid(ui, id, |ui| {
        log_slider(
            ui,
            &format!("λ_{sub}"),
            &mut b.lambda,
            0.0..=1000.0,
            "Strength (0 = off); applies from the next batch",
        );
        log_slider(
            ui,
            &format!("θ_{sub} (spikes)"),
            &mut b.theta,
            0.0..=100.0,
            "Spike count per sample where the penalty starts",
        );
        choice(
            ui,
            &format!("Scope ({sub})"),
            &mut b.scope,
            &[
                (RegScope::Neuron, "per neuron"),
                (RegScope::Population, "population mean"),
            ],
        );
        choice(
            ui,
            &format!("Norm ({sub})"),
            &mut b.norm,
            &[(Norm::L2, "L2 (squared)"), (Norm::L1, "L1")],
        );
    });
}
