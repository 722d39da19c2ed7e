//! ▶ ⏸ ⏭ ⟲ and the progress of the run.

use eframe::egui;

use super::Action;
use super::history::RunHistory;
use super::live::Live;
use crate::train::RunState;

pub fn show(ui: &mut egui::Ui, live: &Live, history: &RunHistory) -> Vec<Action> {
    let mut actions = Vec::new();
    let ready = live.has_network() && !live.building;
    let running = live.is_running();
    ui.horizontal(|ui| {
        let start_label = match live.state {
            Some(RunState::Paused) => "▶ Resume",
            Some(RunState::Finished) => "▶ Train more",
            _ => "▶ Start",
        };
        if ui
            .add_enabled(ready && !running, egui::Button::new(start_label))
            .on_hover_text("Train until the configured epochs are done")
            .clicked()
        {
            actions.push(Action::Start);
        }
        if ui
            .add_enabled(running, egui::Button::new("⏸ Pause"))
            .on_hover_text("Stop after the current batch; the run can resume")
            .clicked()
        {
            actions.push(Action::Pause);
        }
        if ui
            .add_enabled(ready && !running, egui::Button::new("⏭ Step"))
            .on_hover_text("Train exactly one batch")
            .clicked()
        {
            actions.push(Action::Step);
        }
        if ui
            .add_enabled(!live.building, egui::Button::new("⟲ Reset"))
            .on_hover_text("Rebuild the network from its seed with the settings on the left (same seed → same initial weights)")
            .clicked()
        {
            actions.push(Action::Reset);
        }
        ui.separator();
        if ui
            .add_enabled(history.current.batches > 0, egui::Button::new("📌 Keep run"))
            .on_hover_text("Keep this run's curves and overlay them on the next runs")
            .clicked()
        {
            actions.push(Action::KeepRun);
        }
        if !history.kept.is_empty()
            && ui
                .button(format!("Clear kept ({})", history.kept.len()))
                .on_hover_text("Remove the overlaid runs")
                .clicked()
        {
            actions.push(Action::ClearKeptRuns);
        }
        ui.separator();
        ui.label(state_text(live));
        progress(ui, live);
    });
    actions
}

fn state_text(live: &Live) -> egui::RichText {
    let (text, strong) = if live.building {
        ("building…", false)
    } else if live.state == Some(RunState::Running) && live.last_batch.is_none() {
        // A GPU backend compiles its kernels during the first batch: say so rather than
        // sit at "epoch 0" for a minute.
        let on_gpu = live.applied.as_ref().is_some_and(|c| c.backend == "wgpu");
        if on_gpu {
            (
                "running · first batch: compiling the GPU kernels (up to a minute)…",
                true,
            )
        } else {
            ("running · first batch…", true)
        }
    } else {
        match live.state {
            None => ("no network", false),
            Some(RunState::Idle) => ("ready", false),
            Some(RunState::Running) => ("running", true),
            Some(RunState::Paused) => ("paused", false),
            Some(RunState::Finished) => ("finished", false),
            Some(RunState::Stopped) => ("stopped", false),
        }
    };
    let t = egui::RichText::new(text);
    if strong { t.strong() } else { t }
}

fn progress(ui: &mut egui::Ui, live: &Live) {
    let (done, total) = live.progress();
    let fraction = done as f32 / total.max(1) as f32;
    let per_epoch = live.batches_per_epoch.max(1);
    let (epoch, batch) = live
        .last_batch
        .as_ref()
        .map_or((0, 0), |b| (b.epoch, b.batch));
    let mut text = format!(
        "epoch {epoch}/{} · batch {batch}/{per_epoch}",
        live.target_epochs.max(epoch)
    );
    if live.samples_per_sec > 0.0 {
        text.push_str(&format!(" · {:.0} samples/s", live.samples_per_sec));
    }
    if live.is_running()
        && let Some(eta) = live.eta_seconds()
    {
        text.push_str(&format!(" · ETA {}", duration_text(eta)));
    }
    if let Some(e) = &live.last_epoch {
        text.push_str(&format!(" · test acc {:.1} %", e.test_acc * 100.0));
    }
    ui.add(
        egui::ProgressBar::new(fraction)
            .text(text)
            .desired_width(ui.available_width().max(120.0)),
    );
}

pub fn duration_text(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}
