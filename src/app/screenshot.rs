//! PNGs of the window: File → Save PNG, and `--screenshot PATH --train-secs N`, which opens the
//! real window, trains, saves and exits.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use crate::clock::Instant;

use eframe::egui;

use super::live::Live;
use super::task::{Poll, Task};
use super::{Action, Message};
use crate::atomic::write_atomic;
use crate::config::Config;

/// RGB (the window is opaque; eframe's clear colour has alpha, which would show as holes).
pub fn encode_png(image: &egui::ColorImage) -> Result<Vec<u8>, String> {
    use image::ImageEncoder;
    let [w, h] = image.size;
    let mut rgb = Vec::with_capacity(w * h * 3);
    for c in &image.pixels {
        rgb.extend_from_slice(&[c.r(), c.g(), c.b()]);
    }
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            &rgb,
            u32::try_from(w).map_err(|_| "image too wide".to_string())?,
            u32::try_from(h).map_err(|_| "image too tall".to_string())?,
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| format!("cannot encode PNG: {e}"))?;
    Ok(out)
}

pub fn save_png(path: &Path, image: &egui::ColorImage) -> Result<(), String> {
    write_atomic(path, &encode_png(image)?).map_err(|e| e.to_string())
}

/// What became of one PNG: its pixel size, or why it was not written.
pub type Saved = Result<[usize; 2], String>;

/// Screenshots requested from the renderer and written off the UI thread.
pub struct ScreenshotSaver {
    /// Frames the renderer hands back (from its callback) for writing to their path.
    arrived_tx: Sender<(PathBuf, Arc<egui::ColorImage>)>,
    arrived_rx: Receiver<(PathBuf, Arc<egui::ColorImage>)>,
    /// Requested frames not yet handed back.
    requested: usize,
    writing: Vec<(PathBuf, Task<Saved>)>,
}

impl Default for ScreenshotSaver {
    fn default() -> Self {
        let (arrived_tx, arrived_rx) = mpsc::channel();
        Self {
            arrived_tx,
            arrived_rx,
            requested: 0,
            writing: Vec::new(),
        }
    }
}

impl ScreenshotSaver {
    /// Asks for the next rendered frame; it is encoded and written atomically to `path` as a
    /// background task, so the window does not stall on a large PNG.
    pub fn request(&mut self, ctx: &egui::Context, path: PathBuf) {
        let tx = self.arrived_tx.clone();
        let repaint = ctx.clone();
        self.requested += 1;
        ctx.request_screenshot(move |image: Arc<egui::ColorImage>| {
            let _ = tx.send((path, image));
            repaint.request_repaint();
        });
    }

    pub fn pending(&self) -> bool {
        self.requested > 0 || !self.writing.is_empty()
    }

    /// Writes that have finished since the last call: path, and pixel size or why it failed.
    pub fn poll(&mut self, ctx: &egui::Context) -> Vec<(PathBuf, Saved)> {
        let mut done = Vec::new();
        for (path, image) in self.arrived_rx.try_iter() {
            self.requested = self.requested.saturating_sub(1);
            let target = path.clone();
            match Task::spawn("save-png", ctx, move || {
                save_png(&target, &image).map(|()| image.size)
            }) {
                Ok(task) => self.writing.push((path, task)),
                Err(e) => done.push((path, Err(format!("cannot start the writer: {e}")))),
            }
        }
        self.writing.retain(|(path, task)| match task.poll() {
            Poll::Pending => true,
            Poll::Done(result) => {
                done.push((path.clone(), result));
                false
            }
            Poll::Lost => {
                done.push((
                    path.clone(),
                    Err(format!("{}: the writer crashed", path.display())),
                ));
                false
            }
        });
        done
    }
}

/// `--screenshot`: start as soon as the network is built, train for a while, save, quit.
pub struct Automation {
    pub path: PathBuf,
    pub train_for: Duration,
    /// `KEY=VALUE`: after the first run, keep it, apply this edit, reset and train as long
    /// again, so the PNG shows both runs overlaid.
    pub compare: Option<String>,
    /// False: photograph the window as soon as the network is built, without training (a
    /// study's committed results need none).
    pub train: bool,
    pub phase: Phase,
    /// Set when the PNG has been written (0) or could not be (1); read by `main` after the
    /// window closes.
    pub exit_code: Arc<std::sync::atomic::AtomicI32>,
    /// The last epoch written to stderr: an unattended run says how far it got, and a script
    /// can act at a given epoch (the long-run memory check in RELIABILITY.md does).
    logged_epoch: Option<usize>,
    /// `PointerGone` has been sent and no pointer event came since.
    pointer_hidden: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Phase {
    WaitingForNetwork { since: Instant },
    Training { since: Instant },
    Saving,
    Done,
}

/// How long `--screenshot` waits for a network before it photographs whatever is on screen.
pub const BUILD_TIMEOUT: Duration = Duration::from_secs(300);

impl Automation {
    pub fn new(path: PathBuf, train_for: Duration, compare: Option<String>) -> Self {
        Self {
            path,
            train_for,
            compare,
            train: true,
            phase: Phase::WaitingForNetwork {
                since: Instant::now(),
            },
            exit_code: Arc::new(std::sync::atomic::AtomicI32::new(1)),
            logged_epoch: None,
            pointer_hidden: false,
        }
    }
}

impl Automation {
    /// Drives the same actions a user would: start once the network is built, train, keep
    /// the run and train the `--compare` edit, then photograph the window.
    pub fn step(
        &mut self,
        ctx: &egui::Context,
        live: &Live,
        draft: &mut Config,
        saver: &mut ScreenshotSaver,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        let epoch = live.last_epoch.as_ref();
        if epoch.map(|e| e.epoch) != self.logged_epoch {
            if let Some(e) = epoch {
                eprintln!(
                    "epoch {}: test accuracy {:.1} %",
                    e.epoch,
                    100.0 * e.test_acc
                );
            }
            self.logged_epoch = epoch.map(|e| e.epoch);
        }
        match self.phase {
            Phase::WaitingForNetwork { since } => {
                let built = live.has_network() && !live.building;
                if built && self.train {
                    actions.push(Action::Start);
                    self.phase = Phase::Training {
                        since: Instant::now(),
                    };
                } else if built || live.error.is_some() || since.elapsed() > BUILD_TIMEOUT {
                    // Built but not to be trained, or failed: photograph it now (a failure:
                    // the window says what went wrong).
                    self.phase = Phase::Saving;
                    saver.request(ctx, self.path.clone());
                }
            }
            Phase::Training { since } => {
                if since.elapsed() < self.train_for {
                    return actions;
                }
                match self.compare.take().map(|kv| draft.set(&kv)) {
                    Some(Ok(config)) => {
                        *draft = config;
                        actions.extend([Action::KeepRun, Action::Reset]);
                        self.phase = Phase::WaitingForNetwork {
                            since: Instant::now(),
                        };
                    }
                    other => {
                        if let Some(Err(e)) = other {
                            eprintln!("error: --compare: {e}");
                        }
                        self.phase = Phase::Saving;
                        saver.request(ctx, self.path.clone());
                    }
                }
            }
            Phase::Saving => {}
            Phase::Done => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
        actions
    }

    /// Ends the run when the PNG it asked for is written (exit status 0) or failed.
    pub fn saved(&mut self, path: &Path, result: &Saved) {
        if self.path != path || self.phase != Phase::Saving {
            return;
        }
        match result {
            Ok([w, h]) => {
                eprintln!("wrote {} ({w}×{h})", path.display());
                self.exit_code.store(0, std::sync::atomic::Ordering::SeqCst);
            }
            Err(e) => eprintln!("error: {e}"),
        }
        self.phase = Phase::Done;
    }

    /// A screenshot shows the plots, not a tooltip under wherever the pointer happens to be.
    /// The pointer is declared gone once, and again only after an event that would bring it
    /// back: any input event makes egui redraw at once, so one added every frame would keep the
    /// window redrawing flat out (in software rendering, CPU taken from the training).
    pub fn hide_pointer(&mut self, raw_input: &mut egui::RawInput) {
        let before = raw_input.events.len();
        raw_input.events.retain(|e| {
            !matches!(
                e,
                egui::Event::PointerMoved(_)
                    | egui::Event::MouseMoved(_)
                    | egui::Event::PointerButton { .. }
                    | egui::Event::MouseWheel { .. }
            )
        });
        if raw_input.events.len() < before || !self.pointer_hidden {
            raw_input.events.push(egui::Event::PointerGone);
            self.pointer_hidden = true;
        }
    }
}

/// The line a finished PNG write leaves in the window.
pub fn saved_message(path: &Path, result: &Saved) -> Message {
    match result {
        Ok([w, h]) => Message {
            text: format!("saved {} ({w}×{h})", path.display()),
            is_error: false,
        },
        Err(e) => Message {
            text: e.clone(),
            is_error: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(events: Vec<egui::Event>) -> egui::RawInput {
        egui::RawInput {
            events,
            ..Default::default()
        }
    }

    #[test]
    fn the_pointer_is_hidden_once_not_every_frame() {
        let mut a = Automation::new("x.png".into(), Duration::from_secs(1), None);
        let mut first = input(Vec::new());
        a.hide_pointer(&mut first);
        assert_eq!(first.events, vec![egui::Event::PointerGone]);
        // A quiet frame stays quiet: an event here would make egui redraw at once, forever.
        let mut quiet = input(Vec::new());
        a.hide_pointer(&mut quiet);
        assert!(quiet.events.is_empty());
        let moved = egui::Event::PointerMoved(egui::pos2(3.0, 4.0));
        let mut back = input(vec![moved, egui::Event::Text("k".into())]);
        a.hide_pointer(&mut back);
        assert_eq!(
            back.events,
            vec![egui::Event::Text("k".into()), egui::Event::PointerGone]
        );
    }
}
