//! The readout losses other than the paper's: `sum_over_time` (cross-entropy of the time-average
//! of U_out, i.e. the sum over time scaled by 1/T) and `last_step` (cross-entropy of U_out at the
//! last step), value and gradient against a plain f64 computation.

use crate::common::{close, to_vec};
use burn::tensor::{Device, Tensor, TensorData};
use surrogate_engine::rng::Rng;
use surrogate_engine::snn::loss::LossKind;
use surrogate_engine::snn::loss::{class_scores, count_correct, cross_entropy};

const STEPS: usize = 9;
const BATCH: usize = 4;
const CLASSES: usize = 3;

fn readout(seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    (0..STEPS * BATCH * CLASSES)
        .map(|_| (rng.normal() * 2.0) as f32)
        .collect()
}

fn at(t: usize, b: usize, o: usize) -> usize {
    (t * BATCH + b) * CLASSES + o
}

/// Scores [batch][class] as the loss kind defines them.
fn oracle_scores(u: &[f32], kind: LossKind) -> Vec<Vec<f64>> {
    (0..BATCH)
        .map(|b| {
            (0..CLASSES)
                .map(|o| match kind {
                    LossKind::SumOverTime => {
                        (0..STEPS).map(|t| u[at(t, b, o)] as f64).sum::<f64>() / STEPS as f64
                    }
                    LossKind::LastStep => u[at(STEPS - 1, b, o)] as f64,
                    LossKind::MaxOverTime => (0..STEPS)
                        .map(|t| u[at(t, b, o)] as f64)
                        .fold(f64::NEG_INFINITY, f64::max),
                })
                .collect()
        })
        .collect()
}

/// Mean cross-entropy and d loss / d score.
fn oracle_ce(scores: &[Vec<f64>], labels: &[usize]) -> (f64, Vec<Vec<f64>>) {
    let mut loss = 0.0;
    let mut grad = Vec::new();
    for (z, &y) in scores.iter().zip(labels) {
        let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        loss += lse - z[y];
        grad.push(
            z.iter()
                .enumerate()
                .map(|(o, v)| ((v - lse).exp() - if o == y { 1.0 } else { 0.0 }) / BATCH as f64)
                .collect(),
        );
    }
    (loss / BATCH as f64, grad)
}

/// d score[b][o] / d U[t, b, o].
fn d_score(kind: LossKind, t: usize) -> f64 {
    match kind {
        LossKind::SumOverTime => 1.0 / STEPS as f64,
        LossKind::LastStep => {
            if t == STEPS - 1 {
                1.0
            } else {
                0.0
            }
        }
        LossKind::MaxOverTime => unreachable!("not checked here"),
    }
}

fn check(kind: LossKind) {
    let labels = [2, 0, 1, 2];
    for seed in [1, 2, 3] {
        let u = readout(seed);
        let device = Device::flex().autodiff();
        let tracked =
            Tensor::<3>::from_data(TensorData::new(u.clone(), [STEPS, BATCH, CLASSES]), &device)
                .require_grad();
        let scores = class_scores(tracked.clone(), kind);
        let loss = cross_entropy(scores.clone(), &labels);
        let value = to_vec(loss.clone().inner())[0] as f64;

        let want_scores = oracle_scores(&u, kind);
        let (want, d_loss_d_score) = oracle_ce(&want_scores, &labels);
        assert!(
            close(value, want, 1e-5),
            "{kind:?} seed {seed}: burn {value}, oracle {want}"
        );
        let got_scores = to_vec(scores.clone().inner());
        for b in 0..BATCH {
            for o in 0..CLASSES {
                assert!(close(
                    got_scores[b * CLASSES + o] as f64,
                    want_scores[b][o],
                    1e-5
                ));
            }
        }
        let want_correct = want_scores
            .iter()
            .zip(&labels)
            .filter(|(z, y)| {
                z.iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1))
                    .map(|(o, _)| o)
                    == Some(**y)
            })
            .count();
        assert_eq!(count_correct(scores.inner(), &labels), want_correct);

        let grads = loss.backward();
        let g = to_vec(tracked.grad(&grads).expect("readout is tracked"));
        for t in 0..STEPS {
            for b in 0..BATCH {
                for o in 0..CLASSES {
                    let want = d_loss_d_score[b][o] * d_score(kind, t);
                    let got = g[at(t, b, o)] as f64;
                    assert!(
                        close(got, want, 1e-5),
                        "{kind:?} seed {seed}: dL/dU[{t},{b},{o}] burn {got}, oracle {want}"
                    );
                }
            }
        }
    }
}

#[test]
fn sum_over_time_loss_and_gradient_match_the_oracle() {
    check(LossKind::SumOverTime);
}

#[test]
fn last_step_loss_and_gradient_match_the_oracle() {
    check(LossKind::LastStep);
}

#[test]
fn last_step_ignores_everything_before_the_last_step() {
    let mut u = readout(5);
    let base = to_vec(class_scores(
        Tensor::<3>::from_data(
            TensorData::new(u.clone(), [STEPS, BATCH, CLASSES]),
            &Device::flex(),
        ),
        LossKind::LastStep,
    ));
    for v in u.iter_mut().take((STEPS - 1) * BATCH * CLASSES) {
        *v += 10.0;
    }
    let moved = to_vec(class_scores(
        Tensor::<3>::from_data(TensorData::new(u, [STEPS, BATCH, CLASSES]), &Device::flex()),
        LossKind::LastStep,
    ));
    assert_eq!(base, moved);
}
