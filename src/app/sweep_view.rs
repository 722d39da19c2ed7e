//! The Sweep view: choose keys and values, run the grid in the background, and watch a heatmap
//! (β × learning rate, one per surrogate shape) and the accuracy-vs-β and accuracy-vs-rate
//! curves fill in as points finish.
//!
//! The sweep is the library's (`crate::sweep::run`) on a background thread; its events come
//! over a channel and are drained without blocking each frame. The base configuration is the
//! one on the left-hand controls when ▶ Run sweep is pressed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};

use eframe::egui;
use egui_plot::{Line, MarkerShape, Points};

use crate::config::Config;
use crate::sweep::{
    self, GridAxis, Row, RunError, RunOptions, Shard, Sweep, SweepEvent, SweepSummary,
};

const BETA: &str = "surrogate.beta";
const LR: &str = "optim.lr";
const SHAPE: &str = "surrogate.shape";

/// One axis as the user types it.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisEdit {
    pub key: String,
    pub values: String,
}

impl AxisEdit {
    fn new(key: &str, values: &str) -> Self {
        AxisEdit {
            key: key.into(),
            values: values.into(),
        }
    }
}

enum Msg {
    Event(SweepEvent),
    Done(Result<SweepSummary, RunError>),
}

struct Running {
    rx: Receiver<Msg>,
    cancel: Arc<AtomicBool>,
}

/// The view's own state: what is being edited, and the sweep being shown.
pub struct SweepView {
    /// Whether the central panel shows this view instead of the live training plots.
    pub shown: bool,
    pub axes: Vec<AxisEdit>,
    pub seeds: usize,
    pub jobs: usize,
    pub epochs: usize,
    /// Results CSV; empty keeps results in memory only.
    pub out: String,
    running: Option<Running>,
    /// The sweep whose results are shown (the last one started).
    sweep: Option<Sweep>,
    rows: Vec<Row>,
    total: usize,
    message: Option<(String, bool)>,
}

impl Default for SweepView {
    fn default() -> Self {
        SweepView {
            shown: false,
            axes: vec![
                AxisEdit::new(SHAPE, "super_spike,sigmoid,esser"),
                AxisEdit::new(BETA, "1,10,100"),
                AxisEdit::new(LR, "0.002,0.02"),
            ],
            seeds: 1,
            jobs: 1,
            epochs: 5,
            out: String::new(),
            running: None,
            sweep: None,
            rows: Vec::new(),
            total: 0,
            message: None,
        }
    }
}

/// One heatmap: best test accuracy (mean over seeds and other keys) per β (columns) and
/// learning rate (rows); `None` until a row of that cell has finished.
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    pub title: String,
    pub betas: Vec<String>,
    pub lrs: Vec<String>,
    /// `cells[lr][beta]`.
    pub cells: Vec<Vec<Option<f64>>>,
}

impl Heatmap {
    pub fn filled(&self) -> usize {
        self.cells.iter().flatten().filter(|c| c.is_some()).count()
    }

    pub fn size(&self) -> usize {
        self.betas.len() * self.lrs.len()
    }
}

impl SweepView {
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Rows finished so far (including those a resumed results file held).
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// (finished, total) runs of the sweep shown.
    pub fn progress(&self) -> (usize, usize) {
        (self.rows.len(), self.total)
    }

    /// The last message (text, is_error): a refused grid, a failed run, a finished sweep.
    pub fn message(&self) -> Option<&(String, bool)> {
        self.message.as_ref()
    }

    /// Checks the grid on `base` and starts it on a background thread; a refused grid runs
    /// nothing and says why.
    pub fn start(&mut self, base: &Config) {
        if self.running.is_some() {
            return;
        }
        match self.build(base) {
            Ok(s) => self.spawn(s),
            Err(e) => self.message = Some((e, true)),
        }
    }

    fn build(&self, base: &Config) -> Result<Sweep, String> {
        let mut base = base.clone();
        base.optim.epochs = self.epochs;
        let axes = self
            .axes
            .iter()
            .filter(|a| !a.key.trim().is_empty())
            .map(|a| GridAxis::parse(&format!("{}={}", a.key.trim(), a.values)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        if axes.is_empty() {
            return Err("add at least one key to sweep".into());
        }
        Sweep::new(base, axes, self.seeds.max(1), Shard::default()).map_err(|e| e.to_string())
    }

    fn spawn(&mut self, s: Sweep) {
        let (tx, rx) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let options = RunOptions {
            jobs: self.jobs.max(1),
            out: (!self.out.trim().is_empty()).then(|| self.out.trim().into()),
            cancel: Some(cancel.clone()),
        };
        let for_thread = s.clone();
        let spawned = std::thread::Builder::new()
            .name("sweep".into())
            .spawn(move || {
                let events = tx.clone();
                let result = sweep::run(&for_thread, &options, |e| {
                    let _ = events.send(Msg::Event(e));
                });
                let _ = tx.send(Msg::Done(result));
            });
        match spawned {
            Ok(_) => {
                self.total = s.shard_points().count() * s.seeds;
                self.sweep = Some(s);
                self.rows.clear();
                self.message = None;
                self.running = Some(Running { rx, cancel });
            }
            Err(e) => self.message = Some((format!("cannot start the sweep: {e}"), true)),
        }
    }

    /// Asks the sweep to stop after the current epoch; finished rows stay.
    pub fn stop(&mut self) {
        if let Some(r) = &self.running {
            r.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Takes whatever the sweep thread has sent, without waiting.
    pub fn poll(&mut self) {
        let Some(running) = &self.running else {
            return;
        };
        let mut done = None;
        loop {
            match running.rx.try_recv() {
                Ok(Msg::Event(SweepEvent::Planned {
                    total, existing, ..
                })) => {
                    self.total = total;
                    self.rows = existing;
                }
                Ok(Msg::Event(SweepEvent::Finished(row))) => self.rows.push(row),
                Ok(Msg::Event(_)) => {}
                Ok(Msg::Done(result)) => {
                    done = Some(result);
                    break;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    done = Some(Err(RunError::Failed("the sweep thread stopped".into())));
                    break;
                }
            }
        }
        if let Some(result) = done {
            self.running = None;
            self.message = Some(match result {
                Ok(s) if s.cancelled => (
                    format!("stopped: {} of {} runs finished", s.rows.len(), self.total),
                    false,
                ),
                Ok(s) => (
                    format!(
                        "done: {} runs ({} trained, {} from the results file)",
                        s.rows.len(),
                        s.trained,
                        s.skipped
                    ),
                    false,
                ),
                Err(e) => (e.to_string(), true),
            });
        }
    }

    /// β × learning-rate heatmaps, one per surrogate shape (or a single one when the shape is
    /// not swept). Empty when β or the learning rate is not swept.
    pub fn heatmaps(&self) -> Vec<Heatmap> {
        let Some(s) = &self.sweep else {
            return Vec::new();
        };
        let col = |key: &str| s.axes.iter().position(|a| a.key == key);
        let (Some(bi), Some(li)) = (col(BETA), col(LR)) else {
            return Vec::new();
        };
        let shapes: Vec<Option<String>> = match col(SHAPE) {
            Some(si) => s.axes[si].values.iter().cloned().map(Some).collect(),
            None => vec![None],
        };
        let si = col(SHAPE);
        shapes
            .into_iter()
            .map(|shape| {
                let betas = s.axes[bi].values.clone();
                let lrs = s.axes[li].values.clone();
                let cells = lrs
                    .iter()
                    .map(|lr| {
                        betas
                            .iter()
                            .map(|b| {
                                let accs = self.rows.iter().filter(|r| {
                                    r.values[bi] == *b
                                        && r.values[li] == *lr
                                        && match (si, &shape) {
                                            (Some(si), Some(sh)) => r.values[si] == *sh,
                                            _ => true,
                                        }
                                });
                                let (m, _) = sweep::mean_std(accs.map(|r| r.best_test_acc as f64));
                                m.is_finite().then_some(m)
                            })
                            .collect()
                    })
                    .collect();
                Heatmap {
                    title: shape.unwrap_or_else(|| "all rows".into()),
                    betas,
                    lrs,
                    cells,
                }
            })
            .collect()
    }

    /// Best test accuracy against log10 β, one curve per shape: for each β the best over the
    /// other keys of the mean over seeds.
    fn beta_curves(&self) -> Vec<(String, Vec<[f64; 2]>)> {
        let Some(s) = &self.sweep else {
            return Vec::new();
        };
        let Some(bi) = s.axes.iter().position(|a| a.key == BETA) else {
            return Vec::new();
        };
        let si = s.axes.iter().position(|a| a.key == SHAPE);
        let shapes: Vec<Option<&String>> = match si {
            Some(si) => s.axes[si].values.iter().map(Some).collect(),
            None => vec![None],
        };
        let agg = sweep::aggregate(&self.rows);
        shapes
            .into_iter()
            .map(|shape| {
                let mut pts: Vec<[f64; 2]> = Vec::new();
                for b in &s.axes[bi].values {
                    let Ok(beta) = b.parse::<f64>() else { continue };
                    if beta <= 0.0 {
                        continue;
                    }
                    let best = agg
                        .iter()
                        .filter(|a| {
                            a.values[bi] == *b
                                && match (si, shape) {
                                    (Some(si), Some(sh)) => a.values[si] == *sh,
                                    _ => true,
                                }
                        })
                        .map(|a| a.best_test_acc.0)
                        .filter(|v| v.is_finite())
                        .fold(f64::NAN, f64::max);
                    if best.is_finite() {
                        pts.push([beta.log10(), best]);
                    }
                }
                (shape.cloned().unwrap_or_else(|| "all".into()), pts)
            })
            .collect()
    }

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
                self.start(base);
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
                ui.colored_label(color, crate::app::glyph_safe(text));
            }
        });
    }

    fn results(&self, ui: &mut egui::Ui) {
        if self.sweep.is_none() {
            ui.weak("Pick keys and values, then ▶ Run sweep. The base configuration is the one on the left.");
            return;
        }
        let maps = self.heatmaps();
        if maps.is_empty() {
            ui.weak("Sweep surrogate.beta and optim.lr for the heatmaps.");
        } else {
            ui.label("Best test accuracy, β (columns) × learning rate (rows)");
            ui.horizontal_wrapped(|ui| {
                for m in &maps {
                    draw_heatmap(ui, m);
                }
            });
        }
        ui.separator();
        let h = (ui.available_height() - 24.0).max(120.0);
        ui.columns(2, |cols| {
            cols[0].label("Best test accuracy against β (best over the other keys)");
            let curves = self.beta_curves();
            egui_plot::Plot::new("sweep_beta")
                .height(h)
                .include_y(0.0)
                .include_y(1.0)
                .allow_scroll(false)
                .allow_zoom(false)
                .allow_drag(false)
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
            let pts: Vec<[f64; 2]> = self
                .rows
                .iter()
                .filter(|r| r.rate_hz.is_finite() && r.final_test_acc.is_finite())
                .map(|r| [r.rate_hz as f64, r.final_test_acc as f64])
                .collect();
            egui_plot::Plot::new("sweep_rate")
                .height(h)
                .include_y(0.0)
                .include_y(1.0)
                .include_x(0.0)
                .allow_scroll(false)
                .allow_zoom(false)
                .allow_drag(false)
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
}

/// The same colour-blind-safe palette as the PNG figures (Okabe–Ito).
fn curve_color(i: usize) -> egui::Color32 {
    const C: [[u8; 3]; 6] = [
        [86, 180, 233],
        [230, 159, 0],
        [0, 158, 115],
        [204, 121, 167],
        [213, 94, 0],
        [240, 228, 66],
    ];
    let [r, g, b] = C[i % C.len()];
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

fn draw_heatmap(ui: &mut egui::Ui, m: &Heatmap) {
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

/// The tabs above the central panel; true when the Sweep view is chosen.
pub fn tabs(ui: &mut egui::Ui, view: &mut SweepView) -> bool {
    ui.horizontal(|ui| {
        ui.selectable_value(&mut view.shown, false, "Live training");
        let label = if view.is_running() {
            let (done, total) = view.progress();
            format!("Sweep ({done}/{total})")
        } else {
            "Sweep".to_string()
        };
        ui.selectable_value(&mut view.shown, true, label);
    });
    view.shown
}
