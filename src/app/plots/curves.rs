//! Loss and accuracy against epochs: per batch (train) and per epoch (test), with kept runs
//! overlaid.

use eframe::egui;
use egui_plot::{Line, MarkerShape, Points};

use super::{
    TEST_COLOR, TRAIN_COLOR, faded, kept_style, legend, max_points, placeholder, plot, title,
};
use crate::app::history::{Run, RunHistory, Series};
use crate::config::Config;

pub fn loss(ui: &mut egui::Ui, history: &RunHistory, reference: &Config) {
    let last = history
        .current
        .batch_loss
        .last()
        .map_or(String::new(), |p| format!("last batch {:.3}", p[1]));
    title(ui, "Loss", &last);
    curves(
        ui,
        "loss_plot",
        history,
        reference,
        |r| (&r.batch_loss, &r.test_loss),
        false,
    );
}

pub fn accuracy(ui: &mut egui::Ui, history: &RunHistory, reference: &Config) {
    let last = history
        .current
        .test_acc
        .last()
        .map_or(String::new(), |p| format!("test {:.1} %", p[1] * 100.0));
    title(ui, "Accuracy", &last);
    curves(
        ui,
        "acc_plot",
        history,
        reference,
        |r| (&r.batch_acc, &r.test_acc),
        true,
    );
}

/// `pick` chooses a run's per-batch training series and per-epoch test series.
fn curves(
    ui: &mut egui::Ui,
    id: &str,
    history: &RunHistory,
    reference: &Config,
    pick: impl Fn(&Run) -> (&Series, &Series),
    percent: bool,
) {
    let nothing = history.current.batches == 0 && history.kept.is_empty();
    if nothing {
        placeholder(ui, "press ▶ to train");
        return;
    }
    let n = max_points(ui.available_width());
    let (current_label, kept_labels) = history.labels(reference);
    let scale = if percent { 100.0 } else { 1.0 };
    let scaled = |s: &Series| -> Vec<[f64; 2]> {
        s.decimated(n)
            .into_iter()
            .map(|[x, y]| [x, y * scale])
            .collect()
    };
    let mut p = plot(id, ui)
        .legend(legend())
        .x_axis_label("epoch")
        .include_x(0.0)
        .include_y(0.0);
    if percent {
        p = p
            .include_y(100.0)
            .y_axis_formatter(|m, _| format!("{:.0} %", m.value));
    }
    p.show(ui, |plot_ui| {
        for (i, (run, label)) in history.kept.iter().zip(&kept_labels).enumerate() {
            let (train, test) = pick(run);
            plot_ui.line(
                Line::new(label.clone(), scaled(train))
                    .color(faded(TRAIN_COLOR))
                    .style(kept_style(i))
                    .width(1.2),
            );
            plot_ui.line(
                Line::new(label.clone(), scaled(test))
                    .color(faded(TEST_COLOR))
                    .style(kept_style(i))
                    .width(1.5),
            );
        }
        let (train, test) = pick(&history.current);
        let train_name = if history.kept.is_empty() {
            "train (batches)".to_string()
        } else {
            format!("{current_label}: train")
        };
        let test_name = if history.kept.is_empty() {
            "test (epochs)".to_string()
        } else {
            format!("{current_label}: test")
        };
        plot_ui.line(
            Line::new(train_name, scaled(train))
                .color(TRAIN_COLOR)
                .width(1.2),
        );
        let test_points = scaled(test);
        plot_ui.line(
            Line::new(test_name.clone(), test_points.clone())
                .color(TEST_COLOR)
                .width(2.0),
        );
        plot_ui.points(
            Points::new(test_name, test_points)
                .color(TEST_COLOR)
                .shape(MarkerShape::Circle)
                .radius(3.0),
        );
    });
}
