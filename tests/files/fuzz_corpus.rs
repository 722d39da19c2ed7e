//! Replays every committed fuzz input (`fuzz/corpus/<reader>/`: the seeds and every input that
//! once crashed a reader) through its reader on stable, so a fixed crash cannot come back
//! without CI noticing. The fuzz targets call the same `untrusted` functions.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use surrogate_lab::untrusted::READERS;

#[test]
fn every_corpus_input_is_read_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join("corpus");
    let mut failures = Vec::new();
    for (name, read) in READERS {
        let dir = root.join(name);
        let mut inputs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("corpus entry").path())
            .filter(|p| p.is_file())
            .collect();
        inputs.sort();
        assert!(!inputs.is_empty(), "{}: no corpus", dir.display());
        for path in inputs {
            let bytes = std::fs::read(&path).expect("readable corpus file");
            if catch_unwind(AssertUnwindSafe(|| read(&bytes))).is_err() {
                failures.push(path.display().to_string());
            }
        }
    }
    assert!(failures.is_empty(), "readers panicked on {failures:?}");
}

#[test]
fn every_reader_has_a_corpus_and_a_fuzz_target() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (name, _) in READERS {
        assert!(
            fuzz.join("fuzz_targets")
                .join(format!("{name}.rs"))
                .is_file(),
            "no fuzz target for {name}"
        );
        assert!(
            fuzz.join("corpus").join(name).is_dir(),
            "no corpus for {name}"
        );
    }
}

/// The lesson target's seeds include every built-in lesson as shipped, so the fuzzer starts
/// from the files teachers copy, and a lesson edited in `assets/` is reseeded.
#[test]
fn the_lesson_corpus_holds_every_built_in_lesson() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join("corpus")
        .join("lesson");
    let seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| std::fs::read(e.expect("corpus entry").path()).expect("readable"))
        .collect();
    for (name, text) in surrogate_lab::config::lesson::BUILT_IN {
        assert!(
            seeds.iter().any(|s| s == text.as_bytes()),
            "built-in lesson {name} is not in {}",
            dir.display()
        );
    }
}
