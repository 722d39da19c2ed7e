//! The settings the trainer takes between batches, without a reset: the surrogate, the
//! activity regularizers and the learning rate. They travel as one value over the session's
//! channel and are set with one call.

use super::optim::check_learning_rate;
use crate::bounds::OutOfBounds;
use crate::snn::regularizer::RegConfig;
use crate::snn::surrogate::SurrogateConfig;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LiveSettings {
    pub surrogate: SurrogateConfig,
    pub reg: RegConfig,
    pub lr: f64,
}

impl LiveSettings {
    pub fn validate(&self) -> Result<(), OutOfBounds> {
        self.surrogate.validate()?;
        self.reg.validate()?;
        check_learning_rate(self.lr)
    }

    /// These settings with each part of `wanted` that differs and is valid taken over; a part
    /// that is not valid keeps the value in force. Only the parts that differ are checked.
    pub fn adopt(&self, wanted: &LiveSettings) -> LiveSettings {
        let mut out = *self;
        if wanted.surrogate != self.surrogate && wanted.surrogate.validate().is_ok() {
            out.surrogate = wanted.surrogate;
        }
        if wanted.reg != self.reg && wanted.reg.validate().is_ok() {
            out.reg = wanted.reg;
        }
        if wanted.lr != self.lr && check_learning_rate(wanted.lr).is_ok() {
            out.lr = wanted.lr;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> LiveSettings {
        LiveSettings {
            surrogate: SurrogateConfig::default(),
            reg: RegConfig::default(),
            lr: 0.02,
        }
    }

    #[test]
    fn adopt_takes_valid_parts_and_keeps_the_rest() {
        let applied = defaults();
        let mut wanted = applied;
        wanted.surrogate.beta = 3.0;
        wanted.reg.upper.lambda = -1.0;
        wanted.lr = f64::NAN;
        let got = applied.adopt(&wanted);
        assert_eq!(got.surrogate.beta, 3.0);
        assert_eq!(got.reg, applied.reg);
        assert_eq!(got.lr, applied.lr);
        assert!(got.validate().is_ok());
        assert!(wanted.validate().is_err());
    }
}
