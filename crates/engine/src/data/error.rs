//! Why a data set could not be loaded: one line naming the file (or the setting) and the
//! problem.

use super::idx::{CLASSES, MAX_EVENTS, MAX_FILE_BYTES, MAX_PIXELS};

/// A sample the sparse store refuses (a bug of the reader that built it, or a bad label).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SampleError {
    #[error("label {label} is out of range (0–{max})")]
    Label { label: usize, max: usize },
    #[error("event (step {step}, unit {unit}) lies outside {steps} steps × {inputs} units")]
    Event {
        step: u32,
        unit: u32,
        steps: usize,
        inputs: usize,
    },
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LoadError {
    #[error("{key} is empty: give {what}")]
    EmptyPath {
        key: &'static str,
        what: &'static str,
    },
    #[error(
        "data.test_path is empty and {0} has no \"train\" in its name to read as \"test\": give the SHD test file"
    )]
    NoTestPath(String),
    #[error(transparent)]
    Idx(#[from] IdxError),
    #[error(transparent)]
    Shd(#[from] ShdError),
}

/// IDX files (MNIST, Fashion-MNIST) that cannot be read as images and labels.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum IdxError {
    #[error("{file}: {problem}")]
    File { file: String, problem: IdxProblem },
    #[error(
        "more than {max} spikes after {done} of {total} images: lower data.steps or data.encoding.max_rate",
        max = MAX_EVENTS
    )]
    TooManySpikes { done: usize, total: usize },
    #[error(transparent)]
    Sample(#[from] SampleError),
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum IdxProblem {
    #[error("not a gzip file (starts with [{0}], expected [1f 8b])")]
    NotGzip(String),
    #[error("truncated gzip data")]
    TruncatedGzip,
    #[error("corrupt gzip data ({0})")]
    CorruptGzip(String),
    #[error(
        "decompresses to more than {mib} MiB; not an IDX file of images or labels",
        mib = MAX_FILE_BYTES >> 20
    )]
    Inflates,
    #[error("too short for an IDX header ({0} bytes)")]
    ShortHeader(usize),
    #[error("wrong magic 0x{found:08x}, expected 0x{expected:08x}")]
    Magic { found: u32, expected: u32 },
    #[error("truncated IDX header ({len} of {header} bytes)")]
    TruncatedHeader { len: usize, header: usize },
    #[error("implausible dimensions {0:?}")]
    Dimensions(Vec<usize>),
    #[error("truncated: the header says {shape} = {expected} bytes of data, the file has {found}")]
    TruncatedData {
        shape: String,
        expected: usize,
        found: usize,
    },
    #[error("{extra} bytes after the {shape} = {expected} bytes of data the header announces")]
    TrailingData {
        extra: usize,
        shape: String,
        expected: usize,
    },
    #[error("no images")]
    NoImages,
    #[error("images of {rows} × {cols} pixels (1–{max} pixels allowed)", max = MAX_PIXELS)]
    ImageSize { rows: usize, cols: usize },
    #[error("label {label} of sample {sample} is out of range (0–{max})", max = CLASSES - 1)]
    Label { label: u8, sample: usize },
    #[error("{labels} labels for the {images} images of {images_file}")]
    LabelCount {
        labels: usize,
        images: usize,
        images_file: String,
    },
    #[error("test images are {} × {}, training images {} × {}", test.0, test.1, train.0, train.1)]
    TestSize {
        test: (usize, usize),
        train: (usize, usize),
    },
    #[error("no {0} or {0}.gz in this folder")]
    NotInFolder(&'static str),
    #[error("cannot read: {0}")]
    Read(String),
    #[error("{0} bytes is too large for an IDX file")]
    TooLarge(u64),
    #[error("not a folder (data.path must name the folder of the four IDX files)")]
    NotAFolder,
}

impl IdxProblem {
    /// This problem, found in `file`.
    pub fn in_file(self, file: impl std::fmt::Display) -> IdxError {
        IdxError::File {
            file: file.to_string(),
            problem: self,
        }
    }
}

/// An SHD file that does not hold the SHD layout, or a sample that breaks it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct ShdError {
    pub file: String,
    pub problem: ShdProblem,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ShdProblem {
    #[error("malformed HDF5 file (the reader gave up)")]
    Malformed,
    #[error("no such file")]
    NoSuchFile,
    #[error("not a readable HDF5 file ({0})")]
    NotHdf5(String),
    #[error("missing HDF5 dataset {0}")]
    MissingDataset(&'static str),
    #[error("cannot read HDF5 dataset {key} ({why})")]
    Dataset { key: &'static str, why: String },
    #[error("{0} is too long")]
    TooLong(&'static str),
    #[error("{key} has shape {shape:?}, expected one dimension")]
    Shape { key: &'static str, shape: Vec<u64> },
    #[error("{key} must hold variable-length {what} arrays, found {found}")]
    NotVlen {
        key: &'static str,
        what: &'static str,
        found: String,
    },
    #[error("cannot read {key} ({why})")]
    Read { key: &'static str, why: String },
    #[error("{key} holds {bytes} bytes of references for {len} samples")]
    References {
        key: &'static str,
        bytes: usize,
        len: usize,
    },
    #[error("labels must be integers, found {0}")]
    LabelType(String),
    #[error("labels hold {bytes} bytes for {labels} labels")]
    LabelBytes { bytes: usize, labels: usize },
    #[error(
        "spikes/times has {times} samples, spikes/units {units}, labels {labels}: they must match"
    )]
    Lengths {
        times: usize,
        units: usize,
        labels: usize,
    },
    #[error("{found} classes in extra/keys, the training file has {expected}")]
    Classes { found: usize, expected: usize },
    #[error("label {label} of sample {sample} is out of range (0–{max})")]
    Label {
        label: f64,
        sample: usize,
        max: usize,
    },
    #[error("cannot read {key} of sample {sample} ({why})")]
    ReadSample {
        key: &'static str,
        sample: usize,
        why: String,
    },
    #[error("sample {sample} has {times} spike times but {units} units")]
    Counts {
        sample: usize,
        times: usize,
        units: usize,
    },
    #[error("sample {0} has a NaN spike time")]
    NanTime(usize),
    #[error("sample {sample} has spike time {time} s: times must be finite and ≥ 0")]
    Time { sample: usize, time: f64 },
    #[error("sample {sample} has unit {unit}, not below the {inputs} input channels")]
    UnitRange {
        sample: usize,
        unit: f64,
        inputs: usize,
    },
    #[error("sample {sample} has unit {unit}: units are whole channel numbers")]
    UnitFraction { sample: usize, unit: f64 },
    #[error("sample {sample}: {error}")]
    Sample { sample: usize, error: SampleError },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages the loaders gave as hand-formatted strings, word for word.
    #[test]
    fn messages_read_as_before() {
        assert_eq!(
            IdxProblem::Inflates.in_file("a.gz").to_string(),
            "a.gz: decompresses to more than 1024 MiB; not an IDX file of images or labels"
        );
        assert_eq!(
            IdxProblem::Label {
                label: 12,
                sample: 3
            }
            .in_file("l")
            .to_string(),
            "l: label 12 of sample 3 is out of range (0–9)"
        );
        assert_eq!(
            IdxProblem::TestSize {
                test: (28, 27),
                train: (28, 28)
            }
            .in_file("t")
            .to_string(),
            "t: test images are 28 × 27, training images 28 × 28"
        );
        let shape = ShdError {
            file: "s.h5".into(),
            problem: ShdProblem::Shape {
                key: "labels",
                shape: vec![3, 4],
            },
        };
        assert_eq!(
            shape.to_string(),
            "s.h5: labels has shape [3, 4], expected one dimension"
        );
        let sample = ShdProblem::Sample {
            sample: 2,
            error: SampleError::Label { label: 20, max: 19 },
        };
        assert_eq!(
            sample.to_string(),
            "sample 2: label 20 is out of range (0–19)"
        );
    }
}
