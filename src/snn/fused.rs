//! The fused LIF layer: the whole time loop of one layer as a single custom autodiff op.
//!
//! The per-step path (`lif.rs`) records ~10 graph nodes per time step and pays burn's
//! bookkeeping and dispatch for each, both ways through BPTT; on a CPU that overhead, not the
//! arithmetic, dominates a small SNN. Here the forward runs the recurrence over T in one host
//! loop, saving I[n], U[n] and s[n]; the backward runs BPTT in reverse time with σ'(U − ϑ),
//! returning the gradients for the layer's input current and its recurrent weights. Same
//! equations as `lif.rs` (the tests hold both to the same loss and gradients):
//!
//! ```text
//!   s[n] = Θ(U[n] − ϑ)
//!   U[n+1] = (β·U[n] + c·I[n])·(1 − s[n])  |  β·U[n] + c·I[n] − ϑ·s[n]  |  β·U[n] + c·I[n]
//!   I[n+1] = α·I[n] + h[n] + (s[n]·V)
//! ```
//!
//! CPU backends only (flex, ndarray): the loops run on host memory in parallel over samples.

// burn-ndarray is deprecated upstream; it stays selectable on purpose.
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
use super::lif::{Dynamics, ResetMode};
use super::surrogate::{SurrogateConfig, SurrogateShape};

/// Everything the fused loop needs besides tensors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LifParams {
    pub alpha: f32,
    pub beta: f32,
    pub c: f32,
    pub threshold: f32,
    pub reset: ResetMode,
    pub reset_detached: bool,
    pub recurrent_detached: bool,
    pub shape: SurrogateShape,
    pub surrogate_beta: f32,
    pub recurrent: bool,
}

impl LifParams {
    pub fn new(dy: &Dynamics, surrogate: &SurrogateConfig, recurrent: bool) -> Self {
        Self {
            alpha: dy.alpha,
            beta: dy.beta_mem,
            c: dy.input_scale,
            threshold: dy.threshold,
            reset: dy.reset,
            reset_detached: dy.reset_detached,
            recurrent_detached: dy.recurrent_detached,
            shape: surrogate.shape,
            surrogate_beta: surrogate.beta as f32,
            recurrent,
        }
    }
}

#[backend_extension(Autodiff, Flex, NdArray: cfg(feature = "ndarray"))]
pub trait FusedLifBackend: Backend {
    /// Spikes [T, batch, width] of a LIF layer driven by `current` [T, batch, width], with
    /// recurrent weights `recurrent` [width, width] (ignored unless `params.recurrent`).
    fn lif_fused(
        current: FloatTensor<Self>,
        recurrent: FloatTensor<Self>,
        params: LifParams,
    ) -> FloatTensor<Self> {
        let dims = dims3(&current);
        let device = current.device();
        let cur = to_host::<Self>(current);
        let v = params.recurrent.then(|| to_host::<Self>(recurrent));
        let trace = forward_host(&cur, v.as_deref(), dims, &params);
        from_host::<Self>(trace.spikes, &dims, &device)
    }
}

mod concrete {
    impl super::FusedLifBackend for burn::backend::Flex {}
    #[cfg(feature = "ndarray")]
    impl super::FusedLifBackend for burn::backend::NdArray {}
}

/// What the forward keeps for the backward: I[n], U[n], s[n] for every step.
struct HostTrace {
    syn: Vec<f32>,
    mem: Vec<f32>,
    spikes: Vec<f32>,
}

impl std::fmt::Debug for HostTrace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HostTrace({} values)", self.spikes.len())
    }
}

#[derive(Clone, Debug)]
struct SavedState {
    trace: Arc<HostTrace>,
    recurrent: Option<Arc<Vec<f32>>>,
    dims: [usize; 3],
}

impl<B: Backend, C: CheckpointStrategy> FusedLifBackend for Autodiff<B, C> {
    fn lif_fused(
        current: FloatTensor<Self>,
        recurrent: FloatTensor<Self>,
        params: LifParams,
    ) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct LifBackward {
            params: LifParams,
        }

        impl<B: Backend> Backward<B, 2> for LifBackward {
            type State = SavedState;

            fn backward(
                self,
                ops: Ops<Self::State, 2>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let [node_current, node_recurrent] = ops.parents;
                let grad = grads.consume::<B>(&ops.node);
                let device = grad.device();
                let state = ops.state;
                let grad_spikes = to_host::<B>(grad);
                let (grad_current, grad_recurrent) = backward_host(
                    &state.trace,
                    state.recurrent.as_deref().map(|v| v.as_slice()),
                    &grad_spikes,
                    state.dims,
                    &self.params,
                );
                if let Some(node) = node_current {
                    grads
                        .register::<B>(node.id, from_host::<B>(grad_current, &state.dims, &device));
                }
                if let (Some(node), Some(g)) = (node_recurrent, grad_recurrent) {
                    let w = state.dims[2];
                    grads.register::<B>(node.id, from_host::<B>(g, &[w, w], &device));
                }
            }
        }

        match (LifBackward { params })
            .prepare::<C>([current.node(), recurrent.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let dims = dims3(current.primitive());
                let device = current.primitive().device();
                let cur = to_host::<B>(current.primitive().clone());
                let v = params
                    .recurrent
                    .then(|| Arc::new(to_host::<B>(recurrent.primitive().clone())));
                let trace = forward_host(&cur, v.as_deref().map(|v| v.as_slice()), dims, &params);
                let out = from_host::<B>(trace.spikes.clone(), &dims, &device);
                let state = SavedState {
                    trace: Arc::new(trace),
                    recurrent: v,
                    dims,
                };
                prep.finish(state, out)
            }
            OpsKind::UnTracked(prep) => {
                let dims = dims3(current.primitive());
                let device = current.primitive().device();
                let cur = to_host::<B>(current.into_primitive());
                let v = params
                    .recurrent
                    .then(|| to_host::<B>(recurrent.into_primitive()));
                let trace = forward_host(&cur, v.as_deref(), dims, &params);
                prep.finish(from_host::<B>(trace.spikes, &dims, &device))
            }
        }
    }
}

fn dims3<T: TensorMetadata>(t: &T) -> [usize; 3] {
    let s = t.shape();
    [s[0], s[1], s[2]]
}

/// Rows per parallel task: a few tasks per thread, so a step is not drowned in scheduling.
fn rows_per_task(batch: usize) -> usize {
    batch.div_ceil(4 * rayon::current_num_threads()).max(1)
}

fn forward_host(
    current: &[f32],
    recurrent: Option<&[f32]>,
    [steps, batch, width]: [usize; 3],
    p: &LifParams,
) -> HostTrace {
    let slab = batch * width;
    let min_len = rows_per_task(batch);
    let mut syn_rec = vec![0f32; steps * slab];
    let mut mem_rec = vec![0f32; steps * slab];
    let mut spk_rec = vec![0f32; steps * slab];
    let mut syn = vec![0f32; slab];
    let mut mem = vec![0f32; slab];
    for t in 0..steps {
        let range = t * slab..(t + 1) * slab;
        let input = &current[range.clone()];
        syn_rec[range.clone()].copy_from_slice(&syn);
        mem_rec[range.clone()].copy_from_slice(&mem);
        let spikes = &mut spk_rec[range];
        spikes
            .par_chunks_mut(width)
            .zip(syn.par_chunks_mut(width))
            .zip(mem.par_chunks_mut(width))
            .zip(input.par_chunks(width))
            .with_min_len(min_len)
            .for_each(|(((s, i), u), h)| {
                step_row(s, i, u, h, recurrent, p);
            });
    }
    HostTrace {
        syn: syn_rec,
        mem: mem_rec,
        spikes: spk_rec,
    }
}

/// One sample's step: spikes from U[n], then U[n+1] and I[n+1]. Each loop is branch-free in
/// its body (the reset mode is chosen outside) so the compiler vectorizes it.
fn step_row(
    s: &mut [f32],
    i: &mut [f32],
    u: &mut [f32],
    h: &[f32],
    recurrent: Option<&[f32]>,
    p: &LifParams,
) {
    let width = s.len();
    let (beta, c, th) = (p.beta, p.c, p.threshold);
    for (sj, &uj) in s.iter_mut().zip(u.iter()) {
        *sj = if uj > th { 1.0 } else { 0.0 };
    }
    match p.reset {
        ResetMode::Zero => {
            for ((uj, &ij), &sj) in u.iter_mut().zip(i.iter()).zip(s.iter()) {
                let m = beta * *uj + c * ij;
                *uj = m - m * sj;
            }
        }
        ResetMode::Subtract => {
            for ((uj, &ij), &sj) in u.iter_mut().zip(i.iter()).zip(s.iter()) {
                *uj = beta * *uj + c * ij - th * sj;
            }
        }
        ResetMode::None => {
            for (uj, &ij) in u.iter_mut().zip(i.iter()) {
                *uj = beta * *uj + c * ij;
            }
        }
    }
    for (ij, &hj) in i.iter_mut().zip(h) {
        *ij = p.alpha * *ij + hj;
    }
    if let Some(v) = recurrent {
        // Spikes are binary and sparse: add the rows of V of the neurons that fired.
        for (k, &sk) in s.iter().enumerate() {
            if sk != 0.0 {
                for (ij, vkj) in i.iter_mut().zip(&v[k * width..(k + 1) * width]) {
                    *ij += vkj;
                }
            }
        }
    }
}

/// BPTT through [`forward_host`]: gradients for the input current and the recurrent weights.
fn backward_host(
    trace: &HostTrace,
    recurrent: Option<&[f32]>,
    grad_spikes: &[f32],
    [steps, batch, width]: [usize; 3],
    p: &LifParams,
) -> (Vec<f32>, Option<Vec<f32>>) {
    let slab = batch * width;
    let mut grad_current = vec![0f32; steps * slab];
    let mut grad_v = recurrent.map(|_| vec![0f32; width * width]);
    // ∂L/∂U[n+1] and ∂L/∂I[n+1] while walking back.
    let mut g_mem = vec![0f32; slab];
    let mut g_syn = vec![0f32; slab];
    let min_len = rows_per_task(batch);
    for t in (0..steps).rev() {
        let range = t * slab..(t + 1) * slab;
        let (s_t, u_t, i_t) = (
            &trace.spikes[range.clone()],
            &trace.mem[range.clone()],
            &trace.syn[range.clone()],
        );
        let gs_t = &grad_spikes[range.clone()];
        // h[n] enters I[n+1] with weight 1.
        grad_current[range].copy_from_slice(&g_syn);
        // V's gradient: Σ_b s[n]ᵀ·∂L/∂I[n+1], summed over the (sparse) spikes.
        if let Some(gv) = grad_v.as_mut() {
            for b in 0..batch {
                let gi = &g_syn[b * width..(b + 1) * width];
                for (k, &sk) in s_t[b * width..(b + 1) * width].iter().enumerate() {
                    if sk != 0.0 {
                        for (g, x) in gv[k * width..(k + 1) * width].iter_mut().zip(gi) {
                            *g += x;
                        }
                    }
                }
            }
        }
        // ∂L/∂I[n+1]·Vᵀ for the whole batch at once: the one dense product of the backward
        // (skipped when the recurrence is detached: V still learns, s[n] hears nothing).
        let through_recurrence = recurrent
            .filter(|_| !p.recurrent_detached)
            .map(|v| matmul_transposed_rhs(&g_syn, v, batch, width));
        g_mem
            .par_chunks_mut(width)
            .zip(g_syn.par_chunks_mut(width))
            .enumerate()
            .with_min_len(min_len)
            .for_each(|(b, (gu, gi))| {
                let row = b * width..(b + 1) * width;
                let (s, u, i, gs) = (
                    &s_t[row.clone()],
                    &u_t[row.clone()],
                    &i_t[row.clone()],
                    &gs_t[row],
                );
                // ∂L/∂s[n]: direct, through recurrence into I[n+1], through a live reset.
                let mut g_spike: Vec<f32> = gs.to_vec();
                if let Some(through_v) = &through_recurrence {
                    for (g, r) in g_spike
                        .iter_mut()
                        .zip(&through_v[b * width..(b + 1) * width])
                    {
                        *g += r;
                    }
                }
                let mut slope = vec![0f32; width];
                p.shape
                    .derivative_row(u, p.threshold, p.surrogate_beta, &mut slope);
                let zero_reset = p.reset == ResetMode::Zero;
                // A live (non-detached) reset sends gradient into s[n]: −∂L/∂U[n+1]·M[n] for
                // reset to zero, −∂L/∂U[n+1]·ϑ for subtraction.
                if !p.reset_detached {
                    match p.reset {
                        ResetMode::Zero => {
                            for j in 0..width {
                                g_spike[j] -= gu[j] * (p.beta * u[j] + p.c * i[j]);
                            }
                        }
                        ResetMode::Subtract => {
                            for j in 0..width {
                                g_spike[j] -= gu[j] * p.threshold;
                            }
                        }
                        ResetMode::None => {}
                    }
                }
                for j in 0..width {
                    let keep = if zero_reset { 1.0 - s[j] } else { 1.0 };
                    let g_u = gu[j] * p.beta * keep + g_spike[j] * slope[j];
                    let g_i = gi[j] * p.alpha + gu[j] * p.c * keep;
                    gu[j] = g_u;
                    gi[j] = g_i;
                }
            });
    }
    (grad_current, grad_v)
}

/// a · vᵀ for row-major a [rows, n] and v [n, n]: out[r][k] = Σ_j a[r][j]·v[k][j].
fn matmul_transposed_rhs(a: &[f32], v: &[f32], rows: usize, n: usize) -> Vec<f32> {
    assert!(a.len() == rows * n && v.len() == n * n, "matmul shapes");
    let mut out = vec![0f32; rows * n];
    // SAFETY: the asserts above bound every index gemm derives from (m, n, k) and the strides:
    // out and a are [rows, n] with row stride n; vᵀ is read as [n (j), n (k)] with row stride 1
    // and column stride n, all within v's n·n elements. `out` is not aliased.
    unsafe {
        gemm::gemm(
            rows,
            n,
            n,
            out.as_mut_ptr(),
            1,
            n as isize,
            false,
            a.as_ptr(),
            1,
            n as isize,
            v.as_ptr(),
            n as isize,
            1,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::Rayon(0),
        );
    }
    out
}

/// Spikes [T, batch, width] of one LIF layer, fused over time (CPU backends).
pub fn lif_layer_fused(
    current: Tensor<3>,
    recurrent: Option<&Tensor<2>>,
    params: LifParams,
) -> Tensor<3> {
    let width = current.dims()[2];
    let v = match recurrent {
        Some(v) => v.clone(),
        // A placeholder the op ignores; untracked, so no gradient flows to it.
        None => Tensor::zeros([1, 1], &current.device()),
    };
    debug_assert!(recurrent.is_none_or(|v| v.dims() == [width, width]));
    Tensor::from_dispatch(<Dispatch as FusedLifBackend>::lif_fused(
        current.into_dispatch(),
        v.into_dispatch(),
        params,
    ))
}
