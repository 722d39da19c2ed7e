//! Readout to class scores, and the cross-entropy loss.

use burn::tensor::activation::log_softmax;
use burn::tensor::{Tensor, TensorData};

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// Cross-entropy of max_n U_out[n] (the paper's).
    MaxOverTime,
    /// Cross-entropy of the time-average of U_out (a sum over time, scaled by 1/T).
    SumOverTime,
    /// Cross-entropy of U_out at the last step.
    LastStep,
}

/// Class scores [batch, outputs] from readout membranes U_out [T, batch, outputs].
pub fn class_scores(readout: Tensor<3>, kind: LossKind) -> Tensor<2> {
    let [steps, batch, outputs] = readout.dims();
    match kind {
        LossKind::MaxOverTime => readout.max_dim(0).reshape([batch, outputs]),
        LossKind::SumOverTime => readout.mean_dim(0).reshape([batch, outputs]),
        LossKind::LastStep => readout.narrow(0, steps - 1, 1).reshape([batch, outputs]),
    }
}

/// Mean cross-entropy of `scores` [batch, classes] against integer labels.
pub fn cross_entropy(scores: Tensor<2>, labels: &[usize]) -> Tensor<1> {
    let [batch, classes] = scores.dims();
    let device = scores.device();
    let mut one_hot = vec![0f32; batch * classes];
    for (row, &label) in labels.iter().enumerate() {
        one_hot[row * classes + label] = 1.0;
    }
    let targets = Tensor::<2>::from_data(TensorData::new(one_hot, [batch, classes]), &device);
    (log_softmax(scores, 1) * targets)
        .sum()
        .neg()
        .div_scalar(batch as f32)
}

/// How many samples' predicted class is their label.
pub fn count_correct(scores: Tensor<2>, labels: &[usize]) -> usize {
    predictions(scores)
        .iter()
        .zip(labels)
        .filter(|(p, l)| p == l)
        .count()
}

/// Predicted class per sample.
pub fn predictions(scores: Tensor<2>) -> Vec<usize> {
    let [batch, _] = scores.dims();
    let data = scores.argmax(1).reshape([batch]).into_data();
    data.iter::<i64>().map(|c| c as usize).collect()
}
