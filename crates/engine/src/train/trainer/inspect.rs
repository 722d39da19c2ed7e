//! One neuron on one test sample: its membrane, the surrogate at each step, and the error
//! signal ∂L/∂U[n] from a backward pass of that sample alone (the neuron inspector's data).

use burn::tensor::Tensor;

use super::Trainer;
use crate::backend::scalar;
use crate::snn::loss::{class_scores, cross_entropy};
use crate::snn::network::{ForwardOptions, Path, forward_with};
use crate::snn::regularizer::activity_penalty;
use crate::train::metrics::{Inspection, NeuronRef};

/// Column `neuron` of a [T, 1, width] tensor's values.
fn column(values: &[f32], width: usize, neuron: usize) -> Vec<f32> {
    values.iter().skip(neuron).step_by(width).copied().collect()
}

impl Trainer {
    /// `at` on test sample `sample` (modulo the split) under the current weights and live
    /// settings; `None` when there is no such neuron or no test data.
    pub fn inspect(&self, sample: usize, at: NeuronRef) -> Option<Inspection> {
        let split = &self.data.test;
        let widths = self.weights.widths();
        let width = *widths.get(at.layer)?;
        if split.is_empty() || at.neuron >= width {
            return None;
        }
        let sample = sample % split.len();
        let steps = split.steps;
        let surrogate = self.config.surrogate;
        // The imported network's own constants when one runs, else the paper's.
        let dynamics = self.network_dynamics();

        // A zero probe on the layer's membrane: its gradient is ∂L/∂U[n] (lif_layer_probed).
        let probe = Tensor::<3>::zeros([steps, 1, width], &self.device)
            .autodiff()
            .require_grad();
        let weights = self.weights.map(|_, w| w.clone().autodiff());
        let input = split.dense_batch(&[sample], &self.device).autodiff();
        let options = ForwardOptions::on(Path::PerStep)
            .recording()
            .probing(at.layer, probe.clone());
        let out = forward_with(&weights, input, &dynamics, &surrogate, options);
        let layer = out.layers.get(at.layer)?;
        let membrane_all: Vec<f32> = layer
            .membrane
            .clone()?
            .inner()
            .into_data()
            .iter::<f32>()
            .collect();
        let spikes_all: Vec<f32> = layer
            .spikes
            .clone()
            .inner()
            .into_data()
            .iter::<f32>()
            .collect();
        let spikes: Vec<Tensor<3>> = out.layers.iter().map(|l| l.spikes.clone()).collect();
        let labels = split.batch_labels(&[sample]);
        let scores = class_scores(out.readout, self.config.model.loss);
        let ce = cross_entropy(scores, &labels);
        let loss = match activity_penalty(&spikes, &self.config.reg) {
            Some(p) => ce + p,
            None => ce,
        };
        let loss_value = scalar(loss.clone().inner());
        let grads = loss.backward();
        let grad_all: Vec<f32> = probe
            .grad(&grads)
            .map(|g| g.into_data().iter::<f32>().collect())
            .unwrap_or_else(|| vec![0.0; steps * width]);

        let membrane = column(&membrane_all, width, at.neuron);
        let threshold = dynamics
            .hidden
            .get(at.layer)
            .and_then(|l| l.threshold.get(at.neuron).or(l.threshold.first()))
            .copied()
            .unwrap_or(1.0);
        let derivative = |u: f32| {
            surrogate
                .shape
                .derivative((u - threshold) as f64, surrogate.beta) as f32
        };
        let w = &self.weights.hidden[at.layer];
        let [inputs, _] = w.dims();
        let input_weights = w
            .clone()
            .slice([0..inputs, at.neuron..at.neuron + 1])
            .into_data()
            .iter::<f32>()
            .collect();
        Some(Inspection {
            global_step: self.global_step,
            at,
            sample,
            label: split.label(sample),
            steps,
            dt_ms: self.dt_ms(),
            threshold,
            surrogate,
            surrogate_derivative: membrane.iter().map(|&u| derivative(u)).collect(),
            surrogate_peak: surrogate.shape.derivative(0.0, surrogate.beta) as f32,
            membrane,
            spike_steps: column(&spikes_all, width, at.neuron)
                .iter()
                .enumerate()
                .filter(|&(_, &s)| s > 0.0)
                .map(|(n, _)| n)
                .collect(),
            grad_membrane: column(&grad_all, width, at.neuron),
            loss: loss_value,
            input_weights,
        })
    }
}
