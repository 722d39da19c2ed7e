//! The paper's three studies (Zenke & Vogels 2021) as sweeps on Randman, shrunk to run in
//! minutes on a 2-core machine, and the figure of each.
//!
//! What is shrunk, against the program's defaults (which follow the paper): 300 samples per
//! class instead of 1000 (240 train / 30 validation / 30 test), batches of 100 instead of 250,
//! 10 epochs, 2–3 seeds per point, and coarse grids. Everything else (20 → 100 → 10,
//! feed-forward, T = 100, Adam 0.02, init N(0, (5/√fan_in)²), the paper's lower-bound activity
//! regularizer) is the default.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::csv::Row;
use super::error::{GridError, StudyError};
use super::grid::{GridAxis, Shard, Sweep};
use super::plot::{self, Chart, Series, Style};
use super::runner::{RunOptions, SweepEvent, run};
use super::{Aggregate, aggregate, mean_std, paper};
use crate::config::Config;
use crate::snn::surrogate::SurrogateShape;

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
    /// Paper size: 1, 2, 3 hidden layers with the reset differentiable, normalised against
    /// asymptotic SuperSpike: depth with the asymptotic shape at large β hurts.
    Depth,
    /// Paper size: a recurrent hidden layer, gradient through the recurrence propagated
    /// ("Prop") or detached ("Ctl"), normalised against asymptotic SuperSpike.
    Recurrent,
    /// The shape study on the bundled MNIST-5k: robustness across tasks.
    ShapeMnist,
}

/// One sweep of a study and the file its results go to.
pub struct StudySweep {
    /// File stem: `<name>.csv`.
    pub name: &'static str,
    pub sweep: Sweep,
}

pub const BETAS: &str = "0.1,1,3,10,30,100,1000";

impl Study {
    pub const ALL: [Study; 8] = [
        Study::Beta,
        Study::Reset,
        Study::Sparsity,
        Study::Shape,
        Study::Scale,
        Study::Depth,
        Study::Recurrent,
        Study::ShapeMnist,
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
        }
    }

    /// Whether this is one of the paper-size studies (a (β, η) grid per variant, then fresh
    /// seeds at each variant's best point).
    pub fn is_paper_size(self) -> bool {
        !matches!(self, Study::Beta | Study::Reset | Study::Sparsity)
    }

    /// The claim the study tests and the size it runs at, in two lines (the window's presets).
    pub fn claim(self) -> [&'static str; 2] {
        match self {
            Study::Beta => [
                "Robust to the shape of σ′, sensitive to its scale β (SuperSpike, sigmoid′, Esser).",
                "Shrunk: Randman 300/class, batch 100, 10 epochs, 2 seeds.",
            ],
            Study::Reset => [
                "Asymptotic SuperSpike with a differentiable reset fails at large β.",
                "Shrunk: Randman 300/class, batch 100, 10 epochs, 2 seeds.",
            ],
            Study::Sparsity => [
                "Accuracy holds as the upper-bound regularizer lowers the rate, down to a critical rate.",
                "Shrunk: Randman 300/class, batch 100, 10 epochs, 3 seeds.",
            ],
            Study::Shape => [
                "Any surrogate shape learns as well as any other, as long as it is not constant.",
                "Paper size: Randman 1000/class, batch 250, 30 epochs; (β, η) grid, 3 seeds at the best.",
            ],
            Study::Scale => [
                "Asymptotic SuperSpike at large β with the reset differentiable is detrimental.",
                "Paper size; mean ± sd of the 10 best (β, η) points per variant, 3 seeds at the best.",
            ],
            Study::Depth => [
                "Asymptotic SuperSpike at large β hurts more with depth (1, 2, 3 layers, reset differentiable).",
                "Paper size; (β, η) grid per depth and shape, 3 seeds at the best.",
            ],
            Study::Recurrent => [
                "Asymptotic SuperSpike at large β hurts with the gradient through recurrence (Prop vs Ctl).",
                "Paper size, one recurrent hidden layer; (β, η) grid, 3 seeds at the best.",
            ],
            Study::ShapeMnist => [
                "The shape result holds on a second task: MNIST-5k (784 → 128 → 10).",
                "Bundled MNIST-5k preset, 15 epochs; (β, η) grid, 3 seeds at the best.",
            ],
        }
    }

    pub fn default_seeds(self) -> usize {
        match self {
            Study::Beta | Study::Reset => 2,
            Study::Sparsity => 3,
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

    /// The sweeps of this study (the β study has a second one for its β-free references).
    pub fn sweeps(self, seeds: usize) -> Result<Vec<StudySweep>, GridError> {
        let axis = |s: &str| GridAxis::parse(s);
        let base = Self::base();
        let one = |name, base: Config, axes: Vec<GridAxis>| -> Result<StudySweep, GridError> {
            Ok(StudySweep {
                name,
                sweep: Sweep::new(base, axes, seeds, Shard::default())?,
            })
        };
        Ok(match self {
            Study::Beta => vec![
                one(
                    "beta",
                    base.clone(),
                    vec![
                        axis("surrogate.shape=super_spike,sigmoid,esser")?,
                        axis(&format!("surrogate.beta={BETAS}"))?,
                    ],
                )?,
                one(
                    "beta_reference",
                    base,
                    vec![axis("surrogate.shape=straight_through,true_gradient")?],
                )?,
            ],
            Study::Reset => vec![one(
                "reset",
                base,
                vec![
                    axis("surrogate.shape=super_spike,asymptotic_super_spike")?,
                    axis("model.reset_detached=true,false")?,
                    axis("surrogate.beta=1,10,100,1000")?,
                ],
            )?],
            Study::Sparsity => {
                // θ = 0: every spike above none is penalized, λ·(mean count)².
                let base = base.set("reg.upper.theta=0").map_err(GridError::Base)?;
                vec![one(
                    "sparsity",
                    base,
                    vec![axis("reg.upper.lambda=0,0.03,0.1,0.3,1,2,3,5,10,30,100")?],
                )?]
            }
            _ => {
                let (p, q) = (paper::randman_base(), paper::mnist_base());
                let set = |c: Config, kv: &str| c.set(kv).map_err(GridError::Base);
                let shapes =
                    |base: Config, name, refs, betas, lrs| -> Result<Vec<StudySweep>, GridError> {
                        Ok(vec![
                            one(
                                name,
                                base.clone(),
                                vec![
                                    axis("surrogate.shape=super_spike,sigmoid,esser")?,
                                    axis(&format!("surrogate.beta={betas}"))?,
                                    axis(&format!("optim.lr={lrs}"))?,
                                ],
                            )?,
                            one(
                                refs,
                                base,
                                vec![
                                    axis("surrogate.shape=straight_through,true_gradient")?,
                                    axis(&format!("optim.lr={lrs}"))?,
                                ],
                            )?,
                        ])
                    };
                let normalised_vs_asymptotic =
                    || axis("surrogate.shape=super_spike,asymptotic_super_spike");
                match self {
                    Study::Shape => {
                        shapes(p, "shape", "shape_reference", paper::BETAS, paper::LRS)?
                    }
                    Study::ShapeMnist => shapes(
                        q,
                        "shape_mnist",
                        "shape_mnist_reference",
                        paper::BETAS_MNIST,
                        paper::LRS_MNIST,
                    )?,
                    Study::Scale => vec![one(
                        "scale",
                        p,
                        vec![
                            normalised_vs_asymptotic()?,
                            axis("model.reset_detached=true,false")?,
                            axis(&format!("surrogate.beta={}", paper::BETAS_SCALE))?,
                            axis(&format!("optim.lr={}", paper::LRS))?,
                        ],
                    )?],
                    Study::Depth => vec![one(
                        "depth",
                        set(p, "model.reset_detached=false")?,
                        vec![
                            axis("model.hidden=[100],[100,100],[100,100,100]")?,
                            normalised_vs_asymptotic()?,
                            axis(&format!("surrogate.beta={}", paper::BETAS_COARSE))?,
                            axis(&format!("optim.lr={}", paper::LRS_ONE))?,
                        ],
                    )?],
                    _ => vec![one(
                        "recurrent",
                        set(p, "model.recurrent=true")?,
                        vec![
                            axis("model.recurrent_detached=false,true")?,
                            normalised_vs_asymptotic()?,
                            axis(&format!("surrogate.beta={}", paper::BETAS_COARSE))?,
                            axis(&format!("optim.lr={}", paper::LRS_ONE))?,
                        ],
                    )?],
                }
            }
        })
    }

    /// The figure, from the rows of each sweep (in the order of [`Study::sweeps`]).
    pub fn chart(self, rows: &[Vec<Row>]) -> Chart {
        self.chart_with_best(rows, &[], &[])
    }

    /// The figure, with the grids' sweeps and the best-point seeds' rows for the paper-size
    /// studies (the others ignore both).
    pub fn chart_with_best(self, rows: &[Vec<Row>], sweeps: &[StudySweep], best: &[Row]) -> Chart {
        if self.is_paper_size() {
            let grids: Vec<(&Sweep, &[Row])> = sweeps
                .iter()
                .zip(rows)
                .map(|(s, r)| (&s.sweep, r.as_slice()))
                .collect();
            return paper::chart(self.title(), &grids, best);
        }
        let empty = Vec::new();
        let first = rows.first().unwrap_or(&empty);
        match self {
            Study::Beta => {
                let agg = aggregate(first);
                let mut series: Vec<Series> = ["super_spike", "sigmoid", "esser"]
                    .iter()
                    .enumerate()
                    .map(|(i, shape)| Series {
                        name: shape_label(shape),
                        points: curve(&agg, |a| a.values[0] == *shape, 1, |a| a.best_test_acc),
                        style: Style::Line,
                        color: i,
                    })
                    .collect();
                let refs = aggregate(rows.get(1).unwrap_or(&empty));
                for (i, r) in refs.iter().enumerate() {
                    series.push(Series {
                        name: format!("{} ({:.2})", shape_label(&r.values[0]), r.best_test_acc.0),
                        points: vec![(1.0, r.best_test_acc.0, 0.0)],
                        style: Style::Reference,
                        // Yellow-orange and black; chance is grey.
                        color: [4, 7][i % 2],
                    });
                }
                series.push(chance());
                Chart {
                    title: "Randman: best test accuracy against surrogate scale β".into(),
                    x_label: "β (log scale)".into(),
                    y_label: "best test accuracy (mean ± sd over seeds)".into(),
                    x_log: true,
                    y_range: (0.0, 1.0),
                    series,
                }
            }
            Study::Reset => {
                let agg = aggregate(first);
                let mut series = Vec::new();
                for (i, shape) in ["super_spike", "asymptotic_super_spike"].iter().enumerate() {
                    for detached in ["true", "false"] {
                        series.push(Series {
                            name: format!(
                                "{}, {} reset",
                                shape_label(shape),
                                if detached == "true" {
                                    "detached"
                                } else {
                                    "differentiable"
                                }
                            ),
                            points: curve(
                                &agg,
                                |a| a.values[0] == *shape && a.values[1] == detached,
                                2,
                                |a| a.best_test_acc,
                            ),
                            style: if detached == "true" {
                                Style::Line
                            } else {
                                Style::Dashed
                            },
                            color: i,
                        });
                    }
                }
                series.push(chance());
                Chart {
                    title: "Randman: normalised vs asymptotic SuperSpike, reset detached or not"
                        .into(),
                    x_label: "β (log scale)".into(),
                    y_label: "best test accuracy (mean ± sd over seeds)".into(),
                    x_log: true,
                    y_range: (0.0, 1.0),
                    series,
                }
            }
            // Sparsity; the paper-size studies returned above.
            _ => {
                let agg = aggregate(first);
                let mut means: Vec<(f64, f64, f64)> = agg
                    .iter()
                    .map(|a| (a.rate_hz.0, a.final_test_acc.0, a.final_test_acc.1))
                    .collect();
                means.sort_by(|a, b| a.0.total_cmp(&b.0));
                let seeds: Vec<(f64, f64, f64)> = first
                    .iter()
                    .map(|r| (r.rate_hz as f64, r.final_test_acc as f64, 0.0))
                    .collect();
                Chart {
                    title: "Randman: accuracy against activity as the upper-bound λ grows".into(),
                    x_label: "mean hidden firing rate, Hz (log scale)".into(),
                    y_label: "final test accuracy".into(),
                    x_log: true,
                    y_range: (0.0, 1.0),
                    series: vec![
                        Series {
                            name: "mean over seeds, one point per λ".into(),
                            points: means,
                            style: Style::Line,
                            color: 0,
                        },
                        Series {
                            name: "each seed".into(),
                            points: seeds,
                            style: Style::Markers,
                            color: 1,
                        },
                        chance(),
                    ],
                }
            }
        }
    }

    fn title(self) -> &'static str {
        match self {
            Study::Shape => "Randman (paper size): best-η test accuracy against β, per shape",
            Study::Scale => {
                "Randman (paper size): normalised vs asymptotic SuperSpike, reset detached or not"
            }
            Study::Depth => "Randman (paper size): 1, 2, 3 hidden layers, reset differentiable",
            Study::Recurrent => {
                "Randman (paper size): recurrent layer, gradient through V propagated or detached"
            }
            Study::ShapeMnist => "MNIST-5k: best-η test accuracy against β, per shape",
            _ => "",
        }
    }

    /// A Markdown table of the results (means ± sd over seeds), for REPRODUCTION.md.
    pub fn table(self, sweeps: &[StudySweep], rows: &[Vec<Row>]) -> String {
        self.table_with_best(sweeps, rows, &[])
    }

    /// The table, with the best-point seeds' rows for the paper-size studies.
    pub fn table_with_best(self, sweeps: &[StudySweep], rows: &[Vec<Row>], best: &[Row]) -> String {
        if self.is_paper_size() {
            let grids: Vec<(&Sweep, &[Row])> = sweeps
                .iter()
                .zip(rows)
                .map(|(s, r)| (&s.sweep, r.as_slice()))
                .collect();
            return paper::table(&grids, best);
        }
        let mut out = String::new();
        for (s, r) in sweeps.iter().zip(rows) {
            let keys = s.sweep.keys();
            out.push_str(&format!(
                "| {} | seeds | best test acc | final test acc | rate (Hz) |\n",
                keys.join(" | ")
            ));
            out.push_str(&format!("|{}\n", " --- |".repeat(keys.len() + 4)));
            for a in aggregate(r) {
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {:.1} ± {:.1} |\n",
                    a.values.join(" | "),
                    a.n,
                    pm(a.best_test_acc),
                    pm(a.final_test_acc),
                    a.rate_hz.0,
                    a.rate_hz.1
                ));
            }
            out.push('\n');
        }
        out
    }
}

fn pm((m, s): (f64, f64)) -> String {
    format!("{m:.3} ± {s:.3}")
}

/// Points (x from value `x_col` parsed as a number, y ± sd) of the aggregates `keep` selects.
fn curve(
    agg: &[Aggregate],
    keep: impl Fn(&Aggregate) -> bool,
    x_col: usize,
    y: impl Fn(&Aggregate) -> (f64, f64),
) -> Vec<(f64, f64, f64)> {
    let mut pts: Vec<(f64, f64, f64)> = agg
        .iter()
        .filter(|a| keep(a))
        .filter_map(|a| {
            let x: f64 = a.values.get(x_col)?.parse().ok()?;
            let (m, s) = y(a);
            Some((x, m, s))
        })
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts
}

fn chance() -> Series {
    Series {
        name: "chance (10 classes)".into(),
        points: vec![(1.0, 0.1, 0.0)],
        style: Style::Reference,
        color: 6,
    }
}

fn shape_label(key: &str) -> String {
    SurrogateShape::ALL
        .iter()
        .find(|s| s.key() == key)
        .map(|s| match s {
            // The prime sign is not in the embedded font.
            SurrogateShape::Sigmoid => "sigmoid'".to_string(),
            s => s.label().to_string(),
        })
        .unwrap_or_else(|| key.to_string())
}

/// Mean ± sd of one column over rows, for prose.
pub fn summarize(rows: &[Row], f: fn(&Row) -> f32) -> (f64, f64) {
    mean_std(rows.iter().map(|r| f(r) as f64))
}

/// How to run a study.
#[derive(Clone, Debug)]
pub struct StudyOptions {
    /// Folder for `<name>.csv`, `<study>.png` and `<study>.md` (created if missing).
    pub out_dir: PathBuf,
    pub jobs: usize,
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
        run_best_points(&sweeps, &all_rows, options, &mut csv)?
    } else {
        Vec::new()
    };
    let png = options.out_dir.join(format!("{}.png", study.name()));
    let chart = study.chart_with_best(&all_rows, &sweeps, &best);
    plot::save_png(&chart, &png, (1000, 640))?;
    let table = options.out_dir.join(format!("{}.md", study.name()));
    let text = study.table_with_best(&sweeps, &all_rows, &best);
    crate::atomic::write_atomic(&table, text.as_bytes())?;
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
                "[{done}/{total}] {at} seed {}: best {:.3} (epoch {}), final {:.3}, {:.1} Hz, {:.1} s",
                r.seed, r.best_test_acc, r.best_epoch, r.final_test_acc, r.rate_hz, r.seconds
            );
        }
        _ => {}
    })?;
    Ok(summary.rows)
}

/// The paper-size studies' second stage: once a grid is complete, each variant's best point
/// trained with fresh seeds, into `<grid>_best_<k>.csv`. Returns every such row.
fn run_best_points(
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
        for (k, (_, vrows)) in paper::variants(&s.sweep.axes, r).iter().enumerate() {
            let Some(best) = paper::best_row(vrows) else {
                continue;
            };
            let sweep = paper::best_point_sweep(&s.sweep, best)?;
            let path = options.out_dir.join(format!("{}_best_{k}.csv", s.name));
            out.extend(run_logged(
                &format!("{} best {k}", s.name),
                &sweep,
                &path,
                options,
            )?);
            csv.push(path);
        }
    }
    Ok(out)
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
