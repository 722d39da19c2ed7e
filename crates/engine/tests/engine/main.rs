//! The engine's tests, one binary: they build and link without the window's dependencies
//! (no egui, eframe, wgpu's renderer, rfd), against `surrogate_engine` alone. The model
//! against the scalar BPTT oracle (`bptt`), the fused ops against the per-step graph
//! (`fused`, `conventions`, and on a GPU `fused_wgpu`), the surrogate op, losses,
//! regularizers, initialisation and the Randman data set.

mod common;

mod bptt;
mod conventions;
mod fused;
#[cfg(feature = "wgpu")]
mod fused_wgpu;
mod init;
mod losses;
mod randman;
mod randman_classes;
mod regularizer;
mod surrogate_op;
