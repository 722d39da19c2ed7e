//! Opening the window: its options from the command line's window flags (`--screenshot`,
//! `--frame-stats`, `--config`…, parsed in `cli::args`) and the native event loop.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use eframe::egui;

use super::dialogs::RfdDialogs;
use super::screenshot::Automation;
use super::{ExplorerApp, WINDOW_SIZE};
use crate::cli::{CliError, WindowArgs};
use crate::config::{Config, Lesson};

#[derive(Clone, Debug, Default)]
pub struct LaunchOptions {
    pub config: Config,
    /// Train this long, write a PNG of the window there, exit.
    pub screenshot: Option<(PathBuf, Duration)>,
    /// With `screenshot`: a second run with this `KEY=VALUE` edit, overlaid on the first.
    pub compare: Option<String>,
    pub frame_stats: bool,
    /// The lesson shown beside the plots (its experiment is `config`, edits included).
    pub lesson: Option<Lesson>,
}

/// The window's options from its parsed flags: the experiment with its edits, checked now
/// rather than after a minute of training.
pub fn options(args: WindowArgs) -> Result<LaunchOptions, CliError> {
    let lesson = match &args.lesson {
        Some(spec) => Some(Lesson::find(spec)?),
        None => None,
    };
    let base = lesson.as_ref().map(|l| l.experiment.clone());
    let config = args.experiment.resolve(|| base.unwrap_or_default(), &[])?;
    if let Some(kv) = &args.compare {
        config.set(kv)?;
        if args.screenshot.is_none() {
            return Err(CliError::CompareWithoutScreenshot);
        }
    }
    let screenshot = match (args.screenshot, args.train_secs) {
        (Some(p), s) => Some((p, s.unwrap_or(Duration::from_secs(10)))),
        (None, Some(_)) => return Err(CliError::TrainSecsWithoutScreenshot),
        (None, None) => None,
    };
    Ok(LaunchOptions {
        config,
        screenshot,
        compare: args.compare,
        frame_stats: args.frame_stats,
        lesson,
    })
}

/// Opens the window and runs until it is closed; returns the process exit status.
pub fn run(opts: LaunchOptions) -> i32 {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("surrogate-lab")
            .with_inner_size(WINDOW_SIZE)
            .with_min_inner_size([900.0, 600.0]),
        ..Default::default()
    };
    let exit_code = opts
        .screenshot
        .as_ref()
        .map(|_| Arc::new(std::sync::atomic::AtomicI32::new(1)));
    let result = eframe::run_native(
        "surrogate-lab",
        native,
        Box::new({
            let exit_code = exit_code.clone();
            move |cc| {
                // The screenshots in the README are taken at one pixel per point so that they
                // have the window's size whatever the display says.
                if opts.screenshot.is_some() {
                    cc.egui_ctx.set_pixels_per_point(1.0);
                }
                let mut app =
                    ExplorerApp::new(&cc.egui_ctx, opts.config, Box::new(RfdDialogs::default()));
                if let Some((path, secs)) = opts.screenshot {
                    let mut a = Automation::new(path, secs, opts.compare);
                    if let Some(code) = exit_code {
                        a.exit_code = code;
                    }
                    app = app.with_automation(a);
                }
                if let Some(lesson) = opts.lesson {
                    app = app.with_lesson(lesson);
                }
                if opts.frame_stats {
                    app = app.with_frame_stats();
                }
                Ok(Box::new(app))
            }
        }),
    );
    if let Err(e) = result {
        eprintln!(
            "error: cannot open the window: {e}\n(no display? `surrogate-lab train` trains without one)"
        );
        return 1;
    }
    exit_code.map_or(0, |c| c.load(Ordering::SeqCst))
}
