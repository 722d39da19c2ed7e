//! File dialogs: the system's (rfd) when the desktop can show one, else a built-in one drawn
//! in the window (egui_file), so that Open/Save/Export/Import always answer. Tests script the
//! system's with [`FakeDialogs`].
//!
//! A system dialog runs off the UI thread and its answer is polled, so the window keeps
//! drawing (and training keeps showing) while the user browses.

#[cfg(not(target_arch = "wasm32"))]
mod builtin;
#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(target_arch = "wasm32")]
mod web;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use eframe::egui;

use crate::io::weights::NIR_EXTENSIONS;

#[cfg(not(target_arch = "wasm32"))]
pub use builtin::FileChooser;
#[cfg(not(target_arch = "wasm32"))]
pub use native::RfdDialogs;
#[cfg(target_arch = "wasm32")]
pub use web::{FileChooser, WebDialogs};

/// What the window learns from its file dialogs in one frame.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// The user chose `path`; `None` is a cancel.
    Answered(DialogKind, Option<PathBuf>),
    /// No system dialog could be shown: the built-in one is open instead, and the text says
    /// why. Said once; later dialogs open the built-in one directly.
    FellBack(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogKind {
    OpenExperiment,
    SaveExperiment,
    /// A lesson file (TOML).
    OpenLesson,
    ExportWeights,
    ImportWeights,
    /// A NIR graph to train and show in place of the network.
    OpenNetwork,
    SavePng,
    /// A folder of the four MNIST-format IDX files.
    DataFolder,
    /// SHD's training and test HDF5 files.
    ShdTrain,
    ShdTest,
}

impl DialogKind {
    pub fn title(self) -> &'static str {
        match self {
            DialogKind::OpenExperiment => "Open experiment",
            DialogKind::SaveExperiment => "Save experiment",
            DialogKind::OpenLesson => "Open lesson",
            DialogKind::ExportWeights => "Export weights",
            DialogKind::ImportWeights => "Import weights (safetensors)",
            DialogKind::OpenNetwork => "Open network (NIR)",
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
            DialogKind::OpenLesson => &[("Lesson (TOML)", &["toml"])],
            DialogKind::ExportWeights => &[
                ("safetensors", &["safetensors"]),
                ("NIR (HDF5)", &NIR_EXTENSIONS),
            ],
            DialogKind::ImportWeights => &[("safetensors", &["safetensors"])],
            DialogKind::OpenNetwork => &[("NIR (HDF5)", &NIR_EXTENSIONS)],
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

    fn picks_folder(self) -> bool {
        self == DialogKind::DataFolder
    }

    /// The file name a save dialog proposes.
    pub fn suggested_name(self) -> &'static str {
        match self {
            DialogKind::SaveExperiment => "experiment.toml",
            DialogKind::ExportWeights => "weights.safetensors",
            DialogKind::SavePng => "surrogate-lab.png",
            _ => "",
        }
    }
}

/// How a system dialog ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    Chosen(PathBuf),
    Cancelled,
    /// No system dialog can be shown here; the text says why.
    Unavailable(String),
}

/// The system's file dialogs.
pub trait Dialogs {
    /// Starts a dialog unless one is already open; its answer comes from [`Dialogs::poll`].
    fn start(&mut self, ctx: &egui::Context, kind: DialogKind, suggested_name: &str);
    fn poll(&mut self) -> Option<(DialogKind, Answer)>;
    fn busy(&self) -> bool;
}

/// Scripted answers for tests; records what was asked.
#[derive(Clone, Default)]
pub struct FakeDialogs {
    answers: Arc<Mutex<VecDeque<Option<PathBuf>>>>,
    asked: Arc<Mutex<Vec<DialogKind>>>,
    ready: Option<(DialogKind, Answer)>,
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
    fn start(&mut self, _ctx: &egui::Context, kind: DialogKind, _suggested_name: &str) {
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
        self.ready = Some((kind, answer.map_or(Answer::Cancelled, Answer::Chosen)));
    }

    fn poll(&mut self) -> Option<(DialogKind, Answer)> {
        self.ready.take()
    }

    fn busy(&self) -> bool {
        self.ready.is_some()
    }
}
