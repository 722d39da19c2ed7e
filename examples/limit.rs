//! The machine's limit for one training batch of BENCHMARKS.md's two configurations.
//!
//!   cargo run --release --features ndarray --example limit [-- --randman S/s --shd S/s]
//!
//! Measures two attainable rates on all threads (rayon's pool, `RAYON_NUM_THREADS`):
//! - gemm: the `gemm` crate (the one the fused op's backward uses) on [25,600 × 256] ×
//!   [256 × 256], the shape of the recurrent products, in GFLOP/s;
//! - streaming bandwidth: a STREAM-style triad a = b + s·c over 3 × 64 MiB, in GB/s (12 bytes
//!   per element counted, as STREAM does).
//!
//! Then counts the work of one batch (forward and backward) from the model's sizes, and prints
//! the roofline limit, samples/s ≤ batch / max(FLOPs / gemm rate, bytes / bandwidth), and the
//! fraction of it that the given measured rates reach. Every FLOP is charged at the gemm rate
//! (elementwise work runs slower than that), so the limit is optimistic: a true upper bound.

use std::time::Instant;

use rayon::prelude::*;

/// Sizes of one configuration (ARCHITECTURE.md §5, examples/bench.rs).
struct Model {
    name: &'static str,
    inputs: f64,
    hidden: f64,
    outputs: f64,
    steps: f64,
    batch: f64,
    input_density: f64,
    recurrent: bool,
}

/// FLOPs of one training batch that no implementation can avoid without dropping gradient
/// terms, and the bytes its saved state must move.
struct Work {
    /// Input spikes used sparsely, every other product dense.
    dense_flops: f64,
    /// The same with the recurrent and readout products over spikes only (at `rate`).
    event_flops: f64,
    bytes: f64,
}

impl Model {
    fn work(&self, rate: f64) -> Work {
        let rows = self.steps * self.batch; // T·batch
        let cells = rows * self.hidden; // neuron-steps
        let h = self.hidden;
        // Input projection of binary sparse input: one row of W added per spike, forward, and
        // scattered back into W's gradient (the input needs none).
        let input = 2.0 * rows * self.inputs * self.input_density * h;
        // LIF elementwise: ~10 FLOPs per neuron-step forward (synapse, membrane, threshold,
        // reset), ~21 backward (A again, σ′, ∂U, ∂I, ∂s).
        let lif = 31.0 * cells;
        // Readout: x·W forward, ∂x = g·Wᵀ and ∂W = xᵀ·g backward, plus its leaky filter
        // (~4 FLOPs per output-step each way).
        let readout_each = 2.0 * cells * self.outputs;
        let filter = 8.0 * rows * self.outputs;
        // Recurrence: s·V forward, ∂s = g·Vᵀ and ∂V = sᵀ·g backward.
        let rec_each = if self.recurrent { 2.0 * cells * h } else { 0.0 };
        let dense_flops = input + lif + 3.0 * readout_each + filter + 3.0 * rec_each;
        // Over spikes only: the forward products and the weight gradients scale with the
        // spike rate; ∂s = g·Wᵀ and g·Vᵀ stay dense (σ′ is nowhere zero for SuperSpike).
        let event_flops = input
            + lif
            + readout_each * (1.0 + 2.0 * rate)
            + filter
            + rec_each * (1.0 + 2.0 * rate);
        // Saved for the backward and read back: U and I in f32, s as one bit.
        let bytes = 2.0 * cells * (4.0 + 4.0 + 0.125);
        Work {
            dense_flops,
            event_flops,
            bytes,
        }
    }
}

fn gemm_gflops() -> f64 {
    let (m, n, k) = (25_600usize, 256usize, 256usize);
    let a = vec![0.5f32; m * k];
    let b = vec![0.25f32; k * n];
    let mut c = vec![0f32; m * n];
    let run = |c: &mut [f32]| {
        // SAFETY: a is [m, k], b [k, n], c [m, n], all row-major with the strides given, and
        // each buffer holds exactly those elements; c is not aliased.
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                c.as_mut_ptr(),
                1,
                n as isize,
                false,
                a.as_ptr(),
                1,
                k as isize,
                b.as_ptr(),
                1,
                n as isize,
                0.0,
                1.0,
                false,
                false,
                false,
                gemm::Parallelism::Rayon(0),
            );
        }
    };
    run(&mut c);
    let reps = 10;
    let start = Instant::now();
    for _ in 0..reps {
        run(&mut c);
    }
    let secs = start.elapsed().as_secs_f64();
    assert!(c[0].is_finite());
    (2 * m * n * k * reps) as f64 / secs / 1e9
}

fn triad_gbs() -> f64 {
    let len = 16 << 20; // 64 MiB per array
    let b = vec![1f32; len];
    let c = vec![2f32; len];
    let mut a = vec![0f32; len];
    let chunk = len / 64;
    let mut run = |s: f32| {
        a.par_chunks_mut(chunk)
            .zip(b.par_chunks(chunk))
            .zip(c.par_chunks(chunk))
            .for_each(|((a, b), c)| {
                for ((a, b), c) in a.iter_mut().zip(b).zip(c) {
                    *a = b + s * c;
                }
            });
    };
    run(1.0);
    let reps = 10;
    let start = Instant::now();
    for r in 0..reps {
        run(r as f32);
    }
    let secs = start.elapsed().as_secs_f64();
    (12 * len * reps) as f64 / secs / 1e9
}

fn arg(args: &[String], name: &str) -> Option<f64> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The hidden layers' spike rate for the event-driven count (spikes per neuron-step).
    let rate = arg(&args, "--rate").unwrap_or(0.05);
    let gflops = gemm_gflops();
    let gbs = triad_gbs();
    println!(
        "threads {}: gemm [25600x256]x[256x256] {gflops:.1} GFLOP/s, triad {gbs:.1} GB/s",
        rayon::current_num_threads()
    );
    let models = [
        Model {
            name: "randman",
            inputs: 20.0,
            hidden: 100.0,
            outputs: 10.0,
            steps: 100.0,
            batch: 250.0,
            input_density: 0.01,
            recurrent: false,
        },
        Model {
            name: "shd",
            inputs: 700.0,
            hidden: 256.0,
            outputs: 20.0,
            steps: 100.0,
            batch: 256.0,
            input_density: 0.01,
            recurrent: true,
        },
    ];
    for m in &models {
        let w = m.work(rate);
        let mem_secs = w.bytes / (gbs * 1e9);
        let limit = |flops: f64| m.batch / (flops / (gflops * 1e9)).max(mem_secs);
        let (dense, event) = (limit(w.dense_flops), limit(w.event_flops));
        let ours = arg(&args, &format!("--{}", m.name));
        let frac = |l: f64| ours.map_or(String::new(), |o| format!(" ({:.0} %)", 100.0 * o / l));
        println!(
            "{:8} per batch: {:.0} MFLOP dense, {:.0} MFLOP over spikes (rate {rate}), {:.0} MB saved state moved; \
             limit {dense:.0} samples/s dense{}, {event:.0} over spikes{}",
            m.name,
            w.dense_flops / 1e6,
            w.event_flops / 1e6,
            w.bytes / 1e6,
            frac(dense),
            frac(event),
        );
    }
}
