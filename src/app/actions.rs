//! What panels ask for, and how the app carries it out: trainer commands, edits of the draft,
//! dialogs, dismissals.

use super::{ExplorerApp, Message};
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
}

impl ExplorerApp {
    pub(super) fn handle(&mut self, action: Action) {
        match action {
            Action::Start => self.send(Command::Start),
            Action::Pause => self.send(Command::Pause),
            Action::Step => self.send(Command::Step),
            Action::Reset => match self.ui.draft.validate() {
                Ok(()) => {
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
        }
        self.ctx.request_repaint();
    }
}
