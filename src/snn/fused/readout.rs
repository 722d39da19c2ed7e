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

use super::dims3;
use crate::snn::dynamics::{CurrentTiming, LayerDynamics};
use crate::snn::host::{from_host, to_host};

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
    fn synapse(&self, syn: &mut [f32], x: &[f32]) {
        for (((i, &x), &a), &kp) in syn.iter_mut().zip(x).zip(&self.alpha).zip(&self.kappa) {
            *i = a * *i + kp * x;
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
        if now {
            t.synapse(&mut syn, x);
        }
        for ((((u, &i), &b), &c), &l) in
            mem.iter_mut().zip(&syn).zip(&t.beta).zip(&t.c).zip(&t.leak)
        {
            *u = b * *u + c * i + l;
        }
        o.copy_from_slice(&mem);
        if !now {
            t.synapse(&mut syn, x);
        }
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
    // I ← α·I + κ·x, seen backwards: ∂x = κ·∂I, then ∂I ← α·∂I.
    let synapse = |g_syn: &mut [f32], gx: &mut [f32]| {
        for (((gi, gx), &a), &kp) in g_syn.iter_mut().zip(gx).zip(&t.alpha).zip(&t.kappa) {
            *gx = kp * *gi;
            *gi *= a;
        }
    };
    for (go, gx) in grad_out.chunks(slab).zip(grad_x.chunks_mut(slab)).rev() {
        if !now {
            // The synapse update ended the step.
            synapse(&mut g_syn, &mut *gx);
        }
        for ((((gi, gu), &go), &b), &c) in g_syn
            .iter_mut()
            .zip(g_mem.iter_mut())
            .zip(go)
            .zip(&t.beta)
            .zip(&t.c)
        {
            let g_m = *gu + go;
            *gi += c * g_m;
            *gu = b * g_m;
        }
        if now {
            // The synapse update began the step.
            synapse(&mut g_syn, &mut *gx);
        }
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
