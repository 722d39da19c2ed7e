//! The experiment: every setting of one run, as one plain, serde-backed configuration, and
//! its files and key paths.
//!
//! Every field has a default (the paper's where it gives one), so a file names only what it
//! changes. Keys are addressed by their TOML path (`surrogate.beta`, `model.hidden`), both in
//! files and in `--set key=value` on the command line; unknown keys and out-of-range values are
//! refused with one line naming the key and what is allowed. Each part is defined and checked
//! beside what it configures; this module only puts them together.

mod error;
mod file;
mod keys;
pub mod lesson;
mod presets;

pub use error::{ConfigError, FileError};
pub use keys::{full_toml, known_keys, leaves};
pub use lesson::{Lesson, LessonError};
pub use presets::preset;

use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};

use crate::train::config::TrainingConfig;

/// Bumped when a key changes meaning; files of a newer version are refused.
pub const CONFIG_VERSION: u32 = 1;

/// An experiment file: its format version and the settings a trainer is built from. It reads
/// as those settings (`config.model.hidden`), and converts into them for the trainer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "file::ConfigFile", into = "file::ConfigFile")]
pub struct Config {
    pub version: u32,
    pub training: TrainingConfig,
}

impl Default for Config {
    fn default() -> Self {
        TrainingConfig::default().into()
    }
}

impl Deref for Config {
    type Target = TrainingConfig;

    fn deref(&self) -> &TrainingConfig {
        &self.training
    }
}

impl DerefMut for Config {
    fn deref_mut(&mut self) -> &mut TrainingConfig {
        &mut self.training
    }
}

impl From<TrainingConfig> for Config {
    fn from(training: TrainingConfig) -> Self {
        Self {
            version: CONFIG_VERSION,
            training,
        }
    }
}

impl From<Config> for TrainingConfig {
    fn from(config: Config) -> Self {
        config.training
    }
}

impl Config {
    /// Checks every value a user can set; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.version > CONFIG_VERSION {
            return Err(ConfigError::Version(self.version));
        }
        Ok(self.training.validate()?)
    }
}
