//! The window, driven headless through egui_kittest: one test binary for every test that
//! builds the explorer (the real window under Xvfb is `window_smoke`, run by `.ci/run`).

#[path = "../common/mod.rs"]
mod common;

mod headless;
mod inspector;
mod lessons;
mod nir;
mod soak;
mod sweep_view;
mod teaching;
