//! Weight files: safetensors (PyTorch orientation) and NIR, with the experiment that trained
//! them in their metadata.

pub mod error;
pub mod safetensors;
pub mod weights;
