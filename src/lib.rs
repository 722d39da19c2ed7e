//! surrogate-lab: train spiking neural networks with surrogate gradients and watch what the
//! surrogate does (after Zenke & Vogels 2021).
//!
//! Layers, each importing only those before it: `snn` (model) and `data` (spike data sets),
//! each with its settings; `train` (trainer, its settings and its thread); `config` (the whole
//! experiment, its files and key paths); `io` (weight files); `nir` (NIR graphs in and out);
//! `sweep` (grids of runs, headless); `untrusted` (every reader of user-supplied bytes, as
//! fuzzing feeds them); `cli` (command line); `app` (the window). Below them all: `atomic`, `backend`,
//! `bounds`, `memory`, `rng`. The window talks to `train` through channels only;
//! `tests/architecture.rs` keeps the layers so.

pub mod app;
pub mod atomic;
pub mod backend;
pub mod bounds;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod clock;
pub mod config;
pub mod data;
pub mod io;
pub mod memory;
pub mod nir;
pub mod rng;
pub mod snn;
pub mod sweep;
pub mod train;
pub mod untrusted;
pub mod vfs;
#[cfg(target_arch = "wasm32")]
pub mod web;
