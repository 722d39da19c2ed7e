//! Batches: spike input of a few samples, as events grouped by raster row, or dense.

use burn::tensor::{Device, Tensor, TensorData};

/// A batch of spike input as events, grouped by row n·batch + b of the time-major raster.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseBatch {
    pub steps: usize,
    pub batch: usize,
    pub inputs: usize,
    /// Row r's active inputs are `units[row_offsets[r]..row_offsets[r + 1]]`.
    pub row_offsets: Vec<usize>,
    pub units: Vec<u32>,
}

impl SparseBatch {
    pub fn rows(&self) -> usize {
        self.steps * self.batch
    }

    /// Row r's active inputs.
    #[inline(always)]
    pub fn row(&self, r: usize) -> &[u32] {
        &self.units[self.row_offsets[r]..self.row_offsets[r + 1]]
    }

    /// The same batch as a dense [T, batch, inputs] raster.
    pub fn to_dense(&self, device: &Device) -> Tensor<3> {
        let mut buf = vec![0f32; self.rows() * self.inputs];
        for r in 0..self.rows() {
            for &u in &self.units[self.row_offsets[r]..self.row_offsets[r + 1]] {
                buf[r * self.inputs + u as usize] = 1.0;
            }
        }
        Tensor::from_data(
            TensorData::new(buf, [self.steps, self.batch, self.inputs]),
            device,
        )
    }
}
