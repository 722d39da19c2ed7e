//! Which data set, over how many time steps, and the settings of each kind.

use serde::{Deserialize, Serialize};

use super::encoding::EncodingConfig;
use super::randman::RandmanConfig;
use super::shd::ShdConfig;
use crate::bounds::{OutOfBounds, check_count, check_range};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// Random manifolds, generated (`data.randman`).
    Randman,
    /// The 5,000 MNIST digits embedded in the binary, encoded by `data.encoding`.
    #[serde(rename = "mnist5k")]
    Mnist5k,
    /// A folder (`data.path`) of the four standard IDX files, gzip or not: MNIST or
    /// Fashion-MNIST, encoded by `data.encoding`.
    Idx,
    /// Spiking Heidelberg Digits (HDF5): `data.path` the training file, `data.test_path` the
    /// test file, binned by `data.shd`.
    Shd,
}

impl DataKind {
    pub const ALL: [DataKind; 4] = [
        DataKind::Randman,
        DataKind::Mnist5k,
        DataKind::Idx,
        DataKind::Shd,
    ];

    /// A name for menus.
    pub fn label(self) -> &'static str {
        match self {
            DataKind::Randman => "Randman (generated)",
            DataKind::Mnist5k => "MNIST (5k, bundled)",
            DataKind::Idx => "MNIST / Fashion-MNIST (IDX folder)",
            DataKind::Shd => "SHD (HDF5 files)",
        }
    }

    /// Whether the data set is read from `data.path` (and `data.test_path`).
    pub fn needs_path(self) -> bool {
        matches!(self, DataKind::Idx | DataKind::Shd)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataConfig {
    pub kind: DataKind,
    /// Time steps per sample, T.
    pub steps: usize,
    /// `idx`: the folder holding the four IDX files; `shd`: the training file.
    pub path: String,
    /// `shd`: the test file; empty means `path` with "train" in its file name read as "test".
    pub test_path: String,
    /// `mnist5k`, `idx`, `shd`: the share of each class's training samples held out for
    /// validation (the last ones in file order), on which runs choose their epoch and sweeps
    /// their best point. 0 holds none out. Randman has its own, `data.randman.valid_frac`.
    pub valid_frac: f64,
    /// How images (`mnist5k`, `idx`) become spikes.
    pub encoding: EncodingConfig,
    pub shd: ShdConfig,
    pub randman: RandmanConfig,
}

impl Default for DataConfig {
    fn default() -> Self {
        Self {
            kind: DataKind::Randman,
            steps: 100,
            path: String::new(),
            test_path: String::new(),
            valid_frac: 0.1,
            encoding: EncodingConfig::default(),
            shd: ShdConfig::default(),
            randman: RandmanConfig::default(),
        }
    }
}

/// Data settings that make no data set.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SettingsError {
    #[error("data.randman.valid_frac: train_frac + valid_frac must leave a test set (sum < 1)")]
    NoTestSet,
    #[error(
        "data.randman.samples_per_class: {per_class} samples per class split as train_frac {train_frac} / valid_frac {valid_frac} leave {train} for training and {test} for testing: each needs at least one"
    )]
    EmptySplit {
        per_class: usize,
        train_frac: f64,
        valid_frac: f64,
        train: usize,
        test: usize,
    },
    #[error(transparent)]
    Value(#[from] OutOfBounds),
}

impl SettingsError {
    /// The TOML path of the refused setting.
    pub fn key(&self) -> &str {
        match self {
            SettingsError::NoTestSet => "data.randman.valid_frac",
            SettingsError::EmptySplit { .. } => "data.randman.samples_per_class",
            SettingsError::Value(e) => e.key(),
        }
    }
}

impl DataConfig {
    /// Checks the steps and the settings of the chosen kind only (the others are kept as they
    /// are, for when the user switches back).
    pub fn validate(&self) -> Result<(), SettingsError> {
        check_count("data.steps", self.steps, 1, 10_000, " time steps")?;
        if self.kind != DataKind::Randman {
            check_range("data.valid_frac", self.valid_frac, 0.0, 0.5, "0–0.5")?;
        }
        match self.kind {
            DataKind::Randman => self.randman.validate(),
            DataKind::Mnist5k | DataKind::Idx => Ok(self.encoding.validate()?),
            DataKind::Shd => Ok(self.shd.validate()?),
        }
    }
}
