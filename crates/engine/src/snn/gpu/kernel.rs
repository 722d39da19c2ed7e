//! The CubeCL kernels of the fused LIF layer: one launch runs a layer's whole trial forward,
//! one runs BPTT backward. Each sample is one cube (workgroup) whose units stride over the
//! neurons; time runs sequentially inside the kernel. A cube, not a flat grid, because the
//! recurrent term of step n needs every neuron's spike of the step before: the cube shares
//! them in workgroup memory behind one barrier per step, where a flat grid would need a
//! launch (or a matmul) per step, which is the per-step graph's cost this op removes.
//!
//! Same equations, same order of operations as the CPU loop (`fused/`), so f32 results agree
//! to rounding; the conventions are run-time flags so every option shares one compiled shader.

use burn::backend::Shape;
use burn_cubecl::{kernel::into_contiguous, ops::numeric::empty_device_dtype, tensor::CubeTensor};
use cubecl::prelude::*;

use super::{NOW, RECURRENT};

/// σ′(x) of the shape coded in `shape`, as `SurrogateShape::derivative_row` computes it.
#[cube]
fn slope(x: f32, shape: u32, beta: f32) -> f32 {
    let mut bx = beta * x.abs();
    if beta == 0.0 {
        bx = 0.0;
    }
    let mut out = 0.0f32;
    if shape == 0 {
        let d = bx + 1.0;
        out = 1.0 / (d * d);
    } else if shape == 1 {
        let e = (-bx).exp();
        out = e / ((1.0 + e) * (1.0 + e));
    } else if shape == 2 {
        let v = 1.0 - bx;
        if v > 0.0 {
            out = v;
        }
    } else if shape == 3 {
        let r = 1.0 / (bx + 1.0);
        out = r * r * beta;
    } else if shape == 4 {
        out = (-bx).exp();
    } else if shape == 5 {
        let z = 1.570_796_4f32 * bx;
        out = 1.0 / (1.0 + z * z);
    } else if shape == 6 {
        out = (-0.5f32 * bx * bx).exp();
    } else if shape == 7 {
        out = 1.0;
    }
    out
}

/// Σ_n s[n]·V[n][j]: the recurrent drive of neuron j from the spikes in `spk` at `at`. Every
/// term is multiplied, silent neurons' too, as a dense product would: a non-finite V[n][j]
/// then makes the drive NaN even while neuron n is silent, so a diverged weight shows in the
/// loss and gradients (the same bits otherwise: s is 0 or 1, and adding ±0 changes no sum).
#[cube]
fn fed_back(recurrent: &Tensor<f32>, spk: &Shared<[f32]>, at: usize, j: usize, w: usize) -> f32 {
    let mut sum = 0.0f32;
    for n in 0..w {
        sum += spk[at + n] * recurrent[n * w + j];
    }
    sum
}

/// Forward over all steps; writes s[n], the current the membrane integrated and U before
/// the step, each [T, batch, width].
#[cube(launch)]
fn lif_forward(
    current: &Tensor<f32>,
    recurrent: &Tensor<f32>,
    consts: &Tensor<f32>,
    spikes: &mut Tensor<f32>,
    syn_rec: &mut Tensor<f32>,
    mem_rec: &mut Tensor<f32>,
    steps: u32,
    width: u32,
    flags: u32,
    #[comptime] capacity: usize,
) {
    let w = width as usize;
    let stride = CUBE_DIM_X as usize;
    let row = CUBE_POS_X as usize * w;
    let slab = CUBE_COUNT_X as usize * w;
    let now = (flags & 1) != 0;
    let same = (flags & 2) != 0;
    let recur = (flags & 4) != 0;
    let subtract = (flags & 8) != 0;
    let no_reset = (flags & 16) != 0;
    let mut syn = Shared::<[f32]>::new_slice(capacity);
    let mut mem = Shared::<[f32]>::new_slice(capacity);
    // Spikes of this step and of the last, alternating halves.
    let mut spk = Shared::<[f32]>::new_slice(2 * capacity);
    let mut j = UNIT_POS_X as usize;
    while j < w {
        syn[j] = 0.0;
        mem[j] = 0.0;
        spk[j] = 0.0;
        spk[capacity + j] = 0.0;
        j += stride;
    }
    sync_cube();
    for t in 0..steps as usize {
        let this = (t % 2) * capacity;
        let last = capacity - this;
        let at = t * slab + row;
        let mut j = UNIT_POS_X as usize;
        while j < w {
            let u = mem[j];
            mem_rec[at + j] = u;
            let mut i = syn[j];
            if now {
                let mut h = current[at + j];
                if recur {
                    h += fed_back(recurrent, &spk, last, j, w);
                }
                i = consts[j] * i + consts[w + j] * h;
                syn[j] = i;
            }
            syn_rec[at + j] = i;
            let a = consts[2 * w + j] * u + consts[3 * w + j] * i + consts[4 * w + j];
            let th = consts[5 * w + j];
            let mut m = u;
            if same {
                m = a;
            }
            let mut s = 0.0f32;
            if m > th {
                s = 1.0;
            }
            let mut next = a - a * s + consts[6 * w + j] * s;
            if subtract {
                next = a - th * s;
            }
            if no_reset {
                next = a;
            }
            mem[j] = next;
            spikes[at + j] = s;
            spk[this + j] = s;
            j += stride;
        }
        sync_cube();
        if !now {
            let mut j = UNIT_POS_X as usize;
            while j < w {
                let mut h = current[at + j];
                if recur {
                    h += fed_back(recurrent, &spk, this, j, w);
                }
                syn[j] = consts[j] * syn[j] + consts[w + j] * h;
                j += stride;
            }
        }
    }
}

/// BPTT in reverse time: ∂L/∂(drive) [T, batch, width] and, for the recurrent weights'
/// gradient, the drive gradient each step's spikes fed (`paired`, this-step current only).
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
fn lif_backward(
    grad_spikes: &Tensor<f32>,
    spikes: &Tensor<f32>,
    syn_rec: &Tensor<f32>,
    mem_rec: &Tensor<f32>,
    recurrent: &Tensor<f32>,
    consts: &Tensor<f32>,
    grad_current: &mut Tensor<f32>,
    paired: &mut Tensor<f32>,
    steps: u32,
    width: u32,
    flags: u32,
    beta: f32,
    #[comptime] capacity: usize,
) {
    let w = width as usize;
    let stride = CUBE_DIM_X as usize;
    let row = CUBE_POS_X as usize * w;
    let slab = CUBE_COUNT_X as usize * w;
    let now = (flags & 1) != 0;
    let same = (flags & 2) != 0;
    let subtract = (flags & 8) != 0;
    let no_reset = (flags & 16) != 0;
    let reset_live = (flags & 32) == 0;
    // A detached recurrence ("Ctl") carries nothing back into s[n].
    let carry_live = (flags & 4) != 0 && (flags & 64) == 0;
    let pair = now && (flags & 4) != 0;
    let shape = flags >> 8;
    let mut gu = Shared::<[f32]>::new_slice(capacity);
    let mut gi = Shared::<[f32]>::new_slice(capacity);
    let mut gd = Shared::<[f32]>::new_slice(capacity);
    let mut carry = Shared::<[f32]>::new_slice(capacity);
    let mut j = UNIT_POS_X as usize;
    while j < w {
        gu[j] = 0.0;
        gi[j] = 0.0;
        gd[j] = 0.0;
        carry[j] = 0.0;
        j += stride;
    }
    sync_cube();
    let n_steps = steps as usize;
    for back in 0..n_steps {
        let t = n_steps - 1 - back;
        let at = t * slab + row;
        // Previous-step current: I ← α·I + κ·(h + V·s[t]) ends the step, so its drive
        // gradient κ·∂L/∂I is known before the membrane's.
        if !now {
            let mut j = UNIT_POS_X as usize;
            while j < w {
                let g = consts[w + j] * gi[j];
                gd[j] = g;
                grad_current[at + j] = g;
                j += stride;
            }
        }
        sync_cube();
        let mut j = UNIT_POS_X as usize;
        while j < w {
            let mut g_spike = grad_spikes[at + j];
            if carry_live {
                if now {
                    g_spike += carry[j];
                } else {
                    let mut sum = 0.0f32;
                    for k in 0..w {
                        sum += gd[k] * recurrent[j * w + k];
                    }
                    g_spike += sum;
                }
            }
            let s = spikes[at + j];
            let u = mem_rec[at + j];
            let i = syn_rec[at + j];
            let b = consts[2 * w + j];
            let c = consts[3 * w + j];
            let th = consts[5 * w + j];
            let a = b * u + c * i + consts[4 * w + j];
            let mut m = u;
            if same {
                m = a;
            }
            let sl = slope(m - th, shape, beta);
            let g_u_next = gu[j];
            let mut keep = 1.0 - s;
            let mut reset_term = consts[6 * w + j] - a;
            if subtract {
                keep = 1.0;
                reset_term = -th;
            }
            if no_reset {
                keep = 1.0;
                reset_term = 0.0;
            }
            if reset_live {
                g_spike += g_u_next * reset_term;
            }
            let g_m = g_spike * sl;
            let mut g_a = g_u_next * keep;
            let mut g_u = 0.0f32;
            if same {
                g_a += g_m;
            } else {
                g_u = g_m;
            }
            g_u += b * g_a;
            let g_used = c * g_a;
            if now {
                // I[t] = α·I[t−1] + κ·(h + V·s[t−1]) began the step.
                let g_total = gi[j] + g_used;
                let g = consts[w + j] * g_total;
                gi[j] = consts[j] * g_total;
                grad_current[at + j] = g;
                gd[j] = g;
                if pair {
                    if t > 0 {
                        paired[at - slab + j] = g;
                    }
                    if t == n_steps - 1 {
                        paired[at + j] = 0.0;
                    }
                }
            } else {
                gi[j] = consts[j] * gi[j] + g_used;
            }
            gu[j] = g_u;
            j += stride;
        }
        sync_cube();
        if now && carry_live {
            let mut j = UNIT_POS_X as usize;
            while j < w {
                let mut sum = 0.0f32;
                for k in 0..w {
                    sum += gd[k] * recurrent[j * w + k];
                }
                carry[j] = sum;
                j += stride;
            }
        }
        sync_cube();
    }
}

/// What the forward keeps for the backward, each [T, batch, width].
#[derive(Clone, Debug)]
pub struct GpuTrace {
    pub spikes: CubeTensor,
    pub syn: CubeTensor,
    pub mem: CubeTensor,
}

fn launch_shape(dims: [usize; 3], client: &cubecl::client::Client) -> (CubeCount, CubeDim, usize) {
    let [_, batch, width] = dims;
    let max_units = client.properties().hardware.max_units_per_cube as usize;
    let units = width.clamp(1, 256.min(max_units));
    (
        CubeCount::Static(batch as u32, 1, 1),
        CubeDim::new_1d(units as u32),
        width.next_power_of_two().max(32),
    )
}

fn dims3(t: &CubeTensor) -> [usize; 3] {
    let s = t.meta.shape();
    [s[0], s[1], s[2]]
}

fn empty_like(t: &CubeTensor, dims: [usize; 3]) -> CubeTensor {
    empty_device_dtype(
        t.client.clone(),
        t.device.clone(),
        Shape::new(dims),
        t.dtype,
    )
}

/// Runs the forward kernel: `current` [T, batch, width], `recurrent` [width, width] (read
/// only when the flags say recurrent), `consts` from [`constants`].
pub fn forward(
    current: CubeTensor,
    recurrent: CubeTensor,
    consts: CubeTensor,
    flags: u32,
) -> GpuTrace {
    let current = into_contiguous(current);
    let recurrent = into_contiguous(recurrent);
    let dims = dims3(&current);
    let [steps, _, width] = dims;
    let client = current.client.clone();
    let (count, dim, capacity) = launch_shape(dims, &client);
    let trace = GpuTrace {
        spikes: empty_like(&current, dims),
        syn: empty_like(&current, dims),
        mem: empty_like(&current, dims),
    };
    lif_forward::launch(
        &client,
        count,
        dim,
        current.into_tensor_arg(),
        recurrent.into_tensor_arg(),
        consts.into_tensor_arg(),
        trace.spikes.clone().into_tensor_arg(),
        trace.syn.clone().into_tensor_arg(),
        trace.mem.clone().into_tensor_arg(),
        steps as u32,
        width as u32,
        flags,
        capacity,
    );
    trace
}

/// Runs the backward kernel: the drive's gradient and, for a recurrent layer with this
/// step's current, the drive gradient paired with each step's spikes (else the drive's own).
pub fn backward(
    grad_spikes: CubeTensor,
    trace: &GpuTrace,
    recurrent: CubeTensor,
    consts: CubeTensor,
    flags: u32,
    beta: f32,
) -> (CubeTensor, Option<CubeTensor>) {
    let grad_spikes = into_contiguous(grad_spikes);
    let recurrent = into_contiguous(recurrent);
    let dims = dims3(&grad_spikes);
    let [steps, _, width] = dims;
    let client = grad_spikes.client.clone();
    let (count, dim, capacity) = launch_shape(dims, &client);
    let grad_current = empty_like(&grad_spikes, dims);
    let pair = flags & NOW != 0 && flags & RECURRENT != 0;
    let paired = empty_like(&grad_spikes, if pair { dims } else { [1, 1, 1] });
    lif_backward::launch(
        &client,
        count,
        dim,
        grad_spikes.into_tensor_arg(),
        trace.spikes.clone().into_tensor_arg(),
        trace.syn.clone().into_tensor_arg(),
        trace.mem.clone().into_tensor_arg(),
        recurrent.into_tensor_arg(),
        consts.into_tensor_arg(),
        grad_current.clone().into_tensor_arg(),
        paired.clone().into_tensor_arg(),
        steps as u32,
        width as u32,
        flags,
        beta,
        capacity,
    );
    (grad_current, pair.then_some(paired))
}
