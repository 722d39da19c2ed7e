//! Writes that fail (a full disk, a read-only folder) fail with one line naming the file and
//! the reason, and leave the old file exactly as it was, with no temporary file behind. The
//! failures are injected into `io::atomic` (every file the program writes goes through it): as
//! root, permission bits stop nothing, and no small tmpfs can be mounted here.

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use surrogate_lab::atomic::{Fault, with_fault, write_atomic};
use surrogate_lab::config::Config;
use surrogate_lab::io::weights::{self, TrainingSummary};
use surrogate_lab::snn::init::init_weights;
use surrogate_lab::snn::network::Weights;

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("surrogate-lab-disk-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const FAULTS: [(Fault, &str); 5] = [
    (Fault::Create, "read-only"),
    (Fault::WriteAfter(0), "no space left"),
    (Fault::WriteAfter(100), "no space left"),
    (Fault::Sync, "no space left"),
    (Fault::Rename, "read-only"),
];

/// Writes a good file with `save`, then tries again under every fault: each attempt must fail
/// with one line naming the file and the reason, and leave the good file and the folder as they
/// were. Finally the fault is lifted and the write goes through.
fn check_writer(name: &str, file: &str, save: impl Fn(&Path, u64) -> Result<(), String>) {
    let dir = temp_dir(name);
    let path = dir.join(file);
    save(&path, 1).expect("the first write succeeds");
    let good = std::fs::read(&path).expect("written");
    let listing = files_in(&dir);
    for (fault, reason) in FAULTS {
        let err = with_fault(fault, || save(&path, 2)).expect_err("the fault must fail the write");
        assert!(!err.contains('\n'), "{name} {fault:?}: not one line: {err}");
        assert!(
            err.contains(&path.display().to_string()),
            "{name} {fault:?}: the message must name the file: {err}"
        );
        assert!(
            err.contains(reason),
            "{name} {fault:?}: the message must say why ({reason}): {err}"
        );
        assert_eq!(
            std::fs::read(&path).expect("still there"),
            good,
            "{name} {fault:?}: the old file changed"
        );
        assert_eq!(
            files_in(&dir),
            listing,
            "{name} {fault:?}: a temporary file was left behind"
        );
    }
    save(&path, 2).expect("without the fault the write succeeds");
    assert_ne!(
        std::fs::read(&path).expect("written"),
        good,
        "{name}: the second version must differ from the first, or this test proves nothing"
    );
    assert_eq!(files_in(&dir), listing);
}

fn weights(seed: u64) -> (Weights, Config) {
    let config = Config::default();
    let w = init_weights(&config.model, 20, 10, seed, &Device::flex(), None);
    (w, config)
}

#[test]
fn plain_atomic_write_keeps_the_old_file_under_every_fault() {
    check_writer("plain", "notes.txt", |path, version| {
        write_atomic(path, format!("version {version}\n").repeat(200).as_bytes())
            .map_err(|e| e.to_string())
    });
}

#[test]
fn experiment_save_keeps_the_old_file_under_every_fault() {
    check_writer("experiment", "experiment.toml", |path, version| {
        let mut training = Config::default().training;
        training.seed = version;
        Config::from(training).save(path).map_err(|e| e.to_string())
    });
}

#[test]
fn safetensors_save_keeps_the_old_file_under_every_fault() {
    check_writer("safetensors", "weights.safetensors", |path, version| {
        let (w, config) = weights(version);
        weights::save_safetensors(path, &w, &config, &TrainingSummary::default())
            .map_err(|e| e.to_string())
    });
}

#[test]
fn nir_save_keeps_the_old_file_under_every_fault() {
    check_writer("nir", "network.nir", |path, version| {
        let (w, config) = weights(version);
        weights::save_nir(path, &w, &config).map_err(|e| e.to_string())
    });
}

/// A real refusal by the OS (no injection): the folder does not exist, or is a file.
#[test]
fn a_folder_that_is_missing_or_a_file_fails_with_one_line() {
    let dir = temp_dir("missing");
    let blocker = dir.join("not-a-folder");
    std::fs::write(&blocker, b"x").expect("written");
    for path in [
        dir.join("no-such-folder").join("out.toml"),
        blocker.join("out.toml"),
    ] {
        let err = Config::default()
            .save(&path)
            .expect_err("cannot be written")
            .to_string();
        assert!(!err.contains('\n'), "{err}");
        assert!(err.contains(&path.display().to_string()), "{err}");
    }
    assert_eq!(std::fs::read(&blocker).expect("kept"), b"x");
    assert_eq!(files_in(&dir), vec!["not-a-folder".to_string()]);
}

/// The fault is confined to the closure: the next write on the same thread goes through.
#[test]
fn a_fault_ends_with_its_closure() {
    let dir = temp_dir("scope");
    let path = dir.join("a.txt");
    let _ = with_fault(Fault::Create, || write_atomic(&path, b"no"));
    write_atomic(&path, b"yes").expect("no fault outside the closure");
    assert_eq!(std::fs::read(&path).expect("written"), b"yes");
}
