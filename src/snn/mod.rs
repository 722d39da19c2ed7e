//! The spiking model: surrogate derivatives and the spike op, LIF dynamics, the network,
//! loss, regularizers and initialization. Knows nothing of the window.

pub mod fused;
pub mod host;
pub mod init;
pub mod lif;
pub mod loss;
pub mod network;
pub mod regularizer;
pub mod sparse_input;
pub mod spike_op;
pub mod surrogate;
