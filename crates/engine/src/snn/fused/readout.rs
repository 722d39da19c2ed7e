//! The leaky readout's time loop as one custom autodiff op (CPU backends).
//!
//! The readout is linear, so the fused path used to run it as one [T × T] kernel matmul: one
//! graph node, but T²·batch·outputs multiply-adds each way where the recurrence needs about
//! 4·T·batch·outputs. Here the recurrence runs on the host, forward and (its adjoint) backward:
//!
//! ```text
//!   this-step current:      I ← α·I + κ·x[n];  M ← β·M + c·I + λ;  out[n] = M
//!   previous-step current:  M ← β·M + c·I + λ;  out[n] = M;  I ← α·I + κ·x[n]
//! ```
//!
//! with per-neuron constants, so it also covers the readouts the kernel could not (a leak,
//! neurons with different constants). Same values as `lif::readout_per_step`.
//!
//! When a hidden layer drives it, [`readout_projected`] also takes the weight product
//! x[n] = s[n]·W (+ bias) into the op: each spike adds one row of W, the backward returns
//! ∂L/∂s = ∂L/∂x·Wᵀ and scatters ∂L/∂x into W's rows of the spikes, all inside the same
//! per-sample tasks as the recurrence. A [T·batch, hidden] × [hidden, outputs] matmul is
//! skinny (outputs is 10 or 20): through burn it and its two gradient products cost more
//! than the whole recurrence.

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

use super::{dims3, for_each_nonzero, sum_in_task_order, task_rows, task_rows_mut, wide::wide_fn};
use crate::snn::dynamics::{CurrentTiming, LayerDynamics};
use crate::snn::host::{HostData, from_host, to_host};
use crate::snn::sparse_input::{poison, poisoned_columns};

/// The readout's constants, shared by the forward and the backward.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadoutParams {
    pub layer: Arc<LayerDynamics>,
}

#[backend_extension(Autodiff, Flex, NdArray: cfg(feature = "ndarray"))]
pub trait FusedReadoutBackend: Backend {
    /// Membranes M[n] [T, batch, width] of a leaky readout driven by `current` [T, batch, width].
    fn readout_fused(current: FloatTensor<Self>, params: ReadoutParams) -> FloatTensor<Self> {
        let dims = dims3(&current);
        let device = current.device();
        let cur = to_host::<Self>(current);
        from_host::<Self>(forward(&cur, dims, &params.layer), &dims, &device)
    }
}

mod concrete {
    impl super::FusedReadoutBackend for burn::backend::Flex {}
    #[cfg(feature = "ndarray")]
    impl super::FusedReadoutBackend for burn::backend::NdArray {}
}

impl<B: Backend, C: CheckpointStrategy> FusedReadoutBackend for Autodiff<B, C> {
    fn readout_fused(current: FloatTensor<Self>, params: ReadoutParams) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct ReadoutBackward {
            params: ReadoutParams,
        }

        impl<B: Backend> Backward<B, 1> for ReadoutBackward {
            type State = [usize; 3];

            fn backward(
                self,
                ops: Ops<Self::State, 1>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let [node] = ops.parents;
                let grad = grads.consume::<B>(&ops.node);
                let device = grad.device();
                if let Some(node) = node {
                    let dims = ops.state;
                    let g = backward(&to_host::<B>(grad), dims, &self.params.layer);
                    grads.register::<B>(node.id, from_host::<B>(g, &dims, &device));
                }
            }
        }

        let dims = dims3(current.primitive());
        let device = current.primitive().device();
        let prepared = ReadoutBackward {
            params: params.clone(),
        }
        .prepare::<C>([current.node()])
        .compute_bound()
        .stateful();
        // The backward needs only the shape: the system is linear.
        let out = forward(&to_host::<B>(current.into_primitive()), dims, &params.layer);
        let out = from_host::<B>(out, &dims, &device);
        match prepared {
            OpsKind::Tracked(prep) => prep.finish(dims, out),
            OpsKind::UnTracked(prep) => prep.finish(out),
        }
    }
}

/// The readout with its weight product inside: its input [T, batch, inputs] (spikes), W
/// [inputs, outputs] and a bias, constant per neuron.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectedParams {
    pub readout: ReadoutParams,
    pub bias: Option<Arc<Vec<f32>>>,
}

#[backend_extension(Autodiff, Flex, NdArray: cfg(feature = "ndarray"))]
pub trait ProjectedReadoutBackend: Backend {
    /// Membranes M[n] [T, batch, outputs] of a leaky readout driven by `input`·`weight` + bias.
    fn readout_projected(
        input: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        params: ProjectedParams,
    ) -> FloatTensor<Self> {
        let dims = dims3(&input);
        let outputs = weight.shape()[1];
        let device = input.device();
        let (s, w) = (HostData::read::<Self>(input), to_host::<Self>(weight));
        let out = projected_forward(s.values(), &w, dims, outputs, &params);
        from_host::<Self>(out, &[dims[0], dims[1], outputs], &device)
    }
}

mod concrete_projected {
    impl super::ProjectedReadoutBackend for burn::backend::Flex {}
    #[cfg(feature = "ndarray")]
    impl super::ProjectedReadoutBackend for burn::backend::NdArray {}
}

/// What the projected readout's backward keeps: its input and W, as host values.
#[derive(Clone, Debug)]
struct ProjectedState {
    input: Arc<HostData>,
    weight: Arc<Vec<f32>>,
    dims: [usize; 3],
}

impl<B: Backend, C: CheckpointStrategy> ProjectedReadoutBackend for Autodiff<B, C> {
    fn readout_projected(
        input: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        params: ProjectedParams,
    ) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct ProjectedBackward {
            params: ProjectedParams,
        }

        impl<B: Backend> Backward<B, 2> for ProjectedBackward {
            type State = ProjectedState;

            fn backward(
                self,
                ops: Ops<Self::State, 2>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let [node_input, node_weight] = ops.parents;
                let grad = grads.consume::<B>(&ops.node);
                let device = grad.device();
                let st = ops.state;
                let outputs = st.weight.len() / st.dims[2].max(1);
                let (g_input, g_weight) = projected_backward(
                    &to_host::<B>(grad),
                    st.input.values(),
                    &st.weight,
                    st.dims,
                    outputs,
                    &self.params,
                );
                if let Some(node) = node_input {
                    grads.register::<B>(node.id, from_host::<B>(g_input, &st.dims, &device));
                }
                if let Some(node) = node_weight {
                    let shape = [st.dims[2], outputs];
                    grads.register::<B>(node.id, from_host::<B>(g_weight, &shape, &device));
                }
            }
        }

        let dims = dims3(input.primitive());
        let outputs = weight.primitive().shape()[1];
        let device = input.primitive().device();
        let prepared = ProjectedBackward {
            params: params.clone(),
        }
        .prepare::<C>([input.node(), weight.node()])
        .compute_bound()
        .stateful();
        let s = HostData::read::<B>(input.into_primitive());
        let w = to_host::<B>(weight.into_primitive());
        let out = projected_forward(s.values(), &w, dims, outputs, &params);
        let out = from_host::<B>(out, &[dims[0], dims[1], outputs], &device);
        match prepared {
            OpsKind::Tracked(prep) => prep.finish(
                ProjectedState {
                    input: Arc::new(s),
                    weight: Arc::new(w),
                    dims,
                },
                out,
            ),
            OpsKind::UnTracked(prep) => prep.finish(out),
        }
    }
}

/// x = s·W + bias for a task's rows of one step: one row of W per nonzero input (spikes are
/// sparse), scaled by its value so that any input is exact; NaN in W's `poisoned` columns
/// (see [`poisoned_columns`]).
#[inline(always)]
fn project_rows(
    s: &[f32],
    w: &[f32],
    bias: Option<&[f32]>,
    poisoned: &[usize],
    x: &mut [f32],
    inputs: usize,
) {
    let outputs = w.len() / inputs.max(1);
    for (sr, xr) in s.chunks(inputs).zip(x.chunks_mut(outputs)) {
        match bias {
            Some(b) => xr.copy_from_slice(b),
            None => xr.fill(0.0),
        }
        for_each_nonzero(sr, |h, sv| {
            for (xv, &wv) in xr.iter_mut().zip(&w[h * outputs..(h + 1) * outputs]) {
                *xv += sv * wv;
            }
        });
        poison(xr, poisoned);
    }
}

fn projected_forward(
    input: &[f32],
    weight: &[f32],
    dims @ [steps, batch, inputs]: [usize; 3],
    outputs: usize,
    p: &ProjectedParams,
) -> Vec<f32> {
    let k = &*p.readout.layer;
    let now = k.current == CurrentTiming::This;
    let bias = p.bias.as_deref().map(|b| b.as_slice());
    let out_dims = [steps, batch, outputs];
    let poisoned = poisoned_columns(weight, outputs);
    let mut out = vec![0f32; steps * batch * outputs];
    task_rows(input, dims)
        .into_par_iter()
        .zip(task_rows_mut(&mut out, out_dims))
        .for_each(|(s, o)| projected_forward_task(&s, o, weight, bias, &poisoned, inputs, now, k));
    out
}

/// The adjoint of [`projected_forward`]: ∂L/∂input = ∂L/∂x·Wᵀ and ∂L/∂W = Σ inputᵀ·∂L/∂x,
/// W's gradient summed per task and the task sums added in task order (the same bits on any
/// number of threads).
fn projected_backward(
    grad_out: &[f32],
    input: &[f32],
    weight: &[f32],
    dims @ [steps, batch, inputs]: [usize; 3],
    outputs: usize,
    p: &ProjectedParams,
) -> (Vec<f32>, Vec<f32>) {
    let k = &*p.readout.layer;
    let now = k.current == CurrentTiming::This;
    // Wᵀ [outputs, inputs]: ∂L/∂input's rows are then sums of contiguous rows.
    let mut wt = vec![0f32; weight.len()];
    for (h, row) in weight.chunks(outputs.max(1)).enumerate() {
        for (o, &v) in row.iter().enumerate() {
            wt[o * inputs + h] = v;
        }
    }
    let mut grad_input = vec![0f32; input.len()];
    let partials: Vec<Vec<f32>> = task_rows(grad_out, [steps, batch, outputs])
        .into_par_iter()
        .zip(task_rows(input, dims))
        .zip(task_rows_mut(&mut grad_input, dims))
        .map(|((go, s), gs)| {
            projected_backward_task(&go, &s, gs, weight, &wt, [inputs, outputs], now, k)
        })
        .collect();
    (grad_input, sum_in_task_order(partials.iter(), weight.len()))
}

wide_fn! {
/// All T steps of one task's samples: the projection, then the recurrence.
#[allow(clippy::too_many_arguments)]
fn projected_forward_task(
    s: &[&[f32]],
    o: Vec<&mut [f32]>,
    weight: &[f32],
    bias: Option<&[f32]>,
    poisoned: &[usize],
    inputs: usize,
    now: bool,
    k: &LayerDynamics,
) {
    let mut o = o;
    let slab = o.first().map_or(0, |r| r.len());
    let tiled = Tiled::new(k, slab);
    let (mut syn, mut mem, mut x) = (vec![0f32; slab], vec![0f32; slab], vec![0f32; slab]);
    for (st, ot) in s.iter().zip(o.iter_mut()) {
        project_rows(st, weight, bias, poisoned, &mut x, inputs);
        tiled.forward_step(now, &mut syn, &mut mem, &x, ot);
    }
}
}

wide_fn! {
/// The reverse time loop of one task's samples: writes their ∂L/∂input into `gs` and
/// returns their share of W's gradient.
#[allow(clippy::too_many_arguments)]
fn projected_backward_task(
    go: &[&[f32]],
    s: &[&[f32]],
    gs: Vec<&mut [f32]>,
    weight: &[f32],
    wt: &[f32],
    shape: [usize; 2],
    now: bool,
    k: &LayerDynamics,
) -> Vec<f32> {
    let [inputs, outputs] = shape;
    let mut gs = gs;
    let slab = go.first().map_or(0, |r| r.len());
    let tiled = Tiled::new(k, slab);
    let (mut g_syn, mut g_mem) = (vec![0f32; slab], vec![0f32; slab]);
    let mut gx = vec![0f32; slab];
    let mut gw = vec![0f32; weight.len()];
    for t in (0..go.len()).rev() {
        tiled.backward_step(now, &mut g_syn, &mut g_mem, go[t], &mut gx);
        for ((gxr, gsr), sr) in gx
            .chunks(outputs)
            .zip(gs[t].chunks_mut(inputs))
            .zip(s[t].chunks(inputs))
        {
            gsr.fill(0.0);
            for (&g, wr) in gxr.iter().zip(wt.chunks(inputs)) {
                for (gv, &wv) in gsr.iter_mut().zip(wr) {
                    *gv += g * wv;
                }
            }
            for_each_nonzero(sr, |h, sv| {
                for (gwv, &g) in gw[h * outputs..(h + 1) * outputs].iter_mut().zip(gxr) {
                    *gwv += sv * g;
                }
            });
        }
    }
    gw
}
}

/// U_out [T, batch, outputs] of a non-spiking leaky readout driven by `input`·`weight` + bias,
/// the weight product inside the op (CPU backends).
pub fn readout_projected(
    input: Tensor<3>,
    weight: &Tensor<2>,
    bias: Option<&[f32]>,
    layer: &LayerDynamics,
) -> Tensor<3> {
    Tensor::from_dispatch(<Dispatch as ProjectedReadoutBackend>::readout_projected(
        input.into_dispatch(),
        weight.clone().into_dispatch(),
        ProjectedParams {
            readout: ReadoutParams {
                layer: Arc::new(layer.clone()),
            },
            bias: bias.map(|b| Arc::new(b.to_vec())),
        },
    ))
}

/// A layer's per-neuron constants repeated for every sample of the batch, so each step is one
/// flat loop over batch × width values (a readout is a few neurons wide: per-row loops would
/// spend more on the row than on its values).
struct Tiled {
    alpha: Vec<f32>,
    kappa: Vec<f32>,
    beta: Vec<f32>,
    c: Vec<f32>,
    leak: Vec<f32>,
}

impl Tiled {
    fn new(k: &LayerDynamics, slab: usize) -> Self {
        let tile = |v: &[f32]| v.iter().copied().cycle().take(slab).collect();
        Self {
            alpha: tile(&k.alpha),
            kappa: tile(&k.kappa),
            beta: tile(&k.beta),
            c: tile(&k.c),
            leak: tile(&k.leak),
        }
    }

    /// I ← α·I + κ·x.
    #[inline(always)]
    fn synapse(&self, syn: &mut [f32], x: &[f32]) {
        for (((i, &x), &a), &kp) in syn.iter_mut().zip(x).zip(&self.alpha).zip(&self.kappa) {
            *i = a * *i + kp * x;
        }
    }

    /// One step forwards of `syn` and `mem` driven by `x`, writing M into `out`.
    #[inline(always)]
    fn forward_step(
        &self,
        now: bool,
        syn: &mut [f32],
        mem: &mut [f32],
        x: &[f32],
        out: &mut [f32],
    ) {
        if now {
            self.synapse(syn, x);
        }
        for ((((u, &i), &b), &c), &l) in mem
            .iter_mut()
            .zip(&*syn)
            .zip(&self.beta)
            .zip(&self.c)
            .zip(&self.leak)
        {
            *u = b * *u + c * i + l;
        }
        out.copy_from_slice(mem);
        if !now {
            self.synapse(syn, x);
        }
    }

    /// The adjoint of [`Tiled::forward_step`]: from ∂L/∂out of this step, ∂L/∂x into `gx`.
    #[inline(always)]
    fn backward_step(
        &self,
        now: bool,
        g_syn: &mut [f32],
        g_mem: &mut [f32],
        go: &[f32],
        gx: &mut [f32],
    ) {
        // I ← α·I + κ·x, seen backwards: ∂x = κ·∂I, then ∂I ← α·∂I.
        let synapse = |g_syn: &mut [f32], gx: &mut [f32]| {
            for (((gi, gx), &a), &kp) in g_syn.iter_mut().zip(gx).zip(&self.alpha).zip(&self.kappa)
            {
                *gx = kp * *gi;
                *gi *= a;
            }
        };
        if !now {
            // The synapse update ended the step.
            synapse(g_syn, gx);
        }
        for ((((gi, gu), &go), &b), &c) in g_syn
            .iter_mut()
            .zip(g_mem.iter_mut())
            .zip(go)
            .zip(&self.beta)
            .zip(&self.c)
        {
            let g_m = *gu + go;
            *gi += c * g_m;
            *gu = b * g_m;
        }
        if now {
            // The synapse update began the step.
            synapse(g_syn, gx);
        }
    }
}

fn forward(current: &[f32], [_, batch, width]: [usize; 3], k: &LayerDynamics) -> Vec<f32> {
    let now = k.current == CurrentTiming::This;
    let slab = batch * width;
    let t = Tiled::new(k, slab);
    let mut out = vec![0f32; current.len()];
    let mut syn = vec![0f32; slab];
    let mut mem = vec![0f32; slab];
    for (x, o) in current.chunks(slab).zip(out.chunks_mut(slab)) {
        t.forward_step(now, &mut syn, &mut mem, x, o);
    }
    out
}

/// The adjoint of [`forward`]: ∂L/∂x from ∂L/∂out, in reverse time.
fn backward(grad_out: &[f32], [_, batch, width]: [usize; 3], k: &LayerDynamics) -> Vec<f32> {
    let now = k.current == CurrentTiming::This;
    let slab = batch * width;
    let t = Tiled::new(k, slab);
    let mut grad_x = vec![0f32; grad_out.len()];
    let mut g_syn = vec![0f32; slab];
    let mut g_mem = vec![0f32; slab];
    for (go, gx) in grad_out.chunks(slab).zip(grad_x.chunks_mut(slab)).rev() {
        t.backward_step(now, &mut g_syn, &mut g_mem, go, gx);
    }
    grad_x
}

/// U_out [T, batch, width] of a non-spiking leaky readout, fused over time (CPU backends).
pub fn readout_fused(current: Tensor<3>, layer: &LayerDynamics) -> Tensor<3> {
    Tensor::from_dispatch(<Dispatch as FusedReadoutBackend>::readout_fused(
        current.into_dispatch(),
        ReadoutParams {
            layer: Arc::new(layer.clone()),
        },
    ))
}
