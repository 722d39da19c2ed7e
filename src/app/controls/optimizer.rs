//! Optimizer, learning rate, batch size, epochs, seed and backend.

use eframe::egui;

use super::widgets::{choice, grid, log_slider, number};
use crate::app::WgpuCheck;
use crate::config::Config;
use crate::train::optim::OptimizerKind;

pub fn show(ui: &mut egui::Ui, c: &mut Config) {
    grid(ui, "optim", |ui| {
        choice(
            ui,
            "Optimizer",
            &mut c.optim.kind,
            &[(OptimizerKind::Adam, "Adam"), (OptimizerKind::Sgd, "SGD")],
        );
        log_slider(
            ui,
            "Learning rate",
            &mut c.optim.lr,
            1e-5..=1.0,
            "Applies from the next batch",
        );
        number(
            ui,
            "Batch size",
            &mut c.optim.batch_size,
            1..=4096,
            1.0,
            "Samples per gradient step",
        );
        number(
            ui,
            "Epochs",
            &mut c.optim.epochs,
            1..=10_000,
            0.1,
            "Epochs per ▶ (▶ again trains as many more)",
        );
        let l = ui.label("Seed");
        ui.horizontal(|ui| {
            ui.add(egui::DragValue::new(&mut c.seed).speed(0.2))
                .labelled_by(l.id)
                .on_hover_text("Seeds the initial weights and batch order: same seed → same run");
            if ui.small_button("🎲").on_hover_text("New seed").clicked() {
                c.seed = c.seed.wrapping_add(1);
            }
        });
        ui.end_row();
    });
}

pub fn backend(ui: &mut egui::Ui, c: &mut Config, check: &WgpuCheck) {
    let names = crate::backend::compiled_backends();
    let options: Vec<(&str, &str)> = names.iter().map(|&n| (n, n)).collect();
    let mut current: &str = names
        .iter()
        .copied()
        .find(|&n| n == c.backend)
        .unwrap_or("flex");
    grid(ui, "backend", |ui| {
        if choice(ui, "Backend", &mut current, &options) {
            c.backend = current.to_string();
        }
    });
    match check {
        WgpuCheck::Checking(_) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("looking for a wgpu adapter…");
            });
        }
        WgpuCheck::Unavailable(why) => {
            ui.colored_label(ui.visuals().warn_fg_color, why);
        }
        WgpuCheck::Available if c.backend == "wgpu" => {
            ui.weak(if c.model.fused {
                "wgpu adapter found; each LIF layer runs as one fused GPU kernel. The first \
                 batches compile shaders (slow)"
            } else {
                "wgpu adapter found; per-step graph (model.fused is off). The first batches \
                 compile shaders (slow)"
            });
        }
        _ => {}
    }
}
