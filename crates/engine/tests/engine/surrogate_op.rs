//! The custom spike op: Heaviside forward, surrogate backward, on every compiled backend.

use crate::common::{close, devices, to_vec};
use burn::tensor::{Tensor, TensorData};
use surrogate_engine::snn::spike_op::spike;
use surrogate_engine::snn::surrogate::SurrogateShape;

fn points() -> Vec<f32> {
    let mut xs: Vec<f32> = (-120..=120).map(|i| i as f32 * 0.025 + 0.0007).collect();
    xs.extend([0.0, -0.0, 1e-6, -1e-6, 5.0, -40.0]);
    xs
}

/// Upstream gradients: distinct per element so the op must multiply, not just replace.
fn upstream(n: usize) -> Vec<f32> {
    (0..n).map(|i| 0.5 + (i % 7) as f32 * 0.25).collect()
}

#[test]
fn op_gradient_equals_scalar_derivative_on_every_backend() {
    let devices = devices();
    eprintln!(
        "backends under test: {:?}",
        devices.iter().map(|d| d.0).collect::<Vec<_>>()
    );
    for (name, device) in devices {
        let ad = device.autodiff();
        for shape in SurrogateShape::ALL {
            for beta in [0.5f32, 10.0, 100.0] {
                let xs = points();
                let up = upstream(xs.len());
                let n = xs.len();
                let x =
                    Tensor::<1>::from_data(TensorData::new(xs.clone(), [n]), &ad).require_grad();
                let w = Tensor::<1>::from_data(TensorData::new(up.clone(), [n]), &ad);
                let s = spike(x.clone(), shape, beta);
                let forward = to_vec(s.clone().inner());
                let grads = (s * w).sum().backward();
                let g = to_vec(x.grad(&grads).expect("x is tracked"));
                for i in 0..n {
                    let expected_s = if xs[i] > 0.0 { 1.0 } else { 0.0 };
                    assert_eq!(
                        forward[i], expected_s,
                        "{name} {shape} forward at {}",
                        xs[i]
                    );
                    let expected = up[i] as f64 * shape.derivative(xs[i] as f64, beta as f64);
                    assert!(
                        close(g[i] as f64, expected, 1e-4),
                        "{name} {shape} β={beta} x={}: op gives {}, σ' gives {expected}",
                        xs[i],
                        g[i]
                    );
                }
            }
        }
    }
}

#[test]
fn op_gradient_equals_straight_through_construction() {
    // H(x).detach() + f(x) − f(x).detach(), f the primitive of σ': the same gradient through
    // burn's own autodiff of ordinary ops.
    let (_, device) = devices().remove(0);
    let ad = device.autodiff();
    for shape in SurrogateShape::ALL {
        for beta in [1.0f32, 10.0, 100.0] {
            let xs = points();
            let n = xs.len();
            let up = upstream(n);
            let via_op = {
                let x =
                    Tensor::<1>::from_data(TensorData::new(xs.clone(), [n]), &ad).require_grad();
                let w = Tensor::<1>::from_data(TensorData::new(up.clone(), [n]), &ad);
                let g = (spike(x.clone(), shape, beta) * w).sum().backward();
                to_vec(x.grad(&g).expect("tracked"))
            };
            let via_construction = {
                let x =
                    Tensor::<1>::from_data(TensorData::new(xs.clone(), [n]), &ad).require_grad();
                let w = Tensor::<1>::from_data(TensorData::new(up.clone(), [n]), &ad);
                let heaviside = x.clone().greater_elem(0.0).float().detach();
                let f = primitive(x.clone(), shape, beta);
                let s = heaviside + f.clone() - f.detach();
                let g = (s * w).sum().backward();
                x.grad(&g).map(to_vec).unwrap_or_else(|| vec![0.0; n])
            };
            for i in 0..n {
                if shape == SurrogateShape::Exponential && xs[i] == 0.0 {
                    // sign(x)·(1 − e^(−β|x|))/β: autodiff takes d|x|/dx = 0 at 0, so the
                    // construction itself is wrong exactly there (the op is right: σ'(0) = 1).
                    continue;
                }
                assert!(
                    close(via_op[i] as f64, via_construction[i] as f64, 1e-3),
                    "{shape} β={beta} x={}: op {} vs construction {}",
                    xs[i],
                    via_op[i],
                    via_construction[i]
                );
            }
        }
    }
}

/// f with f' = σ', written with burn's differentiable tensor ops.
fn primitive(x: Tensor<1>, shape: SurrogateShape, beta: f32) -> Tensor<1> {
    let b = beta;
    match shape {
        SurrogateShape::SuperSpike => x.clone() / x.abs().mul_scalar(b).add_scalar(1.0),
        SurrogateShape::Sigmoid => burn::tensor::activation::sigmoid(x.mul_scalar(b)).div_scalar(b),
        SurrogateShape::Esser => {
            let c = x.clamp(-1.0 / b, 1.0 / b);
            c.clone() - (c.clone() * c.abs()).mul_scalar(0.5 * b)
        }
        SurrogateShape::AsymptoticSuperSpike => {
            x.clone().mul_scalar(b) / x.abs().mul_scalar(b).add_scalar(1.0)
        }
        SurrogateShape::Exponential => {
            // sign(x)(1 − e^(−β|x|))/β; sign is piecewise constant, so its gradient is 0.
            let sign = x.clone().sign().detach();
            sign * x
                .abs()
                .mul_scalar(-b)
                .exp()
                .neg()
                .add_scalar(1.0)
                .div_scalar(b)
        }
        SurrogateShape::Arctan => {
            let k = std::f32::consts::FRAC_PI_2 * b;
            x.mul_scalar(k).atan().div_scalar(k)
        }
        SurrogateShape::Gaussian => x
            .mul_scalar(b / std::f32::consts::SQRT_2)
            .erf()
            .mul_scalar(std::f32::consts::FRAC_PI_2.sqrt() / b),
        SurrogateShape::StraightThrough => x,
        SurrogateShape::TrueGradient => x.mul_scalar(0.0),
    }
}

#[test]
fn surrogate_stays_finite_at_any_beta() {
    for (name, device) in devices() {
        let ad = device.autodiff();
        let xs = vec![0.0f32, 1e-30, -1e-30, 1.0, -1.0, 1e30, -1e30, 3e38];
        let n = xs.len();
        for shape in SurrogateShape::ALL {
            for beta in [0.0f32, 1e-3, 1.0, 1e6, 3e38] {
                let x =
                    Tensor::<1>::from_data(TensorData::new(xs.clone(), [n]), &ad).require_grad();
                let g = spike(x.clone(), shape, beta).sum().backward();
                for (i, v) in to_vec(x.grad(&g).expect("tracked")).into_iter().enumerate() {
                    assert!(v.is_finite(), "{name} {shape} β={beta} x={}: {v}", xs[i]);
                }
            }
        }
    }
}
