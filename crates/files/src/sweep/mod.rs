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

/// The first of `items` with the highest finite `score` (ties keep the earlier one): how a
/// run, a grid point or an aggregate is chosen on validation. Items whose score or reported
/// value is not finite are passed over (`usable`).
pub fn first_best<T: Copy>(
    items: impl IntoIterator<Item = T>,
    score: impl Fn(T) -> f64,
    usable: impl Fn(T) -> bool,
) -> Option<T> {
    items
        .into_iter()
        .filter(|&x| score(x).is_finite() && usable(x))
        .fold(None, |best, x| match best {
            Some(b) if score(b) >= score(x) => Some(b),
            _ => Some(x),
        })
}

/// Mean and sample standard deviation (n − 1) of the finite values; NaN when there are none,
/// and a standard deviation of 0 for a single value (it has no spread to show; tables print n
/// beside it).
pub fn mean_std(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if v.len() == 1 {
        return (mean, 0.0);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// Student's t two-sided 97.5 % quantiles for 1 … 30 degrees of freedom.
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// The 95 % confidence interval of the mean of the finite values (Student's t, n − 1 degrees
/// of freedom; the normal quantile beyond 30); `None` for fewer than two values.
pub fn interval95(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.len() < 2 {
        return None;
    }
    let (mean, sd) = mean_std(v.iter().copied());
    let t = T975.get(v.len() - 2).copied().unwrap_or(1.960);
    let half = t * sd / (v.len() as f64).sqrt();
    Some((mean - half, mean + half))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_sd_and_the_t_interval_of_five_values() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        let (m, s) = mean_std(v.iter().copied());
        // Σ(x − 3)² = 10 over n − 1 = 4.
        assert_eq!(m, 3.0);
        assert!((s - 2.5f64.sqrt()).abs() < 1e-12, "{s}");
        // t(0.975, 4) = 2.776: 3 ± 2.776·√2.5/√5.
        let (lo, hi) = interval95(v.iter().copied()).expect("five values");
        let half = 2.776 * (2.5f64 / 5.0).sqrt();
        assert!((lo - (3.0 - half)).abs() < 1e-12 && (hi - (3.0 + half)).abs() < 1e-12);
        assert_eq!(mean_std([0.7].into_iter()), (0.7, 0.0));
        assert!(interval95([0.7, f64::NAN].into_iter()).is_none());
    }
}
