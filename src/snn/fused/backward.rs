//! BPTT through the fused loop, in reverse time: ∂L/∂U, ∂L/∂I and ∂L/∂s per step with
//! σ′(M − ϑ), for every convention of `dynamics.rs`, returning the gradients of the layer's
//! drive and of its recurrent weights.

use rayon::prelude::*;

use super::{HostTrace, LifParams, pool, task_rows, task_rows_mut};
use crate::snn::dynamics::{CurrentTiming, LayerDynamics, ResetTiming};
use crate::snn::lif::ResetMode;

/// BPTT through [`forward_host`]: gradients for the drive and the recurrent weights.
///
/// Samples are independent, so each task runs the whole reverse time loop for its samples
/// (see `SAMPLES_PER_TASK`); V's gradient is summed per task and the task sums are added in
/// task order, so the result does not depend on the thread count.
pub(super) fn backward_host(
    trace: &HostTrace,
    recurrent: Option<&[f32]>,
    grad_spikes: &[f32],
    dims @ [steps, batch, width]: [usize; 3],
    p: &LifParams,
) -> (Vec<f32>, Option<Vec<f32>>) {
    // Every value is written below.
    let mut grad_current = pool::take(steps * batch * width);
    let partials: Vec<Option<Vec<f32>>> = task_rows(&trace.spikes, dims)
        .into_par_iter()
        .zip(task_rows(&trace.mem, dims))
        .zip(task_rows(&trace.syn, dims))
        .zip(task_rows(grad_spikes, dims))
        .zip(task_rows_mut(&mut grad_current, dims))
        .map(|((((s, u), i), gs), gd)| {
            let task = TaskTrace { s, u, i, gs };
            backward_task(&task, gd, recurrent, width, p)
        })
        .collect();
    let grad_v = recurrent.map(|_| {
        let mut total = vec![0f32; width * width];
        for part in partials.iter().flatten() {
            for (t, x) in total.iter_mut().zip(part) {
                *t += x;
            }
        }
        total
    });
    (grad_current, grad_v)
}

/// One task's rows of the forward's trace and of the incoming gradient, per step.
struct TaskTrace<'a> {
    s: Vec<&'a [f32]>,
    u: Vec<&'a [f32]>,
    i: Vec<&'a [f32]>,
    gs: Vec<&'a [f32]>,
}

/// The reverse time loop for one task's samples; writes their drive gradient into `gd` and
/// returns their share of V's gradient.
fn backward_task(
    tr: &TaskTrace,
    mut gd: Vec<&mut [f32]>,
    recurrent: Option<&[f32]>,
    width: usize,
    p: &LifParams,
) -> Option<Vec<f32>> {
    let k = &*p.layer;
    let now = k.current == CurrentTiming::This;
    let steps = tr.s.len();
    let rows = tr.s.first().map_or(0, |r| r.len());
    let mut grad_v = recurrent.map(|_| vec![0f32; width * width]);
    let through_v = recurrent.is_some() && !k.recurrent_detached;
    // ∂L/∂U and ∂L/∂I after step t, and ∂L/∂s[t] through V in the step that reads s[t].
    let mut g_mem = vec![0f32; rows];
    let mut g_syn = vec![0f32; rows];
    let mut g_carry = vec![0f32; rows];
    let mut scratch = RowScratch::new(width);
    for t in (0..steps).rev() {
        let g_drive = &mut *gd[t];
        // Previous-current: I ← α·I + κ·(h + V·s[t]) ends the step; its drive gradient is
        // κ·∂L/∂I, known before the membrane's.
        if !now {
            for (gdr, gir) in g_drive.chunks_mut(width).zip(g_syn.chunks(width)) {
                for ((g, &gi), &kj) in gdr.iter_mut().zip(gir).zip(&k.kappa) {
                    *g = kj * gi;
                }
            }
            if let Some(v) = recurrent {
                accumulate_v(grad_v.as_mut(), tr.s[t], g_drive, width);
                if through_v {
                    matmul_transposed_rhs(g_drive, v, &mut g_carry, width);
                }
            }
        }
        for (b, ((gu, gi), gdr)) in g_mem
            .chunks_mut(width)
            .zip(g_syn.chunks_mut(width))
            .zip(g_drive.chunks_mut(width))
            .enumerate()
        {
            let row = b * width..(b + 1) * width;
            let carried = through_v.then(|| &g_carry[row.clone()]);
            scratch.step(
                RowTrace {
                    s: &tr.s[t][row.clone()],
                    u: &tr.u[t][row.clone()],
                    i: &tr.i[t][row.clone()],
                    gs: &tr.gs[t][row],
                    carried,
                },
                RowGrads { gu, gi, gd: gdr },
                k,
                p,
            );
        }
        if now && let Some(v) = recurrent {
            if t > 0 {
                accumulate_v(grad_v.as_mut(), tr.s[t - 1], g_drive, width);
            }
            if through_v {
                matmul_transposed_rhs(g_drive, v, &mut g_carry, width);
            }
        }
    }
    grad_v
}

/// One sample's saved values at one step, and ∂L/∂s[t] carried back through V.
struct RowTrace<'a> {
    s: &'a [f32],
    u: &'a [f32],
    i: &'a [f32],
    gs: &'a [f32],
    carried: Option<&'a [f32]>,
}

/// One sample's running gradients, updated in place from after step t to before it.
struct RowGrads<'a> {
    gu: &'a mut [f32],
    gi: &'a mut [f32],
    gd: &'a mut [f32],
}

/// Buffers for one row, allocated once per task rather than per row and step.
struct RowScratch {
    g_spike: Vec<f32>,
    a: Vec<f32>,
    shifted: Vec<f32>,
    slope: Vec<f32>,
}

impl RowScratch {
    fn new(width: usize) -> Self {
        Self {
            g_spike: vec![0f32; width],
            a: vec![0f32; width],
            shifted: vec![0f32; width],
            slope: vec![0f32; width],
        }
    }

    /// One sample through one step backwards.
    fn step(&mut self, r: RowTrace, g: RowGrads, k: &LayerDynamics, p: &LifParams) {
        let now = k.current == CurrentTiming::This;
        let same = k.reset_timing == ResetTiming::Same;
        let width = self.a.len();
        // ∂L/∂s[t]: direct, and through the recurrence into the next synapse step (a
        // detached recurrence, "Ctl", carries nothing back into s[t]).
        self.g_spike.copy_from_slice(r.gs);
        if let Some(carried) = r.carried {
            for (g, c) in self.g_spike.iter_mut().zip(carried) {
                *g += c;
            }
        }
        // A and M as the forward had them.
        for j in 0..width {
            self.a[j] = k.beta[j] * r.u[j] + k.c[j] * r.i[j] + k.leak[j];
        }
        let m: &[f32] = if same { &self.a } else { r.u };
        for ((x, m), th) in self.shifted.iter_mut().zip(m).zip(&k.threshold) {
            *x = m - th;
        }
        p.shape
            .derivative_row(&self.shifted, 0.0, p.surrogate_beta, &mut self.slope);
        // A live (non-detached) reset sends gradient into s[t].
        if !k.reset_detached {
            for j in 0..width {
                self.g_spike[j] += g.gu[j]
                    * match k.reset {
                        ResetMode::Zero => k.v_reset[j] - self.a[j],
                        ResetMode::Subtract => -k.threshold[j],
                        ResetMode::None => 0.0,
                    };
            }
        }
        let zero_reset = k.reset == ResetMode::Zero;
        for j in 0..width {
            let keep = if zero_reset { 1.0 - r.s[j] } else { 1.0 };
            let g_m = self.g_spike[j] * self.slope[j];
            let g_a = g.gu[j] * keep + if same { g_m } else { 0.0 };
            let g_u = k.beta[j] * g_a + if same { 0.0 } else { g_m };
            let g_used = k.c[j] * g_a;
            if now {
                // I[t] = α·I[t−1] + κ·(h + V·s[t−1]) began the step.
                let g_total = g.gi[j] + g_used;
                g.gd[j] = k.kappa[j] * g_total;
                g.gi[j] = k.alpha[j] * g_total;
            } else {
                g.gi[j] = k.alpha[j] * g.gi[j] + g_used;
            }
            g.gu[j] = g_u;
        }
    }
}

/// V's gradient: Σ_b sᵀ·g over these rows, visiting only the (sparse) spikes.
fn accumulate_v(gv: Option<&mut Vec<f32>>, s: &[f32], g: &[f32], width: usize) {
    let Some(gv) = gv else { return };
    for (sr, gr) in s.chunks(width).zip(g.chunks(width)) {
        for (n, &sn) in sr.iter().enumerate() {
            if sn != 0.0 {
                for (gvv, x) in gv[n * width..(n + 1) * width].iter_mut().zip(gr) {
                    *gvv += x;
                }
            }
        }
    }
}

/// a · vᵀ for row-major a [rows, n] and v [n, n]: out[r][k] = Σ_j a[r][j]·v[k][j].
fn matmul_transposed_rhs(a: &[f32], v: &[f32], out: &mut [f32], n: usize) {
    let rows = a.len() / n;
    assert!(
        a.len() == rows * n && out.len() == rows * n && v.len() == n * n,
        "matmul shapes"
    );
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
            // Each task is already one of several running in parallel.
            gemm::Parallelism::None,
        );
    }
}
