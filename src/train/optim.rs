//! Adam and plain SGD over the network's weight matrices.

use burn::tensor::Tensor;

use crate::io::config::OptimizerKind;

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
