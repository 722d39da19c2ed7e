//! Experiments and weights: files that reopen exactly, refusals that name what is wrong.

use crate::common;

use std::collections::BTreeMap;

use common::to_vec;
use surrogate_lab::config::Config;
use surrogate_lab::io::safetensors::{self, NamedTensor};
use surrogate_lab::io::weights::{self, TrainingSummary, decode_weight_file, weights_like};
use surrogate_lab::train::Trainer;

fn small_config() -> Config {
    let mut c = Config::default();
    c.data.randman.samples_per_class = 40;
    c.optim.batch_size = 80;
    c
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("surrogate-lab-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A trainer's weights as a safetensors file holds them: the tensors and the metadata.
fn encoded(t: &Trainer) -> (Vec<NamedTensor>, BTreeMap<String, String>) {
    let bytes = weights::encode_safetensors(t.weights(), t.config(), &TrainingSummary::default());
    safetensors::decode(&bytes).expect("decodes")
}

fn all_weights(t: &Trainer) -> Vec<Vec<f32>> {
    t.weights()
        .params()
        .into_iter()
        .map(|(_, w)| to_vec(w.clone()))
        .collect()
}

#[test]
fn safetensors_round_trip_gives_identical_weights_and_evaluation() {
    let dir = temp_dir("roundtrip");
    let mut config = small_config();
    config.model.recurrent = surrogate_lab::snn::model::PerLayer::All(true);
    let mut trained = Trainer::new(config.clone()).expect("valid");
    let epoch = trained.run_epoch().expect("trains");
    let path = dir.join("net.safetensors");
    let summary = TrainingSummary {
        epoch: Some(epoch.epoch),
        test_acc: Some(epoch.test_acc),
    };
    weights::save_safetensors(&path, trained.weights(), trained.config(), &summary).expect("saves");

    let file = weights::load_safetensors(&path).expect("loads");
    assert_eq!(file.summary, summary);
    let stored_config = file.config.clone().expect("config in metadata");
    assert_eq!(stored_config, config);

    let mut fresh = Trainer::new(stored_config).expect("valid");
    let device = fresh.weights().readout.device();
    let loaded = weights_like(fresh.weights(), &file, &device).expect("shapes match");
    fresh.set_weights(loaded);
    assert_eq!(all_weights(&fresh), all_weights(&trained), "bit-for-bit");
    let a = trained.evaluate(&trained.data().test);
    let b = fresh.evaluate(&fresh.data().test);
    assert_eq!((a.loss, a.accuracy), (b.loss, b.accuracy));
    assert_eq!(b.accuracy, epoch.test_acc);

    // Training continues from the loaded weights.
    let next = fresh.run_epoch().expect("continues");
    assert!(next.train_loss.is_finite());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn safetensors_hold_pytorch_orientation() {
    let trainer = Trainer::new(small_config()).expect("valid");
    let (tensors, meta) = encoded(&trainer);
    assert!(meta.contains_key("config"));
    let hidden = tensors
        .iter()
        .find(|t| t.name == "hidden.0.weight")
        .expect("present");
    assert_eq!(hidden.shape, vec![100, 20], "(out, in) as nn.Linear");
    // Element (out=j, in=i) of the file is our W[i][j].
    let ours = to_vec(trainer.weights().hidden[0].clone());
    assert_eq!(hidden.data[3 * 20 + 7], ours[7 * 100 + 3]);
}

#[test]
fn a_file_without_metadata_loads_given_a_matching_config() {
    let trainer = Trainer::new(small_config()).expect("valid");
    let bytes = weights::encode_safetensors(
        trainer.weights(),
        trainer.config(),
        &TrainingSummary::default(),
    );
    let (tensors, _) = safetensors::decode(&bytes).expect("decodes");
    let bare = safetensors::encode(&tensors, &BTreeMap::new());
    let file = decode_weight_file(&bare).expect("decodes");
    assert!(file.config.is_none());
    let device = trainer.weights().readout.device();
    let w = weights_like(trainer.weights(), &file, &device).expect("shapes match");
    assert_eq!(
        to_vec(w.readout.clone()),
        to_vec(trainer.weights().readout.clone())
    );
}

#[test]
fn mismatched_shapes_are_refused_naming_both() {
    let mut narrow = small_config();
    narrow.model.hidden = vec![30];
    let source = Trainer::new(narrow).expect("valid");
    let file = decode_weight_file(&weights::encode_safetensors(
        source.weights(),
        source.config(),
        &TrainingSummary::default(),
    ))
    .expect("decodes");
    let target = Trainer::new(small_config()).expect("valid");
    let device = target.weights().readout.device();
    let err = weights_like(target.weights(), &file, &device)
        .expect_err("shapes differ")
        .to_string();
    assert!(
        err.contains("(30, 20)") && err.contains("(100, 20)"),
        "{err}"
    );

    let missing = NamedTensor {
        name: "hidden.0.weight".into(),
        shape: vec![100, 20],
        data: vec![0.0; 2000],
    };
    let file =
        decode_weight_file(&safetensors::encode(&[missing], &BTreeMap::new())).expect("decodes");
    let err = weights_like(target.weights(), &file, &device)
        .expect_err("readout missing")
        .to_string();
    assert!(err.contains("readout.weight"), "{err}");
}

/// A weight file with a NaN or ∞ is refused, naming the tensor and the entry (in the file's
/// (out, in) orientation): loaded, it would train on a non-finite weight.
#[test]
fn weight_files_with_non_finite_values_are_refused_naming_tensor_and_entry() {
    let (tensors, meta) = encoded(&Trainer::new(small_config()).expect("valid"));
    for (bad, shown) in [
        (f32::NAN, "NaN"),
        (f32::INFINITY, "inf"),
        (f32::NEG_INFINITY, "-inf"),
    ] {
        let mut broken = tensors.clone();
        let readout = broken
            .iter_mut()
            .find(|t| t.name == "readout.weight")
            .expect("readout");
        let cols = readout.shape[1];
        readout.data[2 * cols + 7] = bad;
        let err = decode_weight_file(&safetensors::encode(&broken, &meta))
            .expect_err("non-finite")
            .to_string();
        assert!(
            err.contains("readout.weight") && err.contains("[2, 7]") && err.contains(shown),
            "{err}"
        );
        // The same through the command line: one line, exit 2, nothing evaluated.
        let dir = temp_dir("nonfinite");
        let path = dir.join("nan.safetensors");
        std::fs::write(&path, safetensors::encode(&broken, &meta)).expect("writes");
        let out = common::cli(&[
            "eval",
            "--weights",
            path.to_str().expect("utf-8"),
            "--set",
            "data.randman.samples_per_class=40",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("nan.safetensors") && stderr.contains("readout.weight"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn corrupt_weight_files_are_refused() {
    let dir = temp_dir("corrupt");
    let path = dir.join("bad.safetensors");
    std::fs::write(&path, b"\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":").expect("writes");
    let err = weights::load_safetensors(&path)
        .expect_err("truncated")
        .to_string();
    assert!(err.contains("bad.safetensors"), "{err}");
    let err = weights::load_safetensors(&dir.join("absent.safetensors"))
        .expect_err("missing")
        .to_string();
    assert!(err.contains("absent.safetensors"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn failed_writes_say_why_and_leave_what_was_there() {
    let dir = temp_dir("writes");
    let trainer = Trainer::new(small_config()).expect("valid");
    let summary = TrainingSummary::default();

    let missing = dir.join("no/such/folder/w.safetensors");
    let err = weights::save_safetensors(&missing, trainer.weights(), trainer.config(), &summary)
        .expect_err("missing folder")
        .to_string();
    assert!(err.contains("no/such/folder"), "{err}");

    // A non-empty directory where the file should go: the rename fails, nothing is replaced,
    // and no temporary file is left behind.
    let occupied = dir.join("occupied");
    std::fs::create_dir_all(occupied.join("inside")).expect("dir");
    let err = weights::save_safetensors(&occupied, trainer.weights(), trainer.config(), &summary)
        .expect_err("target is a directory")
        .to_string();
    assert!(err.contains("occupied"), "{err}");
    assert!(occupied.join("inside").is_dir());
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("lists")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    // A good file is replaced only by a complete one.
    let good = dir.join("good.safetensors");
    weights::save_safetensors(&good, trainer.weights(), trainer.config(), &summary).expect("saves");
    let before = std::fs::read(&good).expect("reads");
    weights::save_safetensors(&good, trainer.weights(), trainer.config(), &summary).expect("saves");
    assert_eq!(std::fs::read(&good).expect("reads"), before);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn nir_graph_has_the_documented_structure() {
    let mut config = small_config();
    config.model.hidden = vec![30, 20];
    config.model.recurrent = surrogate_lab::snn::model::PerLayer::Each(vec![false, true]);
    let trainer = Trainer::new(config.clone()).expect("valid");
    let bytes = weights::encode_nir(trainer.weights(), &config).expect("encodes");
    let file = hdf5_pure::File::from_bytes(bytes).expect("HDF5 parses");

    let kind = |node: &str| {
        file.dataset(&format!("node/nodes/{node}/type"))
            .and_then(|d| d.read_string())
            .map(|v| v.concat())
            .unwrap_or_default()
    };
    assert_eq!(kind("input"), "Input");
    assert_eq!(kind("fc0"), "Affine");
    assert_eq!(kind("lif0"), "CubaLIF");
    assert_eq!(kind("fc1"), "Affine");
    assert_eq!(kind("lif1"), "CubaLIF");
    assert_eq!(kind("rec1"), "Affine");
    assert_eq!(kind("fc_out"), "Affine");
    assert_eq!(kind("li_out"), "CubaLI");
    assert_eq!(kind("output"), "Output");
    assert!(
        file.group("node/nodes/rec0").is_err(),
        "layer 0 is feed-forward"
    );

    let edges = file.dataset("node/edges").expect("edges");
    assert_eq!(edges.shape().expect("shape"), vec![9, 2]);
    let flat = edges.read_string().expect("strings");
    let pairs: Vec<(String, String)> = flat
        .chunks(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect();
    for (a, b) in [
        ("input", "fc0"),
        ("fc0", "lif0"),
        ("lif0", "fc1"),
        ("fc1", "lif1"),
        ("lif1", "rec1"),
        ("rec1", "lif1"),
        ("lif1", "fc_out"),
        ("fc_out", "li_out"),
        ("li_out", "output"),
    ] {
        assert!(
            pairs.contains(&(a.to_string(), b.to_string())),
            "edge {a}→{b} missing: {pairs:?}"
        );
    }

    let shape = |path: &str| file.dataset(path).and_then(|d| d.shape()).expect(path);
    assert_eq!(shape("node/nodes/fc0/weight"), vec![30, 20]);
    assert_eq!(shape("node/nodes/fc1/weight"), vec![20, 30]);
    assert_eq!(shape("node/nodes/rec1/weight"), vec![20, 20]);
    assert_eq!(shape("node/nodes/fc_out/weight"), vec![10, 20]);
    for key in [
        "tau_syn",
        "tau_mem",
        "r",
        "v_leak",
        "v_reset",
        "v_threshold",
        "w_in",
    ] {
        assert_eq!(shape(&format!("node/nodes/lif0/{key}")), vec![30], "{key}");
    }
    let tau_mem = file
        .dataset("node/nodes/lif0/tau_mem")
        .and_then(|d| d.read_f64())
        .expect("tau");
    // Δt/(1 − exp(−Δt/τ)) with Δt = 1 ms, τ = 10 ms.
    let expected = 0.001 / (1.0 - (-0.1f64).exp());
    assert!((tau_mem[0] - expected).abs() < 1e-6, "{}", tau_mem[0]);
    let dt = file
        .dataset("node/metadata/dt")
        .and_then(|d| d.read_f64())
        .expect("dt");
    assert_eq!(dt, vec![0.001]);
}

#[test]
fn a_saved_experiment_reopens_to_the_same_start_and_first_epoch() {
    let dir = temp_dir("experiment");
    let mut config = small_config();
    config.surrogate.beta = 3.0;
    config.model.hidden = vec![40];
    config.seed = 9;
    let path = dir.join("exp.toml");
    surrogate_lab::atomic::write_atomic(&path, config.to_toml().as_bytes()).expect("writes");
    let text = std::fs::read_to_string(&path).expect("reads");
    let reopened = Config::from_str_format(&text, false).expect("parses");
    assert_eq!(reopened, config);

    let mut a = Trainer::new(config).expect("valid");
    let mut b = Trainer::new(reopened).expect("valid");
    assert_eq!(all_weights(&a), all_weights(&b));
    let ea = a.run_epoch().expect("trains");
    let eb = b.run_epoch().expect("trains");
    assert_eq!(ea.train_loss, eb.train_loss);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn experiment_files_with_bad_values_name_the_key() {
    for (text, key) in [
        ("[surrogate]\nbeta = \"steep\"\n", "beta"),
        ("[model]\ntau_mem_ms = -1.0\n", "model.tau_mem_ms"),
        ("[optim]\nlr = 1\nfoo = 2\n", "foo"),
        ("version = 99\n", "version"),
    ] {
        let err = Config::from_str_format(text, false)
            .expect_err(text)
            .to_string();
        assert!(err.contains(key), "{text:?}: {err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }
    let err = Config::from_str_format("{\"surrogate\": {\"beta\": -2}}", true).expect_err("json");
    assert!(err.to_string().contains("surrogate.beta"), "{err}");
}

#[test]
fn weights_from_a_file_alone_rebuild_the_network_and_refuse_broken_chains() {
    let mut config = small_config();
    config.model.hidden = vec![12, 8];
    config.model.recurrent = surrogate_lab::snn::model::PerLayer::Each(vec![true, false]);
    let trainer = Trainer::new(config).expect("valid");
    let bytes = weights::encode_safetensors(
        trainer.weights(),
        trainer.config(),
        &TrainingSummary::default(),
    );
    let file = decode_weight_file(&bytes).expect("decodes");
    let device = trainer.weights().readout.device();
    let rebuilt = weights::weights_from_file(&file, &device).expect("chains");
    assert!(trainer.weights().shape_mismatch(&rebuilt).is_none());
    assert!(rebuilt.recurrent[0].is_some() && rebuilt.recurrent[1].is_none());

    let (mut tensors, _) = safetensors::decode(&bytes).expect("decodes");
    for t in tensors.iter_mut().filter(|t| t.name == "hidden.1.weight") {
        // (8, 12) → (8, 5): its input no longer matches layer 0's 12 outputs.
        t.shape = vec![8, 5];
        t.data.truncate(40);
    }
    let broken =
        decode_weight_file(&safetensors::encode(&tensors, &BTreeMap::new())).expect("decodes");
    let err = weights::weights_from_file(&broken, &device)
        .expect_err("broken chain")
        .to_string();
    assert!(err.contains("hidden.1.weight"), "{err}");
}
