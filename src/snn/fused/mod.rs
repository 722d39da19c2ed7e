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
//! Those are the paper's conventions; the loop runs every convention of `dynamics.rs` with
//! per-neuron constants (tests/conventions.rs holds it to burn's autodiff of `lif.rs`).
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

use super::dynamics::{CurrentTiming, LayerDynamics, ResetTiming};
use super::host::{from_host, to_host};
use super::lif::ResetMode;
use super::surrogate::{SurrogateConfig, SurrogateShape};

mod backward;
mod readout;
use backward::backward_host;
pub use readout::readout_fused;

/// Everything the fused loop needs besides tensors.
#[derive(Clone, Debug, PartialEq)]
pub struct LifParams {
    pub layer: Arc<LayerDynamics>,
    pub shape: SurrogateShape,
    pub surrogate_beta: f32,
    pub recurrent: bool,
}

impl LifParams {
    pub fn new(layer: &LayerDynamics, surrogate: &SurrogateConfig, recurrent: bool) -> Self {
        Self {
            layer: Arc::new(layer.clone()),
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
        let mut trace = forward_host(&cur, v.as_deref(), dims, &params);
        from_host::<Self>(std::mem::take(&mut trace.spikes), &dims, &device)
    }
}

mod concrete {
    impl super::FusedLifBackend for burn::backend::Flex {}
    #[cfg(feature = "ndarray")]
    impl super::FusedLifBackend for burn::backend::NdArray {}
}

/// What the forward keeps for the backward: I[n], U[n], s[n] for every step. Its buffers go
/// back to [`pool`] when the backward is done with them, for the next batch's forward.
struct HostTrace {
    syn: Vec<f32>,
    mem: Vec<f32>,
    spikes: Vec<f32>,
}

impl Drop for HostTrace {
    fn drop(&mut self) {
        for v in [&mut self.syn, &mut self.mem, &mut self.spikes] {
            pool::give(std::mem::take(v));
        }
    }
}

/// Trace buffers kept between batches. Each batch's trace is tens of megabytes that the
/// forward overwrites completely; a fresh zeroed allocation per batch cost a memset of all of
/// it (and page faults when the allocator returned it to the system).
mod pool {
    use std::sync::Mutex;

    /// Enough for the traces of a few layers.
    const KEEP: usize = 12;

    static BUFFERS: Mutex<Vec<Vec<f32>>> = Mutex::new(Vec::new());

    /// A buffer of `len` values with unspecified contents (the caller overwrites all of them).
    pub(super) fn take(len: usize) -> Vec<f32> {
        let recycled = BUFFERS.lock().ok().and_then(|mut b| {
            let i = b.iter().position(|v| v.capacity() >= len)?;
            Some(b.swap_remove(i))
        });
        let mut v = recycled.unwrap_or_default();
        // Zero-fills only what the recycled buffer lacked (all of a fresh one).
        v.resize(len, 0.0);
        v
    }

    pub(super) fn give(v: Vec<f32>) {
        if v.capacity() == 0 {
            return;
        }
        if let Ok(mut b) = BUFFERS.lock()
            && b.len() < KEEP
        {
            b.push(v);
        }
    }
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

        match (LifBackward {
            params: params.clone(),
        })
        .prepare::<C>([current.node(), recurrent.node()])
        .compute_bound()
        .stateful()
        {
            OpsKind::Tracked(prep) => {
                let dims = dims3(current.primitive());
                let device = current.primitive().device();
                // Consumed, not cloned: the op keeps its own trace, and a shared buffer would
                // have to be copied out.
                let cur = to_host::<B>(current.into_primitive());
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
                let mut trace = forward_host(&cur, v.as_deref(), dims, &params);
                prep.finish(from_host::<B>(
                    std::mem::take(&mut trace.spikes),
                    &dims,
                    &device,
                ))
            }
        }
    }
}

fn dims3<T: TensorMetadata>(t: &T) -> [usize; 3] {
    let s = t.shape();
    [s[0], s[1], s[2]]
}

/// Samples per parallel task. Samples are independent through the whole time loop, so each
/// task runs all T steps of its samples with no barrier per step; the count is fixed, not
/// derived from the thread count, so every sum (V's gradient) is grouped the same way and the
/// result is the same bits on any number of threads. Large enough that the recurrent
/// backward's per-task gemm is not dominated by packing V (16 measured slower on SHD).
const SAMPLES_PER_TASK: usize = 64;

/// Per task, its rows of every step of a time-major [T, batch, width] buffer: `[task][t]`.
fn task_rows_mut(buf: &mut [f32], [_, batch, width]: [usize; 3]) -> Vec<Vec<&mut [f32]>> {
    let mut tasks: Vec<Vec<&mut [f32]>> = (0..batch.div_ceil(SAMPLES_PER_TASK))
        .map(|_| Vec::new())
        .collect();
    for slab in buf.chunks_mut(batch * width) {
        for (task, part) in tasks
            .iter_mut()
            .zip(slab.chunks_mut(SAMPLES_PER_TASK * width))
        {
            task.push(part);
        }
    }
    tasks
}

/// The read-only counterpart of [`task_rows_mut`].
fn task_rows(buf: &[f32], [_, batch, width]: [usize; 3]) -> Vec<Vec<&[f32]>> {
    let mut tasks: Vec<Vec<&[f32]>> = (0..batch.div_ceil(SAMPLES_PER_TASK))
        .map(|_| Vec::new())
        .collect();
    for slab in buf.chunks(batch * width) {
        for (task, part) in tasks.iter_mut().zip(slab.chunks(SAMPLES_PER_TASK * width)) {
            task.push(part);
        }
    }
    tasks
}

fn forward_host(
    current: &[f32],
    recurrent: Option<&[f32]>,
    dims @ [steps, batch, width]: [usize; 3],
    p: &LifParams,
) -> HostTrace {
    let len = steps * batch * width;
    let mut syn_rec = pool::take(len);
    let mut mem_rec = pool::take(len);
    let mut spk_rec = pool::take(len);
    let now = p.layer.current == CurrentTiming::This;
    task_rows(current, dims)
        .into_par_iter()
        .zip(task_rows_mut(&mut syn_rec, dims))
        .zip(task_rows_mut(&mut mem_rec, dims))
        .zip(task_rows_mut(&mut spk_rec, dims))
        .for_each(|(((input, mut syn_out), mut mem_out), mut spk_out)| {
            let rows = input.first().map_or(0, |r| r.len());
            let mut syn = vec![0f32; rows];
            let mut mem = vec![0f32; rows];
            let mut last = vec![0f32; rows];
            for t in 0..steps {
                mem_out[t].copy_from_slice(&mem);
                if !now {
                    syn_out[t].copy_from_slice(&syn);
                }
                let spikes = &mut *spk_out[t];
                for ((((s, i), u), h), prev) in spikes
                    .chunks_mut(width)
                    .zip(syn.chunks_mut(width))
                    .zip(mem.chunks_mut(width))
                    .zip(input[t].chunks(width))
                    .zip(last.chunks(width))
                {
                    if now {
                        synapse_row(i, h, prev, recurrent, &p.layer);
                    }
                    step_row(s, i, u, &p.layer);
                    if !now {
                        synapse_row(i, h, s, recurrent, &p.layer);
                    }
                }
                // Saved for the backward: the current the membrane integrated, I after this
                // step's synapse update or before it.
                if now {
                    syn_out[t].copy_from_slice(&syn);
                }
                last.copy_from_slice(spikes);
            }
        });
    HostTrace {
        syn: syn_rec,
        mem: mem_rec,
        spikes: spk_rec,
    }
}

/// I ← α·I + κ·(h + V·s) for one sample, s the latest spikes.
fn synapse_row(i: &mut [f32], h: &[f32], s: &[f32], recurrent: Option<&[f32]>, k: &LayerDynamics) {
    let width = i.len();
    if k.kappa_is_one() {
        for ((ij, &hj), &a) in i.iter_mut().zip(h).zip(&k.alpha) {
            *ij = a * *ij + hj;
        }
    } else {
        for (((ij, &hj), &a), &kj) in i.iter_mut().zip(h).zip(&k.alpha).zip(&k.kappa) {
            *ij = a * *ij + kj * hj;
        }
    }
    if let Some(v) = recurrent {
        // Spikes are binary and sparse: add the rows of V of the neurons that fired.
        for (n, &sn) in s.iter().enumerate() {
            if sn != 0.0 {
                for ((ij, vnj), &kj) in i
                    .iter_mut()
                    .zip(&v[n * width..(n + 1) * width])
                    .zip(&k.kappa)
                {
                    *ij += kj * vnj;
                }
            }
        }
    }
}

/// One sample's membrane step: A = β·U + c·I + λ, the spike from M (U before, or A), and
/// the reset. Each loop is branch-free in its body so the compiler vectorizes it.
fn step_row(s: &mut [f32], i: &[f32], u: &mut [f32], k: &LayerDynamics) {
    let same = k.reset_timing == ResetTiming::Same;
    if !same {
        for ((sj, &uj), &th) in s.iter_mut().zip(u.iter()).zip(&k.threshold) {
            *sj = if uj > th { 1.0 } else { 0.0 };
        }
    }
    for ((((uj, &ij), &b), &c), &l) in u.iter_mut().zip(i).zip(&k.beta).zip(&k.c).zip(&k.leak) {
        *uj = b * *uj + c * ij + l;
    }
    if same {
        for ((sj, &uj), &th) in s.iter_mut().zip(u.iter()).zip(&k.threshold) {
            *sj = if uj > th { 1.0 } else { 0.0 };
        }
    }
    match k.reset {
        ResetMode::Zero => {
            for ((uj, &sj), &vr) in u.iter_mut().zip(s.iter()).zip(&k.v_reset) {
                *uj = *uj - *uj * sj + vr * sj;
            }
        }
        ResetMode::Subtract => {
            for ((uj, &sj), &th) in u.iter_mut().zip(s.iter()).zip(&k.threshold) {
                *uj -= th * sj;
            }
        }
        ResetMode::None => {}
    }
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
