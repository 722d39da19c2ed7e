//! Firing rates: each hidden layer's mean over training, and the per-neuron histogram with the
//! dead (0 Hz) and saturated neurons counted. A click on a bar of the histogram inspects a
//! neuron of that bar; clicking it again steps to the bar's next neuron.

use eframe::egui;
use egui_plot::{Bar, BarChart, Line};

use super::{cursor, faded, kept_style, layer_color, legend, max_points, placeholder, plot, title};
use crate::app::history::RunHistory;
use crate::app::live::Live;
use crate::app::{Action, UiState};
use crate::config::Config;
use crate::train::metrics::{NeuronRef, dead_and_saturated};

/// Bins of the rate histogram between 0 and the fastest neuron.
const BINS: usize = 24;

pub fn over_training(ui: &mut egui::Ui, history: &RunHistory, reference: &Config) {
    let detail: Vec<String> = history
        .current
        .rate
        .iter()
        .filter_map(|s| s.last())
        .map(|p| format!("{:.1}", p[1]))
        .collect();
    let detail = if detail.is_empty() {
        String::new()
    } else {
        format!("now [{}] Hz", detail.join(", "))
    };
    title(ui, "Firing rate per layer", &detail);
    if history.current.batches == 0 && history.kept.is_empty() {
        placeholder(ui, "mean rate of each hidden layer, per batch");
        return;
    }
    let n = max_points(ui.available_width());
    let (_, kept_labels) = history.labels(reference);
    plot("rate_plot", ui)
        .legend(legend())
        .x_axis_label("epoch")
        .y_axis_label("Hz")
        .include_x(0.0)
        .include_y(0.0)
        .show(ui, |plot_ui| {
            for (k, (run, label)) in history.kept.iter().zip(&kept_labels).enumerate() {
                for (i, s) in run.rate.iter().enumerate() {
                    plot_ui.line(
                        Line::new(format!("{label}: hidden {}", i + 1), s.decimated(n))
                            .color(faded(layer_color(i)))
                            .style(kept_style(k)),
                    );
                }
            }
            for (i, s) in history.current.rate.iter().enumerate() {
                plot_ui.line(
                    Line::new(format!("hidden {}", i + 1), s.decimated(n))
                        .color(layer_color(i))
                        .width(1.5),
                );
            }
        });
}

pub fn histogram(ui: &mut egui::Ui, live: &Live, state: &UiState) -> Vec<Action> {
    let Some(snap) = live
        .snapshot
        .as_ref()
        .filter(|s| !s.neuron_rates_hz.is_empty())
    else {
        title(ui, "Neuron rates", "");
        placeholder(ui, "per-neuron rates appear with the network");
        return Vec::new();
    };
    let counts: Vec<(usize, usize, usize)> = snap
        .neuron_rates_hz
        .iter()
        .map(|r| {
            let (dead, sat) = dead_and_saturated(r, snap.dt_ms);
            (dead, sat, r.len())
        })
        .collect();
    let dead: usize = counts.iter().map(|c| c.0).sum();
    let sat: usize = counts.iter().map(|c| c.1).sum();
    let total: usize = counts.iter().map(|c| c.2).sum();
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new("Neuron rates").strong());
        let dead_text = egui::RichText::new(format!("{dead} dead")).small();
        ui.label(if dead > 0 {
            dead_text.color(ui.visuals().warn_fg_color)
        } else {
            dead_text.weak()
        })
        .on_hover_text("Neurons that never fired on the snapshot batch (0 Hz)");
        ui.label(
            egui::RichText::new(format!("· {sat} saturated · of {total}"))
                .small()
                .weak(),
        )
        .on_hover_text("Saturated: firing in at least half of all time steps");
    });

    let max_rate = snap
        .neuron_rates_hz
        .iter()
        .flatten()
        .fold(0.0f32, |m, &r| m.max(r))
        .max(1.0) as f64;
    let bins = Bins {
        width: max_rate / BINS as f64,
        layers: snap.neuron_rates_hz.len(),
    };
    let (width, layers) = (bins.width, bins.layers);
    let charts: Vec<BarChart> = snap
        .neuron_rates_hz
        .iter()
        .enumerate()
        .map(|(layer, rates)| {
            let mut counts = [0u32; BINS];
            let mut zero = 0u32;
            for &r in rates {
                match bins.bin_of(r) {
                    Some(i) => counts[i] += 1,
                    None => zero += 1,
                }
            }
            // Dead neurons get their own bar left of zero so they cannot hide in the first bin;
            // the layers' bars stand side by side within a bin.
            let offset = (layer as f64 + 0.5) * width / layers as f64;
            let bar_w = width / layers as f64 * 0.9;
            let color = layer_color(layer);
            let mut bars = vec![
                Bar::new(-width + offset, zero as f64)
                    .width(bar_w)
                    .fill(egui::Color32::from_rgb(200, 70, 70))
                    .name(format!("hidden {}: 0 Hz (dead)", layer + 1)),
            ];
            bars.extend(counts.iter().enumerate().map(|(i, &c)| {
                Bar::new(i as f64 * width + offset, c as f64)
                    .width(bar_w)
                    .fill(color)
                    .name(format!(
                        "hidden {}: {:.0}–{:.0} Hz",
                        layer + 1,
                        i as f64 * width,
                        (i + 1) as f64 * width
                    ))
            }));
            BarChart::new(format!("hidden {}", layer + 1), bars).color(color)
        })
        .collect();
    let response = plot("rate_hist", ui)
        .legend(legend())
        .x_axis_label("Hz (snapshot batch)")
        .y_axis_label("neurons")
        .include_y(0.0)
        .show(ui, |plot_ui| {
            for c in charts {
                plot_ui.bar_chart(c);
            }
        });
    let mut actions = Vec::new();
    let Some(p) = cursor::pointer(&response) else {
        return actions;
    };
    let Some((layer, bin)) = bins.bar_at(p.x) else {
        return actions;
    };
    let rates = &snap.neuron_rates_hz[layer];
    let members: Vec<usize> = (0..rates.len())
        .filter(|&n| bins.bin_of(rates[n]) == bin)
        .collect();
    // On the bar, not in the empty column above it.
    if members.is_empty() || p.y < 0.0 || p.y > members.len() as f64 {
        return actions;
    }
    let after = state
        .selected
        .filter(|s| s.layer == layer)
        .map(|s| s.neuron);
    let neuron = after
        .and_then(|a| members.iter().copied().find(|&n| n > a))
        .unwrap_or(members[0]);
    let range = match bin {
        Some(i) => format!(
            "{:.1}–{:.1} Hz",
            i as f64 * bins.width,
            (i + 1) as f64 * bins.width
        ),
        None => "0 Hz (dead)".into(),
    };
    response.response.clone().on_hover_text_at_pointer(format!(
        "hidden {}: {range}, {} neurons\nclick to inspect hidden {} · neuron {neuron}",
        layer + 1,
        members.len(),
        layer + 1
    ));
    if response.response.clicked() {
        actions.push(Action::SelectNeuron(Some(NeuronRef { layer, neuron })));
    }
    actions
}

/// Where the histogram's bars stand: per bin a slot `width` Hz wide, shared side by side by
/// the layers; the dead neurons' slot is left of 0 Hz.
struct Bins {
    width: f64,
    layers: usize,
}

impl Bins {
    /// The bin of a rate; `None` for a dead neuron.
    fn bin_of(&self, rate_hz: f32) -> Option<usize> {
        (rate_hz != 0.0).then(|| ((rate_hz as f64 / self.width) as usize).min(BINS - 1))
    }

    /// The layer and bin of the bar over `x` (Hz), if any.
    fn bar_at(&self, x: f64) -> Option<(usize, Option<usize>)> {
        let slot = ((x + self.width) / self.width).floor();
        if !(0.0..=BINS as f64).contains(&slot) || self.layers == 0 {
            return None;
        }
        let within = x + self.width - slot * self.width;
        let layer = ((within / self.width * self.layers as f64) as usize).min(self.layers - 1);
        Some((layer, (slot as usize).checked_sub(1)))
    }
}
