//! Teaching in the window, driven headless: lessons from the Lessons menu, from a file and
//! from the command line; copying and pasting an experiment; the UI scale; the neuron
//! inspector (a click in the raster selects a neuron and opens it; hovering shows neuron, time
//! and value and moves the shared time cursor; it follows β).

use crate::common;
use common::window::{click, harness, ready, small_config, step_until};

use std::path::PathBuf;

use eframe::egui;
use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use surrogate_lab::app::dialogs::{DialogKind, FakeDialogs};
use surrogate_lab::app::{ExplorerApp, glyph_safe};
use surrogate_lab::config::lesson::{BUILT_IN, Control};
use surrogate_lab::config::{Config, Lesson};
use surrogate_lab::train::metrics::NeuronRef;

fn set_beta(h: &mut Harness<'_, ExplorerApp>, beta: f64) {
    h.get_by_role_and_label(Role::Slider, "Scale β")
        .set_value_accesskit(beta);
    h.step();
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "surrogate-lab-teaching-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Section headers of the left panel, by the control name lessons use.
const HEADERS: [(&str, &str); 6] = [
    ("surrogate", "Surrogate gradient (live)"),
    ("regularizer", "Activity regularization (live)"),
    ("optimizer", "Optimizer"),
    ("network", "Network"),
    ("backend", "Compute backend"),
    ("runs", "Runs"),
];

#[test]
fn every_built_in_lesson_opens_from_the_lessons_menu() {
    let mut h = harness(small_config(), FakeDialogs::default());
    step_until(&mut h, "the network", ready);
    for (name, _) in BUILT_IN {
        let lesson = Lesson::built_in(name).expect("listed").expect("valid");
        click(&mut h, "Lessons");
        click(&mut h, &lesson.title);
        // Its experiment is what the trainer is rebuilt with.
        step_until(&mut h, "the lesson's network", |a| {
            ready(a) && a.live().applied.as_ref() == Some(&lesson.experiment)
        });
        assert_eq!(h.state().draft(), &lesson.experiment, "{name}");
        assert_eq!(
            h.state().lesson().map(|l| l.lesson.title.as_str()),
            Some(lesson.title.as_str())
        );
        assert!(
            h.query_by_label(&glyph_safe(&lesson.steps[0].text))
                .is_some(),
            "{name}: step 1 shown"
        );
        for (control, header) in HEADERS {
            assert_eq!(
                h.query_all_by_label(header).next().is_none(),
                lesson.hides(Control::from_key(control).expect("a control")),
                "{name}: {header}"
            );
        }
        click(&mut h, "Next ▶");
        assert!(
            h.query_by_label(&glyph_safe(&lesson.steps[1].text))
                .is_some(),
            "{name}: step 2 shown"
        );
        click(&mut h, "◀ Previous");
        assert!(
            h.query_by_label(&glyph_safe(&lesson.steps[0].text))
                .is_some(),
            "{name}: back to step 1"
        );
    }
    click(&mut h, "✖ Close lesson");
    assert!(h.state().lesson().is_none());
    assert!(
        h.query_all_by_label("Network").next().is_some(),
        "every control is back"
    );
}

#[test]
fn a_lesson_file_opens_and_a_bad_one_is_refused_naming_the_key() {
    let dir = temp_dir("lesson-file");
    let good = dir.join("mine.toml");
    std::fs::write(
        &good,
        "title = \"My lesson\"\nshow = [\"surrogate\"]\n[experiment]\nsurrogate.beta = 7\n\
         model.hidden = [16]\ndata.randman.samples_per_class = 40\n\
         [[step]]\ntext = \"Watch the raster.\"\npoint_at = \"raster\"\n",
    )
    .expect("written");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "title = \"Bad\"\n[experiment]\nsurrogate.beta = -1\n[[step]]\ntext = \"x\"\n",
    )
    .expect("written");
    let dialogs = FakeDialogs::new([Some(good), Some(bad)]);
    let mut h = harness(small_config(), dialogs.clone());
    step_until(&mut h, "the network", ready);
    click(&mut h, "File");
    click(&mut h, "Open lesson…");
    step_until(&mut h, "the lesson's network", |a| {
        ready(a)
            && a.live()
                .applied
                .as_ref()
                .is_some_and(|c| c.model.hidden == vec![16])
    });
    assert_eq!(h.state().draft().surrogate.beta, 7.0);
    assert!(h.query_by_label("Watch the raster.").is_some());
    assert!(h.query_by_label("Look at: raster").is_some());
    assert!(
        h.query_all_by_label("Network").next().is_none(),
        "only the surrogate shows"
    );
    assert!(h.query_by_label("Surrogate gradient (live)").is_some());

    let before = h.state().draft().clone();
    click(&mut h, "File");
    click(&mut h, "Open lesson…");
    assert_eq!(dialogs.asked(), vec![DialogKind::OpenLesson; 2]);
    step_until(&mut h, "the refusal", |a| {
        a.message().is_some_and(|m| m.is_error)
    });
    let m = h.state().message().cloned().expect("a refusal");
    assert!(m.is_error, "{m:?}");
    assert!(
        m.text.contains("bad.toml") && m.text.contains("experiment.surrogate.beta"),
        "{m:?}"
    );
    assert!(!m.text.contains('\n'));
    assert_eq!(h.state().draft(), &before, "nothing changed");
    assert_eq!(
        h.state().lesson().map(|l| l.lesson.title.as_str()),
        Some("My lesson")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The text the last frame put on the clipboard.
fn copied(h: &Harness<'_, ExplorerApp>) -> Option<String> {
    h.output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
}

/// Whether the last frame asked the platform for the clipboard.
fn asked_for_clipboard(h: &Harness<'_, ExplorerApp>) -> bool {
    h.output().viewport_output.values().any(|v| {
        v.commands
            .iter()
            .any(|c| matches!(c, egui::ViewportCommand::RequestPaste))
    })
}

/// File → Paste experiment… with `clipboard` on the clipboard. kittest has no clipboard, so
/// the test answers the window's request as eframe does: the clipboard's text as one paste
/// event in the next frame, nothing when it is empty.
fn open_paste_box(h: &mut Harness<'_, ExplorerApp>, clipboard: &str) {
    click(h, "File");
    h.get_by_label("Paste experiment…").click();
    let mut frames = 0;
    loop {
        h.step();
        if asked_for_clipboard(h) {
            break;
        }
        frames += 1;
        assert!(frames < 10, "the paste box never asked for the clipboard");
    }
    if !clipboard.is_empty() {
        h.event(egui::Event::Paste(clipboard.to_string()));
    }
    h.step();
}

fn paste_box_text(h: &Harness<'_, ExplorerApp>) -> Option<String> {
    h.get_by_role(Role::MultilineTextInput).value()
}

/// Draws frames while the window asks for the next one at once, as eframe does: what a user
/// sees is the last of them.
fn until_idle(h: &mut Harness<'_, ExplorerApp>) {
    for _ in 0..10 {
        h.step();
        let again = h
            .output()
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .is_some_and(|v| v.repaint_delay.is_zero());
        if !again {
            return;
        }
    }
    panic!("the window never stops asking for frames");
}

/// Clicks Load with the pointer, where a user sees it once the window stops drawing: whole,
/// inside the box, on screen.
fn load(h: &mut Harness<'_, ExplorerApp>) {
    until_idle(h);
    let rect = h.get_by_label("Load").rect();
    let window = h
        .get_by_role_and_label(Role::Window, "Paste experiment")
        .rect();
    h.step();
    assert_eq!(
        h.get_by_label("Load").rect(),
        rect,
        "the box still moved when the window stopped drawing"
    );
    assert!(
        h.ctx.content_rect().contains_rect(window) && window.contains_rect(rect),
        "Load at {rect:?} is cut off: the box is at {window:?}"
    );
    click(h, "Load");
}

fn assert_refused(h: &Harness<'_, ExplorerApp>, before: &Config, applied: &Option<Config>) {
    assert_eq!(h.state().draft(), before, "a bad paste changes nothing");
    assert_eq!(
        &h.state().live().applied,
        applied,
        "nor what the trainer runs"
    );
    let m = h.state().message().cloned().expect("a refusal");
    assert!(m.is_error && !m.text.contains('\n'), "{m:?}");
    assert!(m.text.starts_with("pasted experiment refused"), "{m:?}");
    // Once above the plots and once in the box, next to the text it is about.
    assert_eq!(h.query_all_by_label(&m.text).count(), 2, "{m:?} on screen");
}

#[test]
fn copied_experiment_pastes_back_and_a_bad_paste_changes_nothing() {
    let mut h = harness(small_config(), FakeDialogs::default());
    step_until(&mut h, "the network", ready);
    set_beta(&mut h, 3.0);
    click(&mut h, "File");
    h.get_by_label("Copy experiment").click();
    h.step();
    let text = copied(&h).expect("the experiment went to the clipboard");
    let sent = h.state().draft().clone();
    assert_eq!(
        Config::from_str_format(&text, false).expect("valid TOML"),
        sent
    );

    // Opening the box pastes the clipboard into it; Load takes it.
    set_beta(&mut h, 50.0);
    open_paste_box(&mut h, &text);
    assert_eq!(paste_box_text(&h).as_deref(), Some(text.as_str()));
    load(&mut h);
    assert_eq!(h.state().draft(), &sent, "the round trip is exact");
    assert_eq!(h.state().draft().training.surrogate.beta, 3.0);
    assert!(h.query_by_label("Load").is_none(), "the box closed");
    let m = h.state().message().cloned().expect("a confirmation");
    assert!(
        !m.is_error && m.text.starts_with("pasted experiment loaded"),
        "{m:?}"
    );

    // The loaded β reaches the trainer in the next frame.
    h.step();
    let applied = h.state().live().applied.clone();
    assert_eq!(
        applied.as_ref().map(|c| c.training.surrogate.beta),
        Some(3.0)
    );
    for bad in [
        text.replace("beta = 3.0", "beta = -1.0"),
        "this is not an experiment".to_string(),
    ] {
        let before = h.state().draft().clone();
        open_paste_box(&mut h, &bad);
        load(&mut h);
        assert_refused(&h, &before, &applied);
        click(&mut h, "Cancel");
        assert!(h.query_by_label("Load").is_none(), "Cancel closes the box");
    }
    let m = h.state().message().cloned().expect("the refusal");
    assert!(m.text.contains("invalid experiment TOML"), "{m:?}");

    // Nothing on the clipboard when the box opens: Ctrl+V later, into the focused field, is
    // the same paste event.
    let before = h.state().draft().clone();
    open_paste_box(&mut h, "");
    assert_eq!(paste_box_text(&h).as_deref(), Some(""));
    h.event(egui::Event::Paste(text.replace("beta = 3.0", "beta = nan")));
    h.step();
    load(&mut h);
    assert_refused(&h, &before, &applied);
}

#[test]
fn ui_scale_from_the_view_menu_and_ctrl_plus_keeps_plots_wide() {
    let mut h = harness(small_config(), FakeDialogs::default());
    step_until(&mut h, "the network", ready);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Plus);
    h.step();
    assert!((h.ctx.zoom_factor() - 1.1).abs() < 1e-6, "Ctrl + zooms in");
    click(&mut h, "View");
    h.get_by_role_and_label(Role::Slider, "UI scale")
        .set_value_accesskit(2.0);
    h.step();
    h.step();
    assert_eq!(h.ctx.zoom_factor(), 2.0);
    // At 200 % the plots drop to fewer columns rather than shrink below readable.
    let first = |h: &Harness<'_, ExplorerApp>, label: &str| {
        h.query_all_by_label(label)
            .next()
            .map(|n| n.rect())
            .unwrap_or_else(|| panic!("{label} on screen"))
    };
    // In reading order: accuracy, then the gradient norm; at 200 % they no longer share a row.
    let accuracy = first(&h, "Accuracy");
    let gradients = first(&h, "Gradient norm per layer (log)");
    assert!(
        gradients.top() > accuracy.bottom(),
        "accuracy {accuracy:?} gradients {gradients:?}"
    );
}

fn bin(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_surrogate-lab"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn lesson_command_refuses_a_bad_lesson_in_one_line() {
    let dir = temp_dir("cli");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "title = \"t\"\n[[step]]\ntext = \"x\"\npoint_at = \"moon\"\n",
    )
    .expect("written");
    let bad = bad.to_string_lossy();
    for (args, expected) in [
        (vec!["lesson", "nosuch"], "beta, shape, asymptotic, sparse"),
        (vec!["lesson", &bad], "step[1].point_at"),
        (
            vec!["--lesson", &bad, "--screenshot", "x.png"],
            "step[1].point_at",
        ),
    ] {
        let out = bin(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn ready_with_snapshot(app: &ExplorerApp) -> bool {
    ready(app) && app.live().snapshot.is_some()
}

/// The text of the tooltip on screen that contains `part`, if any.
fn tooltip(h: &Harness<'_, ExplorerApp>, part: &str) -> Option<String> {
    h.query_all_by(|n| n.label().is_some_and(|l| l.contains(part)))
        .next()
        .and_then(|n| n.accesskit_node().label())
}

fn click_at(h: &mut Harness<'_, ExplorerApp>, pos: egui::Pos2) {
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::default(),
        });
        h.step();
    }
    h.step();
}

/// Moves the pointer down from below `title` until a tooltip containing `part` shows.
fn hover_below(h: &mut Harness<'_, ExplorerApp>, title: &str, part: &str) -> (egui::Pos2, String) {
    let rect = h.get_by_label(title).rect();
    for dy in (20..400).step_by(6) {
        let pos = egui::pos2(rect.left() + 160.0, rect.bottom() + dy as f32);
        h.hover_at(pos);
        h.step();
        h.step();
        if let Some(text) = tooltip(h, part) {
            return (pos, text);
        }
    }
    panic!("no tooltip with {part:?} below {title:?}");
}

/// "hidden 1 · neuron 17" → neuron 17 of layer 0.
fn neuron_in(text: &str) -> NeuronRef {
    let after = |key: &str| -> usize {
        let rest = &text[text.find(key).expect(key) + key.len()..];
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        digits.parse().expect("a number")
    };
    NeuronRef {
        layer: after("hidden ") - 1,
        neuron: after("neuron "),
    }
}

#[test]
fn a_click_in_the_raster_opens_that_neurons_inspector() {
    let mut h = harness(small_config(), FakeDialogs::default());
    step_until(&mut h, "the network", ready_with_snapshot);
    assert!(h.query_by_label("Neuron inspector").is_none());

    // Hovering the hidden band names a neuron and a time, and moves the time cursor.
    let (pos, text) = hover_below(&mut h, "Spike raster", "hidden 1 · neuron");
    assert!(text.contains("t = ") && text.contains(" ms"), "{text}");
    assert!(text.contains("spike"), "{text}");
    let at = neuron_in(&text);
    assert_eq!(at.layer, 0);
    assert!(at.neuron < 32);
    let hovered = h
        .state()
        .time_cursor()
        .hover
        .expect("the cursor follows the pointer");
    assert!((0.0..=100.0).contains(&hovered), "{hovered}");

    click_at(&mut h, pos);
    assert_eq!(h.state().selected_neuron(), Some(at));
    let pinned = h
        .state()
        .time_cursor()
        .pinned
        .expect("a click pins the time");
    assert!((pinned - hovered).abs() < 2.0, "{pinned} vs {hovered}");
    step_until(&mut h, "the inspection", |a| {
        a.live().inspection.as_ref().is_some_and(|i| i.at == at)
    });
    assert!(h.query_by_label("Neuron inspector").is_some());
    let name = format!("hidden 1 · neuron {}", at.neuron);
    assert!(h.query_by_label(&name).is_some(), "{name} in the panel");
    assert!(h.query_by_label("Error signal ∂L/∂U(t)").is_some());
    assert!(h.query_by_label("Input weights").is_some());
    assert!(h.query_by_label("Firing rate").is_some());

    // Hovering the inspector's membrane shows the three values at that step.
    h.hover_at(egui::pos2(5.0, 5.0));
    h.step();
    let (_, text) = hover_below(&mut h, "Membrane U(t)", "∂L/∂U =");
    assert!(text.contains(&name) && text.contains("σ′ ="), "{text}");

    // Dragging β reaches the inspector: a new inspection with the new β arrives.
    h.get_by_role_and_label(Role::Slider, "Scale β")
        .set_value_accesskit(200.0);
    h.step();
    step_until(&mut h, "the inspection at β = 200", |a| {
        a.live()
            .inspection
            .as_ref()
            .is_some_and(|i| i.surrogate.beta == 200.0)
    });

    // ✖ closes it.
    h.get_by_label("✖").click();
    h.step();
    h.step();
    assert_eq!(h.state().selected_neuron(), None);
    assert!(h.query_by_label("Neuron inspector").is_none());
}

#[test]
fn a_click_on_a_membrane_trace_selects_that_neuron() {
    let mut h = harness(small_config(), FakeDialogs::default());
    step_until(&mut h, "the network", ready_with_snapshot);
    let (pos, text) = hover_below(&mut h, "Membrane potential", "U = ");
    let at = neuron_in(&text);
    let traced = h
        .state()
        .live()
        .snapshot
        .as_ref()
        .expect("snapshot")
        .traced_neurons[0]
        .clone();
    assert!(
        traced.contains(&at.neuron),
        "{at:?} is a traced neuron {traced:?}"
    );
    click_at(&mut h, pos);
    assert_eq!(h.state().selected_neuron(), Some(at));
}

/// Moves the pointer over the rate histogram, low rows first (every bar starts at 0), until
/// a bar's tooltip for which `wanted` holds shows.
fn hover_bar(
    h: &mut Harness<'_, ExplorerApp>,
    wanted: impl Fn(&str) -> bool,
) -> (egui::Pos2, String) {
    let cell = h.get_by_label("Neuron rates").rect();
    let below = h.get_by_label("Spike raster").rect().top();
    for dy in (40..160).step_by(10) {
        for dx in (20..340).step_by(4) {
            let pos = egui::pos2(cell.left() + dx as f32, below - dy as f32);
            h.hover_at(pos);
            h.step();
            h.step();
            if let Some(text) = tooltip(h, "click to inspect")
                && wanted(&text)
            {
                return (pos, text);
            }
        }
    }
    panic!("no bar of the rate histogram to hover");
}

/// "hidden 1: 2.5–3.7 Hz, 4 neurons…" → (Some((2.5, 3.7)), 4); the dead bar has no range.
fn bar_in(text: &str) -> (Option<(f32, f32)>, usize) {
    let (_, rest) = text.split_once(": ").expect("a bar name");
    let (range, rest) = rest.split_once(", ").expect("a count");
    let count = rest
        .split(' ')
        .next()
        .and_then(|c| c.parse().ok())
        .expect("a count");
    let range = range
        .strip_suffix(" Hz")
        .and_then(|r| r.split_once('–'))
        .map(|(lo, hi)| (lo.parse().expect("lo"), hi.parse().expect("hi")));
    (range, count)
}

#[test]
fn a_click_on_a_bar_of_the_rate_histogram_inspects_a_neuron_of_that_bar() {
    let mut h = harness(small_config(), FakeDialogs::default());
    step_until(&mut h, "the network", ready_with_snapshot);
    let rates = h
        .state()
        .live()
        .snapshot
        .as_ref()
        .expect("snapshot")
        .neuron_rates_hz
        .clone();
    // The neuron a bar offers fires at a rate inside the bar's range (shown to 0.1 Hz).
    let in_bar = |at: NeuronRef, (range, _): (Option<(f32, f32)>, usize)| {
        let r = rates[at.layer][at.neuron];
        let inside = match range {
            Some((lo, hi)) => r > 0.0 && r >= lo - 0.05 && r <= hi + 0.05,
            None => r == 0.0,
        };
        assert!(inside, "{at:?} fires at {r} Hz, outside the bar {range:?}");
    };

    // A bar of two neurons or more, so a second click has another one to step to.
    let (pos, text) = hover_bar(&mut h, |t| bar_in(t).1 >= 2);
    let offered = |text: &str| neuron_in(text.split_once("click to inspect").expect("hint").1);
    let bar = bar_in(&text);
    let first = offered(&text);
    in_bar(first, bar);
    click_at(&mut h, pos);
    assert_eq!(h.state().selected_neuron(), Some(first));
    step_until(&mut h, "the inspection", |a| {
        a.live().inspection.as_ref().is_some_and(|i| i.at == first)
    });
    assert!(h.query_by_label("Neuron inspector").is_some());
    let name = format!("hidden 1 · neuron {}", first.neuron);
    assert!(h.query_by_label(&name).is_some(), "{name} in the panel");

    // The inspector narrowed the plots: find the same bar again; it offers its next neuron.
    let label = text.split_once(", ").expect("a range").0.to_string();
    let (pos, text) = hover_bar(&mut h, |t| t.starts_with(&label));
    let second = offered(&text);
    assert!(
        second.neuron > first.neuron && second.layer == first.layer,
        "{first:?} then {second:?}"
    );
    in_bar(second, bar);
    click_at(&mut h, pos);
    assert_eq!(h.state().selected_neuron(), Some(second));
}
