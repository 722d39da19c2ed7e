//! Why the command line refused to run: printed as one line, exit status 2.

use std::path::PathBuf;

use crate::config::{ConfigError, FileError};
use crate::sweep::{GridError, MergeError, Refusal};
use crate::train::BuildError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line itself (an unknown flag, a missing or malformed value), as clap saw it,
    /// reduced to one line.
    #[error("{0}")]
    Usage(String),
    /// A bad `--set` (or `--epochs`, `--backend`…) value or an invalid experiment.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An experiment file that cannot be read or parsed (the message names it).
    #[error(transparent)]
    ExperimentFile(#[from] FileError),
    /// A lesson that cannot be read or is not valid (the message names the file and key).
    #[error(transparent)]
    Lesson(#[from] crate::config::LessonError),
    /// A weight file that cannot be read, written, or does not fit the network (the message
    /// names it).
    #[error("{0}")]
    Weights(String),
    #[error("{}: no experiment in its metadata; give --config FILE", .0.display())]
    NoExperiment(PathBuf),
    /// The trainer could not be built (data set or network refused).
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Grid(#[from] GridError),
    /// A results file of another sweep, data that cannot be loaded…: nothing was trained.
    #[error(transparent)]
    SweepRefused(#[from] Refusal),
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// A NIR graph that cannot be read or run here (the message names the file and node).
    #[error("{0}")]
    Nir(String),
    #[error("--compare goes with --screenshot PATH")]
    CompareWithoutScreenshot,
    #[error("--train-secs goes with --screenshot PATH")]
    TrainSecsWithoutScreenshot,
}

impl CliError {
    /// Prints the refusal; returns the exit status for it.
    pub fn report(&self) -> i32 {
        eprintln!("error: {self}");
        2
    }
}
