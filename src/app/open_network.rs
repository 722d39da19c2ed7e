//! File → Open network…: a NIR graph as the network the window trains and shows.
//!
//! The file comes from the same dialog as every other file; the graph is read off the UI
//! thread, then a small form asks for what NIR does not store (Δt, prefilled when the graph
//! is ours, and the discretisation its writer meant). The converted network goes to the
//! trainer as one [`Command::ReplaceNetwork`]; the trainer refuses one that does not fit the
//! data set and keeps its network. Once it answers, the mapping shows in one line above the
//! plots, and every export (`weight_files.rs`) writes the network the trainer holds, with its
//! own neurons and conventions.

use std::path::{Path, PathBuf};

use eframe::egui;

use super::Message;
use super::task::{Poll, Task};
use crate::nir::discrete::Discretisation;
use crate::nir::import::{self, Opened, Peek};
use crate::nir::model::Conventions;
use crate::snn::dynamics::NetworkDynamics;
use crate::train::Command;
use crate::train::trainer::ImportedNetwork;

/// The imported network the trainer runs.
#[derive(Clone, Debug)]
pub struct NetworkInUse {
    pub summary: String,
    pub file: PathBuf,
    pub conventions: Conventions,
    pub dynamics: NetworkDynamics,
}

/// The Δt and discretisation form shown after a file is chosen.
struct Form {
    path: PathBuf,
    mapped: String,
    dt_text: String,
    discretisation: Discretisation,
    problem: Option<String>,
}

enum Job {
    Peek(PathBuf, Task<Result<Peek, String>>),
    Open(PathBuf, Task<Result<Opened, String>>),
}

#[derive(Default)]
pub struct OpenNetwork {
    form: Option<Form>,
    job: Option<Job>,
    /// Sent to the trainer; in use once it says so.
    waiting: Option<NetworkInUse>,
    pub in_use: Option<NetworkInUse>,
    /// The Δt typed last, for graphs that do not store one.
    last_dt_ms: Option<f64>,
    /// A failure to start reading, shown at the next poll.
    failed: Option<Message>,
}

/// What `poll` answers when a graph could not be read: one line, nothing for the trainer.
fn not_opened(why: &str) -> (Option<Message>, Option<Command>) {
    (Some(error(format!("network not opened: {why}"))), None)
}

fn error(text: String) -> Message {
    Message {
        text,
        is_error: true,
    }
}

impl OpenNetwork {
    /// The user chose `path` in the dialog: read it in the background.
    pub fn chosen(&mut self, ctx: &egui::Context, path: PathBuf) -> Option<Message> {
        let reading = path.clone();
        match Task::spawn("read-nir", ctx, move || import::peek(&reading)) {
            Ok(task) => {
                self.job = Some(Job::Peek(path, task));
                None
            }
            Err(e) => Some(error(format!("network not opened: {e}"))),
        }
    }

    /// Opens `opened` at once (`--open-network`): the command for the trainer.
    pub fn send(&mut self, path: &Path, opened: &Opened) -> Command {
        self.waiting = Some(NetworkInUse {
            summary: opened.summary.clone(),
            file: path.to_path_buf(),
            conventions: opened.conventions,
            dynamics: opened.dynamics.clone(),
        });
        Command::ReplaceNetwork(Box::new(ImportedNetwork::from(opened)))
    }

    /// The trainer took the network sent last.
    pub fn replaced(&mut self, summary: &str) -> Message {
        if let Some(n) = self.waiting.take() {
            self.in_use = Some(n);
        }
        Message {
            text: format!("opened network: {summary}"),
            is_error: false,
        }
    }

    /// New settings were built: the imported network is no longer the one in use.
    pub fn let_go(&mut self) {
        self.in_use = None;
        self.waiting = None;
    }

    pub fn busy(&self) -> bool {
        self.job.is_some() || self.form.is_some() || self.failed.is_some()
    }

    /// Background work that finished this frame: a message, and a command for the trainer.
    pub fn poll(&mut self) -> (Option<Message>, Option<Command>) {
        if let Some(m) = self.failed.take() {
            return (Some(m), None);
        }
        let Some(job) = self.job.take() else {
            return (None, None);
        };
        match job {
            Job::Peek(path, task) => match task.poll() {
                Poll::Pending => self.job = Some(Job::Peek(path, task)),
                Poll::Done(Ok(peek)) => self.form = Some(self.form_for(path, peek)),
                Poll::Done(Err(e)) => return not_opened(&e),
                Poll::Lost => return not_opened("the reader crashed"),
            },
            Job::Open(path, task) => match task.poll() {
                Poll::Pending => self.job = Some(Job::Open(path, task)),
                Poll::Done(Ok(opened)) => return (None, Some(self.send(&path, &opened))),
                Poll::Done(Err(e)) => return not_opened(&e),
                Poll::Lost => return not_opened("the reader crashed"),
            },
        }
        (None, None)
    }

    fn form_for(&self, path: PathBuf, peek: Peek) -> Form {
        let dt = peek.dt_ms.or(self.last_dt_ms).unwrap_or(1.0);
        Form {
            path,
            mapped: peek.stack.summary(),
            dt_text: import::format_ms(dt),
            discretisation: peek.discretisation.unwrap_or(Discretisation::Euler),
            problem: None,
        }
    }

    /// The Δt/discretisation form, while one is open.
    pub fn show_form(&mut self, ctx: &egui::Context) {
        let Some(form) = &mut self.form else {
            return;
        };
        let (mut open, mut cancel) = (false, false);
        egui::Window::new("Open network")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, |ui| {
                ui.label(form.path.display().to_string());
                ui.strong(&form.mapped);
                ui.add_space(4.0);
                ui.horizontal(|ui| {
                    let l = ui.label("Δt (ms)");
                    ui.add(egui::TextEdit::singleline(&mut form.dt_text).desired_width(80.0))
                        .labelled_by(l.id)
                        .on_hover_text(
                            "NIR stores no time step: the one the graph was trained with",
                        );
                });
                ui.horizontal(|ui| {
                    ui.label("τ was meant as");
                    ui.radio_value(
                        &mut form.discretisation,
                        Discretisation::Euler,
                        "forward Euler 1 − Δt/τ",
                    )
                    .on_hover_text("as snnTorch's and Norse's importers read it");
                    ui.radio_value(
                        &mut form.discretisation,
                        Discretisation::Exact,
                        "exact exp(−Δt/τ)",
                    )
                    .on_hover_text("as the paper and this program step");
                });
                if let Some(p) = &form.problem {
                    ui.colored_label(ui.visuals().error_fg_color, p);
                }
                ui.horizontal(|ui| {
                    open = ui.button("Open").clicked();
                    cancel = ui.button("Cancel").clicked();
                });
            });
        if cancel {
            self.form = None;
        } else if open {
            match form.dt_text.trim().parse::<f64>() {
                Ok(dt) if dt.is_finite() && dt > 0.0 => self.start_open(ctx, dt),
                _ => {
                    form.problem = Some(format!(
                        "Δt: {:?} is not a positive number of milliseconds",
                        form.dt_text
                    ))
                }
            }
        }
    }

    fn start_open(&mut self, ctx: &egui::Context, dt_ms: f64) {
        let Some(form) = self.form.take() else {
            return;
        };
        self.last_dt_ms = Some(dt_ms);
        let (path, how) = (form.path.clone(), form.discretisation);
        let device = burn::tensor::Device::flex();
        let task = Task::spawn("open-nir", ctx, move || {
            import::open(&path, Some(dt_ms), Some(how), &device)
        });
        match task {
            Ok(task) => self.job = Some(Job::Open(form.path, task)),
            Err(e) => {
                self.failed = Some(error(format!(
                    "network not opened: cannot start the reader: {e}"
                )))
            }
        }
    }
}

/// The line above the plots that says which imported network is in use.
pub fn show_in_use(ui: &mut egui::Ui, open: &OpenNetwork) {
    if let Some(n) = &open.in_use {
        let file = n.file.file_name().map(|f| f.to_string_lossy().into_owned());
        ui.horizontal(|ui| {
            ui.label("Network:");
            ui.strong(&n.summary);
            if let Some(f) = file {
                ui.weak(format!("from {f}"));
            }
        });
    }
}
