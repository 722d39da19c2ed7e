//! Randman: spike-timing classification on random smooth manifolds (Zenke & Vogels 2021,
//! Sec. 4.1.1).
//!
//! Each class owns one random manifold per spike of a unit: a smooth map from the
//! `manifold_dim`-cube into `units` dimensions, built from random Fourier series whose k-th
//! component is damped by 1/k^α. A sample is a random point on its class's manifold; each
//! coordinate of its image becomes one unit's spike time, scaled into the first `step_frac` of
//! the trial. Classes differ only in the timing of single spikes.

use serde::{Deserialize, Serialize};

use super::config::SettingsError;
use crate::bounds::{check_count, check_range};
use crate::data::dataset::{DataSplits, SpikeDataset};
use crate::rng::Rng;

/// Random manifolds (Zenke & Vogels 2021, Sec. 4.1.1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RandmanConfig {
    pub classes: usize,
    pub units: usize,
    pub manifold_dim: usize,
    /// Smoothness α of the random Fourier series: coefficient k is scaled by 1/k^α.
    pub alpha: f64,
    pub spikes_per_unit: usize,
    pub samples_per_class: usize,
    /// Fractions of each class for training and validation; the rest is the test set.
    pub train_frac: f64,
    pub valid_frac: f64,
    /// Spikes fall in the first `step_frac` of the trial.
    pub step_frac: f64,
    pub seed: u64,
}

impl Default for RandmanConfig {
    fn default() -> Self {
        Self {
            classes: 10,
            units: 20,
            manifold_dim: 1,
            alpha: 1.0,
            spikes_per_unit: 1,
            samples_per_class: 1000,
            train_frac: 0.8,
            valid_frac: 0.1,
            step_frac: 0.5,
            seed: 1,
        }
    }
}

impl RandmanConfig {
    /// The first setting that makes no data set (or one without a training or test sample).
    pub fn validate(&self) -> Result<(), SettingsError> {
        crate::bounds::check_seed("data.randman.seed", self.seed)?;
        check_count("data.randman.classes", self.classes, 2, 1000, "")?;
        check_count("data.randman.units", self.units, 1, 100_000, "")?;
        check_count("data.randman.manifold_dim", self.manifold_dim, 1, 16, "")?;
        check_count(
            "data.randman.spikes_per_unit",
            self.spikes_per_unit,
            1,
            100,
            "",
        )?;
        check_count(
            "data.randman.samples_per_class",
            self.samples_per_class,
            3,
            1_000_000,
            "",
        )?;
        check_range("data.randman.alpha", self.alpha, 0.0, 10.0, "0–10")?;
        check_range(
            "data.randman.train_frac",
            self.train_frac,
            0.01,
            0.98,
            "0.01–0.98",
        )?;
        check_range(
            "data.randman.valid_frac",
            self.valid_frac,
            0.0,
            0.9,
            "0–0.9",
        )?;
        if self.train_frac + self.valid_frac >= 1.0 {
            return Err(SettingsError::NoTestSet);
        }
        let (train, _, test) = split_sizes(self);
        if train == 0 || test == 0 {
            return Err(SettingsError::EmptySplit {
                per_class: self.samples_per_class,
                train_frac: self.train_frac,
                valid_frac: self.valid_frac,
                train,
                test,
            });
        }
        check_range(
            "data.randman.step_frac",
            self.step_frac,
            0.01,
            1.0,
            "0.01–1",
        )?;
        Ok(())
    }
}
/// The ε of the original generator's min–max normalisation, (x − min)/(max − min + ε).
const NORMALISATION_EPS: f64 = 1e-7;

/// Series terms kept: enough that the discarded tail is below 10⁻³ of the first amplitude.
fn series_length(alpha: f64) -> usize {
    const PRECISION: f64 = 1e-3;
    const MAX_TERMS: usize = 1000;
    if alpha <= 0.0 {
        return MAX_TERMS;
    }
    (PRECISION.powf(-1.0 / alpha).ceil() as usize).clamp(2, MAX_TERMS)
}

/// One random smooth map [0,1]^dim → R^units.
struct Manifold {
    dim: usize,
    terms: usize,
    /// Per (unit, dim, term): amplitude, frequency factor and phase, each U[0,1).
    params: Vec<[f64; 3]>,
    damping: Vec<f64>,
}

impl Manifold {
    fn new(units: usize, dim: usize, alpha: f64, rng: &mut Rng) -> Self {
        let terms = series_length(alpha);
        let mut params = Vec::with_capacity(units * dim * terms);
        for _ in 0..units * dim {
            for k in 0..terms {
                let mut p = [rng.uniform(), rng.uniform(), rng.uniform()];
                if k == 0 {
                    // The k = 0 term is a constant offset: it carries no shape.
                    p[0] = 0.0;
                }
                params.push(p);
            }
        }
        let damping = (0..terms)
            .map(|k| 1.0 / ((k + 1) as f64).powf(alpha))
            .collect();
        Self {
            dim,
            terms,
            params,
            damping,
        }
    }

    /// Coordinate `unit` of the image of point x: a product over manifold dimensions of 1-D
    /// random Fourier series.
    fn eval(&self, unit: usize, x: &[f64]) -> f64 {
        let mut value = 1.0;
        for (d, &xd) in x.iter().enumerate().take(self.dim) {
            let base = (unit * self.dim + d) * self.terms;
            let mut sum = 0.0;
            for k in 0..self.terms {
                let [a, f, phase] = self.params[base + k];
                sum += a
                    * self.damping[k]
                    * (std::f64::consts::TAU * (k as f64 * xd * f + phase)).sin();
            }
            value *= sum;
        }
        value
    }
}

/// Samples per class in the training, validation and test splits, as `generate` makes them.
pub fn split_sizes(cfg: &RandmanConfig) -> (usize, usize, usize) {
    let n = cfg.samples_per_class;
    let n_train = (((n as f64) * cfg.train_frac).round() as usize).min(n);
    let n_valid = (((n as f64) * cfg.valid_frac).round() as usize).min(n - n_train);
    (n_train, n_valid, n - n_train - n_valid)
}

/// Generates the three splits. Same configuration and seed → identical data.
pub fn generate(cfg: &RandmanConfig, steps: usize) -> DataSplits {
    let mut rng = Rng::derive(cfg.seed, 0x5241_4E44); // "RAND"
    let n = cfg.samples_per_class;
    let (n_train, n_valid, _) = split_sizes(cfg);
    let window = steps as f64 * cfg.step_frac;

    // Per class: the spike events of every sample, in generation order.
    let mut per_class: Vec<Vec<Vec<(u32, u32)>>> = Vec::with_capacity(cfg.classes);
    for _class in 0..cfg.classes {
        let manifolds: Vec<Manifold> = (0..cfg.spikes_per_unit)
            .map(|_| Manifold::new(cfg.units, cfg.manifold_dim, cfg.alpha, &mut rng))
            .collect();
        let points: Vec<Vec<f64>> = (0..n)
            .map(|_| (0..cfg.manifold_dim).map(|_| rng.uniform()).collect())
            .collect();
        let mut samples: Vec<Vec<(u32, u32)>> =
            vec![Vec::with_capacity(cfg.units * cfg.spikes_per_unit); n];
        for manifold in &manifolds {
            for unit in 0..cfg.units {
                let values: Vec<f64> = points.iter().map(|x| manifold.eval(unit, x)).collect();
                // Each unit's coordinate is rescaled to [0, 1) over the class's samples, as in
                // the original generator, so spike times fill the window. The original's ε keeps
                // the largest coordinate below 1: without it that sample's spike would land on
                // the first step after the window.
                let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let span = hi - lo + NORMALISATION_EPS;
                for (sample, v) in samples.iter_mut().zip(values) {
                    let t = ((v - lo) / span * window)
                        .floor()
                        .clamp(0.0, (steps - 1) as f64);
                    sample.push((t as u32, unit as u32));
                }
            }
        }
        per_class.push(samples);
    }

    let mut train = SpikeDataset::new(cfg.units, steps, cfg.classes);
    let mut valid = SpikeDataset::new(cfg.units, steps, cfg.classes);
    let mut test = SpikeDataset::new(cfg.units, steps, cfg.classes);
    // Interleave classes so every split is balanced and ordered by nothing in particular.
    let mut order: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (0..cfg.classes).map(move |c| (c, i)))
        .collect();
    rng.shuffle(&mut order);
    for (class, i) in order {
        let split = if i < n_train {
            &mut train
        } else if i < n_train + n_valid {
            &mut valid
        } else {
            &mut test
        };
        let events = std::mem::take(&mut per_class[class][i]);
        // Events are in range by construction: t < steps, unit < units, class < classes.
        split
            .push(events, class)
            .expect("randman events are constructed in range");
    }

    DataSplits {
        name: "Randman".into(),
        train,
        valid: if n_valid > 0 { Some(valid) } else { None },
        test,
    }
}
