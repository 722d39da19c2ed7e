//! Spike raster of one test sample: the input and every hidden layer, one band each, with the
//! sample's label and the network's prediction. Hovering names the neuron and time under the
//! pointer; a click selects a hidden neuron for the inspector and pins the time cursor.

use eframe::egui;
use egui_plot::{HLine, MarkerShape, Points, Text};

use super::{INPUT_COLOR, cursor, layer_color, placeholder, plot, title};
use crate::app::live::Live;
use crate::app::{Action, UiState};
use crate::train::metrics::{NeuronRef, Raster};

/// The raster's bands bottom up: `None` for the input, else the hidden layer.
fn band_layer(band: usize) -> Option<usize> {
    band.checked_sub(1)
}

/// Band and neuron under a plot point (bands are one unit tall, neurons equal rows in them).
fn under(y: f64, widths: &[usize]) -> Option<(usize, usize)> {
    if y < 0.0 {
        return None;
    }
    let band = y.floor() as usize;
    let width = *widths.get(band)?;
    let neuron = (((y - band as f64) * width as f64).floor() as usize).min(width.saturating_sub(1));
    Some((band, neuron))
}

pub fn show(ui: &mut egui::Ui, live: &Live, state: &UiState) -> Vec<Action> {
    let selected = state.sample;
    let mut actions = Vec::new();
    let Some(snap) = &live.snapshot else {
        title(ui, "Spike raster", "");
        placeholder(ui, "the raster appears when the network is built");
        return actions;
    };
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new("Spike raster").strong());
        let l = ui.label("test sample");
        let mut sample = selected;
        ui.add(
            egui::DragValue::new(&mut sample)
                .range(0..=1_000_000)
                .speed(0.2),
        )
        .labelled_by(l.id)
        .on_hover_text("Which test sample the raster, traces and readout show");
        if ui
            .small_button("◀")
            .on_hover_text("Previous sample")
            .clicked()
        {
            sample = sample.saturating_sub(1);
        }
        if ui.small_button("▶").on_hover_text("Next sample").clicked() {
            sample += 1;
        }
        if sample != selected {
            actions.push(Action::SelectSample(sample));
        }
        let ok = snap.label == snap.prediction;
        let verdict = egui::RichText::new(format!(
            "label {} → predicted {} {}",
            snap.label,
            snap.prediction,
            if ok { "✔" } else { "✖" }
        ));
        ui.label(if ok {
            verdict.color(egui::Color32::from_rgb(92, 194, 96))
        } else {
            verdict.color(ui.visuals().error_fg_color)
        });
        let spikes: usize = snap.hidden.iter().map(|h| h.events.len()).sum();
        ui.label(
            egui::RichText::new(format!("{spikes} hidden spikes"))
                .small()
                .weak(),
        );
    });

    // Equal bands: a 20-unit input stays as readable as a 256-neuron layer.
    let mut bands: Vec<(&Raster, String, egui::Color32)> = vec![(
        &snap.input,
        format!("input ({})", snap.input.width),
        INPUT_COLOR,
    )];
    for (i, h) in snap.hidden.iter().enumerate() {
        bands.push((h, format!("hidden {} ({})", i + 1, h.width), layer_color(i)));
    }
    let dt = snap.dt_ms as f64;
    let t_end = snap.steps as f64 * dt;
    let band_px = ui.available_height() / bands.len().max(1) as f32;
    let widest = bands.iter().map(|b| b.0.width).max().unwrap_or(1).max(1);
    let radius = (band_px / widest as f32 * 0.6).clamp(1.3, 3.0);
    let widths: Vec<usize> = bands.iter().map(|b| b.0.width.max(1)).collect();
    let shown = state.cursor.shown();
    let inspected = state.selected;
    let response = plot("raster_plot", ui)
        .show_x(false)
        .show_y(false)
        .x_axis_label("time (ms)")
        .show_axes([true, false])
        .show_grid([true, false])
        .include_x(0.0)
        .include_x(t_end)
        .include_y(0.0)
        .include_y(bands.len() as f64)
        .show(ui, |plot_ui| {
            // Input at the bottom, deeper layers above, as signals flow upward.
            for (b, (raster, name, color)) in bands.iter().enumerate() {
                let w = raster.width.max(1) as f64;
                let base = b as f64;
                let points: Vec<[f64; 2]> = raster
                    .events
                    .iter()
                    .map(|&(t, n)| [t as f64 * dt, base + (n as f64 + 0.5) / w])
                    .collect();
                plot_ui.points(
                    Points::new(name.clone(), points)
                        .color(*color)
                        .shape(MarkerShape::Circle)
                        .filled(true)
                        .radius(radius),
                );
                if b > 0 {
                    plot_ui.hline(
                        HLine::new("", base)
                            .color(egui::Color32::from_gray(90))
                            .width(0.5),
                    );
                }
                plot_ui.text(
                    Text::new(
                        "",
                        egui_plot::PlotPoint::new(t_end, base + 0.98),
                        egui::RichText::new(name.as_str()).small().color(*color),
                    )
                    .anchor(egui::Align2::RIGHT_TOP),
                );
            }
            // The inspected neuron's row, so the eye finds it among the others.
            if let Some(at) = inspected
                && let Some(&w) = widths.get(at.layer + 1)
            {
                let y = (at.layer + 1) as f64 + (at.neuron as f64 + 0.5) / w as f64;
                let yellow = egui::Color32::from_rgb(250, 220, 90);
                plot_ui.hline(
                    HLine::new("", y)
                        .color(yellow.gamma_multiply(0.4))
                        .width(1.0),
                );
                let own: Vec<[f64; 2]> = bands[at.layer + 1]
                    .0
                    .events
                    .iter()
                    .filter(|&&(_, n)| n as usize == at.neuron)
                    .map(|&(t, _)| [t as f64 * dt, y])
                    .collect();
                plot_ui.points(
                    Points::new("", own)
                        .color(yellow)
                        .shape(MarkerShape::Circle)
                        .filled(false)
                        .radius(radius + 3.0),
                );
            }
            cursor::draw(plot_ui, shown);
        });
    if let Some(p) = cursor::pointer(&response)
        && let Some((band, neuron)) = under(p.y, &widths)
    {
        let step = (p.x / dt).round().max(0.0) as u32;
        let raster = bands[band].0;
        let spiked = raster.events.contains(&(step, neuron as u32));
        let layer = band_layer(band);
        let who = match layer {
            Some(l) => format!("hidden {} · neuron {neuron}", l + 1),
            None => format!("input {neuron}"),
        };
        let what = if spiked { "spike" } else { "no spike" };
        let hint = if layer.is_some() {
            "\nclick to inspect this neuron"
        } else {
            ""
        };
        response.response.clone().on_hover_text_at_pointer(format!(
            "{who}\nt = {:.0} ms: {what}{hint}",
            step as f64 * dt
        ));
        actions.extend(cursor::actions(&response));
        if response.response.clicked()
            && let Some(layer) = layer
        {
            actions.push(Action::SelectNeuron(Some(NeuronRef { layer, neuron })));
        }
    }
    actions
}
