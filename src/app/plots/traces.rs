//! Membrane potentials of a few hidden neurons against the threshold, and the readout's traces
//! for the same test sample. Hovering names the nearest trace, its time and value; a click on
//! a membrane trace selects its neuron for the inspector.

use eframe::egui;
use egui_plot::{HLine, Line};

use super::{cursor, layer_color, legend, placeholder, plot, title};
use crate::app::live::Live;
use crate::app::{Action, UiState};
use crate::train::metrics::NeuronRef;

/// Distinct colours for traced neurons and output classes.
const PALETTE: [egui::Color32; 10] = [
    egui::Color32::from_rgb(66, 146, 245),
    egui::Color32::from_rgb(245, 148, 52),
    egui::Color32::from_rgb(92, 194, 96),
    egui::Color32::from_rgb(230, 80, 80),
    egui::Color32::from_rgb(190, 110, 230),
    egui::Color32::from_rgb(160, 110, 80),
    egui::Color32::from_rgb(240, 130, 200),
    egui::Color32::from_rgb(150, 150, 150),
    egui::Color32::from_rgb(200, 200, 60),
    egui::Color32::from_rgb(60, 200, 210),
];

/// The trace nearest the pointer at its time step: (index, step, value).
fn nearest(traces: &[Vec<f32>], p: egui_plot::PlotPoint, dt: f64) -> Option<(usize, usize, f32)> {
    let step = (p.x / dt).round().max(0.0) as usize;
    traces
        .iter()
        .enumerate()
        .filter_map(|(k, v)| v.get(step).map(|&u| (k, step, u)))
        .min_by(|a, b| ((a.2 as f64 - p.y).abs()).total_cmp(&(b.2 as f64 - p.y).abs()))
}

fn trace(values: &[f32], dt: f64) -> Vec<[f64; 2]> {
    values
        .iter()
        .enumerate()
        .map(|(t, &v)| [t as f64 * dt, v as f64])
        .collect()
}

pub fn membrane(ui: &mut egui::Ui, live: &Live, state: &UiState) -> Vec<Action> {
    let layer = state.trace_layer;
    let mut actions = Vec::new();
    let Some(snap) = live.snapshot.as_ref().filter(|s| !s.membrane.is_empty()) else {
        title(ui, "Membrane potential", "");
        placeholder(ui, "membrane traces appear with the network");
        return actions;
    };
    let layers = snap.membrane.len();
    let layer = layer.min(layers - 1);
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new("Membrane potential").strong());
        if layers > 1 {
            let l = ui.label("layer");
            let mut chosen = layer;
            egui::ComboBox::from_id_salt("trace_layer")
                .selected_text(format!("hidden {}", layer + 1))
                .show_ui(ui, |ui| {
                    for i in 0..layers {
                        ui.selectable_value(&mut chosen, i, format!("hidden {}", i + 1));
                    }
                })
                .response
                .labelled_by(l.id);
            if chosen != layer {
                actions.push(Action::TraceLayer(chosen));
            }
        } else {
            ui.label(
                egui::RichText::new("hidden 1, most active neurons")
                    .small()
                    .weak(),
            );
        }
    });
    let dt = snap.dt_ms as f64;
    let neurons = snap.traced_neurons.get(layer).cloned().unwrap_or_default();
    let shown = state.cursor.shown();
    let response = plot("membrane_plot", ui)
        .show_x(false)
        .show_y(false)
        .legend(legend())
        .x_axis_label("time (ms)")
        .include_y(0.0)
        .include_y(snap.threshold as f64 * 1.1)
        .show(ui, |plot_ui| {
            for (k, values) in snap.membrane[layer].iter().enumerate() {
                let n = neurons.get(k).copied().unwrap_or(k);
                plot_ui.line(
                    Line::new(format!("neuron {n}"), trace(values, dt))
                        .color(PALETTE[k % PALETTE.len()])
                        .width(1.2),
                );
            }
            plot_ui.hline(
                HLine::new("threshold", snap.threshold as f64)
                    .color(layer_color(4))
                    .style(egui_plot::LineStyle::dashed_loose()),
            );
            cursor::draw(plot_ui, shown);
        });
    if let Some(p) = cursor::pointer(&response)
        && let Some((k, step, u)) = nearest(&snap.membrane[layer], p, dt)
    {
        let neuron = neurons.get(k).copied().unwrap_or(k);
        response.response.clone().on_hover_text_at_pointer(format!(
            "hidden {} · neuron {neuron}\nt = {:.0} ms: U = {u:.3}\nclick to inspect this neuron",
            layer + 1,
            step as f64 * dt
        ));
        actions.extend(cursor::actions(&response));
        if response.response.clicked() {
            actions.push(Action::SelectNeuron(Some(NeuronRef { layer, neuron })));
        }
    }
    actions
}

pub fn readout(ui: &mut egui::Ui, live: &Live, state: &UiState) -> Vec<Action> {
    let Some(snap) = live.snapshot.as_ref().filter(|s| !s.readout.is_empty()) else {
        title(ui, "Readout", "");
        placeholder(ui, "readout traces appear with the network");
        return Vec::new();
    };
    title(ui, "Readout U_out", &format!("label {} bold", snap.label));
    let dt = snap.dt_ms as f64;
    let shown = state.cursor.shown();
    let response = plot("readout_plot", ui)
        .show_x(false)
        .show_y(false)
        .legend(legend())
        .x_axis_label("time (ms)")
        .show(ui, |plot_ui| {
            for (class, values) in snap.readout.iter().enumerate() {
                let is_label = class == snap.label;
                let is_pred = class == snap.prediction;
                // Only the classes that matter get a legend entry; ten or twenty would bury it.
                let name = match (is_label, is_pred) {
                    (true, true) => format!("class {class}: label, predicted"),
                    (true, false) => format!("class {class}: label"),
                    (false, true) => format!("class {class}: predicted"),
                    _ => String::new(),
                };
                let color = PALETTE[class % PALETTE.len()];
                let line = Line::new(name, trace(values, dt));
                plot_ui.line(if is_label {
                    line.color(color).width(2.5)
                } else {
                    line.color(color.gamma_multiply(0.6)).width(1.0)
                });
            }
            cursor::draw(plot_ui, shown);
        });
    let Some(p) = cursor::pointer(&response) else {
        return Vec::new();
    };
    if let Some((class, step, u)) = nearest(&snap.readout, p, dt) {
        response.response.clone().on_hover_text_at_pointer(format!(
            "class {class}\nt = {:.0} ms: U_out = {u:.3}",
            step as f64 * dt
        ));
    }
    cursor::actions(&response)
}
