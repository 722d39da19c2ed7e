//! Every hidden neuron's firing rate at each snapshot of the run, so a neuron selected late
//! still shows its rate over training; and the two small plots under the inspector's traces.

use eframe::egui;
use egui_plot::{Bar, BarChart, Line};

use crate::app::plots::{layer_color, plot};
use crate::train::metrics::{NeuronRef, Snapshot};

/// Snapshots kept; beyond this every other one is dropped, so a long run keeps its shape.
const MAX_POINTS: usize = 1_000;
const WEIGHT_BINS: usize = 24;

#[derive(Clone, Debug, Default)]
pub struct NeuronRates {
    /// (batches trained, rate of every neuron of every layer in Hz).
    points: Vec<(u64, Vec<Vec<f32>>)>,
}

impl NeuronRates {
    pub fn record(&mut self, snap: &Snapshot) {
        let point = (snap.global_step, snap.neuron_rates_hz.clone());
        // A new sample or a live edit resends the same step: its newest view wins.
        match self.points.last_mut() {
            Some(last) if last.0 == snap.global_step => *last = point,
            _ => self.points.push(point),
        }
        if self.points.len() > MAX_POINTS {
            let mut keep = false;
            self.points.retain(|_| {
                keep = !keep;
                keep
            });
        }
    }

    /// (batch, Hz) of one neuron over the run.
    pub fn of(&self, at: NeuronRef) -> Vec<[f64; 2]> {
        self.points
            .iter()
            .filter_map(|(step, rates)| {
                let r = rates.get(at.layer)?.get(at.neuron)?;
                Some([*step as f64, *r as f64])
            })
            .collect()
    }
}

pub fn rate_plot(ui: &mut egui::Ui, rates: &NeuronRates, at: NeuronRef) {
    let points = rates.of(at);
    let now = points
        .last()
        .map_or(String::new(), |p| format!("now {:.1} Hz", p[1]));
    crate::app::plots::title(ui, "Firing rate", &now);
    plot("inspector_rate", ui)
        .x_axis_label("batch")
        .y_axis_label("Hz")
        .include_x(0.0)
        .include_y(0.0)
        .show(ui, |plot_ui| {
            plot_ui.line(
                Line::new("rate", points)
                    .color(layer_color(at.layer))
                    .width(1.5),
            );
        });
}

pub fn weight_histogram(ui: &mut egui::Ui, weights: &[f32], at: NeuronRef) {
    let finite: Vec<f32> = weights.iter().copied().filter(|w| w.is_finite()).collect();
    let (lo, hi) = finite
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &w| {
            (lo.min(w), hi.max(w))
        });
    let mean = finite.iter().sum::<f32>() / finite.len().max(1) as f32;
    crate::app::plots::title(
        ui,
        "Input weights",
        &format!("{} inputs, mean {mean:+.3}", weights.len()),
    );
    let (lo, hi) = if lo < hi {
        (lo as f64, hi as f64)
    } else {
        (lo as f64 - 0.5, lo as f64 + 0.5)
    };
    let width = (hi - lo) / WEIGHT_BINS as f64;
    let mut counts = [0u32; WEIGHT_BINS];
    for &w in &finite {
        let i = (((w as f64 - lo) / width) as usize).min(WEIGHT_BINS - 1);
        counts[i] += 1;
    }
    let bars: Vec<Bar> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            Bar::new(lo + (i as f64 + 0.5) * width, c as f64)
                .width(width * 0.9)
                .fill(layer_color(at.layer))
        })
        .collect();
    plot("inspector_weights", ui)
        .x_axis_label("weight")
        .include_y(0.0)
        .show(ui, |plot_ui| {
            plot_ui.bar_chart(BarChart::new("weights", bars).color(layer_color(at.layer)));
        });
}
