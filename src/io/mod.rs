//! Files: experiment configuration, trained weights (safetensors, NIR), atomic writes.

pub mod atomic;
pub mod config;
pub mod safetensors;
pub mod weights;
