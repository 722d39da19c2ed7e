//! Configuration: `--set` by TOML path, and refusals that name the key.

use surrogate_lab::config::Config;
use surrogate_lab::snn::model::PerLayer;
use surrogate_lab::snn::surrogate::SurrogateShape;

#[test]
fn set_addresses_keys_by_toml_path() {
    let c = Config::default()
        .set("surrogate.shape=esser")
        .and_then(|c| c.set("surrogate.beta=100"))
        .and_then(|c| c.set("model.hidden=[128,128]"))
        .and_then(|c| c.set("model.recurrent=true"))
        .expect("valid settings");
    assert_eq!(c.surrogate.shape, SurrogateShape::Esser);
    assert_eq!(c.surrogate.beta, 100.0);
    assert_eq!(c.model.hidden, vec![128, 128]);
    assert_eq!(c.model.recurrent, PerLayer::All(true));
    assert!(c.model.is_recurrent(1));
}

fn refusal(assignment: &str) -> String {
    match Config::default().set(assignment) {
        Ok(_) => panic!("{assignment} was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_values_are_refused_naming_the_key() {
    for (assignment, key) in [
        ("model.tau_mem_ms=-5", "model.tau_mem_ms"),
        ("surrogate.beta=-1", "surrogate.beta"),
        ("surrogate.shape=banana", "surrogate.shape"),
        ("model.hidden=[0]", "model.hidden"),
        ("model.hidden=[10,10,10,10,10]", "model.hidden"),
        ("model.no_such_key=1", "model.no_such_key"),
        ("optim.lr=0", "optim.lr"),
        ("backend=cuda", "backend"),
    ] {
        let msg = refusal(assignment);
        assert!(msg.starts_with(key), "{assignment}: {msg}");
        assert!(!msg.contains('\n'), "{assignment}: not one line: {msg}");
    }
}

#[test]
fn a_randman_split_without_a_test_set_is_refused() {
    let c = Config::default()
        .set("data.randman.samples_per_class=10")
        .expect("valid");
    let err = c
        .set("data.randman.train_frac=0.85")
        .expect_err("0.85·10 rounds to 9 + 1 valid")
        .to_string();
    assert!(err.starts_with("data.randman.samples_per_class"), "{err}");
    assert!(err.contains("0 for testing"), "{err}");
}

#[test]
fn unknown_shape_lists_the_allowed_ones() {
    let msg = refusal("surrogate.shape=banana");
    assert!(
        msg.contains("esser") && msg.contains("super_spike"),
        "{msg}"
    );
}

#[test]
fn toml_round_trip_preserves_the_config() {
    let c = Config::default()
        .set("model.hidden=[32,16]")
        .expect("valid");
    let back = Config::from_str_format(&c.to_toml(), false).expect("parses");
    assert_eq!(back, c);
}

#[test]
fn a_file_with_only_some_keys_takes_defaults_for_the_rest() {
    let c = Config::from_str_format("[surrogate]\nbeta = 3.0\n", false).expect("parses");
    assert_eq!(c.surrogate.beta, 3.0);
    assert_eq!(c.model, Config::default().model);
}

#[test]
fn a_file_with_an_unknown_key_is_refused() {
    let e = Config::from_str_format("[model]\nhiden = [3]\n", false).expect_err("typo");
    assert!(e.to_string().contains("hiden"), "{e}");
}

#[test]
fn a_seed_no_experiment_file_can_hold_is_refused() {
    // TOML integers are signed 64-bit: a larger seed would validate and then save as nothing.
    for key in ["seed", "data.randman.seed"] {
        let json = match key {
            "seed" => format!(r#"{{"seed": {}}}"#, u64::MAX),
            _ => format!(r#"{{"data": {{"randman": {{"seed": {}}}}}}}"#, u64::MAX),
        };
        let e = Config::from_str_format(&json, true).expect_err("refused");
        assert_eq!(e.key(), key, "{e}");
        assert!(e.to_string().contains("out of range"), "{e}");
    }
    let largest = format!(r#"{{"seed": {}}}"#, i64::MAX);
    let config = Config::from_str_format(&largest, true).expect("the largest TOML integer");
    let reopened = Config::from_str_format(&config.to_toml(), false).expect("saved and reopened");
    assert_eq!(reopened, config);
}

/// The update conventions are keys like any other (`--set`, files, JSON, the key list), and
/// a file that leaves them at the paper's does not name them: files and sweep fingerprints
/// made before the keys existed stay the same.
#[test]
fn update_conventions_are_keys_that_default_files_leave_out() {
    use surrogate_lab::config::{full_toml, known_keys};
    use surrogate_lab::snn::dynamics::{CurrentTiming, ResetTiming};

    let default = Config::default();
    assert_eq!(default.model.current, CurrentTiming::Previous);
    assert_eq!(default.model.reset_timing, ResetTiming::Next);
    let text = default.to_toml();
    assert!(
        !text.contains("\ncurrent =") && !text.contains("reset_timing"),
        "{text}"
    );
    let keys = known_keys(&default);
    for key in ["model.current", "model.reset_timing"] {
        assert!(keys.iter().any(|k| k == key), "{key} is not listed");
    }
    let listed = full_toml(&default);
    assert!(
        listed.contains("current = \"previous\"") && listed.contains("reset_timing = \"next\""),
        "{listed}"
    );

    let theirs = default
        .set("model.current=this")
        .and_then(|c| c.set("model.reset_timing=same"))
        .expect("valid settings");
    assert_eq!(theirs.model.current, CurrentTiming::This);
    assert_eq!(theirs.model.reset_timing, ResetTiming::Same);
    for json in [false, true] {
        let text = if json {
            serde_json::to_string(&theirs).expect("encodes")
        } else {
            theirs.to_toml()
        };
        let back = Config::from_str_format(&text, json).expect("parses");
        assert_eq!(back, theirs, "json: {json}");
    }
    // Setting the paper's values back writes a file without them again.
    let back = theirs
        .set("model.current=previous")
        .and_then(|c| c.set("model.reset_timing=next"))
        .expect("valid settings");
    assert_eq!(back.to_toml(), text);

    for assignment in ["model.current=now", "model.reset_timing=later"] {
        let msg = refusal(assignment);
        let key = assignment.split('=').next().unwrap_or_default();
        assert!(msg.starts_with(key), "{assignment}: {msg}");
        assert!(!msg.contains('\n'), "{assignment}: not one line: {msg}");
    }
}
