//! Why a sweep refuses or fails. Each message is one line naming the flag, key, file or line
//! concerned, as the command line prints it and the window shows it.

use std::path::PathBuf;

use super::grid::{MAX_POINTS, Shard};
use crate::atomic::WriteError;
use crate::config::ConfigError;
use crate::train::BuildError;

/// A grid, shard or seeds count refused before anything trains.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum GridError {
    #[error("--grid {spec:?}: expected key=v1,v2,…")]
    Syntax { spec: String },
    #[error("--grid {spec:?}: the key is empty")]
    EmptyKey { spec: String },
    #[error("--grid {key}: unbalanced {close:?} in {text:?}")]
    UnbalancedClose {
        key: String,
        close: char,
        text: String,
    },
    #[error("--grid {key}: unbalanced brackets or quotes in {text:?}")]
    Unbalanced { key: String, text: String },
    #[error("--grid {key}: no values")]
    NoValues { key: String },
    /// `position` counts from 1.
    #[error("--grid {key}: value {position} is empty")]
    EmptyValue { key: String, position: usize },
    #[error("--grid {key}: value {value:?} is given twice")]
    Repeated { key: String, value: String },
    #[error("--grid {key}: the key is swept twice")]
    KeySweptTwice { key: String },
    #[error("--shard {text:?}: expected K/N with 0 ≤ K < N, e.g. 0/4")]
    ShardSyntax { text: String },
    #[error("--shard {0}: K must be below N")]
    ShardRange(Shard),
    #[error("--seeds must be at least 1")]
    NoSeeds,
    #[error("base configuration: {0}")]
    Base(ConfigError),
    #[error("the grid has more than {MAX_POINTS} points")]
    TooManyPoints,
    /// A point's value refused by the configuration; `with` lists the point's other values.
    #[error("--grid {key}={value}: {message}{with}")]
    Point {
        key: String,
        value: String,
        message: String,
        with: String,
    },
}

/// What is wrong in the text of a results file.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CsvProblem {
    #[error("empty file, not a sweep's results")]
    Empty,
    #[error(
        "not a sweep's results (the first line must start with \"# {}\")",
        super::csv::FORMAT
    )]
    NotResults,
    #[error("unreadable header item {0:?}")]
    HeaderItem(String),
    #[error("header item {key}={value:?} is not a number")]
    HeaderNumber { key: String, value: String },
    #[error("{0}")]
    HeaderShard(Box<GridError>),
    #[error("the header has no fingerprint")]
    NoFingerprint,
    #[error("the column header is missing")]
    NoColumnHeader,
    #[error("too few columns for a sweep's results")]
    TooFewColumns,
    #[error("unexpected columns; expected point, the swept keys, then {}", super::csv::METRIC_COLUMNS.join(","))]
    UnexpectedColumns,
    #[error("{found} fields where the header has {expected}")]
    FieldCount { found: usize, expected: usize },
    #[error("{column} = {value:?} is not a number")]
    NotANumber { column: &'static str, value: String },
    #[error("point {point} seed {seed} appears twice")]
    RowTwice { point: usize, seed: u64 },
    #[error("text after a closing quote")]
    TextAfterQuote,
    #[error("unterminated quote")]
    UnterminatedQuote,
}

/// A problem in a results file's text, at a line when it has one (`LINE: what`).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}{problem}", line.map(|n| format!("{n}: ")).unwrap_or_default())]
pub struct CsvParseError {
    pub line: Option<usize>,
    pub problem: CsvProblem,
}

/// A results file that cannot be read, parsed or written.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `FILE:LINE: what`.
    #[error("{}:{error}", path.display())]
    Parse { path: PathBuf, error: CsvParseError },
    /// The atomic write's own message names the file.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Shards' results that do not belong together.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("sweep-merge needs at least one results file")]
    NoFiles,
    #[error(
        "{name}: results of format v1, chosen on test accuracy: not merged with validation-selected results; rerun its shard"
    )]
    SelectedOnTest { name: String },
    #[error(
        "{name}: made by another sweep than {first} (fingerprint {fingerprint} vs {first_fingerprint}): the base configuration or the grid differ"
    )]
    OtherSweep {
        name: String,
        first: String,
        fingerprint: String,
        first_fingerprint: String,
    },
    #[error("{name}: swept keys {keys:?} differ from {first}'s {first_keys:?}")]
    Keys {
        name: String,
        first: String,
        keys: Vec<String>,
        first_keys: Vec<String>,
    },
    #[error("{name}: its grid differs from {first}'s: {grid:?} vs {first_grid:?}")]
    Grid {
        name: String,
        first: String,
        grid: Vec<String>,
        first_grid: Vec<String>,
    },
    #[error("{name}: point {point} seed {seed} has results that differ from another file's")]
    Differs {
        name: String,
        point: usize,
        seed: u64,
    },
    #[error(transparent)]
    File(#[from] CsvError),
}

/// A figure that cannot be drawn or written.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("cannot draw {title:?}: {message}")]
    Draw { title: String, message: String },
    #[error("internal: image buffer of the wrong size")]
    Buffer,
    #[error("cannot encode PNG: {0}")]
    Encode(#[from] image::ImageError),
    /// The atomic write's own message names the file.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Why a sweep would not start: nothing was trained.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error(transparent)]
    Results(#[from] CsvError),
    #[error(
        "{}: holds another sweep (fingerprint {found}, this one {this}): the base configuration or the grid differ; choose another --out, or delete the file to start over",
        path.display()
    )]
    OtherSweep {
        path: PathBuf,
        found: String,
        this: String,
    },
    #[error("{}: holds shard {found} of this sweep, not {this}; give each shard its own --out", path.display())]
    OtherShard {
        path: PathBuf,
        found: Shard,
        this: Shard,
    },
    #[error(
        "{}: row of point {point} seed {seed} has values {values:?} that are not this grid's point {point}",
        path.display()
    )]
    ForeignRow {
        path: PathBuf,
        point: usize,
        seed: u64,
        values: Vec<String>,
    },
    #[error(
        "{}: results of format v1, whose runs were chosen on test accuracy: they cannot be resumed with validation selection; move the file away to run the sweep again",
        path.display()
    )]
    SelectedOnTest { path: PathBuf },
    #[error("{}: its grid lines do not make a grid: {error}", path.display())]
    FileGrid { path: PathBuf, error: GridError },
    /// The data layer's message.
    #[error("data of point {point}: {message}")]
    Data { point: usize, message: String },
    #[error(
        "optim.batch_size: {batch} is larger than the {samples} training samples of {data} (point {point})"
    )]
    BatchTooLarge {
        batch: usize,
        samples: usize,
        data: String,
        point: usize,
    },
}

/// Why one (point, seed) could not be trained.
#[derive(Debug, thiserror::Error)]
pub enum PointFailure {
    #[error("point {point} seed {seed}: {error}")]
    Setup {
        point: usize,
        seed: u64,
        error: BuildError,
    },
    #[error("point {point} seed {seed}: training panicked")]
    Panicked { point: usize, seed: u64 },
}

/// Why a study stopped.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    #[error("{}: cannot create: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: cannot remove: {source}", path.display())]
    Remove {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no results to draw (run the study first, or pass --out-dir)", path.display())]
    NoResults { path: PathBuf },
    #[error(transparent)]
    Grid(#[from] GridError),
    #[error(transparent)]
    Run(#[from] super::runner::RunError),
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// The atomic write's own message names the file.
    #[error(transparent)]
    Write(#[from] WriteError),
}
