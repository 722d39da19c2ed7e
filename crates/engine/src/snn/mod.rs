//! The spiking model: surrogate derivatives and the spike op, LIF dynamics, the network,
//! loss, regularizers and initialization, each beside its settings. Knows nothing of the
//! window or of files.

pub mod dynamics;
pub mod fused;
#[cfg(feature = "wgpu")]
pub mod gpu;
pub mod host;
pub mod init;
pub mod lif;
pub mod loss;
pub mod model;
pub mod network;
pub mod regularizer;
pub mod sparse_input;
pub mod spike_op;
pub mod surrogate;
