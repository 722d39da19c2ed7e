//! Running a study: its sweeps, the paper-size studies' best-point seeds, then its figure and
//! table on disk.

use crate::clock::Instant;
use std::path::{Path, PathBuf};

use super::{Study, StudySweep};
use crate::sweep::csv::Row;
use crate::sweep::error::StudyError;
use crate::sweep::grid::Sweep;
use crate::sweep::paper;
use crate::sweep::plot;
use crate::sweep::runner::{RunOptions, SweepEvent, run};

/// How to run a study.
#[derive(Clone, Debug)]
pub struct StudyOptions {
    /// Folder for `<name>.csv`, `<study>.png` and `<study>.md` (created if missing).
    pub out_dir: PathBuf,
    pub jobs: usize,
    /// Threads per job, in a pool of its own (`None`: the jobs share the process's).
    pub threads: Option<usize>,
    pub seeds: usize,
    /// Keep rows already in the CSVs (resume) instead of training everything again.
    pub resume: bool,
}

/// What a study wrote.
pub struct StudyReport {
    pub csv: Vec<PathBuf>,
    pub png: PathBuf,
    pub table: PathBuf,
    pub seconds: f64,
}

/// Runs a study's sweeps, then draws its figure and writes its table; progress lines go to
/// stderr.
pub fn run_study(study: Study, options: &StudyOptions) -> Result<StudyReport, StudyError> {
    let started = Instant::now();
    std::fs::create_dir_all(&options.out_dir).map_err(|source| StudyError::CreateDir {
        path: options.out_dir.clone(),
        source,
    })?;
    let sweeps = study.sweeps(options.seeds)?;
    let mut all_rows = Vec::new();
    let mut csv = Vec::new();
    for s in &sweeps {
        let path = options.out_dir.join(format!("{}.csv", s.name));
        all_rows.push(run_logged(s.name, &s.sweep, &path, options)?);
        csv.push(path);
    }
    let best = if study.is_paper_size() {
        run_best_points(study, &sweeps, &all_rows, options, &mut csv)?
    } else {
        Vec::new()
    };
    let results = Committed {
        sweeps,
        rows: all_rows,
        best,
    };
    let (png, table) = results.write(study, &options.out_dir)?;
    Ok(StudyReport {
        csv,
        png,
        table,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Runs one sweep into `path` (from scratch unless resuming), with progress lines on stderr.
fn run_logged(
    name: &str,
    sweep: &Sweep,
    path: &Path,
    options: &StudyOptions,
) -> Result<Vec<Row>, StudyError> {
    if !options.resume {
        remove_if_present(path)?;
    }
    let run_options = RunOptions {
        jobs: options.jobs,
        threads: options.threads,
        out: Some(path.to_path_buf()),
        cancel: None,
    };
    let mut total = 0;
    let mut done = 0;
    let summary = run(sweep, &run_options, |e| match e {
        SweepEvent::Planned {
            total: t, done: d, ..
        } => {
            (total, done) = (t, d);
            eprintln!("{name}: {t} runs, {d} already in {}", path.display());
        }
        SweepEvent::Finished(r) => {
            done += 1;
            let at = sweep
                .points()
                .get(r.point)
                .map(|p| p.describe(&sweep.axes))
                .unwrap_or_default();
            eprintln!(
                "[{done}/{total}] {at} seed {}: val {:.3}, test {:.3} (epoch {}), final {:.3}, {:.1} Hz, {:.1} s",
                r.seed,
                r.val_acc,
                r.test_acc,
                r.chosen_epoch,
                r.final_test_acc,
                r.rate_hz,
                r.seconds
            );
        }
        _ => {}
    })?;
    Ok(summary.rows)
}

/// The paper-size studies' second stage: once a grid is complete, each variant's seeded points
/// (its best, and for claim 2 its point at β = 100) trained with fresh seeds, into
/// `<grid>_best_<k>.csv` and `<grid>_beta100_<k>.csv`. Returns every such row.
fn run_best_points(
    study: Study,
    sweeps: &[StudySweep],
    rows: &[Vec<Row>],
    options: &StudyOptions,
    csv: &mut Vec<PathBuf>,
) -> Result<Vec<Row>, StudyError> {
    let mut out = Vec::new();
    for (s, r) in sweeps.iter().zip(rows) {
        let expected = s.sweep.points().len() * s.sweep.seeds;
        if r.len() < expected {
            eprintln!(
                "{}: {} of {expected} grid runs done; the best-point seeds wait for the rest",
                s.name,
                r.len()
            );
            continue;
        }
        for (label, sweep, path) in seeded_points(study, s, r, &options.out_dir)? {
            out.extend(run_logged(
                &format!("{} {label}", s.name),
                &sweep,
                &path,
                options,
            )?);
            csv.push(path);
        }
    }
    Ok(out)
}

/// Each variant's seeded points of a grid's `rows` as sweeps of fresh seeds, with a label and
/// a file in `dir`: its best point, `<grid>_best_<k>.csv`, and for the studies of claim 2 its
/// point at the decisive β when that is another one, `<grid>_beta<β>_<k>.csv`.
fn seeded_points(
    study: Study,
    s: &StudySweep,
    rows: &[Row],
    dir: &Path,
) -> Result<Vec<(String, Sweep, PathBuf)>, StudyError> {
    let mut out = Vec::new();
    let decisive = study.decisive();
    for (k, (_, vrows)) in paper::variants(&s.sweep.axes, rows).iter().enumerate() {
        for (i, point) in paper::seeded_rows(&s.sweep.axes, vrows, decisive)
            .into_iter()
            .enumerate()
        {
            let stem = if i == 0 {
                format!("best_{k}")
            } else {
                format!("beta{}_{k}", paper::DECISIVE_BETA)
            };
            let sweep = paper::best_point_sweep(&s.sweep, point)?;
            let path = dir.join(format!("{}_{stem}.csv", s.name));
            out.push((stem.replace('_', " "), sweep, path));
        }
    }
    Ok(out)
}

/// A study's results: every grid's rows and, for paper-size studies, the fresh seeds at its
/// seeded points — just trained, or as committed in a folder ([`Committed::read`], without
/// training; a missing file reads as no rows).
pub struct Committed {
    pub sweeps: Vec<StudySweep>,
    pub rows: Vec<Vec<Row>>,
    pub best: Vec<Row>,
}

impl Committed {
    /// Each file is read on the grid its own header names (the study's definition may have
    /// changed since it was run), so results committed under an earlier protocol still open.
    pub fn read(study: Study, dir: &Path) -> Result<Self, StudyError> {
        let defined = study.sweeps(study.default_seeds())?;
        let mut sweeps = Vec::new();
        let mut rows = Vec::new();
        for s in defined {
            let path = dir.join(format!("{}.csv", s.name));
            let (sweep, r) = read_rows(&s.sweep, &path)?;
            sweeps.push(StudySweep {
                name: s.name,
                sweep,
            });
            rows.push(r);
        }
        let mut best = Vec::new();
        if study.is_paper_size() {
            for (s, r) in sweeps.iter().zip(&rows) {
                for (_, sweep, path) in seeded_points(study, s, r, dir)? {
                    best.extend(read_rows(&sweep, &path)?.1);
                }
            }
        }
        Ok(Self { sweeps, rows, best })
    }

    /// The study's figure from these rows, as `study` writes it.
    pub fn chart(&self, study: Study) -> plot::Chart {
        study.chart_with_best(&self.rows, &self.sweeps, &self.best)
    }

    /// The study's table from these rows, as `study` writes it.
    pub fn table(&self, study: Study) -> String {
        study.table_with_best(&self.sweeps, &self.rows, &self.best)
    }

    /// Draws the figure `<study>.png` and writes the table `<study>.md` into `dir`; returns
    /// their paths.
    fn write(&self, study: Study, dir: &Path) -> Result<(PathBuf, PathBuf), StudyError> {
        let png = dir.join(format!("{}.png", study.name()));
        plot::save_png(&self.chart(study), &png, FIGURE_SIZE)?;
        let table = dir.join(format!("{}.md", study.name()));
        crate::atomic::write_atomic(&table, self.table(study).as_bytes())?;
        Ok((png, table))
    }
}

/// Draws a study's figure and writes its table from the results already in `dir` (of any
/// protocol: each file is read on its own grid), training nothing. Returns the two paths.
pub fn redraw(study: Study, dir: &Path) -> Result<(PathBuf, PathBuf), StudyError> {
    let committed = Committed::read(study, dir)?;
    // A folder without the study's results would overwrite its figure and table with empty
    // ones: refused, naming the file that was looked for.
    if committed.rows.iter().all(Vec::is_empty) {
        let first = committed.sweeps.first().map_or("", |s| s.name);
        return Err(StudyError::NoResults {
            path: dir.join(format!("{first}.csv")),
        });
    }
    committed.write(study, dir)
}

/// A figure's width and least height in pixels (the plot, and its legend's panel beside it).
const FIGURE_SIZE: (u32, u32) = (1360, 640);

/// The rows of the file at `path` and the grid they were run on (the file's own, or `sweep`'s
/// for a file that names none).
fn read_rows(sweep: &Sweep, path: &Path) -> Result<(Sweep, Vec<Row>), StudyError> {
    let (own, file) = crate::sweep::runner::view_on_own_axes(&sweep.base, sweep, path)
        .map_err(crate::sweep::runner::RunError::from)?;
    Ok((own, file.rows))
}

fn remove_if_present(path: &Path) -> Result<(), StudyError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StudyError::Remove {
            path: path.to_path_buf(),
            source,
        }),
    }
}
