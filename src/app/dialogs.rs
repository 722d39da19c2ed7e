//! File dialogs behind a small trait: rfd in the window, a scripted fake in tests.
//!
//! A dialog runs off the UI thread and its answer is polled, so the window keeps drawing (and
//! training keeps showing) while the user browses.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogKind {
    OpenExperiment,
    SaveExperiment,
    ExportWeights,
    ImportWeights,
    SavePng,
    /// A folder of the four MNIST-format IDX files.
    DataFolder,
    /// SHD's training and test HDF5 files.
    ShdTrain,
    ShdTest,
}

impl DialogKind {
    fn title(self) -> &'static str {
        match self {
            DialogKind::OpenExperiment => "Open experiment",
            DialogKind::SaveExperiment => "Save experiment",
            DialogKind::ExportWeights => "Export weights",
            DialogKind::ImportWeights => "Import weights (safetensors)",
            DialogKind::SavePng => "Save a PNG of the window",
            DialogKind::DataFolder => "Folder with the four IDX files (MNIST or Fashion-MNIST)",
            DialogKind::ShdTrain => "SHD training file (shd_train.h5)",
            DialogKind::ShdTest => "SHD test file (shd_test.h5)",
        }
    }

    fn filters(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            DialogKind::OpenExperiment | DialogKind::SaveExperiment => &[
                ("Experiment (TOML)", &["toml"]),
                ("Experiment (JSON)", &["json"]),
            ],
            DialogKind::ExportWeights => {
                &[("safetensors", &["safetensors"]), ("NIR (HDF5)", &["nir"])]
            }
            DialogKind::ImportWeights => &[("safetensors", &["safetensors"])],
            DialogKind::SavePng => &[("PNG image", &["png"])],
            DialogKind::DataFolder => &[],
            DialogKind::ShdTrain | DialogKind::ShdTest => &[("HDF5", &["h5", "hdf5"])],
        }
    }

    fn saves(self) -> bool {
        matches!(
            self,
            DialogKind::SaveExperiment | DialogKind::ExportWeights | DialogKind::SavePng
        )
    }
}

/// Answers `None` when the user cancels.
pub trait Dialogs {
    /// Starts a dialog unless one is already open; its answer comes from [`Dialogs::poll`].
    fn start(&mut self, kind: DialogKind, suggested_name: &str);
    fn poll(&mut self) -> Option<(DialogKind, Option<PathBuf>)>;
    fn busy(&self) -> bool;
}

/// Native dialogs through rfd (xdg-desktop-portal, or zenity where no portal runs).
#[derive(Default)]
pub struct RfdDialogs {
    pending: Option<(DialogKind, Receiver<Option<PathBuf>>)>,
}

impl Dialogs for RfdDialogs {
    fn start(&mut self, kind: DialogKind, suggested_name: &str) {
        if self.pending.is_some() {
            return;
        }
        let mut dialog = rfd::FileDialog::new().set_title(kind.title());
        for (name, ext) in kind.filters() {
            dialog = dialog.add_filter(*name, ext);
        }
        if kind.saves() && !suggested_name.is_empty() {
            dialog = dialog.set_file_name(suggested_name);
        }
        if let Ok(dir) = std::env::current_dir() {
            dialog = dialog.set_directory(dir);
        }
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("file-dialog".into())
            .spawn(move || {
                let path = if kind.saves() {
                    dialog.save_file()
                } else if kind == DialogKind::DataFolder {
                    dialog.pick_folder()
                } else {
                    dialog.pick_file()
                };
                let _ = tx.send(path);
            });
        if spawned.is_ok() {
            self.pending = Some((kind, rx));
        }
    }

    fn poll(&mut self) -> Option<(DialogKind, Option<PathBuf>)> {
        let (kind, rx) = self.pending.as_ref()?;
        let kind = *kind;
        let answer = match rx.try_recv() {
            Ok(path) => path,
            Err(TryRecvError::Empty) => return None,
            // The dialog thread died (no portal, no zenity): the same as a cancel.
            Err(TryRecvError::Disconnected) => None,
        };
        self.pending = None;
        Some((kind, answer))
    }

    fn busy(&self) -> bool {
        self.pending.is_some()
    }
}

/// Scripted answers for tests; records what was asked.
#[derive(Clone, Default)]
pub struct FakeDialogs {
    answers: Arc<Mutex<VecDeque<Option<PathBuf>>>>,
    asked: Arc<Mutex<Vec<DialogKind>>>,
    ready: Option<(DialogKind, Option<PathBuf>)>,
}

impl FakeDialogs {
    /// Each dialog takes the next answer; `None` is a cancel, as is running out of answers.
    pub fn new(answers: impl IntoIterator<Item = Option<PathBuf>>) -> Self {
        Self {
            answers: Arc::new(Mutex::new(answers.into_iter().collect())),
            ..Default::default()
        }
    }

    /// The dialogs opened so far (shared with clones).
    pub fn asked(&self) -> Vec<DialogKind> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

impl Dialogs for FakeDialogs {
    fn start(&mut self, kind: DialogKind, _suggested_name: &str) {
        if self.ready.is_some() {
            return;
        }
        if let Ok(mut a) = self.asked.lock() {
            a.push(kind);
        }
        let answer = self
            .answers
            .lock()
            .ok()
            .and_then(|mut a| a.pop_front())
            .flatten();
        self.ready = Some((kind, answer));
    }

    fn poll(&mut self) -> Option<(DialogKind, Option<PathBuf>)> {
        self.ready.take()
    }

    fn busy(&self) -> bool {
        self.ready.is_some()
    }
}
