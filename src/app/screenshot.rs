//! PNGs of the window: File → Save PNG, and `--screenshot PATH --train-secs N`, which opens the
//! real window, trains, saves and exits.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use eframe::egui;

use crate::atomic::write_atomic;

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

/// Screenshots requested from the renderer and written off the UI thread.
pub struct ScreenshotSaver {
    done_tx: Sender<(PathBuf, Result<[usize; 2], String>)>,
    done_rx: Receiver<(PathBuf, Result<[usize; 2], String>)>,
    pending: usize,
}

impl Default for ScreenshotSaver {
    fn default() -> Self {
        let (done_tx, done_rx) = mpsc::channel();
        Self {
            done_tx,
            done_rx,
            pending: 0,
        }
    }
}

impl ScreenshotSaver {
    /// Asks for the next rendered frame; it is encoded and written atomically to `path` on a
    /// thread of its own, so the window does not stall on a large PNG.
    pub fn request(&mut self, ctx: &egui::Context, path: PathBuf) {
        let tx = self.done_tx.clone();
        let ctx2 = ctx.clone();
        self.pending += 1;
        ctx.request_screenshot(move |image: Arc<egui::ColorImage>| {
            let spawned = std::thread::Builder::new().name("save-png".into()).spawn({
                let tx = tx.clone();
                let path = path.clone();
                let ctx = ctx2.clone();
                move || {
                    let result = save_png(&path, &image).map(|()| image.size);
                    let _ = tx.send((path, result));
                    ctx.request_repaint();
                }
            });
            if let Err(e) = spawned {
                let _ = tx.send((path, Err(format!("cannot start the writer: {e}"))));
            }
        });
    }

    pub fn pending(&self) -> bool {
        self.pending > 0
    }

    /// Writes that have finished since the last call: path, and pixel size or why it failed.
    pub fn poll(&mut self) -> Vec<(PathBuf, Result<[usize; 2], String>)> {
        let done: Vec<_> = self.done_rx.try_iter().collect();
        self.pending = self.pending.saturating_sub(done.len());
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
    pub phase: Phase,
    /// Set when the PNG has been written (0) or could not be (1); read by `main` after the
    /// window closes.
    pub exit_code: Arc<std::sync::atomic::AtomicI32>,
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
            phase: Phase::WaitingForNetwork {
                since: Instant::now(),
            },
            exit_code: Arc::new(std::sync::atomic::AtomicI32::new(1)),
        }
    }
}
