//! Training end to end: Randman is learned, the true gradient teaches hidden layers nothing,
//! live edits reach the next batch, divergence pauses with a message.

use crate::common;

use burn::tensor::{Tensor, TensorData};
use common::{to_vec, wait_for};
use surrogate_lab::config::Config;
use surrogate_lab::snn::surrogate::{SurrogateConfig, SurrogateShape};
use surrogate_lab::train::live::LiveSettings;
use surrogate_lab::train::{Command, Event, RunState, Session, TrainError, Trainer};

/// A small Randman problem that trains in a second or two.
fn small_config() -> Config {
    let mut c = Config::default();
    c.data.randman.samples_per_class = 60;
    c.optim.batch_size = 60;
    c
}

#[test]
fn default_configuration_learns_randman_above_85_percent() {
    let config = Config::default();
    let budget = 40;
    let mut trainer = Trainer::new(config).expect("default config is valid");
    let mut best = 0.0f32;
    let mut rates = Vec::new();
    for _ in 0..budget {
        let m = trainer.run_epoch().expect("no divergence");
        best = best.max(m.test_acc);
        rates = m.rate_hz.clone();
        eprintln!(
            "epoch {} test acc {:.3} rate {:?}",
            m.epoch, m.test_acc, m.rate_hz
        );
        if best >= 0.85 {
            break;
        }
    }
    assert!(
        best >= 0.85,
        "best test accuracy {best} after at most {budget} epochs"
    );
    assert!(
        rates.iter().all(|&r| r > 0.0),
        "hidden layers silent: {rates:?}"
    );
}

#[test]
fn default_network_is_active_before_training() {
    let trainer = Trainer::new(small_config()).expect("valid");
    let m = trainer.evaluate(&trainer.data().test);
    assert!(
        m.rate_hz[0] > 1.0,
        "initial hidden rate {} Hz",
        m.rate_hz[0]
    );
}

#[test]
fn true_gradient_leaves_hidden_weights_unchanged() {
    let mut config = small_config();
    config.surrogate.shape = SurrogateShape::TrueGradient;
    let mut trainer = Trainer::new(config).expect("valid");
    let hidden_before = to_vec(trainer.weights().hidden[0].clone());
    let readout_before = to_vec(trainer.weights().readout.clone());
    trainer.run_epoch().expect("trains");
    assert_eq!(to_vec(trainer.weights().hidden[0].clone()), hidden_before);
    assert_ne!(
        to_vec(trainer.weights().readout.clone()),
        readout_before,
        "readout must learn"
    );
}

#[test]
fn same_seed_gives_same_initial_weights() {
    let a = Trainer::new(small_config()).expect("valid");
    let b = Trainer::new(small_config()).expect("valid");
    assert_eq!(
        to_vec(a.weights().hidden[0].clone()),
        to_vec(b.weights().hidden[0].clone())
    );
    let mut other = small_config();
    other.seed += 1;
    let c = Trainer::new(other).expect("valid");
    assert_ne!(
        to_vec(a.weights().hidden[0].clone()),
        to_vec(c.weights().hidden[0].clone())
    );
}

#[test]
fn surrogate_edit_reaches_the_next_batch() {
    let mut edited = Trainer::new(small_config()).expect("valid");
    let mut twin = Trainer::new(small_config()).expect("valid");
    let first = edited.train_batch().expect("trains");
    twin.train_batch().expect("trains");
    assert!(first.grad_norm[0] > 0.0);

    // A steeper β changes the very next gradient, and the batch reports what it used.
    let steep = SurrogateConfig {
        shape: SurrogateShape::SuperSpike,
        beta: 100.0,
    };
    edited.set_live(LiveSettings {
        surrogate: steep,
        ..edited.live()
    });
    let after = edited.train_batch().expect("trains");
    let unedited = twin.train_batch().expect("trains");
    assert_eq!(after.surrogate, steep);
    assert_ne!(after.grad_norm[0], unedited.grad_norm[0]);

    // The true gradient stops hidden learning at once.
    edited.set_live(LiveSettings {
        surrogate: SurrogateConfig {
            shape: SurrogateShape::TrueGradient,
            beta: 100.0,
        },
        ..edited.live()
    });
    let zero = edited.train_batch().expect("trains");
    assert_eq!(zero.grad_norm[0], 0.0);
}

#[test]
fn nan_weights_pause_with_a_message_and_change_nothing() {
    let mut trainer = Trainer::new(small_config()).expect("valid");
    let poisoned = trainer.weights().map(|_, w| w.clone().mul_scalar(f32::NAN));
    trainer.set_weights(poisoned);
    let before = weight_bits(&trainer);
    let err = trainer.train_batch().expect_err("NaN loss must not train");
    assert!(matches!(err, TrainError::Diverged { .. }));
    assert!(err.to_string().contains("diverged"), "{err}");
    assert_eq!(
        weight_bits(&trainer),
        before,
        "a diverged batch changed weights"
    );
    assert_eq!(trainer.global_step(), 0);
}

/// Every weight as its bit pattern, so NaN compares equal to the same NaN.
fn weight_bits(trainer: &Trainer) -> Vec<Vec<u32>> {
    trainer
        .weights()
        .params()
        .into_iter()
        .map(|(_, w)| to_vec(w.clone()).into_iter().map(f32::to_bits).collect())
        .collect()
}

#[test]
fn one_nan_readout_weight_pauses_and_leaves_every_weight_as_it_was() {
    let mut trainer = Trainer::new(small_config()).expect("valid");
    trainer.train_batch().expect("a healthy batch trains");
    let readout = trainer.weights().readout.clone();
    let [rows, cols] = readout.dims();
    let mut values = to_vec(readout.clone());
    values[cols + 1] = f32::NAN;
    let poisoned = trainer.weights().map(|role, w| match role {
        surrogate_lab::snn::network::ParamRole::Readout => {
            Tensor::<2>::from_data(TensorData::new(values.clone(), [rows, cols]), &w.device())
        }
        _ => w.clone(),
    });
    trainer.set_weights(poisoned);
    let before = weight_bits(&trainer);
    let step = trainer.global_step();
    let err = trainer.train_batch().expect_err("NaN loss must not train");
    assert!(
        matches!(err, TrainError::Diverged { batch: 2, .. }),
        "{err}"
    );
    assert_eq!(weight_bits(&trainer), before);
    assert_eq!(trainer.global_step(), step);
}

#[test]
fn session_start_pause_step_and_live_beta() {
    let session = Session::spawn(small_config());
    wait_for(&session, |e| matches!(e, Event::Ready { .. }));
    session.send(Command::Start);
    wait_for(&session, |e| matches!(e, Event::Batch(_)));
    session.send(Command::Pause);
    wait_for(&session, |e| matches!(e, Event::State(RunState::Paused)));
    session.drain();

    let beta = SurrogateConfig {
        shape: SurrogateShape::Esser,
        beta: 100.0,
    };
    session.send(Command::SetLive(LiveSettings {
        surrogate: beta,
        ..small_config().live()
    }));
    session.send(Command::Step);
    let events = wait_for(&session, |e| matches!(e, Event::Batch(_)));
    let Some(Event::Batch(b)) = events.last() else {
        unreachable!()
    };
    assert_eq!(b.surrogate, beta, "the batch after the edit must use it");
    wait_for(&session, |e| matches!(e, Event::State(RunState::Paused)));
}

/// ▶ on a finished run trains `optim.epochs` more, and the trainer says the new target (the
/// window shows it instead of working it out by the same rule).
#[test]
fn start_after_the_end_says_how_far_the_run_now_goes() {
    let mut config = small_config();
    config.optim.epochs = 2;
    let session = Session::spawn(config);
    wait_for(&session, |e| matches!(e, Event::Ready { .. }));
    session.send(Command::Start);
    let events = wait_for(&session, |e| matches!(e, Event::State(RunState::Finished)));
    let epochs = events
        .iter()
        .filter(|e| matches!(e, Event::Epoch(_)))
        .count();
    assert_eq!(epochs, 2, "the run stops after optim.epochs");
    assert!(
        !events.iter().any(|e| matches!(e, Event::EpochTarget(_))),
        "no new target before the run is extended"
    );
    session.send(Command::Start);
    let events = wait_for(&session, |e| matches!(e, Event::State(RunState::Finished)));
    let targets: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            Event::EpochTarget(n) => Some(*n),
            _ => None,
        })
        .collect();
    assert_eq!(targets, [4], "{targets:?}");
    let last = events.iter().rev().find_map(|e| match e {
        Event::Epoch(m) => Some(m.epoch),
        _ => None,
    });
    assert_eq!(
        last,
        Some(4),
        "the extended run stops at the target it announced"
    );
}

#[test]
fn session_reports_divergence_and_pauses() {
    let session = Session::spawn(small_config());
    wait_for(&session, |e| matches!(e, Event::Ready { .. }));
    session.send(Command::RequestNetwork);
    let events = wait_for(&session, |e| matches!(e, Event::Network(_)));
    let Some(Event::Network(w)) = events.last() else {
        unreachable!()
    };
    let poisoned = w.weights.map(|_, t| t.clone().mul_scalar(f32::NAN));
    session.send(Command::LoadWeights(Box::new(poisoned)));
    session.send(Command::Start);
    let events = wait_for(&session, |e| matches!(e, Event::Error(_)));
    let Some(Event::Error(msg)) = events.last() else {
        unreachable!()
    };
    assert!(msg.contains("diverged"), "{msg}");
    wait_for(&session, |e| matches!(e, Event::State(RunState::Paused)));
}

#[test]
fn snapshot_shows_the_sample_through_every_layer() {
    let mut config = small_config();
    config.model.hidden = vec![30, 20];
    let trainer = Trainer::new(config).expect("valid");
    let s = trainer.snapshot(3);
    assert_eq!(s.sample, 3);
    assert_eq!(s.label, trainer.data().test.label(3));
    assert_eq!(s.input.width, 20);
    assert_eq!(s.input.events.len(), 20, "one spike per Randman unit");
    assert_eq!(
        s.hidden.iter().map(|r| r.width).collect::<Vec<_>>(),
        vec![30, 20]
    );
    assert_eq!(s.readout.len(), 10);
    assert!(s.readout.iter().all(|r| r.len() == 100));
    assert!(s.membrane_histogram.counts.iter().sum::<u32>() > 0);
}
