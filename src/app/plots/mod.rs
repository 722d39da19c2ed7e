//! The live plots, laid out on one screen:
//!
//! | loss            | accuracy        | gradient norm   |
//! | firing rate     | rate histogram  | membrane traces |
//! | spike raster (input and each hidden layer) | readout |

pub mod chart;
pub mod curves;
pub mod gradients;
pub mod raster;
pub mod rates;
pub mod surrogate;
pub mod sweep;
pub mod traces;

use eframe::egui;
use egui::{Color32, Rect, pos2, vec2};

use super::history::RunHistory;
use super::live::Live;
use super::{Action, UiState};

/// One colour per layer, the same in every plot: hidden layers 1–4, then the readout.
pub const LAYER_COLORS: [Color32; 5] = [
    Color32::from_rgb(66, 146, 245),
    Color32::from_rgb(245, 148, 52),
    Color32::from_rgb(92, 194, 96),
    Color32::from_rgb(190, 110, 230),
    Color32::from_rgb(230, 80, 80),
];
pub const INPUT_COLOR: Color32 = Color32::from_rgb(170, 170, 170);
pub const TRAIN_COLOR: Color32 = Color32::from_rgb(66, 146, 245);
pub const TEST_COLOR: Color32 = Color32::from_rgb(245, 148, 52);

pub fn layer_color(layer: usize) -> Color32 {
    LAYER_COLORS[layer.min(LAYER_COLORS.len() - 1)]
}

/// Colour of the readout's gradient norm, after `hidden` hidden layers.
pub fn readout_color() -> Color32 {
    LAYER_COLORS[LAYER_COLORS.len() - 1]
}

/// Kept runs are drawn faded and dashed under the current one.
pub fn faded(c: Color32) -> Color32 {
    c.gamma_multiply(0.6)
}

pub fn kept_style(i: usize) -> egui_plot::LineStyle {
    match i % 2 {
        0 => egui_plot::LineStyle::dashed_loose(),
        _ => egui_plot::LineStyle::dotted_dense(),
    }
}

/// Points a plot `width` pixels wide can show.
pub fn max_points(width: f32) -> usize {
    (width as usize * 2).clamp(200, 4_000)
}

pub fn show(ui: &mut egui::Ui, live: &Live, history: &RunHistory, state: &UiState) -> Vec<Action> {
    let mut actions = Vec::new();
    let area = ui.available_rect_before_wrap();
    let gap = 8.0;
    let col_w = (area.width() - 2.0 * gap) / 3.0;
    let row_h = (area.height() - 2.0 * gap) / 3.0;
    let cell = |col: usize, row: usize, cols: usize| {
        let min = pos2(
            area.left() + col as f32 * (col_w + gap),
            area.top() + row as f32 * (row_h + gap),
        );
        Rect::from_min_size(
            min,
            vec2(col_w * cols as f32 + gap * (cols - 1) as f32, row_h),
        )
    };
    let reference = &state.draft;

    in_cell(ui, cell(0, 0, 1), "loss", |ui| {
        curves::loss(ui, history, reference)
    });
    in_cell(ui, cell(1, 0, 1), "accuracy", |ui| {
        curves::accuracy(ui, history, reference)
    });
    in_cell(ui, cell(2, 0, 1), "gradients", |ui| {
        gradients::show(ui, history, reference)
    });
    in_cell(ui, cell(0, 1, 1), "rates", |ui| {
        rates::over_training(ui, history, reference)
    });
    in_cell(ui, cell(1, 1, 1), "rate histogram", |ui| {
        rates::histogram(ui, live)
    });
    in_cell(ui, cell(2, 1, 1), "membrane", |ui| {
        actions.extend(traces::membrane(ui, live, state.trace_layer));
    });
    in_cell(ui, cell(0, 2, 2), "raster", |ui| {
        actions.extend(raster::show(ui, live, state.sample));
    });
    in_cell(ui, cell(2, 2, 1), "readout", |ui| traces::readout(ui, live));
    ui.allocate_rect(area, egui::Sense::hover());
    actions
}

fn in_cell(ui: &mut egui::Ui, rect: Rect, id: &str, add: impl FnOnce(&mut egui::Ui)) {
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .id_salt(id)
            .max_rect(rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    child.set_clip_rect(rect.intersect(ui.clip_rect()));
    add(&mut child);
}

/// A plot's title line: bold name, then what it shows in weak text.
pub fn title(ui: &mut egui::Ui, name: &str, detail: &str) {
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new(name).strong());
        if !detail.is_empty() {
            ui.label(egui::RichText::new(detail).weak().small());
        }
    });
}

/// A plot filling the rest of its cell. Live plots rescale themselves as data arrive; zooming
/// or dragging would freeze their bounds, so they only show values on hover.
pub fn plot<'a>(id: &str, ui: &egui::Ui) -> egui_plot::Plot<'a> {
    egui_plot::Plot::new(id)
        .width(ui.available_width())
        .height(ui.available_height().max(40.0))
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
}

pub fn legend() -> egui_plot::Legend {
    egui_plot::Legend::default()
        .position(egui_plot::Corner::RightTop)
        .text_style(egui::TextStyle::Small)
        .background_alpha(0.6)
}

/// Shown in a plot's place before there is anything to draw.
pub fn placeholder(ui: &mut egui::Ui, text: &str) {
    let rect = ui.available_rect_before_wrap();
    ui.painter().rect_stroke(
        rect,
        4.0,
        egui::Stroke::new(1.0, ui.visuals().widgets.noninteractive.bg_stroke.color),
        egui::StrokeKind::Inside,
    );
    ui.painter().text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        text,
        egui::FontId::proportional(13.0),
        ui.visuals().weak_text_color(),
    );
}
