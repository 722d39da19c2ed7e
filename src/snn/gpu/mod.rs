//! The fused LIF layer on burn's CubeCL backend (wgpu): the GPU counterpart of `fused/`.
//!
//! The per-step graph launches about ten kernels per layer per step, both ways through BPTT;
//! on a GPU those launches, not the arithmetic, are the cost. Here the forward is one kernel
//! launch per layer over all T steps (`kernel.rs`: a cube per sample, the neurons in parallel,
//! time sequential inside), saving I, U and s; the backward is one launch in reverse time with
//! σ′(M − ϑ), plus one matmul for the recurrent weights' gradient (Σₙ s[n]ᵀ·∂L/∂drive[n] over
//! every step and sample at once, which a per-sample cube cannot sum without atomics).
//!
//! It runs every convention the CPU fused op runs — per-neuron constants, both current
//! timings, both reset timings, the three resets, detached or live reset and recurrence, every
//! surrogate shape — and tests/fused_wgpu.rs holds it to the CPU fused op's loss and
//! gradients. Layers wider than [`kernel::MAX_WIDTH`] run the per-step graph (see
//! [`supports`]).

use burn::backend::autodiff::{
    Autodiff,
    checkpoint::{base::Checkpointer, strategy::CheckpointStrategy},
    grads::Gradients,
    ops::{Backward, Ops, OpsKind},
};
use burn::backend::{
    Backend, Cube, Dispatch, backend_extension, ops::FloatTensorOps, tensor::FloatTensor,
};
use burn::tensor::Tensor;

use super::fused::LifParams;

mod kernel;

pub use kernel::MAX_WIDTH;

/// Whether a [T, batch, width] drive runs fused on the GPU: the layer's rows fit workgroup
/// memory, and the batch fits one dimension of a launch grid (a workgroup per sample).
pub fn supports(dims: [usize; 3]) -> bool {
    let [_, batch, width] = dims;
    (1..=MAX_WIDTH).contains(&width) && (1..=65_535).contains(&batch)
}

/// Whether tensors on `device` live on a CubeCL runtime (wgpu here), autodiff or not.
pub fn on_cube(device: &burn::tensor::Device) -> bool {
    matches!(
        device.clone().inner().as_dispatch(),
        burn::backend::DispatchDevice::Cube(_)
    )
}

#[backend_extension(Autodiff, Cube)]
pub trait GpuLifBackend: Backend {
    /// Spikes [T, batch, width] of a LIF layer driven by `current` [T, batch, width], with
    /// recurrent weights `recurrent` [width, width] (ignored unless `params.recurrent`).
    fn lif_gpu(
        current: FloatTensor<Self>,
        recurrent: FloatTensor<Self>,
        params: LifParams,
    ) -> FloatTensor<Self>;
}

impl GpuLifBackend for Cube {
    fn lif_gpu(
        current: FloatTensor<Self>,
        recurrent: FloatTensor<Self>,
        params: LifParams,
    ) -> FloatTensor<Self> {
        let consts = kernel::constants(&params.layer, &current.device);
        kernel::forward(current, recurrent, consts, kernel::flags(&params)).spikes
    }
}

/// What the backward needs: the forward's trace, and the operands it read.
#[derive(Clone, Debug)]
struct SavedState {
    trace: kernel::GpuTrace,
    recurrent: FloatTensor<Cube>,
    consts: FloatTensor<Cube>,
}

#[derive(Debug)]
struct LifGpuBackward {
    params: LifParams,
}

impl Backward<Cube, 2> for LifGpuBackward {
    type State = SavedState;

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_current, node_recurrent] = ops.parents;
        let grad = grads.consume::<Cube>(&ops.node);
        let state = ops.state;
        let flags = kernel::flags(&self.params);
        let (grad_current, paired) = kernel::backward(
            grad,
            &state.trace,
            state.recurrent,
            state.consts,
            flags,
            self.params.surrogate_beta,
        );
        if let Some(node) = node_recurrent
            && self.params.recurrent
        {
            // ∂L/∂V = Σ over steps and samples of s[n]ᵀ · (the drive gradient s[n] fed).
            let g = paired.unwrap_or_else(|| grad_current.clone());
            let [steps, batch, width] = dims3(&g);
            let flat = |t: FloatTensor<Cube>| Cube::float_reshape(t, [steps * batch, width].into());
            let s = Cube::float_transpose(flat(state.trace.spikes));
            grads.register::<Cube>(node.id, Cube::float_matmul(s, flat(g)));
        }
        if let Some(node) = node_current {
            grads.register::<Cube>(node.id, grad_current);
        }
    }
}

impl<C: CheckpointStrategy> GpuLifBackend for Autodiff<Cube, C> {
    fn lif_gpu(
        current: FloatTensor<Self>,
        recurrent: FloatTensor<Self>,
        params: LifParams,
    ) -> FloatTensor<Self> {
        let flags = kernel::flags(&params);
        let backward = LifGpuBackward {
            params: params.clone(),
        };
        match backward
            .prepare::<C>([current.node(), recurrent.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let cur = current.primitive().clone();
                let v = recurrent.primitive().clone();
                let consts = kernel::constants(&params.layer, &cur.device);
                let trace = kernel::forward(cur, v.clone(), consts.clone(), flags);
                let out = trace.spikes.clone();
                let state = SavedState {
                    trace,
                    recurrent: v,
                    consts,
                };
                prep.finish(state, out)
            }
            OpsKind::UnTracked(prep) => {
                let cur = current.into_primitive();
                let consts = kernel::constants(&params.layer, &cur.device);
                let trace = kernel::forward(cur, recurrent.into_primitive(), consts, flags);
                prep.finish(trace.spikes)
            }
        }
    }
}

fn dims3(t: &FloatTensor<Cube>) -> [usize; 3] {
    let s = t.meta.shape();
    [s[0], s[1], s[2]]
}

/// Spikes [T, batch, width] of one LIF layer, fused over time on a CubeCL device (wgpu).
/// The caller checks [`supports`]; the per-step graph (`lif.rs`) stays the reference.
pub fn lif_layer_gpu(
    current: Tensor<3>,
    recurrent: Option<&Tensor<2>>,
    params: LifParams,
) -> Tensor<3> {
    let v = match recurrent {
        Some(v) => v.clone(),
        // A placeholder the kernels never read; untracked, so no gradient flows to it.
        None => Tensor::zeros([1, 1], &current.device()),
    };
    Tensor::from_dispatch(<Dispatch as GpuLifBackend>::lif_gpu(
        current.into_dispatch(),
        v.into_dispatch(),
        params,
    ))
}
