//! The lab's files and studies: configurations, data formats, weights, NIR in and out, sweeps,
//! disk failures and the fuzz corpus. One test binary; none of these opens the window.

#[path = "../common/mod.rs"]
mod common;

mod config;
mod data_formats;
mod disk;
mod fuzz_corpus;
mod nir_flavour;
mod nir_import;
mod nir_run;
mod nir_train;
mod reproduction;
mod sweep;
mod weights;
