//! Firing rates: each hidden layer's mean over training, and the per-neuron histogram with the
//! dead (0 Hz) and saturated neurons counted.

use eframe::egui;
use egui_plot::{Bar, BarChart, Line};

use super::{faded, kept_style, layer_color, legend, max_points, placeholder, plot, title};
use crate::app::history::RunHistory;
use crate::app::live::Live;
use crate::config::Config;
use crate::train::metrics::dead_and_saturated;

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

pub fn histogram(ui: &mut egui::Ui, live: &Live) {
    let Some(snap) = live
        .snapshot
        .as_ref()
        .filter(|s| !s.neuron_rates_hz.is_empty())
    else {
        title(ui, "Neuron rates", "");
        placeholder(ui, "per-neuron rates appear with the network");
        return;
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
    let width = max_rate / BINS as f64;
    let layers = snap.neuron_rates_hz.len();
    let charts: Vec<BarChart> = snap
        .neuron_rates_hz
        .iter()
        .enumerate()
        .map(|(layer, rates)| {
            let mut bins = [0u32; BINS];
            let mut zero = 0u32;
            for &r in rates {
                if r == 0.0 {
                    zero += 1;
                } else {
                    let i = ((r as f64 / width) as usize).min(BINS - 1);
                    bins[i] += 1;
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
            bars.extend(bins.iter().enumerate().map(|(i, &c)| {
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
    plot("rate_hist", ui)
        .legend(legend())
        .x_axis_label("Hz (snapshot batch)")
        .y_axis_label("neurons")
        .include_y(0.0)
        .show(ui, |plot_ui| {
            for c in charts {
                plot_ui.bar_chart(c);
            }
        });
}
