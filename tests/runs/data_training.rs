//! Real data sets are learned within an epoch budget: the bundled MNIST-5k digits to ≥ 90 %
//! test accuracy, the tiny SHD-format files of tests/fixtures/shd-format to ≥ 50 % (chance 5 %),
//! both through the trainer with the recommended settings and through the command line.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use surrogate_lab::config::{self, Config};

use surrogate_lab::data::config::DataKind;
use surrogate_lab::train::Trainer;

fn tiny_shd_train() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shd-format/tiny_shd_train.h5")
}

/// Best test accuracy within `budget` epochs, stopping once `target` is reached.
fn best_accuracy(config: Config, budget: usize, target: f32) -> f32 {
    let mut trainer = Trainer::new(config).unwrap_or_else(|e| panic!("{e}"));
    let mut best = 0.0f32;
    for _ in 0..budget {
        let m = trainer.run_epoch().expect("no divergence");
        eprintln!(
            "{}: epoch {} test acc {:.3}",
            trainer.data().name,
            m.epoch,
            m.test_acc
        );
        best = best.max(m.test_acc);
        if best >= target {
            break;
        }
    }
    best
}

/// Runs `surrogate-lab train ARGS --json`, reading epochs as they come and stopping the run
/// once `target` test accuracy is reached; returns the best accuracy and the epochs it took.
fn cli_best_accuracy(args: &[&str], target: f64) -> (f64, usize) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_surrogate-lab"))
        .arg("train")
        .args(args)
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("binary runs");
    let stdout = child.stdout.take().expect("piped");
    let (mut best, mut epochs) = (0.0f64, 0);
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("utf-8");
        let v: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let acc = v["test_acc"].as_f64().expect("test_acc");
        epochs = v["epoch"].as_u64().expect("epoch") as usize;
        eprintln!("cli epoch {epochs} test acc {acc:.3}");
        best = best.max(acc);
        if best >= target {
            let _ = child.kill();
            break;
        }
    }
    let _ = child.wait();
    (best, epochs)
}

#[test]
fn bundled_mnist_5k_reaches_90_percent_with_the_recommended_settings() {
    let budget = 20;
    let best = best_accuracy(config::preset(DataKind::Mnist5k, None), budget, 0.90);
    assert!(
        best >= 0.90,
        "best test accuracy {best} within {budget} epochs"
    );
}

#[test]
fn tiny_shd_reaches_50_percent_with_the_recommended_settings() {
    let budget = 15;
    let best = best_accuracy(
        config::preset(DataKind::Shd, Some(&tiny_shd_train())),
        budget,
        0.50,
    );
    assert!(
        best >= 0.50,
        "best test accuracy {best} within {budget} epochs (chance 0.05)"
    );
}

#[test]
fn command_line_learns_bundled_mnist_5k_with_its_defaults() {
    // The bare command of the issue: Randman's model defaults, 90 % by epoch 5 here.
    let budget = 12;
    let (best, epochs) = cli_best_accuracy(
        &[
            "--set",
            "data.kind=mnist5k",
            "--epochs",
            &budget.to_string(),
        ],
        0.90,
    );
    assert!(
        best >= 0.90,
        "best test accuracy {best} after {epochs} of {budget} epochs"
    );
}

#[test]
fn command_line_learns_tiny_shd_given_by_path() {
    let budget = 15;
    let path = tiny_shd_train().display().to_string();
    let set = [
        "data.kind=shd",
        &format!("data.path={path}"),
        "model.hidden=[128]",
        "model.recurrent=true",
        "model.init.gain=3",
        "optim.lr=0.002",
        "optim.batch_size=32",
    ];
    let mut args: Vec<&str> = set.iter().flat_map(|s| ["--set", s]).collect();
    let budget_arg = budget.to_string();
    args.extend(["--epochs", &budget_arg]);
    let (best, epochs) = cli_best_accuracy(&args, 0.50);
    assert!(
        best >= 0.50,
        "best test accuracy {best} after {epochs} of {budget} epochs (chance 0.05)"
    );
}
