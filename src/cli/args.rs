//! The whole command line as one clap definition: the subcommands, and the window's flags for
//! when there is none. What each runner does with its arguments is in the sibling modules.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand};

use crate::sweep::studies::Study;

/// surrogate-lab: surrogate-gradient learning in spiking neural networks.
///
/// With no command it opens the window on Randman, ready to train (the window's options are
/// below); the commands run headless.
#[derive(Parser, Debug)]
#[command(
    name = "surrogate-lab",
    version,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub window: WindowArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train headless
    Train(TrainArgs),
    /// Evaluate saved weights on the test set
    ///
    /// The experiment comes from --config, else from the weight file's metadata, else the
    /// defaults; --set applies on top.
    Eval(EvalArgs),
    /// Convert safetensors weights (with their experiment) to NIR
    Export(ExportArgs),
    /// Train every point of a grid, N seeds each (resumable)
    ///
    /// Every point of the cartesian product of the --grid axes is trained for optim.epochs
    /// with --seeds seeds. Every value is checked before anything runs; a bad key or value
    /// exits 2 naming it.
    Sweep(SweepArgs),
    /// Join the results of a sweep's shards
    SweepMerge(SweepMergeArgs),
    /// Run one of the paper's studies and draw its figure
    ///
    /// beta, reset and sparsity are shrunk to minutes; shape, scale, depth, recurrent and
    /// shape-mnist run at the paper's size (hours; a (β, η) grid per variant, then fresh seeds
    /// at each variant's best point, into <sweep>_best_<k>.csv), and sparsity-paper is the
    /// sparsity study at the paper's size (about 20 minutes). Writes <out-dir>/<sweep>.csv
    /// (the format of `sweep`), the figure <out-dir>/<study>.png and the table
    /// <out-dir>/<study>.md (see REPRODUCTION.md). With --resume a stopped study continues.
    Study(StudyArgs),
    /// List every configuration key and its default
    Keys,
    /// Read a NIR graph and say what it maps to (or why it cannot run here)
    ///
    /// NIR stores no time step: give --dt-ms unless the graph is one of ours (its metadata
    /// has Δt). --discretisation says how the writer meant τ: exact exp(−Δt/τ) or forward
    /// Euler 1 − Δt/τ (snnTorch's and Norse's importers).
    Nir(NirArgs),
    /// Open the window on a lesson: a lesson file, or a built-in lesson's name (beta, shape,
    /// asymptotic, sparse)
    ///
    /// The window's options apply; --set edits the lesson's experiment.
    Lesson(LessonArgs),
}

#[derive(Args, Debug)]
pub struct LessonArgs {
    /// The lesson: a TOML file, or a built-in name
    #[arg(value_name = "FILE|NAME")]
    pub file: String,
    #[command(flatten)]
    pub window: WindowArgs,
}

/// The experiment: a file, and edits on top of it.
#[derive(Args, Clone, Debug, Default)]
pub struct ExperimentArgs {
    /// Experiment file (TOML, or JSON by extension)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Override one key by its TOML path, e.g. surrogate.beta=100, surrogate.shape=esser,
    /// model.hidden=[128,128] (repeatable; applied after --config)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
}

/// The window's options, for when no command is given.
#[derive(Args, Clone, Debug, Default)]
#[command(next_help_heading = "Window options")]
pub struct WindowArgs {
    #[command(flatten)]
    pub experiment: ExperimentArgs,
    /// Train, write a PNG of the window to PATH, exit (each epoch is logged on stderr)
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<PathBuf>,
    /// How long to train before --screenshot [default: 10]
    #[arg(long, value_name = "SECS", value_parser = seconds, allow_negative_numbers = true)]
    pub train_secs: Option<Duration>,
    /// With --screenshot: keep the first run, apply the edit, reset, train as long again; the
    /// PNG overlays both runs
    #[arg(long, value_name = "KEY=VALUE")]
    pub compare: Option<String>,
    /// Print frame-time percentiles (p50, p95, p99) on exit
    #[arg(long)]
    pub frame_stats: bool,
    /// Open a lesson: a lesson file or a built-in name (its experiment, then --set)
    #[arg(long, value_name = "FILE|NAME")]
    pub lesson: Option<String>,
    /// Open a NIR graph as the network (as File → Open network…); --dt-ms and
    /// --discretisation say how to step it
    #[arg(long, value_name = "FILE")]
    pub open_network: Option<PathBuf>,
    #[command(flatten)]
    pub network_step: NirStepArgs,
    /// Open the neuron inspector on hidden LAYER (from 1), neuron INDEX (from 0)
    #[arg(long, value_name = "LAYER:INDEX", value_parser = neuron_ref)]
    pub select_neuron: Option<crate::train::metrics::NeuronRef>,
    /// Open the Sweep tab on a study's preset and its results in reproduction/ (no training;
    /// with --screenshot, photograph them)
    #[arg(long, value_name = "NAME", value_enum)]
    pub study: Option<Study>,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    pub experiment: ExperimentArgs,
    /// flex, ndarray or wgpu (those compiled in)
    #[arg(long, value_name = "NAME")]
    pub backend: Option<String>,
    /// Number of epochs
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub epochs: Option<usize>,
    /// Seed for initial weights and batch order
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// One JSON object per epoch on stdout
    #[arg(long)]
    pub json: bool,
    /// Write the trained weights as safetensors (PyTorch orientation)
    #[arg(long, value_name = "FILE")]
    pub save_weights: Option<PathBuf>,
    /// Write the trained network as NIR (HDF5)
    #[arg(long, value_name = "FILE")]
    pub save_nir: Option<PathBuf>,
    /// How --save-nir writes the graph: generic, or for snnTorch's or Norse's importer
    #[arg(long, value_name = "NAME", default_value = "generic", value_parser = FLAVOURS)]
    pub flavour: String,
    /// Start from saved weights (safetensors) instead of the seed's
    #[arg(long, value_name = "FILE", alias = "weights")]
    pub init_weights: Option<PathBuf>,
    /// Start from a NIR graph: its weights, per-neuron constants, biases and conventions
    /// (the data set's inputs and classes must match its widths)
    #[arg(long, value_name = "FILE", conflicts_with = "init_weights")]
    pub init_nir: Option<PathBuf>,
    #[command(flatten)]
    pub step: NirStepArgs,
}

/// How to step a NIR graph (NIR stores neither).
#[derive(Args, Clone, Debug, Default)]
pub struct NirStepArgs {
    /// The time step in milliseconds (default: the graph's metadata)
    #[arg(long, value_name = "MS", value_parser = positive_ms, allow_negative_numbers = true)]
    pub dt_ms: Option<f64>,
    /// exact or euler [default: the graph's metadata, else euler]
    #[arg(long, value_name = "KIND")]
    pub discretisation: Option<String>,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The weights (safetensors)
    #[arg(long, value_name = "FILE", required_unless_present = "nir")]
    pub weights: Option<PathBuf>,
    /// A NIR graph instead: its network on the experiment's data set (inputs and classes
    /// must match its widths)
    #[arg(long, value_name = "FILE", conflicts_with = "weights")]
    pub nir: Option<PathBuf>,
    #[command(flatten)]
    pub step: NirStepArgs,
    #[command(flatten)]
    pub experiment: ExperimentArgs,
    /// flex, ndarray or wgpu (those compiled in)
    #[arg(long, value_name = "NAME")]
    pub backend: Option<String>,
    /// One JSON object on stdout
    #[arg(long)]
    pub json: bool,
    /// Write each test sample's label and predicted class as CSV (index,label,prediction)
    #[arg(long, value_name = "FILE")]
    pub predictions: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct NirArgs {
    /// The NIR graph (.nir)
    pub file: PathBuf,
    #[command(flatten)]
    pub step: NirStepArgs,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The weights (safetensors)
    #[arg(long, value_name = "FILE")]
    pub weights: PathBuf,
    /// The NIR file to write
    #[arg(long, value_name = "FILE")]
    pub nir: PathBuf,
    /// Experiment file, for weights saved without one in their metadata
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// generic (NIR's meaning of every field), snntorch or norse (a graph their importers
    /// load and run as we do; README "Networks in and out")
    #[arg(long, value_name = "NAME", default_value = "generic", value_parser = FLAVOURS)]
    pub flavour: String,
}

/// The NIR export flavours (`nir::flavour::Flavour`).
const FLAVOURS: [&str; 3] = ["generic", "snntorch", "norse"];

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Base experiment (the defaults when absent); --set, --epochs and --backend apply on top
    #[command(flatten)]
    pub experiment: ExperimentArgs,
    /// One axis: any configuration key and its values (repeatable; the points are the
    /// cartesian product, first axis slowest). Commas inside brackets stay:
    /// --grid model.hidden=[100],[100,100]
    #[arg(long = "grid", value_name = "KEY=V1,V2,...", required = true)]
    pub axes: Vec<String>,
    /// Seeds per point: the point's seed + 0..N−1
    #[arg(long, value_name = "N", default_value_t = 1, allow_negative_numbers = true,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=10_000))]
    pub seeds: usize,
    /// Points trained at once, on J threads [default: 2, or 1 on a one-core machine]
    #[arg(long, value_name = "J", default_value_t = crate::sweep::runner::default_jobs(),
          hide_default_value = true, value_parser = at_least_one, allow_negative_numbers = true)]
    pub jobs: usize,
    /// Threads each job trains on, in a pool of its own [default: the jobs share
    /// RAYON_NUM_THREADS threads, or one per core]
    #[arg(long, value_name = "N", value_parser = at_least_one, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Run only every N-th point starting at K (0 ≤ K < N), e.g. one SLURM array task each;
    /// join the files with sweep-merge
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Results CSV: rows already there are skipped, so re-running resumes; the file is
    /// rewritten atomically after every finished row
    #[arg(long, value_name = "FILE.csv")]
    pub out: PathBuf,
    /// Number of epochs
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub epochs: Option<usize>,
    /// flex, ndarray or wgpu (those compiled in)
    #[arg(long, value_name = "NAME")]
    pub backend: Option<String>,
    /// No progress lines on stderr
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct SweepMergeArgs {
    /// The shards' results files
    #[arg(value_name = "FILE.csv", required = true)]
    pub inputs: Vec<PathBuf>,
    /// The joined results file
    #[arg(long, value_name = "FILE.csv")]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct StudyArgs {
    /// Which study
    #[arg(value_enum, required_unless_present = "plan")]
    pub name: Option<Study>,
    /// Print the paper-size protocol (every grid, its axes and runs, from the studies'
    /// definitions) as a markdown table, and train nothing
    #[arg(long, conflicts_with_all = ["resume", "seeds", "redraw"])]
    pub plan: bool,
    /// Draw the figure and write the table from the CSVs already in the out-dir (of any
    /// protocol), and train nothing
    #[arg(long, conflicts_with_all = ["resume", "seeds"])]
    pub redraw: bool,
    /// Folder for the CSVs, the figure and the table (created if missing)
    #[arg(long, value_name = "DIR", default_value = "reproduction")]
    pub out_dir: PathBuf,
    /// Points trained at once, on J threads [default: 2, or 1 on a one-core machine]
    #[arg(long, value_name = "J", default_value_t = crate::sweep::runner::default_jobs(),
          hide_default_value = true, value_parser = at_least_one, allow_negative_numbers = true)]
    pub jobs: usize,
    /// Threads each job trains on, in a pool of its own [default: the jobs share
    /// RAYON_NUM_THREADS threads, or one per core]
    #[arg(long, value_name = "N", value_parser = at_least_one, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Seeds per point [default: 3 for sparsity, 2 for beta and reset, 1 for the paper-size
    /// grids]
    #[arg(long, value_name = "N", value_parser = at_least_one,
          allow_negative_numbers = true)]
    pub seeds: Option<usize>,
    /// Keep the rows already in the CSVs (resume, or only redraw) instead of training
    /// everything again
    #[arg(long)]
    pub resume: bool,
}

/// Why a count was refused.
#[derive(Debug, thiserror::Error)]
#[error("expected a whole number ≥ 1")]
pub struct CountError;

fn at_least_one(text: &str) -> Result<usize, CountError> {
    text.parse().ok().filter(|&n| n >= 1).ok_or(CountError)
}

/// Why a duration was refused.
#[derive(Debug, thiserror::Error)]
#[error("not a number of seconds (0–86400)")]
pub struct SecondsError;

/// `LAYER:INDEX` as the window names neurons: "hidden 1 · neuron 17" is `1:17`.
fn neuron_ref(text: &str) -> Result<crate::train::metrics::NeuronRef, String> {
    let parsed = text.split_once(':').and_then(|(l, n)| {
        let layer = l.trim().parse::<usize>().ok()?.checked_sub(1)?;
        let neuron = n.trim().parse::<usize>().ok()?;
        Some(crate::train::metrics::NeuronRef { layer, neuron })
    });
    parsed.ok_or_else(|| {
        format!("'{text}' is not LAYER:INDEX (a hidden layer from 1, a neuron from 0, e.g. 1:17)")
    })
}

/// Why a time step was refused.
#[derive(Debug, thiserror::Error)]
#[error("Δt must be a positive number of milliseconds")]
pub struct StepError;

fn positive_ms(text: &str) -> Result<f64, StepError> {
    text.parse::<f64>()
        .ok()
        .filter(|ms| ms.is_finite() && *ms > 0.0)
        .ok_or(StepError)
}

fn seconds(text: &str) -> Result<Duration, SecondsError> {
    text.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && (0.0..=86_400.0).contains(s))
        .map(Duration::from_secs_f64)
        .ok_or(SecondsError)
}
