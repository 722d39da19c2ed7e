//! Dataset and its parameters.

use eframe::egui;

use super::widgets::{choice, grid, number};
use crate::app::Action;
use crate::app::dialogs::DialogKind;
use crate::app::live::Live;
use crate::data::config::{DataConfig, DataKind};
use crate::data::encoding::{EncodingConfig, EncodingKind};

pub fn show(ui: &mut egui::Ui, data: &mut DataConfig, live: &Live) -> Vec<Action> {
    let mut actions = Vec::new();
    let kinds: Vec<(DataKind, &str)> = DataKind::ALL.iter().map(|&k| (k, k.label())).collect();
    grid(ui, "data", |ui| {
        choice(ui, "Dataset", &mut data.kind, &kinds);
        number(
            ui,
            "Time steps T",
            &mut data.steps,
            1..=10_000,
            1.0,
            "Steps per sample (Δt each)",
        );
    });
    match data.kind {
        DataKind::Randman => randman(ui, data, &mut actions),
        DataKind::Mnist5k => encoding(ui, &mut data.encoding),
        DataKind::Idx => {
            path_row(
                ui,
                "IDX folder",
                &data.path,
                DialogKind::DataFolder,
                &mut actions,
            );
            encoding(ui, &mut data.encoding);
        }
        DataKind::Shd => {
            path_row(
                ui,
                "Train file",
                &data.path,
                DialogKind::ShdTrain,
                &mut actions,
            );
            path_row(
                ui,
                "Test file",
                &data.test_path,
                DialogKind::ShdTest,
                &mut actions,
            );
            grid(ui, "shd", |ui| {
                number(
                    ui,
                    "Input channels",
                    &mut data.shd.inputs,
                    1..=10_000,
                    1.0,
                    "Cochlea channels (700 in SHD)",
                );
                number(
                    ui,
                    "Duration (s)",
                    &mut data.shd.duration_s,
                    0.01..=100.0,
                    0.01,
                    "Trial length the T bins cover",
                );
            });
        }
    }
    if data.kind != DataKind::Randman {
        grid(ui, "valid", |ui| {
            number(
                ui,
                "Validation share",
                &mut data.valid_frac,
                0.0..=0.5,
                0.01,
                "Of each class's training samples, the last share held out: runs choose their epoch on it, sweeps their best point",
            );
        });
    }
    if !live.dataset.is_empty() {
        ui.weak(format!("loaded: {}", live.dataset));
    }
    actions
}

fn path_row(
    ui: &mut egui::Ui,
    label: &str,
    path: &str,
    kind: DialogKind,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        ui.label(label);
        let shown = if path.is_empty() { "(none)" } else { path };
        ui.add(egui::Label::new(egui::RichText::new(shown).monospace().small()).truncate())
            .on_hover_text(path);
        if ui
            .small_button("Browse…")
            .on_hover_text(format!("Choose the {}", label.to_lowercase()))
            .clicked()
        {
            actions.push(Action::OpenDialog(kind));
        }
    });
}

fn encoding(ui: &mut egui::Ui, e: &mut EncodingConfig) {
    grid(ui, "encoding", |ui| {
        choice(
            ui,
            "Encoding",
            &mut e.kind,
            &[
                (EncodingKind::Latency, "latency"),
                (EncodingKind::Poisson, "Poisson"),
            ],
        );
        match e.kind {
            EncodingKind::Latency => {
                number(
                    ui,
                    "Latency τ (steps)",
                    &mut e.tau,
                    0.1..=1000.0,
                    0.1,
                    "Pixel x spikes at τ·ln(x/(x−θ))",
                );
                number(
                    ui,
                    "Pixel threshold θ",
                    &mut e.theta,
                    0.0..=0.99,
                    0.01,
                    "Pixels x ≤ θ never fire",
                );
            }
            EncodingKind::Poisson => {
                number(
                    ui,
                    "Max rate (per step)",
                    &mut e.max_rate,
                    0.0..=1.0,
                    0.01,
                    "Spike probability per step of a white pixel",
                );
                number(
                    ui,
                    "Encoding seed",
                    &mut e.seed,
                    0..=u64::MAX,
                    0.2,
                    "Same seed → same spike trains",
                );
            }
        }
    });
}

fn randman(ui: &mut egui::Ui, data: &mut DataConfig, actions: &mut Vec<Action>) {
    let r = &mut data.randman;
    grid(ui, "randman", |ui| {
        number(
            ui,
            "Classes",
            &mut r.classes,
            2..=100,
            0.1,
            "One random manifold per class",
        );
        number(
            ui,
            "Input units",
            &mut r.units,
            1..=2_000,
            0.5,
            "Spiking input channels",
        );
        number(
            ui,
            "Manifold dim",
            &mut r.manifold_dim,
            1..=8,
            0.05,
            "Intrinsic dimension of each manifold",
        );
        number(
            ui,
            "Smoothness α",
            &mut r.alpha,
            0.0..=10.0,
            0.01,
            "Fourier coefficient k is scaled by 1/k^α",
        );
        number(
            ui,
            "Spikes per unit",
            &mut r.spikes_per_unit,
            1..=20,
            0.05,
            "Spikes each input unit fires per sample",
        );
        number(
            ui,
            "Samples per class",
            &mut r.samples_per_class,
            10..=10_000,
            10.0,
            "Split into train/valid/test",
        );
        number(
            ui,
            "Spike window",
            &mut r.step_frac,
            0.05..=1.0,
            0.01,
            "Fraction of the trial in which inputs spike",
        );
        number(
            ui,
            "Data seed",
            &mut r.seed,
            0..=u64::MAX,
            0.2,
            "Seed of the manifolds and samples",
        );
    });
    if ui
        .button("🎲 Regenerate with a new seed")
        .on_hover_text("Draw new manifolds and reset the network")
        .clicked()
    {
        r.seed = r.seed.wrapping_add(1);
        actions.push(Action::Reset);
    }
}
