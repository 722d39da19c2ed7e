//! BPTT through the fused loop, in reverse time: ∂L/∂U, ∂L/∂I and ∂L/∂s per step with
//! σ′(M − ϑ), for every convention of `dynamics.rs`, returning the gradients of the layer's
//! drive and of its recurrent weights.

use rayon::prelude::*;

use super::{HostTrace, LifParams, rows_per_task};
use crate::snn::dynamics::{CurrentTiming, ResetTiming};
use crate::snn::lif::ResetMode;

/// BPTT through [`forward_host`]: gradients for the drive and the recurrent weights.
pub(super) fn backward_host(
    trace: &HostTrace,
    recurrent: Option<&[f32]>,
    grad_spikes: &[f32],
    [steps, batch, width]: [usize; 3],
    p: &LifParams,
) -> (Vec<f32>, Option<Vec<f32>>) {
    let k = &*p.layer;
    let now = k.current == CurrentTiming::This;
    let same = k.reset_timing == ResetTiming::Same;
    let slab = batch * width;
    let mut grad_current = vec![0f32; steps * slab];
    let mut grad_v = recurrent.map(|_| vec![0f32; width * width]);
    // ∂L/∂U and ∂L/∂I after step t, and (this-step current) ∂L/∂s[t] through V in step t+1.
    let mut g_mem = vec![0f32; slab];
    let mut g_syn = vec![0f32; slab];
    let mut g_carry = vec![0f32; slab];
    let min_len = rows_per_task(batch);
    for t in (0..steps).rev() {
        let range = t * slab..(t + 1) * slab;
        let (s_t, u_t, i_t) = (
            &trace.spikes[range.clone()],
            &trace.mem[range.clone()],
            &trace.syn[range.clone()],
        );
        let gs_t = &grad_spikes[range.clone()];
        // Previous-current: I ← α·I + κ·(h + V·s[t]) ends the step; its drive gradient is
        // κ·∂L/∂I, known before the membrane's.
        let mut g_drive = vec![0f32; slab];
        let mut through_v = None;
        if !now {
            for (b, gd) in g_drive.chunks_mut(width).enumerate() {
                for j in 0..width {
                    gd[j] = k.kappa[j] * g_syn[b * width + j];
                }
            }
            grad_current[range.clone()].copy_from_slice(&g_drive);
            if let Some(v) = recurrent {
                accumulate_v(grad_v.as_mut(), s_t, &g_drive, batch, width);
                if !k.recurrent_detached {
                    through_v = Some(matmul_transposed_rhs(&g_drive, v, batch, width));
                }
            }
        }
        let s_prev: &[f32] = if t == 0 {
            &[]
        } else {
            &trace.spikes[(t - 1) * slab..t * slab]
        };
        g_mem
            .par_chunks_mut(width)
            .zip(g_syn.par_chunks_mut(width))
            .zip(g_drive.par_chunks_mut(width))
            .enumerate()
            .with_min_len(min_len)
            .for_each(|(b, ((gu, gi), gd))| {
                let row = b * width..(b + 1) * width;
                let (s, u, i, gs) = (
                    &s_t[row.clone()],
                    &u_t[row.clone()],
                    &i_t[row.clone()],
                    &gs_t[row.clone()],
                );
                // ∂L/∂s[t]: direct, and through the recurrence into the next synapse step.
                let mut g_spike: Vec<f32> = gs.to_vec();
                let carried = match &through_v {
                    Some(r) => &r[row.clone()],
                    None => &g_carry[row.clone()],
                };
                // A detached recurrence ("Ctl") carries nothing back into s[t].
                if recurrent.is_some() && !k.recurrent_detached {
                    for (g, r) in g_spike.iter_mut().zip(carried) {
                        *g += r;
                    }
                }
                // A and M as the forward had them.
                let a: Vec<f32> = (0..width)
                    .map(|j| k.beta[j] * u[j] + k.c[j] * i[j] + k.leak[j])
                    .collect();
                let m: &[f32] = if same { &a } else { u };
                let shifted: Vec<f32> = m.iter().zip(&k.threshold).map(|(m, th)| m - th).collect();
                let mut slope = vec![0f32; width];
                p.shape
                    .derivative_row(&shifted, 0.0, p.surrogate_beta, &mut slope);
                let zero_reset = k.reset == ResetMode::Zero;
                // A live (non-detached) reset sends gradient into s[t].
                if !k.reset_detached {
                    for j in 0..width {
                        g_spike[j] += gu[j]
                            * match k.reset {
                                ResetMode::Zero => k.v_reset[j] - a[j],
                                ResetMode::Subtract => -k.threshold[j],
                                ResetMode::None => 0.0,
                            };
                    }
                }
                for j in 0..width {
                    let keep = if zero_reset { 1.0 - s[j] } else { 1.0 };
                    let g_m = g_spike[j] * slope[j];
                    let g_a = gu[j] * keep + if same { g_m } else { 0.0 };
                    let g_u = k.beta[j] * g_a + if same { 0.0 } else { g_m };
                    let g_used = k.c[j] * g_a;
                    if now {
                        // I[t] = α·I[t−1] + κ·(h + V·s[t−1]) began the step.
                        let g_total = gi[j] + g_used;
                        gd[j] = k.kappa[j] * g_total;
                        gi[j] = k.alpha[j] * g_total;
                    } else {
                        gi[j] = k.alpha[j] * gi[j] + g_used;
                    }
                    gu[j] = g_u;
                }
            });
        if now {
            grad_current[range].copy_from_slice(&g_drive);
            if let Some(v) = recurrent {
                if t > 0 {
                    accumulate_v(grad_v.as_mut(), s_prev, &g_drive, batch, width);
                }
                if !k.recurrent_detached {
                    g_carry = matmul_transposed_rhs(&g_drive, v, batch, width);
                }
            }
        }
    }
    (grad_current, grad_v)
}

/// V's gradient: Σ_b sᵀ·g, summed over the (sparse) spikes.
fn accumulate_v(gv: Option<&mut Vec<f32>>, s: &[f32], g: &[f32], batch: usize, width: usize) {
    let Some(gv) = gv else { return };
    for b in 0..batch {
        let gi = &g[b * width..(b + 1) * width];
        for (n, &sn) in s[b * width..(b + 1) * width].iter().enumerate() {
            if sn != 0.0 {
                for (gvv, x) in gv[n * width..(n + 1) * width].iter_mut().zip(gi) {
                    *gvv += x;
                }
            }
        }
    }
}

/// a · vᵀ for row-major a [rows, n] and v [n, n]: out[r][k] = Σ_j a[r][j]·v[k][j].
fn matmul_transposed_rhs(a: &[f32], v: &[f32], rows: usize, n: usize) -> Vec<f32> {
    assert!(a.len() == rows * n && v.len() == n * n, "matmul shapes");
    let mut out = vec![0f32; rows * n];
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
            gemm::Parallelism::Rayon(0),
        );
    }
    out
}
