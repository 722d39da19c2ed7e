//! Opening the window: its launch options (made by the command line from its window flags)
//! and the native event loop.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use eframe::egui;

use super::dialogs::RfdDialogs;
use super::screenshot::Automation;
use super::{ExplorerApp, WINDOW_SIZE};
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
    /// A NIR graph, opened, to run in place of the configuration's network.
    pub network: Option<(PathBuf, crate::nir::import::Opened)>,
    /// The neuron the inspector opens on.
    pub select_neuron: Option<crate::train::metrics::NeuronRef>,
    /// The Sweep tab on this study's preset and committed results; a screenshot then
    /// photographs them instead of training.
    pub study: Option<crate::sweep::studies::Study>,
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
                    a.train = opts.study.is_none();
                    app = app.with_automation(a);
                }
                if let Some((path, opened)) = &opts.network {
                    app = app.with_network(path, opened);
                }
                if let Some(lesson) = opts.lesson {
                    app = app.with_lesson(lesson);
                }
                if let Some(at) = opts.select_neuron {
                    app = app.with_selected_neuron(at);
                }
                if let Some(study) = opts.study {
                    app = app.with_study(study);
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
