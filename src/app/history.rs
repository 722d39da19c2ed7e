//! What the window remembers of training: the current run's curves and the runs kept for
//! comparison, each bounded in memory and decimated for drawing.

use crate::config::Config;
use crate::train::metrics::{BatchMetrics, EpochMetrics};

use super::edits::config_diff;

/// Stored points per series before neighbours are merged: a week of training must not grow
/// memory without bound, and no screen shows more than a few thousand points anyway.
pub const MAX_STORED: usize = 8_192;

/// Runs kept for overlay; more would make the legends unreadable.
pub const MAX_KEPT: usize = 6;

/// A curve (x, y) that halves its resolution whenever it reaches [`MAX_STORED`] points.
#[derive(Clone, Debug, Default)]
pub struct Series {
    points: Vec<[f64; 2]>,
    /// Raw points still waiting to be merged into one stored point (after a halving).
    pending: Vec<[f64; 2]>,
    /// Raw points per stored point: doubles at each halving.
    stride: usize,
}

impl Series {
    pub fn push(&mut self, x: f64, y: f64) {
        if !x.is_finite() || y.is_nan() {
            return;
        }
        let stride = self.stride.max(1);
        self.pending.push([x, y]);
        if self.pending.len() < stride {
            return;
        }
        self.points.push(mean(&self.pending));
        self.pending.clear();
        if self.points.len() >= MAX_STORED {
            self.points = self.points.chunks(2).map(mean).collect();
            self.stride = stride * 2;
        }
    }

    pub fn len(&self) -> usize {
        self.points.len() + self.pending.len().min(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn last(&self) -> Option<[f64; 2]> {
        self.pending.last().or(self.points.last()).copied()
    }

    /// All points, the unmerged tail included.
    pub fn points(&self) -> Vec<[f64; 2]> {
        let mut out = self.points.clone();
        if !self.pending.is_empty() {
            out.push(mean(&self.pending));
        }
        out
    }

    /// At most `max_points` points for drawing: each bucket keeps its minimum and maximum in
    /// x order, so a single divergent batch still shows as a spike.
    pub fn decimated(&self, max_points: usize) -> Vec<[f64; 2]> {
        decimate(&self.points(), max_points)
    }
}

fn mean(points: &[[f64; 2]]) -> [f64; 2] {
    let n = points.len().max(1) as f64;
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(sx, sy), p| (sx + p[0], sy + p[1]));
    [sx / n, sy / n]
}

/// Min/max decimation to at most `max_points` points (at least 2).
pub fn decimate(points: &[[f64; 2]], max_points: usize) -> Vec<[f64; 2]> {
    let max_points = max_points.max(2);
    if points.len() <= max_points {
        return points.to_vec();
    }
    let buckets = max_points / 2;
    let per_bucket = points.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(buckets * 2);
    for chunk in points.chunks(per_bucket) {
        let (mut lo, mut hi) = (0, 0);
        for (i, p) in chunk.iter().enumerate() {
            if p[1] < chunk[lo][1] {
                lo = i;
            }
            if p[1] > chunk[hi][1] {
                hi = i;
            }
        }
        let (a, b) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        out.push(chunk[a]);
        if b != a {
            out.push(chunk[b]);
        }
    }
    out
}

/// One training run as the plots need it; x is in epochs (fractional for batches).
#[derive(Clone, Debug, Default)]
pub struct Run {
    /// The configuration in force at the latest batch (live edits included).
    pub config: Config,
    pub batch_loss: Series,
    pub batch_acc: Series,
    pub train_loss: Series,
    pub train_acc: Series,
    pub test_loss: Series,
    pub test_acc: Series,
    /// Per hidden layer, Hz.
    pub rate: Vec<Series>,
    /// Hidden layers, then the readout.
    pub grad_norm: Vec<Series>,
    pub batches: u64,
    /// Where a live edit of the surrogate or learning rate took effect: (x, what changed).
    pub marks: Vec<(f64, String)>,
}

/// Marks beyond this are dropped (a slider dragged for minutes would otherwise add thousands).
const MAX_MARKS: usize = 64;

impl Run {
    pub fn new(config: Config) -> Self {
        Self {
            config,
            ..Default::default()
        }
    }

    pub fn record_batch(&mut self, m: &BatchMetrics) {
        let x = (m.epoch - 1) as f64 + m.batch as f64 / m.batches_per_epoch.max(1) as f64;
        self.batch_loss.push(x, m.loss as f64);
        self.batch_acc.push(x, m.accuracy as f64);
        grow(&mut self.rate, m.rate_hz.len());
        for (s, &r) in self.rate.iter_mut().zip(&m.rate_hz) {
            s.push(x, r as f64);
        }
        grow(&mut self.grad_norm, m.grad_norm.len());
        for (s, &g) in self.grad_norm.iter_mut().zip(&m.grad_norm) {
            s.push(x, g as f64);
        }
        let mut changed = Vec::new();
        if self.batches > 0 && m.surrogate != self.config.surrogate {
            if m.surrogate.shape != self.config.surrogate.shape {
                changed.push(m.surrogate.shape.label().to_string());
            }
            if m.surrogate.beta != self.config.surrogate.beta {
                changed.push(format!(
                    "β = {}",
                    super::edits::format_number(m.surrogate.beta)
                ));
            }
        }
        if self.batches > 0 && m.lr != self.config.optim.lr {
            changed.push(format!("lr = {}", super::edits::format_number(m.lr)));
        }
        if !changed.is_empty() {
            // Consecutive edits while a slider is dragged collapse into the latest.
            if self
                .marks
                .last()
                .is_some_and(|(mx, _)| x - mx < 1e-9 + 2.0 / m.batches_per_epoch.max(1) as f64)
            {
                self.marks.pop();
            }
            if self.marks.len() < MAX_MARKS {
                self.marks.push((x, changed.join(", ")));
            }
        }
        self.config.surrogate = m.surrogate;
        self.config.optim.lr = m.lr;
        self.batches += 1;
    }

    pub fn record_epoch(&mut self, m: &EpochMetrics) {
        let x = m.epoch as f64;
        self.train_loss.push(x, m.train_loss as f64);
        self.train_acc.push(x, m.train_acc as f64);
        self.test_loss.push(x, m.test_loss as f64);
        self.test_acc.push(x, m.test_acc as f64);
    }
}

fn grow(series: &mut Vec<Series>, n: usize) {
    if series.len() < n {
        series.resize_with(n, Series::default);
    }
}

#[derive(Clone, Debug, Default)]
pub struct RunHistory {
    pub current: Run,
    /// Oldest first.
    pub kept: Vec<Run>,
}

impl RunHistory {
    /// Starts a new current run (after a reset); the old one is dropped unless it was kept.
    pub fn restart(&mut self, config: Config) {
        self.current = Run::new(config);
    }

    /// Keeps the current run for overlay; the oldest kept run goes when there are too many.
    /// Returns false when there is nothing to keep yet.
    pub fn keep_current(&mut self) -> bool {
        if self.current.batches == 0 {
            return false;
        }
        if self.kept.len() >= MAX_KEPT {
            self.kept.remove(0);
        }
        self.kept.push(self.current.clone());
        true
    }

    pub fn clear_kept(&mut self) {
        self.kept.clear();
    }

    /// Legend labels: for each kept run the settings in which it differs from `reference`
    /// (normally the configuration on screen), and the same settings' values for the current
    /// run — "β = 1" against "β = 100".
    pub fn labels(&self, reference: &Config) -> (String, Vec<String>) {
        let mut keys: Vec<String> = Vec::new();
        let kept: Vec<String> = self
            .kept
            .iter()
            .enumerate()
            .map(|(i, run)| {
                let diff = config_diff(&run.config, reference);
                for d in &diff {
                    if !keys.contains(&d.key) {
                        keys.push(d.key.clone());
                    }
                }
                let text: Vec<String> = diff.iter().map(|d| d.short(&d.left)).collect();
                if text.is_empty() {
                    format!("run {} (same settings)", i + 1)
                } else {
                    text.join(", ")
                }
            })
            .collect();
        let current_diff = config_diff(&self.current.config, reference);
        let flat = super::edits::flatten(&self.current.config);
        let mut parts: Vec<String> = keys
            .iter()
            .filter_map(|k| flat.get(k).map(|v| super::edits::short_assignment(k, v)))
            .collect();
        if !current_diff.is_empty() {
            parts.push("edited".into());
        }
        let current = if parts.is_empty() {
            "this run".to_string()
        } else {
            format!("this run: {}", parts.join(", "))
        };
        (current, kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_keeps_extremes_and_bounds_count() {
        let mut pts: Vec<[f64; 2]> = (0..10_000).map(|i| [i as f64, 1.0]).collect();
        pts[5_000][1] = 100.0;
        pts[7_000][1] = -3.0;
        let d = decimate(&pts, 500);
        assert!(d.len() <= 500);
        assert!(d.iter().any(|p| p[1] == 100.0));
        assert!(d.iter().any(|p| p[1] == -3.0));
        assert!(d.windows(2).all(|w| w[0][0] <= w[1][0]));
    }

    #[test]
    fn series_memory_is_bounded() {
        let mut s = Series::default();
        for i in 0..100_000 {
            s.push(i as f64, (i % 7) as f64);
        }
        assert!(s.len() <= MAX_STORED);
        let last = s.last().map(|p| p[0]).unwrap_or(0.0);
        assert!(last > 99_000.0, "tail kept: {last}");
    }

    #[test]
    fn kept_run_label_names_what_differs() {
        let mut h = RunHistory::default();
        let mut a = Config::default();
        a.surrogate.beta = 1.0;
        h.restart(a.clone());
        h.current.batches = 3;
        assert!(h.keep_current());
        let mut b = a.clone();
        b.surrogate.beta = 100.0;
        h.restart(b.clone());
        let (current, kept) = h.labels(&b);
        assert_eq!(kept, vec!["β = 1".to_string()]);
        assert_eq!(current, "this run: β = 100");
    }
}
