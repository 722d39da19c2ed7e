//! The guarded optimizer step, triggered on purpose the way it happens in practice: the
//! asymptotic SuperSpike surrogate (peak β) at β = 1000 in four recurrent layers over 200 steps
//! makes the gradient overflow f32 in the backward pass (it grows exponentially with the steps:
//! about 10¹⁹ after 100, beyond 10³⁸ after 150) while the loss stays finite (the forward pass
//! never sees the surrogate). The step is skipped on every path (fused CPU op, per-step
//! graph, wgpu), nothing the optimizer owns changes, and the run pauses with one line naming the
//! layer and the batch: in the trainer, through the session, in the window and on the command
//! line.

use crate::common;

use std::process::Command as Process;
use std::time::{Duration, Instant};

use common::{to_vec, wait_for};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use surrogate_lab::app::ExplorerApp;
use surrogate_lab::app::dialogs::FakeDialogs;
use surrogate_lab::config::Config;
use surrogate_lab::snn::model::PerLayer;
use surrogate_lab::snn::surrogate::SurrogateConfig;
use surrogate_lab::snn::surrogate::SurrogateShape;
use surrogate_lab::train::live::LiveSettings;
use surrogate_lab::train::{Command, Event, RunState, Session, TrainError, Trainer};

const EXPLODING: SurrogateConfig = SurrogateConfig {
    shape: SurrogateShape::AsymptoticSuperSpike,
    beta: 1000.0,
};

const TAME: SurrogateConfig = SurrogateConfig {
    shape: SurrogateShape::SuperSpike,
    beta: 10.0,
};

/// Four recurrent layers on a small Randman problem, with the exploding surrogate.
fn deep_recurrent(backend: &str, fused: bool) -> Config {
    let mut c = Config::default();
    c.data.steps = 200;
    c.data.randman.samples_per_class = 60;
    c.optim.batch_size = 60;
    c.model.hidden = vec![64, 64, 64, 64];
    c.model.recurrent = PerLayer::All(true);
    c.model.fused = fused;
    c.backend = backend.into();
    c.surrogate = EXPLODING;
    c
}

/// Every weight as its bit pattern.
fn weight_bits(trainer: &Trainer) -> Vec<Vec<u32>> {
    trainer
        .weights()
        .params()
        .into_iter()
        .map(|(_, w)| to_vec(w.clone()).into_iter().map(f32::to_bits).collect())
        .collect()
}

/// Trainer A trains a healthy batch, meets the exploding surrogate on batch 2, is refused,
/// and retrains batch 2 with the healthy surrogate; twin B trains the two healthy batches. If
/// the refused step had touched the weights, Adam's moments or its step count (the bias
/// correction), A would now differ from B.
fn check_step_is_skipped(mut config: Config) {
    config.surrogate = TAME;
    let mut a = Trainer::new(config.clone()).expect("valid");
    let mut b = Trainer::new(config).expect("valid");
    a.train_batch().expect("a healthy first batch");
    b.train_batch().expect("a healthy first batch");
    assert_eq!(weight_bits(&a), weight_bits(&b), "the twins start equal");

    a.set_live(LiveSettings {
        surrogate: EXPLODING,
        ..a.live()
    });
    let before = weight_bits(&a);
    let err = a.train_batch().expect_err("the gradient overflows");
    let TrainError::NonFiniteGradient {
        epoch,
        batch,
        layer,
    } = &err
    else {
        panic!("expected a non-finite gradient, got {err}");
    };
    assert_eq!((*epoch, *batch), (1, 2));
    assert!(layer.starts_with("hidden layer "), "{layer}");
    let line = err.to_string();
    assert!(!line.contains('\n'), "{line}");
    assert!(
        line.contains(layer.as_str()) && line.contains("batch 2"),
        "{line}"
    );
    assert_eq!(weight_bits(&a), before, "the refused step changed weights");
    assert_eq!(a.global_step(), 1);

    a.set_live(LiveSettings {
        surrogate: TAME,
        ..a.live()
    });
    let retried = a.train_batch().expect("healthy again");
    let twin = b.train_batch().expect("healthy");
    assert_eq!(retried.batch, 2, "the refused batch is the one retried");
    assert_eq!(retried.loss, twin.loss);
    assert_eq!(
        weight_bits(&a),
        weight_bits(&b),
        "the refused step left a trace in the optimizer"
    );
}

#[test]
fn exploding_gradient_is_refused_on_the_fused_path() {
    let config = deep_recurrent("flex", true);
    assert_eq!(
        Trainer::new(config.clone()).expect("valid").path(),
        surrogate_lab::snn::network::Path::Fused
    );
    check_step_is_skipped(config);
}

#[test]
fn exploding_gradient_is_refused_on_the_per_step_path() {
    let config = deep_recurrent("flex", false);
    assert_eq!(
        Trainer::new(config.clone()).expect("valid").path(),
        surrogate_lab::snn::network::Path::PerStep
    );
    check_step_is_skipped(config);
}

#[test]
fn exploding_gradient_is_refused_on_wgpu() {
    if !surrogate_lab::backend::available("wgpu") {
        eprintln!("skipped: wgpu cannot run here");
        return;
    }
    let mut trainer = Trainer::new(deep_recurrent("wgpu", true)).expect("valid");
    let before = weight_bits(&trainer);
    let err = trainer.train_batch().expect_err("the gradient overflows");
    assert!(
        matches!(err, TrainError::NonFiniteGradient { batch: 1, .. }),
        "{err}"
    );
    assert_eq!(weight_bits(&trainer), before);
    assert_eq!(trainer.global_step(), 0);
}

#[test]
fn session_pauses_with_one_line_naming_layer_and_batch() {
    let session = Session::spawn(deep_recurrent("flex", true));
    wait_for(&session, |e| matches!(e, Event::Ready { .. }));
    session.send(Command::Start);
    let events = wait_for(&session, |e| matches!(e, Event::Error(_)));
    assert!(
        !events.iter().any(|e| matches!(e, Event::Batch(_))),
        "no batch was reported as trained"
    );
    let Some(Event::Error(msg)) = events.last() else {
        unreachable!()
    };
    assert!(!msg.contains('\n'), "{msg}");
    assert!(
        msg.contains("non-finite gradient in hidden layer") && msg.contains("batch 1"),
        "{msg}"
    );
    wait_for(&session, |e| matches!(e, Event::State(RunState::Paused)));
}

#[test]
fn window_shows_the_refused_step_and_pauses() {
    let config = deep_recurrent("flex", true);
    let mut h: Harness<'static, ExplorerApp> = Harness::builder()
        .with_size([1440.0, 900.0])
        .build_eframe(move |cc| {
            ExplorerApp::new(&cc.egui_ctx, config, Box::new(FakeDialogs::default()))
        });
    let started = Instant::now();
    let step_until = |h: &mut Harness<'static, ExplorerApp>,
                      done: &dyn Fn(&ExplorerApp) -> bool| {
        while !done(h.state()) {
            assert!(started.elapsed() < Duration::from_secs(120), "timed out");
            h.step();
            std::thread::sleep(Duration::from_millis(10));
        }
        h.step();
    };
    step_until(&mut h, &|a| a.live().has_network() && !a.live().building);
    h.get_by_label("▶ Start").click();
    step_until(&mut h, &|a| {
        a.live().error.is_some() && a.run_state() == Some(RunState::Paused)
    });
    assert!(
        h.query_by_label_contains("non-finite gradient in hidden layer")
            .is_some(),
        "the line is on screen: {:?}",
        h.state().live().error
    );
    assert_eq!(h.state().history().current.batches, 0);
}

#[test]
fn train_exits_3_with_a_json_line_naming_layer_and_batch() {
    let out = Process::new(env!("CARGO_BIN_EXE_surrogate-lab"))
        .args([
            "train",
            "--json",
            "--epochs",
            "1",
            "--set",
            "data.randman.samples_per_class=60",
            "--set",
            "optim.batch_size=60",
            "--set",
            "data.steps=200",
            "--set",
            "model.hidden=[64,64,64,64]",
            "--set",
            "model.recurrent=true",
            "--set",
            "surrogate.shape=asymptotic_super_spike",
            "--set",
            "surrogate.beta=1000",
        ])
        .output()
        .expect("binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().expect("a JSON line");
    let v: serde_json::Value = serde_json::from_str(last).expect("valid JSON");
    assert_eq!(v["error"], "non_finite_gradient");
    assert_eq!(v["epoch"], 1);
    assert_eq!(v["batch"], 1);
    assert!(
        v["layer"]
            .as_str()
            .is_some_and(|l| l.starts_with("hidden layer")),
        "{v}"
    );
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{stderr}"
    );
}
