//! The Sweep view: choose keys and values, run the grid in the background, and watch a heatmap
//! (β × learning rate, one per surrogate shape) and the accuracy-vs-β and accuracy-vs-rate
//! curves fill in as points finish.
//!
//! The sweep is the library's (`crate::sweep::run`) as a background task whose events are
//! taken without blocking each frame; the figures are drawn by `plots::sweep` from
//! `crate::sweep::slices`. The base configuration is the one on the left-hand controls when
//! ▶ Run sweep is pressed — unless a study preset is picked: then the grid, the base and the
//! results file are the study's (`crate::sweep::studies`), its own figure is drawn as rows
//! arrive (epoch by epoch), and its committed results can be opened without training.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use eframe::egui;

use super::task::{Poll, Progress, Task};
use crate::config::Config;
use crate::sweep::slices::{BETA, LR, SHAPE};
use crate::sweep::studies::Study;
use crate::sweep::{
    self, GridAxis, Row, RunError, RunOptions, Shard, Sweep, SweepEvent, SweepSummary,
};

pub mod committed;
mod editor;
mod presets;

/// Where the presets' results files live (the command line's `study --out-dir` default).
pub const RESULTS_DIR: &str = "reproduction";

pub use crate::sweep::slices::Heatmap;

/// One axis as the user types it.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisEdit {
    pub key: String,
    pub values: String,
}

impl AxisEdit {
    fn new(key: &str, values: &str) -> Self {
        AxisEdit {
            key: key.into(),
            values: values.into(),
        }
    }
}

struct Running {
    task: Task<Result<SweepSummary, RunError>, SweepEvent>,
    cancel: Arc<AtomicBool>,
}

/// The view's own state: what is being edited, and the sweep being shown.
pub struct SweepView {
    /// Whether the central panel shows this view instead of the live training plots.
    pub shown: bool,
    pub axes: Vec<AxisEdit>,
    pub seeds: usize,
    pub jobs: usize,
    pub epochs: usize,
    /// Results CSV; empty keeps results in memory only.
    pub out: String,
    running: Option<Running>,
    /// The sweep whose results are shown (the last one started).
    sweep: Option<Sweep>,
    rows: Vec<Row>,
    /// Runs in progress, as their rows read after their last finished epoch.
    partial: Vec<Row>,
    total: usize,
    message: Option<(String, bool)>,
    /// The study preset picked, if any: its figure replaces the generic curves.
    pub preset: Option<Study>,
    /// The preset's base experiment, used instead of the controls' while a preset is picked.
    pub preset_base: Option<Config>,
    /// The preset's committed results, all its grids and best-point seeds, once opened: its
    /// figure as `study` draws it, until a sweep starts.
    committed: Option<crate::sweep::studies::Committed>,
}

impl Default for SweepView {
    fn default() -> Self {
        SweepView {
            shown: false,
            axes: vec![
                AxisEdit::new(SHAPE, "super_spike,sigmoid,esser"),
                AxisEdit::new(BETA, "1,10,100"),
                AxisEdit::new(LR, "0.002,0.02"),
            ],
            seeds: 1,
            jobs: 1,
            epochs: 5,
            out: String::new(),
            running: None,
            sweep: None,
            rows: Vec::new(),
            partial: Vec::new(),
            total: 0,
            message: None,
            preset: None,
            preset_base: None,
            committed: None,
        }
    }
}

impl SweepView {
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Rows finished so far (including those a resumed results file held).
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// (finished, total) runs of the sweep shown.
    pub fn progress(&self) -> (usize, usize) {
        (self.rows.len(), self.total)
    }

    /// The last message (text, is_error): a refused grid, a failed run, a finished sweep.
    pub fn message(&self) -> Option<&(String, bool)> {
        self.message.as_ref()
    }

    /// Finished rows and, for runs still training, their rows as of their last epoch.
    pub fn rows_so_far(&self) -> Vec<Row> {
        let mut rows = self.rows.clone();
        rows.extend(
            self.partial
                .iter()
                .filter(|p| {
                    !self
                        .rows
                        .iter()
                        .any(|r| r.point == p.point && r.seed == p.seed)
                })
                .cloned(),
        );
        rows
    }

    /// Checks the grid on `base` and starts it as a background task; a refused grid runs
    /// nothing and says why.
    pub fn start(&mut self, ctx: &egui::Context, base: &Config) {
        if self.running.is_some() {
            return;
        }
        match self.build(base) {
            Ok(s) => {
                self.committed = None;
                self.spawn(ctx, s);
            }
            Err(e) => self.message = Some((e, true)),
        }
    }

    fn build(&self, base: &Config) -> Result<Sweep, String> {
        let mut base = self.preset_base.as_ref().unwrap_or(base).clone();
        base.optim.epochs = self.epochs;
        let axes = self
            .axes
            .iter()
            .filter(|a| !a.key.trim().is_empty())
            .map(|a| GridAxis::parse(&format!("{}={}", a.key.trim(), a.values)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        if axes.is_empty() {
            return Err("add at least one key to sweep".into());
        }
        Sweep::new(base, axes, self.seeds.max(1), Shard::default()).map_err(|e| e.to_string())
    }

    fn spawn(&mut self, ctx: &egui::Context, s: Sweep) {
        let cancel = Arc::new(AtomicBool::new(false));
        let options = RunOptions {
            jobs: self.jobs.max(1),
            threads: None,
            out: (!self.out.trim().is_empty()).then(|| self.out.trim().into()),
            cancel: Some(cancel.clone()),
        };
        let for_thread = s.clone();
        let task = Task::spawn_with_progress("sweep", ctx, move |events: &Progress<_>| {
            sweep::run(&for_thread, &options, |e| events.report(e))
        });
        match task {
            Ok(task) => {
                self.total = s.shard_points().count() * s.seeds;
                self.sweep = Some(s);
                self.rows.clear();
                self.partial.clear();
                self.message = None;
                self.running = Some(Running { task, cancel });
            }
            Err(e) => self.message = Some((format!("cannot start the sweep: {e}"), true)),
        }
    }

    /// Asks the sweep to stop after the current epoch; finished rows stay.
    pub fn stop(&mut self) {
        if let Some(r) = &self.running {
            r.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Takes whatever the sweep has reported, without waiting.
    pub fn poll(&mut self) {
        let Some(running) = &self.running else {
            return;
        };
        let (rows, partial, total) = (&mut self.rows, &mut self.partial, &mut self.total);
        let result = match running.task.poll_with(|event| match event {
            SweepEvent::Planned {
                total: planned,
                existing,
                ..
            } => {
                *total = planned;
                *rows = existing;
            }
            SweepEvent::Epoch { progress, .. } => {
                partial.retain(|p| (p.point, p.seed) != (progress.point, progress.seed));
                partial.push(*progress);
            }
            SweepEvent::Finished(row) => {
                partial.retain(|p| (p.point, p.seed) != (row.point, row.seed));
                rows.push(row);
            }
            _ => {}
        }) {
            Poll::Pending => return,
            Poll::Done(result) => result,
            Poll::Lost => Err(RunError::Failed("the sweep thread stopped".into())),
        };
        self.running = None;
        self.partial.clear();
        self.message = Some(match result {
            Ok(s) if s.cancelled => (
                format!("stopped: {} of {} runs finished", s.rows.len(), self.total),
                false,
            ),
            Ok(s) => (
                format!(
                    "done: {} runs ({} trained, {} from the results file)",
                    s.rows.len(),
                    s.trained,
                    s.skipped
                ),
                false,
            ),
            Err(e) => (e.to_string(), true),
        });
    }

    /// β × learning-rate heatmaps of the sweep shown, one per surrogate shape.
    pub fn heatmaps(&self) -> Vec<Heatmap> {
        self.sweep
            .as_ref()
            .map(|s| crate::sweep::slices::heatmaps(&s.axes, &self.rows_so_far()))
            .unwrap_or_default()
    }
}

/// The tabs above the central panel; true when the Sweep view is chosen.
pub fn tabs(ui: &mut egui::Ui, view: &mut SweepView) -> bool {
    ui.horizontal(|ui| {
        ui.selectable_value(&mut view.shown, false, "Live training");
        let label = if view.is_running() {
            let (done, total) = view.progress();
            format!("Sweep ({done}/{total})")
        } else {
            "Sweep".to_string()
        };
        ui.selectable_value(&mut view.shown, true, label);
    });
    view.shown
}
