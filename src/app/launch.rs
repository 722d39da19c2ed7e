//! Opening the window: its command line (`--screenshot`, `--frame-stats`, `--config`) and the
//! native event loop.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use eframe::egui;

use super::dialogs::RfdDialogs;
use super::screenshot::Automation;
use super::{ExplorerApp, WINDOW_SIZE};
use crate::cli::{Flags, UsageError, load_config};
use crate::config::Config;

#[derive(Clone, Debug, Default)]
pub struct LaunchOptions {
    pub config: Config,
    /// Train this long, write a PNG of the window there, exit.
    pub screenshot: Option<(PathBuf, Duration)>,
    /// With `screenshot`: a second run with this `KEY=VALUE` edit, overlaid on the first.
    pub compare: Option<String>,
    pub frame_stats: bool,
}

/// The flags that mean "open the window"; anything else goes to the command line tools.
const WINDOW_FLAGS: [&str; 6] = [
    "--screenshot",
    "--train-secs",
    "--compare",
    "--config",
    "--set",
    "--frame-stats",
];

/// `None` when `args` are for the command line tools (`train`, `keys`, …), not the window.
pub fn parse(args: &[String]) -> Option<Result<LaunchOptions, UsageError>> {
    match args.first() {
        None => return Some(Ok(LaunchOptions::default())),
        Some(a) if !WINDOW_FLAGS.contains(&a.as_str()) => return None,
        _ => {}
    }
    Some(parse_window_args(args))
}

fn parse_window_args(args: &[String]) -> Result<LaunchOptions, UsageError> {
    let mut opts = LaunchOptions::default();
    let mut path = None;
    let mut secs = None;
    let mut sets = Vec::new();
    let mut flags = Flags::new(args);
    while let Some(arg) = flags.next_arg() {
        match arg {
            "--screenshot" => path = Some(flags.path("--screenshot")?),
            "--train-secs" => {
                let v = flags.value("--train-secs")?;
                let s: f64 = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s >= 0.0 && *s <= 86_400.0)
                    .ok_or_else(|| {
                        UsageError(format!(
                            "--train-secs: {v:?} is not a number of seconds (0–86400)"
                        ))
                    })?;
                secs = Some(Duration::from_secs_f64(s));
            }
            "--config" => opts.config = load_config(&flags.value("--config")?)?,
            "--set" => sets.push(flags.value("--set")?),
            "--compare" => opts.compare = Some(flags.value("--compare")?),
            "--frame-stats" => opts.frame_stats = true,
            other => {
                return Err(UsageError(format!(
                    "unknown option {other:?} for the window (see surrogate-lab --help)"
                )));
            }
        }
    }
    for s in sets {
        opts.config = opts.config.set(&s)?;
    }
    if let Some(kv) = &opts.compare {
        // Refused now, not after a minute of training.
        opts.config.set(kv)?;
        if path.is_none() {
            return Err(UsageError("--compare goes with --screenshot PATH".into()));
        }
    }
    opts.screenshot = match (path, secs) {
        (Some(p), s) => Some((p, s.unwrap_or(Duration::from_secs(10)))),
        (None, Some(_)) => {
            return Err(UsageError(
                "--train-secs goes with --screenshot PATH".into(),
            ));
        }
        (None, None) => None,
    };
    Ok(opts)
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
