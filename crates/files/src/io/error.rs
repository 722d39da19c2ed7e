//! Why a weight file could not be read, matched to a network, or written.

use super::safetensors::FormatError;
use crate::atomic::WriteError;

#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// Any other problem, with the file it was found in.
    #[error("{path}: {error}")]
    InFile {
        path: String,
        error: Box<WeightsError>,
    },
    #[error(transparent)]
    Format(#[from] FormatError),
    #[error("tensor {name:?} has shape {shape:?}; a matrix expected")]
    NotMatrix { name: String, shape: Vec<usize> },
    /// The experiment stored beside the weights does not parse or is not valid.
    #[error("the experiment in the metadata is invalid: {0}")]
    Metadata(String),
    #[error("{name} is {found} in the file but the network needs {needed}")]
    Shape {
        name: String,
        found: String,
        needed: String,
    },
    /// Index in the file's (out, in) orientation.
    #[error("tensor {name} has a non-finite value ({value}) at [{row}, {col}]")]
    NonFinite {
        name: String,
        row: usize,
        col: usize,
        value: f32,
    },
    #[error("the file has no tensor {0}")]
    Missing(String),
    #[error("the file has a tensor {0} the network does not")]
    Extra(String),
    /// A matrix whose input size is not the previous one's output size.
    #[error("{name} is ({cols}, {rows}) but its input has {expected} values")]
    Chain {
        name: String,
        rows: usize,
        cols: usize,
        expected: usize,
    },
    #[error("cannot encode NIR: {0}")]
    Nir(String),
    #[error(transparent)]
    Write(#[from] WriteError),
}

impl WeightsError {
    /// This error, as found in the file at `path`.
    pub fn in_file(self, path: &std::path::Path) -> Self {
        WeightsError::InFile {
            path: path.display().to_string(),
            error: Box::new(self),
        }
    }
}
