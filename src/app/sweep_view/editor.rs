//! The view's drawing: the grid editor on top, the results below.

use eframe::egui;

use super::{AxisEdit, SweepView};
use crate::config::Config;

impl SweepView {
    /// Draws the view: the grid editor on top, then heatmaps and curves.
    pub fn ui(&mut self, ui: &mut egui::Ui, base: &Config) {
        self.poll();
        self.editor(ui, base);
        ui.separator();
        self.results(ui);
        if self.is_running() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    fn editor(&mut self, ui: &mut egui::Ui, base: &Config) {
        let running = self.is_running();
        ui.add_enabled_ui(!running, |ui| {
            let mut remove = None;
            for (i, a) in self.axes.iter_mut().enumerate() {
                ui.horizontal(|ui| {
                    let l = ui.label(format!("Key {}", i + 1));
                    ui.add(egui::TextEdit::singleline(&mut a.key).desired_width(220.0))
                        .labelled_by(l.id)
                        .on_hover_text(
                            "a configuration key, e.g. surrogate.beta (see `surrogate-lab keys`)",
                        );
                    let l = ui.label("values");
                    ui.add(egui::TextEdit::singleline(&mut a.values).desired_width(360.0))
                        .labelled_by(l.id)
                        .on_hover_text(
                            "comma-separated; brackets keep their commas: [100],[100,100]",
                        );
                    if ui
                        .small_button("✖")
                        .on_hover_text("remove this key")
                        .clicked()
                    {
                        remove = Some(i);
                    }
                });
            }
            if let Some(i) = remove {
                self.axes.remove(i);
            }
            self.presets(ui);
            ui.horizontal(|ui| {
                if ui.button("Add key").clicked() {
                    self.axes.push(AxisEdit::new("", ""));
                }
                if ui
                    .button("β × learning rate × shape")
                    .on_hover_text("the heatmap preset")
                    .clicked()
                {
                    self.axes = SweepView::default().axes;
                }
                if ui
                    .button("Sparsity (upper-bound λ)")
                    .on_hover_text("accuracy against firing rate as the regularizer grows")
                    .clicked()
                {
                    self.axes = vec![
                        AxisEdit::new("reg.upper.theta", "0"),
                        AxisEdit::new("reg.upper.lambda", "0,0.1,1,3,10,100"),
                    ];
                }
            });
            ui.horizontal(|ui| {
                let l = ui.label("Seeds");
                ui.add(egui::DragValue::new(&mut self.seeds).range(1..=20))
                    .labelled_by(l.id);
                let l = ui.label("Epochs");
                ui.add(egui::DragValue::new(&mut self.epochs).range(1..=1000))
                    .labelled_by(l.id);
                let l = ui.label("Parallel jobs");
                ui.add(egui::DragValue::new(&mut self.jobs).range(1..=64))
                    .labelled_by(l.id);
                let l = ui.label("Results CSV");
                ui.add(
                    egui::TextEdit::singleline(&mut self.out)
                        .desired_width(220.0)
                        .hint_text("in memory only"),
                )
                .labelled_by(l.id)
                .on_hover_text("rows already in the file are skipped: a sweep resumes");
            });
        });
        ui.horizontal(|ui| {
            if running {
                if ui.button("Stop sweep").clicked() {
                    self.stop();
                }
            } else if ui
                .button("▶ Run sweep")
                .on_hover_text("on the configuration of the controls on the left")
                .clicked()
            {
                self.start(ui.ctx(), base);
            }
            let (done, total) = self.progress();
            if total > 0 {
                ui.add(
                    egui::ProgressBar::new(done as f32 / total as f32)
                        .desired_width(240.0)
                        .text(format!("{done} / {total} runs")),
                );
            }
            if let Some((text, is_error)) = &self.message {
                let color = if *is_error {
                    ui.visuals().error_fg_color
                } else {
                    ui.visuals().text_color()
                };
                // Wrapped within the row: a long line would widen the panel past the window.
                ui.add(
                    egui::Label::new(
                        egui::RichText::new(crate::app::glyph_safe(text)).color(color),
                    )
                    .wrap(),
                );
            }
        });
    }

    fn results(&self, ui: &mut egui::Ui) {
        if let Some(chart) = self.chart() {
            let h = (ui.available_height() - 40.0).max(160.0);
            crate::app::plots::chart::show(ui, &chart, h);
            return;
        }
        match &self.sweep {
            Some(s) => crate::app::plots::sweep::results(ui, &s.axes, &self.rows_so_far()),
            None => {
                ui.weak("Pick keys and values, then ▶ Run sweep. The base configuration is the one on the left.");
            }
        }
    }
}
