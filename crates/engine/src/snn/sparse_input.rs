//! The input projection W·s_in[n] for binary, sparse input, as a custom autodiff op.
//!
//! Spike input is mostly zeros (SHD ≈ 1 %): the dense [T·batch, inputs] × [inputs, width]
//! matmul and its weight gradient spend almost all their work on zeros. Here each spike adds one
//! row of W to its step's current, and the backward scatters the current's gradient back into
//! those rows: work proportional to the number of spikes.

#![allow(deprecated)]

use std::sync::Arc;

use burn::backend::autodiff::{
    Autodiff,
    checkpoint::{base::Checkpointer, strategy::CheckpointStrategy},
    grads::Gradients,
    ops::{Backward, Ops, OpsKind},
};
use burn::backend::{Backend, Dispatch, TensorMetadata, backend_extension, tensor::FloatTensor};
use burn::tensor::Tensor;
use rayon::prelude::*;

use super::host::{from_host, to_host};
use crate::data::batch::SparseBatch;

#[backend_extension(Autodiff, Flex, NdArray: cfg(feature = "ndarray"))]
pub trait SparseInputBackend: Backend {
    /// [T, batch, width] currents: the sum of W's rows of each row's active inputs.
    fn sparse_project(weight: FloatTensor<Self>, input: Arc<SparseBatch>) -> FloatTensor<Self> {
        let device = weight.device();
        let width = weight.shape()[1];
        let w = to_host::<Self>(weight);
        let out = gather(&w, width, &input);
        from_host::<Self>(out, &[input.steps, input.batch, width], &device)
    }
}

mod concrete {
    impl super::SparseInputBackend for burn::backend::Flex {}
    #[cfg(feature = "ndarray")]
    impl super::SparseInputBackend for burn::backend::NdArray {}
}

impl<B: Backend, C: CheckpointStrategy> SparseInputBackend for Autodiff<B, C> {
    fn sparse_project(weight: FloatTensor<Self>, input: Arc<SparseBatch>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct SparseBackward {
            input: Arc<SparseBatch>,
            width: usize,
        }

        impl<B: Backend> Backward<B, 1> for SparseBackward {
            type State = ();

            fn backward(self, ops: Ops<(), 1>, grads: &mut Gradients, _: &mut Checkpointer) {
                let [node] = ops.parents;
                let grad = grads.consume::<B>(&ops.node);
                let device = grad.device();
                if let Some(node) = node {
                    let g = to_host::<B>(grad);
                    let gw = scatter(&g, self.width, &self.input);
                    let gw = from_host::<B>(gw, &[self.input.inputs, self.width], &device);
                    grads.register::<B>(node.id, gw);
                }
            }
        }

        let width = weight.primitive().shape()[1];
        let device = weight.primitive().device();
        let backward = SparseBackward {
            input: input.clone(),
            width,
        };
        let dims = [input.steps, input.batch, width];
        match backward
            .prepare::<C>([weight.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let w = to_host::<B>(weight.primitive().clone());
                prep.finish(
                    (),
                    from_host::<B>(gather(&w, width, &input), &dims, &device),
                )
            }
            OpsKind::UnTracked(prep) => {
                let w = to_host::<B>(weight.into_primitive());
                prep.finish(from_host::<B>(gather(&w, width, &input), &dims, &device))
            }
        }
    }
}

/// out[r] = Σ_{u active in r} W[u].
fn gather(w: &[f32], width: usize, input: &SparseBatch) -> Vec<f32> {
    let poisoned = poisoned_columns(w, width);
    let mut out = vec![0f32; input.rows() * width];
    out.par_chunks_mut(width)
        .with_min_len(64)
        .enumerate()
        .for_each(|(r, row)| project_row(input.row(r), w, &poisoned, row));
    out
}

/// The columns of W [rows, width] that hold a non-finite value. A dense product x·W is
/// non-finite in those columns whatever x is (0·∞ and 0·NaN are NaN); the event-driven
/// products skip the zeros, so they set those columns to NaN themselves: a diverged weight
/// must still show as a non-finite loss or gradient, not train on quietly.
pub(crate) fn poisoned_columns(w: &[f32], width: usize) -> Vec<usize> {
    let mut bad = vec![false; width];
    for row in w.chunks(width.max(1)) {
        for (b, x) in bad.iter_mut().zip(row) {
            *b |= !x.is_finite();
        }
    }
    (0..width).filter(|&c| bad[c]).collect()
}

/// One row of the events' projection: the sum of W's rows of the active `units`, NaN in the
/// `poisoned` columns (see [`poisoned_columns`]).
#[inline(always)]
pub(crate) fn project_row(units: &[u32], w: &[f32], poisoned: &[usize], row: &mut [f32]) {
    let width = row.len();
    row.fill(0.0);
    for &u in units {
        let wr = &w[u as usize * width..(u as usize + 1) * width];
        for (o, x) in row.iter_mut().zip(wr) {
            *o += x;
        }
    }
    poison(row, poisoned);
}

/// NaN in the `poisoned` columns of one row of a product.
#[inline(always)]
pub(crate) fn poison(row: &mut [f32], poisoned: &[usize]) {
    for &c in poisoned {
        row[c] = f32::NAN;
    }
}

/// The adjoint of [`project_row`] for one row: ∂L/∂out of the row added to W's rows of its
/// active `units` in `acc` [inputs, width].
#[inline(always)]
pub(crate) fn scatter_row(units: &[u32], g: &[f32], acc: &mut [f32]) {
    let width = g.len();
    for &u in units {
        for (a, x) in acc[u as usize * width..(u as usize + 1) * width]
            .iter_mut()
            .zip(g)
        {
            *a += x;
        }
    }
}

/// Row blocks of [`scatter`]: a fixed count, not the thread count, so every sum is grouped
/// the same way and ∂L/∂W is the same bits on any number of threads (each block holds an
/// [inputs, width] partial, so the count also bounds the memory).
const SCATTER_BLOCKS: usize = 8;

/// ∂L/∂W[u] = Σ_{rows r where u is active} ∂L/∂out[r]: per block of rows in parallel, the
/// blocks' partials added in block order.
fn scatter(grad: &[f32], width: usize, input: &SparseBatch) -> Vec<f32> {
    let rows = input.rows();
    let block = rows.div_ceil(SCATTER_BLOCKS).max(1);
    let partials: Vec<Vec<f32>> = (0..rows.div_ceil(block))
        .into_par_iter()
        .map(|k| {
            let mut acc = vec![0f32; input.inputs * width];
            for r in k * block..((k + 1) * block).min(rows) {
                scatter_row(input.row(r), &grad[r * width..(r + 1) * width], &mut acc);
            }
            acc
        })
        .collect();
    sum_in_task_order(partials.iter(), input.inputs * width)
}

/// Per-task shares of a weight gradient, added in task order: the same bits on any number of
/// threads.
pub(crate) fn sum_in_task_order<'a>(
    shares: impl Iterator<Item = &'a Vec<f32>>,
    len: usize,
) -> Vec<f32> {
    let mut total = vec![0f32; len];
    for share in shares {
        for (t, x) in total.iter_mut().zip(share) {
            *t += x;
        }
    }
    total
}

/// x·W for sparse binary input x, [T, batch, width]; W's gradient by scatter (CPU backends).
pub fn sparse_project(input: &Arc<SparseBatch>, weight: &Tensor<2>) -> Tensor<3> {
    Tensor::from_dispatch(<Dispatch as SparseInputBackend>::sparse_project(
        weight.clone().into_dispatch(),
        input.clone(),
    ))
}
