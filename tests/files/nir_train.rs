//! Imported networks in the trainer and on the command line: `eval --nir` scores an imported
//! Braille network as the golden-checked per-step engine path does, `train --init-nir`
//! lowers its loss with another surrogate, its export reopens as the same network, and the
//! refusals are one line.

use crate::common;

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use common::to_vec;
use surrogate_lab::config::Config;
use surrogate_lab::nir::flavour::Flavour;
use surrogate_lab::nir::import::{self, Opened};
use surrogate_lab::snn::network::{Path as RunPath, forward_with};
use surrogate_lab::train::Trainer;
use surrogate_lab::train::trainer::ImportedNetwork;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nir-paper")
        .join(name)
}

/// A small Randman data set as wide as the Braille networks: 12 inputs, 7 classes.
const BRAILLE_DATA: &[&str] = &[
    "data.randman.units=12",
    "data.randman.classes=7",
    "data.randman.samples_per_class=20",
    "data.randman.spikes_per_unit=6",
    "data.steps=100",
    "optim.batch_size=16",
];

fn braille_config() -> Config {
    BRAILLE_DATA
        .iter()
        .fold(Config::default(), |c, kv| c.set(kv).expect("valid edit"))
}

fn open(name: &str, dt_ms: Option<f64>) -> Opened {
    import::open(&fixture(name), dt_ms, None, &Device::flex()).expect("opens")
}

fn braille_trainer(config: Config) -> Trainer {
    let mut t = Trainer::new(config).expect("valid");
    t.import(ImportedNetwork::from(&open(
        "braille_noDelay_bias_zero.nir",
        Some(0.1),
    )))
    .expect("fits");
    t
}

/// The oracle: the per-step engine path (the one tests/nir_run.rs checks against Norse's
/// goldens) over the whole test split, then max-over-time scores, cross-entropy and
/// accuracy computed here in f64.
fn per_step_loss_and_accuracy(t: &Trainer) -> (f64, f64) {
    let split = &t.data().test;
    let indices: Vec<usize> = (0..split.len()).collect();
    let input = split.dense_batch(&indices, &Device::flex());
    let net = t.network_dynamics();
    let out = forward_with(
        t.weights(),
        input,
        &net,
        &t.config().surrogate,
        RunPath::PerStep,
    );
    let [steps, batch, outputs] = out.readout.dims();
    let r = to_vec(out.readout);
    let labels = split.batch_labels(&indices);
    let (mut loss, mut correct) = (0.0f64, 0usize);
    for (b, &label) in labels.iter().enumerate() {
        let scores: Vec<f64> = (0..outputs)
            .map(|o| {
                (0..steps)
                    .map(|s| r[(s * batch + b) * outputs + o] as f64)
                    .fold(f64::NEG_INFINITY, f64::max)
            })
            .collect();
        let top = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = top + scores.iter().map(|s| (s - top).exp()).sum::<f64>().ln();
        loss += lse - scores[label];
        let best = (0..outputs)
            .max_by(|&a, &c| scores[a].total_cmp(&scores[c]))
            .unwrap_or(0);
        correct += usize::from(best == label);
    }
    (loss / batch as f64, correct as f64 / batch as f64)
}

#[test]
fn evaluating_an_imported_braille_network_matches_the_per_step_engine() {
    let t = braille_trainer(braille_config());
    let (loss, acc) = per_step_loss_and_accuracy(&t);
    let m = t.evaluate(&t.data().test);
    assert!(
        (m.loss as f64 - loss).abs() <= 1e-4 * loss.abs().max(1.0),
        "trainer loss {} vs per-step {loss}",
        m.loss
    );
    assert!(
        (m.accuracy as f64 - acc).abs() < 1e-6,
        "accuracy {} vs {acc}",
        m.accuracy
    );
    assert!(
        m.rate_hz[0] > 0.0,
        "the hidden layer is silent: the check would be vacuous"
    );

    // The command line prints the same numbers (rounded to 4 places).
    let mut args = vec![
        "eval".to_string(),
        "--nir".into(),
        fixture("braille_noDelay_bias_zero.nir")
            .display()
            .to_string(),
        "--dt-ms".into(),
        "0.1".into(),
        "--json".into(),
    ];
    for kv in BRAILLE_DATA {
        args.extend(["--set".to_string(), kv.to_string()]);
    }
    let out = common::cli_ok(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("12 → 38 recurrent CubaLIF → 7 CubaLIF, Δt 0.1 ms (forward Euler)"),
        "{stderr}"
    );
    let line: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("one JSON object on stdout");
    let cli_loss = line["test_loss"].as_f64().unwrap_or(f64::NAN);
    let cli_acc = line["test_acc"].as_f64().unwrap_or(f64::NAN);
    assert!(
        (cli_loss - loss).abs() <= 1e-4 * loss.max(1.0),
        "{cli_loss} vs {loss}"
    );
    assert!((cli_acc - acc).abs() < 1e-6, "{cli_acc} vs {acc}");
}

#[test]
fn training_an_imported_network_lowers_its_loss_and_keeps_its_neurons() {
    let config = braille_config()
        .set("surrogate.shape=\"sigmoid\"")
        .and_then(|c| c.set("optim.lr=0.005"))
        .expect("valid");
    let mut t = braille_trainer(config);
    let before_net = t.network_dynamics();
    let before = t.evaluate(&t.data().train).loss;
    for _ in 0..3 {
        t.run_epoch().expect("trains");
    }
    let after = t.evaluate(&t.data().train).loss;
    assert!(
        after < before * 0.9,
        "training loss {before} → {after}: not lowered"
    );
    // The neurons, biases and conventions are the file's; only the weights moved.
    assert_eq!(t.network_dynamics(), before_net);
    let moved = to_vec(t.weights().hidden[0].clone());
    let first = to_vec(t.imported().expect("imported").weights.hidden[0].clone());
    assert_ne!(moved, first);

    // Exported and opened again (Δt and conventions from our metadata): the same network.
    let dir = std::env::temp_dir().join(format!("surrogate-lab-nir-train-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("trained.nir");
    // What the trainer holds (its Δt and discretisation are the ones the file was opened with).
    surrogate_lab::io::weights::save_held_nir(&path, &t.held(), Flavour::Generic).expect("writes");
    let again = import::open(&path, None, None, &Device::flex()).expect("reopens");
    let mut u = Trainer::new(braille_config()).expect("valid");
    u.import(ImportedNetwork::from(&again)).expect("fits");
    let (a, b) = (
        t.evaluate(&t.data().test).loss,
        u.evaluate(&u.data().test).loss,
    );
    assert!((a - b).abs() <= 1e-6 * a.abs().max(1.0), "{a} vs {b}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_source_our_exports_write_is_the_one_import_recognises() {
    assert_eq!(import::OURS, surrogate_lab::io::weights::FORMAT);
}

fn one_line_refusal(args: &[&str], needle: &str) {
    let out = common::cli(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
}

#[test]
fn command_line_refusals_are_one_line() {
    let braille = fixture("braille_noDelay_bias_zero.nir");
    let braille = braille.to_str().expect("utf-8 path");
    // Randman's default 20 inputs do not fit a 12-input network.
    one_line_refusal(
        &["eval", "--nir", braille, "--dt-ms", "0.1"],
        "the network takes 12 inputs, the data set",
    );
    one_line_refusal(
        &[
            "train",
            "--init-nir",
            braille,
            "--dt-ms",
            "0.1",
            "--epochs",
            "1",
        ],
        "the network takes 12 inputs",
    );
    // A file that is not HDF5.
    let readme = fixture("README.md");
    one_line_refusal(
        &[
            "eval",
            "--nir",
            readme.to_str().expect("utf-8"),
            "--dt-ms",
            "0.1",
        ],
        "not an HDF5 file",
    );
    // No Δt: NIR stores none and the graph is not ours.
    one_line_refusal(&["eval", "--nir", braille], "does not store its time step");
    one_line_refusal(
        &[
            "eval",
            "--nir",
            braille,
            "--dt-ms",
            "0.1",
            "--discretisation",
            "rk4",
        ],
        "--discretisation rk4",
    );
    one_line_refusal(&["--dt-ms", "0.1"], "go with --open-network");
}
