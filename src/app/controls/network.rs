//! Hidden layers, neuron dynamics, loss and initialization.

use eframe::egui;

use super::widgets::{choice, explained_choice, flag, grid, number};
use crate::app::edits::compact_recurrent;
use crate::snn::dynamics::{CurrentTiming, ResetTiming};
use crate::snn::init::InitKind;
use crate::snn::lif::ResetMode;
use crate::snn::loss::LossKind;
use crate::snn::model::{MAX_HIDDEN_LAYERS, ModelConfig};

/// Hover text of the update conventions.
const CONVENTIONS: &str = "The paper: previous / next; Norse and snnTorch: this / same — train in theirs for an exact export";

/// Default width of a layer added with "+".
const NEW_LAYER_WIDTH: usize = 100;

pub fn show(ui: &mut egui::Ui, m: &mut ModelConfig, init_in_force: Option<&InitKind>) {
    layers(ui, m);
    ui.add_space(4.0);
    grid(ui, "dynamics", |ui| {
        number(
            ui,
            "τ_syn (ms)",
            &mut m.tau_syn_ms,
            0.1..=1000.0,
            0.1,
            "Synaptic current time constant",
        );
        number(
            ui,
            "τ_mem (ms)",
            &mut m.tau_mem_ms,
            0.1..=1000.0,
            0.1,
            "Membrane time constant",
        );
        number(
            ui,
            "τ_out (ms)",
            &mut m.tau_out_ms,
            0.1..=1000.0,
            0.1,
            "Readout membrane time constant",
        );
        number(
            ui,
            "Threshold",
            &mut m.threshold,
            0.01..=100.0,
            0.01,
            "A neuron spikes when its membrane U reaches it",
        );
        number(ui, "Δt (ms)", &mut m.dt_ms, 0.01..=100.0, 0.01, "Time step");
        choice(
            ui,
            "Reset",
            &mut m.reset,
            &[
                (ResetMode::Zero, "to zero"),
                (ResetMode::Subtract, "by subtraction"),
                (ResetMode::None, "none"),
            ],
        );
        explained_choice(
            ui,
            "Membrane takes",
            &mut m.current,
            &[
                (CurrentTiming::Previous, "previous step's current"),
                (CurrentTiming::This, "this step's current"),
            ],
            Some(CONVENTIONS),
        );
        explained_choice(
            ui,
            "Spike resets",
            &mut m.reset_timing,
            &[
                (ResetTiming::Next, "in the next step"),
                (ResetTiming::Same, "in the same step"),
            ],
            Some(CONVENTIONS),
        );
        flag(
            ui,
            "Detach reset",
            &mut m.reset_detached,
            "Cut the reset term from the gradient (paper default)",
        );
        flag(
            ui,
            "Detach recurrence",
            &mut m.recurrent_detached,
            "Cut V·s[n] from the gradient of s[n] (the paper's \"Ctl\"); V still learns. Off: BPTT through the recurrence (\"Prop\")",
        );
        flag(
            ui,
            "(1−β) input factor",
            &mut m.input_factor,
            "Scale synaptic input to the membrane by (1 − β_mem), as the paper does; off as in SpyTorch",
        );
        choice(
            ui,
            "Loss",
            &mut m.loss,
            &[
                (LossKind::MaxOverTime, "max over time"),
                (LossKind::SumOverTime, "mean over time"),
                (LossKind::LastStep, "last step"),
            ],
        );
    });
    init(ui, m, init_in_force);
}

fn layers(ui: &mut egui::Ui, m: &mut ModelConfig) {
    let n = m.hidden.len();
    let mut flags: Vec<bool> = (0..n).map(|i| m.is_recurrent(i)).collect();
    let mut remove = None;
    grid(ui, "layers", |ui| {
        for (i, (width, rec)) in m.hidden.iter_mut().zip(flags.iter_mut()).enumerate() {
            let l = ui.label(format!("Hidden layer {}", i + 1));
            ui.horizontal(|ui| {
                ui.add(
                    egui::DragValue::new(width)
                        .range(1..=4096)
                        .speed(1.0)
                        .clamp_existing_to_range(false)
                        .suffix(" neurons"),
                )
                .labelled_by(l.id)
                .on_hover_text("Width of this layer");
                ui.checkbox(rec, "recurrent")
                    .on_hover_text("Add recurrent weights V·s[n] within this layer");
                if n > 1
                    && ui
                        .small_button("−")
                        .on_hover_text(format!("Remove hidden layer {}", i + 1))
                        .clicked()
                {
                    remove = Some(i);
                }
            });
            ui.end_row();
        }
    });
    if let Some(i) = remove {
        m.hidden.remove(i);
        flags.remove(i);
    }
    if m.hidden.len() < MAX_HIDDEN_LAYERS
        && ui
            .button("+ Hidden layer")
            .on_hover_text(format!("Up to {MAX_HIDDEN_LAYERS} hidden layers"))
            .clicked()
    {
        let width = m.hidden.last().copied().unwrap_or(NEW_LAYER_WIDTH);
        m.hidden.push(width);
        flags.push(false);
    }
    let compact = compact_recurrent(&flags);
    // Only rewrite when the meaning changed, so a file's spelling survives untouched.
    if (0..m.hidden.len()).any(|i| compact.get(i) != m.is_recurrent(i)) || n != m.hidden.len() {
        m.recurrent = compact;
    }
}

#[derive(Clone, Copy, PartialEq)]
enum InitChoice {
    Uniform,
    Normal,
    Fluctuation,
}

fn init(ui: &mut egui::Ui, m: &mut ModelConfig, in_force: Option<&InitKind>) {
    grid(ui, "init", |ui| {
        let mut kind = match m.init {
            InitKind::Uniform => InitChoice::Uniform,
            InitKind::Normal { .. } => InitChoice::Normal,
            InitKind::Fluctuation { .. } => InitChoice::Fluctuation,
        };
        if choice(
            ui,
            "Initialization",
            &mut kind,
            &[
                (InitChoice::Normal, "scaled normal"),
                (InitChoice::Fluctuation, "fluctuation-driven"),
                (InitChoice::Uniform, "uniform (paper)"),
            ],
        ) {
            m.init = match kind {
                InitChoice::Uniform => InitKind::Uniform,
                InitChoice::Normal => InitKind::Normal { gain: 5.0 },
                InitChoice::Fluctuation => InitKind::Fluctuation { target: 1.0 },
            };
        }
        match &mut m.init {
            InitKind::Uniform => {}
            InitKind::Normal { gain } => {
                number(
                    ui,
                    "Gain σ_w",
                    gain,
                    0.0..=100.0,
                    0.05,
                    "Weights ~ N(0, (gain/√fan_in)²)",
                );
            }
            InitKind::Fluctuation { target } => {
                number(
                    ui,
                    "Membrane std / threshold",
                    target,
                    0.001..=100.0,
                    0.01,
                    "σ_w chosen so the free membrane's std is this fraction of the threshold",
                );
            }
        }
    });
    if let Some(k) = in_force {
        ui.label(format!(
            "In force: {}",
            super::super::glyph_safe(&k.describe())
        ))
        .on_hover_text("The initialization the current network was built with");
    }
}
