//! σ'(x) over x = U − ϑ (ϑ the threshold), with the histogram of the hidden membranes drawn underneath: where
//! the membranes sit is where the surrogate lets gradient through.

use eframe::egui;
use egui_plot::{Bar, BarChart, Line, VLine};

use super::{layer_color, legend};
use crate::snn::surrogate::SurrogateConfig;
use crate::train::metrics::Histogram;

const HEIGHT: f32 = 150.0;
/// Curve samples: enough for β = 1000, whose peak is 1/500 of the default x range wide.
const SAMPLES: usize = 1201;

pub fn show(ui: &mut egui::Ui, s: &SurrogateConfig, histogram: Option<&Histogram>) {
    let (lo, hi) = histogram
        .filter(|h| h.hi > h.lo)
        .map_or((-2.0, 1.0), |h| (h.lo as f64, h.hi as f64));
    let curve: Vec<[f64; 2]> = (0..SAMPLES)
        .map(|i| {
            let x = lo + (hi - lo) * i as f64 / (SAMPLES - 1) as f64;
            [x, s.shape.derivative(x, s.beta)]
        })
        .chain(std::iter::once([0.0, s.shape.derivative(0.0, s.beta)]))
        .collect::<Vec<_>>();
    let mut curve = curve;
    curve.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let peak = curve.iter().map(|p| p[1]).fold(0.0f64, f64::max);
    // The histogram is scaled to the curve's peak: the two share an x axis, not a y unit.
    let scale_to = if peak > 0.0 { peak } else { 1.0 };

    let mut chart = None;
    let mut note = String::from("membrane histogram appears with the network");
    if let Some(h) = histogram.filter(|h| !h.counts.is_empty()) {
        // √count: the pile at U = 0 (resting and just-reset neurons) would flatten the rest.
        let max = (h.counts.iter().copied().max().unwrap_or(0).max(1) as f64).sqrt();
        let total: u64 = h.counts.iter().map(|&c| c as u64).sum();
        let bin_w = (h.hi - h.lo) as f64 / h.counts.len() as f64;
        let bars: Vec<Bar> = h
            .counts
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                Bar::new(h.bin_centre(i) as f64, (c as f64).sqrt() / max * scale_to).width(bin_w)
            })
            .collect();
        chart = Some(
            BarChart::new("membranes (√count, scaled)", bars)
                .color(layer_color(0).gamma_multiply(0.5)),
        );
        // Share of (neuron, step) samples where σ' passes at least a tenth of its peak.
        let open: u64 = h
            .counts
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                peak > 0.0 && s.shape.derivative(h.bin_centre(*i) as f64, s.beta) >= 0.1 * peak
            })
            .map(|(_, &c)| c as u64)
            .sum();
        if total > 0 {
            note = format!(
                "σ' ≥ 10 % of its peak for {:.1} % of membrane samples",
                100.0 * open as f64 / total as f64
            );
        }
    }
    ui.label(egui::RichText::new(note).small());
    egui_plot::Plot::new("surrogate_plot")
        .height(HEIGHT)
        .width(ui.available_width())
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .legend(legend())
        .x_axis_label("x = U − threshold")
        .include_x(lo)
        .include_x(hi)
        .include_y(0.0)
        .include_y(scale_to * 1.05)
        .show(ui, |plot_ui| {
            if let Some(c) = chart {
                plot_ui.bar_chart(c);
            }
            plot_ui.line(Line::new("σ'(x)", curve).color(layer_color(1)).width(2.0));
            plot_ui.vline(
                VLine::new("threshold", 0.0)
                    .color(egui::Color32::from_gray(140))
                    .style(egui_plot::LineStyle::dashed_dense()),
            );
        });
}
