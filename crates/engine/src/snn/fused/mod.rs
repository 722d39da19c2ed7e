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
//! per-neuron constants (crates/engine/tests/engine/conventions.rs holds it to burn's autodiff of `lif.rs`).
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
use super::sparse_input::{poison, poisoned_columns, project_row, sum_in_task_order};
use super::surrogate::{SurrogateConfig, SurrogateShape};
use crate::data::batch::SparseBatch;

mod backward;
mod readout;
mod wide;
use backward::backward_host;
pub use readout::{readout_fused, readout_projected};
use wide::wide_fn;

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
    /// Spikes [T, batch, width] of a LIF layer with recurrent weights `recurrent` [width,
    /// width] (ignored unless `params.recurrent`), driven by `drive`: the current [T, batch,
    /// width], or with `events`, the input weights W [inputs, width] that the events select.
    fn lif_fused(
        drive: FloatTensor<Self>,
        recurrent: FloatTensor<Self>,
        params: LifParams,
        events: Option<Arc<SparseBatch>>,
    ) -> FloatTensor<Self> {
        let device = drive.device();
        let dims = drive_dims(&drive, events.as_deref());
        let d = to_host::<Self>(drive);
        let v = params.recurrent.then(|| to_host::<Self>(recurrent));
        let (spikes, _) = forward_host(
            host_drive(&d, events.as_deref()),
            v.as_deref(),
            dims,
            &params,
        );
        from_host::<Self>(spikes, &dims, &device)
    }
}

mod concrete {
    impl super::FusedLifBackend for burn::backend::Flex {}
    #[cfg(feature = "ndarray")]
    impl super::FusedLifBackend for burn::backend::NdArray {}
}

/// [T, batch, width] of the layer: the current's shape, or the events' steps and batch with
/// W's width.
fn drive_dims<T: TensorMetadata>(drive: &T, events: Option<&SparseBatch>) -> [usize; 3] {
    match events {
        Some(e) => [e.steps, e.batch, drive.shape()[1]],
        None => dims3(drive),
    }
}

fn host_drive<'a>(drive: &'a [f32], events: Option<&'a SparseBatch>) -> HostDrive<'a> {
    match events {
        Some(e) => HostDrive::Events(e, drive),
        None => HostDrive::Current(drive),
    }
}

/// Where a layer's drive h[n] comes from.
#[derive(Clone, Copy)]
enum HostDrive<'a> {
    /// The current [T, batch, width], computed outside the op.
    Current(&'a [f32]),
    /// Spike events and W [inputs, width]: each event adds one row of W, inside the op's
    /// tasks, so no [T, batch, width] current passes through the graph either way.
    Events(&'a SparseBatch, &'a [f32]),
}

/// One task's view of the drive.
enum TaskDrive<'a> {
    Current(Vec<&'a [f32]>),
    Events {
        events: &'a SparseBatch,
        weight: &'a [f32],
        /// The task's first sample.
        first: usize,
        poisoned: &'a [usize],
    },
}

impl TaskDrive<'_> {
    /// The task's rows of h[t]: the current's, or W's rows of the events summed into `buf`.
    #[inline(always)]
    fn rows<'s>(&'s self, t: usize, buf: &'s mut [f32], width: usize) -> &'s [f32] {
        match self {
            TaskDrive::Current(rows) => rows[t],
            TaskDrive::Events {
                events,
                weight,
                first,
                poisoned,
            } => {
                for (b, row) in buf.chunks_mut(width).enumerate() {
                    project_row(
                        events.row(t * events.batch + first + b),
                        weight,
                        poisoned,
                        row,
                    );
                }
                buf
            }
        }
    }
}

/// Per task, its view of the drive.
fn task_drives<'a>(
    drive: HostDrive<'a>,
    dims @ [_, batch, _]: [usize; 3],
    poisoned: &'a [usize],
) -> Vec<TaskDrive<'a>> {
    match drive {
        HostDrive::Current(c) => task_rows(c, dims)
            .into_iter()
            .map(TaskDrive::Current)
            .collect(),
        HostDrive::Events(events, weight) => (0..batch)
            .step_by(SAMPLES_PER_TASK)
            .map(|first| TaskDrive::Events {
                events,
                weight,
                first,
                poisoned,
            })
            .collect(),
    }
}

/// What the forward keeps for the backward: I[n] and U[n] for every step (s[n] is Θ of
/// them, recomputed exactly). Its buffers go back to [`pool`] when the backward is done with
/// them, for the next batch's forward.
struct HostTrace {
    syn: Vec<f32>,
    mem: Vec<f32>,
}

impl Drop for HostTrace {
    fn drop(&mut self) {
        for v in [&mut self.syn, &mut self.mem] {
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
        write!(f, "HostTrace({} values)", self.mem.len())
    }
}

#[derive(Clone, Debug)]
struct SavedState {
    trace: Arc<HostTrace>,
    recurrent: Option<Arc<Vec<f32>>>,
    events: Option<Arc<SparseBatch>>,
    dims: [usize; 3],
}

impl<B: Backend, C: CheckpointStrategy> FusedLifBackend for Autodiff<B, C> {
    fn lif_fused(
        drive: FloatTensor<Self>,
        recurrent: FloatTensor<Self>,
        params: LifParams,
        events: Option<Arc<SparseBatch>>,
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
                let [node_drive, node_recurrent] = ops.parents;
                let grad = grads.consume::<B>(&ops.node);
                let device = grad.device();
                let state = ops.state;
                let grad_spikes = to_host::<B>(grad);
                let (grad_drive, grad_recurrent) = backward_host(
                    &state.trace,
                    state.recurrent.as_deref().map(|v| v.as_slice()),
                    state.events.as_deref(),
                    &grad_spikes,
                    state.dims,
                    &self.params,
                );
                if let Some(node) = node_drive {
                    let shape = match &state.events {
                        Some(e) => vec![e.inputs, state.dims[2]],
                        None => state.dims.to_vec(),
                    };
                    grads.register::<B>(node.id, from_host::<B>(grad_drive, &shape, &device));
                }
                if let (Some(node), Some(g)) = (node_recurrent, grad_recurrent) {
                    let w = state.dims[2];
                    grads.register::<B>(node.id, from_host::<B>(g, &[w, w], &device));
                }
            }
        }

        let dims = drive_dims(drive.primitive(), events.as_deref());
        let device = drive.primitive().device();
        let prepared = LifBackward {
            params: params.clone(),
        }
        .prepare::<C>([drive.node(), recurrent.node()])
        .compute_bound()
        .stateful();
        // Consumed, not cloned: a shared buffer would have to be copied out.
        let d = to_host::<B>(drive.into_primitive());
        let v = params
            .recurrent
            .then(|| Arc::new(to_host::<B>(recurrent.into_primitive())));
        let v_host = v.as_deref().map(|v| v.as_slice());
        let (spikes, trace) =
            forward_host(host_drive(&d, events.as_deref()), v_host, dims, &params);
        let out = from_host::<B>(spikes, &dims, &device);
        match prepared {
            OpsKind::Tracked(prep) => prep.finish(
                SavedState {
                    trace: Arc::new(trace),
                    recurrent: v,
                    events,
                    dims,
                },
                out,
            ),
            OpsKind::UnTracked(prep) => prep.finish(out),
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

/// The layer's spikes [T, batch, width] and the trace the backward needs.
fn forward_host(
    drive: HostDrive,
    recurrent: Option<&[f32]>,
    dims @ [steps, batch, width]: [usize; 3],
    p: &LifParams,
) -> (Vec<f32>, HostTrace) {
    let len = steps * batch * width;
    let mut syn_rec = pool::take(len);
    let mut mem_rec = pool::take(len);
    // Handed to the graph, so never recycled.
    let mut spikes = vec![0f32; len];
    let poisoned = match drive {
        HostDrive::Events(_, w) => poisoned_columns(w, width),
        HostDrive::Current(_) => Vec::new(),
    };
    // The recurrent drive adds only the rows of V whose neuron fired: V's non-finite columns
    // are marked as the dense s·V would have them (see `poisoned_columns`).
    let poisoned_v = recurrent.map_or_else(Vec::new, |v| poisoned_columns(v, width));
    let recurrent = recurrent.map(|v| Recurrent {
        weight: v,
        poisoned: &poisoned_v,
    });
    task_drives(drive, dims, &poisoned)
        .into_par_iter()
        .zip(task_rows_mut(&mut syn_rec, dims))
        .zip(task_rows_mut(&mut mem_rec, dims))
        .zip(task_rows_mut(&mut spikes, dims))
        .for_each(|(((input, syn_out), mem_out), spk_out)| {
            forward_task(&input, syn_out, mem_out, spk_out, recurrent, width, p);
        });
    let trace = HostTrace {
        syn: syn_rec,
        mem: mem_rec,
    };
    (spikes, trace)
}

wide_fn! {
/// All T steps of one task's samples, recording I and U per step.
fn forward_task(
    input: &TaskDrive,
    syn_out: Vec<&mut [f32]>,
    mem_out: Vec<&mut [f32]>,
    spk_out: Vec<&mut [f32]>,
    recurrent: Option<Recurrent>,
    width: usize,
    p: &LifParams,
) {
    let (mut syn_out, mut mem_out, mut spk_out) = (syn_out, mem_out, spk_out);
    let k = &*p.layer;
    let now = k.current == CurrentTiming::This;
    let rows = spk_out.first().map_or(0, |r| r.len());
    // The state runs through the trace itself: step t reads its row t and writes row t + 1
    // (I: row t − 1 and row t for this step's current), so nothing is copied into it. Past
    // the last step the state goes to `*_end`, which nothing reads; before the first, zeros.
    let zeros = vec![0f32; rows];
    let (mut syn_end, mut mem_end) = (vec![0f32; rows], vec![0f32; rows]);
    let mut gathered = vec![0f32; rows];
    if let Some(u) = mem_out.first_mut() {
        u.fill(0.0);
    }
    if !now && let Some(i) = syn_out.first_mut() {
        i.fill(0.0);
    }
    for t in 0..spk_out.len() {
        let h = input.rows(t, &mut gathered, width);
        let (done, rest) = spk_out.split_at_mut(t);
        let last: &[f32] = done.last().map_or(&zeros, |s| s);
        let spikes = &mut *rest[0];
        let (u, u_next) = this_and_next(&mut mem_out, t, &mut mem_end);
        let samples = spikes
            .chunks_mut(width)
            .zip(h.chunks(width))
            .zip(u.chunks(width).zip(u_next.chunks_mut(width)));
        if now {
            // I[t] = α·I[t−1] + κ·(h + V·s[t−1]) begins the step; the membrane integrates it.
            let (i_prev, i) = prev_and_this(&mut syn_out, t, &zeros);
            for (((s, h), (u, u_next)), (prev, (i_prev, i))) in
                samples.zip(last.chunks(width).zip(i_prev.chunks(width).zip(i.chunks_mut(width))))
            {
                synapse_row(i, i_prev, h, prev, recurrent, k);
                step_row(s, i, u, u_next, k);
            }
        } else {
            // The membrane integrates I[t]; I[t + 1] = α·I[t] + κ·(h + V·s[t]) ends the step.
            let (i, i_next) = this_and_next(&mut syn_out, t, &mut syn_end);
            for (((s, h), (u, u_next)), (i, i_next)) in
                samples.zip(i.chunks(width).zip(i_next.chunks_mut(width)))
            {
                step_row(s, i, u, u_next, k);
                synapse_row(i_next, i, h, s, recurrent, k);
            }
        }
    }
}
}

/// Calls `f(index, value)` for each nonzero value of `row`. Spike rows are mostly zeros: eight
/// values are tested at once (their bits ORed are zero only if all are +0.0), so a silent
/// stretch costs one test, not eight unpredictable branches.
#[inline(always)]
fn for_each_nonzero(row: &[f32], mut f: impl FnMut(usize, f32)) {
    let mut chunks = row.chunks_exact(8);
    for (c, chunk) in chunks.by_ref().enumerate() {
        if chunk.iter().fold(0u32, |bits, v| bits | v.to_bits()) != 0 {
            for (j, &v) in chunk.iter().enumerate() {
                if v != 0.0 {
                    f(c * 8 + j, v);
                }
            }
        }
    }
    let start = row.len() - chunks.remainder().len();
    for (j, &v) in chunks.remainder().iter().enumerate() {
        if v != 0.0 {
            f(start + j, v);
        }
    }
}

/// Row t of a per-step trace to read and row t + 1 to write (past the last row, `end`).
#[inline(always)]
fn this_and_next<'a>(
    trace: &'a mut [&mut [f32]],
    t: usize,
    end: &'a mut [f32],
) -> (&'a [f32], &'a mut [f32]) {
    let (head, tail) = trace.split_at_mut(t + 1);
    (&*head[t], tail.first_mut().map_or(end, |r| &mut **r))
}

/// Row t − 1 of a per-step trace to read (before the first row, `start`) and row t to write.
#[inline(always)]
fn prev_and_this<'a>(
    trace: &'a mut [&mut [f32]],
    t: usize,
    start: &'a [f32],
) -> (&'a [f32], &'a mut [f32]) {
    let (head, tail) = trace.split_at_mut(t);
    (head.last().map_or(start, |r| &**r), &mut *tail[0])
}

/// A layer's recurrent weights V [width, width] and the columns where V is not finite.
#[derive(Clone, Copy)]
struct Recurrent<'a> {
    weight: &'a [f32],
    poisoned: &'a [usize],
}

/// I ← α·I + κ·(h + V·s) for one sample, s the latest spikes: `i` from `prev`.
#[inline(always)]
fn synapse_row(
    i: &mut [f32],
    prev: &[f32],
    h: &[f32],
    s: &[f32],
    recurrent: Option<Recurrent>,
    k: &LayerDynamics,
) {
    let width = i.len();
    if k.kappa_is_one() {
        for (((ij, &pj), &hj), &a) in i.iter_mut().zip(prev).zip(h).zip(&k.alpha) {
            *ij = a * pj + hj;
        }
    } else {
        for ((((ij, &pj), &hj), &a), &kj) in
            i.iter_mut().zip(prev).zip(h).zip(&k.alpha).zip(&k.kappa)
        {
            *ij = a * pj + kj * hj;
        }
    }
    if let Some(Recurrent {
        weight: v,
        poisoned,
    }) = recurrent
    {
        // Spikes are binary and sparse: add the rows of V of the neurons that fired.
        for_each_nonzero(s, |n, _| {
            for ((ij, vnj), &kj) in i
                .iter_mut()
                .zip(&v[n * width..(n + 1) * width])
                .zip(&k.kappa)
            {
                *ij += kj * vnj;
            }
        });
        poison(i, poisoned);
    }
}

/// A = β·U + c·I + λ, the integrated membrane. The forward and both of the backward's
/// recomputations (its spikes and its M − ϑ) call this one expression: the recomputed spikes
/// are exact only while all three round the same operations in the same order.
#[inline(always)]
fn integrate(beta: f32, u: f32, c: f32, i: f32, leak: f32) -> f32 {
    beta * u + c * i + leak
}

/// s = Θ(M − ϑ), as the forward records it and the backward recomputes it.
#[inline(always)]
fn spike(m: f32, threshold: f32) -> f32 {
    if m > threshold { 1.0 } else { 0.0 }
}

/// One sample's membrane step, `u` from `u_before`: A = β·U + c·I + λ, the spike from M (U
/// before, or A), and the reset. Each loop is branch-free in its body so the compiler
/// vectorizes it.
#[inline(always)]
fn step_row(s: &mut [f32], i: &[f32], u_before: &[f32], u: &mut [f32], k: &LayerDynamics) {
    let same = k.reset_timing == ResetTiming::Same;
    if !same {
        for ((sj, &uj), &th) in s.iter_mut().zip(u_before).zip(&k.threshold) {
            *sj = spike(uj, th);
        }
    }
    for (((((uj, &ub), &ij), &b), &c), &l) in u
        .iter_mut()
        .zip(u_before)
        .zip(i)
        .zip(&k.beta)
        .zip(&k.c)
        .zip(&k.leak)
    {
        *uj = integrate(b, ub, c, ij, l);
    }
    if same {
        for ((sj, &uj), &th) in s.iter_mut().zip(u.iter()).zip(&k.threshold) {
            *sj = spike(uj, th);
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
    debug_assert!(recurrent.is_none_or(|v| v.dims() == [width, width]));
    lif_op(current, recurrent, params, None)
}

/// [`lif_layer_fused`] driven by spike events through W [inputs, width]: each event adds one
/// row of W inside the op, and W's gradient is scattered back there too.
pub fn lif_layer_fused_events(
    events: &Arc<SparseBatch>,
    weight: &Tensor<2>,
    recurrent: Option<&Tensor<2>>,
    params: LifParams,
) -> Tensor<3> {
    lif_op(weight.clone(), recurrent, params, Some(events.clone()))
}

fn lif_op<const D: usize>(
    drive: Tensor<D>,
    recurrent: Option<&Tensor<2>>,
    params: LifParams,
    events: Option<Arc<SparseBatch>>,
) -> Tensor<3> {
    let v = match recurrent {
        Some(v) => v.clone(),
        // A placeholder the op ignores; untracked, so no gradient flows to it.
        None => Tensor::zeros([1, 1], &drive.device()),
    };
    Tensor::from_dispatch(<Dispatch as FusedLifBackend>::lif_fused(
        drive.into_dispatch(),
        v.into_dispatch(),
        params,
        events,
    ))
}
