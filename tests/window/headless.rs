//! The explorer window driven headless through egui_kittest: what a user clicks reaches the
//! trainer, and what the trainer says reaches the screen.

use crate::common;
use common::window::{click, harness, ready, small_config, step_until};

use std::path::PathBuf;
use std::time::{Duration, Instant};

use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use surrogate_lab::app::dialogs::{DialogKind, FakeDialogs};
use surrogate_lab::app::{ExplorerApp, WgpuCheck};
use surrogate_lab::config::Config;
use surrogate_lab::train::RunState;

/// Moves the β slider as a screen reader would (the number box beside it shares its name).
fn set_beta(h: &mut Harness<'_, ExplorerApp>, beta: f64) {
    h.get_by_role_and_label(Role::Slider, "Scale β")
        .set_value_accesskit(beta);
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "surrogate-lab-window-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn start_button_starts_the_trainer() {
    let mut h = harness(small_config(), FakeDialogs::default());
    step_until(&mut h, "the network", ready);
    h.check_accessibility();
    assert_eq!(h.state().history().current.batches, 0);
    click(&mut h, "▶ Start");
    step_until(&mut h, "a trained batch", |a| {
        a.history().current.batches > 0
    });
    assert_eq!(h.state().run_state(), Some(RunState::Running));
}

#[test]
fn pause_button_stops_batches_coming() {
    let mut h = harness(small_config(), FakeDialogs::default());
    step_until(&mut h, "the network", ready);
    click(&mut h, "▶ Start");
    step_until(&mut h, "a trained batch", |a| {
        a.history().current.batches > 0
    });
    click(&mut h, "⏸ Pause");
    step_until(&mut h, "the pause", |a| {
        a.run_state() == Some(RunState::Paused)
    });
    let after_pause = h.state().history().current.batches;
    for _ in 0..30 {
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(h.state().history().current.batches, after_pause);
    assert!(
        h.query_by_label("▶ Resume").is_some(),
        "start button offers to resume"
    );
}

#[test]
fn beta_change_reaches_next_batch() {
    let mut h = harness(small_config(), FakeDialogs::default());
    step_until(&mut h, "the network", ready);
    click(&mut h, "▶ Start");
    step_until(&mut h, "a trained batch", |a| {
        a.history().current.batches > 0
    });
    set_beta(&mut h, 100.0);
    h.step();
    assert_eq!(h.state().draft().surrogate.beta, 100.0);
    step_until(&mut h, "a batch trained with β = 100", |a| {
        a.live()
            .last_batch
            .as_ref()
            .is_some_and(|b| b.surrogate.beta == 100.0)
    });
    assert!(
        h.state().pending_reset().is_empty(),
        "β is live, it never asks for a reset"
    );
}

#[test]
fn structural_edit_asks_to_reset() {
    let mut h = harness(small_config(), FakeDialogs::default());
    step_until(&mut h, "the network", ready);
    click(&mut h, "+ Hidden layer");
    assert_eq!(h.state().draft().model.hidden, vec![32, 32]);
    assert!(
        h.query_by_label_contains("Needs a reset to apply")
            .is_some()
    );
    let applied = h.state().live().applied.clone().expect("network built");
    assert_eq!(
        applied.model.hidden,
        vec![32],
        "nothing changed before the reset"
    );
    click(&mut h, "⟲ Reset to apply");
    step_until(&mut h, "the two-layer network", |a| {
        ready(a)
            && a.live()
                .applied
                .as_ref()
                .is_some_and(|c| c.model.hidden == vec![32, 32])
            // The snapshot of the rebuilt network follows its Ready event.
            && a.live().snapshot.as_ref().is_some_and(|s| s.hidden.len() == 2)
    });
    assert!(
        h.query_by_label_contains("Needs a reset to apply")
            .is_none()
    );
    assert_eq!(
        h.state().live().snapshot.as_ref().map(|s| s.hidden.len()),
        Some(2)
    );
}

#[test]
fn trainer_error_shows_in_the_window() {
    let mut config = small_config();
    config.optim.batch_size = 5000;
    let mut h = harness(config, FakeDialogs::default());
    step_until(&mut h, "the trainer's error", |a| a.live().error.is_some());
    let shown = h.query_by_label_contains("optim.batch_size");
    assert!(
        shown.is_some(),
        "error names the key: {:?}",
        h.state().live().error
    );
}

#[test]
fn cancelled_dialog_changes_nothing() {
    let dialogs = FakeDialogs::new([None]);
    let mut h = harness(small_config(), dialogs.clone());
    step_until(&mut h, "the network", ready);
    let before = h.state().draft().clone();
    click(&mut h, "File");
    click(&mut h, "Open experiment…");
    assert_eq!(dialogs.asked(), vec![DialogKind::OpenExperiment]);
    assert_eq!(h.state().draft(), &before);
    assert!(h.state().message().is_none());
}

#[test]
fn saved_experiment_opens_again() {
    let dir = temp_dir("roundtrip");
    let path = dir.join("exp.toml");
    let dialogs = FakeDialogs::new([Some(path.clone()), Some(path.clone())]);
    let mut h = harness(small_config(), dialogs);
    step_until(&mut h, "the network", ready);
    set_beta(&mut h, 3.0);
    h.step();
    click(&mut h, "File");
    click(&mut h, "Save experiment…");
    step_until(&mut h, "the save", |a| {
        a.message().is_some_and(|m| m.text.starts_with("saved"))
    });
    let text = std::fs::read_to_string(&path).expect("experiment written");
    let saved = Config::from_str_format(&text, false).expect("valid experiment");
    assert_eq!(saved.surrogate.beta, 3.0);
    assert_eq!(saved.model.hidden, vec![32]);

    set_beta(&mut h, 50.0);
    h.step();
    click(&mut h, "File");
    click(&mut h, "Open experiment…");
    step_until(&mut h, "the opened experiment", |a| {
        a.message().is_some_and(|m| m.text.starts_with("opened"))
    });
    assert_eq!(h.state().draft().surrogate.beta, 3.0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file that is slow to read (a network folder, a disk waking up; here a FIFO nobody has
/// written yet) does not freeze the window: frames keep coming, the File menu waits, and the
/// experiment opens once its bytes arrive.
#[test]
fn a_slow_file_does_not_freeze_the_window() {
    let dir = temp_dir("fifo");
    let path = dir.join("slow.toml");
    let made = std::process::Command::new("mkfifo").arg(&path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let dialogs = FakeDialogs::new([Some(path.clone())]);
    let mut h = harness(small_config(), dialogs);
    step_until(&mut h, "the network", ready);
    // Whatever happens, the FIFO is written after a few seconds, so a window that reads on
    // its own thread waits that long (and fails below) instead of hanging the test.
    let writer = {
        let path = path.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(4));
            std::fs::write(&path, "surrogate.beta = 9.0\n").expect("FIFO written");
        })
    };
    click(&mut h, "File");
    let started = Instant::now();
    click(&mut h, "Open experiment…");
    for _ in 0..5 {
        h.step();
    }
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(2),
        "seven frames took {waited:?}: the read blocked the window"
    );
    assert_ne!(h.state().draft().surrogate.beta, 9.0, "nothing read yet");
    click(&mut h, "File");
    assert!(
        h.get_by_label("Save experiment…")
            .accesskit_node()
            .is_disabled(),
        "the menu waits for the read"
    );
    click(&mut h, "File");
    step_until(&mut h, "the experiment's bytes", |a| {
        a.message().is_some_and(|m| m.text.starts_with("opened"))
    });
    assert_eq!(h.state().draft().surrogate.beta, 9.0);
    writer.join().expect("writer");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn failed_write_says_why_and_keeps_the_old_file() {
    let dir = temp_dir("readonly");
    // A directory where the file should be: the rename cannot replace it.
    let path = dir.join("exp.toml");
    std::fs::create_dir_all(&path).expect("blocking dir");
    let dialogs = FakeDialogs::new([Some(path.clone())]);
    let mut h = harness(small_config(), dialogs);
    step_until(&mut h, "the network", ready);
    click(&mut h, "File");
    click(&mut h, "Save experiment…");
    step_until(&mut h, "the save's answer", |a| a.message().is_some());
    let m = h.state().message().cloned().expect("a message");
    assert!(m.is_error && m.text.contains("exp.toml"), "{m:?}");
    assert!(path.is_dir(), "what was there is untouched");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left behind");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn kept_run_is_overlaid_with_what_differs() {
    let mut h = harness(small_config(), FakeDialogs::default());
    step_until(&mut h, "the network", ready);
    set_beta(&mut h, 1.0);
    h.step();
    click(&mut h, "⏭ Step");
    step_until(&mut h, "one batch", |a| a.history().current.batches > 0);
    click(&mut h, "📌 Keep run");
    set_beta(&mut h, 100.0);
    h.step();
    click(&mut h, "⟲ Reset");
    step_until(&mut h, "a fresh run", |a| {
        ready(a) && a.history().current.batches == 0
    });
    let (current, kept) = h.state().history().labels(h.state().draft());
    assert_eq!(kept, vec!["β = 1".to_string()]);
    assert_eq!(current, "this run: β = 100");
}

#[test]
fn exported_weights_load_back() {
    let dir = temp_dir("weights");
    let path = dir.join("w.safetensors");
    let dialogs = FakeDialogs::new([Some(path.clone())]);
    let mut h = harness(small_config(), dialogs);
    step_until(&mut h, "the network", ready);
    click(&mut h, "File");
    click(&mut h, "Export weights…");
    step_until(&mut h, "the export", |a| a.message().is_some());
    let m = h.state().message().cloned().expect("a message");
    assert!(!m.is_error, "{m:?}");
    let file = surrogate_lab::io::weights::load_safetensors(&path).expect("a weight file");
    assert_eq!(file.config.map(|c| c.model.hidden.clone()), Some(vec![32]));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn choosing_wgpu_offers_a_reset_or_says_why_not() {
    if !surrogate_lab::backend::compiled_backends().contains(&"wgpu") {
        return;
    }
    let mut h = harness(small_config(), FakeDialogs::default());
    step_until(&mut h, "the network", ready);
    h.get_by_label("Compute backend").click_accesskit();
    h.step();
    h.get_by_role_and_label(Role::ComboBox, "Backend")
        .scroll_to_me();
    h.run_ok();
    h.get_by_role_and_label(Role::ComboBox, "Backend").click();
    h.run_ok();
    h.get_by_label("wgpu").click();
    h.run_ok();
    // Looking for an adapter takes a while (a GPU runtime starts); the window keeps drawing.
    step_until(&mut h, "the adapter check", |a| {
        matches!(
            a.wgpu_check(),
            WgpuCheck::Available | WgpuCheck::Unavailable(_)
        )
    });
    let app = h.state();
    if app.draft().backend == "wgpu" {
        assert_eq!(app.pending_reset()[0].key, "backend");
    } else {
        let m = app.message().cloned().expect("says why");
        assert!(m.is_error && m.text.contains("wgpu"), "{m:?}");
        assert_eq!(app.draft().backend, "flex", "stays on the CPU");
    }
    assert_eq!(
        app.live().applied.as_ref().map(|c| c.backend.as_str()),
        Some("flex"),
        "the running network is untouched"
    );
}

#[test]
fn the_first_batch_on_wgpu_says_it_compiles_the_kernels() {
    let gpu = surrogate_lab::backend::compiled_backends().contains(&"wgpu")
        && surrogate_lab::backend::device("wgpu").is_ok();
    if !gpu {
        eprintln!("skipped: no wgpu adapter");
        return;
    }
    let mut config = small_config();
    config.backend = "wgpu".into();
    let mut h = harness(config, FakeDialogs::default());
    step_until(&mut h, "the network", ready);
    click(&mut h, "▶ Start");
    step_until(&mut h, "the run to start", |a| {
        a.live().state == Some(surrogate_lab::train::RunState::Running)
            || a.live().last_batch.is_some()
    });
    let compiling = h
        .query_by_label_contains("compiling the GPU kernels")
        .is_some();
    let batches = h.state().live().last_batch.is_some();
    // Either the message shows, or the first batch was already done (a fast GPU).
    assert!(
        compiling || batches,
        "neither the compile message nor a finished batch"
    );
}

#[test]
fn imported_weights_reach_the_trainer_and_mismatches_are_refused() {
    use surrogate_lab::io::weights::{TrainingSummary, save_safetensors};
    let dir = temp_dir("import");
    // Weights whose readout is all zeros: once loaded, every readout trace is flat zero.
    let trainer = surrogate_lab::train::Trainer::new(small_config()).expect("valid");
    let silent = trainer.weights().map(|role, w| match role {
        surrogate_lab::snn::network::ParamRole::Readout => w.clone().mul_scalar(0.0),
        _ => w.clone(),
    });
    let good = dir.join("good.safetensors");
    save_safetensors(
        &good,
        &silent,
        trainer.config(),
        &TrainingSummary::default(),
    )
    .expect("saves");
    let mut wide = small_config();
    wide.model.hidden = vec![7];
    let other = surrogate_lab::train::Trainer::new(wide).expect("valid");
    let bad = dir.join("bad.safetensors");
    save_safetensors(
        &bad,
        other.weights(),
        other.config(),
        &TrainingSummary::default(),
    )
    .expect("saves");

    let dialogs = FakeDialogs::new([Some(good.clone()), Some(bad.clone())]);
    let mut h = harness(small_config(), dialogs);
    step_until(&mut h, "the network", ready);
    click(&mut h, "File");
    click(&mut h, "Import weights…");
    step_until(&mut h, "a snapshot of the imported network", |a| {
        a.live()
            .snapshot
            .as_ref()
            .is_some_and(|s| !s.readout.is_empty() && s.readout.iter().flatten().all(|&v| v == 0.0))
    });
    assert!(h.state().live().error.is_none());

    click(&mut h, "File");
    click(&mut h, "Import weights…");
    step_until(&mut h, "the refusal", |a| a.live().error.is_some());
    let err = h.state().live().error.clone().unwrap_or_default();
    assert!(err.contains("[20, 7]") || err.contains("(7, 20)"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A desktop where rfd can show nothing (no xdg-desktop-portal, no zenity), as the probe of
/// `RfdDialogs` would find it.
fn no_system_dialog() -> Result<(), String> {
    Err("no xdg-desktop-portal, no zenity".into())
}

/// Draws frames until a widget labelled `label` is on screen.
fn step_until_shown(h: &mut Harness<'_, ExplorerApp>, label: &str) {
    let started = Instant::now();
    while h.query_by_label(label).is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "timed out waiting for {label:?}"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Types `text` into the text field that shows `value` now.
fn replace_text(h: &mut Harness<'_, ExplorerApp>, value: &str, text: &str) {
    h.get_by(|n| n.role() == Role::TextInput && n.value().as_deref() == Some(value))
        .set_text_value_accesskit(text);
    h.step();
}

#[test]
fn without_a_system_dialog_the_built_in_one_saves_opens_and_cancels() {
    use surrogate_lab::app::dialogs::RfdDialogs;
    let dir = temp_dir("builtin");
    let weights = dir.join("w.safetensors");
    let mut h = Harness::builder()
        .with_size([1440.0, 900.0])
        .build_eframe(|cc| {
            ExplorerApp::new(
                &cc.egui_ctx,
                small_config(),
                Box::new(RfdDialogs::with_probe(no_system_dialog)),
            )
        });
    step_until(&mut h, "the network", ready);

    // Export: the system dialog cannot appear, the window says why and shows its own.
    click(&mut h, "File");
    click(&mut h, "Export weights…");
    step_until_shown(&mut h, "Save");
    let m = h.state().message().cloned().expect("says why");
    assert_eq!(
        m.text,
        "No system file dialog (no xdg-desktop-portal, no zenity): using the built-in one"
    );
    assert!(!m.is_error);
    replace_text(&mut h, "weights.safetensors", &weights.to_string_lossy());
    click(&mut h, "Save");
    step_until(&mut h, "the export", |a| {
        a.message().is_some_and(|m| m.text.starts_with("exported"))
    });
    let file = surrogate_lab::io::weights::load_safetensors(&weights).expect("a weight file");
    assert_eq!(file.config.map(|c| c.model.hidden.clone()), Some(vec![32]));
    assert!(h.query_by_label("Save").is_none(), "the dialog closed");

    // Save, then open again: the dialog starts in the folder of the last file chosen.
    set_beta(&mut h, 3.0);
    h.step();
    click(&mut h, "File");
    click(&mut h, "Save experiment…");
    step_until_shown(&mut h, "Save");
    assert!(
        h.state()
            .message()
            .is_some_and(|m| m.text.starts_with("exported")),
        "the reason is said once"
    );
    replace_text(
        &mut h,
        "experiment.toml",
        &dir.join("exp.toml").to_string_lossy(),
    );
    click(&mut h, "Save");
    step_until(&mut h, "the save", |a| {
        a.message().is_some_and(|m| m.text.starts_with("saved"))
    });
    set_beta(&mut h, 50.0);
    h.step();
    click(&mut h, "File");
    click(&mut h, "Open experiment…");
    step_until_shown(&mut h, "🗋 exp.toml");
    assert!(
        h.query_by_label("🗋 w.safetensors").is_none(),
        "only experiments are listed"
    );
    click(&mut h, "🗋 exp.toml");
    click(&mut h, "Open");
    step_until(&mut h, "the opened experiment", |a| {
        a.draft().surrogate.beta == 3.0
    });

    // Cancel writes nothing and changes nothing.
    let cancelled = dir.join("cancelled.safetensors");
    let before = h.state().message().cloned().expect("a message");
    click(&mut h, "File");
    click(&mut h, "Export weights…");
    step_until_shown(&mut h, "Cancel");
    replace_text(&mut h, "weights.safetensors", &cancelled.to_string_lossy());
    click(&mut h, "Cancel");
    for _ in 0..20 {
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(h.query_by_label("Cancel").is_none(), "the dialog closed");
    assert!(!cancelled.exists(), "a cancel writes nothing");
    assert_eq!(h.state().message().map(|m| &m.text), Some(&before.text));
    assert_eq!(h.state().draft().surrogate.beta, 3.0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Picks `option` in the combo box labelled `label` (scrolled into view first).
fn pick(h: &mut Harness<'_, ExplorerApp>, label: &str, option: &str) {
    h.get_by_role_and_label(Role::ComboBox, label)
        .scroll_to_me();
    h.run_ok();
    h.get_by_role_and_label(Role::ComboBox, label).click();
    h.run_ok();
    h.get_by_label(option).click();
    h.run_ok();
}

#[test]
fn the_libraries_update_order_is_chosen_in_the_network_panel_and_applies_at_reset() {
    use surrogate_lab::snn::dynamics::{CurrentTiming, ResetTiming};
    let mut h = harness(small_config(), FakeDialogs::default());
    step_until(&mut h, "the network", ready);
    pick(&mut h, "Membrane takes", "this step's current");
    pick(&mut h, "Spike resets", "in the same step");
    let m = &h.state().draft().model;
    assert_eq!(
        (m.current, m.reset_timing),
        (CurrentTiming::This, ResetTiming::Same)
    );
    let keys: Vec<String> = h
        .state()
        .pending_reset()
        .iter()
        .map(|p| p.key.clone())
        .collect();
    assert!(
        keys.contains(&"model.current".to_string())
            && keys.contains(&"model.reset_timing".to_string()),
        "{keys:?}"
    );
    click(&mut h, "⟲ Reset to apply");
    step_until(&mut h, "the network in Norse's order", |a| {
        ready(a)
            && a.live().applied.as_ref().is_some_and(|c| {
                (c.model.current, c.model.reset_timing) == (CurrentTiming::This, ResetTiming::Same)
            })
    });
}
