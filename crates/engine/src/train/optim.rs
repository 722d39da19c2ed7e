//! Adam and plain SGD over the network's weight matrices.

use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

use crate::bounds::{OutOfBounds, check_count, check_range};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    Adam,
    Sgd,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimConfig {
    pub kind: OptimizerKind,
    /// Live: the trainer takes a new one between batches.
    pub lr: f64,
    pub batch_size: usize,
    pub epochs: usize,
    /// Sweeps and studies stop a run once this many epochs have passed without a better
    /// validation accuracy (the run keeps its best epoch); 0: every run trains all `epochs`.
    pub patience: usize,
    /// Adam's β₁, β₂ (paper and PyTorch defaults).
    pub adam_betas: [f64; 2],
}

impl Default for OptimConfig {
    fn default() -> Self {
        Self {
            kind: OptimizerKind::Adam,
            lr: 0.02,
            batch_size: 250,
            epochs: 20,
            patience: 0,
            adam_betas: [0.9, 0.999],
        }
    }
}

impl OptimConfig {
    pub fn validate(&self) -> Result<(), OutOfBounds> {
        check_learning_rate(self.lr)?;
        check_count("optim.batch_size", self.batch_size, 1, 100_000, "")?;
        check_count("optim.epochs", self.epochs, 0, 1_000_000, "")?;
        check_count("optim.patience", self.patience, 0, 1_000_000, "0: off")?;
        for (i, &b) in self.adam_betas.iter().enumerate() {
            check_range(
                &format!("optim.adam_betas[{i}]"),
                b,
                0.0,
                0.999_999,
                "0 ≤ β < 1",
            )?;
        }
        Ok(())
    }
}

/// The learning rate is checked alone when it is edited live.
pub fn check_learning_rate(lr: f64) -> Result<(), OutOfBounds> {
    check_range(
        "optim.lr",
        lr,
        1e-9,
        10.0,
        "learning rate must be in 1e-9–10",
    )
}

pub struct Optimizer {
    kind: OptimizerKind,
    betas: [f32; 2],
    eps: f32,
    steps: i32,
    /// First and second moment per parameter (Adam only), created on first use.
    moments: Vec<Option<(Tensor<2>, Tensor<2>)>>,
}

impl Optimizer {
    pub fn new(kind: OptimizerKind, betas: [f64; 2]) -> Self {
        Self {
            kind,
            betas: [betas[0] as f32, betas[1] as f32],
            eps: 1e-8,
            steps: 0,
            moments: Vec::new(),
        }
    }

    /// One update; `params` and `grads` correspond one to one.
    pub fn step(
        &mut self,
        params: Vec<Tensor<2>>,
        grads: Vec<Tensor<2>>,
        lr: f64,
    ) -> Vec<Tensor<2>> {
        let lr = lr as f32;
        self.steps += 1;
        if self.moments.len() < params.len() {
            self.moments.resize(params.len(), None);
        }
        let [b1, b2] = self.betas;
        let correction1 = 1.0 - b1.powi(self.steps);
        let correction2 = 1.0 - b2.powi(self.steps);
        params
            .into_iter()
            .zip(grads)
            .enumerate()
            .map(|(i, (p, g))| match self.kind {
                OptimizerKind::Sgd => p - g.mul_scalar(lr),
                OptimizerKind::Adam => {
                    let (m, v) = match self.moments[i].take() {
                        Some((m, v)) => (
                            m.mul_scalar(b1) + g.clone().mul_scalar(1.0 - b1),
                            v.mul_scalar(b2) + (g.clone() * g).mul_scalar(1.0 - b2),
                        ),
                        None => (
                            g.clone().mul_scalar(1.0 - b1),
                            (g.clone() * g).mul_scalar(1.0 - b2),
                        ),
                    };
                    let m_hat = m.clone().div_scalar(correction1);
                    let v_hat = v.clone().div_scalar(correction2);
                    self.moments[i] = Some((m, v));
                    p - (m_hat / v_hat.sqrt().add_scalar(self.eps)).mul_scalar(lr)
                }
            })
            .collect()
    }
}
