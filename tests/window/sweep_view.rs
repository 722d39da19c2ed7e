//! The window's Sweep view, driven headless through egui_kittest: a sweep runs in the
//! background while frames keep coming, and the β × learning-rate heatmaps fill in as points
//! finish.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use surrogate_lab::app::sweep_view::{AxisEdit, SweepView};
use surrogate_lab::config::Config;
use surrogate_lab::sweep::plot::Style;

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

#[test]
fn picking_a_study_preset_fills_the_grid_base_and_results_file() {
    let mut h = harness(SweepView::default());
    h.step();
    h.get_by_label("scale").click();
    h.step();
    let v = h.state();
    assert_eq!(v.preset, Some(surrogate_lab::sweep::studies::Study::Scale));
    let keys: Vec<&str> = v.axes.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "surrogate.shape",
            "model.reset_detached",
            "surrogate.beta",
            "optim.lr"
        ]
    );
    assert_eq!(v.axes[0].values, "super_spike,asymptotic_super_spike");
    assert_eq!(v.epochs, surrogate_lab::sweep::paper::EPOCHS);
    assert_eq!(v.out, "reproduction/scale.csv");
    let base = v.preset_base.as_ref().expect("the study's base");
    assert_eq!(
        (base.data.randman.samples_per_class, base.optim.batch_size),
        (1000, 250)
    );
}

#[test]
fn a_tiny_preset_run_draws_the_study_figure_epoch_by_epoch() {
    let mut view = SweepView::default();
    view.pick_preset(surrogate_lab::sweep::studies::Study::Shape);
    // The shape study's grid and figure, shrunk to seconds.
    view.preset_base = Some(tiny());
    view.axes = axes(&[
        ("surrogate.shape", "super_spike,esser"),
        ("surrogate.beta", "1,10"),
        ("optim.lr", "0.02"),
    ]);
    view.epochs = 3;
    view.out = String::new();
    let mut h = harness(view);
    h.step();
    h.get_by_label("▶ Run sweep").click();
    h.step();
    assert!(h.state().is_running(), "{:?}", h.state().message());
    let started = Instant::now();
    let mut drawn_before_a_run_finished = false;
    while h.state().is_running() {
        assert!(started.elapsed() < Duration::from_secs(300), "timed out");
        h.step();
        let points: usize = h
            .state()
            .chart()
            .map(|c| c.series.iter().map(|s| s.points.len()).sum())
            .unwrap_or(0);
        if h.state().progress().0 == 0 && points > 1 {
            drawn_before_a_run_finished = true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    h.step();
    let chart = h.state().chart().expect("the study's figure");
    let curves: Vec<_> = chart
        .series
        .iter()
        .filter(|s| s.name.contains("best η"))
        .collect();
    assert_eq!(curves.len(), 2, "one curve per shape: {:?}", chart.series);
    for c in curves {
        assert_eq!(c.points.len(), 2, "{}: both β", c.name);
        assert!(c.points.iter().all(|p| (0.0..=1.0).contains(&p.1)));
    }
    assert!(
        drawn_before_a_run_finished,
        "the figure was only drawn once runs had finished"
    );
    assert_eq!(h.state().progress(), (4, 4));
}

#[test]
fn a_preset_opens_its_committed_full_size_results_without_training() {
    // The recurrent panel's committed grid (reproduction/recurrent.csv), counted independently
    // of the program's reader: one line per run after the comment and header lines.
    let committed = std::fs::read_to_string("reproduction/recurrent.csv").expect("committed CSV");
    let runs = committed
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("point,") && !l.trim().is_empty())
        .count();
    assert!(runs >= 8, "{runs}");
    let mut h = harness(SweepView::default());
    h.step();
    h.get_by_label("recurrent").click();
    h.step();
    // Away from the preset button first: its tooltip would cover the row below it.
    h.get_by_label("Add key").hover();
    h.run();
    h.get_by_label("Open results").click();
    h.run();
    let v = h.state();
    assert!(!v.is_running(), "opening results must not train");
    assert_eq!(v.rows().len(), runs, "{:?}", v.message());
    // The file is shown on the grid it names, which need not be the study's grid today.
    let file_grid: Vec<String> = committed
        .lines()
        .filter_map(|l| l.strip_prefix("# grid "))
        .map(|g| g.trim().to_string())
        .collect();
    let shown: Vec<String> = v
        .axes
        .iter()
        .map(|a| format!("{}={}", a.key, a.values))
        .collect();
    assert_eq!(shown, file_grid);
    // Committed before validation was recorded: said so where the count is shown.
    let (message, error) = v.message().expect("a message").clone();
    assert!(!error && message.contains("chosen on TEST"), "{message}");
    let chart = v.chart().expect("the study's figure");
    let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
    // The committed best-point seeds (reproduction/recurrent_best_*.csv) are drawn too, each
    // run and their mean: four variants' two each, less the two that diverged (Prop with the
    // asymptotic shape), which the table counts apart.
    let seeds: usize = chart
        .series
        .iter()
        .filter(|s| s.style == Style::Seeds)
        .map(|s| s.points.len())
        .sum();
    assert_eq!(seeds, 6, "seeds drawn");
    assert!(chart.series.iter().any(|s| s.style == Style::Interval));
    for switch in ["(Prop)", "(Ctl)"] {
        assert!(
            names.iter().any(|n| n.contains(switch)),
            "{switch} missing from {names:?}"
        );
    }
}
