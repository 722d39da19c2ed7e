//! The File menu's reads and writes (experiments, lessons, weights to import) run off the UI
//! thread: a slow disk or a network folder must not freeze the window. One job at a time; the
//! menu waits for it (`busy`), and its outcome is applied at the first frame that sees it.

use std::path::PathBuf;

use eframe::egui;

use super::Message;
use super::dialogs::DialogKind;
use super::task::{Poll, Task};
use super::weight_files;
use crate::config::{Config, Lesson};
use crate::train::Command;

/// What a job read or wrote, for the window to apply.
pub enum Done {
    /// An experiment read from the file: it becomes the draft.
    Experiment(Config, String),
    Lesson(Lesson),
    /// Weights read for the trainer.
    Weights(Command, Message),
    /// Nothing to apply: only what to tell the user (a save, or a failure).
    Said(Message),
}

#[derive(Default)]
pub struct FileJobs {
    running: Option<Task<Done>>,
}

fn error(text: String) -> Done {
    Done::Said(Message {
        text,
        is_error: true,
    })
}

impl FileJobs {
    /// A job is reading or writing.
    pub fn busy(&self) -> bool {
        self.running.is_some()
    }

    /// Starts the read or write a confirmed dialog of `kind` asks for; `draft` is what a save
    /// writes. `None` when `kind` is not a file this module reads or writes.
    pub fn start(
        &mut self,
        ctx: &egui::Context,
        kind: DialogKind,
        path: PathBuf,
        draft: &Config,
    ) -> Option<Message> {
        let work: Box<dyn FnOnce() -> Done + Send> = match kind {
            DialogKind::OpenExperiment => Box::new(move || match Config::load(&path) {
                Ok(config) => Done::Experiment(
                    config,
                    format!(
                        "opened {}; live settings apply now, the rest at the next reset",
                        path.display()
                    ),
                ),
                Err(e) => error(format!("cannot open {e}")),
            }),
            DialogKind::SaveExperiment => {
                let draft = draft.clone();
                Box::new(move || match draft.save(&path) {
                    Ok(()) => Done::Said(Message {
                        text: format!("saved {}", path.display()),
                        is_error: false,
                    }),
                    Err(e) => error(e.to_string()),
                })
            }
            DialogKind::OpenLesson => Box::new(move || match Lesson::load(&path) {
                Ok(lesson) => Done::Lesson(lesson),
                Err(e) => error(format!("cannot open lesson {e}")),
            }),
            DialogKind::ImportWeights => Box::new(move || match weight_files::import(&path) {
                Ok((command, message)) => Done::Weights(command, message),
                Err(message) => Done::Said(message),
            }),
            _ => return None,
        };
        match Task::spawn("file", ctx, work) {
            Ok(task) => {
                self.running = Some(task);
                None
            }
            Err(e) => Some(Message {
                text: format!("cannot start reading or writing the file: {e}"),
                is_error: true,
            }),
        }
    }

    /// The job's outcome, once it is known.
    pub fn poll(&mut self) -> Option<Done> {
        let done = match self.running.as_ref()?.poll() {
            Poll::Pending => return None,
            Poll::Done(done) => done,
            Poll::Lost => error("the file was not read or written: its task crashed".into()),
        };
        self.running = None;
        Some(done)
    }
}
