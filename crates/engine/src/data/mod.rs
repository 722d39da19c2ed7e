//! Data sets as sparse spike events, their settings, and their loading. Knows nothing of the
//! window.
//!
//! Loading never changes anything on failure: `load` returns the new splits or a one-line
//! error naming the file and the problem, and the caller keeps the data set it had.

pub mod batch;
pub mod config;
pub mod dataset;
pub mod encoding;
pub mod error;
pub mod idx;
pub mod randman;
pub mod shd;

pub use dataset::{DataSplits, SpikeDataset};

use std::path::PathBuf;

use config::{DataConfig, DataKind};
use error::LoadError;

/// Loads (or generates) the data set a configuration names.
pub fn load(cfg: &DataConfig) -> Result<DataSplits, LoadError> {
    let mut splits = match cfg.kind {
        DataKind::Randman => randman::generate(&cfg.randman, cfg.steps),
        DataKind::Mnist5k => idx::load_bundled(cfg.steps, &cfg.encoding)?,
        DataKind::Idx => {
            let folder = required_path(&cfg.path, "data.path", "the folder of the four IDX files")?;
            idx::load_folder(&folder, cfg.steps, &cfg.encoding)?
        }
        DataKind::Shd => {
            let (train, test) = shd_paths(cfg)?;
            shd::load(&train, &test, cfg.steps, &cfg.shd)?
        }
    };
    if splits.valid.is_none() && cfg.valid_frac > 0.0 {
        let (train, valid) = splits.train.hold_out(cfg.valid_frac);
        splits.train = train;
        splits.valid = Some(valid);
    }
    // Loading grows the event vectors as it goes; the growth slack is a third of a large set.
    splits.train.shrink_to_fit();
    splits.test.shrink_to_fit();
    if let Some(v) = splits.valid.as_mut() {
        v.shrink_to_fit();
    }
    Ok(splits)
}

fn required_path(path: &str, key: &'static str, what: &'static str) -> Result<PathBuf, LoadError> {
    if path.trim().is_empty() {
        return Err(LoadError::EmptyPath { key, what });
    }
    Ok(PathBuf::from(path))
}

/// The SHD training and test files a configuration names; an empty `data.test_path` means the
/// training file's name with "train" read as "test" (`shd_train.h5` → `shd_test.h5`).
pub fn shd_paths(cfg: &DataConfig) -> Result<(PathBuf, PathBuf), LoadError> {
    let train = required_path(
        &cfg.path,
        "data.path",
        "the SHD training file (e.g. shd_train.h5)",
    )?;
    let test = if cfg.test_path.trim().is_empty() {
        shd::default_test_path(&train)
            .ok_or_else(|| LoadError::NoTestPath(train.display().to_string()))?
    } else {
        PathBuf::from(&cfg.test_path)
    };
    Ok((train, test))
}
