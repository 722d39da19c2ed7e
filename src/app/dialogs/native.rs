//! The system's file dialogs through rfd (an xdg-desktop-portal file chooser, or zenity where
//! no portal answers), and the check of whether the desktop can show one at all.
//!
//! rfd cannot tell us: with its xdg-portal backend a portal that is missing makes it try
//! zenity, and a zenity that is missing is only logged; both come back as `None`, exactly like
//! the user pressing Cancel. So before the first dialog we ask the two things rfd would use,
//! once, on the dialog's thread (a D-Bus call may start the portal, which takes a moment):
//! is zenity on PATH, and does the session bus have a portal that exports the FileChooser
//! interface (reading its `version` property fails when no portal backend implements it).
//! Neither: no system dialog can appear, and the window uses its built-in one. Either: a
//! `None` from rfd is a cancel. What this cannot see (a portal that fails mid-call, a missing
//! libdbus for rfd) still reads as a cancel.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use eframe::egui;

use super::{Answer, DialogKind, Dialogs};
use crate::app::task::{Poll, Task};

/// `Err` says why no system dialog can be shown.
pub type Probe = fn() -> Result<(), String>;

pub struct RfdDialogs {
    pending: Option<(DialogKind, Task<Answer>)>,
    probe: Probe,
    /// The probe's answer, asked once.
    available: Arc<OnceLock<Result<(), String>>>,
}

impl Default for RfdDialogs {
    fn default() -> Self {
        RfdDialogs::with_probe(system_dialog_available)
    }
}

impl RfdDialogs {
    /// Dialogs that believe `probe` about whether the desktop can show them (tests pass one
    /// that says no, as a desktop without a portal or zenity would).
    pub fn with_probe(probe: Probe) -> Self {
        RfdDialogs {
            pending: None,
            probe,
            available: Arc::new(OnceLock::new()),
        }
    }
}

impl Dialogs for RfdDialogs {
    fn start(&mut self, ctx: &egui::Context, kind: DialogKind, suggested_name: &str) {
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
        let (probe, available) = (self.probe, self.available.clone());
        let task = Task::spawn("file-dialog", ctx, move || {
            if let Err(why) = available.get_or_init(probe) {
                return Answer::Unavailable(why.clone());
            }
            let path = if kind.saves() {
                dialog.save_file()
            } else if kind.picks_folder() {
                dialog.pick_folder()
            } else {
                dialog.pick_file()
            };
            path.map_or(Answer::Cancelled, Answer::Chosen)
        });
        if let Ok(task) = task {
            self.pending = Some((kind, task));
        }
    }

    fn poll(&mut self) -> Option<(DialogKind, Answer)> {
        let (kind, task) = self.pending.as_ref()?;
        let answer = match task.poll() {
            Poll::Pending => return None,
            Poll::Done(answer) => answer,
            Poll::Lost => Answer::Unavailable("the system file dialog crashed".into()),
        };
        let kind = *kind;
        self.pending = None;
        Some((kind, answer))
    }

    fn busy(&self) -> bool {
        self.pending.is_some()
    }
}

/// Whether rfd can show a dialog here: zenity on PATH, or a portal file chooser on the
/// session bus (see the module's comment).
pub fn system_dialog_available() -> Result<(), String> {
    if on_path("zenity", std::env::var_os("PATH").as_deref()).is_some() {
        return Ok(());
    }
    portal_file_chooser().map_err(|why| format!("{why}, no zenity"))
}

/// The first executable file called `name` in the directories of `path` (a PATH value).
fn on_path(name: &str, path: Option<&OsStr>) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Reads the portal's FileChooser `version` on the session bus.
fn portal_file_chooser() -> Result<(), String> {
    pollster::block_on(async {
        let connection = zbus::connection::Builder::session()
            .map_err(|_| "no D-Bus session bus".to_string())?
            // A portal that is being started answers within seconds; never wait forever.
            .method_timeout(Duration::from_secs(10))
            .build()
            .await
            .map_err(|_| "no D-Bus session bus".to_string())?;
        connection
            .call_method(
                Some("org.freedesktop.portal.Desktop"),
                "/org/freedesktop/portal/desktop",
                Some("org.freedesktop.DBus.Properties"),
                "Get",
                &("org.freedesktop.portal.FileChooser", "version"),
            )
            .await
            .map(|_| ())
            .map_err(|_| "no xdg-desktop-portal".to_string())
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn zenity_is_found_only_where_an_executable_file_has_its_name() {
        let root = std::env::temp_dir().join(format!("surrogate-lab-path-{}", std::process::id()));
        let (empty, plain, exec) = (root.join("empty"), root.join("plain"), root.join("exec"));
        for d in [&empty, &plain, &exec] {
            std::fs::create_dir_all(d).expect("temp dir");
        }
        std::fs::write(plain.join("zenity"), "").expect("file");
        std::fs::write(exec.join("zenity"), "#!/bin/sh\n").expect("file");
        std::fs::set_permissions(exec.join("zenity"), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        // A folder called zenity is not a program either.
        std::fs::create_dir_all(empty.join("zenity")).expect("dir");

        let path = |dirs: &[&PathBuf]| std::env::join_paths(dirs).expect("a PATH");
        assert_eq!(on_path("zenity", Some(&path(&[&empty, &plain]))), None);
        assert_eq!(
            on_path("zenity", Some(&path(&[&empty, &plain, &exec]))),
            Some(exec.join("zenity"))
        );
        assert_eq!(on_path("zenity", None), None);
        let _ = std::fs::remove_dir_all(&root);
    }
}
