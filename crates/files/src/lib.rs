//! The files and studies of surrogate-lab, above its engine: `config` (the whole experiment,
//! lessons, their TOML files and key paths), `io` (weight files), `nir` (NIR graphs in and
//! out), `sweep` (grids of runs, headless, their CSVs and figures), and `untrusted` (every
//! reader of user-supplied bytes, as fuzzing feeds them).
//!
//! The engine's modules are re-exported under their own names, so that a path reads the same
//! in every crate of the workspace (`crate::snn::…`).

pub use surrogate_engine::{atomic, backend, bounds, clock, data, memory, rng, snn, train, vfs};

pub mod config;
pub mod io;
pub mod nir;
pub mod sweep;
pub mod untrusted;
