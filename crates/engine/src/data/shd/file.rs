//! An SHD-layout HDF5 file, checked on opening and read sample by sample.

use std::panic::AssertUnwindSafe;
use std::path::Path;

use hdf5_reader::{Dataset, Datatype, Hdf5File, VarLenKind};

use super::DEFAULT_CLASSES;
use super::num::Num;
use crate::data::error::{ShdError, ShdProblem};

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

fn fail(file: &str, problem: ShdProblem) -> ShdError {
    ShdError {
        file: file.into(),
        problem,
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl ShdFile {
    /// Opens `path` and checks the layout: the three datasets exist, are one-dimensional, of
    /// the right types and of one length.
    pub fn open(path: &Path) -> Result<Self, ShdError> {
        let name = path.display().to_string();
        // hdf5-reader is defensive, but a crafted file reaching a panic in it must still be a
        // one-line error here, not a crash of the program.
        std::panic::catch_unwind(AssertUnwindSafe(|| Self::open_inner(path, &name)))
            .unwrap_or_else(|_| Err(fail(&name, ShdProblem::Malformed)))
    }

    /// The same from a file's bytes already in memory (`name` is how messages call it).
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Self, ShdError> {
        std::panic::catch_unwind(AssertUnwindSafe(|| {
            Self::check_layout(Hdf5File::from_vec(bytes), name)
        }))
        .unwrap_or_else(|_| Err(fail(name, ShdProblem::Malformed)))
    }

    fn open_inner(path: &Path, name: &str) -> Result<Self, ShdError> {
        if !crate::vfs::is_file(path) {
            return Err(fail(name, ShdProblem::NoSuchFile));
        }
        // The page holds the files it was handed in memory (`vfs`); natively the reader maps
        // the file itself.
        #[cfg(target_arch = "wasm32")]
        return match crate::vfs::read(path) {
            Ok(bytes) => Self::check_layout(Hdf5File::from_vec(bytes), name),
            Err(_) => Err(fail(name, ShdProblem::NoSuchFile)),
        };
        #[cfg(not(target_arch = "wasm32"))]
        Self::check_layout(Hdf5File::open(path), name)
    }

    fn check_layout(
        file: hdf5_reader::error::Result<Hdf5File>,
        name: &str,
    ) -> Result<Self, ShdError> {
        let file = file.map_err(|e| fail(name, ShdProblem::NotHdf5(one_line(&e.to_string()))))?;
        let dataset = |key: &'static str| {
            file.dataset(key).map_err(|e| {
                let why = one_line(&e.to_string());
                fail(
                    name,
                    if why.contains("not found") {
                        ShdProblem::MissingDataset(key)
                    } else {
                        ShdProblem::Dataset { key, why }
                    },
                )
            })
        };
        let length = |key: &'static str, d: &Dataset| match d.shape() {
            [n] => usize::try_from(*n).map_err(|_| fail(name, ShdProblem::TooLong(key))),
            other => Err(fail(
                name,
                ShdProblem::Shape {
                    key,
                    shape: other.to_vec(),
                },
            )),
        };
        let unreadable = |key: &'static str, e: hdf5_reader::error::Error| {
            fail(
                name,
                ShdProblem::Read {
                    key,
                    why: one_line(&e.to_string()),
                },
            )
        };
        let column = |key: &'static str, want_float: bool| -> Result<VlenColumn, ShdError> {
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
                fail(
                    name,
                    ShdProblem::NotVlen {
                        key,
                        what,
                        found: format!("{:?}", d.dtype()),
                    },
                )
            })?;
            let refs = d.read_raw_bytes().map_err(|e| unreadable(key, e))?;
            let ref_size = d.vlen_reference_size();
            if Some(refs.len()) != len.checked_mul(ref_size) {
                return Err(fail(
                    name,
                    ShdProblem::References {
                        key,
                        bytes: refs.len(),
                        len,
                    },
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
                fail(
                    name,
                    ShdProblem::LabelType(format!("{:?}", label_set.dtype())),
                )
            })?;
        let label_bytes = label_set
            .read_raw_bytes()
            .map_err(|e| unreadable("labels", e))?;
        if Some(label_bytes.len()) != n_labels.checked_mul(label_num.size()) {
            return Err(fail(
                name,
                ShdProblem::LabelBytes {
                    bytes: label_bytes.len(),
                    labels: n_labels,
                },
            ));
        }
        let labels = label_num.decode_all(&label_bytes);

        if times.len != units.len || times.len != n_labels {
            return Err(fail(
                name,
                ShdProblem::Lengths {
                    times: times.len,
                    units: units.len,
                    labels: n_labels,
                },
            ));
        }

        // Class names are optional; a malformed `extra/keys` is still an error.
        let keys = match file.dataset("extra/keys") {
            Ok(d) => Some(d.read_strings().map_err(|e| unreadable("extra/keys", e))?),
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
    pub fn label(&self, i: usize, classes: usize) -> Result<usize, ShdError> {
        let l = self.labels[i];
        if l < 0.0 || l >= classes as f64 || l.fract() != 0.0 {
            return Err(self.fail(ShdProblem::Label {
                label: l,
                sample: i,
                max: classes.saturating_sub(1),
            }));
        }
        Ok(l as usize)
    }

    /// `problem`, found in this file.
    pub fn fail(&self, problem: ShdProblem) -> ShdError {
        fail(&self.name, problem)
    }

    fn read_vlen(
        &self,
        col: &VlenColumn,
        key: &'static str,
        i: usize,
    ) -> Result<Vec<f64>, ShdError> {
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
            self.fail(ShdProblem::ReadSample {
                key,
                sample: i,
                why: one_line(&e.to_string()),
            })
        })?;
        Ok(col.num.decode_all(&bytes))
    }

    /// Sample i's spikes as stored: times in seconds and unit indices, unchecked.
    pub fn raw_sample(&self, i: usize) -> Result<(Vec<f64>, Vec<f64>), ShdError> {
        Ok((
            self.read_vlen(&self.times, "spikes/times", i)?,
            self.read_vlen(&self.units, "spikes/units", i)?,
        ))
    }

    /// Sample i's spikes, checked: as many times as units, times finite and ≥ 0, units whole
    /// numbers below `inputs`.
    pub fn sample(&self, i: usize, inputs: usize) -> Result<Vec<(f64, u32)>, ShdError> {
        let (times, units) = self.raw_sample(i)?;
        if times.len() != units.len() {
            return Err(self.fail(ShdProblem::Counts {
                sample: i,
                times: times.len(),
                units: units.len(),
            }));
        }
        times
            .into_iter()
            .zip(units)
            .map(|(t, u)| {
                if t.is_nan() {
                    Err(self.fail(ShdProblem::NanTime(i)))
                } else if t < 0.0 || t.is_infinite() {
                    Err(self.fail(ShdProblem::Time { sample: i, time: t }))
                } else if u < 0.0 || u >= inputs as f64 {
                    Err(self.fail(ShdProblem::UnitRange {
                        sample: i,
                        unit: u,
                        inputs,
                    }))
                } else if u.fract() != 0.0 {
                    Err(self.fail(ShdProblem::UnitFraction { sample: i, unit: u }))
                } else {
                    Ok((t, u as u32))
                }
            })
            .collect()
    }
}
