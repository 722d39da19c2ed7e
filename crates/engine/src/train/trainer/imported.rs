//! A network read from a file (a NIR graph) in place of the seed's: its weights train, its
//! per-neuron constants, biases and update conventions stay those of the file.
//!
//! Biases are kept fixed. They enter the engine as constants of each layer's drive
//! (`snn::dynamics::NetworkDynamics`), not as trainable matrices of `Weights`; training them
//! would change the weight-file layout and the optimizer's parameter list that every export
//! and the window rely on. An imported bias is therefore carried unchanged through training,
//! evaluation, snapshots and export.

use super::Trainer;
use crate::snn::dynamics::{Discretisation, NetworkDynamics};
use crate::snn::lif::Dynamics;
use crate::snn::model::ModelConfig;
use crate::snn::network::Weights;
use crate::train::config::TrainingConfig;
use crate::train::optim::Optimizer;

/// The imported network's dynamics, else the paper's for `weights`' widths in `config`'s
/// conventions: what the trainer runs, and what an export of it writes.
fn dynamics_of(
    imported: Option<&ImportedNetwork>,
    config: &TrainingConfig,
    weights: &Weights,
) -> NetworkDynamics {
    match imported {
        Some(n) => n.dynamics.clone(),
        None => NetworkDynamics::paper(
            &Dynamics::new(&config.model),
            &weights.widths(),
            weights.outputs(),
        ),
    }
}

/// What the trainer holds of its network, for an export: the weights as trained, the
/// settings, and the network read from a file when one runs instead of the settings' one.
#[derive(Clone, Debug)]
pub struct HeldNetwork {
    pub weights: Weights,
    pub config: TrainingConfig,
    pub imported: Option<ImportedNetwork>,
}

impl HeldNetwork {
    /// A network built from `config`.
    pub fn built(weights: Weights, config: TrainingConfig) -> Self {
        Self {
            weights,
            config,
            imported: None,
        }
    }

    /// The dynamics the network runs (the trainer's [`Trainer::network_dynamics`]).
    pub fn dynamics(&self) -> NetworkDynamics {
        dynamics_of(self.imported.as_ref(), &self.config, &self.weights)
    }

    /// The model as it runs: the settings', with an imported network's layer count and update
    /// conventions (what an export's notes about a library's differences are computed from).
    pub fn model(&self) -> ModelConfig {
        let mut model = self.config.model.clone();
        if let Some(n) = &self.imported {
            let first = n.dynamics.hidden.first().unwrap_or(&n.dynamics.readout);
            model.hidden = n.dynamics.hidden.iter().map(|l| l.width()).collect();
            model.current = first.current;
            model.reset_timing = first.reset_timing;
            model.reset = first.reset;
            model.reset_detached = first.reset_detached;
        }
        model
    }
}

/// Everything the trainer needs to run a network it did not build.
#[derive(Clone, Debug)]
pub struct ImportedNetwork {
    pub weights: Weights,
    pub dynamics: NetworkDynamics,
    /// The time step the file's constants were discretised with (rates are per second), as
    /// the file or the user gave it (an export writes it back unrounded).
    pub dt_ms: f64,
    /// How the file's τ's became the per-step decays (and how an export writes them back).
    pub discretisation: Discretisation,
    /// What was mapped, in one line (`12 → 38 recurrent CubaLIF → 7 CubaLIF, Δt 0.1 ms`).
    pub summary: String,
}

impl ImportedNetwork {
    /// Why this network cannot run on data of `inputs` units and `classes` classes.
    pub fn mismatch(&self, inputs: usize, classes: usize, dataset: &str) -> Option<String> {
        let (n_in, n_out) = (self.weights.inputs(), self.weights.outputs());
        if n_in != inputs {
            Some(format!(
                "the network takes {n_in} inputs, the data set {dataset} has {inputs}"
            ))
        } else if n_out != classes {
            Some(format!(
                "the network has {n_out} outputs, the data set {dataset} has {classes} classes"
            ))
        } else {
            None
        }
    }
}

impl Trainer {
    /// Replaces the network by `network` (weights, dynamics, Δt), restarting the optimizer;
    /// refused, with the trainer unchanged, unless it fits the data set.
    pub fn import(&mut self, network: ImportedNetwork) -> Result<(), String> {
        let train = &self.data.train;
        if let Some(why) = network.mismatch(train.inputs, train.classes, &self.data.name) {
            return Err(why);
        }
        self.weights = network
            .weights
            .map(|_, w| w.clone().to_device(&self.device));
        self.optimizer = Optimizer::new(self.config.optim.kind, self.config.optim.adam_betas);
        self.imported = Some(network);
        Ok(())
    }

    /// The imported network in use, if any (its weights as imported, not as trained).
    pub fn imported(&self) -> Option<&ImportedNetwork> {
        self.imported.as_ref()
    }

    /// The dynamics every forward pass runs: the imported network's, else the paper's.
    pub fn network_dynamics(&self) -> NetworkDynamics {
        dynamics_of(self.imported.as_ref(), &self.config, &self.weights)
    }

    /// What an export writes: the weights as trained, the settings, the imported network.
    pub fn held(&self) -> HeldNetwork {
        HeldNetwork {
            weights: self.weights.clone(),
            config: self.config.clone(),
            imported: self.imported.clone(),
        }
    }

    /// The time step in milliseconds.
    pub fn dt_ms(&self) -> f32 {
        self.imported
            .as_ref()
            .map_or(self.config.model.dt_ms as f32, |n| n.dt_ms as f32)
    }
}
