//! What the window shows of one test sample: spike rasters, membrane traces of the most
//! active neurons, and the membrane histogram that the surrogate curve is drawn over.

use super::Trainer;
use crate::snn::dynamics::LayerDynamics;
use crate::snn::loss::{class_scores, predictions};
use crate::snn::network::{ForwardOptions, Path, forward_with};
use crate::train::metrics::{Histogram, Raster, Snapshot};

/// Samples whose membranes fill the snapshot's histogram.
const SNAPSHOT_BATCH: usize = 32;
/// Neurons per layer whose membrane traces a snapshot carries.
const TRACED_NEURONS: usize = 4;

impl Trainer {
    /// Test sample `sample` seen through the current network: rasters, traces, histogram.
    pub fn snapshot(&self, sample: usize) -> Snapshot {
        let split = &self.data.test;
        if split.is_empty() {
            return Snapshot::default();
        }
        let sample = sample % split.len();
        let net = self.network_dynamics();
        let dt_ms = self.dt_ms();
        let indices: Vec<usize> = (0..SNAPSHOT_BATCH.min(split.len()))
            .map(|k| (sample + k) % split.len())
            .collect();
        let input = split.dense_batch(&indices, &self.device);
        let out = forward_with(
            &self.weights,
            input,
            &net,
            &self.config.surrogate,
            ForwardOptions::on(Path::PerStep).recording(),
        );
        let steps = split.steps;
        let batch = indices.len();

        let mut hidden = Vec::new();
        let mut traced_neurons = Vec::new();
        let mut membrane = Vec::new();
        let mut neuron_rates_hz = Vec::new();
        let mut x_values = Vec::new();
        for (layer, dynamics) in out.layers.iter().zip(&net.hidden) {
            let [_, _, width] = layer.spikes.dims();
            let s: Vec<f32> = layer.spikes.clone().into_data().iter::<f32>().collect();
            let u: Vec<f32> = layer
                .membrane
                .clone()
                .map(|m| m.into_data().iter::<f32>().collect())
                .unwrap_or_default();
            let at = |t: usize, b: usize, n: usize| (t * batch + b) * width + n;
            let mut events = Vec::new();
            let mut counts = vec![0usize; width];
            let mut batch_counts = vec![0usize; width];
            for t in 0..steps {
                for n in 0..width {
                    if s[at(t, 0, n)] > 0.0 {
                        events.push((t as u32, n as u32));
                        counts[n] += 1;
                    }
                    for b in 0..batch {
                        if s[at(t, b, n)] > 0.0 {
                            batch_counts[n] += 1;
                        }
                    }
                }
            }
            // Trace the most active neurons of this sample (by spikes, then by mean membrane).
            let mut ranked: Vec<usize> = (0..width).collect();
            let mean_u = |n: usize| {
                (0..steps)
                    .map(|t| u.get(at(t, 0, n)).copied().unwrap_or(0.0))
                    .sum::<f32>()
            };
            ranked.sort_by(|&a, &b| {
                counts[b]
                    .cmp(&counts[a])
                    .then(mean_u(b).total_cmp(&mean_u(a)))
            });
            ranked.truncate(TRACED_NEURONS.min(width));
            membrane.push(
                ranked
                    .iter()
                    .map(|&n| {
                        (0..steps)
                            .map(|t| u.get(at(t, 0, n)).copied().unwrap_or(0.0))
                            .collect()
                    })
                    .collect(),
            );
            traced_neurons.push(ranked);
            // Each neuron's distance to its own threshold (imported layers have one each).
            x_values.extend(
                u.iter()
                    .enumerate()
                    .map(|(i, v)| v - dynamics.threshold[i % width]),
            );
            let to_hz = 1000.0 / (dt_ms * steps as f32 * batch as f32);
            neuron_rates_hz.push(batch_counts.iter().map(|&c| c as f32 * to_hz).collect());
            hidden.push(Raster { width, events });
        }

        let [_, _, outputs] = out.readout.dims();
        let r: Vec<f32> = out.readout.clone().into_data().iter::<f32>().collect();
        let readout: Vec<Vec<f32>> = (0..outputs)
            .map(|o| (0..steps).map(|t| r[(t * batch) * outputs + o]).collect())
            .collect();
        let scores = class_scores(out.readout, self.config.model.loss);
        let prediction = predictions(scores).first().copied().unwrap_or(0);
        let th = net.hidden.first().map_or(1.0, typical_threshold);

        Snapshot {
            global_step: self.global_step,
            sample,
            label: split.label(sample),
            prediction,
            steps,
            dt_ms,
            threshold: th,
            input: Raster {
                width: split.inputs,
                events: split.events(sample).collect(),
            },
            hidden,
            traced_neurons,
            membrane,
            readout,
            membrane_histogram: Histogram::of(x_values, -2.0 * th, th, 120),
            neuron_rates_hz,
        }
    }
}

/// The threshold the plots draw: the layer's shared one, else the mean of its neurons'.
fn typical_threshold(layer: &LayerDynamics) -> f32 {
    LayerDynamics::shared(&layer.threshold).unwrap_or_else(|| {
        layer.threshold.iter().sum::<f32>() / layer.threshold.len().max(1) as f32
    })
}
