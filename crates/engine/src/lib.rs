//! The engine of surrogate-lab: spiking networks of leaky integrate-and-fire neurons, their
//! spike data sets, and their training with surrogate gradients (after Zenke & Vogels 2021),
//! on burn. It knows nothing of windows, dialogs or experiment files.
//!
//! Layers, each importing only those before it: `snn` (the model, its fused ops and their
//! settings) and `data` (spike data sets and their settings); `train` (the trainer, its
//! settings, and its thread behind channels). Below them: `atomic` and `vfs` (file writes and
//! the page's in-memory files), `backend`, `bounds`, `clock`, `memory`, `rng`.

pub mod atomic;
pub mod backend;
pub mod bounds;
pub mod clock;
pub mod data;
pub mod memory;
pub mod rng;
pub mod snn;
pub mod train;
pub mod vfs;
