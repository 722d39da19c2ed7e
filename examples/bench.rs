//! Training throughput and peak memory (a benchmark, not a test).
//!
//!   cargo run --release --features ndarray --example bench              # both configurations
//!   cargo run --release --features ndarray --example bench -- randman [--backend flex]
//!   cargo run --release --features ndarray --example bench -- shd [--backend flex]
//!
//! Options: `--backend flex|ndarray|wgpu`, `--per-step` (the per-step graph instead of the
//! fused op), `--batches N` (timed batches; default 12 for Randman, 4 for SHD-sized),
//! `--per-class N` (Randman samples per class, default 1000: fewer make the data quicker to
//! generate, for profiling under valgrind; they must still hold batches + 1 training batches),
//! `--phases` (also print where a batch's time went: input, forward, loss, backward,
//! gradients, optimizer, metrics; the trainer's own stopwatch).
//!
//! Each configuration runs in its own process so that its peak memory (VmHWM) is its own.

use std::sync::Arc;
use std::time::Instant;

use surrogate_lab::config::Config;
use surrogate_lab::data::{DataSplits, SpikeDataset};
use surrogate_lab::rng::Rng;
use surrogate_lab::snn::model::PerLayer;
use surrogate_lab::train::Trainer;
use surrogate_lab::train::config::TrainingConfig;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// 700 inputs, each active with probability `density` per step, 20 classes.
fn shd_sized(samples: usize, density: f64, steps: usize) -> DataSplits {
    let mut rng = Rng::new(5);
    let mut make = |n: usize| {
        let mut d = SpikeDataset::new(700, steps, 20);
        for i in 0..n {
            let mut events = Vec::new();
            for t in 0..steps as u32 {
                for u in 0..700u32 {
                    if rng.uniform() < density {
                        events.push((t, u));
                    }
                }
            }
            d.push(events, i % 20).expect("in range");
        }
        d
    };
    DataSplits {
        name: "SHD-sized random".into(),
        train: make(samples),
        valid: None,
        test: make(256),
    }
}

fn measure(
    which: &str,
    backend: &str,
    per_step: bool,
    batches: Option<usize>,
    per_class: Option<usize>,
    phases: bool,
) {
    let mut config = Config::from(TrainingConfig {
        backend: backend.into(),
        ..TrainingConfig::default()
    });
    config.model.fused = !per_step;
    let (data, batches) = match which {
        "randman" => {
            // The paper's Randman configuration: 20 → 100 → 10, feed-forward, batch 250.
            if let Some(n) = per_class {
                config.data.randman.samples_per_class = n;
            }
            let data = surrogate_lab::data::load(&config.data).expect("randman generates");
            (data, batches.unwrap_or(12))
        }
        _ => {
            config.model.hidden = vec![256];
            config.model.recurrent = PerLayer::All(true);
            config.optim.batch_size = 256;
            let n = batches.unwrap_or(4);
            (shd_sized(256 * (n + 1), 0.01, 100), n)
        }
    };
    let samples_per_batch = config.optim.batch_size;
    let mut trainer = match Trainer::with_data(config, Arc::new(data)) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    // One warm-up batch (allocator, shader compilation on wgpu) is not timed.
    trainer.train_batch().expect("trains");
    let warm = trainer.phase_times().clone();
    let start = Instant::now();
    for _ in 0..batches {
        if trainer.train_batch().expect("trains").epoch_done {
            trainer.finish_epoch();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let path = match trainer.path() {
        surrogate_lab::snn::network::Path::Fused => "fused",
        surrogate_lab::snn::network::Path::PerStep => "per-step",
    };
    println!(
        "{which:8} backend {backend:8} {path:9} {:>8.0} training samples/s   peak RSS {:>7.0} MiB   ({batches} batches of {samples_per_batch} in {secs:.2} s)",
        (batches * samples_per_batch) as f64 / secs,
        peak_rss_mib()
    );
    if phases {
        let now = trainer.phase_times();
        let batches = (now.batches - warm.batches).max(1) as f64;
        let spent: Vec<(&str, f64)> = now
            .named()
            .iter()
            .zip(warm.named())
            .map(|((name, t), (_, t0))| (*name, (*t - t0).as_secs_f64() * 1e3 / batches))
            .collect();
        let total: f64 = spent.iter().map(|(_, ms)| ms).sum();
        let parts: Vec<String> = spent
            .iter()
            .map(|(name, ms)| format!("{name} {ms:.2} ms ({:.0} %)", 100.0 * ms / total.max(1e-12)))
            .collect();
        println!("{which:8} per batch {total:.2} ms: {}", parts.join(", "));
    }
}

fn main() {
    surrogate_lab::memory::keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backend = args
        .iter()
        .position(|a| a == "--backend")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| "flex".into());
    let per_step = args.iter().any(|a| a == "--per-step");
    let batches = args
        .iter()
        .position(|a| a == "--batches")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok());
    let per_class = args
        .iter()
        .position(|a| a == "--per-class")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok());
    let phases = args.iter().any(|a| a == "--phases");
    match args.first().map(String::as_str) {
        Some(which @ ("randman" | "shd")) => {
            measure(which, &backend, per_step, batches, per_class, phases)
        }
        _ => {
            let exe = std::env::current_exe().expect("own path");
            for which in ["randman", "shd"] {
                let mut child = std::process::Command::new(&exe);
                child.args([which, "--backend", &backend]);
                if per_step {
                    child.arg("--per-step");
                }
                if phases {
                    child.arg("--phases");
                }
                if let Some(n) = batches {
                    child.args(["--batches", &n.to_string()]);
                }
                if let Some(n) = per_class {
                    child.args(["--per-class", &n.to_string()]);
                }
                let status = child.status().expect("re-run self");
                if !status.success() {
                    std::process::exit(1);
                }
            }
        }
    }
}
