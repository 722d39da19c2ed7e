//! Experiment files: TOML, or JSON when the extension says so, in one flat layout.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Config, ConfigError, FileError};
use crate::atomic::write_atomic;
use crate::data::config::DataConfig;
use crate::snn::model::ModelConfig;
use crate::snn::regularizer::RegConfig;
use crate::snn::surrogate::SurrogateConfig;
use crate::train::config::TrainingConfig;
use crate::train::optim::OptimConfig;

/// The file's layout: the version beside the trainer's settings, every key optional.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(super) struct ConfigFile {
    version: u32,
    seed: u64,
    backend: String,
    data: DataConfig,
    model: ModelConfig,
    surrogate: SurrogateConfig,
    reg: RegConfig,
    optim: OptimConfig,
}

impl Default for ConfigFile {
    fn default() -> Self {
        Config::default().into()
    }
}

impl From<Config> for ConfigFile {
    fn from(c: Config) -> Self {
        let t = c.training;
        Self {
            version: c.version,
            seed: t.seed,
            backend: t.backend,
            data: t.data,
            model: t.model,
            surrogate: t.surrogate,
            reg: t.reg,
            optim: t.optim,
        }
    }
}

impl From<ConfigFile> for Config {
    fn from(f: ConfigFile) -> Self {
        Self {
            version: f.version,
            training: TrainingConfig {
                seed: f.seed,
                backend: f.backend,
                data: f.data,
                model: f.model,
                surrogate: f.surrogate,
                reg: f.reg,
                optim: f.optim,
            },
        }
    }
}

impl Config {
    /// Parses TOML (or JSON when `json` is set), filling missing keys with defaults.
    pub fn from_str_format(text: &str, json: bool) -> Result<Config, ConfigError> {
        let config: Config = if json {
            serde_json::from_str(text).map_err(|e| ConfigError::Json(e.to_string()))?
        } else {
            toml::from_str(text).map_err(|e| ConfigError::Toml(one_line(&e.to_string())))?
        };
        config.validate()?;
        Ok(config)
    }

    /// Reads an experiment file: JSON when its extension says so, TOML otherwise. The window's
    /// Open and `--config` both come here; errors name the file.
    pub fn load(path: &Path) -> Result<Config, FileError> {
        let shown = path.display().to_string();
        let text = match crate::vfs::read_to_string(path) {
            Ok(text) => text,
            Err(source) => {
                return Err(FileError::Read {
                    path: shown,
                    source,
                });
            }
        };
        Config::from_str_format(&text, is_json(path))
            .map_err(|error| FileError::Invalid { path: shown, error })
    }

    /// Writes the experiment atomically, as JSON or TOML by the path's extension.
    pub fn save(&self, path: &Path) -> Result<(), FileError> {
        let text = if is_json(path) {
            serde_json::to_string_pretty(self).map_err(|e| FileError::Json(e.to_string()))?
        } else {
            self.to_toml()
        };
        Ok(write_atomic(path, text.as_bytes())?)
    }

    pub fn to_toml(&self) -> String {
        // Serializing plain structs of numbers, strings and enums cannot fail.
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Parser messages span lines (a caret under the culprit); ours are one line.
pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
