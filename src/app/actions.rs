//! What panels ask for, and how the app carries it out: trainer commands, edits of the draft,
//! dialogs, dismissals.

use super::{ExplorerApp, Message, share};
use crate::app::dialogs::DialogKind;
use crate::train::Command;

/// What a panel asks the app to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Start,
    Pause,
    Step,
    /// Rebuild from the seed with the configuration on screen.
    Reset,
    /// Put the controls back to what the trainer runs with.
    DiscardEdits,
    KeepRun,
    ClearKeptRuns,
    SelectSample(usize),
    /// Which hidden layer's membranes are traced.
    TraceLayer(usize),
    OpenDialog(DialogKind),
    DismissError,
    DismissMessage,
    /// Open a lesson: its experiment becomes the draft and is built at once.
    OpenLesson(Box<crate::config::Lesson>),
    LessonStep(usize),
    CloseLesson,
    /// Put the draft experiment on the clipboard as TOML.
    CopyExperiment,
    /// Put a link to the page with the draft experiment (and the built-in lesson open) on
    /// the clipboard.
    CopyLink,
    /// Open the box a copied experiment is pasted into.
    PasteExperiment,
    /// Load what was pasted, if it is a valid experiment.
    LoadPasted,
    ClosePaste,
    /// Follow this hidden neuron in the inspector (or close it).
    SelectNeuron(Option<crate::train::metrics::NeuronRef>),
    /// The pointer is over this time (ms) in a time plot, this frame.
    HoverTime(f64),
    /// Pin the time cursor here (or unpin it).
    PinTime(Option<f64>),
}

impl ExplorerApp {
    pub(super) fn handle(&mut self, action: Action) {
        match action {
            // Every frame while hovering: the frame's end repaints only if the time moved.
            Action::HoverTime(t) => return self.ui.cursor.hovered(t),
            Action::PinTime(t) => self.ui.cursor.pinned = t,
            Action::SelectNeuron(at) => {
                if self.ui.selected != at {
                    self.ui.selected = at;
                    self.live.inspection = None;
                    self.send(Command::Inspect(at));
                }
            }
            Action::Start => self.send(Command::Start),
            Action::Pause => self.send(Command::Pause),
            Action::Step => self.send(Command::Step),
            Action::Reset => match self.ui.draft.validate() {
                Ok(()) => {
                    // The trainer builds the settings' network: an imported one is let go.
                    self.open_network.let_go();
                    self.live.building = true;
                    self.live.error = None;
                    self.send(Command::Reset(Some(Box::new(
                        self.ui.draft.training.clone(),
                    ))));
                }
                Err(e) => {
                    self.ui.message = Some(Message {
                        text: format!("cannot reset: {e}"),
                        is_error: true,
                    })
                }
            },
            Action::DiscardEdits => {
                if let Some(applied) = &self.live.applied {
                    self.ui.draft = applied.clone();
                }
            }
            Action::KeepRun => {
                if !self.history.keep_current() {
                    self.ui.message = Some(Message {
                        text: "nothing to keep yet: train a few batches first".into(),
                        is_error: false,
                    });
                }
            }
            Action::ClearKeptRuns => self.history.clear_kept(),
            Action::SelectSample(i) => {
                self.ui.sample = i;
                self.send(Command::SetSnapshotSample(i));
            }
            Action::TraceLayer(i) => self.ui.trace_layer = i,
            Action::OpenDialog(kind) => self.dialogs.start(&self.ctx, kind),
            Action::DismissError => self.live.error = None,
            Action::DismissMessage => self.ui.message = None,
            Action::OpenLesson(lesson) => self.open_lesson(*lesson),
            Action::LessonStep(i) => {
                if let Some(open) = &mut self.ui.lesson {
                    open.step = i.min(open.lesson.steps.len().saturating_sub(1));
                }
            }
            Action::CloseLesson => self.ui.lesson = None,
            Action::CopyExperiment => {
                self.ctx.copy_text(self.ui.draft.to_toml());
                self.ui.message = Some(Message {
                    text: "copied the experiment (TOML) to the clipboard".into(),
                    is_error: false,
                });
            }
            Action::CopyLink => {
                // Natively there is no page address: the fragment alone, which opens the same
                // experiment after the address of any copy of the web build.
                #[cfg(target_arch = "wasm32")]
                let (base, what) = (super::page::base_url(), "a link to this experiment");
                #[cfg(not(target_arch = "wasm32"))]
                let (base, what) = (
                    String::new(),
                    "the web link's #fragment for this experiment",
                );
                let link = self.share_link(&base);
                let text = format!("copied {what} ({} characters)", link.len());
                self.ctx.copy_text(link);
                self.ui.message = Some(Message {
                    text,
                    is_error: false,
                });
            }
            Action::PasteExperiment => {
                // The box asks for the clipboard once its field can take it.
                self.ui.paste = Some(share::PasteBox::default());
            }
            Action::LoadPasted => {
                if let Some(paste) = &mut self.ui.paste {
                    match share::parse(&paste.text) {
                        Ok(config) => {
                            self.ui.draft = config;
                            self.ui.paste = None;
                            self.ui.message = Some(Message {
                                text: "pasted experiment loaded; live settings apply now, the rest at the next reset".into(),
                                is_error: false,
                            });
                        }
                        Err(e) => {
                            paste.error = Some(e.clone());
                            self.ui.message = Some(Message {
                                text: e,
                                is_error: true,
                            });
                        }
                    }
                }
            }
            Action::ClosePaste => self.ui.paste = None,
        }
        self.ctx.request_repaint();
    }

    /// Shows `lesson` and builds its experiment.
    pub(super) fn open_lesson(&mut self, lesson: crate::config::Lesson) {
        self.ui.draft = lesson.experiment.clone();
        let title = lesson.title.clone();
        self.ui.lesson = Some(super::lesson_panel::OpenLesson::new(lesson));
        self.handle(Action::Reset);
        if self.ui.message.is_none() {
            self.ui.message = Some(Message {
                text: format!("lesson: {title}"),
                is_error: false,
            });
        }
    }
}
