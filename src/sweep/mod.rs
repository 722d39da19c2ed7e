//! Sweeps: train every point of a grid over configuration keys with several seeds, and write
//! one CSV row per (point, seed). Headless and free of the window; the command line (`sweep`,
//! `sweep-merge`, `study`) and the window's Sweep view both use it.
//!
//! - [`grid`]: `key=v1,v2,…` axes, their cartesian product, shards, the sweep's fingerprint;
//!   the whole grid is checked before anything trains.
//! - [`csv`]: the results file (comment header with the fingerprint; atomic rewrites).
//! - [`runner`]: runs the rows a results file lacks on worker threads (resumable).
//! - [`error`]: why a grid, a results file, a merge, a figure or a run is refused.
//! - [`merge`]: joins the results of shards, refusing those of another sweep.
//! - [`plot`]: PNG line charts of results (plotters, pure Rust), in the [`palette`]'s colours.
//! - [`slices`]: heatmaps and curves of results for the window's Sweep view.
//! - [`studies`]: the paper's three studies, shrunk to minutes, with their figures.
//! - [`paper`]: the paper-size studies' grids, best points, figures and tables.

pub mod csv;
pub mod error;
pub mod grid;
pub mod merge;
pub mod palette;
pub mod paper;
pub mod plot;
pub mod runner;
pub mod slices;
pub mod studies;

pub use csv::{ResultsFile, Row, Selection};
pub use error::{
    CsvError, CsvParseError, CsvProblem, GridError, MergeError, PlotError, PointFailure, Refusal,
    StudyError,
};
pub use grid::{GridAxis, Point, Shard, Sweep};
pub use merge::{MergeReport, merge, merge_files};
pub use runner::{RunError, RunOptions, SweepEvent, SweepSummary, run};

/// Mean and standard deviation over the seeds of one point.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    pub point: usize,
    pub values: Vec<String>,
    /// Rows (seeds) of this point.
    pub n: usize,
    /// Validation accuracy at each run's chosen epoch (NaN without a validation split).
    pub val_acc: (f64, f64),
    /// Test accuracy at each run's chosen epoch.
    pub test_acc: (f64, f64),
    pub final_test_acc: (f64, f64),
    pub rate_hz: (f64, f64),
}

/// Groups rows by point (in point order) and averages over seeds; non-finite values (a run
/// that diverged before its first epoch) are left out of the means.
pub fn aggregate(rows: &[Row]) -> Vec<Aggregate> {
    let mut sorted: Vec<&Row> = rows.iter().collect();
    sorted.sort_by_key(|r| (r.point, r.seed));
    let mut out: Vec<Aggregate> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let point = sorted[i].point;
        let group: Vec<&Row> = sorted[i..]
            .iter()
            .take_while(|r| r.point == point)
            .copied()
            .collect();
        i += group.len();
        let stat = |f: fn(&Row) -> f32| mean_std(group.iter().map(|r| f(r) as f64));
        out.push(Aggregate {
            point,
            values: group[0].values.clone(),
            n: group.len(),
            val_acc: stat(|r| r.val_acc),
            test_acc: stat(|r| r.test_acc),
            final_test_acc: stat(|r| r.final_test_acc),
            rate_hz: stat(|r| r.rate_hz),
        });
    }
    out
}

impl Aggregate {
    /// What grid points are ranked by: the mean validation accuracy, or where the runs had
    /// no validation split (or come from a v1 file), the mean test accuracy.
    pub fn score(&self) -> f64 {
        if self.val_acc.0.is_finite() {
            self.val_acc.0
        } else {
            self.test_acc.0
        }
    }
}

/// Mean and (population) standard deviation of the finite values; NaN when there are none.
pub fn mean_std(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}
