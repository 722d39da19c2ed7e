//! Spiking Heidelberg Digits (Cramer et al. 2020) from its HDF5 files.
//!
//! Layout: `spikes/times` (one variable-length float array per sample, seconds),
//! `spikes/units` (one variable-length integer array per sample, channel 0–699), `labels`
//! (integers), and optionally `extra/keys` (one string per class, which also gives the number
//! of classes; 20 without it). Times may be float16, float32 or float64, units and labels any
//! integer width, either byte order.
//!
//! Binning (DESIGN §2): T bins over `duration_s` (1.4 s); bin = ⌊t / duration · T⌋, t ≥ duration
//! clamped to the last bin. Several spikes of one unit in one bin become one event (the input
//! is a spike, not a count). Samples are read one at a time straight into the sparse store: no
//! dense [N, T, 700] array is ever made.
//!
//! The file is read with `hdf5-reader`, a pure-Rust HDF5 decoder (no C library): it resolves
//! the variable-length references through the global heap, which is all this layout needs.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use hdf5_reader::{ByteOrder, Dataset, Datatype, Hdf5File, VarLenKind};

use crate::data::dataset::{DataSplits, SpikeDataset};
use crate::io::config::ShdConfig;

/// SHD's number of classes, used when a file has no `extra/keys`.
pub const DEFAULT_CLASSES: usize = 20;

/// A number type found in the file, with its byte order.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    Float {
        size: usize,
        big: bool,
    },
    Int {
        size: usize,
        signed: bool,
        big: bool,
    },
}

impl Num {
    fn of(dt: &Datatype) -> Option<Num> {
        let big = |o: &ByteOrder| matches!(o, ByteOrder::BigEndian);
        match dt {
            Datatype::FloatingPoint { size, byte_order } if matches!(size, 2 | 4 | 8) => {
                Some(Num::Float {
                    size: *size as usize,
                    big: big(byte_order),
                })
            }
            Datatype::FixedPoint {
                size,
                signed,
                byte_order,
            } if matches!(size, 1 | 2 | 4 | 8) => Some(Num::Int {
                size: *size as usize,
                signed: *signed,
                big: big(byte_order),
            }),
            _ => None,
        }
    }

    fn size(self) -> usize {
        match self {
            Num::Float { size, .. } | Num::Int { size, .. } => size,
        }
    }

    /// One value as f64 (integers above 2⁵³ lose precision: irrelevant for units and labels,
    /// which are checked against small ranges).
    fn decode(self, b: &[u8]) -> f64 {
        let mut buf = [0u8; 8];
        let n = self.size();
        let big = match self {
            Num::Float { big, .. } | Num::Int { big, .. } => big,
        };
        // Normalise to little-endian in buf[..n].
        for (k, slot) in buf.iter_mut().take(n).enumerate() {
            *slot = if big { b[n - 1 - k] } else { b[k] };
        }
        match self {
            Num::Float { size: 2, .. } => half::f16::from_le_bytes([buf[0], buf[1]]).to_f64(),
            Num::Float { size: 4, .. } => {
                f64::from(f32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]))
            }
            Num::Float { .. } => f64::from_le_bytes(buf),
            Num::Int { signed: false, .. } => u64::from_le_bytes(buf) as f64,
            Num::Int {
                size, signed: true, ..
            } => {
                // Sign-extend from `size` bytes.
                let shift = 64 - 8 * size as u32;
                ((i64::from_le_bytes(buf) << shift) >> shift) as f64
            }
        }
    }

    fn decode_all(self, bytes: &[u8]) -> Vec<f64> {
        bytes
            .chunks_exact(self.size())
            .map(|c| self.decode(c))
            .collect()
    }
}

/// One vlen dataset: its per-sample heap references and its element type.
struct VlenColumn {
    dataset: Dataset,
    refs: Vec<u8>,
    ref_size: usize,
    num: Num,
    len: usize,
}

/// An open SHD-layout file, read sample by sample.
pub struct ShdFile {
    name: String,
    /// Kept open: the datasets read through it.
    _file: Hdf5File,
    times: VlenColumn,
    units: VlenColumn,
    labels: Vec<f64>,
    keys: Option<Vec<String>>,
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl ShdFile {
    /// Opens `path` and checks the layout: the three datasets exist, are one-dimensional, of
    /// the right types and of one length.
    pub fn open(path: &Path) -> Result<Self, String> {
        let name = path.display().to_string();
        // hdf5-reader is defensive, but a crafted file reaching a panic in it must still be a
        // one-line error here, not a crash of the program.
        std::panic::catch_unwind(AssertUnwindSafe(|| Self::open_inner(path, &name)))
            .unwrap_or_else(|_| Err(format!("{name}: malformed HDF5 file (the reader gave up)")))
    }

    /// The same from a file's bytes already in memory (`name` is how messages call it).
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Self, String> {
        std::panic::catch_unwind(AssertUnwindSafe(|| {
            Self::check_layout(Hdf5File::from_vec(bytes), name)
        }))
        .unwrap_or_else(|_| Err(format!("{name}: malformed HDF5 file (the reader gave up)")))
    }

    fn open_inner(path: &Path, name: &str) -> Result<Self, String> {
        if !path.is_file() {
            return Err(format!("{name}: no such file"));
        }
        Self::check_layout(Hdf5File::open(path), name)
    }

    fn check_layout(
        file: hdf5_reader::error::Result<Hdf5File>,
        name: &str,
    ) -> Result<Self, String> {
        let file = file.map_err(|e| {
            format!(
                "{name}: not a readable HDF5 file ({})",
                one_line(&e.to_string())
            )
        })?;
        let dataset = |key: &str| {
            file.dataset(key).map_err(|e| {
                let why = one_line(&e.to_string());
                if why.contains("not found") {
                    format!("{name}: missing HDF5 dataset {key}")
                } else {
                    format!("{name}: cannot read HDF5 dataset {key} ({why})")
                }
            })
        };
        let length = |key: &str, d: &Dataset| match d.shape() {
            [n] => usize::try_from(*n).map_err(|_| format!("{name}: {key} is too long")),
            other => Err(format!(
                "{name}: {key} has shape {other:?}, expected one dimension"
            )),
        };
        let column = |key: &str, want_float: bool| -> Result<VlenColumn, String> {
            let d = dataset(key)?;
            let len = length(key, &d)?;
            let what = if want_float { "float" } else { "integer" };
            let num = match d.dtype() {
                Datatype::VarLen {
                    base,
                    kind: VarLenKind::Sequence,
                    ..
                } => Num::of(base),
                _ => None,
            }
            .filter(|n| matches!(n, Num::Float { .. }) == want_float)
            .ok_or_else(|| {
                format!(
                    "{name}: {key} must hold variable-length {what} arrays, found {:?}",
                    d.dtype()
                )
            })?;
            let refs = d
                .read_raw_bytes()
                .map_err(|e| format!("{name}: cannot read {key} ({})", one_line(&e.to_string())))?;
            let ref_size = d.vlen_reference_size();
            if Some(refs.len()) != len.checked_mul(ref_size) {
                return Err(format!(
                    "{name}: {key} holds {} bytes of references for {len} samples",
                    refs.len()
                ));
            }
            Ok(VlenColumn {
                dataset: d,
                refs,
                ref_size,
                num,
                len,
            })
        };
        let times = column("spikes/times", true)?;
        let units = column("spikes/units", false)?;

        let label_set = dataset("labels")?;
        let n_labels = length("labels", &label_set)?;
        let label_num = Num::of(label_set.dtype())
            .filter(|n| matches!(n, Num::Int { .. }))
            .ok_or_else(|| {
                format!(
                    "{name}: labels must be integers, found {:?}",
                    label_set.dtype()
                )
            })?;
        let label_bytes = label_set
            .read_raw_bytes()
            .map_err(|e| format!("{name}: cannot read labels ({})", one_line(&e.to_string())))?;
        if Some(label_bytes.len()) != n_labels.checked_mul(label_num.size()) {
            return Err(format!(
                "{name}: labels hold {} bytes for {n_labels} labels",
                label_bytes.len()
            ));
        }
        let labels = label_num.decode_all(&label_bytes);

        if times.len != units.len || times.len != n_labels {
            return Err(format!(
                "{name}: spikes/times has {} samples, spikes/units {}, labels {}: they must match",
                times.len, units.len, n_labels
            ));
        }

        // Class names are optional; a malformed `extra/keys` is still an error.
        let keys = match file.dataset("extra/keys") {
            Ok(d) => Some(d.read_strings().map_err(|e| {
                format!(
                    "{name}: cannot read extra/keys ({})",
                    one_line(&e.to_string())
                )
            })?),
            Err(_) => None,
        };
        Ok(Self {
            name: name.to_string(),
            _file: file,
            times,
            units,
            labels,
            keys,
        })
    }

    /// The file as named in messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Class names from `extra/keys`, when the file has them.
    pub fn keys(&self) -> Option<&[String]> {
        self.keys.as_deref()
    }

    /// Number of classes: one per key, or SHD's 20 without keys.
    pub fn classes(&self) -> usize {
        match &self.keys {
            Some(k) if !k.is_empty() => k.len(),
            _ => DEFAULT_CLASSES,
        }
    }

    /// Sample i's label, checked to be a class index.
    pub fn label(&self, i: usize, classes: usize) -> Result<usize, String> {
        let l = self.labels[i];
        if l < 0.0 || l >= classes as f64 || l.fract() != 0.0 {
            return Err(format!(
                "{}: label {l} of sample {i} is out of range (0–{})",
                self.name,
                classes.saturating_sub(1)
            ));
        }
        Ok(l as usize)
    }

    fn read_vlen(&self, col: &VlenColumn, key: &str, i: usize) -> Result<Vec<f64>, String> {
        let r = &col.refs[i * col.ref_size..(i + 1) * col.ref_size];
        let bytes = std::panic::catch_unwind(AssertUnwindSafe(|| {
            col.dataset.resolve_vlen_reference_bytes(r, col.num.size())
        }))
        .unwrap_or_else(|_| {
            Err(hdf5_reader::error::Error::InvalidData(
                "reader panicked".into(),
            ))
        })
        .map_err(|e| {
            format!(
                "{}: cannot read {key} of sample {i} ({})",
                self.name,
                one_line(&e.to_string())
            )
        })?;
        Ok(col.num.decode_all(&bytes))
    }

    /// Sample i's spikes as stored: times in seconds and unit indices, unchecked.
    pub fn raw_sample(&self, i: usize) -> Result<(Vec<f64>, Vec<f64>), String> {
        Ok((
            self.read_vlen(&self.times, "spikes/times", i)?,
            self.read_vlen(&self.units, "spikes/units", i)?,
        ))
    }

    /// Sample i's spikes, checked: as many times as units, times finite and ≥ 0, units whole
    /// numbers below `inputs`.
    pub fn sample(&self, i: usize, inputs: usize) -> Result<Vec<(f64, u32)>, String> {
        let (times, units) = self.raw_sample(i)?;
        if times.len() != units.len() {
            return Err(format!(
                "{}: sample {i} has {} spike times but {} units",
                self.name,
                times.len(),
                units.len()
            ));
        }
        times
            .into_iter()
            .zip(units)
            .map(|(t, u)| {
                if t.is_nan() {
                    Err(format!("{}: sample {i} has a NaN spike time", self.name))
                } else if t < 0.0 || t.is_infinite() {
                    Err(format!(
                        "{}: sample {i} has spike time {t} s: times must be finite and ≥ 0",
                        self.name
                    ))
                } else if u < 0.0 || u >= inputs as f64 {
                    Err(format!(
                        "{}: sample {i} has unit {u}, not below the {inputs} input channels",
                        self.name
                    ))
                } else if u.fract() != 0.0 {
                    Err(format!(
                        "{}: sample {i} has unit {u}: units are whole channel numbers",
                        self.name
                    ))
                } else {
                    Ok((t, u as u32))
                }
            })
            .collect()
    }
}

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
) -> Result<SpikeDataset, String> {
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
            .map_err(|e| format!("{}: sample {i}: {e}", file.name()))?;
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
) -> Result<DataSplits, String> {
    let train_file = ShdFile::open(train)?;
    let classes = train_file.classes();
    let train_set = bin_file(&train_file, cfg, steps, classes)?;
    drop(train_file);
    let test_file = ShdFile::open(test)?;
    if test_file.keys().is_some() && test_file.classes() != classes {
        // Different class lists: labels would not mean the same thing.
        return Err(format!(
            "{}: {} classes in extra/keys, the training file has {classes}",
            test_file.name(),
            test_file.classes()
        ));
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
    fn numbers_decode_in_every_width_and_order() {
        let f16 = Num::Float {
            size: 2,
            big: false,
        };
        assert_eq!(f16.decode(&half::f16::from_f32(0.25).to_le_bytes()), 0.25);
        let f32be = Num::Float { size: 4, big: true };
        assert_eq!(f32be.decode(&1.5f32.to_be_bytes()), 1.5);
        let i16le = Num::Int {
            size: 2,
            signed: true,
            big: false,
        };
        assert_eq!(i16le.decode(&(-3i16).to_le_bytes()), -3.0);
        let u32be = Num::Int {
            size: 4,
            signed: false,
            big: true,
        };
        assert_eq!(u32be.decode(&699u32.to_be_bytes()), 699.0);
        let i8 = Num::Int {
            size: 1,
            signed: true,
            big: false,
        };
        assert_eq!(i8.decode(&[0xff]), -1.0);
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
