//! Runs a sweep: every (point, seed) of the shard not yet in the results file, on `jobs`
//! worker threads, each finished row written to the file at once.
//!
//! Headless and free of the window: the command line (sweeps and studies) and the window's Sweep view all call
//! [`run`], and learn what happens through the `on_event` callback, which is called on the
//! thread that called `run` (the window runs it on a background thread and forwards the events
//! over a channel).

use crate::clock::Instant;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use super::csv::{Meta, ResultsFile, Row, Selection};
use super::error::{CsvError, PointFailure, Refusal};
use super::grid::{Point, Shard, Sweep};
use crate::data::{self, DataSplits};
use crate::train::Trainer;

/// How to run a sweep.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Worker threads (points trained at once); 0 counts as 1.
    pub jobs: usize,
    /// Threads each worker's training runs on, in a pool of its own; `None` shares the
    /// process's pool (`RAYON_NUM_THREADS`) among all workers.
    pub threads: Option<usize>,
    /// The results file: rows already there are skipped, new ones are added as they finish.
    /// `None` keeps results in memory only.
    pub out: Option<PathBuf>,
    /// Set to stop: workers finish their current epoch, drop that (point, seed) and return.
    pub cancel: Option<Arc<AtomicBool>>,
}

/// Jobs a sweep runs at once by default: two where there are two cores or more. Measured on
/// the paper-size Randman (BENCHMARKS.md, "Studies: jobs × threads"): two jobs finish a sweep
/// about a quarter sooner than one, because one run alone leaves a core idle through its
/// single-threaded parts (the loss, the evaluation after each epoch, the data); whether the
/// two share one pool or have a thread each made no difference there.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(2))
}

/// What happens during a sweep, in order.
#[derive(Clone, Debug)]
pub enum SweepEvent {
    /// Before any training: how many (point, seed) runs the shard has, how many the results file
    /// already held (skipped), and the rows it held.
    Planned {
        total: usize,
        done: usize,
        existing: Vec<Row>,
    },
    /// A worker started a (point, seed).
    Started { point: usize, seed: u64 },
    /// A worker finished an epoch of a (point, seed); `progress` is the row as it would read
    /// if the run ended now (best and final accuracy so far, rate), so figures can fill in
    /// epoch by epoch.
    Epoch {
        point: usize,
        seed: u64,
        epoch: usize,
        test_acc: f32,
        progress: Box<Row>,
    },
    /// A row was finished (and, with a results file, written).
    Finished(Row),
}

/// How a sweep ended.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSummary {
    /// Rows of the shard present at the end (existing + new).
    pub rows: Vec<Row>,
    /// Rows trained by this call.
    pub trained: usize,
    /// Rows found in the results file and skipped.
    pub skipped: usize,
    pub cancelled: bool,
}

/// Reads the existing results file for `sweep`, to resume it: refuses one made by another
/// sweep or shard, or one of format v1 (chosen on test). A missing or empty file gives an empty
/// table.
pub fn open_results(sweep: &Sweep, out: Option<&std::path::Path>) -> Result<ResultsFile, Refusal> {
    let fresh = ResultsFile::new(Meta::of(sweep), sweep.keys());
    let Some(path) = out else {
        return Ok(fresh);
    };
    let Some(mut file) = read_results(path)? else {
        return Ok(fresh);
    };
    if file.meta.selection == Selection::Test {
        return Err(Refusal::SelectedOnTest {
            path: path.to_path_buf(),
        });
    }
    if file.meta.fingerprint != sweep.fingerprint() {
        return Err(Refusal::OtherSweep {
            path: path.to_path_buf(),
            found: file.meta.fingerprint,
            this: sweep.fingerprint().to_string(),
        });
    }
    if file.meta.shard != sweep.shard {
        return Err(Refusal::OtherShard {
            path: path.to_path_buf(),
            found: file.meta.shard,
            this: sweep.shard,
        });
    }
    rows_belong(sweep, &file, path)?;
    // Seeds count may grow between runs; the header says the latest.
    file.meta.seeds = sweep.seeds;
    Ok(file)
}

/// Reads a results file of `sweep`'s grid to look at, not to resume: every row must be one
/// of the grid's points, but the base configuration may since have gained keys (the
/// fingerprint is not compared) and format v1 files open (their rows say they were chosen on
/// test: `val_acc` is NaN). A missing or empty file gives an empty table.
pub fn view_results(sweep: &Sweep, path: &std::path::Path) -> Result<ResultsFile, Refusal> {
    let Some(file) = read_results(path)? else {
        return Ok(ResultsFile::new(Meta::of(sweep), sweep.keys()));
    };
    rows_belong(sweep, &file, path)?;
    Ok(file)
}

/// Reads a results file on the grid its own `# grid` lines name, on `base`: the sweep it was
/// run as and its rows, for a file whose grid the study or the editor has since changed (a
/// study redefined after its results were committed). A missing or empty file, or one with no
/// grid lines, is read as [`view_results`] reads it on `fallback`.
pub fn view_on_own_axes(
    base: &crate::config::Config,
    fallback: &Sweep,
    path: &std::path::Path,
) -> Result<(Sweep, ResultsFile), Refusal> {
    let Some(file) = read_results(path)? else {
        return Ok((
            fallback.clone(),
            ResultsFile::new(Meta::of(fallback), fallback.keys()),
        ));
    };
    if file.meta.grid.is_empty() {
        rows_belong(fallback, &file, path)?;
        return Ok((fallback.clone(), file));
    }
    let own = file
        .meta
        .grid
        .iter()
        .map(|spec| super::grid::GridAxis::parse(spec))
        .collect::<Result<Vec<_>, _>>()
        .and_then(|axes| Sweep::new(base.clone(), axes, file.meta.seeds.max(1), Shard::default()))
        .map_err(|error| Refusal::FileGrid {
            path: path.to_path_buf(),
            error,
        })?;
    rows_belong(&own, &file, path)?;
    Ok((own, file))
}

/// The file's results, or `None` when it is missing or empty.
fn read_results(path: &std::path::Path) -> Result<Option<ResultsFile>, Refusal> {
    let text = match crate::vfs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(CsvError::Read {
                path: path.to_path_buf(),
                source,
            }
            .into());
        }
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    let file = ResultsFile::parse(&text).map_err(|error| CsvError::Parse {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(Some(file))
}

/// Refuses a file holding a row that is not one of `sweep`'s points.
fn rows_belong(sweep: &Sweep, file: &ResultsFile, path: &std::path::Path) -> Result<(), Refusal> {
    for row in &file.rows {
        let expected = sweep.points().get(row.point).map(|p| &p.values);
        if expected != Some(&row.values) {
            return Err(Refusal::ForeignRow {
                path: path.to_path_buf(),
                point: row.point,
                seed: row.seed,
                values: row.values.clone(),
            });
        }
    }
    Ok(())
}

/// The data set of every point, loaded once per distinct data configuration; also refuses a
/// batch larger than its training set before anything trains.
fn load_data(sweep: &Sweep) -> Result<HashMap<String, Arc<DataSplits>>, Refusal> {
    let mut cache: HashMap<String, Arc<DataSplits>> = HashMap::new();
    for p in sweep.shard_points() {
        let key = data_key(p);
        if !cache.contains_key(&key) {
            let d = data::load(&p.config.data).map_err(|m| Refusal::Data {
                point: p.index,
                message: m.to_string(),
            })?;
            cache.insert(key.clone(), Arc::new(d));
        }
        let d = &cache[&key];
        if p.config.optim.batch_size > d.train.len() {
            return Err(Refusal::BatchTooLarge {
                batch: p.config.optim.batch_size,
                samples: d.train.len(),
                data: d.name.clone(),
                point: p.index,
            });
        }
    }
    Ok(cache)
}

fn data_key(p: &Point) -> String {
    toml::to_string(&p.config.data).unwrap_or_default()
}

enum Msg {
    Started(usize, u64),
    Epoch(Box<Row>),
    Done(Box<Row>),
    Failed(PointFailure),
}

/// Why a sweep stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Refused before anything trained: a results file of another sweep, data that cannot be
    /// loaded, a batch larger than the training set.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Failed while running: a results file that cannot be written, a training that failed
    /// (the window also reports a sweep thread that stopped this way).
    #[error("{0}")]
    Failed(String),
}

/// Runs the shard's remaining (point, seed) pairs; `on_event` hears of each step.
pub fn run(
    sweep: &Sweep,
    options: &RunOptions,
    mut on_event: impl FnMut(SweepEvent),
) -> Result<SweepSummary, RunError> {
    let mut results = open_results(sweep, options.out.as_deref())?;
    let data = load_data(sweep)?;
    let all: Vec<(&Point, u64)> = sweep
        .shard_points()
        .flat_map(|p| sweep.seeds_of(p).into_iter().map(move |s| (p, s)))
        .collect();
    let todo: Vec<(&Point, u64)> = all
        .iter()
        .copied()
        .filter(|(p, s)| !results.contains(p.index, *s))
        .collect();
    let skipped = all.len() - todo.len();
    let existing: Vec<Row> = results
        .rows
        .iter()
        .filter(|r| sweep.shard.contains(r.point))
        .cloned()
        .collect();
    on_event(SweepEvent::Planned {
        total: all.len(),
        done: skipped,
        existing,
    });
    if let Some(path) = &options.out {
        // The header (and any new seeds count) is on disk before the first long run.
        results.save(path).map_err(Refusal::from)?;
    }

    let cancel = options
        .cancel
        .clone()
        .unwrap_or_else(|| Arc::new(AtomicBool::new(false)));
    let workers = options.jobs.max(1).min(todo.len().max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<Msg>();
    let mut trained = 0;
    let mut failure: Option<String> = None;

    // One worker: takes the next (point, seed) until none is left or the sweep is cancelled.
    let work = |tx: mpsc::Sender<Msg>| {
        loop {
            if cancel.load(Ordering::Relaxed) {
                return;
            }
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(point, seed)) = todo.get(i) else {
                return;
            };
            let _ = tx.send(Msg::Started(point.index, seed));
            let split = Arc::clone(&data[&data_key(point)]);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                train_one(point, seed, split, &cancel, &tx)
            }));
            let msg = match outcome {
                Ok(Ok(Some(row))) => Msg::Done(Box::new(row)),
                Ok(Ok(None)) => return, // cancelled mid-run
                Ok(Err(m)) => Msg::Failed(m),
                Err(_) => Msg::Failed(PointFailure::Panicked {
                    point: point.index,
                    seed,
                }),
            };
            if tx.send(msg).is_err() {
                return;
            }
        }
    };
    std::thread::scope(|scope| {
        // The page has no threads: its one worker runs here, and the messages wait in the
        // channel until it is done.
        if cfg!(target_arch = "wasm32") {
            work(tx.clone());
        } else {
            for _ in 0..workers {
                let tx = tx.clone();
                let work = &work;
                let pool = options.threads.and_then(|n| {
                    rayon::ThreadPoolBuilder::new()
                        .num_threads(n.max(1))
                        .thread_name(|i| format!("sweep-worker-{i}"))
                        .build()
                        .ok()
                });
                scope.spawn(move || match pool {
                    Some(pool) => pool.install(|| work(tx)),
                    // No pool of its own (none asked for, or none could start): the shared one.
                    None => work(tx),
                });
            }
        }
        drop(tx);
        for msg in rx {
            match msg {
                Msg::Started(point, seed) => on_event(SweepEvent::Started { point, seed }),
                Msg::Epoch(progress) => on_event(SweepEvent::Epoch {
                    point: progress.point,
                    seed: progress.seed,
                    epoch: progress.epochs,
                    test_acc: progress.final_test_acc,
                    progress,
                }),
                Msg::Done(row) => {
                    results.insert((*row).clone());
                    trained += 1;
                    if let Some(path) = &options.out
                        && let Err(e) = results.save(path)
                    {
                        failure.get_or_insert(e.to_string());
                        cancel.store(true, Ordering::Relaxed);
                    }
                    on_event(SweepEvent::Finished(*row));
                }
                Msg::Failed(m) => {
                    failure.get_or_insert(m.to_string());
                    cancel.store(true, Ordering::Relaxed);
                }
            }
        }
    });

    if let Some(f) = failure {
        return Err(RunError::Failed(f));
    }
    let rows: Vec<Row> = results
        .rows
        .iter()
        .filter(|r| sweep.shard.contains(r.point))
        .cloned()
        .collect();
    Ok(SweepSummary {
        rows,
        trained,
        skipped,
        cancelled: cancel.load(Ordering::Relaxed) && trained + skipped < all.len(),
    })
}

/// The stopping rule: with a validation split and `patience` > 0, a run ends once `patience`
/// epochs have passed since its chosen (best validation) epoch.
fn plateaued(patience: usize, validated: bool, chosen_epoch: usize, epoch: usize) -> bool {
    patience > 0 && validated && epoch >= chosen_epoch + patience
}

/// Trains one point with one seed for `optim.epochs` epochs, or until validation plateaus
/// (`optim.patience`); `None` when cancelled.
fn train_one(
    point: &Point,
    seed: u64,
    data: Arc<DataSplits>,
    cancel: &AtomicBool,
    tx: &mpsc::Sender<Msg>,
) -> Result<Option<Row>, PointFailure> {
    let started = Instant::now();
    let mut config = point.config.clone();
    config.seed = seed;
    let (epochs, patience) = (config.optim.epochs, config.optim.patience);
    let mut trainer = Trainer::with_data(config, data).map_err(|error| PointFailure::Setup {
        point: point.index,
        seed,
        error,
    })?;
    let mut row = Row {
        point: point.index,
        values: point.values.clone(),
        seed,
        val_acc: f32::NAN,
        chosen_epoch: 0,
        test_acc: f32::NAN,
        final_test_acc: f32::NAN,
        final_test_loss: f32::NAN,
        final_train_acc: f32::NAN,
        rate_hz: f32::NAN,
        epochs: 0,
        seconds: 0.0,
        status: "ok".into(),
    };
    for epoch in 1..=epochs {
        if cancel.load(Ordering::Relaxed) {
            return Ok(None);
        }
        match trainer.run_epoch() {
            Ok(m) => {
                // Validation decides (the first epoch with the highest accuracy), test
                // reports; without a validation split the last epoch is taken.
                let better = match m.valid_acc {
                    Some(v) => row.chosen_epoch == 0 || v > row.val_acc,
                    None => true,
                };
                if better {
                    row.val_acc = m.valid_acc.unwrap_or(f32::NAN);
                    row.test_acc = m.test_acc;
                    row.chosen_epoch = m.epoch;
                }
                row.final_test_acc = m.test_acc;
                row.final_test_loss = m.test_loss;
                row.final_train_acc = m.train_acc;
                row.rate_hz = mean_rate(&m.neuron_rates_hz);
                row.epochs = m.epoch;
                let mut progress = row.clone();
                progress.seconds = started.elapsed().as_secs_f64();
                progress.status = "running".into();
                let _ = tx.send(Msg::Epoch(Box::new(progress)));
                if plateaued(patience, m.valid_acc.is_some(), row.chosen_epoch, m.epoch) {
                    break;
                }
            }
            Err(e) => {
                row.status = format!("{}@{epoch}", e.kind());
                break;
            }
        }
    }
    if epochs == 0 {
        // Zero epochs: the untrained network's test accuracy and rate.
        let m = trainer.evaluate(&trainer.data().test);
        row.val_acc = trainer
            .data()
            .valid
            .as_ref()
            .map_or(f32::NAN, |v| trainer.evaluate(v).accuracy);
        row.test_acc = m.accuracy;
        row.final_test_acc = m.accuracy;
        row.final_test_loss = m.loss;
        row.rate_hz = mean_rate(&m.neuron_rates_hz);
    }
    row.seconds = started.elapsed().as_secs_f64();
    Ok(Some(row))
}

/// Mean rate over every hidden neuron of every layer.
fn mean_rate(per_neuron: &[Vec<f32>]) -> f32 {
    let n: usize = per_neuron.iter().map(Vec::len).sum();
    let sum: f64 = per_neuron.iter().flatten().map(|&r| r as f64).sum();
    (sum / n.max(1) as f64) as f32
}
