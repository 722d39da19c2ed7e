//! Surrogate shape and β, with σ'(x) drawn over where the membranes actually are.

use eframe::egui;

use super::widgets::{choice, grid, log_slider};
use crate::app::plots;
use crate::snn::surrogate::{SurrogateConfig, SurrogateShape};
use crate::train::metrics::Histogram;

/// β slider range (the 0.01–1000; the engine accepts more from files).
pub const BETA_RANGE: std::ops::RangeInclusive<f64> = 0.01..=1000.0;

pub fn show(ui: &mut egui::Ui, s: &mut SurrogateConfig, histogram: Option<&Histogram>) {
    let shapes: Vec<(SurrogateShape, &str)> = SurrogateShape::ALL
        .iter()
        .map(|&sh| (sh, sh.label()))
        .collect();
    grid(ui, "surrogate", |ui| {
        choice(ui, "Shape", &mut s.shape, &shapes);
        ui.add_enabled_ui(s.shape.uses_beta(), |ui| {
            log_slider(
                ui,
                "Scale β",
                &mut s.beta,
                BETA_RANGE,
                "Steepness of σ'; applies from the next batch",
            );
        });
    });
    ui.monospace(s.shape.formula());
    plots::surrogate::show(ui, s, histogram);
}
