//! The window driven headless (kittest): one harness and its stepping, shared by the
//! window, teaching and NIR-window tests.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use surrogate_lab::app::ExplorerApp;
use surrogate_lab::app::dialogs::FakeDialogs;
use surrogate_lab::config::Config;

/// Small enough that a batch takes milliseconds, big enough to show learning.
pub fn small_config() -> Config {
    let mut c = Config::default();
    c.data.randman.samples_per_class = 40;
    c.optim.batch_size = 32;
    c.model.hidden = vec![32];
    c
}

pub fn harness(config: Config, dialogs: FakeDialogs) -> Harness<'static, ExplorerApp> {
    Harness::builder()
        .with_size([1440.0, 900.0])
        .build_eframe(move |cc| ExplorerApp::new(&cc.egui_ctx, config, Box::new(dialogs)))
}

/// Draws frames until `done` holds; each frame only polls the trainer, never waits on it.
pub fn step_until(
    h: &mut Harness<'_, ExplorerApp>,
    what: &str,
    done: impl Fn(&ExplorerApp) -> bool,
) {
    let started = Instant::now();
    while !done(h.state()) {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "timed out waiting for {what}"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    h.step();
}

pub fn ready(app: &ExplorerApp) -> bool {
    app.live().has_network() && !app.live().building
}

pub fn click(h: &mut Harness<'_, ExplorerApp>, label: &str) {
    h.get_by_label(label).click();
    h.step();
    h.step();
}
