//! The inspector's three time plots of one neuron on one sample, on the same time axis: its
//! membrane with the threshold and its spikes, σ′(U − ϑ), and the error signal ∂L/∂U. The
//! steps where σ′ reaches a tenth of its peak are shaded in all three: only there can the
//! surrogate pass gradient.

use eframe::egui;
use egui_plot::{HLine, Line, MarkerShape, Points, Span};

use crate::app::plots::{cursor, layer_color, plot, title};
use crate::app::{Action, UiState};
use crate::train::metrics::Inspection;

const OPEN_FILL: egui::Color32 = egui::Color32::from_rgba_premultiplied(40, 70, 40, 60);
const SPIKE_COLOR: egui::Color32 = egui::Color32::from_rgb(230, 80, 80);

/// Runs of consecutive open steps as [first, last].
fn runs(steps: &[usize]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &n in steps {
        match out.last_mut() {
            Some(run) if run.1 + 1 == n => run.1 = n,
            _ => out.push((n, n)),
        }
    }
    out
}

/// What the three plots share: the time axis, the shaded window, the cursor.
struct Frame {
    dt: f64,
    t_end: f64,
    open: Vec<(usize, usize)>,
    cursor: Option<f64>,
}

impl Frame {
    fn new(ins: &Inspection, state: &UiState) -> Self {
        Self {
            dt: ins.dt_ms as f64,
            t_end: ins.steps as f64 * ins.dt_ms as f64,
            open: runs(&ins.open_steps()),
            cursor: state.cursor.shown(),
        }
    }

    fn series(&self, values: &[f32]) -> Vec<[f64; 2]> {
        values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(n, &v)| [n as f64 * self.dt, v as f64])
            .collect()
    }

    /// A time plot of the inspector: the whole trial wide, zero in view, its own tooltip.
    fn plot<'a>(&self, id: &str, ui: &egui::Ui, height: f32) -> egui_plot::Plot<'a> {
        plot(id, ui)
            .height(height)
            .show_x(false)
            .show_y(false)
            .include_x(0.0)
            .include_x(self.t_end)
            .include_y(0.0)
    }

    fn background(&self, plot_ui: &mut egui_plot::PlotUi) {
        for &(a, b) in &self.open {
            let range = (a as f64 - 0.5) * self.dt..=(b as f64 + 0.5) * self.dt;
            plot_ui.span(Span::new("", range).fill(OPEN_FILL).border_width(0.0));
        }
        cursor::draw(plot_ui, self.cursor);
    }
}

/// The three values at the step under the pointer, as a tooltip, and the cursor's actions.
fn hover<R>(response: &egui_plot::PlotResponse<R>, ins: &Inspection) -> Vec<Action> {
    let Some(p) = cursor::pointer(response) else {
        return Vec::new();
    };
    let n = ((p.x / ins.dt_ms as f64).round().max(0.0) as usize).min(ins.steps.saturating_sub(1));
    let value = |v: &[f32]| v.get(n).copied().unwrap_or(f32::NAN);
    let spike = if ins.spike_steps.contains(&n) {
        " (spike)"
    } else {
        ""
    };
    response.response.clone().on_hover_text_at_pointer(format!(
        "hidden {} · neuron {}\nt = {:.0} ms\nU = {:.3}{spike}\nσ′ = {:.4}\n∂L/∂U = {:.3e}",
        ins.at.layer + 1,
        ins.at.neuron,
        n as f64 * ins.dt_ms as f64,
        value(&ins.membrane),
        value(&ins.surrogate_derivative),
        value(&ins.grad_membrane),
    ));
    cursor::actions(response)
}

pub fn show(ui: &mut egui::Ui, ins: &Inspection, state: &UiState, height: f32) -> Vec<Action> {
    let frame = Frame::new(ins, state);
    let mut actions = Vec::new();
    let th = ins.threshold as f64;
    let color = layer_color(ins.at.layer);

    title(
        ui,
        "Membrane U(t)",
        &format!("{} spikes, threshold {th}", ins.spike_steps.len()),
    );
    let spikes: Vec<[f64; 2]> = ins
        .spike_steps
        .iter()
        .map(|&n| [n as f64 * frame.dt, th * 1.15])
        .collect();
    let response = frame
        .plot("inspector_membrane", ui, height)
        .include_y(th * 1.25)
        .show(ui, |plot_ui| {
            frame.background(plot_ui);
            plot_ui.hline(
                HLine::new("", th)
                    .color(egui::Color32::from_gray(150))
                    .style(egui_plot::LineStyle::dashed_loose()),
            );
            plot_ui.line(
                Line::new("U", frame.series(&ins.membrane))
                    .color(color)
                    .width(1.5),
            );
            plot_ui.points(
                Points::new("spikes", spikes)
                    .shape(MarkerShape::Down)
                    .filled(true)
                    .radius(4.0)
                    .color(SPIKE_COLOR),
            );
        });
    actions.extend(hover(&response, ins));

    let peak = ins.surrogate_peak as f64;
    title(
        ui,
        "σ′(U − U_th)",
        &format!(
            "β = {}: ≥ 10 % of peak at {}/{} steps",
            ins.surrogate.beta,
            ins.open_steps().len(),
            ins.steps
        ),
    );
    let response = frame
        .plot("inspector_surrogate", ui, height)
        .include_y(peak.max(1e-12) * 1.05)
        .show(ui, |plot_ui| {
            frame.background(plot_ui);
            plot_ui.hline(
                HLine::new("", 0.1 * peak)
                    .color(egui::Color32::from_gray(120))
                    .style(egui_plot::LineStyle::dotted_dense()),
            );
            plot_ui.line(
                Line::new("σ′", frame.series(&ins.surrogate_derivative))
                    .color(layer_color(1))
                    .width(1.5),
            );
        });
    actions.extend(hover(&response, ins));

    let largest = ins
        .grad_membrane
        .iter()
        .filter(|g| g.is_finite())
        .fold(0f32, |m, g| m.max(g.abs()));
    title(
        ui,
        "Error signal ∂L/∂U(t)",
        &format!("largest |∂L/∂U| = {largest:.2e}"),
    );
    let response = frame
        .plot("inspector_gradient", ui, height)
        .x_axis_label("time (ms)")
        .show(ui, |plot_ui| {
            frame.background(plot_ui);
            plot_ui.hline(HLine::new("", 0.0).color(egui::Color32::from_gray(90)));
            plot_ui.line(
                Line::new("∂L/∂U", frame.series(&ins.grad_membrane))
                    .color(layer_color(4))
                    .width(1.5),
            );
        });
    actions.extend(hover(&response, ins));
    actions
}
