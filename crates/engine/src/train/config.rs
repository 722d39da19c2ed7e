//! What a trainer is built from: the seed, the backend, the data set, the network, its
//! surrogate and regularizers, and the optimizer (in the manner of burn's `TrainingConfig`).

use super::live::LiveSettings;
use super::optim::OptimConfig;
use crate::backend::{self, BackendError};
use crate::bounds::OutOfBounds;
use crate::data::config::{DataConfig, SettingsError as DataSettingsError};
use crate::snn::model::{ModelConfig, ModelError};
use crate::snn::regularizer::RegConfig;
use crate::snn::surrogate::SurrogateConfig;

#[derive(Clone, Debug, PartialEq)]
pub struct TrainingConfig {
    /// Seeds weight initialization and batch order (the data set has its own seed).
    pub seed: u64,
    /// `flex` (default CPU), `ndarray` or `wgpu`, among those compiled in.
    pub backend: String,
    pub data: DataConfig,
    pub model: ModelConfig,
    pub surrogate: SurrogateConfig,
    pub reg: RegConfig,
    pub optim: OptimConfig,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            backend: "flex".into(),
            data: DataConfig::default(),
            model: ModelConfig::default(),
            surrogate: SurrogateConfig::default(),
            reg: RegConfig::default(),
            optim: OptimConfig::default(),
        }
    }
}

/// Settings no trainer can be built from; the message names the key.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SettingsError {
    #[error("backend: {0}")]
    Backend(#[from] BackendError),
    #[error(transparent)]
    Data(#[from] DataSettingsError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Value(#[from] OutOfBounds),
}

impl SettingsError {
    /// The TOML path of the refused setting.
    pub fn key(&self) -> &str {
        match self {
            SettingsError::Backend(_) => "backend",
            SettingsError::Data(e) => e.key(),
            SettingsError::Model(e) => e.key(),
            SettingsError::Value(e) => e.key(),
        }
    }
}

impl TrainingConfig {
    /// Checks every value a user can set, in the order of the experiment file; the first
    /// problem found is returned.
    pub fn validate(&self) -> Result<(), SettingsError> {
        backend::check_backend_name(&self.backend)?;
        crate::bounds::check_seed("seed", self.seed)?;
        self.data.validate()?;
        self.model.validate()?;
        self.surrogate.validate()?;
        self.reg.validate()?;
        self.optim.validate()?;
        Ok(())
    }

    pub fn live(&self) -> LiveSettings {
        LiveSettings {
            surrogate: self.surrogate,
            reg: self.reg,
            lr: self.optim.lr,
        }
    }

    pub fn set_live(&mut self, live: LiveSettings) {
        self.surrogate = live.surrogate;
        self.reg = live.reg;
        self.optim.lr = live.lr;
    }
}
