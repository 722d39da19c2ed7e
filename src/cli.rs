//! The command line: `train`, `eval`, `export`, `sweep`, `sweep-merge`, `keys`; with no
//! arguments, the window.

use std::path::{Path, PathBuf};

use crate::io::config::{Config, ConfigError};
use crate::io::weights::{self, TrainingSummary};
use crate::train::{TrainError, Trainer};

const USAGE: &str = "\
surrogate-lab — surrogate-gradient learning in spiking neural networks

usage:
  surrogate-lab                     open the window on Randman, ready to train
  surrogate-lab [window options]    open the window (see below)
  surrogate-lab train [options]     train headless
  surrogate-lab eval --weights FILE [--config FILE] [--set K=V]... [--json]
                                    evaluate saved weights on the test set
  surrogate-lab export --weights FILE --nir FILE [--config FILE]
                                    convert safetensors weights to NIR
  surrogate-lab sweep --config FILE --grid KEY=V1,V2,... [--grid ...] --out FILE.csv
                    [--seeds N] [--jobs J] [--shard K/N] [--set K=V]... [--epochs N]
                                    train every point of a grid, N seeds each (resumable)
  surrogate-lab sweep-merge A.csv B.csv ... --out ALL.csv
                                    join the results of a sweep's shards
  surrogate-lab keys                list every configuration key and its default

train options:
  --config FILE      experiment file (TOML, or JSON by extension)
  --set KEY=VALUE    override one key by its TOML path, e.g. --set surrogate.beta=100,
                     --set surrogate.shape=esser, --set model.hidden=[128,128],
                     --set model.recurrent=true (repeatable)
  --backend NAME     flex, ndarray or wgpu (those compiled in)
  --epochs N         number of epochs
  --seed S           seed for initial weights and batch order
  --json             one JSON object per epoch on stdout
  --save-weights F   write the trained weights as safetensors (PyTorch orientation)
  --save-nir F       write the trained network as NIR (HDF5)
  --init-weights F   start from saved weights (safetensors) instead of the seed's

sweep options:
  --config FILE      base experiment (defaults when absent); --set/--epochs/--backend apply on top
  --grid KEY=V1,V2   one axis: any configuration key and its values (repeatable; the points are
                     the cartesian product, first axis slowest). Commas inside brackets stay:
                     --grid model.hidden=[100],[100,100]. Every value is checked before anything
                     runs; a bad key or value exits 2 naming it.
  --seeds N          seeds per point: the point's seed + 0..N−1 (default 1)
  --jobs J           points trained at once, on J threads (default 1)
  --shard K/N        run only every N-th point starting at K (0 ≤ K < N), e.g. one SLURM array
                     task each; join the files with sweep-merge
  --out FILE         results CSV: rows already there are skipped, so re-running resumes; the
                     file is rewritten atomically after every finished row
  --quiet            no progress lines on stderr

window options:
  --config FILE      start with this experiment
  --set KEY=VALUE    override one key (repeatable)
  --screenshot PATH  train, write a PNG of the window to PATH, exit
  --train-secs N     how long to train before --screenshot (default 10)
  --compare KEY=VALUE  with --screenshot: keep the first run, apply the edit, reset, train
                     as long again; the PNG overlays both runs
  --frame-stats      print frame-time percentiles (p50, p95, p99) on exit
";

/// A refused command line: printed as one line, exit status 2.
pub struct UsageError(pub String);

impl From<ConfigError> for UsageError {
    fn from(e: ConfigError) -> Self {
        UsageError(e.to_string())
    }
}

pub struct TrainArgs {
    pub config: Config,
    pub json: bool,
    pub save_weights: Option<PathBuf>,
    pub save_nir: Option<PathBuf>,
    pub init_weights: Option<PathBuf>,
}

/// Walks `--flag value` arguments; every parser of the command line uses it.
pub struct Flags<'a> {
    args: std::slice::Iter<'a, String>,
}

impl<'a> Flags<'a> {
    pub fn new(args: &'a [String]) -> Self {
        Self { args: args.iter() }
    }

    /// The next argument (a flag, or a plain word where a command takes some).
    pub fn next_arg(&mut self) -> Option<&'a str> {
        self.args.next().map(String::as_str)
    }

    /// The value that must follow `flag`.
    pub fn value(&mut self, flag: &str) -> Result<String, UsageError> {
        self.args
            .next()
            .cloned()
            .ok_or_else(|| UsageError(format!("{flag} needs a value")))
    }

    pub fn path(&mut self, flag: &str) -> Result<PathBuf, UsageError> {
        self.value(flag).map(PathBuf::from)
    }
}

pub fn load_config(path: &str) -> Result<Config, UsageError> {
    Config::load(Path::new(path)).map_err(UsageError)
}

/// Parses `train`'s options into a validated configuration.
pub fn parse_train_args(args: &[String]) -> Result<TrainArgs, UsageError> {
    let mut config = Config::default();
    let mut sets = Vec::new();
    let mut json = false;
    let (mut save_weights, mut save_nir, mut init_weights) = (None, None, None);
    let mut flags = Flags::new(args);
    while let Some(arg) = flags.next_arg() {
        match arg {
            "--config" => config = load_config(&flags.value(arg)?)?,
            "--set" => sets.push(flags.value("--set")?),
            "--backend" => sets.push(format!("backend={:?}", flags.value("--backend")?)),
            "--epochs" => sets.push(format!("optim.epochs={}", flags.value("--epochs")?)),
            "--seed" => sets.push(format!("seed={}", flags.value("--seed")?)),
            "--json" => json = true,
            "--save-weights" => save_weights = Some(flags.path(arg)?),
            "--save-nir" => save_nir = Some(flags.path(arg)?),
            "--init-weights" | "--weights" => init_weights = Some(flags.path(arg)?),
            other => {
                return Err(UsageError(format!(
                    "unknown option {other:?} (see surrogate-lab --help)"
                )));
            }
        }
    }
    // --set after --config regardless of order on the line: the file is the base.
    for s in sets {
        config = config.set(&s)?;
    }
    Ok(TrainArgs {
        config,
        json,
        save_weights,
        save_nir,
        init_weights,
    })
}

/// Runs a headless training; returns the process exit status.
pub fn train(args: TrainArgs) -> i32 {
    let mut trainer = match Trainer::new(args.config.clone()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if let Some(path) = &args.init_weights
        && let Err(e) = load_weights_into(&mut trainer, path)
    {
        eprintln!("error: {e}");
        return 2;
    }
    let epochs = trainer.config().optim.epochs;
    let mut summary = TrainingSummary::default();
    if !args.json {
        let c = trainer.config();
        eprintln!(
            "{}: {} train / {} test samples, {} inputs → {:?} → {} classes; surrogate {} β = {}; init {}; backend {} ({})",
            trainer.data().name,
            trainer.data().train.len(),
            trainer.data().test.len(),
            trainer.data().train.inputs,
            c.model.hidden,
            trainer.data().train.classes,
            c.surrogate.shape,
            c.surrogate.beta,
            c.model.init.describe(),
            c.backend,
            match trainer.path() {
                crate::snn::network::Path::Fused => "fused LIF op",
                crate::snn::network::Path::PerStep => "per-step graph",
            },
        );
    }
    for _ in 0..epochs {
        match trainer.run_epoch() {
            Ok(m) => {
                summary = TrainingSummary {
                    epoch: Some(m.epoch),
                    test_acc: Some(m.test_acc),
                };
                if args.json {
                    match serde_json::to_string(&m) {
                        Ok(line) => println!("{line}"),
                        Err(e) => eprintln!("error: cannot encode metrics: {e}"),
                    }
                } else {
                    let rates: Vec<String> = m.rate_hz.iter().map(|r| format!("{r:.1}")).collect();
                    println!(
                        "epoch {:>3}/{epochs}  train loss {:.4} acc {:.3}  test loss {:.4} acc {:.3}  rate [{}] Hz  {:.1} s ({:.0} samples/s)",
                        m.epoch,
                        m.train_loss,
                        m.train_acc,
                        m.test_loss,
                        m.test_acc,
                        rates.join(", "),
                        m.seconds,
                        m.samples_per_sec
                    );
                }
            }
            Err(e) => {
                if args.json {
                    println!("{}", halt_line(&e));
                }
                eprintln!("error: {e}");
                return halt_status(&e);
            }
        }
    }
    save_outputs(&trainer, &args, &summary)
}

/// Exit status of a run that training itself stopped (README, "Command line").
fn halt_status(e: &TrainError) -> i32 {
    match e {
        TrainError::Diverged { .. } => 1,
        TrainError::NonFiniteGradient { .. } => 3,
    }
}

/// The `--json` line of a halted run: `{"error": kind, "epoch", "batch", "layer", "message"}`.
fn halt_line(e: &TrainError) -> String {
    let (epoch, batch, layer) = match e {
        TrainError::Diverged { epoch, batch, .. } => (*epoch, *batch, None),
        TrainError::NonFiniteGradient {
            epoch,
            batch,
            layer,
        } => (*epoch, *batch, Some(layer.as_str())),
    };
    serde_json::json!({
        "error": e.kind(),
        "epoch": epoch,
        "batch": batch,
        "layer": layer,
        "message": e.to_string(),
    })
    .to_string()
}

fn save_outputs(trainer: &Trainer, args: &TrainArgs, summary: &TrainingSummary) -> i32 {
    let mut status = 0;
    if let Some(path) = &args.save_weights {
        match weights::save_safetensors(path, trainer.weights(), trainer.config(), summary) {
            Ok(()) => eprintln!("weights written to {}", path.display()),
            Err(e) => {
                eprintln!("error: {e}");
                status = 1;
            }
        }
    }
    if let Some(path) = &args.save_nir {
        match weights::save_nir(path, trainer.weights(), trainer.config()) {
            Ok(()) => eprintln!("NIR graph written to {}", path.display()),
            Err(e) => {
                eprintln!("error: {e}");
                status = 1;
            }
        }
    }
    status
}

/// Replaces a trainer's weights with a file's, refusing mismatched shapes.
pub fn load_weights_into(trainer: &mut Trainer, path: &Path) -> Result<(), String> {
    let file = weights::load_safetensors(path)?;
    let device = trainer.weights().readout.device();
    let loaded = weights::weights_like(trainer.weights(), &file, &device)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    trainer.set_weights(loaded);
    Ok(())
}

/// `eval`: the config comes from --config, else from the weight file's metadata, else defaults;
/// --set applies on top.
fn eval(args: &[String]) -> Result<i32, UsageError> {
    let mut weights_path = None;
    let mut config_path = None;
    let mut sets = Vec::new();
    let mut json = false;
    let mut flags = Flags::new(args);
    while let Some(arg) = flags.next_arg() {
        match arg {
            "--weights" => weights_path = Some(flags.path("--weights")?),
            "--config" => config_path = Some(flags.value("--config")?),
            "--set" => sets.push(flags.value("--set")?),
            "--backend" => sets.push(format!("backend={:?}", flags.value("--backend")?)),
            "--json" => json = true,
            other => return Err(UsageError(format!("unknown option {other:?} for eval"))),
        }
    }
    let path = weights_path.ok_or_else(|| UsageError("eval needs --weights FILE".into()))?;
    let file = weights::load_safetensors(&path).map_err(UsageError)?;
    let mut config = match config_path {
        Some(p) => load_config(&p)?,
        None => file.config.clone().unwrap_or_default(),
    };
    for s in sets {
        config = config.set(&s)?;
    }
    let mut trainer = Trainer::new(config)?;
    let device = trainer.weights().readout.device();
    let loaded = weights::weights_like(trainer.weights(), &file, &device)
        .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
    trainer.set_weights(loaded);
    let m = trainer.evaluate(&trainer.data().test);
    if json {
        // f32 fields, so the numbers print exactly as `train --json` printed them.
        #[derive(serde::Serialize)]
        struct EvalLine<'a> {
            test_loss: f32,
            test_acc: f32,
            rate_hz: &'a [f32],
        }
        let line = EvalLine {
            test_loss: m.loss,
            test_acc: m.accuracy,
            rate_hz: &m.rate_hz,
        };
        println!("{}", serde_json::to_string(&line).unwrap_or_default());
    } else {
        let rates: Vec<String> = m.rate_hz.iter().map(|r| format!("{r:.1}")).collect();
        println!(
            "test loss {:.4}  test acc {:.4}  rate [{}] Hz",
            m.loss,
            m.accuracy,
            rates.join(", ")
        );
    }
    Ok(0)
}

/// `export`: safetensors (with its config) → NIR.
fn export(args: &[String]) -> Result<i32, UsageError> {
    let mut weights_path = None;
    let mut nir_path = None;
    let mut config_path = None;
    let mut flags = Flags::new(args);
    while let Some(arg) = flags.next_arg() {
        match arg {
            "--weights" => weights_path = Some(flags.path("--weights")?),
            "--nir" => nir_path = Some(flags.path("--nir")?),
            "--config" => config_path = Some(flags.value("--config")?),
            other => return Err(UsageError(format!("unknown option {other:?} for export"))),
        }
    }
    let path = weights_path.ok_or_else(|| UsageError("export needs --weights FILE".into()))?;
    let out = nir_path.ok_or_else(|| UsageError("export needs --nir FILE".into()))?;
    let file = weights::load_safetensors(&path).map_err(UsageError)?;
    let config = match config_path {
        Some(p) => load_config(&p)?,
        None => file.config.clone().ok_or_else(|| {
            UsageError(format!(
                "{}: no experiment in its metadata; give --config FILE",
                path.display()
            ))
        })?,
    };
    let device = burn::tensor::Device::flex();
    let template = crate::snn::init::init_weights(
        &config.model,
        input_count(&file),
        output_count(&file),
        config.seed,
        &device,
        None,
    );
    let loaded = weights::weights_like(&template, &file, &device)
        .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
    weights::save_nir(&out, &loaded, &config).map_err(UsageError)?;
    eprintln!("NIR graph written to {}", out.display());
    Ok(0)
}

fn input_count(file: &weights::WeightFile) -> usize {
    file.tensors
        .get("hidden.0.weight")
        .map_or(0, |(shape, _)| shape[0])
}

fn output_count(file: &weights::WeightFile) -> usize {
    file.tensors
        .get("readout.weight")
        .map_or(0, |(shape, _)| shape[1])
}

/// `sweep`: checks the whole grid, then trains what the results file lacks.
fn sweep_cmd(args: &[String]) -> Result<i32, UsageError> {
    use crate::sweep::{self, GridAxis, RunOptions, Shard, Sweep, SweepEvent};
    let mut config = Config::default();
    let mut sets = Vec::new();
    let mut axes = Vec::new();
    let (mut seeds, mut jobs, mut shard, mut out, mut quiet) =
        (1usize, 1usize, Shard::default(), None, false);
    let mut flags = Flags::new(args);
    while let Some(arg) = flags.next_arg() {
        let count = |flag: &str, v: String| {
            v.parse::<usize>()
                .map_err(|_| UsageError(format!("{flag} {v:?}: expected a whole number")))
        };
        match arg {
            "--config" => config = load_config(&flags.value("--config")?)?,
            "--set" => sets.push(flags.value("--set")?),
            "--epochs" => sets.push(format!("optim.epochs={}", flags.value("--epochs")?)),
            "--backend" => sets.push(format!("backend={:?}", flags.value("--backend")?)),
            "--grid" => axes.push(GridAxis::parse(&flags.value("--grid")?).map_err(UsageError)?),
            "--seeds" => {
                seeds = count("--seeds", flags.value("--seeds")?)?;
                if !(1..=10_000).contains(&seeds) {
                    return Err(UsageError(format!(
                        "--seeds {seeds}: 1–10000 seeds per point"
                    )));
                }
            }
            "--jobs" => jobs = count("--jobs", flags.value("--jobs")?)?,
            "--shard" => shard = Shard::parse(&flags.value("--shard")?).map_err(UsageError)?,
            "--out" => out = Some(flags.path("--out")?),
            "--quiet" => quiet = true,
            other => return Err(UsageError(format!("unknown option {other:?} for sweep"))),
        }
    }
    for s in sets {
        config = config.set(&s)?;
    }
    let out = out.ok_or_else(|| UsageError("sweep needs --out FILE.csv".into()))?;
    if axes.is_empty() {
        return Err(UsageError(
            "sweep needs at least one --grid KEY=V1,V2,...".into(),
        ));
    }
    if jobs == 0 {
        return Err(UsageError("--jobs must be at least 1".into()));
    }
    let sweep = Sweep::new(config, axes, seeds, shard).map_err(UsageError)?;
    let options = RunOptions {
        jobs,
        out: Some(out.clone()),
        cancel: None,
    };
    let mut total = 0;
    let mut finished = 0;
    let result = sweep::run(&sweep, &options, |event| match event {
        SweepEvent::Planned { total: t, done, .. } => {
            total = t;
            finished = done;
            if !quiet {
                eprintln!(
                    "sweep {}: {} points ({} in shard {}) × {} seeds = {t} runs; {done} already in {}",
                    sweep.fingerprint(),
                    sweep.points().len(),
                    sweep.shard_points().count(),
                    sweep.shard,
                    sweep.seeds,
                    out.display()
                );
            }
        }
        SweepEvent::Finished(row) => {
            finished += 1;
            if !quiet {
                let at = sweep
                    .points()
                    .get(row.point)
                    .map(|p| p.describe(&sweep.axes))
                    .unwrap_or_default();
                eprintln!(
                    "[{finished}/{total}] {at} seed {}: best {:.3} (epoch {}), final {:.3}, {:.1} Hz, {:.1} s{}",
                    row.seed,
                    row.best_test_acc,
                    row.best_epoch,
                    row.final_test_acc,
                    row.rate_hz,
                    row.seconds,
                    if row.status == "ok" {
                        String::new()
                    } else {
                        format!(" ({})", row.status)
                    }
                );
            }
        }
        _ => {}
    });
    match result {
        Ok(summary) => {
            if !quiet {
                eprintln!(
                    "{} rows in {} ({} trained now, {} were there)",
                    summary.rows.len(),
                    out.display(),
                    summary.trained,
                    summary.skipped
                );
            }
            Ok(0)
        }
        Err(sweep::RunError::Refused(m)) => Err(UsageError(m)),
        Err(sweep::RunError::Failed(m)) => {
            eprintln!("error: {m}");
            Ok(1)
        }
    }
}

/// `sweep-merge`: joins shards' results files.
fn sweep_merge_cmd(args: &[String]) -> Result<i32, UsageError> {
    let mut inputs = Vec::new();
    let mut out = None;
    let mut flags = Flags::new(args);
    while let Some(arg) = flags.next_arg() {
        match arg {
            "--out" => out = Some(flags.path(arg)?),
            flag if flag.starts_with("--") => {
                return Err(UsageError(format!(
                    "unknown option {flag:?} for sweep-merge"
                )));
            }
            file => inputs.push(PathBuf::from(file)),
        }
    }
    let out = out.ok_or_else(|| UsageError("sweep-merge needs --out FILE.csv".into()))?;
    if inputs.is_empty() {
        return Err(UsageError(
            "sweep-merge needs the results files to join".into(),
        ));
    }
    let paths: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let report = crate::sweep::merge(&paths, &out).map_err(UsageError)?;
    eprintln!(
        "{} rows from {} files written to {}{}{}",
        report.merged.rows.len(),
        inputs.len(),
        out.display(),
        if report.duplicates > 0 {
            format!("; {} duplicate rows dropped", report.duplicates)
        } else {
            String::new()
        },
        if report.missing > 0 {
            format!(
                "; {} of {} runs still missing (run the unsharded sweep on it to fill them)",
                report.missing,
                report.merged.meta.points * report.merged.meta.seeds
            )
        } else {
            String::new()
        }
    );
    Ok(0)
}

/// Entry point shared by the binary: returns the exit status.
pub fn main_with_args(args: Vec<String>) -> i32 {
    let parsed = match args.first().map(String::as_str) {
        None => return crate::app::run(crate::app::LaunchOptions::default()),
        Some("train") => parse_train_args(&args[1..]),
        Some(cmd @ ("eval" | "export")) => {
            let result = if cmd == "eval" {
                eval(&args[1..])
            } else {
                export(&args[1..])
            };
            return result.unwrap_or_else(|UsageError(m)| {
                eprintln!("error: {m}");
                2
            });
        }
        Some("sweep") => {
            return sweep_cmd(&args[1..]).unwrap_or_else(|UsageError(m)| {
                eprintln!("error: {m}");
                2
            });
        }
        Some("sweep-merge") => {
            return sweep_merge_cmd(&args[1..]).unwrap_or_else(|UsageError(m)| {
                eprintln!("error: {m}");
                2
            });
        }
        Some("keys") => {
            let config = Config::default();
            print!("{}", config.to_toml());
            return 0;
        }
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            return 0;
        }
        Some(other) => Err(UsageError(format!(
            "unknown command {other:?} (see surrogate-lab --help)"
        ))),
    };
    match parsed {
        Ok(a) => train(a),
        Err(UsageError(m)) => {
            eprintln!("error: {m}");
            2
        }
    }
}
