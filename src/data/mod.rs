//! Data sets as sparse spike events, and their loading. Knows nothing of the window.
//!
//! Loading never changes anything on failure: `load` returns the new splits or a one-line
//! error naming the file and the problem, and the caller keeps the data set it had.

pub mod batch;
pub mod dataset;
pub mod encoding;
pub mod idx;
pub mod randman;
pub mod shd;

pub use dataset::{DataSplits, SpikeDataset};

use std::path::{Path, PathBuf};

use crate::io::config::{Config, DataConfig, DataKind, InitKind, PerLayer};

/// Loads (or generates) the data set a configuration names.
pub fn load(cfg: &DataConfig) -> Result<DataSplits, String> {
    let mut splits = match cfg.kind {
        DataKind::Randman => Ok(randman::generate(&cfg.randman, cfg.steps)),
        DataKind::Mnist5k => idx::load_bundled(cfg.steps, &cfg.encoding),
        DataKind::Idx => {
            let folder = required_path(&cfg.path, "data.path", "the folder of the four IDX files")?;
            idx::load_folder(&folder, cfg.steps, &cfg.encoding)
        }
        DataKind::Shd => {
            let (train, test) = shd_paths(cfg)?;
            shd::load(&train, &test, cfg.steps, &cfg.shd)
        }
    }?;
    // Loading grows the event vectors as it goes; the growth slack is a third of a large set.
    splits.train.shrink_to_fit();
    splits.test.shrink_to_fit();
    if let Some(v) = splits.valid.as_mut() {
        v.shrink_to_fit();
    }
    Ok(splits)
}

fn required_path(path: &str, key: &str, what: &str) -> Result<PathBuf, String> {
    if path.trim().is_empty() {
        return Err(format!("{key} is empty: give {what}"));
    }
    Ok(PathBuf::from(path))
}

/// The SHD training and test files a configuration names; an empty `data.test_path` means the
/// training file's name with "train" read as "test" (`shd_train.h5` → `shd_test.h5`).
pub fn shd_paths(cfg: &DataConfig) -> Result<(PathBuf, PathBuf), String> {
    let train = required_path(
        &cfg.path,
        "data.path",
        "the SHD training file (e.g. shd_train.h5)",
    )?;
    let test = if cfg.test_path.trim().is_empty() {
        shd::default_test_path(&train).ok_or_else(|| {
            format!(
                "data.test_path is empty and {} has no \"train\" in its name to read as \"test\": give the SHD test file",
                train.display()
            )
        })?
    } else {
        PathBuf::from(&cfg.test_path)
    };
    Ok((train, test))
}

/// The recommended configuration for each data set: the data set's own settings plus the
/// model and optimizer that train it well (the defaults are Randman's).
///
/// - MNIST (bundled or IDX): 784 → 128 → 10, latency code τ = 20 steps, θ = 0.2, init
///   N(0, (3/√fan_in)²), Adam 2·10⁻³, batch 128 (DESIGN §7; here 88 % after 7 epochs, 90 %
///   after 11, 91 % after 20 on the bundled 5k digits).
/// - SHD: 700 → 128 recurrent → 20, 100 bins over 1.4 s, init gain 3, Adam 2·10⁻³, batch 32
///   (the tiny SHD-format files: > 50 % test accuracy after 4 epochs, ≈ 80 % after 10; for the
///   full SHD files a batch of 256 is the usual choice).
///
/// `path` fills `data.path` for the kinds read from disk.
pub fn preset(kind: DataKind, path: Option<&Path>) -> Config {
    let mut c = Config::default();
    c.data.kind = kind;
    if let Some(p) = path {
        c.data.path = p.display().to_string();
    }
    match kind {
        DataKind::Randman => {}
        DataKind::Mnist5k | DataKind::Idx => {
            c.model.hidden = vec![128];
            c.model.init = InitKind::Normal { gain: 3.0 };
            c.optim.lr = 2e-3;
            c.optim.batch_size = 128;
            c.optim.epochs = 15;
        }
        DataKind::Shd => {
            c.model.hidden = vec![128];
            c.model.recurrent = PerLayer::All(true);
            c.model.init = InitKind::Normal { gain: 3.0 };
            c.optim.lr = 2e-3;
            c.optim.batch_size = 32;
            c.optim.epochs = 20;
        }
    }
    c
}
