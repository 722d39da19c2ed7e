//! Small labelled inputs for the controls' two-column grids. Each input is tied to its visible
//! label, which is also its accessible name (screen readers, and the UI tests, find it so).

use std::ops::RangeInclusive;

use eframe::egui;

/// A number edited by dragging or typing, one grid row.
pub fn number<T: egui::emath::Numeric>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut T,
    range: RangeInclusive<T>,
    speed: f64,
    hover: &str,
) -> egui::Response {
    let l = ui.label(label);
    let r = ui
        .add(
            egui::DragValue::new(value)
                .range(range)
                .speed(speed)
                // A value from a file stays as written until the user edits it.
                .clamp_existing_to_range(false),
        )
        .labelled_by(l.id)
        .on_hover_text(hover);
    ui.end_row();
    r
}

/// A logarithmic slider, one grid row: the right scale for β, λ and learning rates, which
/// matter by their order of magnitude.
pub fn log_slider(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut f64,
    range: RangeInclusive<f64>,
    hover: &str,
) -> egui::Response {
    let l = ui.label(label);
    let r = ui
        .add(
            egui::Slider::new(value, range)
                .logarithmic(true)
                .smallest_positive(1e-4)
                .max_decimals(4)
                .clamping(egui::SliderClamping::Edits),
        )
        .labelled_by(l.id)
        .on_hover_text(hover);
    ui.end_row();
    r
}

/// One of a few named options, one grid row. Returns true when the choice changed.
pub fn choice<T: PartialEq + Copy>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut T,
    options: &[(T, &str)],
) -> bool {
    explained_choice(ui, label, value, options, None)
}

/// [`choice`] with a hover text on the box.
pub fn explained_choice<T: PartialEq + Copy>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut T,
    options: &[(T, &str)],
    hover: Option<&str>,
) -> bool {
    let l = ui.label(label);
    let before = *value;
    let selected = options
        .iter()
        .find(|(v, _)| v == value)
        .map_or("?", |(_, name)| name);
    let r = egui::ComboBox::from_id_salt(label)
        .selected_text(selected)
        .show_ui(ui, |ui| {
            for (v, name) in options {
                ui.selectable_value(value, *v, *name);
            }
        });
    let response = r.response.labelled_by(l.id);
    if let Some(text) = hover {
        response.on_hover_text(text);
    }
    ui.end_row();
    *value != before
}

/// A checkbox in the right column, its text on the left like the other rows.
pub fn flag(ui: &mut egui::Ui, label: &str, value: &mut bool, hover: &str) -> egui::Response {
    let l = ui.label(label);
    let r = ui
        .checkbox(value, "")
        .labelled_by(l.id)
        .on_hover_text(hover);
    ui.end_row();
    r
}

/// A two-column grid with the controls' spacing.
pub fn grid<R>(ui: &mut egui::Ui, id: &str, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    egui::Grid::new(id)
        .num_columns(2)
        .spacing([10.0, 4.0])
        .striped(false)
        .show(ui, add)
        .inner
}
