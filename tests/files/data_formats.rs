//! Real data sets: MNIST's IDX files (round trips, every bad input with its one-line error),
//! the bundled 5k digits, and SHD's HDF5 layout (the h5py-written files of
//! tests/fixtures/shd-format and the fixtures of tests/fixtures/shd, made by its
//! make_fixtures.py).

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use surrogate_lab::config::{self, Config};
use surrogate_lab::data::config::{DataConfig, DataKind};
use surrogate_lab::data::encoding::EncodingKind;
use surrogate_lab::data::shd::ShdConfig;
use surrogate_lab::data::{self, idx, shd};
use surrogate_lab::train::Trainer;
use surrogate_lab::train::config::TrainingConfig;

// ---------------------------------------------------------------------------------------------
// Helpers

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("surrogate-lab-data-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

/// `n` images of rows × cols whose pixels depend on the index and label, and their labels.
fn images(n: usize, rows: usize, cols: usize) -> (Vec<u8>, Vec<u8>) {
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for i in 0..n {
        let label = (i * 7 % 10) as u8;
        labels.push(label);
        for p in 0..rows * cols {
            pixels.push(((p * 37 + i * 11 + label as usize * 50) % 256) as u8);
        }
    }
    (pixels, labels)
}

/// Writes the four standard files into `dir`; `gz` compresses them (with the `.gz` suffix).
fn write_mnist_folder(
    dir: &Path,
    n_train: usize,
    n_test: usize,
    gz: bool,
) -> [(Vec<u8>, Vec<u8>); 2] {
    let (rows, cols) = (4, 3);
    let train = images(n_train, rows, cols);
    let test = images(n_test, rows, cols);
    let files = [
        (
            "train-images-idx3-ubyte",
            idx::write_idx(&[n_train as u32, rows as u32, cols as u32], &train.0),
        ),
        (
            "train-labels-idx1-ubyte",
            idx::write_idx(&[n_train as u32], &train.1),
        ),
        (
            "t10k-images-idx3-ubyte",
            idx::write_idx(&[n_test as u32, rows as u32, cols as u32], &test.0),
        ),
        (
            "t10k-labels-idx1-ubyte",
            idx::write_idx(&[n_test as u32], &test.1),
        ),
    ];
    for (name, bytes) in files {
        if gz {
            fs::write(dir.join(format!("{name}.gz")), gzip(&bytes)).expect("write");
        } else {
            fs::write(dir.join(name), bytes).expect("write");
        }
    }
    [train, test]
}

/// The folder's files as they are: none of the training samples held out for validation.
fn idx_config(dir: &Path) -> DataConfig {
    DataConfig {
        kind: DataKind::Idx,
        path: dir.display().to_string(),
        valid_frac: 0.0,
        ..DataConfig::default()
    }
}

/// Loads `dir` and returns the error, which must be one line naming `file`.
fn idx_error(dir: &Path, file: &str) -> String {
    let e = data::load(&idx_config(dir))
        .expect_err("bad input must be refused")
        .to_string();
    eprintln!("{e}");
    assert!(!e.contains('\n'), "error is not one line: {e:?}");
    assert!(e.contains(file), "error does not name {file}: {e:?}");
    e
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shd")
}

fn shared_shd() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shd-format")
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(path).expect("fixture")).expect("fixture JSON")
}

fn shd_error(file: &Path) -> String {
    let f = shd::ShdFile::open(file);
    let e = match f {
        Err(e) => e,
        Ok(f) => shd::bin_file(&f, &ShdConfig::default(), 100, f.classes())
            .expect_err("bad input must be refused"),
    }
    .to_string();
    eprintln!("{e}");
    assert!(!e.contains('\n'), "error is not one line: {e:?}");
    let name = file.file_name().and_then(|n| n.to_str()).expect("name");
    assert!(e.contains(name), "error does not name {name}: {e:?}");
    e
}

// ---------------------------------------------------------------------------------------------
// IDX

#[test]
fn idx_folder_round_trips_plain_and_gzip() {
    for gz in [false, true] {
        let dir = scratch(if gz { "idx-gz" } else { "idx-plain" });
        let [train, test] = write_mnist_folder(&dir, 30, 10, gz);
        let mut cfg = idx_config(&dir);
        cfg.encoding.theta = 0.0; // every lit pixel fires: the events give the pixels back
        cfg.steps = 10_000;
        let d = data::load(&cfg).expect("loads");
        assert_eq!((d.train.len(), d.test.len()), (30, 10));
        assert_eq!((d.train.inputs, d.train.classes), (12, 10));
        for (split, (pixels, labels)) in [(&d.train, &train), (&d.test, &test)] {
            assert_eq!(
                split.labels(),
                labels.iter().map(|&l| l as usize).collect::<Vec<_>>()
            );
            for i in 0..split.len() {
                let img = &pixels[i * 12..(i + 1) * 12];
                let lit: Vec<u32> = (0..12).filter(|&p| img[p as usize] > 0).collect();
                let mut units: Vec<u32> = split.events(i).map(|(_, u)| u).collect();
                units.sort_unstable();
                assert_eq!(units, lit, "sample {i}: one spike per lit pixel");
                // Brighter pixels fire no later than dimmer ones.
                for (s1, u1) in split.events(i) {
                    for (s2, u2) in split.events(i) {
                        if img[u1 as usize] > img[u2 as usize] {
                            assert!(s1 <= s2);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn idx_latency_code_places_spikes_at_tau_ln_x_over_x_minus_theta() {
    let dir = scratch("idx-latency");
    let [train, _] = write_mnist_folder(&dir, 5, 2, false);
    let mut cfg = idx_config(&dir);
    cfg.encoding.tau = 20.0;
    cfg.encoding.theta = 0.2;
    cfg.steps = 100;
    let d = data::load(&cfg).expect("loads");
    for i in 0..5 {
        let mut expected: Vec<(u32, u32)> = Vec::new();
        for p in 0..12 {
            let x = f64::from(train.0[i * 12 + p]) / 255.0;
            if x > 0.2 {
                let t = (20.0 * (x / (x - 0.2)).ln()).floor();
                if t < 100.0 {
                    expected.push((t as u32, p as u32));
                }
            }
        }
        let mut got: Vec<(u32, u32)> = d.train.events(i).collect();
        got.sort_unstable();
        expected.sort_unstable();
        assert_eq!(got, expected);
    }
}

#[test]
fn idx_dotted_file_names_are_found() {
    let dir = scratch("idx-dotted");
    write_mnist_folder(&dir, 8, 4, false);
    for n in idx::FILE_NAMES {
        fs::rename(dir.join(n), dir.join(n.replacen("-idx", ".idx", 1))).expect("rename");
    }
    assert_eq!(data::load(&idx_config(&dir)).expect("loads").train.len(), 8);
}

#[test]
fn idx_poisson_code_is_seeded_and_rate_scaled() {
    let dir = scratch("idx-poisson");
    write_mnist_folder(&dir, 20, 5, true);
    let mut cfg = idx_config(&dir);
    cfg.encoding.kind = EncodingKind::Poisson;
    cfg.encoding.max_rate = 0.1;
    let a = data::load(&cfg).expect("loads");
    let b = data::load(&cfg).expect("loads");
    assert_eq!(a.train, b.train, "same seed, same spikes");
    cfg.encoding.seed += 1;
    let c = data::load(&cfg).expect("loads");
    assert_ne!(a.train, c.train, "another seed, other spikes");
    cfg.encoding.max_rate = 0.2;
    let d = data::load(&cfg).expect("loads");
    let ratio = d.train.event_count() as f64 / a.train.event_count() as f64;
    assert!((ratio - 2.0).abs() < 0.2, "doubling the rate gave ×{ratio}");
}

#[test]
fn idx_truncated_gzip_is_refused() {
    let dir = scratch("idx-trunc-gz");
    write_mnist_folder(&dir, 30, 10, true);
    let f = dir.join("train-images-idx3-ubyte.gz");
    let bytes = fs::read(&f).expect("read");
    fs::write(&f, &bytes[..bytes.len() / 2]).expect("write");
    let e = idx_error(&dir, "train-images-idx3-ubyte.gz");
    assert!(e.contains("truncated"), "{e}");
}

#[test]
fn idx_gz_name_that_is_not_gzip_is_refused() {
    let dir = scratch("idx-not-gz");
    write_mnist_folder(&dir, 30, 10, true);
    let plain = idx::write_idx(&[30], &[0; 30]);
    fs::write(dir.join("train-labels-idx1-ubyte.gz"), plain).expect("write");
    let e = idx_error(&dir, "train-labels-idx1-ubyte.gz");
    assert!(e.contains("not a gzip file"), "{e}");
}

#[test]
fn idx_wrong_magic_is_refused() {
    let dir = scratch("idx-magic");
    write_mnist_folder(&dir, 30, 10, true);
    // A labels file where the images should be.
    let labels = fs::read(dir.join("train-labels-idx1-ubyte.gz")).expect("read");
    fs::write(dir.join("train-images-idx3-ubyte.gz"), labels).expect("write");
    let e = idx_error(&dir, "train-images-idx3-ubyte.gz");
    assert!(
        e.contains("wrong magic 0x00000801, expected 0x00000803"),
        "{e}"
    );
}

#[test]
fn idx_image_and_label_counts_must_match() {
    let dir = scratch("idx-counts");
    write_mnist_folder(&dir, 30, 10, false);
    fs::write(
        dir.join("t10k-labels-idx1-ubyte"),
        idx::write_idx(&[9], &[1; 9]),
    )
    .expect("write");
    let e = idx_error(&dir, "t10k-labels-idx1-ubyte");
    assert!(e.contains("9 labels for the 10 images"), "{e}");
}

#[test]
fn idx_label_out_of_range_is_refused() {
    let dir = scratch("idx-label");
    write_mnist_folder(&dir, 30, 10, false);
    let mut labels = vec![3u8; 30];
    labels[17] = 10;
    fs::write(
        dir.join("train-labels-idx1-ubyte"),
        idx::write_idx(&[30], &labels),
    )
    .expect("write");
    let e = idx_error(&dir, "train-labels-idx1-ubyte");
    assert!(e.contains("label 10 of sample 17 is out of range"), "{e}");
}

#[test]
fn idx_truncated_data_is_refused() {
    let dir = scratch("idx-short");
    write_mnist_folder(&dir, 30, 10, false);
    let f = dir.join("t10k-images-idx3-ubyte");
    let bytes = fs::read(&f).expect("read");
    fs::write(&f, &bytes[..bytes.len() - 5]).expect("write");
    let e = idx_error(&dir, "t10k-images-idx3-ubyte");
    assert!(e.contains("truncated"), "{e}");
}

#[test]
fn idx_missing_file_and_missing_folder_are_named() {
    let dir = scratch("idx-missing");
    write_mnist_folder(&dir, 30, 10, false);
    fs::remove_file(dir.join("t10k-labels-idx1-ubyte")).expect("remove");
    let e = idx_error(&dir, "t10k-labels-idx1-ubyte");
    assert!(e.contains("no t10k-labels-idx1-ubyte"), "{e}");
    idx_error(&dir.join("nowhere"), "nowhere");
    let e = data::load(&idx_config(Path::new("")))
        .expect_err("empty path")
        .to_string();
    assert!(e.contains("data.path"), "{e}");
}

#[test]
fn bundled_mnist_5k_needs_no_file_on_disk() {
    let cfg = DataConfig {
        kind: DataKind::Mnist5k,
        path: "/nonexistent".into(),
        ..DataConfig::default()
    };
    let d = data::load(&cfg).expect("bundled digits load");
    assert_eq!(d.name, "MNIST (5k, bundled)");
    // 4,000 training digits, of which data.valid_frac = 10 % of each class held out.
    let valid = d.valid.as_ref().expect("a validation split").len();
    assert_eq!(
        (
            d.train.len(),
            valid,
            d.test.len(),
            d.train.inputs,
            d.train.classes
        ),
        (3600, 400, 1000, 784, 10)
    );
    let whole = data::load(&DataConfig {
        valid_frac: 0.0,
        ..cfg.clone()
    })
    .expect("loads");
    assert_eq!((whole.train.len(), whole.valid.is_none()), (4000, true));
    // Roughly 100–200 lit pixels per digit fire once each.
    let per_sample = d.train.event_count() as f64 / 4000.0;
    assert!(
        (50.0..250.0).contains(&per_sample),
        "{per_sample} spikes per digit"
    );
}

#[test]
fn bad_data_set_leaves_the_trainer_unbuilt_with_a_one_line_error() {
    let dir = scratch("idx-trainer");
    write_mnist_folder(&dir, 30, 10, true);
    fs::write(dir.join("train-images-idx3-ubyte.gz"), b"not gzip").expect("write");
    let config = TrainingConfig {
        data: idx_config(&dir),
        ..TrainingConfig::default()
    };
    let e = Trainer::new(config).err().expect("refused").to_string();
    assert!(
        e.contains("train-images-idx3-ubyte.gz") && !e.contains('\n'),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Configuration

#[test]
fn data_kinds_are_set_by_name_and_bad_values_name_their_key() {
    let c = Config::default().set("data.kind=mnist5k").expect("mnist5k");
    assert_eq!(c.data.kind, DataKind::Mnist5k);
    let c = c
        .set("data.kind=shd")
        .and_then(|c| c.set("data.path=/x/shd_train.h5"))
        .expect("shd");
    assert_eq!(c.data.path, "/x/shd_train.h5");
    let e = Config::default()
        .set("data.kind=mnist5k")
        .and_then(|c| c.set("data.encoding.theta=1.5"))
        .expect_err("θ > 1");
    assert_eq!(e.key(), "data.encoding.theta");
    let e = Config::default()
        .set("data.kind=idx")
        .and_then(|c| c.set("data.encoding.kind=poisson"))
        .and_then(|c| c.set("data.encoding.max_rate=0"))
        .expect_err("rate 0");
    assert_eq!(e.key(), "data.encoding.max_rate");
    let e = Config::default()
        .set("data.kind=shd")
        .and_then(|c| c.set("data.shd.inputs=0"))
        .expect_err("no inputs");
    assert_eq!(e.key(), "data.shd.inputs");
    assert!(Config::default().set("data.kind=imagenet").is_err());
}

#[test]
fn presets_are_valid_for_every_kind() {
    for kind in DataKind::ALL {
        let c = config::preset(kind, Some(Path::new("/some/shd_train.h5")));
        c.validate().unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(c.data.kind, kind);
        let toml = c.to_toml();
        assert_eq!(
            Config::from_str_format(&toml, false).expect("round trip"),
            c
        );
    }
}

// ---------------------------------------------------------------------------------------------
// SHD

#[test]
fn shared_shd_files_read_back_as_h5py_wrote_them() {
    let reference = json(&fixtures().join("tiny_reference.json"));
    for name in ["tiny_shd_train.h5", "tiny_shd_test.h5"] {
        let r = &reference[name];
        let f = shd::ShdFile::open(&shared_shd().join(name)).expect("opens");
        assert_eq!(
            f.len() as u64,
            r["samples"].as_u64().expect("n"),
            "{name}: samples"
        );
        let keys: Vec<String> = serde_json::from_value(r["keys"].clone()).expect("keys");
        assert_eq!(f.keys().expect("keys"), keys.as_slice());
        assert_eq!(f.classes(), 20);
        let labels: Vec<usize> = serde_json::from_value(r["labels"].clone()).expect("labels");
        assert_eq!(labels.len(), f.len());
        let mut spikes = 0;
        for (i, &label) in labels.iter().enumerate() {
            assert_eq!(f.label(i, 20).expect("label"), label);
            spikes += f.sample(i, 700).expect("sample").len();
        }
        assert_eq!(
            spikes as u64,
            r["spikes"].as_u64().expect("spikes"),
            "{name}: spikes"
        );

        let (times, units) = f.raw_sample(0).expect("first sample");
        let want_t: Vec<f64> = serde_json::from_value(r["first_times"].clone()).expect("t");
        let want_u: Vec<f64> = serde_json::from_value(r["first_units"].clone()).expect("u");
        assert_eq!(times, want_t, "{name}: first sample's times, exactly");
        assert_eq!(units, want_u, "{name}: first sample's units");
    }
}

#[test]
fn every_shd_spike_lands_in_its_bin_and_no_event_is_invented() {
    let cfg = DataConfig {
        kind: DataKind::Shd,
        path: shared_shd().join("tiny_shd_train.h5").display().to_string(),
        // The file's samples in its order, none held out for validation.
        valid_frac: 0.0,
        ..DataConfig::default()
    };
    let d = data::load(&cfg).expect("loads, test file found by name");
    assert_eq!((d.train.len(), d.test.len()), (240, 80));
    assert_eq!(
        (d.train.inputs, d.train.steps, d.train.classes),
        (700, 100, 20)
    );
    for (split, name) in [
        (&d.train, "tiny_shd_train.h5"),
        (&d.test, "tiny_shd_test.h5"),
    ] {
        let f = shd::ShdFile::open(&shared_shd().join(name)).expect("opens");
        for i in 0..f.len() {
            let (times, units) = f.raw_sample(i).expect("sample");
            let want: HashSet<(u32, u32)> = times
                .iter()
                .zip(&units)
                .map(|(&t, &u)| {
                    // Independent of bin_of: 14 ms bins, the last one open-ended.
                    let bin = ((t * 1000.0) as u32 / 14).min(99);
                    (bin, u as u32)
                })
                .collect();
            let got: HashSet<(u32, u32)> = split.events(i).collect();
            assert_eq!(got, want, "{name} sample {i}");
            assert_eq!(split.label(i), f.label(i, 20).expect("label"));
        }
    }
}

#[test]
fn shd_times_and_integers_of_every_width_load_alike() {
    let expected = json(&fixtures().join("expected.json"));
    let times: Vec<Vec<f64>> = serde_json::from_value(expected["times"].clone()).expect("t");
    let units: Vec<Vec<f64>> = serde_json::from_value(expected["units"].clone()).expect("u");
    let labels: Vec<usize> = serde_json::from_value(expected["labels"].clone()).expect("l");
    let mut binned = Vec::new();
    for name in ["f16_u16.h5", "f32_u32_i64.h5", "f64be_i16be_u8.h5"] {
        let f = shd::ShdFile::open(&fixtures().join(name)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.len(), times.len(), "{name}");
        for i in 0..f.len() {
            let (t, u) = f.raw_sample(i).expect("sample");
            assert_eq!(t, times[i], "{name} sample {i} times");
            assert_eq!(u, units[i], "{name} sample {i} units");
            assert_eq!(
                f.label(i, 20).expect("label"),
                labels[i],
                "{name} label {i}"
            );
        }
        let d = shd::bin_file(&f, &ShdConfig::default(), 100, f.classes()).expect("bins");
        // The spike written past 1.4 s sits in the last bin.
        assert!(
            d.events(0).any(|(s, _)| s == 99),
            "{name}: late spike clamped"
        );
        binned.push(d);
    }
    assert_eq!(binned[0], binned[1]);
    assert_eq!(binned[0], binned[2]);
}

#[test]
fn shd_missing_datasets_are_named() {
    let e = shd_error(&fixtures().join("bad/missing_units.h5"));
    assert!(e.contains("missing HDF5 dataset spikes/units"), "{e}");
    let e = shd_error(&fixtures().join("bad/missing_labels.h5"));
    assert!(e.contains("missing HDF5 dataset labels"), "{e}");
}

#[test]
fn shd_mismatched_lengths_are_refused() {
    let e = shd_error(&fixtures().join("bad/label_count.h5"));
    assert!(
        e.contains("spikes/times has 12 samples, spikes/units 12, labels 11"),
        "{e}"
    );
    let e = shd_error(&fixtures().join("bad/sample_lengths.h5"));
    assert!(
        e.contains("sample 3 has") && e.contains("spike times but"),
        "{e}"
    );
}

#[test]
fn shd_negative_and_nan_times_are_refused() {
    let e = shd_error(&fixtures().join("bad/negative_time.h5"));
    assert!(e.contains("sample 2 has spike time -0.25 s"), "{e}");
    let e = shd_error(&fixtures().join("bad/nan_time.h5"));
    assert!(e.contains("sample 5 has a NaN spike time"), "{e}");
}

#[test]
fn shd_units_beyond_the_inputs_and_bad_labels_are_refused() {
    let e = shd_error(&fixtures().join("bad/unit_700.h5"));
    assert!(
        e.contains("sample 4 has unit 700, not below the 700 input channels"),
        "{e}"
    );
    let e = shd_error(&fixtures().join("bad/label_20.h5"));
    assert!(
        e.contains("label 20 of sample 6 is out of range (0–19)"),
        "{e}"
    );
    // A file declaring fewer channels refuses the same good file.
    let f = shd::ShdFile::open(&fixtures().join("f16_u16.h5")).expect("opens");
    let small = ShdConfig {
        inputs: 100,
        ..ShdConfig::default()
    };
    assert!(shd::bin_file(&f, &small, 100, 20).is_err());
}

#[test]
fn shd_truncated_or_foreign_files_are_refused_without_panic() {
    let dir = scratch("shd-bad");
    let good = fs::read(shared_shd().join("tiny_shd_test.h5")).expect("read");
    let mut seen = HashSet::new();
    for (k, cut) in [10usize, 100, 1_000, 4_000, good.len() / 2, good.len() - 100]
        .into_iter()
        .enumerate()
    {
        let f = dir.join(format!("cut{k}_test.h5"));
        fs::write(&f, &good[..cut]).expect("write");
        seen.insert(shd_error(&f));
    }
    assert!(!seen.is_empty());
    let f = dir.join("text.h5");
    fs::write(&f, b"this is not HDF5 at all").expect("write");
    assert!(shd_error(&f).contains("not a readable HDF5 file"));
    let e = shd_error(&dir.join("absent_train.h5"));
    assert!(e.contains("no such file"), "{e}");
}

#[test]
fn shd_test_file_is_found_by_name_or_must_be_given() {
    let mut cfg = DataConfig {
        kind: DataKind::Shd,
        path: "/d/recording.h5".into(),
        ..DataConfig::default()
    };
    let e = data::load(&cfg).expect_err("no test path").to_string();
    assert!(e.contains("data.test_path"), "{e}");
    cfg.path = shared_shd().join("tiny_shd_train.h5").display().to_string();
    cfg.test_path = fixtures().join("f16_u16.h5").display().to_string();
    let d = data::load(&cfg).expect("explicit test file");
    assert_eq!(d.test.len(), 12);
}

#[test]
fn shd_is_held_as_sparse_events_not_a_dense_raster() {
    let cfg = DataConfig {
        kind: DataKind::Shd,
        path: shared_shd().join("tiny_shd_train.h5").display().to_string(),
        ..DataConfig::default()
    };
    let d = data::load(&cfg).expect("loads");
    let dense = d.train.len() * d.train.steps * d.train.inputs * std::mem::size_of::<f32>();
    let held = d.train.heap_bytes();
    assert!(
        held * 20 < dense,
        "{held} bytes held for a {dense}-byte dense raster"
    );
}
