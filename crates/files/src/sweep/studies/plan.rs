//! The paper-size protocol as a table, written from the studies' definitions (so the text in
//! REPRODUCTION.md cannot drift from what `study` runs): every grid with its axes and points,
//! and the best-point runs that follow it.

use super::Study;
use crate::sweep::error::GridError;
use crate::sweep::grid::GridAxis;
use crate::sweep::paper::{self, BEST_SEEDS, DECISIVE_BETA, EPOCHS, PATIENCE};

/// Variants of a grid: every combination of its keys other than β and η.
fn variants(axes: &[GridAxis]) -> usize {
    paper::variant_columns(axes)
        .iter()
        .map(|&c| axes[c].values.len())
        .product()
}

/// The studies at the paper's size, in the order REPRODUCTION.md runs them.
pub const PAPER_SIZE: [Study; 6] = [
    Study::Shape,
    Study::Scale,
    Study::Depth,
    Study::Recurrent,
    Study::ShapeMnist,
    Study::SparsityPaper,
];

/// The protocol in markdown: the stopping rule and seeds in one paragraph, then one row per
/// grid and a total of runs (seeded runs at most: a variant whose decisive-β point is its best
/// point has one seeded point, not two).
pub fn table() -> Result<String, GridError> {
    let mut out = format!(
        "Each run stops {PATIENCE} epochs after its best validation epoch, or at epoch {EPOCHS}. \
         Grid points have one seed each (the sparsity grid {} per λ); each variant's best point \
         (chosen on validation) gets {BEST_SEEDS} fresh seeds, and in the studies of claim 2 \
         (scale, depth, recurrent) so does each variant's point chosen at β = {DECISIVE_BETA}, \
         where that claim is decided. The grid's own run at a seeded point is not counted with \
         its seeds: it was chosen for being best.\n\n",
        Study::SparsityPaper.default_seeds(),
    );
    out.push_str("| study | grid | axes | runs | seeded runs (at most) |\n");
    out.push_str("| --- | --- | --- | ---: | ---: |\n");
    let (mut grid_runs, mut best_runs) = (0, 0);
    for study in PAPER_SIZE {
        let seeds = study.default_seeds();
        for s in study.sweeps(seeds)? {
            let axes: Vec<String> = s
                .sweep
                .axes
                .iter()
                .map(|a| format!("{} ∈ {{{}}}", a.key, a.values.join(", ")))
                .collect();
            let runs = s.sweep.points().len() * seeds;
            let points = if study.decisive() { 2 } else { 1 };
            let best = if study.is_paper_size() {
                variants(&s.sweep.axes) * BEST_SEEDS * points
            } else {
                0
            };
            grid_runs += runs;
            best_runs += best;
            out.push_str(&format!(
                "| {} | `{}.csv` | {} | {runs} | {best} |\n",
                study.name(),
                s.name,
                axes.join(" × ")
            ));
        }
    }
    out.push_str(&format!("| all | | | {grid_runs} | {best_runs} |\n"));
    Ok(out)
}
