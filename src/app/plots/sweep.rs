//! The Sweep view's figures: β × learning-rate heatmaps (painted cell by cell), accuracy
//! against β per surrogate shape, and accuracy against firing rate. Drawn from the slices of
//! `crate::sweep::slices`, in the sweep palette.

use eframe::egui;
use egui_plot::{Line, MarkerShape, Points};

use crate::sweep::slices::{self, Heatmap};
use crate::sweep::{GridAxis, Row, palette};

/// Heatmaps on top, the two curves side by side below.
pub fn results(ui: &mut egui::Ui, axes: &[GridAxis], rows: &[Row]) {
    // Rows without validation (v1 results, or data without a validation split) were chosen
    // on test: said on every figure, since it flatters them.
    let on_validation = rows.iter().all(|r| r.val_acc.is_finite());
    let chosen = if on_validation {
        "epoch and point chosen on validation"
    } else {
        "chosen on TEST: these runs recorded no validation accuracy"
    };
    let maps = slices::heatmaps(axes, rows);
    if maps.is_empty() {
        ui.weak("Sweep surrogate.beta and optim.lr for the heatmaps.");
    } else {
        ui.label(format!(
            "Test accuracy, β (columns) × learning rate (rows); {chosen}"
        ));
        ui.horizontal_wrapped(|ui| {
            for m in &maps {
                heatmap(ui, m);
            }
        });
    }
    ui.separator();
    let h = (ui.available_height() - 24.0).max(120.0);
    ui.columns(2, |cols| {
        cols[0].label(format!(
            "Test accuracy against β, the other keys chosen; {chosen}"
        ));
        let curves = slices::beta_curves(axes, rows);
        fixed_plot("sweep_beta", h)
            .x_axis_label("β (log)")
            .x_axis_formatter(|m, _| format!("{}", 10f64.powf(m.value)))
            .legend(egui_plot::Legend::default())
            .show(&mut cols[0], |plot| {
                for (i, (name, pts)) in curves.into_iter().enumerate() {
                    let c = curve_color(i);
                    plot.line(Line::new(name.clone(), pts.clone()).color(c));
                    plot.points(
                        Points::new(name, pts)
                            .color(c)
                            .radius(3.0)
                            .shape(MarkerShape::Circle),
                    );
                }
            });
        cols[1].label("Final test accuracy against mean hidden rate (one point per run)");
        let pts = slices::rate_points(rows);
        fixed_plot("sweep_rate", h)
            .include_x(0.0)
            .x_axis_label("rate (Hz)")
            .show(&mut cols[1], |plot| {
                plot.points(
                    Points::new("runs", pts)
                        .radius(3.0)
                        .shape(MarkerShape::Circle),
                );
            });
    });
}

/// An accuracy plot (0 to 1) that does not zoom or pan: it fills in while the sweep runs.
fn fixed_plot<'a>(id: &str, height: f32) -> egui_plot::Plot<'a> {
    egui_plot::Plot::new(id)
        .height(height)
        .include_y(0.0)
        .include_y(1.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
}

fn curve_color(i: usize) -> egui::Color32 {
    let [r, g, b] = palette::rgb(i);
    egui::Color32::from_rgb(r, g, b)
}

/// Viridis-like ramp from dark blue (0) to yellow (1).
fn ramp(v: f64) -> egui::Color32 {
    const STOPS: [(f64, [u8; 3]); 5] = [
        (0.0, [68, 1, 84]),
        (0.25, [59, 82, 139]),
        (0.5, [33, 145, 140]),
        (0.75, [94, 201, 98]),
        (1.0, [253, 231, 37]),
    ];
    let v = v.clamp(0.0, 1.0);
    let i = STOPS.iter().position(|s| s.0 >= v).unwrap_or(4).max(1);
    let (a, b) = (STOPS[i - 1], STOPS[i]);
    let t = (v - a.0) / (b.0 - a.0);
    let mix = |k: usize| (a.1[k] as f64 + t * (b.1[k] as f64 - a.1[k] as f64)) as u8;
    egui::Color32::from_rgb(mix(0), mix(1), mix(2))
}

/// One heatmap with its title, β across and learning rates down; empty cells are outlined.
fn heatmap(ui: &mut egui::Ui, m: &Heatmap) {
    const CELL: egui::Vec2 = egui::vec2(52.0, 26.0);
    const LEFT: f32 = 56.0;
    const TOP: f32 = 36.0;
    let size = egui::vec2(
        LEFT + CELL.x * m.betas.len() as f32 + 8.0,
        TOP + CELL.y * m.lrs.len() as f32 + 8.0,
    );
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let p = ui.painter_at(rect);
    let font = egui::FontId::proportional(12.0);
    let text = ui.visuals().text_color();
    p.text(
        rect.left_top(),
        egui::Align2::LEFT_TOP,
        format!("{}  ({}/{})", m.title, m.filled(), m.size()),
        font.clone(),
        text,
    );
    for (j, b) in m.betas.iter().enumerate() {
        let x = rect.left() + LEFT + CELL.x * (j as f32 + 0.5);
        p.text(
            egui::pos2(x, rect.top() + TOP - 4.0),
            egui::Align2::CENTER_BOTTOM,
            format!("β={b}"),
            font.clone(),
            text,
        );
    }
    for (i, lr) in m.lrs.iter().enumerate() {
        let y = rect.top() + TOP + CELL.y * (i as f32 + 0.5);
        p.text(
            egui::pos2(rect.left() + LEFT - 4.0, y),
            egui::Align2::RIGHT_CENTER,
            lr,
            font.clone(),
            text,
        );
        for (j, cell) in m.cells[i].iter().enumerate() {
            let min = egui::pos2(
                rect.left() + LEFT + CELL.x * j as f32,
                rect.top() + TOP + CELL.y * i as f32,
            );
            let r = egui::Rect::from_min_size(min, CELL).shrink(1.0);
            match cell {
                Some(v) => {
                    p.rect_filled(r, 2.0, ramp(*v));
                    let fg = if *v > 0.6 {
                        egui::Color32::BLACK
                    } else {
                        egui::Color32::WHITE
                    };
                    p.text(
                        r.center(),
                        egui::Align2::CENTER_CENTER,
                        format!("{v:.2}"),
                        font.clone(),
                        fg,
                    );
                }
                None => {
                    p.rect_stroke(
                        r,
                        2.0,
                        egui::Stroke::new(1.0, ui.visuals().weak_text_color()),
                        egui::StrokeKind::Inside,
                    );
                }
            }
        }
    }
}
