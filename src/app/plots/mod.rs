//! The live plots, laid out on one screen:
//!
//! | loss            | accuracy        | gradient norm   |
//! | firing rate     | rate histogram  | membrane traces |
//! | spike raster (input and each hidden layer) | readout |

pub mod chart;
pub mod cursor;
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
use super::lesson_panel;
use super::live::Live;
use super::{Action, UiState};
use crate::config::lesson::{Plot, Target};

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

/// Narrowest a plot may get before the grid drops a column (points; at 150–200 % UI scale the
/// grid becomes two columns, then one, and scrolls).
const MIN_CELL_WIDTH: f32 = 300.0;
/// Lowest a row may get before the grid scrolls.
const MIN_ROW_HEIGHT: f32 = 190.0;

/// The plots in reading order and their width in columns.
const CELLS: [(Plot, usize); 8] = [
    (Plot::Loss, 1),
    (Plot::Accuracy, 1),
    (Plot::Gradients, 1),
    (Plot::Rates, 1),
    (Plot::RateHistogram, 1),
    (Plot::Membrane, 1),
    (Plot::Raster, 2),
    (Plot::Readout, 1),
];

pub fn show(ui: &mut egui::Ui, live: &Live, history: &RunHistory, state: &UiState) -> Vec<Action> {
    let gap = 8.0;
    let full = ui.available_rect_before_wrap();
    let cols = ((full.width() + gap) / (MIN_CELL_WIDTH + gap))
        .floor()
        .clamp(1.0, 3.0) as usize;
    // Place the cells row by row; a two-column cell that does not fit starts a new row.
    let mut placed = Vec::new();
    let (mut col, mut row) = (0usize, 0usize);
    for (name, span) in CELLS {
        let span = span.min(cols);
        if col + span > cols {
            col = 0;
            row += 1;
        }
        placed.push((name, col, row, span));
        col += span;
    }
    let rows = row + 1;
    let row_h = ((full.height() - gap * (rows - 1) as f32) / rows as f32).max(MIN_ROW_HEIGHT);
    let height = row_h * rows as f32 + gap * (rows - 1) as f32;
    let mut actions = Vec::new();
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            let top = ui.cursor().min;
            let area = Rect::from_min_size(top, vec2(ui.available_width(), height));
            let col_w = (area.width() - gap * (cols - 1) as f32) / cols as f32;
            for (name, col, row, span) in placed {
                let rect = Rect::from_min_size(
                    pos2(
                        area.left() + col as f32 * (col_w + gap),
                        area.top() + row as f32 * (row_h + gap),
                    ),
                    vec2(col_w * span as f32 + gap * (span - 1) as f32, row_h),
                );
                in_cell(ui, rect, name.key(), |ui| {
                    actions.extend(cell(ui, name, live, history, state));
                });
                if lesson_panel::points_at(state.lesson.as_ref(), Target::Plot(name)) {
                    lesson_panel::mark(ui, rect);
                }
            }
            ui.allocate_rect(area, egui::Sense::hover());
        });
    actions
}

fn cell(
    ui: &mut egui::Ui,
    plot: Plot,
    live: &Live,
    history: &RunHistory,
    state: &UiState,
) -> Vec<Action> {
    let reference = &state.draft;
    match plot {
        Plot::Loss => curves::loss(ui, history, reference),
        Plot::Accuracy => curves::accuracy(ui, history, reference),
        Plot::Gradients => gradients::show(ui, history, reference),
        Plot::Rates => rates::over_training(ui, history, reference),
        Plot::RateHistogram => return rates::histogram(ui, live, state),
        Plot::Membrane => return traces::membrane(ui, live, state),
        Plot::Raster => return raster::show(ui, live, state),
        Plot::Readout => return traces::readout(ui, live, state),
    }
    Vec::new()
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
