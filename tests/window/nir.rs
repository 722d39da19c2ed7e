//! File → Open network… in the window, driven headless: the file comes through the same
//! dialog as every other file, the Δt form opens the network, the mapping shows in one line;
//! a file that cannot be read, or a network that does not fit the data, leaves the network
//! in use as it was.

use crate::common;
use common::window::{click, step_until};

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui::accesskit::Role;
use eframe::egui::{Event, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use surrogate_lab::app::ExplorerApp;
use surrogate_lab::app::dialogs::{DialogKind, FakeDialogs};
use surrogate_lab::config::Config;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nir-paper")
        .join(name)
}

/// Randman as wide as the Braille networks (12 inputs, 7 classes), small.
fn braille_sized() -> Config {
    [
        "data.randman.units=12",
        "data.randman.classes=7",
        "data.randman.samples_per_class=20",
        "optim.batch_size=16",
        "model.hidden=[16]",
    ]
    .iter()
    .fold(Config::default(), |c, kv| c.set(kv).expect("valid edit"))
}

/// The window on `braille_sized` data, its network built, files answered by `dialogs`.
fn window(dialogs: FakeDialogs) -> Harness<'static, ExplorerApp> {
    let mut h = Harness::builder()
        .with_size([1440.0, 900.0])
        .build_eframe(move |cc| ExplorerApp::new(&cc.egui_ctx, braille_sized(), Box::new(dialogs)));
    step_until(&mut h, "the network", |a| {
        a.live().has_network() && !a.live().building
    });
    h
}

fn open_network(h: &mut Harness<'_, ExplorerApp>) {
    click(h, "File");
    click(h, "Open network…");
}

/// Steps until the Δt form takes input. The graph is read in the background first; then the
/// form's first frame only measures it, and its text field joins the accessibility tree, and
/// takes the pointer, from the next frame on.
fn wait_for_form(h: &mut Harness<'_, ExplorerApp>) {
    let started = Instant::now();
    while h
        .query_by_role_and_label(Role::TextInput, "Δt (ms)")
        .is_none()
    {
        assert!(started.elapsed() < Duration::from_secs(60), "no Δt form");
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn dt_field(h: &Harness<'_, ExplorerApp>) -> Option<String> {
    h.get_by_role_and_label(Role::TextInput, "Δt (ms)").value()
}

/// Types `text` into the Δt field as a user does: click into it, select all, type.
fn type_dt(h: &mut Harness<'_, ExplorerApp>, text: &str) {
    h.get_by_role_and_label(Role::TextInput, "Δt (ms)").click();
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.event(Event::Text(text.into()));
    h.step();
    assert_eq!(dt_field(h).as_deref(), Some(text), "the typed Δt");
}

fn summary(app: &ExplorerApp) -> Option<String> {
    app.network_in_use().map(|n| n.summary.clone())
}

#[test]
fn a_network_opened_through_the_dialog_shows_its_mapping_and_a_bad_one_changes_nothing() {
    let braille = fixture("braille_noDelay_bias_zero.nir");
    let not_nir = fixture("README.md");
    let too_narrow = fixture("lif_norse.nir");
    let dialogs = FakeDialogs::new([Some(braille.clone()), Some(not_nir), Some(too_narrow)]);
    let asked = dialogs.clone();
    let mut h = window(dialogs);

    open_network(&mut h);
    assert_eq!(asked.asked(), vec![DialogKind::OpenNetwork]);
    // The form asks for Δt (not stored in this graph: 1 ms is proposed) and the
    // discretisation. Typed as a user types: click into the field, select all, type.
    wait_for_form(&mut h);
    assert_eq!(dt_field(&h).as_deref(), Some("1"));
    type_dt(&mut h, "0.1");
    click(&mut h, "Open");
    let expected = "12 → 38 recurrent CubaLIF → 7 CubaLIF, Δt 0.1 ms (forward Euler)";
    step_until(&mut h, "the imported network", |a| summary(a).is_some());
    assert_eq!(summary(h.state()).as_deref(), Some(expected));
    assert!(
        h.query_by_label(expected).is_some(),
        "summary line not on screen"
    );
    // The Network settings say they no longer describe what trains.
    let note = format!("Training the imported network: {expected}");
    assert!(
        h.query_by_label(&note).is_some(),
        "the Network panel does not say an imported network trains"
    );
    // The snapshot is of the imported network: 38 hidden neurons.
    step_until(&mut h, "a snapshot of 38 neurons", |a| {
        a.live()
            .snapshot
            .as_ref()
            .is_some_and(|s| s.hidden.first().is_some_and(|r| r.width == 38))
    });

    // Not a NIR file: one line, the network stays.
    open_network(&mut h);
    step_until(&mut h, "the refusal", |a| {
        a.message().is_some_and(|m| m.is_error)
    });
    let m = h
        .state()
        .message()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(m.contains("not an HDF5 file") && !m.contains('\n'), "{m}");
    assert_eq!(summary(h.state()).as_deref(), Some(expected));

    // A one-input network does not fit 12-input data: the trainer refuses it.
    open_network(&mut h);
    wait_for_form(&mut h);
    assert_eq!(dt_field(&h).as_deref(), Some("0.1"), "the Δt typed last");
    click(&mut h, "Open");
    step_until(&mut h, "the trainer's refusal", |a| {
        a.live().error.is_some()
    });
    let e = h.state().live().error.clone().unwrap_or_default();
    assert!(e.contains("takes 1 inputs") && !e.contains('\n'), "{e}");
    assert_eq!(summary(h.state()).as_deref(), Some(expected));
    assert!(
        h.state()
            .live()
            .snapshot
            .as_ref()
            .is_some_and(|s| s.hidden.first().is_some_and(|r| r.width == 38)),
        "the network in use changed"
    );
}

/// Every `.nir`/`.h5` export of an imported network writes that network (its own neurons and
/// Δt), in the flavour chosen in the File menu. Before one export path owned them all, a `.h5`
/// went to the settings' writer (the paper's neurons, not the file's) and a `.nir` ignored the
/// flavour.
#[test]
fn an_imported_network_exports_with_its_own_neurons_in_the_flavour_chosen() {
    let dir = std::env::temp_dir().join(format!("surrogate-lab-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (h5, nir) = (dir.join("imported.h5"), dir.join("imported.nir"));
    let braille = fixture("braille_noDelay_bias_zero.nir");
    let dialogs = FakeDialogs::new([Some(braille), Some(h5.clone()), Some(nir.clone())]);
    let mut h = window(dialogs);
    open_network(&mut h);
    wait_for_form(&mut h);
    // The Braille networks were trained at Δt = 0.1 ms (at the proposed 1 ms their decays
    // fall outside (0, 1) for forward Euler).
    type_dt(&mut h, "0.1");
    click(&mut h, "Open");
    step_until(&mut h, "the imported network", |a| summary(a).is_some());
    let in_use = h.state().network_in_use().expect("in use").dynamics.clone();

    let export = |h: &mut Harness<'_, ExplorerApp>, flavour: &str, path: &Path| {
        click(h, "File");
        click(h, flavour);
        if h.query_by_label("Export weights…").is_none() {
            click(h, "File");
        }
        click(h, "Export weights…");
        let name = path.display().to_string();
        step_until(h, "the export's message", |a| {
            a.message().is_some_and(|m| m.text.contains(&name))
        });
        let m = h.state().message().cloned().expect("message");
        assert!(!m.is_error, "{}", m.text);
    };
    let reopened = |path: &Path| {
        surrogate_lab::nir::import::open(path, None, None, &burn::tensor::Device::flex())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let flavour_of = |path: &Path| {
        let graph = surrogate_lab::nir::read::read_file(path).expect("reads");
        match graph.metadata.get("flavour") {
            Some(surrogate_lab::nir::graph::Meta::Text(t)) => t.clone(),
            other => panic!("flavour metadata {other:?}"),
        }
    };
    let close = |a: &[f32], b: &[f32], what: &str| {
        assert_eq!(a.len(), b.len(), "{what}");
        for (x, y) in a.iter().zip(b) {
            assert!(
                (x - y).abs() <= 1e-5 * y.abs().max(1.0),
                "{what}: {x} vs {y}"
            );
        }
    };

    for (flavour, key, path) in [("generic", "generic", &h5), ("Norse", "norse", &nir)] {
        export(&mut h, flavour, path);
        assert_eq!(flavour_of(path), key, "{}", path.display());
        let again = reopened(path);
        assert_eq!(again.conventions.dt_s, 1e-4, "{}: Δt", path.display());
        let (a, b) = (&again.dynamics, &in_use);
        assert_eq!(a.hidden.len(), b.hidden.len());
        for (l, (x, y)) in a.hidden.iter().zip(&b.hidden).enumerate() {
            close(&x.alpha, &y.alpha, &format!("{key}: hidden {l} α"));
            close(&x.beta, &y.beta, &format!("{key}: hidden {l} β"));
            close(&x.c, &y.c, &format!("{key}: hidden {l} c"));
            close(&x.threshold, &y.threshold, &format!("{key}: hidden {l} ϑ"));
        }
        close(
            &a.readout.beta,
            &b.readout.beta,
            &format!("{key}: readout β"),
        );
        assert_eq!(a.readout.spiking, b.readout.spiking, "{key}: readout");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
