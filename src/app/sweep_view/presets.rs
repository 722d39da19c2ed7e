//! Study presets: a study fills the grid, base and results file, its committed results open
//! without training, and its own figure replaces the generic curves.

use eframe::egui;

use super::{AxisEdit, RESULTS_DIR, SweepView};
use crate::config::Config;
use crate::sweep::plot::Chart;
use crate::sweep::studies::{Committed, Study, StudySweep};
use crate::sweep::{Selection, runner};

impl SweepView {
    /// Fills the grid, epochs, seeds, base and results file from a study's main grid.
    pub fn pick_preset(&mut self, study: Study) {
        let Some(main) = study_grid(study) else {
            self.message = Some((format!("{}: its grid does not build", study.name()), true));
            return;
        };
        self.axes = main
            .sweep
            .axes
            .iter()
            .map(|a| AxisEdit::new(&a.key, &a.values.join(",")))
            .collect();
        self.epochs = main.sweep.base.optim.epochs;
        self.seeds = study.default_seeds();
        self.out = format!("{RESULTS_DIR}/{}.csv", main.name);
        self.preset_base = Some(main.sweep.base.clone());
        self.preset = Some(study);
        self.committed = None;
        self.message = None;
    }

    /// Back to a free grid on the controls' experiment.
    pub fn clear_preset(&mut self) {
        self.preset = None;
        self.preset_base = None;
    }

    /// Shows the results already in the preset's results file, without training, on the
    /// grid the file names; a missing file, or one whose rows are not its own grid's, is said
    /// in one line.
    pub fn open_results(&mut self, base: &Config) {
        if self.running.is_some() {
            return;
        }
        let sweep = match self.build(base) {
            Ok(s) => s,
            Err(e) => {
                self.message = Some((e, true));
                return;
            }
        };
        let path = std::path::PathBuf::from(self.out.trim());
        if !crate::vfs::is_file(&path) {
            self.message = Some((
                format!("{}: no results yet (run the study first)", path.display()),
                true,
            ));
            return;
        }
        // The file's own grid, which may differ from the editor's (a study redefined after
        // its results were committed): the editor shows the grid the rows were run on.
        match runner::view_on_own_axes(&sweep.base, &sweep, &path) {
            Ok((sweep, file)) => {
                self.axes = sweep
                    .axes
                    .iter()
                    .map(|a| AxisEdit::new(&a.key, &a.values.join(",")))
                    .collect();
                self.seeds = sweep.seeds;
                let chosen = match file.meta.selection {
                    Selection::Validation => "",
                    Selection::Test => {
                        " (format v1: epochs and points chosen on TEST accuracy; rerun to choose on validation)"
                    }
                };
                self.rows = file.rows;
                self.partial.clear();
                self.total = sweep.points().len() * sweep.seeds;
                self.message = Some((
                    format!("{}: {} runs{chosen}", path.display(), self.rows.len()),
                    false,
                ));
                self.sweep = Some(sweep);
                // The study's other grids (controls) and best-point seeds beside the file.
                let dir = path.parent().unwrap_or(std::path::Path::new("."));
                self.committed = self
                    .preset
                    .and_then(|study| Committed::read(study, dir).ok());
            }
            Err(e) => self.message = Some((e.to_string(), true)),
        }
    }

    /// The preset's figure from the rows so far (finished, then runs in progress), or `None`
    /// without a preset or a sweep.
    pub fn chart(&self) -> Option<Chart> {
        let study = self.preset?;
        if let (Some(c), false) = (&self.committed, self.is_running()) {
            return Some(c.chart(study));
        }
        let sweep = self.sweep.as_ref()?;
        let rows = self.rows_so_far();
        let grid = StudySweep {
            name: "",
            sweep: sweep.clone(),
        };
        Some(study.chart_with_best(&[rows], &[grid], &[]))
    }

    /// One button per study; the picked one's claim and base in two lines, and the buttons
    /// to open its committed results or go back to a free grid.
    pub(super) fn presets(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Studies:");
            for study in Study::ALL {
                let picked = self.preset == Some(study);
                let (claim, size) = study.claim();
                if ui
                    .selectable_label(picked, study.name())
                    .on_hover_text(format!("{claim}\n{size}"))
                    .clicked()
                {
                    self.pick_preset(study);
                }
            }
        });
        if let Some(study) = self.preset {
            let (claim, size) = study.claim();
            ui.label(crate::app::glyph_safe(claim));
            // Wrapped: a long protocol line must not push the buttons past the window's edge.
            ui.horizontal_wrapped(|ui| {
                ui.weak(crate::app::glyph_safe(&size));
                if ui
                    .button("Open results")
                    .on_hover_text("show the rows in the results file, without training")
                    .clicked()
                {
                    let base = self.preset_base.clone().unwrap_or_default();
                    self.open_results(&base);
                }
                if ui
                    .button("Clear preset")
                    .on_hover_text("sweep on the controls' experiment again")
                    .clicked()
                {
                    self.clear_preset();
                }
            });
        }
    }
}

/// A study's main grid (its first sweep), with its name.
fn study_grid(study: Study) -> Option<StudySweep> {
    study.sweeps(study.default_seeds()).ok()?.into_iter().next()
}
