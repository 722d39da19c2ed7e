//! surrogate-lab: train spiking neural networks with surrogate gradients and watch what the
//! surrogate does (after Zenke & Vogels 2021). The application: `app` (the window, native and
//! in the page) and `cli` (the command line), above two crates of the workspace whose
//! boundaries the compiler keeps (ARCHITECTURE.md):
//!
//! - `surrogate-engine` (crates/engine): `snn`, `data`, `train` and what they stand on; no
//!   egui, eframe, rfd, winit or plotters;
//! - `surrogate-files` (crates/files): `config`, `io`, `nir`, `sweep`, `untrusted`.
//!
//! Their modules are re-exported here under their own names (`surrogate_lab::snn::…`). The
//! window talks to `train` through channels only; `tests/architecture.rs` keeps what the
//! crate graph cannot say.

pub use surrogate_engine::{atomic, backend, bounds, clock, data, memory, rng, snn, train, vfs};
pub use surrogate_files::{config, io, nir, sweep, untrusted};

pub mod app;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(target_arch = "wasm32")]
pub mod web;
