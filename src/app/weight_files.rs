//! File → Export/Import weights. The network lives on the trainer's thread: an export asks the
//! trainer for what it holds (the weights as trained, the settings, the imported network if
//! one runs) and writes it, off the UI thread, in the format the file's extension names
//! (`io::weights::export`: safetensors, or NIR in the flavour chosen); every failure is a
//! message. An import reads the file and hands the weights to the trainer, which refuses
//! shapes that differ from its network (the refusal arrives as an error event).

use std::path::{Path, PathBuf};

use eframe::egui;

use super::Message;
use super::task::{Poll, Task};
use crate::io::weights::{self, TrainingSummary};
use crate::nir::flavour::Flavour;
use crate::train::Command;
use crate::train::trainer::HeldNetwork;

#[derive(Default)]
pub struct WeightFiles {
    /// Where the weights asked of the trainer go when they arrive.
    export_to: Option<PathBuf>,
    writing: Option<Task<Message>>,
    /// How a `.nir` export writes the graph (File menu: "NIR for").
    pub flavour: Flavour,
}

impl WeightFiles {
    /// Remembers `path` for the network the returned command asks the trainer for.
    pub fn export(&mut self, path: PathBuf) -> Command {
        self.export_to = Some(path);
        Command::RequestNetwork
    }

    /// Starts writing what the trainer sent to the file the user chose.
    pub fn write(
        &mut self,
        ctx: &egui::Context,
        held: HeldNetwork,
        summary: TrainingSummary,
    ) -> Option<Message> {
        let path = self.export_to.take()?;
        let flavour = self.flavour;
        let task = Task::spawn("export-weights", ctx, move || {
            match weights::export(&path, &held, &summary, flavour) {
                Ok(text) => Message {
                    text,
                    is_error: false,
                },
                Err(e) => Message {
                    text: format!("weights not exported: {e}"),
                    is_error: true,
                },
            }
        });
        match task {
            Ok(task) => {
                self.writing = Some(task);
                None
            }
            Err(e) => Some(Message {
                text: format!("weights not exported: cannot start the writer: {e}"),
                is_error: true,
            }),
        }
    }

    /// The outcome of the last write, once it is known.
    pub fn poll(&mut self) -> Option<Message> {
        let message = match self.writing.as_ref()?.poll() {
            Poll::Pending => return None,
            Poll::Done(m) => m,
            Poll::Lost => Message {
                text: "weights not exported: the writer crashed".into(),
                is_error: true,
            },
        };
        self.writing = None;
        Some(message)
    }

    /// Waiting for the trainer's weights or for the write.
    pub fn busy(&self) -> bool {
        self.export_to.is_some() || self.writing.is_some()
    }
}

/// Reads a weight file for the trainer: the command to send, or why not.
pub fn import(path: &Path) -> Result<(Command, Message), Message> {
    // Read through `vfs`, so that a file the page was handed opens as one on disk does.
    let bytes = match crate::vfs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            return Err(Message {
                text: format!("weights not imported: cannot read {}: {e}", path.display()),
                is_error: true,
            });
        }
    };
    let loaded = weights::decode_weight_file(&bytes).and_then(|file| {
        weights::weights_from_file(&file, &burn::tensor::Device::flex())
            .map_err(|e| e.in_file(path))
    });
    match loaded {
        Ok(w) => Ok((
            Command::LoadWeights(Box::new(w)),
            Message {
                text: format!("imported weights from {}", path.display()),
                is_error: false,
            },
        )),
        Err(e) => Err(Message {
            text: format!("weights not imported: {e}"),
            is_error: true,
        }),
    }
}
