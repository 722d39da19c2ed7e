//! Helpers shared by the integration tests.
#![allow(dead_code)]

use burn::tensor::Device;
use surrogate_lab::backend;

/// Every backend compiled into this build that can run here, by name. A compiled-in backend
/// that cannot run (wgpu without an adapter) is reported and skipped.
pub fn devices() -> Vec<(&'static str, Device)> {
    let mut out = Vec::new();
    for name in backend::compiled_backends() {
        match backend::device(name) {
            Ok(d) => out.push((name, d)),
            Err(why) => eprintln!("skipping backend {name}: {why}"),
        }
    }
    out
}

pub fn to_vec<const D: usize>(t: burn::tensor::Tensor<D>) -> Vec<f32> {
    t.into_data().iter::<f32>().collect()
}

/// |a − b| ≤ tol·max(1, |b|).
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}
