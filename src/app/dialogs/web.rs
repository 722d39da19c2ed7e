//! The page's file dialogs. Opening: the browser's file picker (a file input), whose files are
//! read into the page's memory (`vfs`, under `/uploads`) and answered as a path there, so the
//! window opens them exactly as it opens a file on disk. Saving: the browser asks for the file
//! name (the name decides the format, as a save dialog's does) and the write becomes a
//! download (`vfs::DOWNLOADS`). A folder (MNIST's four IDX files) is picked as its files.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use eframe::egui;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::{Answer, DialogKind, Dialogs, Outcome};

/// Shared between the dialog and the browser's callbacks; `None` until the user answers.
type Slot = Rc<RefCell<Option<Answer>>>;

#[derive(Default)]
pub struct WebDialogs {
    pending: Option<(DialogKind, Slot)>,
    /// Distinguishes the upload folders of successive picks, so a new file never shadows the
    /// one a running network was read from.
    picks: Cell<u32>,
}

impl Dialogs for WebDialogs {
    fn start(&mut self, ctx: &egui::Context, kind: DialogKind, suggested_name: &str) {
        if self.pending.is_some() {
            return;
        }
        let slot: Slot = Rc::default();
        if kind.saves() {
            *slot.borrow_mut() = Some(ask_name(kind, suggested_name));
        } else {
            let n = self.picks.get() + 1;
            self.picks.set(n);
            let dir = PathBuf::from(crate::vfs::UPLOADS).join(n.to_string());
            if let Err(why) = pick(ctx, kind, dir, slot.clone()) {
                *slot.borrow_mut() = Some(Answer::Unavailable(why));
            }
        }
        self.pending = Some((kind, slot));
    }

    fn poll(&mut self) -> Option<(DialogKind, Answer)> {
        let (kind, slot) = self.pending.as_ref()?;
        let answer = slot.borrow_mut().take()?;
        let kind = *kind;
        self.pending = None;
        Some((kind, answer))
    }

    fn busy(&self) -> bool {
        self.pending.is_some()
    }
}

/// The download's name, asked with the browser's prompt (a name without a folder).
fn ask_name(kind: DialogKind, suggested: &str) -> Answer {
    let Some(window) = web_sys::window() else {
        return Answer::Unavailable("no browser window".into());
    };
    match window.prompt_with_message_and_default(&format!("{}: file name", kind.title()), suggested)
    {
        Ok(Some(name)) => {
            let name = name.trim();
            // Only the last component: a download has no folder.
            match Path::new(name).file_name() {
                Some(file) if !name.is_empty() => {
                    Answer::Chosen(Path::new(crate::vfs::DOWNLOADS).join(file))
                }
                _ => Answer::Cancelled,
            }
        }
        Ok(None) => Answer::Cancelled,
        Err(_) => Answer::Unavailable("the browser refused to ask for a file name".into()),
    }
}

/// Opens the browser's file picker; the answer arrives in `slot` once the files are read.
fn pick(ctx: &egui::Context, kind: DialogKind, dir: PathBuf, slot: Slot) -> Result<(), String> {
    let fail = |what: &str| format!("the browser's file picker failed ({what})");
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| fail("no document"))?;
    let input: web_sys::HtmlInputElement = document
        .create_element("input")
        .map_err(|_| fail("input"))?
        .dyn_into()
        .map_err(|_| fail("input"))?;
    input.set_type("file");
    let accept: Vec<String> = kind
        .filters()
        .iter()
        .flat_map(|(_, exts)| exts.iter().map(|e| format!(".{e}")))
        .collect();
    if !accept.is_empty() {
        input.set_accept(&accept.join(","));
    }
    let folder = kind.picks_folder();
    input.set_multiple(folder);

    let on_change = {
        let (input, slot, ctx) = (input.clone(), slot.clone(), ctx.clone());
        Closure::once_into_js(move || {
            let files: Vec<web_sys::File> = input
                .files()
                .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
                .unwrap_or_default();
            wasm_bindgen_futures::spawn_local(async move {
                let answer = read_all(&files, &dir, folder).await;
                *slot.borrow_mut() = Some(answer);
                ctx.request_repaint();
            });
        })
    };
    input.set_onchange(Some(on_change.unchecked_ref()));
    let on_cancel = {
        let (slot, ctx) = (slot.clone(), ctx.clone());
        Closure::once_into_js(move || {
            *slot.borrow_mut() = Some(Answer::Cancelled);
            ctx.request_repaint();
        })
    };
    input
        .add_event_listener_with_callback("cancel", on_cancel.unchecked_ref())
        .map_err(|_| fail("cancel"))?;
    input.click();
    Ok(())
}

/// Reads `files` into the page's memory under `dir`; the answer is the file (or, for a
/// folder, `dir`).
async fn read_all(files: &[web_sys::File], dir: &Path, folder: bool) -> Answer {
    let Some(first) = files.first() else {
        return Answer::Cancelled;
    };
    for file in files {
        let buffer = match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
            Ok(b) => b,
            Err(_) => {
                return Answer::Unavailable(format!("the browser could not read {}", file.name()));
            }
        };
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        crate::vfs::insert(dir.join(file_name(file)), bytes);
    }
    Answer::Chosen(if folder {
        dir.to_path_buf()
    } else {
        dir.join(file_name(first))
    })
}

/// The file's name without any folder the browser might put in it.
fn file_name(file: &web_sys::File) -> String {
    let name = file.name();
    Path::new(&name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into())
}

/// The page's dialogs never fall back to a built-in one: the browser always has its picker.
pub struct FileChooser {
    system: Box<dyn Dialogs>,
}

impl FileChooser {
    pub fn new(system: Box<dyn Dialogs>) -> Self {
        FileChooser { system }
    }

    pub fn start(&mut self, ctx: &egui::Context, kind: DialogKind) {
        if !self.busy() {
            self.system.start(ctx, kind, kind.suggested_name());
        }
    }

    pub fn busy(&self) -> bool {
        self.system.busy()
    }

    pub fn show(&mut self, _ctx: &egui::Context) -> Option<Outcome> {
        let (kind, answer) = self.system.poll()?;
        Some(match answer {
            Answer::Chosen(path) => Outcome::Answered(kind, Some(path)),
            Answer::Cancelled => Outcome::Answered(kind, None),
            Answer::Unavailable(why) => Outcome::FellBack(why),
        })
    }
}
