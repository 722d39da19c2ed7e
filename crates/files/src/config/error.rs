//! Why an experiment, an edit of one, or its file was refused.

use super::CONFIG_VERSION;
use crate::atomic::WriteError;
use crate::train::config::SettingsError;

/// A refused configuration or edit: the message starts with the key at fault.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("version: {0} is newer than this program understands (≤ {max})", max = CONFIG_VERSION)]
    Version(u32),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("invalid experiment JSON: {0}")]
    Json(String),
    #[error("invalid experiment TOML: {0}")]
    Toml(String),
    /// A `--set` argument without `=`.
    #[error("{0}: expected key=value")]
    NotAssignment(String),
    #[error("{key}: unknown key; known keys: {known}")]
    UnknownKey { key: String, known: String },
    #[error("{key}: cannot take {raw:?}: {why}")]
    CannotTake {
        key: String,
        raw: String,
        why: String,
    },
    /// The configuration could not be turned into a TOML tree to edit.
    #[error("{key}: {why}")]
    Unencodable { key: String, why: String },
}

impl ConfigError {
    /// The TOML path of the refused setting; empty for a file that does not parse.
    pub fn key(&self) -> &str {
        match self {
            ConfigError::Version(_) => "version",
            ConfigError::Settings(e) => e.key(),
            ConfigError::Json(_) | ConfigError::Toml(_) => "",
            ConfigError::NotAssignment(assignment) => assignment,
            ConfigError::UnknownKey { key, .. }
            | ConfigError::CannotTake { key, .. }
            | ConfigError::Unencodable { key, .. } => key,
        }
    }

    /// The message without the key in front.
    pub fn problem(&self) -> String {
        let line = self.to_string();
        let key = self.key();
        if key.is_empty() {
            return line;
        }
        match line
            .strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(": "))
        {
            Some(rest) => rest.to_string(),
            None => line,
        }
    }
}

/// An experiment file that could not be read or written; the message names the file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {error}")]
    Invalid { path: String, error: ConfigError },
    #[error("cannot encode JSON: {0}")]
    Json(String),
    #[error(transparent)]
    Write(#[from] WriteError),
}
