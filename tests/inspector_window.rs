//! The neuron inspector in the window, driven headless: a click in the spike raster selects a
//! neuron and opens its inspector; hovering shows neuron, time and value and moves the shared
//! time cursor; the inspector follows β.

use std::time::{Duration, Instant};

use eframe::egui;
use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use surrogate_lab::app::ExplorerApp;
use surrogate_lab::app::dialogs::FakeDialogs;
use surrogate_lab::config::Config;
use surrogate_lab::train::metrics::NeuronRef;

fn small_config() -> Config {
    let mut c = Config::default();
    c.data.randman.samples_per_class = 40;
    c.optim.batch_size = 32;
    c.model.hidden = vec![32];
    c
}

fn harness(config: Config) -> Harness<'static, ExplorerApp> {
    Harness::builder()
        .with_size([1440.0, 900.0])
        .build_eframe(move |cc| {
            ExplorerApp::new(&cc.egui_ctx, config, Box::new(FakeDialogs::default()))
        })
}

fn step_until(h: &mut Harness<'_, ExplorerApp>, what: &str, done: impl Fn(&ExplorerApp) -> bool) {
    let started = Instant::now();
    while !done(h.state()) {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "timed out waiting for {what}"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    h.step();
}

fn ready(app: &ExplorerApp) -> bool {
    app.live().has_network() && !app.live().building && app.live().snapshot.is_some()
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
    let mut h = harness(small_config());
    step_until(&mut h, "the network", ready);
    assert!(h.query_by_label("Neuron inspector").is_none());

    // Hovering the hidden band names a neuron and a time, and moves the time cursor.
    let (pos, text) = hover_below(&mut h, "Spike raster", "neuron");
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
    let mut h = harness(small_config());
    step_until(&mut h, "the network", ready);
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
