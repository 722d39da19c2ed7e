//! Moving tensors between a CPU backend and host memory, for the custom ops whose loops run
//! on the host (`fused.rs`, `sparse_input.rs`).

use burn::backend::{Backend, TensorData, tensor::FloatTensor, try_read_sync};

/// The tensor's values, row-major. CPU backends complete synchronously; a failed read would
/// be a backend bug and yields an empty vector, which the callers' shapes then expose.
pub fn to_host<B: Backend>(t: FloatTensor<B>) -> Vec<f32> {
    try_read_sync(B::float_into_data(t))
        .and_then(|r| r.ok())
        .and_then(|d| d.try_into_vec::<f32>().ok())
        .unwrap_or_default()
}

/// A tensor's values as the backend hands them over, read in place: for a tensor the graph
/// still shares, one copy fewer than [`to_host`] (which must also move them into a `Vec`).
#[derive(Debug)]
pub struct HostData(Option<TensorData>);

impl HostData {
    pub fn read<B: Backend>(t: FloatTensor<B>) -> Self {
        Self(try_read_sync(B::float_into_data(t)).and_then(|r| r.ok()))
    }

    /// The values, row-major; empty if the read failed (see [`to_host`]).
    pub fn values(&self) -> &[f32] {
        self.0
            .as_ref()
            .and_then(|d| d.as_slice::<f32>().ok())
            .unwrap_or(&[])
    }
}

pub fn from_host<B: Backend>(
    values: Vec<f32>,
    dims: &[usize],
    device: &B::Device,
) -> FloatTensor<B> {
    B::float_from_data(TensorData::new(values, dims.to_vec()), device)
}
