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
//! surrogate shape — and crates/engine/tests/engine/fused_wgpu.rs holds it to the CPU fused op's loss and
//! gradients. Layers wider than [`MAX_WIDTH`] run the per-step graph (see
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

use burn::backend::TensorData;
use burn_cubecl::{CubeBackend, tensor::CubeTensor};

use super::dynamics::{CurrentTiming, LayerDynamics, ResetTiming};
use super::fused::LifParams;
use super::lif::ResetMode;
use super::surrogate::SurrogateShape;

mod kernel;

/// The widest layer the kernels take: their workgroup memory holds four rows of this many
/// floats (16 KiB at 1024), within every Vulkan/Metal/D3D device's minimum of 16 KiB.
pub const MAX_WIDTH: usize = 1024;

// Flag bits: conventions and options, one u32 so every option runs the same shader.
pub(crate) const NOW: u32 = 1;
const SAME: u32 = 2;
pub(crate) const RECURRENT: u32 = 4;
const RESET_SUBTRACT: u32 = 8;
const RESET_NONE: u32 = 16;
const RESET_DETACHED: u32 = 32;
const RECURRENT_DETACHED: u32 = 64;
const SHAPE_SHIFT: u32 = 8;

/// The layer's conventions and surrogate as kernel flags.
pub(crate) fn flags(p: &LifParams) -> u32 {
    let k = &*p.layer;
    let mut f = 0;
    f |= u32::from(k.current == CurrentTiming::This) * NOW;
    f |= u32::from(k.reset_timing == ResetTiming::Same) * SAME;
    f |= u32::from(p.recurrent) * RECURRENT;
    f |= match k.reset {
        ResetMode::Zero => 0,
        ResetMode::Subtract => RESET_SUBTRACT,
        ResetMode::None => RESET_NONE,
    };
    f |= u32::from(k.reset_detached) * RESET_DETACHED;
    f |= u32::from(k.recurrent_detached) * RECURRENT_DETACHED;
    f | (shape_code(p.shape) << SHAPE_SHIFT)
}

fn shape_code(shape: SurrogateShape) -> u32 {
    match shape {
        SurrogateShape::SuperSpike => 0,
        SurrogateShape::Sigmoid => 1,
        SurrogateShape::Esser => 2,
        SurrogateShape::AsymptoticSuperSpike => 3,
        SurrogateShape::Exponential => 4,
        SurrogateShape::Arctan => 5,
        SurrogateShape::Gaussian => 6,
        SurrogateShape::StraightThrough => 7,
        SurrogateShape::TrueGradient => 8,
    }
}

/// The per-neuron constants as one [7, width] tensor: α, κ, β, c, λ, ϑ, v_reset.
pub(crate) fn constants(layer: &LayerDynamics, device: &burn_cubecl::CubeDevice) -> CubeTensor {
    let rows = [
        &layer.alpha,
        &layer.kappa,
        &layer.beta,
        &layer.c,
        &layer.leak,
        &layer.threshold,
        &layer.v_reset,
    ];
    let values: Vec<f32> = rows.iter().flat_map(|r| r.iter().copied()).collect();
    let data = TensorData::new(values, [rows.len(), layer.width()]);
    CubeBackend::float_from_data(data, device)
}

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
        let consts = constants(&params.layer, &current.device);
        kernel::forward(current, recurrent, consts, flags(&params)).spikes
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
        let flags = flags(&self.params);
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
        let flags = flags(&params);
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
                let consts = constants(&params.layer, &cur.device);
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
                let consts = constants(&params.layer, &cur.device);
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
