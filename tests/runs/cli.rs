//! The headless command line: JSON per epoch, one-line refusals of bad configurations and bad
//! command lines, and a `--help` for every command.

use crate::common;

use std::process::Command;

use clap::CommandFactory;
use common::{cli as run, cli_json, cli_ok};
use surrogate_lab::cli::Cli;
use surrogate_lab::sweep::studies::Study;

const SMALL: [&str; 4] = [
    "--set",
    "data.randman.samples_per_class=30",
    "--set",
    "optim.batch_size=50",
];

#[test]
fn train_json_prints_one_object_per_epoch() {
    let mut args = vec!["train", "--epochs", "2", "--json", "--seed", "3"];
    args.extend(SMALL);
    let out = cli_ok(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    for (i, line) in lines.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON");
        assert_eq!(v["epoch"], i + 1);
        for key in [
            "train_loss",
            "train_acc",
            "test_loss",
            "test_acc",
            "seconds",
        ] {
            assert!(v[key].is_number(), "{key} missing in {line}");
        }
        assert_eq!(v["rate_hz"].as_array().map(|a| a.len()), Some(1));
    }
}

#[test]
fn bad_configurations_exit_nonzero_with_one_line_naming_the_key() {
    for (set, key) in [
        ("model.tau_mem_ms=-5", "model.tau_mem_ms"),
        ("surrogate.beta=-1", "surrogate.beta"),
        ("surrogate.shape=wiggly", "surrogate.shape"),
        ("model.nonsense=3", "model.nonsense"),
        ("model.hidden=[0]", "model.hidden"),
        ("optim.batch_size=5000", "optim.batch_size"),
    ] {
        let mut args = vec!["train"];
        args.extend(SMALL);
        args.extend(["--set", set]);
        let out = run(&args);
        assert!(!out.status.success(), "{set} accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{set}: {stderr}");
        assert!(lines[0].contains(key), "{set}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn unknown_option_and_missing_file_are_refused() {
    let out = run(&["train", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["train", "--config", "/nonexistent/exp.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/exp.toml"));
}

#[test]
fn saved_weights_evaluate_to_the_accuracy_they_were_saved_with() {
    let dir = std::env::temp_dir().join(format!("surrogate-lab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let weights = dir.join("w.safetensors");
    let nir = dir.join("w.nir");
    let weights_s = weights.to_string_lossy().to_string();
    let nir_s = nir.to_string_lossy().to_string();
    let mut args = vec![
        "train",
        "--epochs",
        "1",
        "--json",
        "--save-weights",
        &weights_s,
    ];
    args.extend(SMALL);
    let last = cli_json(&args);

    let eval = cli_json(&["eval", "--weights", &weights_s, "--json"]);
    assert_eq!(eval["test_acc"], last["test_acc"]);

    cli_ok(&["export", "--weights", &weights_s, "--nir", &nir_s]);
    assert!(
        std::fs::metadata(&nir)
            .map(|m| m.len() > 0)
            .unwrap_or(false)
    );

    // Weights of another shape are refused with both shapes named.
    let out = run(&["eval", "--weights", &weights_s, "--set", "model.hidden=[7]"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("(7, 20)") && stderr.contains("(100, 20)"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn every_command_has_help_and_the_top_level_lists_them() {
    let top = run(&["--help"]);
    assert_eq!(top.status.code(), Some(0));
    let top_text = String::from_utf8_lossy(&top.stdout);
    // The window's own flags are documented at the top level.
    for flag in [
        "--screenshot",
        "--train-secs",
        "--compare",
        "--frame-stats",
        "--set",
    ] {
        assert!(top_text.contains(flag), "{flag} missing in:\n{top_text}");
    }
    let names: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    for expected in [
        "train",
        "eval",
        "export",
        "sweep",
        "sweep-merge",
        "study",
        "keys",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} is not a command"
        );
    }
    for name in &names {
        assert!(top_text.contains(name.as_str()), "{name} missing in --help");
        let out = run(&[name, "--help"]);
        assert_eq!(out.status.code(), Some(0), "{name} --help");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!("Usage: surrogate-lab {name}")),
            "{name} --help:\n{text}"
        );
    }
    let out = run(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn study_help_lists_the_studies() {
    let out = run(&["study", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for study in Study::ALL {
        assert!(
            text.contains(study.name()),
            "{} missing in:\n{text}",
            study.name()
        );
    }
}

/// `study --plan` prints the paper-size protocol from the studies' definitions, and
/// REPRODUCTION.md holds exactly that (so the text cannot drift from what `study` runs).
#[test]
fn the_protocol_in_reproduction_is_what_study_plan_prints() {
    let out = run(&["study", "--plan"]);
    assert_eq!(out.status.code(), Some(0));
    let plan = String::from_utf8_lossy(&out.stdout).to_string();
    let grids = Study::ALL.iter().filter(|s| s.is_paper_size()).count();
    assert!(plan.matches("| `").count() >= grids, "{plan}");
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/REPRODUCTION.md"))
        .expect("REPRODUCTION.md");
    let open = "<!-- protocol: surrogate-lab study --plan writes it -->\n";
    let block = doc
        .split_once(open)
        .and_then(|(_, rest)| rest.split_once("<!-- /protocol -->"))
        .map(|(block, _)| block)
        .expect("REPRODUCTION.md has the protocol block");
    assert_eq!(
        block, plan,
        "REPRODUCTION.md's protocol differs from `surrogate-lab study --plan`: paste its output"
    );
    // Training nothing: a plan with a study to resume is refused.
    let both = run(&["study", "--plan", "--resume"]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn redraw_writes_a_studys_figure_and_table_from_its_csvs_and_trains_nothing() {
    let dir = std::env::temp_dir().join(format!("surrogate-lab-redraw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("reproduction");
    std::fs::copy(committed.join("sparsity.csv"), dir.join("sparsity.csv")).expect("copy");
    let rows_before = std::fs::read(dir.join("sparsity.csv")).expect("csv");
    let dir_arg = dir.to_string_lossy().to_string();
    let out = run(&["study", "sparsity", "--redraw", "--out-dir", &dir_arg]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // The table is the committed one (which tests/files/reproduction.rs holds to the CSV),
    // the figure a PNG, and the CSV untouched: nothing was trained.
    let table = std::fs::read_to_string(dir.join("sparsity.md")).expect("table");
    let want = std::fs::read_to_string(committed.join("sparsity.md")).expect("committed table");
    assert_eq!(table, want);
    let png = std::fs::read(dir.join("sparsity.png")).expect("figure");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    assert_eq!(
        std::fs::read(dir.join("sparsity.csv")).expect("csv"),
        rows_before
    );
    // A corrupt results file: one line naming it, exit 1, nothing written over.
    std::fs::write(
        dir.join("sparsity.csv"),
        "# surrogate-lab sweep v2 garbage\nnot,a,row\n",
    )
    .expect("write");
    std::fs::remove_file(dir.join("sparsity.md")).expect("rm");
    let bad = run(&["study", "sparsity", "--redraw", "--out-dir", &dir_arg]);
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("sparsity.csv"), "{stderr}");
    assert!(!dir.join("sparsity.md").exists());
    // A folder without the study's results: refused, nothing written.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).expect("dir");
    let none = run(&[
        "study",
        "sparsity",
        "--redraw",
        "--out-dir",
        &empty.to_string_lossy(),
    ]);
    let stderr = String::from_utf8_lossy(&none.stderr);
    assert_eq!(none.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no results"), "{stderr}");
    assert!(!empty.join("sparsity.md").exists() && !empty.join("sparsity.png").exists());
    // Redrawing trains nothing, so it takes no training options.
    assert_eq!(
        run(&["study", "sparsity", "--redraw", "--resume"])
            .status
            .code(),
        Some(2)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_command_lines_exit_2_with_one_line_naming_the_problem() {
    let dir = std::env::temp_dir().join(format!("surrogate-lab-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (args, named) in [
        (&["--bogus"][..], "--bogus"),
        (&["train", "--bogus"], "--bogus"),
        (&["train", "--epochs", "many"], "--epochs"),
        (&["frobnicate"], "frobnicate"),
        (&["sweep", "--out", "r.csv"], "--grid"),
        (
            &[
                "sweep", "--grid", "seed=1,2", "--out", "r.csv", "--seeds", "0",
            ],
            "--seeds",
        ),
        (&["sweep-merge", "a.csv"], "--out"),
        (&["export", "--nir", "x.nir"], "--weights"),
        (&["study", "nonsense"], "nonsense"),
        (&["--frame-stats", "keys"], "keys"),
        // The window's flags are refused before any window opens.
        (&["--train-secs", "soon"], "--train-secs"),
        (&["--train-secs", "5"], "--screenshot"),
        (&["--compare", "surrogate.beta=1"], "--screenshot"),
        (&["--set", "surrogate.beta=-1"], "surrogate.beta"),
        // A negative number is a value, refused by its range, not taken for a flag.
        (&["nir", "g.nir", "--dt-ms", "-1"], "Δt must be a positive"),
        (&["train", "--epochs", "-3"], "--epochs"),
        (&["train", "--seed", "-3"], "--seed"),
        (&["--train-secs", "-2"], "0–86400"),
        (
            &[
                "sweep", "--grid", "seed=1,2", "--out", "r.csv", "--jobs", "-1",
            ],
            "whole number ≥ 1",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_surrogate-lab"))
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: {stderr}");
        assert!(lines[0].starts_with("error: "), "{args:?}: {stderr}");
        assert!(
            lines[0].contains(named),
            "{args:?} should name {named}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert!(!dir.join("r.csv").exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn nir_says_what_a_graph_maps_to_or_why_not() {
    let fixture = |f: &str| {
        format!(
            "{}/tests/fixtures/nir-paper/{f}",
            env!("CARGO_MANIFEST_DIR")
        )
    };
    let out = cli_ok(&[
        "nir",
        &fixture("braille_noDelay_bias_zero.nir"),
        "--dt-ms",
        "0.1",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "12 → 38 recurrent CubaLIF → 7 CubaLIF, Δt 0.1 ms (forward Euler)"
    );
    // The paper's graphs do not store Δt.
    let out = run(&["nir", &fixture("lif_norse.nir")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--dt-ms") && err.lines().count() == 1, "{err}");
    // Euler with Δt above τ_syn (0.22 ms) would oscillate: refused, naming the node.
    let out = run(&[
        "nir",
        &fixture("braille_noDelay_bias_zero.nir"),
        "--dt-ms",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lif1.lif"));
    // A CSV is not a NIR graph.
    let out = run(&["nir", &fixture("lif_exact.csv"), "--dt-ms", "0.1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an HDF5 file"));
}

/// `scripts/web.sh` takes rustup's wasm32 target when rustup has it (the ordinary route
/// elsewhere; this machine's rustup cannot add targets, so the route is checked with a rustup
/// that says it has the target): stable cargo, no standard library built from source.
#[test]
fn the_web_build_takes_rustups_wasm32_target_when_it_is_installed() {
    let dir = std::env::temp_dir().join(format!("surrogate-lab-web-route-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let rustup = dir.join("rustup");
    std::fs::write(
        &rustup,
        "#!/bin/sh\n[ \"$1 $2 $3\" = \"target list --installed\" ] && echo x86_64-unknown-linux-gnu && echo wasm32-unknown-unknown\n",
    )
    .expect("fake rustup");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&rustup, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/web.sh");
    let dry = |route: Option<&str>| {
        let mut c = Command::new("bash");
        c.arg(script)
            .arg("build")
            .env("PATH", &path)
            .env("WEB_DRY_RUN", "1");
        c.env_remove("WEB_ROUTE");
        if let Some(r) = route {
            c.env("WEB_ROUTE", r);
        }
        c.output().expect("bash runs")
    };

    let out = dry(None);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.starts_with("route rustup: cargo build --profile web --target wasm32-unknown-unknown"),
        "{said}"
    );
    assert!(!said.contains("build-std"), "{said}");

    let out = dry(Some("emscripten"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("WEB_ROUTE must be rustup or debian, not emscripten"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
