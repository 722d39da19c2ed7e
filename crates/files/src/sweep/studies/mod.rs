//! The paper's three studies (Zenke & Vogels 2021) as sweeps on Randman, shrunk to run in
//! minutes on a 2-core machine, and the figure of each; and the same claims at the paper's size
//! (`paper`'s protocol, hours rather than minutes).
//!
//! What is shrunk, against the program's defaults (which follow the paper): 300 samples per
//! class instead of 1000 (240 train / 30 validation / 30 test), batches of 100 instead of 250,
//! 10 epochs, 2–3 seeds per point, and coarse grids. Everything else (20 → 100 → 10,
//! feed-forward, T = 100, Adam 0.02, init N(0, (5/√fan_in)²), the paper's lower-bound activity
//! regularizer) is the default.
//!
//! The enum and its metadata live here; `sweeps` builds each study's grids, `figures` draws
//! and tabulates the results, `run` trains a study end to end, `plan` writes the paper-size
//! protocol from the definitions.

mod figures;
pub mod plan;
mod run;
mod sweeps;

pub use run::{Committed, StudyOptions, StudyReport, redraw, run_study};

use super::csv::Row;
use super::grid::Sweep;
use super::mean_std;
use crate::config::Config;

/// One of the paper's studies (the command line's `study NAME`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Study {
    /// (a) Best test accuracy against β for SuperSpike, sigmoid′ and Esser, with straight-through
    /// and the true gradient as references: robust to shape, sensitive to scale.
    Beta,
    /// (b) Asymptotic against normalised SuperSpike, detached against differentiable reset.
    Reset,
    /// (c) Test accuracy against mean hidden firing rate as the upper-bound activity
    /// regularizer's λ grows: the sparse-activity limit.
    Sparsity,
    /// Paper size: SuperSpike, sigmoid′ and Esser over a (β, η) grid, straight-through and the
    /// true gradient as controls: any shape learns "as long as it is not a constant".
    Shape,
    /// Paper size: normalised against asymptotic SuperSpike, reset detached against
    /// differentiable, (β, η) grid, mean ± sd of the 10 best points per variant.
    Scale,
    /// Paper size: 1, 2, 3 hidden layers, normalised against asymptotic SuperSpike, the reset
    /// differentiable and (the control) detached: depth with the asymptotic shape at large β
    /// hurts.
    Depth,
    /// Paper size: a recurrent hidden layer, gradient through the recurrence propagated
    /// ("Prop") or detached ("Ctl"), normalised against asymptotic SuperSpike.
    Recurrent,
    /// The shape study on the bundled MNIST-5k: robustness across tasks.
    ShapeMnist,
    /// Paper size: the sparsity study's λ grid on the paper's Randman, stopped on validation.
    SparsityPaper,
}

/// One sweep of a study and the file its results go to.
pub struct StudySweep {
    /// File stem: `<name>.csv`.
    pub name: &'static str,
    pub sweep: Sweep,
}

pub const BETAS: &str = "0.1,1,3,10,30,100,1000";

impl Study {
    pub const ALL: [Study; 9] = [
        Study::Beta,
        Study::Reset,
        Study::Sparsity,
        Study::Shape,
        Study::Scale,
        Study::Depth,
        Study::Recurrent,
        Study::ShapeMnist,
        Study::SparsityPaper,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Study::Beta => "beta",
            Study::Reset => "reset",
            Study::Sparsity => "sparsity",
            Study::Shape => "shape",
            Study::Scale => "scale",
            Study::Depth => "depth",
            Study::Recurrent => "recurrent",
            Study::ShapeMnist => "shape-mnist",
            Study::SparsityPaper => "sparsity-paper",
        }
    }

    /// Whether this is one of the paper-size (β, η) studies (a grid per variant, then fresh
    /// seeds at each variant's best point).
    pub fn is_paper_size(self) -> bool {
        !matches!(
            self,
            Study::Beta | Study::Reset | Study::Sparsity | Study::SparsityPaper
        )
    }

    /// The claim the study tests and the size it runs at, in two lines (the window's presets).
    pub fn claim(self) -> (&'static str, String) {
        use crate::sweep::paper::{BEST_SEEDS, EPOCHS, PATIENCE};
        let shrunk = |seeds: usize| {
            format!("Shrunk: Randman 300/class, batch 100, 10 epochs, {seeds} seeds.")
        };
        let stop =
            format!("stopped {PATIENCE} epochs after the best validation epoch (cap {EPOCHS})");
        let best = if self.decisive() {
            format!(
                "{BEST_SEEDS} fresh seeds at each variant's best point and at its point at β = {}",
                crate::sweep::paper::DECISIVE_BETA
            )
        } else {
            format!("{BEST_SEEDS} fresh seeds at each variant's best point")
        };
        match self {
            Study::Beta => (
                "Robust to the shape of σ′, sensitive to its scale β (SuperSpike, sigmoid′, Esser).",
                shrunk(self.default_seeds()),
            ),
            Study::Reset => (
                "Asymptotic SuperSpike with a differentiable reset fails at large β.",
                shrunk(self.default_seeds()),
            ),
            Study::Sparsity => (
                "Accuracy holds as the upper-bound regularizer lowers the rate, down to a critical rate.",
                shrunk(self.default_seeds()),
            ),
            Study::Shape => (
                "Any surrogate shape learns as well as any other, as long as it is not constant.",
                format!("Paper size: Randman 1000/class, batch 250, {stop}; (β, η) grid, {best}."),
            ),
            Study::Scale => (
                "Asymptotic SuperSpike at large β with the reset differentiable is detrimental.",
                format!(
                    "Paper size, {stop}; mean ± sd of the 10 best (β, η) points per variant, {best}."
                ),
            ),
            Study::Depth => (
                "Asymptotic SuperSpike at large β hurts more with depth (1, 2, 3 layers).",
                format!(
                    "Paper size, {stop}; (β, η) grid per depth, shape and reset (differentiable, detached as control), {best}."
                ),
            ),
            Study::Recurrent => (
                "Asymptotic SuperSpike at large β hurts with the gradient through recurrence (Prop vs Ctl).",
                format!(
                    "Paper size, one recurrent hidden layer, reset detached, {stop}; (β, η) grid, {best}."
                ),
            ),
            Study::ShapeMnist => (
                "The shape result holds on a second task: MNIST-5k (784 → 128 → 10).",
                format!("Bundled MNIST-5k preset, {stop}; (β, η) grid, {best}."),
            ),
            Study::SparsityPaper => (
                "Accuracy holds as the upper-bound regularizer lowers the rate, down to a critical rate.",
                format!(
                    "Paper size: Randman 1000/class, batch 250, {stop}; 11 λ values, {} seeds each.",
                    self.default_seeds()
                ),
            ),
        }
    }

    /// Whether this study decides claim 2 (large β through the reset, depth or recurrence), so
    /// that each variant's point at `paper::DECISIVE_BETA` gets fresh seeds too.
    pub fn decisive(self) -> bool {
        matches!(self, Study::Scale | Study::Depth | Study::Recurrent)
    }

    pub fn default_seeds(self) -> usize {
        match self {
            Study::Beta | Study::Reset => 2,
            Study::Sparsity | Study::SparsityPaper => 3,
            _ => 1,
        }
    }

    /// The shrunk Randman base every study starts from.
    pub fn base() -> Config {
        let mut c = Config::default();
        c.data.randman.samples_per_class = 300;
        c.optim.batch_size = 100;
        c.optim.epochs = 10;
        c
    }
}

/// Mean ± sd of one column over rows, for prose.
pub fn summarize(rows: &[Row], f: fn(&Row) -> f32) -> (f64, f64) {
    mean_std(rows.iter().map(|r| f(r) as f64))
}
