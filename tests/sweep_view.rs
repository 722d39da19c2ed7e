//! The window's Sweep view, driven headless through egui_kittest: a sweep runs in the
//! background while frames keep coming, and the β × learning-rate heatmaps fill in as points
//! finish.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use surrogate_lab::app::sweep_view::{AxisEdit, SweepView};
use surrogate_lab::config::Config;

fn tiny() -> Config {
    let mut c = Config::default();
    c.data.randman.samples_per_class = 20;
    c.optim.batch_size = 50;
    c
}

fn harness(view: SweepView) -> Harness<'static, SweepView> {
    let base = tiny();
    Harness::builder()
        .with_size([1200.0, 800.0])
        .build_ui_state(move |ui, view: &mut SweepView| view.ui(ui, &base), view)
}

fn axes(list: &[(&str, &str)]) -> Vec<AxisEdit> {
    list.iter()
        .map(|(k, v)| AxisEdit {
            key: k.to_string(),
            values: v.to_string(),
        })
        .collect()
}

#[test]
fn heatmap_fills_in_live_as_points_finish() {
    let mut view = SweepView::default();
    view.axes = axes(&[
        ("surrogate.shape", "super_spike,esser"),
        ("surrogate.beta", "1,10"),
        ("optim.lr", "0.01,0.02"),
    ]);
    view.epochs = 2;
    let mut h = harness(view);
    h.step();
    h.check_accessibility();
    h.get_by_label("▶ Run sweep").click();
    h.step();
    assert!(h.state().is_running(), "{:?}", h.state().message());

    // Frames keep coming while the sweep trains; record how full the heatmaps were each time.
    let started = Instant::now();
    let mut seen = Vec::new();
    while h.state().is_running() {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "timed out waiting for the sweep"
        );
        h.step();
        let filled: usize = h.state().heatmaps().iter().map(|m| m.filled()).sum();
        if seen.last() != Some(&filled) {
            seen.push(filled);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    h.step();

    let maps = h.state().heatmaps();
    assert_eq!(maps.len(), 2, "one heatmap per shape");
    for m in &maps {
        assert_eq!((m.betas.len(), m.lrs.len()), (2, 2));
        assert_eq!(m.filled(), 4, "{} complete", m.title);
        for v in m.cells.iter().flatten().flatten() {
            assert!((0.0..=1.0).contains(v));
        }
    }
    assert_eq!(h.state().progress(), (8, 8));
    // Live: the heatmaps were drawn part-filled before the sweep ended, cell by cell.
    assert!(
        seen.iter().any(|&n| n > 0 && n < 8),
        "the heatmap only ever showed {seen:?}"
    );
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
}

#[test]
fn bad_grid_is_refused_and_nothing_runs() {
    let mut view = SweepView::default();
    view.axes = axes(&[("surrogate.beta", "1,fast")]);
    let mut h = harness(view);
    h.step();
    h.get_by_label("▶ Run sweep").click();
    h.step();
    assert!(!h.state().is_running());
    let (text, is_error) = h.state().message().cloned().expect("a message");
    assert!(
        is_error && text.contains("surrogate.beta") && text.contains("fast"),
        "{text}"
    );
    assert!(h.state().heatmaps().is_empty());
}

#[test]
fn sweep_tab_replaces_the_live_plots_in_the_window() {
    use surrogate_lab::app::ExplorerApp;
    use surrogate_lab::app::dialogs::FakeDialogs;
    let config = tiny();
    let mut h = Harness::builder()
        .with_size([1440.0, 900.0])
        .build_eframe(move |cc| {
            ExplorerApp::new(&cc.egui_ctx, config, Box::new(FakeDialogs::default()))
        });
    h.step();
    assert!(h.query_by_label("▶ Run sweep").is_none());
    h.get_by_label("Sweep").click();
    h.step();
    h.step();
    assert!(h.state_mut().sweep_view().shown);
    h.get_by_label("▶ Run sweep");
    h.check_accessibility();
    // Optional picture of the tab after a tiny sweep, for a person to look at.
    if let Ok(path) = std::env::var("SWEEP_VIEW_PNG") {
        h.state_mut().sweep_view().epochs = 1;
        h.get_by_label("▶ Run sweep").click();
        h.step();
        let started = Instant::now();
        while h.state_mut().sweep_view().is_running()
            && started.elapsed() < Duration::from_secs(300)
        {
            h.step();
            std::thread::sleep(Duration::from_millis(20));
        }
        h.step();
        h.step();
        let image = h.render().expect("render");
        image.save(path).expect("save PNG");
    }
}
