//! The window's file dialogs: the system's while it can show one, and from the first time it
//! cannot, egui_file's dialog drawn inside the window.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use eframe::egui;
use egui_file::{DialogType, FileDialog, State};

use super::{Answer, DialogKind, Dialogs, Outcome};

pub struct FileChooser {
    system: Box<dyn Dialogs>,
    builtin: Option<(DialogKind, FileDialog)>,
    /// Why the system's dialogs cannot be shown, once known.
    no_system: Option<String>,
    /// The built-in dialog opens where the last one chose a file (the system's remember it
    /// themselves).
    last_dir: Option<PathBuf>,
}

impl FileChooser {
    pub fn new(system: Box<dyn Dialogs>) -> Self {
        FileChooser {
            system,
            builtin: None,
            no_system: None,
            last_dir: None,
        }
    }

    /// Opens a dialog of `kind` unless one is open.
    pub fn start(&mut self, ctx: &egui::Context, kind: DialogKind) {
        if self.busy() {
            return;
        }
        if self.no_system.is_some() {
            self.builtin = Some((kind, builtin(kind, self.last_dir.as_deref())));
        } else {
            self.system.start(ctx, kind, kind.suggested_name());
        }
    }

    pub fn busy(&self) -> bool {
        self.builtin.is_some() || self.system.busy()
    }

    /// Polls the system's dialog and draws the built-in one; call once a frame.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Outcome> {
        if let Some((kind, answer)) = self.system.poll() {
            return Some(match answer {
                Answer::Chosen(path) => Outcome::Answered(kind, Some(path)),
                Answer::Cancelled => Outcome::Answered(kind, None),
                Answer::Unavailable(why) => {
                    self.builtin = Some((kind, builtin(kind, self.last_dir.as_deref())));
                    let first = self.no_system.replace(why.clone()).is_none();
                    if !first {
                        return None;
                    }
                    Outcome::FellBack(format!(
                        "No system file dialog ({why}): using the built-in one"
                    ))
                }
            });
        }
        let (kind, dialog) = self.builtin.as_mut()?;
        let kind = *kind;
        let answer = match dialog.show(ctx).state() {
            State::Open => return None,
            State::Selected => dialog.path().map(Path::to_path_buf),
            State::Cancelled | State::Closed => None,
        };
        self.builtin = None;
        if let Some(dir) = answer.as_deref().and_then(Path::parent) {
            self.last_dir = Some(dir.to_path_buf());
        }
        Some(Outcome::Answered(kind, answer))
    }
}

/// egui_file's dialog for `kind`, open in `dir` or else the working directory.
fn builtin(kind: DialogKind, dir: Option<&Path>) -> FileDialog {
    let mut dialog = if kind.saves() {
        FileDialog::save_file().default_filename(kind.suggested_name())
    } else if kind.picks_folder() {
        FileDialog::select_folder()
    } else {
        FileDialog::open_file()
    };
    let extensions: Vec<&'static str> = kind
        .filters()
        .iter()
        .flat_map(|(_, exts)| exts.iter().copied())
        .collect();
    if !extensions.is_empty() && dialog.dialog_type() != DialogType::SelectFolder {
        dialog = dialog.show_files_filter(Box::new(move |path: &Path| {
            path.extension()
                .and_then(OsStr::to_str)
                .is_some_and(|e| extensions.contains(&e))
        }));
    }
    if let Some(dir) = dir {
        dialog = dialog.initial_path(dir);
    }
    let mut dialog = dialog
        .title(kind.title())
        .default_size([640.0, 420.0])
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show_rename(false);
    dialog.open();
    dialog
}
