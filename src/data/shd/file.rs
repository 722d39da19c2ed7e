//! An SHD-layout HDF5 file, checked on opening and read sample by sample.

use std::panic::AssertUnwindSafe;
use std::path::Path;

use hdf5_reader::{Dataset, Datatype, Hdf5File, VarLenKind};

use super::DEFAULT_CLASSES;
use super::num::Num;

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
