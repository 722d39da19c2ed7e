//! A study's figure (`crate::sweep::plot::Chart`, the same one its PNG is drawn from) in the
//! window, with egui_plot: lines, dashed lines, markers with their sd as a vertical bar, each
//! seed's run hollow beside its mean and 95 % interval, and reference levels as horizontal lines.

use eframe::egui;
use egui_plot::{HLine, Line, LineStyle, MarkerShape, Points};

use crate::sweep::palette;
use crate::sweep::plot::{Chart, Style};

fn color(i: usize) -> egui::Color32 {
    let [r, g, b] = palette::rgb(i);
    egui::Color32::from_rgb(r, g, b)
}

/// Draws `chart` filling the width, `height` tall; the axes stay fixed while rows arrive.
pub fn show(ui: &mut egui::Ui, chart: &Chart, height: f32) {
    let x = |v: f64| if chart.x_log { v.log10() } else { v };
    let log = chart.x_log;
    // Seeds and their mean sit just right of their x, as in the PNG, off the curve's marker.
    let nudge = if log { 0.03 } else { 0.0 };
    ui.label(crate::app::glyph_safe(&chart.title));
    egui_plot::Plot::new(("study_chart", chart.title.as_str()))
        .height(height)
        .include_y(chart.y_range.0)
        .include_y(chart.y_range.1)
        .x_axis_label(crate::app::glyph_safe(&chart.x_label))
        .y_axis_label(crate::app::glyph_safe(&chart.y_label))
        .x_axis_formatter(move |m, _| {
            if log {
                format!("{}", 10f64.powf(m.value))
            } else {
                format!("{}", m.value)
            }
        })
        // Accuracies crowd the top of a study's figure; failures sit low, chance lowest.
        .legend(super::legend().position(egui_plot::Corner::RightBottom))
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show(ui, |plot| {
            for s in &chart.series {
                let c = color(s.color);
                let name = crate::app::glyph_safe(&s.name);
                let pts: Vec<[f64; 2]> = s
                    .points
                    .iter()
                    .filter(|p| !chart.x_log || p.0 > 0.0)
                    .map(|p| [x(p.0), p.1])
                    .collect();
                match s.style {
                    Style::Reference => {
                        if let Some(p) = s.points.first() {
                            plot.hline(
                                HLine::new(name, p.1)
                                    .color(c)
                                    .style(LineStyle::dashed_loose()),
                            );
                        }
                    }
                    Style::Line | Style::Dashed => {
                        let style = if s.style == Style::Dashed {
                            LineStyle::dashed_dense()
                        } else {
                            LineStyle::Solid
                        };
                        // Only measured neighbours at most a decade apart are joined, as in the PNG.
                        let xyz: Vec<(f64, f64, f64)> =
                            pts.iter().map(|p| (p[0], p[1], 0.0)).collect();
                        for run in crate::sweep::plot::joined(chart, &xyz) {
                            let run: Vec<[f64; 2]> = run.iter().map(|p| [p.0, p.1]).collect();
                            plot.line(Line::new(name.clone(), run).color(c).style(style));
                        }
                        plot.points(
                            Points::new(name, pts)
                                .color(c)
                                .radius(3.0)
                                .shape(MarkerShape::Circle),
                        );
                    }
                    Style::Seeds => {
                        let pts: Vec<[f64; 2]> = pts.iter().map(|p| [p[0] + nudge, p[1]]).collect();
                        plot.points(
                            Points::new(name, pts)
                                .color(c)
                                .radius(3.0)
                                .filled(false)
                                .shape(MarkerShape::Circle),
                        );
                    }
                    Style::Interval => {
                        let at = |v: f64| x(v) + 2.0 * nudge;
                        for p in s
                            .points
                            .iter()
                            .filter(|p| p.2 > 0.0 && (!chart.x_log || p.0 > 0.0))
                        {
                            let bar = vec![[at(p.0), p.1 - p.2], [at(p.0), p.1 + p.2]];
                            plot.line(Line::new(name.clone(), bar).color(c).width(2.0));
                        }
                        let pts: Vec<[f64; 2]> =
                            pts.iter().map(|p| [p[0] + 2.0 * nudge, p[1]]).collect();
                        plot.points(
                            Points::new(name, pts)
                                .color(c)
                                .radius(4.0)
                                .shape(MarkerShape::Square),
                        );
                    }
                    Style::Markers => {
                        for p in s.points.iter().filter(|p| p.2 > 0.0) {
                            let bar = vec![[x(p.0), p.1 - p.2], [x(p.0), p.1 + p.2]];
                            plot.line(Line::new(name.clone(), bar).color(c));
                        }
                        plot.points(
                            Points::new(name, pts)
                                .color(c)
                                .radius(5.0)
                                .shape(MarkerShape::Diamond),
                        );
                    }
                }
            }
        });
}
