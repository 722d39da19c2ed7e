//! Spiking Heidelberg Digits (Cramer et al. 2020) from its HDF5 files.
//!
//! Layout: `spikes/times` (one variable-length float array per sample, seconds),
//! `spikes/units` (one variable-length integer array per sample, channel 0–699), `labels`
//! (integers), and optionally `extra/keys` (one string per class, which also gives the number
//! of classes; 20 without it). Times may be float16, float32 or float64, units and labels any
//! integer width, either byte order.
//!
//! Binning (ARCHITECTURE.md §4): T bins over `duration_s` (1.4 s); bin = ⌊t / duration · T⌋, t ≥ duration
//! clamped to the last bin. Several spikes of one unit in one bin become one event (the input
//! is a spike, not a count). Samples are read one at a time straight into the sparse store: no
//! dense [N, T, 700] array is ever made.
//!
//! The file is read with `hdf5-reader`, a pure-Rust HDF5 decoder (no C library): it resolves
//! the variable-length references through the global heap, which is all this layout needs.

mod file;
mod num;

pub use file::ShdFile;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::bounds::{OutOfBounds, check_count, check_range};
use crate::data::dataset::{DataSplits, SpikeDataset};
use crate::data::error::{ShdError, ShdProblem};

/// Spiking Heidelberg Digits: spike times in seconds on `inputs` channels, binned into
/// `data.steps` bins over `duration_s` (t ≥ duration_s falls in the last bin).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShdConfig {
    /// Input channels; a unit ≥ this is refused.
    pub inputs: usize,
    /// Trial length covered by the bins, seconds.
    pub duration_s: f64,
}

impl Default for ShdConfig {
    fn default() -> Self {
        Self {
            inputs: 700,
            duration_s: 1.4,
        }
    }
}

impl ShdConfig {
    pub fn validate(&self) -> Result<(), OutOfBounds> {
        check_count("data.shd.inputs", self.inputs, 1, 100_000, " channels")?;
        check_range(
            "data.shd.duration_s",
            self.duration_s,
            1e-6,
            1e6,
            "0.000001–1000000 seconds",
        )
    }
}

/// SHD's number of classes, used when a file has no `extra/keys`.
pub const DEFAULT_CLASSES: usize = 20;

/// The bin of spike time `t` (seconds, ≥ 0): ⌊t / duration · steps⌋, clamped to the last bin.
pub fn bin_of(t: f64, duration_s: f64, steps: usize) -> u32 {
    let last = steps.saturating_sub(1);
    let bin = (t / duration_s * steps as f64).floor();
    if bin >= last as f64 {
        last as u32
    } else {
        bin as u32
    }
}

/// Bins every sample of `file` into a sparse data set of `classes` classes.
pub fn bin_file(
    file: &ShdFile,
    cfg: &ShdConfig,
    steps: usize,
    classes: usize,
) -> Result<SpikeDataset, ShdError> {
    let mut out = SpikeDataset::new(cfg.inputs, steps, classes);
    let mut events: Vec<(u32, u32)> = Vec::new();
    for i in 0..file.len() {
        let label = file.label(i, classes)?;
        events.clear();
        events.extend(
            file.sample(i, cfg.inputs)?
                .into_iter()
                .map(|(t, u)| (bin_of(t, cfg.duration_s, steps), u)),
        );
        events.sort_unstable();
        events.dedup();
        out.push(events.iter().copied(), label)
            .map_err(|error| file.fail(ShdProblem::Sample { sample: i, error }))?;
    }
    Ok(out)
}

/// The test file that goes with `train`: "train" in its file name read as "test".
pub fn default_test_path(train: &Path) -> Option<PathBuf> {
    let name = train.file_name()?.to_str()?;
    name.contains("train")
        .then(|| train.with_file_name(name.replacen("train", "test", 1)))
}

/// Loads a training and a test file, binned by `cfg`.
pub fn load(
    train: &Path,
    test: &Path,
    steps: usize,
    cfg: &ShdConfig,
) -> Result<DataSplits, ShdError> {
    let train_file = ShdFile::open(train)?;
    let classes = train_file.classes();
    let train_set = bin_file(&train_file, cfg, steps, classes)?;
    drop(train_file);
    let test_file = ShdFile::open(test)?;
    if test_file.keys().is_some() && test_file.classes() != classes {
        // Different class lists: labels would not mean the same thing.
        return Err(test_file.fail(ShdProblem::Classes {
            found: test_file.classes(),
            expected: classes,
        }));
    }
    let test_set = bin_file(&test_file, cfg, steps, classes)?;
    let stem = train
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| train.display().to_string());
    Ok(DataSplits {
        name: format!("SHD {stem}"),
        train: train_set,
        valid: None,
        test: test_set,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_the_trial_and_late_spikes_clamp() {
        assert_eq!(bin_of(0.0, 1.4, 100), 0);
        assert_eq!(bin_of(0.0139, 1.4, 100), 0);
        assert_eq!(bin_of(0.0141, 1.4, 100), 1);
        assert_eq!(bin_of(1.399, 1.4, 100), 99);
        assert_eq!(bin_of(1.4, 1.4, 100), 99);
        assert_eq!(bin_of(7.0, 1.4, 100), 99);
        assert_eq!(bin_of(0.5, 1.4, 1), 0);
    }

    #[test]
    fn test_file_name_follows_the_training_file() {
        assert_eq!(
            default_test_path(Path::new("/d/shd_train.h5")),
            Some(PathBuf::from("/d/shd_test.h5"))
        );
        assert_eq!(default_test_path(Path::new("/d/data.h5")), None);
    }
}
