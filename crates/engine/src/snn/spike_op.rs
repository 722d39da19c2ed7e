//! The spike nonlinearity as a custom autodiff op in burn.
//!
//! Forward: s = Θ(x) (1 where x > 0, else 0). Backward: ∂L/∂x = ∂L/∂s · σ'(x), with the
//! surrogate shape and β passed at call time, so a slider move reaches the very next batch with
//! nothing rebuilt. The op is a backend extension: each concrete backend runs the same generic
//! forward; the `Autodiff` implementation registers the surrogate backward.

// burn-ndarray is deprecated upstream; it stays selectable on purpose (users know it).
#![allow(deprecated)]

use burn::backend::autodiff::{
    Autodiff,
    checkpoint::{base::Checkpointer, strategy::CheckpointStrategy},
    grads::Gradients,
    ops::{Backward, Ops, OpsKind},
};
use burn::backend::{
    Backend, Dispatch, TensorMetadata, backend_extension, get_or_init_device_settings,
    tensor::FloatTensor,
};
use burn::tensor::Tensor;

use super::surrogate::SurrogateShape;

#[backend_extension(
    Autodiff,
    Flex,
    NdArray: cfg(feature = "ndarray"),
    Cube: cfg(feature = "wgpu")
)]
pub trait SpikeBackend: Backend {
    /// Heaviside step whose backward pass is the surrogate derivative σ'(x) of `shape` at `beta`.
    fn spike(x: FloatTensor<Self>, shape: SurrogateShape, beta: f32) -> FloatTensor<Self> {
        let _ = (shape, beta);
        heaviside::<Self>(x)
    }
}

impl SpikeBackend for burn::backend::Flex {}
#[cfg(feature = "ndarray")]
impl SpikeBackend for burn::backend::NdArray {}
#[cfg(feature = "wgpu")]
impl SpikeBackend for burn::backend::Cube {}

impl<B: Backend, C: CheckpointStrategy> SpikeBackend for Autodiff<B, C> {
    fn spike(x: FloatTensor<Self>, shape: SurrogateShape, beta: f32) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct SpikeBackward {
            shape: SurrogateShape,
            beta: f32,
        }

        impl<B: Backend> Backward<B, 1> for SpikeBackward {
            // The pre-activation x: σ'(x) is computed from it only if the gradient is asked for.
            type State = FloatTensor<B>;

            fn backward(
                self,
                ops: Ops<Self::State, 1>,
                grads: &mut Gradients,
                _checkpointer: &mut Checkpointer,
            ) {
                let [parent] = ops.parents;
                let grad = grads.consume::<B>(&ops.node);
                if let Some(node) = parent {
                    let slope = surrogate_derivative::<B>(ops.state, self.shape, self.beta);
                    grads.register::<B>(node.id, B::float_mul(grad, slope));
                }
            }
        }

        match (SpikeBackward { shape, beta })
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let x = x.primitive().clone();
                let out = heaviside::<B>(x.clone());
                prep.finish(x, out)
            }
            OpsKind::UnTracked(prep) => prep.finish(heaviside::<B>(x.into_primitive())),
        }
    }
}

/// Θ(x) with Θ(0) = 0, as SpyTorch and the paper define it.
fn heaviside<B: Backend>(x: FloatTensor<B>) -> FloatTensor<B> {
    let bool_dtype = get_or_init_device_settings::<B>(&x.device()).bool_dtype;
    let float_dtype = x.dtype().into();
    let mask = B::float_greater_elem(x, 0f32.into(), bool_dtype);
    B::bool_into_float(mask, float_dtype)
}

/// σ'(x) for a whole tensor, with the same overflow care as [`SurrogateShape::derivative`].
pub fn surrogate_derivative<B: Backend>(
    x: FloatTensor<B>,
    shape: SurrogateShape,
    beta: f32,
) -> FloatTensor<B> {
    let scaled_abs = |x: FloatTensor<B>| {
        if beta == 0.0 {
            // β|x| is 0 by definition here, even where x is infinite (0·∞ would be NaN).
            filled::<B>(&x, 0.0)
        } else {
            B::float_mul_scalar(B::float_abs(x), beta.into())
        }
    };
    match shape {
        SurrogateShape::SuperSpike => {
            let d = B::float_add_scalar(scaled_abs(x), 1f32.into());
            B::float_recip(B::float_mul(d.clone(), d))
        }
        SurrogateShape::Sigmoid => {
            let e = B::float_exp(B::float_neg(scaled_abs(x)));
            let d = B::float_add_scalar(e.clone(), 1f32.into());
            B::float_div(e, B::float_mul(d.clone(), d))
        }
        SurrogateShape::Esser => {
            let v = B::float_add_scalar(B::float_neg(scaled_abs(x)), 1f32.into());
            B::float_clamp_min(v, 0f32.into())
        }
        SurrogateShape::AsymptoticSuperSpike => {
            let d = B::float_add_scalar(scaled_abs(x), 1f32.into());
            let r = B::float_recip(d);
            B::float_mul_scalar(B::float_mul(r.clone(), r), beta.into())
        }
        SurrogateShape::Exponential => B::float_exp(B::float_neg(scaled_abs(x))),
        SurrogateShape::Arctan => {
            let z = B::float_mul_scalar(scaled_abs(x), std::f32::consts::FRAC_PI_2.into());
            B::float_recip(B::float_add_scalar(B::float_mul(z.clone(), z), 1f32.into()))
        }
        SurrogateShape::Gaussian => {
            let z = scaled_abs(x);
            B::float_exp(B::float_mul_scalar(
                B::float_mul(z.clone(), z),
                (-0.5f32).into(),
            ))
        }
        SurrogateShape::StraightThrough => filled::<B>(&x, 1.0),
        SurrogateShape::TrueGradient => filled::<B>(&x, 0.0),
    }
}

/// A tensor shaped like `like`, every element `value` (no arithmetic on `like`: it may hold ∞).
fn filled<B: Backend>(like: &FloatTensor<B>, value: f32) -> FloatTensor<B> {
    B::float_full(
        like.shape(),
        value.into(),
        &like.device(),
        like.dtype().into(),
    )
}

/// s = Θ(x) on any device; with autodiff on, its backward is σ'(x) of `shape` at `beta`.
pub fn spike<const D: usize>(x: Tensor<D>, shape: SurrogateShape, beta: f32) -> Tensor<D> {
    Tensor::from_dispatch(<Dispatch as SpikeBackend>::spike(
        x.into_dispatch(),
        shape,
        beta,
    ))
}
