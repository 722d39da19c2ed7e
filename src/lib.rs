//! surrogate-lab: train spiking neural networks with surrogate gradients and watch what the
//! surrogate does (after Zenke & Vogels 2021).
//!
//! Layers: `snn` (model), `data` (spike data sets), `train` (trainer and its thread),
//! `io` (files), `sweep` (grids of runs, headless), `cli` (command line), `app` (the window),
//! `untrusted` (every reader of user-supplied bytes, for fuzzing). The window talks to `train`
//! through channels only.

pub mod app;
pub mod backend;
pub mod cli;
pub mod data;
pub mod io;
pub mod memory;
pub mod rng;
pub mod snn;
pub mod sweep;
pub mod train;
pub mod untrusted;
