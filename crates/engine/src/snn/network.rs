//! The network: LIF hidden layers (feed-forward or recurrent) and a leaky readout.

use burn::tensor::Tensor;

use std::sync::Arc;

use super::dynamics::NetworkDynamics;
use super::fused::{
    LifParams, lif_layer_fused, lif_layer_fused_events, readout_fused, readout_projected,
};
use super::lif::{Dynamics, LayerTrace, lif_layer, lif_layer_probed, readout_per_step};
use super::sparse_input::sparse_project;
use super::surrogate::SurrogateConfig;
use crate::data::batch::SparseBatch;

/// A [rows, cols] row-major matrix as its transpose: our [in, out] as the (out, in) that
/// PyTorch and NIR store, and back. The one place the orientation turns.
pub fn transposed<T: Copy>(rows: usize, cols: usize, data: &[T]) -> Vec<T> {
    debug_assert_eq!(rows * cols, data.len());
    (0..cols)
        .flat_map(|c| (0..rows).map(move |r| data[r * cols + c]))
        .collect()
}

/// Every trainable matrix, stored input-major ([in, out]) so a layer is one `x.matmul(w)`.
/// Exporters transpose to PyTorch's (out, in) ([`transposed`]).
#[derive(Clone, Debug)]
pub struct Weights {
    /// Feed-forward weights of hidden layer l, [in, width_l].
    pub hidden: Vec<Tensor<2>>,
    /// Recurrent weights of hidden layer l, [width_l, width_l], where the layer is recurrent.
    pub recurrent: Vec<Option<Tensor<2>>>,
    /// Readout weights, [width_last, outputs].
    pub readout: Tensor<2>,
}

/// Which matrix a parameter is, for names in files and per-layer gradient norms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamRole {
    FeedForward(usize),
    Recurrent(usize),
    Readout,
}

impl ParamRole {
    /// Stable tensor name used in weight files.
    pub fn name(self) -> String {
        match self {
            ParamRole::FeedForward(l) => format!("hidden.{l}.weight"),
            ParamRole::Recurrent(l) => format!("hidden.{l}.recurrent_weight"),
            ParamRole::Readout => "readout.weight".into(),
        }
    }

    /// Index into per-layer metrics: hidden layers first, the readout last.
    pub fn layer(self, hidden_layers: usize) -> usize {
        match self {
            ParamRole::FeedForward(l) | ParamRole::Recurrent(l) => l,
            ParamRole::Readout => hidden_layers,
        }
    }
}

impl Weights {
    /// The parameters in a fixed order with their roles.
    pub fn params(&self) -> Vec<(ParamRole, &Tensor<2>)> {
        let mut out = Vec::new();
        for (l, w) in self.hidden.iter().enumerate() {
            out.push((ParamRole::FeedForward(l), w));
            if let Some(v) = &self.recurrent[l] {
                out.push((ParamRole::Recurrent(l), v));
            }
        }
        out.push((ParamRole::Readout, &self.readout));
        out
    }

    /// The same structure with every tensor passed through `f` (in `params()` order).
    pub fn map(&self, mut f: impl FnMut(ParamRole, &Tensor<2>) -> Tensor<2>) -> Weights {
        Weights {
            hidden: self
                .hidden
                .iter()
                .enumerate()
                .map(|(l, w)| f(ParamRole::FeedForward(l), w))
                .collect(),
            recurrent: self
                .recurrent
                .iter()
                .enumerate()
                .map(|(l, v)| v.as_ref().map(|v| f(ParamRole::Recurrent(l), v)))
                .collect(),
            readout: f(ParamRole::Readout, &self.readout),
        }
    }

    /// Rebuilds from tensors given in `params()` order.
    pub fn from_params(&self, mut tensors: impl Iterator<Item = Tensor<2>>) -> Weights {
        self.map(|_, old| tensors.next().unwrap_or_else(|| old.clone()))
    }

    /// Why `other` cannot replace these weights (first differing matrix, both shapes named).
    pub fn shape_mismatch(&self, other: &Weights) -> Option<String> {
        let mine = self.params();
        let theirs = other.params();
        if mine.len() != theirs.len() {
            return Some(format!(
                "the network has {} weight matrices, the file {}",
                mine.len(),
                theirs.len()
            ));
        }
        mine.iter()
            .zip(&theirs)
            .find_map(|((role, a), (other_role, b))| {
                (role != other_role || a.dims() != b.dims()).then(|| {
                    format!(
                        "{} is {:?} in the network but {} is {:?} in the file",
                        role.name(),
                        a.dims(),
                        other_role.name(),
                        b.dims()
                    )
                })
            })
    }

    pub fn widths(&self) -> Vec<usize> {
        self.hidden.iter().map(|w| w.dims()[1]).collect()
    }

    pub fn inputs(&self) -> usize {
        self.hidden.first().unwrap_or(&self.readout).dims()[0]
    }

    pub fn outputs(&self) -> usize {
        self.readout.dims()[1]
    }
}

/// Everything one forward pass produced.
pub struct Forward {
    pub layers: Vec<LayerTrace>,
    /// U_out (the membrane M[n] of a spiking readout), [T, batch, outputs].
    pub readout: Tensor<3>,
    /// A spiking readout's spikes (imported networks), [T, batch, outputs].
    pub readout_spikes: Option<Tensor<3>>,
}

/// How a forward pass runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// One graph node per operation per time step: the reference, on every backend, and the
    /// only one that records membranes.
    PerStep,
    /// Each LIF layer's time loop as one custom op (a host loop on CPU backends, a CubeCL
    /// kernel on wgpu); on CPU backends the readout's recurrence too.
    Fused,
}

/// Spike input to the first layer.
#[derive(Clone, Debug)]
pub enum Input {
    /// A time-major raster [T, batch, inputs].
    Dense(Box<Tensor<3>>),
    /// The same as events (CPU backends): the projection costs one row of W per spike.
    Sparse(Arc<SparseBatch>),
}

impl From<Tensor<3>> for Input {
    fn from(t: Tensor<3>) -> Self {
        Input::Dense(Box::new(t))
    }
}

/// How a forward pass runs: which path, whether it keeps the membranes, and a probe.
#[derive(Clone, Debug)]
pub struct ForwardOptions {
    /// Fused ops where a layer's case allows them, else the per-step graph.
    pub path: Path,
    /// Keep every layer's membrane (the plots): takes the per-step path.
    pub record_membrane: bool,
    /// A zero tensor added to one hidden layer's membrane, whose gradient is then ∂L/∂U
    /// ([`lif_layer_probed`], the inspector): that layer takes the per-step path.
    pub probe: Option<Probe>,
}

/// The membrane probe of [`ForwardOptions`]: `added` is [T, batch, width] of `layer`.
#[derive(Clone, Debug)]
pub struct Probe {
    pub layer: usize,
    pub added: Tensor<3>,
}

impl ForwardOptions {
    /// On `path`, keeping no membrane, probing nothing.
    pub fn on(path: Path) -> Self {
        Self {
            path,
            record_membrane: false,
            probe: None,
        }
    }

    /// Keeping every layer's membrane.
    pub fn recording(self) -> Self {
        self.recording_if(true)
    }

    pub fn recording_if(mut self, record: bool) -> Self {
        self.record_membrane = record;
        self
    }

    /// With `added` on hidden layer `layer`'s membrane.
    pub fn probing(mut self, layer: usize, added: Tensor<3>) -> Self {
        self.probe = Some(Probe { layer, added });
        self
    }
}

impl From<Path> for ForwardOptions {
    fn from(path: Path) -> Self {
        Self::on(path)
    }
}

/// Runs the paper's network over its input.
pub fn forward(
    weights: &Weights,
    input: impl Into<Input>,
    dy: &Dynamics,
    surrogate: &SurrogateConfig,
    options: impl Into<ForwardOptions>,
) -> Forward {
    let dynamics = NetworkDynamics::paper(dy, &weights.widths(), weights.outputs());
    forward_with(weights, input, &dynamics, surrogate, options)
}

/// Runs a network with any per-layer dynamics and biases (`dynamics.rs`).
pub fn forward_with(
    weights: &Weights,
    input: impl Into<Input>,
    dynamics: &NetworkDynamics,
    surrogate: &SurrogateConfig,
    options: impl Into<ForwardOptions>,
) -> Forward {
    let ForwardOptions {
        path,
        record_membrane,
        mut probe,
    } = options.into();
    let fused = path == Path::Fused && !record_membrane;
    let mut x = input.into();
    let mut layers = Vec::with_capacity(weights.hidden.len());
    for (l, (w, v)) in weights.hidden.iter().zip(&weights.recurrent).enumerate() {
        let layer = &dynamics.hidden[l];
        let probed = probe.take_if(|p| p.layer == l).map(|p| p.added);
        let unbiased = dynamics.bias[l].is_none() && dynamics.recurrent_bias[l].is_none();
        if fused
            && probed.is_none()
            && unbiased
            && let Input::Sparse(events) = &x
        {
            // Events (CPU backends only): the input weights inside the layer's op.
            let params = LifParams::new(layer, surrogate, v.is_some());
            let spikes = lif_layer_fused_events(events, w, v.as_ref(), params);
            x = Input::Dense(Box::new(spikes.clone()));
            layers.push(LayerTrace {
                spikes,
                membrane: None,
            });
            continue;
        }
        // The feed-forward drive of all steps at once; only recurrence needs the loop.
        let current = match x {
            Input::Dense(x) => project(*x, w),
            Input::Sparse(batch) => sparse_project(&batch, w),
        };
        let current = add_biases(
            current,
            dynamics.bias[l].as_deref(),
            dynamics.recurrent_bias[l].as_deref(),
        );
        let trace = if fused && probed.is_none() && fused_takes(&current) {
            let params = LifParams::new(layer, surrogate, v.is_some());
            LayerTrace {
                spikes: fused_layer(current, v.as_ref(), params),
                membrane: None,
            }
        } else {
            lif_layer_probed(
                current,
                v.as_ref(),
                layer,
                surrogate,
                record_membrane,
                probed,
            )
        };
        x = Input::Dense(Box::new(trace.spikes.clone()));
        layers.push(trace);
    }
    let out = &dynamics.readout;
    let x = match x {
        // The weight product inside the readout's op: no skinny matmul through the graph.
        Input::Dense(x) if fused && !out.spiking && readout_projected_takes(&x) => {
            let readout =
                readout_projected(*x, &weights.readout, dynamics.readout_bias.as_deref(), out);
            return Forward {
                layers,
                readout,
                readout_spikes: None,
            };
        }
        x => x,
    };
    let drive = match x {
        Input::Dense(x) => project(*x, &weights.readout),
        Input::Sparse(batch) => sparse_project(&batch, &weights.readout),
    };
    let drive = add_biases(drive, dynamics.readout_bias.as_deref(), None);
    if out.spiking {
        let trace = lif_layer(drive, None, out, surrogate, true);
        return Forward {
            layers,
            readout: trace.membrane.unwrap_or_else(|| trace.spikes.clone()),
            readout_spikes: Some(trace.spikes),
        };
    }
    let readout = if fused && readout_fused_takes(&drive) {
        readout_fused(drive, out)
    } else {
        readout_per_step(drive, out)
    };
    Forward {
        layers,
        readout,
        readout_spikes: None,
    }
}

/// Whether the fused op takes this layer: the host loop always; the GPU kernel up to
/// `gpu::MAX_WIDTH` neurons and 65,535 samples a batch (beyond, the per-step graph).
fn fused_takes(current: &Tensor<3>) -> bool {
    #[cfg(feature = "wgpu")]
    if super::gpu::on_cube(&current.device()) {
        return super::gpu::supports(current.dims());
    }
    let _ = current;
    true
}

/// Whether the readout's recurrence runs as one op: a host loop only, so not on a GPU
/// device (there it is the per-step graph).
fn readout_fused_takes(drive: &Tensor<3>) -> bool {
    #[cfg(feature = "wgpu")]
    if super::gpu::on_cube(&drive.device()) {
        return false;
    }
    let _ = drive;
    true
}

/// Whether the readout takes its weights inside its op: on flex. burn-ndarray copies a tensor
/// the graph still shares (the spikes, also kept for the regularizer and the rates) element by
/// element, which costs more than the matmul it saves (Randman trained 2.5× slower), so there
/// the product stays a matmul.
fn readout_projected_takes(x: &Tensor<3>) -> bool {
    matches!(
        x.device().inner().as_dispatch(),
        burn::backend::DispatchDevice::Flex(_)
    )
}

/// One layer's time loop as one op: the CubeCL kernel on a GPU device, the host loop on a CPU.
fn fused_layer(current: Tensor<3>, v: Option<&Tensor<2>>, params: LifParams) -> Tensor<3> {
    #[cfg(feature = "wgpu")]
    if super::gpu::on_cube(&current.device()) {
        return super::gpu::lif_layer_gpu(current, v, params);
    }
    lif_layer_fused(current, v, params)
}

/// The drive plus a bias at every step and a recurrent bias from the second step on.
fn add_biases(current: Tensor<3>, bias: Option<&[f32]>, from_second: Option<&[f32]>) -> Tensor<3> {
    if bias.is_none() && from_second.is_none() {
        return current;
    }
    let [steps, batch, width] = current.dims();
    let mut rows = vec![0f32; steps * width];
    for (t, row) in rows.chunks_mut(width).enumerate() {
        for (j, r) in row.iter_mut().enumerate() {
            *r = bias.map_or(0.0, |b| b[j])
                + if t > 0 {
                    from_second.map_or(0.0, |b| b[j])
                } else {
                    0.0
                };
        }
    }
    let device = current.device();
    let b = Tensor::<3>::from_data(
        burn::tensor::TensorData::new(rows, [steps, 1, width]),
        &device,
    );
    current + b.expand([steps, batch, width])
}

/// x[n]·W for every step: [T, batch, in] × [in, out] → [T, batch, out].
pub fn project(x: Tensor<3>, w: &Tensor<2>) -> Tensor<3> {
    let [steps, batch, inputs] = x.dims();
    let out = w.dims()[1];
    x.reshape([steps * batch, inputs])
        .matmul(w.clone())
        .reshape([steps, batch, out])
}
