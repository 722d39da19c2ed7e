//! Gradient norm per layer on a log axis: where vanishing and exploding gradients show as β
//! moves.

use eframe::egui;
use egui_plot::{Line, VLine};

use super::{
    faded, kept_style, layer_color, legend, max_points, placeholder, plot, readout_color, title,
};
use crate::app::history::{RunHistory, Series};
use crate::config::Config;

/// A zero gradient (the true-gradient control) is drawn here rather than at −∞.
const FLOOR: f64 = 1e-12;

fn log_points(s: &Series, n: usize) -> Vec<[f64; 2]> {
    s.decimated(n)
        .into_iter()
        .map(|[x, y]| [x, y.max(FLOOR).log10()])
        .collect()
}

/// 0.013, 2.5, 1.2e-7: two significant digits, plain where that stays short.
fn two_digits(v: f64) -> String {
    if (1e-3..1e4).contains(&v) {
        let decimals = (1.0 - v.log10().floor()).max(0.0) as usize;
        format!("{v:.decimals$}")
    } else {
        format!("{v:.1e}")
    }
}

fn layer_name(i: usize, layers: usize) -> String {
    if i + 1 == layers {
        "readout".into()
    } else {
        format!("hidden {}", i + 1)
    }
}

pub fn show(ui: &mut egui::Ui, history: &RunHistory, reference: &Config) {
    let s = &history.current.config.surrogate;
    let detail = if s.shape.uses_beta() {
        format!(
            "{}, β = {}",
            s.shape.label(),
            crate::app::edits::format_number(s.beta)
        )
    } else {
        s.shape.label().to_string()
    };
    title(ui, "Gradient norm per layer (log)", &detail);
    if history.current.batches == 0 && history.kept.is_empty() {
        placeholder(ui, "‖∂L/∂W‖ per layer appears with the first batch");
        return;
    }
    let n = max_points(ui.available_width());
    let (_, kept_labels) = history.labels(reference);
    plot("grad_plot", ui)
        .legend(legend())
        .x_axis_label("epoch")
        .include_x(0.0)
        .y_axis_formatter(|m, _| two_digits(10f64.powf(m.value)))
        .label_formatter(|hover| {
            Some(match hover {
                egui_plot::HoverPosition::NearDataPoint {
                    plot_name,
                    position,
                    ..
                } => {
                    format!(
                        "{plot_name}\nepoch {:.2}\n‖g‖ = {:.3e}",
                        position.x,
                        10f64.powf(position.y)
                    )
                }
                egui_plot::HoverPosition::Elsewhere { position } => {
                    format!(
                        "epoch {:.2}\n‖g‖ = {:.3e}",
                        position.x,
                        10f64.powf(position.y)
                    )
                }
            })
        })
        .show(ui, |plot_ui| {
            for (k, (run, label)) in history.kept.iter().zip(&kept_labels).enumerate() {
                let layers = run.grad_norm.len();
                for (i, g) in run.grad_norm.iter().enumerate() {
                    let color = if i + 1 == layers {
                        readout_color()
                    } else {
                        layer_color(i)
                    };
                    plot_ui.line(
                        Line::new(
                            format!("{label}: {}", layer_name(i, layers)),
                            log_points(g, n),
                        )
                        .color(faded(color))
                        .style(kept_style(k)),
                    );
                }
            }
            let layers = history.current.grad_norm.len();
            for (i, g) in history.current.grad_norm.iter().enumerate() {
                let color = if i + 1 == layers {
                    readout_color()
                } else {
                    layer_color(i)
                };
                plot_ui.line(
                    Line::new(layer_name(i, layers), log_points(g, n))
                        .color(color)
                        .width(1.5),
                );
            }
            for (x, what) in &history.current.marks {
                plot_ui.vline(
                    VLine::new(what.clone(), *x)
                        .color(egui::Color32::from_gray(140))
                        .style(egui_plot::LineStyle::dashed_dense()),
                );
            }
        });
}
