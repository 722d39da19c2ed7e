//! The recommended experiment for each data set.

use std::path::Path;

use super::Config;
use crate::data::config::DataKind;
use crate::snn::init::InitKind;
use crate::snn::model::PerLayer;

/// The recommended configuration for each data set: the data set's own settings plus the
/// model and optimizer that train it well (the defaults are Randman's).
///
/// - MNIST (bundled or IDX): 784 → 128 → 10, latency code τ = 20 steps, θ = 0.2, init
///   N(0, (3/√fan_in)²), Adam 2·10⁻³, batch 128 (ARCHITECTURE.md §5; here 88 % after 7 epochs, 90 %
///   after 11, 91 % after 20 on the bundled 5k digits).
/// - SHD: 700 → 128 recurrent → 20, 100 bins over 1.4 s, init gain 3, Adam 2·10⁻³, batch 32
///   (the tiny SHD-format files: > 50 % test accuracy after 4 epochs, ≈ 80 % after 10; for the
///   full SHD files a batch of 256 is the usual choice).
///
/// `path` fills `data.path` for the kinds read from disk.
pub fn preset(kind: DataKind, path: Option<&Path>) -> Config {
    let mut c = Config::default();
    c.data.kind = kind;
    if let Some(p) = path {
        c.data.path = p.display().to_string();
    }
    match kind {
        DataKind::Randman => {}
        DataKind::Mnist5k | DataKind::Idx => {
            c.model.hidden = vec![128];
            c.model.init = InitKind::Normal { gain: 3.0 };
            c.optim.lr = 2e-3;
            c.optim.batch_size = 128;
            c.optim.epochs = 15;
        }
        DataKind::Shd => {
            c.model.hidden = vec![128];
            c.model.recurrent = PerLayer::All(true);
            c.model.init = InitKind::Normal { gain: 3.0 };
            c.optim.lr = 2e-3;
            c.optim.batch_size = 32;
            c.optim.epochs = 20;
        }
    }
    c
}
