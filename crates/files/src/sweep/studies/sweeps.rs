//! Each study's sweeps: the shrunk grids, and the paper-size (β, η) grids per variant.

use super::{BETAS, Study, StudySweep};
use crate::config::Config;
use crate::sweep::error::GridError;
use crate::sweep::grid::{GridAxis, Shard, Sweep};
use crate::sweep::paper;

impl Study {
    /// The sweeps of this study (the β study has a second one for its β-free references).
    pub fn sweeps(self, seeds: usize) -> Result<Vec<StudySweep>, GridError> {
        let axis = |s: &str| GridAxis::parse(s);
        let base = Self::base();
        let one = |name, base: Config, axes: Vec<GridAxis>| -> Result<StudySweep, GridError> {
            Ok(StudySweep {
                name,
                sweep: Sweep::new(base, axes, seeds, Shard::default())?,
            })
        };
        Ok(match self {
            Study::Beta => vec![
                one(
                    "beta",
                    base.clone(),
                    vec![
                        axis("surrogate.shape=super_spike,sigmoid,esser")?,
                        axis(&format!("surrogate.beta={BETAS}"))?,
                    ],
                )?,
                one(
                    "beta_reference",
                    base,
                    vec![axis("surrogate.shape=straight_through,true_gradient")?],
                )?,
            ],
            Study::Reset => vec![one(
                "reset",
                base,
                vec![
                    axis("surrogate.shape=super_spike,asymptotic_super_spike")?,
                    axis("model.reset_detached=true,false")?,
                    axis("surrogate.beta=1,10,100,1000")?,
                ],
            )?],
            Study::Sparsity | Study::SparsityPaper => {
                let (name, base) = match self {
                    Study::Sparsity => ("sparsity", base),
                    _ => ("sparsity_paper", paper::randman_base()),
                };
                // θ = 0: every spike above none is penalized, λ·(mean count)².
                let base = base.set("reg.upper.theta=0").map_err(GridError::Base)?;
                vec![one(
                    name,
                    base,
                    vec![axis("reg.upper.lambda=0,0.03,0.1,0.3,1,2,3,5,10,30,100")?],
                )?]
            }
            _ => {
                let (p, q) = (paper::randman_base(), paper::mnist_base());
                let set = |c: Config, kv: &str| c.set(kv).map_err(GridError::Base);
                let shapes =
                    |base: Config, name, refs, betas, lrs| -> Result<Vec<StudySweep>, GridError> {
                        Ok(vec![
                            one(
                                name,
                                base.clone(),
                                vec![
                                    axis("surrogate.shape=super_spike,sigmoid,esser")?,
                                    axis(&format!("surrogate.beta={betas}"))?,
                                    axis(&format!("optim.lr={lrs}"))?,
                                ],
                            )?,
                            one(
                                refs,
                                base,
                                vec![
                                    axis("surrogate.shape=straight_through,true_gradient")?,
                                    axis(&format!("optim.lr={lrs}"))?,
                                ],
                            )?,
                        ])
                    };
                let normalised_vs_asymptotic =
                    || axis("surrogate.shape=super_spike,asymptotic_super_spike");
                match self {
                    Study::Shape => {
                        shapes(p, "shape", "shape_reference", paper::BETAS, paper::LRS)?
                    }
                    Study::ShapeMnist => shapes(
                        q,
                        "shape_mnist",
                        "shape_mnist_reference",
                        paper::BETAS_MNIST,
                        paper::LRS_MNIST,
                    )?,
                    Study::Scale => vec![one(
                        "scale",
                        p,
                        vec![
                            normalised_vs_asymptotic()?,
                            axis("model.reset_detached=true,false")?,
                            axis(&format!("surrogate.beta={}", paper::BETAS_SCALE))?,
                            axis(&format!("optim.lr={}", paper::LRS))?,
                        ],
                    )?],
                    // The reset both ways: the claim is about the differentiable one, the
                    // detached one is its control.
                    Study::Depth => vec![one(
                        "depth",
                        p,
                        vec![
                            axis("model.hidden=[100],[100,100],[100,100,100]")?,
                            normalised_vs_asymptotic()?,
                            axis("model.reset_detached=true,false")?,
                            axis(&format!("surrogate.beta={}", paper::BETAS_COARSE))?,
                            axis(&format!("optim.lr={}", paper::LRS))?,
                        ],
                    )?],
                    _ => vec![one(
                        "recurrent",
                        set(p, "model.recurrent=true")?,
                        vec![
                            axis("model.recurrent_detached=false,true")?,
                            normalised_vs_asymptotic()?,
                            axis(&format!("surrogate.beta={}", paper::BETAS_COARSE))?,
                            axis(&format!("optim.lr={}", paper::LRS))?,
                        ],
                    )?],
                }
            }
        })
    }
}
