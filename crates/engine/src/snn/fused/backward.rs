//! BPTT through the fused loop, in reverse time: ∂L/∂U, ∂L/∂I and ∂L/∂s per step with
//! σ′(M − ϑ), for every convention of `dynamics.rs`, returning the gradients of the layer's
//! drive and of its recurrent weights.

use rayon::prelude::*;

use super::{
    HostTrace, LifParams, SAMPLES_PER_TASK, for_each_nonzero, integrate, pool, spike,
    sum_in_task_order, task_rows, task_rows_mut, wide::wide_fn,
};
use crate::data::batch::SparseBatch;
use crate::snn::dynamics::{CurrentTiming, LayerDynamics, ResetTiming};
use crate::snn::lif::ResetMode;
use crate::snn::sparse_input::scatter_row;

/// BPTT through [`forward_host`]: the gradients of the drive (the current [T, batch, width],
/// or with `events`, the input weights [inputs, width]) and of the recurrent weights.
///
/// Samples are independent, so each task runs the whole reverse time loop for its samples
/// (see `SAMPLES_PER_TASK`); the weights' gradients are summed per task and the task sums are
/// added in task order, so the result does not depend on the thread count.
pub(super) fn backward_host(
    trace: &HostTrace,
    recurrent: Option<&[f32]>,
    events: Option<&SparseBatch>,
    grad_spikes: &[f32],
    dims @ [steps, batch, width]: [usize; 3],
    p: &LifParams,
) -> (Vec<f32>, Option<Vec<f32>>) {
    // Every value is written below.
    let mut grad_current = match events {
        Some(_) => Vec::new(),
        None => pool::take(steps * batch * width),
    };
    let drive_grads: Vec<TaskDriveGrad> = match events {
        Some(e) => (0..batch)
            .step_by(SAMPLES_PER_TASK)
            .map(|first| TaskDriveGrad::Events {
                events: e,
                first,
                rows: vec![0f32; SAMPLES_PER_TASK.min(batch - first) * width],
                weight: vec![0f32; e.inputs * width],
            })
            .collect(),
        None => task_rows_mut(&mut grad_current, dims)
            .into_iter()
            .map(TaskDriveGrad::Current)
            .collect(),
    };
    let partials: Vec<TaskShares> = task_rows(&trace.mem, dims)
        .into_par_iter()
        .zip(task_rows(&trace.syn, dims))
        .zip(task_rows(grad_spikes, dims))
        .zip(drive_grads)
        .map(|(((u, i), gs), gd)| {
            let task = TaskTrace { u, i, gs };
            backward_task(&task, gd, recurrent, width, p)
        })
        .collect();
    let grad_v = recurrent.map(|_| {
        sum_in_task_order(
            partials.iter().filter_map(|(v, _)| v.as_ref()),
            width * width,
        )
    });
    let grad_drive = match events {
        Some(e) => sum_in_task_order(
            partials.iter().filter_map(|(_, w)| w.as_ref()),
            e.inputs * width,
        ),
        None => grad_current,
    };
    (grad_drive, grad_v)
}

/// One task's shares of V's gradient and (with events) of W's.
type TaskShares = (Option<Vec<f32>>, Option<Vec<f32>>);

/// One task's rows of the forward's trace and of the incoming gradient, per step.
struct TaskTrace<'a> {
    u: Vec<&'a [f32]>,
    i: Vec<&'a [f32]>,
    gs: Vec<&'a [f32]>,
}

/// Where one task's drive gradient goes.
enum TaskDriveGrad<'a> {
    /// Its rows of ∂L/∂h per step.
    Current(Vec<&'a mut [f32]>),
    /// ∂L/∂h of one step at a time, scattered into its share of W's gradient.
    Events {
        events: &'a SparseBatch,
        first: usize,
        rows: Vec<f32>,
        weight: Vec<f32>,
    },
}

impl TaskDriveGrad<'_> {
    /// Where ∂L/∂h[t] of the task's rows is written.
    #[inline(always)]
    fn rows(&mut self, t: usize) -> &mut [f32] {
        match self {
            TaskDriveGrad::Current(rows) => rows[t],
            TaskDriveGrad::Events { rows, .. } => rows,
        }
    }

    /// ∂L/∂h[t] is complete: with events, add it to W's rows of step t's events.
    #[inline(always)]
    fn step_done(&mut self, t: usize, width: usize) {
        if let TaskDriveGrad::Events {
            events,
            first,
            rows,
            weight,
        } = self
        {
            for (b, g) in rows.chunks(width).enumerate() {
                scatter_row(events.row(t * events.batch + *first + b), g, weight);
            }
        }
    }

    fn into_weight(self) -> Option<Vec<f32>> {
        match self {
            TaskDriveGrad::Current(_) => None,
            TaskDriveGrad::Events { weight, .. } => Some(weight),
        }
    }
}

/// s[t] = Θ(M − ϑ) of a task's rows, recomputed from the trace exactly as the forward
/// computed it (M = U, or A = β·U + c·I + λ when the reset comes in the same step).
#[inline(always)]
fn spikes_at(u: &[f32], i: &[f32], k: &LayerDynamics, out: &mut [f32]) {
    let same = k.reset_timing == ResetTiming::Same;
    let w = k.width();
    for ((sr, ur), ir) in out.chunks_mut(w).zip(u.chunks(w)).zip(i.chunks(w)) {
        for j in 0..w.min(sr.len()) {
            let m = if same {
                integrate(k.beta[j], ur[j], k.c[j], ir[j], k.leak[j])
            } else {
                ur[j]
            };
            sr[j] = spike(m, k.threshold[j]);
        }
    }
}

wide_fn! {
/// The reverse time loop for one task's samples; writes their drive gradient into `gd` and
/// returns their shares of V's gradient and (with events) of W's.
fn backward_task(
    tr: &TaskTrace,
    gd: TaskDriveGrad,
    recurrent: Option<&[f32]>,
    width: usize,
    p: &LifParams,
) -> TaskShares {
    let mut gd = gd;
    let k = &*p.layer;
    let now = k.current == CurrentTiming::This;
    let steps = tr.u.len();
    let rows = tr.u.first().map_or(0, |r| r.len());
    let mut grad_v = recurrent.map(|_| vec![0f32; width * width]);
    let through_v = recurrent.is_some() && !k.recurrent_detached;
    // ∂L/∂U and ∂L/∂I after step t, and ∂L/∂s[t] through V in the step that reads s[t].
    let mut g_mem = vec![0f32; rows];
    let mut g_syn = vec![0f32; rows];
    let mut g_carry = vec![0f32; rows];
    // The spikes V's gradient pairs with (s[t], or s[t − 1] when the current is this step's).
    let mut spikes = recurrent.map(|_| vec![0f32; rows]);
    let mut scratch = RowScratch::new(width);
    for t in (0..steps).rev() {
        let g_drive = gd.rows(t);
        // Previous-current: I ← α·I + κ·(h + V·s[t]) ends the step; its drive gradient is
        // κ·∂L/∂I, known before the membrane's.
        if !now {
            for (gdr, gir) in g_drive.chunks_mut(width).zip(g_syn.chunks(width)) {
                for ((g, &gi), &kj) in gdr.iter_mut().zip(gir).zip(&k.kappa) {
                    *g = kj * gi;
                }
            }
            if let (Some(v), Some(s)) = (recurrent, spikes.as_mut()) {
                spikes_at(tr.u[t], tr.i[t], k, s);
                accumulate_v(grad_v.as_mut(), s, g_drive, width);
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
        if now && let (Some(v), Some(s)) = (recurrent, spikes.as_mut()) {
            if t > 0 {
                spikes_at(tr.u[t - 1], tr.i[t - 1], k, s);
                accumulate_v(grad_v.as_mut(), s, g_drive, width);
            }
            if through_v {
                matmul_transposed_rhs(g_drive, v, &mut g_carry, width);
            }
        }
        gd.step_done(t, width);
    }
    (grad_v, gd.into_weight())
}
}

/// One sample's saved values at one step, and ∂L/∂s[t] carried back through V.
struct RowTrace<'a> {
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
    /// ∂s[t]/∂U through a live reset: V_reset − A (to zero), −ϑ (by subtraction), else 0.
    reset_slope: Vec<f32>,
    /// The zero-reset's gate 1 − s[t] (1 for the other resets).
    keep: Vec<f32>,
    shifted: Vec<f32>,
    slope: Vec<f32>,
    /// ∂L/∂s[t] through V when the recurrence is live, else zeros.
    no_carry: Vec<f32>,
}

impl RowScratch {
    fn new(width: usize) -> Self {
        Self {
            reset_slope: vec![0f32; width],
            keep: vec![0f32; width],
            shifted: vec![0f32; width],
            slope: vec![0f32; width],
            no_carry: vec![0f32; width],
        }
    }

    /// One sample through one step backwards. Every decision that holds for the whole layer
    /// is taken before the loops (the reset as a per-neuron slope, the timings as constant
    /// generics) and every slice is cut to the row's width first, so each loop is
    /// branch-free and bounds-check-free and the compiler vectorizes it.
    #[inline(always)]
    fn step(&mut self, r: RowTrace, g: RowGrads, k: &LayerDynamics, p: &LifParams) {
        match (
            k.current == CurrentTiming::This,
            k.reset_timing == ResetTiming::Same,
        ) {
            (false, false) => self.step_as::<false, false>(r, g, k, p),
            (false, true) => self.step_as::<false, true>(r, g, k, p),
            (true, false) => self.step_as::<true, false>(r, g, k, p),
            (true, true) => self.step_as::<true, true>(r, g, k, p),
        }
    }

    #[inline(always)]
    fn step_as<const NOW: bool, const SAME: bool>(
        &mut self,
        r: RowTrace,
        g: RowGrads,
        k: &LayerDynamics,
        p: &LifParams,
    ) {
        let w = self.slope.len();
        let (beta, c, leak, th) = (&k.beta[..w], &k.c[..w], &k.leak[..w], &k.threshold[..w]);
        let (alpha, kappa, v_reset) = (&k.alpha[..w], &k.kappa[..w], &k.v_reset[..w]);
        let (u, i, gs) = (&r.u[..w], &r.i[..w], &r.gs[..w]);
        let carried = &r.carried.unwrap_or(&self.no_carry)[..w];
        let (gu, gi, gd) = (&mut g.gu[..w], &mut g.gi[..w], &mut g.gd[..w]);
        let (reset_slope, keep) = (&mut self.reset_slope[..w], &mut self.keep[..w]);
        let (shifted, slope) = (&mut self.shifted[..w], &mut self.slope[..w]);
        let zero_reset = k.reset == ResetMode::Zero;
        // A = β·U + c·I + λ and M (A or U) as the forward had them, M − ϑ, and the
        // zero-reset's gate 1 − s[t] with s[t] = Θ(M − ϑ) as the forward compared.
        for j in 0..w {
            let a = integrate(beta[j], u[j], c[j], i[j], leak[j]);
            let m = if SAME { a } else { u[j] };
            shifted[j] = m - th[j];
            reset_slope[j] = v_reset[j] - a;
            keep[j] = if zero_reset {
                1.0 - spike(m, th[j])
            } else {
                1.0
            };
        }
        // A detached reset sends no gradient into s[t].
        match (k.reset, k.reset_detached) {
            (ResetMode::Zero, false) => {}
            (ResetMode::Subtract, false) => {
                for (x, &t) in reset_slope.iter_mut().zip(th) {
                    *x = -t;
                }
            }
            _ => reset_slope.fill(0.0),
        }
        p.shape
            .derivative_row(shifted, 0.0, p.surrogate_beta, slope);
        for j in 0..w {
            // ∂L/∂s[t]: direct, through the recurrence into the next synapse step, and
            // through a live reset.
            let g_m = (gs[j] + carried[j] + gu[j] * reset_slope[j]) * slope[j];
            let g_a = gu[j] * keep[j] + if SAME { g_m } else { 0.0 };
            let g_used = c[j] * g_a;
            gu[j] = beta[j] * g_a + if SAME { 0.0 } else { g_m };
            if NOW {
                // I[t] = α·I[t−1] + κ·(h + V·s[t−1]) began the step.
                let g_total = gi[j] + g_used;
                gd[j] = kappa[j] * g_total;
                gi[j] = alpha[j] * g_total;
            } else {
                gi[j] = alpha[j] * gi[j] + g_used;
            }
        }
    }
}

/// V's gradient: Σ_b sᵀ·g over these rows, visiting only the (sparse) spikes.
#[inline(always)]
fn accumulate_v(gv: Option<&mut Vec<f32>>, s: &[f32], g: &[f32], width: usize) {
    let Some(gv) = gv else { return };
    for (sr, gr) in s.chunks(width).zip(g.chunks(width)) {
        for_each_nonzero(sr, |n, _| {
            for (gvv, x) in gv[n * width..(n + 1) * width].iter_mut().zip(gr) {
                *gvv += x;
            }
        });
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
