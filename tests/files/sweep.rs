//! Sweeps: complete and resumable results files, grids refused before anything runs, shards
//! that merge into the unsharded result, and the figures drawn from them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use surrogate_lab::config::Config;
use surrogate_lab::sweep::csv::METRIC_COLUMNS;
use surrogate_lab::sweep::plot::{self, Chart, Series, Style};
use surrogate_lab::sweep::{
    self, GridAxis, ResultsFile, RunError, RunOptions, Shard, Sweep, SweepEvent,
};

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("surrogate-lab-sweep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// 20 samples per class (16 train), batches of 50, 2 epochs: a fraction of a second per run.
fn tiny() -> Config {
    let mut c = Config::default();
    c.data.randman.samples_per_class = 20;
    c.optim.batch_size = 50;
    c.optim.epochs = 2;
    c
}

const TINY_TOML: &str =
    "[data.randman]\nsamples_per_class = 20\n[optim]\nbatch_size = 50\nepochs = 2\n";

fn axes() -> Vec<GridAxis> {
    vec![
        GridAxis::parse("surrogate.shape=super_spike,esser").unwrap(),
        GridAxis::parse("surrogate.beta=1,10").unwrap(),
    ]
}

fn cli(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_surrogate-lab"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("binary runs")
}

/// The rows of two files agree in everything but wall time.
fn same_results(a: &ResultsFile, b: &ResultsFile) -> Result<(), String> {
    if a.rows.len() != b.rows.len() {
        return Err(format!("{} rows vs {}", a.rows.len(), b.rows.len()));
    }
    for (x, y) in a.rows.iter().zip(&b.rows) {
        if !x.result_eq(y) {
            return Err(format!("{x:?}\n  vs\n{y:?}"));
        }
    }
    Ok(())
}

/// Validation decides, test reports: each row's chosen epoch is the first with the highest
/// validation accuracy, and its test accuracy is the test accuracy of that epoch — checked
/// against the same runs trained again epoch by epoch here.
#[test]
fn runs_choose_their_epoch_on_validation_and_report_test_there() {
    use surrogate_lab::train::Trainer;
    let mut base = tiny();
    base.optim.epochs = 5;
    let sweep = Sweep::new(base, axes(), 1, Shard::default()).unwrap();
    let summary = sweep::run(&sweep, &RunOptions::default(), |_| {}).unwrap();
    assert_eq!(summary.rows.len(), 4);
    let mut chosen_before_last = 0;
    for row in &summary.rows {
        let mut config = sweep.points()[row.point].config.clone();
        config.seed = row.seed;
        let mut trainer = Trainer::new(config).unwrap();
        let mut epochs = Vec::new();
        for _ in 0..5 {
            let m = trainer.run_epoch().unwrap();
            epochs.push((
                m.valid_acc.expect("Randman has a validation split"),
                m.test_acc,
            ));
        }
        let best_val = epochs.iter().map(|e| e.0).fold(f32::MIN, f32::max);
        let first = epochs.iter().position(|e| e.0 == best_val).unwrap();
        assert_eq!(row.chosen_epoch, first + 1, "{row:?} vs {epochs:?}");
        assert_eq!(row.val_acc.to_bits(), best_val.to_bits(), "{row:?}");
        assert_eq!(row.test_acc.to_bits(), epochs[first].1.to_bits(), "{row:?}");
        assert_eq!(row.final_test_acc.to_bits(), epochs[4].1.to_bits());
        chosen_before_last += usize::from(first < 4);
    }
    eprintln!("{chosen_before_last} of 4 runs chose an epoch before the last");
}

/// The stopping rule (`optim.patience`): a run ends once that many epochs have passed without
/// a better validation accuracy, and keeps its best epoch. Checked against the same runs
/// trained here for every epoch: where the rule stops, the row says so and its choice is the
/// one the full run had made by then; a run that kept improving trains to the cap.
#[test]
fn a_run_stops_when_validation_has_not_improved_for_patience_epochs() {
    use surrogate_lab::train::Trainer;
    let (cap, patience) = (12, 2);
    let mut base = tiny();
    base.optim.epochs = cap;
    base.optim.patience = patience;
    let sweep = Sweep::new(base, axes(), 1, Shard::default()).unwrap();
    let summary = sweep::run(&sweep, &RunOptions::default(), |_| {}).unwrap();
    let mut stopped_early = 0;
    for row in &summary.rows {
        let mut config = sweep.points()[row.point].config.clone();
        config.seed = row.seed;
        config.optim.patience = 0;
        let mut trainer = Trainer::new(config).unwrap();
        let vals: Vec<f32> = (0..cap)
            .map(|_| trainer.run_epoch().unwrap().valid_acc.expect("validation"))
            .collect();
        // The oracle: walk the epochs, keep the first best, stop `patience` epochs after it.
        let (mut best, mut chosen, mut stop) = (f32::MIN, 0, cap);
        for (i, &v) in vals.iter().enumerate() {
            let epoch = i + 1;
            if v > best {
                (best, chosen) = (v, epoch);
            }
            if epoch >= chosen + patience {
                stop = epoch;
                break;
            }
        }
        assert_eq!(row.epochs, stop, "{row:?} vs {vals:?}");
        assert_eq!(row.chosen_epoch, chosen, "{row:?} vs {vals:?}");
        assert_eq!(row.val_acc.to_bits(), best.to_bits(), "{row:?}");
        stopped_early += usize::from(stop < cap);
    }
    assert!(
        stopped_early > 0,
        "no run of {cap} epochs plateaued: the rule was not exercised"
    );
}

/// Results of format v1 (chosen on the maximum test accuracy) still open, labelled as chosen
/// on test; a sweep refuses to add validation-selected rows to them.
#[test]
fn v1_results_open_as_selected_on_test_and_are_not_resumed() {
    use surrogate_lab::sweep::Selection;
    let sweep = Sweep::new(tiny(), axes(), 1, Shard::default()).unwrap();
    let text = format!(
        "# surrogate-lab sweep v1 fingerprint={} shard=0/1 seeds=1 points=4\n\
         # grid surrogate.shape=super_spike,esser\n# grid surrogate.beta=1,10\n\
         point,surrogate.shape,surrogate.beta,seed,best_test_acc,best_epoch,final_test_acc,final_test_loss,final_train_acc,rate_hz,epochs,seconds,status\n\
         0,super_spike,1,42,0.9,3,0.85,0.4,0.95,12.5,5,1.0,ok\n",
        sweep.fingerprint()
    );
    let file = ResultsFile::parse(&text).unwrap();
    assert_eq!(file.meta.selection, Selection::Test);
    let row = &file.rows[0];
    assert!(row.val_acc.is_nan());
    assert_eq!(
        (row.test_acc, row.chosen_epoch, row.final_test_acc),
        (0.9, 3, 0.85)
    );
    let dir = scratch("v1");
    let out = dir.join("old.csv");
    std::fs::write(&out, &text).unwrap();
    let options = RunOptions {
        out: Some(out.clone()),
        ..RunOptions::default()
    };
    let err = sweep::run(&sweep, &options, |_| {})
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("old.csv") && err.contains("format v1"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        text,
        "the file is untouched"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A results file opens on the grid its own header names, whatever grid the reader holds now
/// (a study redefined after its results were committed), each row on the point it was run as;
/// a header whose grid does not parse is refused in one line naming the file and the value.
#[test]
fn results_open_on_the_grid_their_file_names() {
    use surrogate_lab::sweep::runner::{view_on_own_axes, view_results};
    let dir = scratch("own-axes");
    let out = dir.join("old.csv");
    let old = Sweep::new(tiny(), axes(), 1, Shard::default()).unwrap();
    let options = RunOptions {
        out: Some(out.clone()),
        ..RunOptions::default()
    };
    sweep::run(&old, &options, |_| {}).unwrap();
    let redefined = Sweep::new(
        tiny(),
        vec![
            GridAxis::parse("surrogate.beta=3,30,300").unwrap(),
            GridAxis::parse("optim.lr=0.001,0.01").unwrap(),
        ],
        2,
        Shard::default(),
    )
    .unwrap();
    assert!(
        view_results(&redefined, &out).is_err(),
        "on the new grid the rows are foreign"
    );
    let (own, file) = view_on_own_axes(&redefined.base, &redefined, &out).unwrap();
    let specs = |s: &Sweep| s.axes.iter().map(|a| a.spec()).collect::<Vec<_>>();
    assert_eq!(specs(&own), specs(&old));
    assert_eq!(own.seeds, 1);
    assert_eq!(file.rows.len(), 4);
    for row in &file.rows {
        assert_eq!(own.points()[row.point].values, row.values);
    }
    // A file with no rows yet reads as the reader's grid.
    let (empty, none) =
        view_on_own_axes(&redefined.base, &redefined, &dir.join("missing.csv")).unwrap();
    assert_eq!((specs(&empty), none.rows.len()), (specs(&redefined), 0));

    let text = std::fs::read_to_string(&out).unwrap();
    let bad = text.replace("# grid surrogate.beta=1,10", "# grid surrogate.beta=1,ten");
    assert_ne!(bad, text, "the header names the grid");
    std::fs::write(&out, bad).unwrap();
    let err = view_on_own_axes(&redefined.base, &redefined, &out)
        .unwrap_err()
        .to_string();
    assert!(err.contains("old.csv") && err.contains("ten"), "{err}");
    assert!(!err.contains('\n'), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Two jobs on a one-thread pool each train the same runs, bit for bit, as one job on the
/// shared pool: how a sweep is spread over threads changes its speed, never its rows.
#[test]
fn jobs_on_pools_of_their_own_give_the_same_rows() {
    let sweep = Sweep::new(tiny(), axes(), 1, Shard::default()).unwrap();
    let shared = sweep::run(&sweep, &RunOptions::default(), |_| {}).unwrap();
    let own = RunOptions {
        jobs: 2,
        threads: Some(1),
        ..RunOptions::default()
    };
    let pooled = sweep::run(&sweep, &own, |_| {}).unwrap();
    let sorted = |mut rows: Vec<surrogate_lab::sweep::Row>| {
        rows.sort_by_key(|r| (r.point, r.seed));
        rows
    };
    let (a, b) = (sorted(shared.rows), sorted(pooled.rows));
    assert_eq!(a.len(), 4);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert!(x.result_eq(y), "{x:?}\n  vs\n{y:?}");
    }
}

#[test]
fn results_csv_is_complete_and_resumes_where_it_stopped() {
    let dir = scratch("resume");
    let out = dir.join("results.csv");
    let sweep = Sweep::new(tiny(), axes(), 2, Shard::default()).unwrap();
    let options = RunOptions {
        jobs: 1,
        threads: None,
        out: Some(out.clone()),
        cancel: None,
    };
    let first = sweep::run(&sweep, &options, |_| {}).unwrap();
    assert_eq!((first.trained, first.skipped), (8, 0));

    // Complete: every (point, seed) once, every swept value and metric in its column.
    let file = ResultsFile::load(&out).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let header = text.lines().find(|l| !l.starts_with('#')).unwrap();
    let mut expected = vec!["point", "surrogate.shape", "surrogate.beta"];
    expected.extend(METRIC_COLUMNS);
    assert_eq!(header, expected.join(","));
    assert_eq!(file.rows.len(), 8);
    for (i, row) in file.rows.iter().enumerate() {
        let point = &sweep.points()[i / 2];
        assert_eq!(row.point, point.index);
        assert_eq!(row.values, point.values);
        assert_eq!(row.seed, 42 + (i % 2) as u64, "seeds are base seed + index");
        assert_eq!(row.epochs, 2);
        assert_eq!(row.status, "ok");
        assert!((0.0..=1.0).contains(&row.test_acc));
        assert!(
            (0.0..=1.0).contains(&row.val_acc),
            "Randman has a validation split"
        );
        assert!((1..=2).contains(&row.chosen_epoch));
        assert!(row.rate_hz.is_finite() && row.seconds > 0.0);
    }

    // Interrupted after 6 rows: drop the last two, as if the run had stopped there.
    let mut cut = file.clone();
    cut.rows.truncate(6);
    cut.save(&out).unwrap();
    let mut started = Vec::new();
    let resumed = sweep::run(&sweep, &options, |e| {
        if let SweepEvent::Started { point, seed } = e {
            started.push((point, seed));
        }
    })
    .unwrap();
    assert_eq!((resumed.trained, resumed.skipped), (2, 6));
    assert_eq!(started, vec![(3, 42), (3, 43)], "only the missing rows run");
    same_results(&ResultsFile::load(&out).unwrap(), &file).unwrap();

    // Complete: a third run trains nothing.
    let again = sweep::run(&sweep, &options, |_| {}).unwrap();
    assert_eq!((again.trained, again.skipped), (0, 8));
}

#[test]
fn cancelled_sweep_leaves_a_complete_file_that_resumes() {
    let dir = scratch("cancel");
    let out = dir.join("results.csv");
    let sweep = Sweep::new(tiny(), axes(), 1, Shard::default()).unwrap();
    let cancel = Arc::new(AtomicBool::new(false));
    let options = RunOptions {
        jobs: 1,
        threads: None,
        out: Some(out.clone()),
        cancel: Some(cancel.clone()),
    };
    let stopped = sweep::run(&sweep, &options, |e| {
        if matches!(e, SweepEvent::Finished(_)) {
            cancel.store(true, Ordering::Relaxed);
        }
    })
    .unwrap();
    assert!(stopped.cancelled);
    assert_eq!(stopped.trained, 1);
    assert_eq!(ResultsFile::load(&out).unwrap().rows.len(), 1);

    cancel.store(false, Ordering::Relaxed);
    let rest = sweep::run(&sweep, &options, |_| {}).unwrap();
    assert_eq!((rest.trained, rest.skipped), (3, 1));
    assert!(!rest.cancelled);
    assert_eq!(ResultsFile::load(&out).unwrap().rows.len(), 4);
}

#[test]
fn results_of_another_sweep_are_not_resumed() {
    let dir = scratch("mismatch");
    let out = dir.join("results.csv");
    let options = RunOptions {
        jobs: 1,
        threads: None,
        out: Some(out.clone()),
        cancel: None,
    };
    let one = Sweep::new(
        tiny(),
        vec![GridAxis::parse("surrogate.beta=1").unwrap()],
        1,
        Shard::default(),
    )
    .unwrap();
    sweep::run(&one, &options, |_| {}).unwrap();
    let before = std::fs::read_to_string(&out).unwrap();

    let other_grid = Sweep::new(
        tiny(),
        vec![GridAxis::parse("surrogate.beta=1,3").unwrap()],
        1,
        Shard::default(),
    )
    .unwrap();
    let mut other_config = tiny();
    other_config.optim.lr = 0.01;
    let other_base = Sweep::new(
        other_config,
        vec![GridAxis::parse("surrogate.beta=1").unwrap()],
        1,
        Shard::default(),
    )
    .unwrap();
    for s in [other_grid, other_base] {
        let mut ran = false;
        let err = sweep::run(&s, &options, |e| {
            ran |= matches!(e, SweepEvent::Started { .. })
        })
        .unwrap_err();
        assert!(
            matches!(&err, RunError::Refused(m) if m.to_string().contains("another sweep")),
            "{err}"
        );
        assert!(!ran);
    }
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        before,
        "file untouched"
    );
}

#[test]
fn bad_grid_key_or_value_is_refused_before_anything_runs() {
    let dir = scratch("refuse");
    std::fs::write(dir.join("tiny.toml"), TINY_TOML).unwrap();
    for (grid, names) in [
        ("surrogate.bta=1,10", vec!["surrogate.bta", "unknown key"]),
        ("surrogate.beta=1,abc", vec!["surrogate.beta", "abc"]),
        ("surrogate.beta=10,-1", vec!["surrogate.beta", "-1"]),
        (
            "surrogate.shape=esser,wiggly",
            vec!["surrogate.shape", "wiggly"],
        ),
        ("optim.lr=0.01,0", vec!["optim.lr", "0"]),
        (
            "model.recurrent=true,maybe",
            vec!["model.recurrent", "maybe"],
        ),
        ("surrogate.beta=1,1", vec!["surrogate.beta", "twice"]),
        ("surrogate.beta=", vec!["surrogate.beta"]),
        (
            "model.hidden=[100],[100",
            vec!["model.hidden", "unbalanced"],
        ),
    ] {
        // The good axis comes first: nothing of it may run either.
        let out = cli(
            &[
                "sweep",
                "--config",
                "tiny.toml",
                "--grid",
                "optim.batch_size=25,50",
                "--grid",
                grid,
                "--out",
                "r.csv",
            ],
            &dir,
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{grid}: {stderr}");
        assert_eq!(
            stderr.trim().lines().count(),
            1,
            "{grid}: one line: {stderr}"
        );
        for n in names {
            assert!(stderr.contains(n), "{grid}: {stderr:?} should name {n:?}");
        }
        assert!(
            !dir.join("r.csv").exists(),
            "{grid}: nothing may be written"
        );
    }
    // Values fine alone but not together: three recurrence flags for two layers.
    let err = Sweep::new(
        tiny(),
        vec![
            GridAxis::parse("model.hidden=[20],[20,20]").unwrap(),
            GridAxis::parse("model.recurrent=true,[true,false,true]").unwrap(),
        ],
        1,
        Shard::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("model.recurrent"), "{err}");
    // …and values that only make sense together are taken, in either order.
    for axes in [
        ["model.recurrent=[true,false]", "model.hidden=[12,12]"],
        ["model.hidden=[12,12]", "model.recurrent=[true,false]"],
    ] {
        let s = Sweep::new(
            tiny(),
            axes.iter().map(|a| GridAxis::parse(a).unwrap()).collect(),
            1,
            Shard::default(),
        )
        .unwrap();
        let c = &s.points()[0].config;
        assert_eq!(c.model.hidden, vec![12, 12]);
        assert!(c.model.is_recurrent(0) && !c.model.is_recurrent(1));
    }
}

#[test]
fn tiny_sweep_sharded_and_merged_gives_the_unsharded_rows() {
    let dir = scratch("shards");
    std::fs::write(dir.join("tiny.toml"), TINY_TOML).unwrap();
    let sweep_args = |extra: &[&'static str]| {
        let mut a = vec![
            "sweep",
            "--config",
            "tiny.toml",
            "--grid",
            "surrogate.shape=super_spike,esser",
            "--grid",
            "surrogate.beta=1,10",
            "--seeds",
            "2",
        ];
        a.extend_from_slice(extra);
        a
    };
    let ok = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    ok(cli(&sweep_args(&["--out", "all.csv"]), &dir));
    ok(cli(
        &sweep_args(&["--shard", "0/2", "--out", "s0.csv"]),
        &dir,
    ));
    ok(cli(
        &sweep_args(&["--shard", "1/2", "--jobs", "2", "--out", "s1.csv"]),
        &dir,
    ));
    ok(cli(
        &["sweep-merge", "s0.csv", "s1.csv", "--out", "merged.csv"],
        &dir,
    ));

    let all = ResultsFile::load(&dir.join("all.csv")).unwrap();
    let s0 = ResultsFile::load(&dir.join("s0.csv")).unwrap();
    let s1 = ResultsFile::load(&dir.join("s1.csv")).unwrap();
    let merged = ResultsFile::load(&dir.join("merged.csv")).unwrap();
    assert_eq!(all.rows.len(), 8, "2 shapes × 2 β × 2 seeds");
    assert!(s0.rows.iter().all(|r| r.point % 2 == 0));
    assert!(s1.rows.iter().all(|r| r.point % 2 == 1));
    assert_eq!(s0.rows.len() + s1.rows.len(), 8);
    same_results(&merged, &all).unwrap();
    assert_eq!(
        merged.meta, all.meta,
        "the merged file is the unsharded sweep's"
    );

    // The merged file resumes as the unsharded sweep: nothing left to train.
    let again = cli(&sweep_args(&["--out", "merged.csv"]), &dir);
    ok(again.clone());
    assert!(String::from_utf8_lossy(&again.stderr).contains("0 trained now"));
}

#[test]
fn merge_refuses_shards_of_different_sweeps() {
    let dir = scratch("merge");
    let run_to = |config: Config, grid: &str, name: &str| {
        let s = Sweep::new(
            config,
            vec![GridAxis::parse(grid).unwrap()],
            1,
            Shard::default(),
        )
        .unwrap();
        let out = dir.join(name);
        let options = RunOptions {
            jobs: 1,
            threads: None,
            out: Some(out.clone()),
            cancel: None,
        };
        sweep::run(&s, &options, |_| {}).unwrap();
        out
    };
    let a = run_to(tiny(), "surrogate.beta=1", "a.csv");
    let b = run_to(tiny(), "surrogate.beta=3", "b.csv");
    let mut other = tiny();
    other.optim.epochs = 1;
    let c = run_to(other, "surrogate.beta=1", "c.csv");
    for (x, why) in [(&b, "grid"), (&c, "configuration")] {
        let out = cli(
            &[
                "sweep-merge",
                a.to_str().unwrap(),
                x.to_str().unwrap(),
                "--out",
                "m.csv",
            ],
            &dir,
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("another sweep"), "{why}: {stderr}");
        assert!(!dir.join("m.csv").exists());
    }
}

#[test]
fn figure_is_a_png_with_every_series_drawn() {
    let chart = Chart {
        title: "best test accuracy vs β".into(),
        x_label: "β".into(),
        y_label: "accuracy".into(),
        x_log: true,
        y_range: (0.0, 1.0),
        series: vec![
            Series {
                name: "SuperSpike".into(),
                points: vec![(0.1, 0.2, 0.05), (1.0, 0.6, 0.0), (100.0, 0.8, 0.02)],
                style: Style::Line,
                color: 0,
            },
            Series {
                name: "straight-through".into(),
                points: vec![(1.0, 0.4, 0.0)],
                style: Style::Reference,
                color: 1,
            },
        ],
    };
    let png = plot::render_png(&chart, (640, 400)).unwrap();
    let img = image::load_from_memory(&png).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (640, 400));
    for c in [0, 1] {
        let want = plot::color(c);
        let count = img
            .pixels()
            .filter(|p| p.0 == [want.0, want.1, want.2])
            .count();
        assert!(count > 100, "series {c} drawn: {count} pixels");
    }
    // Text is drawn (dark pixels outside the plotted colours: title, ticks, labels).
    let dark = img.pixels().filter(|p| p.0.iter().all(|&v| v < 80)).count();
    assert!(dark > 500, "{dark} dark pixels");
}

#[test]
fn bracketed_values_survive_the_csv_and_resume() {
    let dir = scratch("brackets");
    let out = dir.join("depth.csv");
    let mut base = tiny();
    base.optim.epochs = 1;
    let s = Sweep::new(
        base,
        vec![GridAxis::parse("model.hidden=[12],[12,12]").unwrap()],
        1,
        Shard::default(),
    )
    .unwrap();
    let options = RunOptions {
        jobs: 1,
        threads: None,
        out: Some(out.clone()),
        cancel: None,
    };
    let first = sweep::run(&s, &options, |_| {}).unwrap();
    assert_eq!(first.trained, 2);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains(",\"[12,12]\","),
        "quoted in the file:\n{text}"
    );
    let file = ResultsFile::load(&out).unwrap();
    assert_eq!(file.rows[1].values, vec!["[12,12]"]);
    let again = sweep::run(&s, &options, |_| {}).unwrap();
    assert_eq!((again.trained, again.skipped), (0, 2));
}
