//! Weight initialization measured from outside: the fluctuation-driven rule puts the free
//! membrane's standard deviation at its target (measured by a plain f64 simulation of the
//! network), and the two fixed rules draw the spread they promise.

use crate::common::to_vec;
use burn::tensor::{Device, Tensor};
use surrogate_engine::data::randman::RandmanConfig;
use surrogate_engine::data::randman::generate;
use surrogate_engine::snn::init::InitKind;
use surrogate_engine::snn::init::init_weights;
use surrogate_engine::snn::lif::Dynamics;
use surrogate_engine::snn::model::{ModelConfig, PerLayer};

const STEPS: usize = 100;

/// A raster [T][batch][inputs] in f64.
struct Raster {
    batch: usize,
    width: usize,
    s: Vec<f64>,
}

impl Raster {
    fn from_tensor(t: Tensor<3>) -> Self {
        let [steps, batch, width] = t.dims();
        assert_eq!(steps, STEPS);
        Self {
            batch,
            width,
            s: to_vec(t).into_iter().map(f64::from).collect(),
        }
    }
}

struct Matrix {
    rows: usize,
    cols: usize,
    w: Vec<f64>,
}

fn matrix(t: &Tensor<2>) -> Matrix {
    let [rows, cols] = t.dims();
    Matrix {
        rows,
        cols,
        w: to_vec(t.clone()).into_iter().map(f64::from).collect(),
    }
}

/// x[n]·W for every step and sample.
fn drive(x: &Raster, w: &Matrix) -> Vec<f64> {
    assert_eq!(x.width, w.rows);
    let mut out = vec![0.0; STEPS * x.batch * w.cols];
    for tb in 0..STEPS * x.batch {
        for i in 0..x.width {
            let s = x.s[tb * x.width + i];
            if s != 0.0 {
                for j in 0..w.cols {
                    out[tb * w.cols + j] += s * w.w[i * w.cols + j];
                }
            }
        }
    }
    out
}

/// Standard deviation of the threshold-free membrane (I[n+1] = α·I[n] + x[n]; U[n+1] = β·U[n]
/// + c·I[n]) over every step, sample and neuron.
fn free_membrane_std(x: &Raster, w: &Matrix, dy: &Dynamics) -> f64 {
    let current = drive(x, w);
    let n = w.cols;
    let (a, b, c) = (dy.alpha as f64, dy.beta_mem as f64, dy.input_scale as f64);
    let mut values = Vec::with_capacity(current.len());
    for sample in 0..x.batch {
        for j in 0..n {
            let (mut syn, mut mem) = (0.0, 0.0);
            for t in 0..STEPS {
                mem = b * mem + c * syn;
                syn = a * syn + current[(t * x.batch + sample) * n + j];
                values.push(mem);
            }
        }
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64).sqrt()
}

/// Spikes of a recurrent LIF layer with reset to zero (DESIGN §1), in f64.
fn lif_spikes(x: &Raster, w: &Matrix, v: &Matrix, dy: &Dynamics) -> Raster {
    let current = drive(x, w);
    let n = w.cols;
    let th = dy.threshold as f64;
    let (a, b, c) = (dy.alpha as f64, dy.beta_mem as f64, dy.input_scale as f64);
    let mut s = vec![0.0; STEPS * x.batch * n];
    for sample in 0..x.batch {
        let mut syn = vec![0.0; n];
        let mut mem = vec![0.0; n];
        for t in 0..STEPS {
            let row = (t * x.batch + sample) * n;
            for j in 0..n {
                s[row + j] = if mem[j] - th > 0.0 { 1.0 } else { 0.0 };
            }
            for j in 0..n {
                mem[j] = (b * mem[j] + c * syn[j]) * (1.0 - s[row + j]);
                let recurrent: f64 = (0..n).map(|k| s[row + k] * v.w[k * n + j]).sum();
                syn[j] = a * syn[j] + current[row + j] + recurrent;
            }
        }
    }
    Raster {
        batch: x.batch,
        width: n,
        s,
    }
}

fn randman() -> surrogate_engine::data::DataSplits {
    generate(
        &RandmanConfig {
            samples_per_class: 40,
            ..RandmanConfig::default()
        },
        STEPS,
    )
}

fn fluctuation_model(target: f64) -> ModelConfig {
    ModelConfig {
        hidden: vec![60, 40],
        recurrent: PerLayer::Each(vec![true, false]),
        init: InitKind::Fluctuation { target },
        ..ModelConfig::default()
    }
}

/// On the data it was calibrated on, each layer's free membrane has σ = target·ϑ. The first
/// layer's drive is exactly what the rule scaled, so only rounding separates them (0.5 %). The
/// second layer sees the first layer's spikes, which the f64 simulation may flip where a f32
/// membrane sits within rounding of ϑ: 2 %.
#[test]
fn fluctuation_init_puts_membrane_sigma_at_its_target() {
    let data = randman();
    let device = Device::flex();
    let indices: Vec<usize> = (0..data.train.len().min(256)).collect();
    for target in [0.3, 1.0] {
        let model = fluctuation_model(target);
        let dy = Dynamics::new(&model);
        let calibration = data.train.dense_batch(&indices, &device);
        let w = init_weights(
            &model,
            data.train.inputs,
            data.train.classes,
            4,
            &device,
            Some(calibration.clone()),
        );
        let want = target * model.threshold;
        let x = Raster::from_tensor(calibration);
        let w0 = matrix(&w.hidden[0]);
        let sigma0 = free_membrane_std(&x, &w0, &dy);
        assert!(
            (sigma0 / want - 1.0).abs() < 0.005,
            "target {target}: layer 1 σ = {sigma0}, want {want}"
        );
        let v0 = matrix(w.recurrent[0].as_ref().expect("layer 1 is recurrent"));
        let spikes = lif_spikes(&x, &w0, &v0, &dy);
        assert!(
            spikes.s.iter().any(|&s| s > 0.0),
            "target {target}: layer 1 is silent, layer 2 has nothing to calibrate on"
        );
        let sigma1 = free_membrane_std(&spikes, &matrix(&w.hidden[1]), &dy);
        assert!(
            (sigma1 / want - 1.0).abs() < 0.02,
            "target {target}: layer 2 σ = {sigma1}, want {want}"
        );
    }
}

/// On samples it never saw (the test split), the first layer's σ is still near the target: the
/// rule calibrates the network, not the calibration batch. Randman's classes differ in timing
/// only, so the spread is close; 15 % leaves room for a small sample of 40 per class.
#[test]
fn fluctuation_init_holds_its_target_on_unseen_samples() {
    let data = randman();
    let device = Device::flex();
    let target = 0.5;
    let model = fluctuation_model(target);
    let dy = Dynamics::new(&model);
    let indices: Vec<usize> = (0..data.train.len().min(256)).collect();
    let w = init_weights(
        &model,
        data.train.inputs,
        data.train.classes,
        9,
        &device,
        Some(data.train.dense_batch(&indices, &device)),
    );
    let test: Vec<usize> = (0..data.test.len()).collect();
    let x = Raster::from_tensor(data.test.dense_batch(&test, &device));
    let sigma = free_membrane_std(&x, &matrix(&w.hidden[0]), &dy);
    assert!(
        (sigma / target - 1.0).abs() < 0.15,
        "unseen samples: σ = {sigma}, target {target}"
    );
}

fn sample_stats(t: &Tensor<2>) -> (f64, f64, f64) {
    let v: Vec<f64> = to_vec(t.clone()).into_iter().map(f64::from).collect();
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let std = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    let max_abs = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    (mean, std, max_abs)
}

/// N(0, (gain/√fan_in)²): a 200 × 300 matrix's sample σ is within 2 % of gain/√fan_in (the
/// standard error of a σ estimate from 60,000 draws is 0.3 %).
#[test]
fn scaled_normal_init_has_the_promised_spread() {
    let model = ModelConfig {
        hidden: vec![300],
        init: InitKind::Normal { gain: 5.0 },
        ..ModelConfig::default()
    };
    let w = init_weights(&model, 200, 10, 1, &Device::flex(), None);
    let (mean, std, _) = sample_stats(&w.hidden[0]);
    let want = 5.0 / 200f64.sqrt();
    assert!((std / want - 1.0).abs() < 0.02, "σ = {std}, want {want}");
    assert!(mean.abs() < 0.05 * want, "mean {mean}");
}

/// U(−√k, √k), k = 1/fan_in: every weight inside the bound and σ = √(k/3) within 2 %.
#[test]
fn paper_uniform_init_stays_in_its_bound() {
    let model = ModelConfig {
        hidden: vec![300],
        init: InitKind::Uniform,
        ..ModelConfig::default()
    };
    let w = init_weights(&model, 200, 10, 1, &Device::flex(), None);
    let (_, std, max_abs) = sample_stats(&w.hidden[0]);
    let bound = (1.0 / 200f64).sqrt();
    assert!(
        max_abs <= bound * (1.0 + 1e-6),
        "max |w| {max_abs} > {bound}"
    );
    assert!(max_abs > 0.95 * bound, "draws do not reach the bound");
    let want = bound / 3f64.sqrt();
    assert!((std / want - 1.0).abs() < 0.02, "σ = {std}, want {want}");
}
