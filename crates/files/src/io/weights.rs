//! Trained weights in files other tools open: safetensors (PyTorch, snnTorch) and NIR
//! (snnTorch, Norse, neuromorphic toolchains).
//!
//! Tensor names and orientation (PyTorch's `nn.Linear` convention, (out, in)):
//!
//! | name | shape | meaning |
//! | --- | --- | --- |
//! | `hidden.{l}.weight` | (width_l, inputs_l) | feed-forward weights of hidden layer l |
//! | `hidden.{l}.recurrent_weight` | (width_l, width_l) | recurrent weights, `[to, from]` |
//! | `readout.weight` | (outputs, width_last) | readout weights |
//!
//! The safetensors metadata holds `config` (the experiment as JSON), `format`, and, when
//! known, `epoch` and `test_acc`.

use std::collections::BTreeMap;
use std::path::Path;

use burn::tensor::{Device, Tensor, TensorData};

use super::error::WeightsError;
use super::safetensors::{NamedTensor, decode, encode};
use crate::atomic::write_atomic;
use crate::config::Config;
use crate::nir::export::{self, TimeBase, TrainedWith};
use crate::nir::flavour::Flavour;
use crate::snn::dynamics::Discretisation;
use crate::snn::network::{ParamRole, Weights, transposed};
use crate::train::config::TrainingConfig;
use crate::train::trainer::HeldNetwork;

pub const FORMAT: &str = "surrogate-lab weights v1";

/// Where a set of weights came from in training, stored beside them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrainingSummary {
    pub epoch: Option<usize>,
    pub test_acc: Option<f32>,
}

/// What a weight file held.
#[derive(Clone, Debug)]
pub struct WeightFile {
    /// Tensors by name, already in our [in, out] orientation.
    pub tensors: BTreeMap<String, (Vec<usize>, Vec<f32>)>,
    pub config: Option<Config>,
    pub summary: TrainingSummary,
}

fn host(t: &Tensor<2>) -> (Vec<usize>, Vec<f32>) {
    (
        t.dims().to_vec(),
        t.clone().into_data().iter::<f32>().collect(),
    )
}

/// Each weight matrix in PyTorch orientation (out, in), with its file name.
fn torch_tensors(weights: &Weights) -> Vec<NamedTensor> {
    weights
        .params()
        .into_iter()
        .map(|(role, t)| {
            let (shape, data) = host(t);
            let (rows, cols) = (shape[0], shape[1]);
            // Ours is [in, out] (x·W); recurrent V is [from, to]: both transpose to (out, in).
            NamedTensor {
                name: role.name(),
                shape: vec![cols, rows],
                data: transposed(rows, cols, &data),
            }
        })
        .collect()
}

pub fn encode_safetensors(
    weights: &Weights,
    config: &TrainingConfig,
    summary: &TrainingSummary,
) -> Vec<u8> {
    let mut meta = BTreeMap::new();
    meta.insert("format".to_string(), FORMAT.to_string());
    meta.insert(
        "config".to_string(),
        serde_json::to_string(&Config::from(config.clone())).unwrap_or_default(),
    );
    if let Some(e) = summary.epoch {
        meta.insert("epoch".into(), e.to_string());
    }
    if let Some(a) = summary.test_acc {
        meta.insert("test_acc".into(), a.to_string());
    }
    encode(&torch_tensors(weights), &meta)
}

/// Writes weights as safetensors, atomically.
pub fn save_safetensors(
    path: &Path,
    weights: &Weights,
    config: &TrainingConfig,
    summary: &TrainingSummary,
) -> Result<(), WeightsError> {
    Ok(write_atomic(
        path,
        &encode_safetensors(weights, config, summary),
    )?)
}

/// Reads a safetensors file written by us or by PyTorch (`safetensors.torch.save_file`) with
/// our tensor names. The config in its metadata is returned when present and valid.
pub fn load_safetensors(path: &Path) -> Result<WeightFile, WeightsError> {
    let bytes = std::fs::read(path).map_err(|source| WeightsError::Read {
        path: path.display().to_string(),
        source,
    })?;
    decode_weight_file(&bytes).map_err(|e| e.in_file(path))
}

pub fn decode_weight_file(bytes: &[u8]) -> Result<WeightFile, WeightsError> {
    let (tensors, meta) = decode(bytes)?;
    let mut by_name = BTreeMap::new();
    for t in tensors {
        if t.shape.len() != 2 {
            return Err(WeightsError::NotMatrix {
                name: t.name,
                shape: t.shape,
            });
        }
        let (out, inp) = (t.shape[0], t.shape[1]);
        // A NaN or ∞ loaded into the network would train on silently (or stop at the first
        // batch with nothing to say why): refused here, where the file can be named.
        if let Some(at) = t.data.iter().position(|x| !x.is_finite()) {
            return Err(WeightsError::NonFinite {
                name: t.name,
                row: at / inp.max(1),
                col: at % inp.max(1),
                value: t.data[at],
            });
        }
        by_name.insert(t.name, (vec![inp, out], transposed(out, inp, &t.data)));
    }
    let config = match meta.get("config") {
        Some(json) => {
            let config = serde_json::from_str::<Config>(json)
                .map_err(|e| WeightsError::Metadata(e.to_string()))?;
            config
                .validate()
                .map_err(|e| WeightsError::Metadata(e.to_string()))?;
            Some(config)
        }
        None => None,
    };
    let summary = TrainingSummary {
        epoch: meta.get("epoch").and_then(|s| s.parse().ok()),
        test_acc: meta.get("test_acc").and_then(|s| s.parse().ok()),
    };
    Ok(WeightFile {
        tensors: by_name,
        config,
        summary,
    })
}

/// Builds weights shaped like `template` from a file's tensors; refuses a missing tensor or
/// one whose shape differs, naming both shapes (in the file's (out, in) orientation).
pub fn weights_like(
    template: &Weights,
    file: &WeightFile,
    device: &Device,
) -> Result<Weights, WeightsError> {
    let mut error = None;
    let weights = template.map(|role, t| {
        let expected = t.dims();
        let torch = |s: &[usize]| format!("({}, {})", s[1], s[0]);
        match file.tensors.get(&role.name()) {
            Some((shape, data)) if shape.as_slice() == expected => {
                Tensor::from_data(TensorData::new(data.clone(), [shape[0], shape[1]]), device)
            }
            Some((shape, _)) => {
                error.get_or_insert(WeightsError::Shape {
                    name: role.name(),
                    found: torch(shape),
                    needed: torch(&expected),
                });
                t.clone()
            }
            None => {
                error.get_or_insert(WeightsError::Missing(role.name()));
                t.clone()
            }
        }
    });
    let expected: Vec<String> = template.params().iter().map(|(r, _)| r.name()).collect();
    if let Some(extra) = file.tensors.keys().find(|k| !expected.contains(k)) {
        error.get_or_insert(WeightsError::Extra(extra.clone()));
    }
    match error {
        Some(e) => Err(e),
        None => Ok(weights),
    }
}

/// Weights built from a file's tensors alone (names as documented above), for a caller that
/// has no network at hand to compare with: the hidden layers `hidden.0…`, their optional
/// recurrent matrices, and the readout; consecutive shapes must chain.
pub fn weights_from_file(file: &WeightFile, device: &Device) -> Result<Weights, WeightsError> {
    let matrix = |name: &str| {
        file.tensors.get(name).map(|(shape, data)| {
            Tensor::<2>::from_data(TensorData::new(data.clone(), [shape[0], shape[1]]), device)
        })
    };
    let mut hidden = Vec::new();
    let mut recurrent = Vec::new();
    while let Some(w) = matrix(&ParamRole::FeedForward(hidden.len()).name()) {
        recurrent.push(matrix(&ParamRole::Recurrent(hidden.len()).name()));
        hidden.push(w);
    }
    if hidden.is_empty() {
        return Err(WeightsError::Missing(ParamRole::FeedForward(0).name()));
    }
    let readout = matrix(&ParamRole::Readout.name())
        .ok_or_else(|| WeightsError::Missing(ParamRole::Readout.name()))?;
    let weights = Weights {
        hidden,
        recurrent,
        readout,
    };
    // Each matrix's input size must be the previous one's output size.
    let mut fan_in = weights.inputs();
    for (role, t) in weights.params() {
        let [rows, cols] = t.dims();
        let expected = if matches!(role, ParamRole::Recurrent(_)) {
            cols
        } else {
            fan_in
        };
        if rows != expected {
            return Err(WeightsError::Chain {
                name: role.name(),
                rows,
                cols,
                expected,
            });
        }
        if !matches!(role, ParamRole::Recurrent(_)) {
            fan_in = cols;
        }
    }
    Ok(weights)
}

/// The NIR graph of a network built from `config` (the generic flavour), as an HDF5 file in
/// the layout `nir.read` expects: Input → Affine → CubaLIF (→ Affine back to itself when
/// recurrent) → … → Affine → CubaLI → Output.
pub fn encode_nir(weights: &Weights, config: &TrainingConfig) -> Result<Vec<u8>, WeightsError> {
    encode_nir_flavour(weights, config, Flavour::Generic)
}

/// The NIR graph of a network built from `config` in `flavour` (`nir::flavour`: generic, or
/// shaped for snnTorch's or Norse's importer).
pub fn encode_nir_flavour(
    weights: &Weights,
    config: &TrainingConfig,
    flavour: Flavour,
) -> Result<Vec<u8>, WeightsError> {
    encode_held(
        &HeldNetwork::built(weights.clone(), config.clone()),
        flavour,
    )
}

/// What the trainer holds as NIR in `flavour`: the imported network with its own neurons,
/// biases, Δt and discretisation, else the settings' network (its τ's for forward Euler, as
/// the libraries read them).
fn encode_held(held: &HeldNetwork, flavour: Flavour) -> Result<Vec<u8>, WeightsError> {
    let config = &held.config;
    let time = match &held.imported {
        Some(n) => TimeBase {
            dt_s: n.dt_ms / 1000.0,
            discretisation: n.discretisation,
        },
        None => TimeBase {
            dt_s: config.model.dt_ms / 1000.0,
            discretisation: Discretisation::Euler,
        },
    };
    let dynamics = held.dynamics();
    let trained = TrainedWith {
        surrogate: &config.surrogate,
        loss: config.model.loss,
    };
    export::encode(&held.weights, &dynamics, time, flavour, Some(trained))
        .map_err(WeightsError::Nir)
}

pub fn save_nir(
    path: &Path,
    weights: &Weights,
    config: &TrainingConfig,
) -> Result<(), WeightsError> {
    save_nir_flavour(path, weights, config, Flavour::Generic)
}

pub fn save_nir_flavour(
    path: &Path,
    weights: &Weights,
    config: &TrainingConfig,
    flavour: Flavour,
) -> Result<(), WeightsError> {
    save_held_nir(
        path,
        &HeldNetwork::built(weights.clone(), config.clone()),
        flavour,
    )
}

/// Writes what the trainer holds as NIR in `flavour`, whatever the file's extension.
pub fn save_held_nir(
    path: &Path,
    held: &HeldNetwork,
    flavour: Flavour,
) -> Result<(), WeightsError> {
    let bytes = encode_held(held, flavour).map_err(|e| e.in_file(path))?;
    Ok(write_atomic(path, &bytes)?)
}

/// The extensions of a NIR file (HDF5), for the export rule and the dialogs' filters.
pub const NIR_EXTENSIONS: [&str; 3] = ["nir", "h5", "hdf5"];

/// The file formats an export writes, named by the file's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.nir`, `.h5`, `.hdf5`: a NIR graph (HDF5).
    Nir,
    /// Anything else: safetensors, the weights and the experiment in its metadata.
    Safetensors,
}

impl Format {
    /// The one extension rule, for the window's export, the command line and the readers.
    pub fn of(path: &Path) -> Format {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if NIR_EXTENSIONS.contains(&ext.as_str()) {
            Format::Nir
        } else {
            Format::Safetensors
        }
    }
}

/// Writes what the trainer holds in the format `path`'s extension names (NIR in `flavour`);
/// the answer is the line to show. Safetensors hold the weights and the settings only: for an
/// imported network the line says that its neurons go with a NIR export.
pub fn export(
    path: &Path,
    held: &HeldNetwork,
    summary: &TrainingSummary,
    flavour: Flavour,
) -> Result<String, WeightsError> {
    match Format::of(path) {
        Format::Nir => {
            save_held_nir(path, held, flavour)?;
            let what = if held.imported.is_some() {
                "the imported network"
            } else {
                "the network"
            };
            Ok(format!(
                "exported {what} to {} (NIR, {flavour})",
                path.display()
            ))
        }
        Format::Safetensors => {
            save_safetensors(path, &held.weights, &held.config, summary)?;
            Ok(match held.imported {
                Some(_) => format!(
                    "exported the weights to {} (the imported neurons, biases and conventions \
                     go with a .nir export)",
                    path.display()
                ),
                None => format!("exported weights to {}", path.display()),
            })
        }
    }
}
