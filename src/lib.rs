//! surrogate-lab: train spiking neural networks with surrogate gradients and watch what the
//! surrogate does (after Zenke & Vogels 2021).
//!
//! Layers: `snn` (model), `data` (spike data sets), `train` (trainer and its thread),
//! `io` (files), `nir` (NIR graphs in and out), `sweep` (grids of runs, headless), `cli` (command line), `app` (the window). The window talks to `train` through
//! channels only.

pub mod app;
pub mod backend;
pub mod cli;
pub mod data;
pub mod io;
pub mod memory;
pub mod nir;
pub mod rng;
pub mod snn;
pub mod sweep;
pub mod train;
