//! How often the window redraws on its own (input always redraws at once).
//!
//! Drawn in software (Mesa's llvmpipe/lavapipe: no GPU, or Xvfb), one frame of this window
//! costs about 150 ms of CPU whatever it shows — the cost is rasterising 1440 × 900 pixels,
//! not the plots — and that CPU is taken from the trainer. So while the trainer works
//! (training, or building a network), a window drawn in software redraws every two seconds:
//! the curves still move, and training keeps its pace (BENCHMARKS.md, "The window while
//! training"). With a GPU it redraws at 10 frames/s.

use std::time::Duration;

use eframe::egui_wgpu::wgpu;

/// While something changes without input (training on a GPU-drawn window, a dialog, a save):
/// 10 frames/s reads as live (snapshots come at 4/s).
pub const BUSY: Duration = Duration::from_millis(100);
/// While the trainer works, in a window drawn in software.
pub const TRAINER_IN_SOFTWARE: Duration = Duration::from_secs(2);
/// When idle, the window still polls now and then for late events.
pub const IDLE: Duration = Duration::from_millis(250);

/// What draws the window, as far as its cost per frame goes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Renderer {
    /// Not known (yet, or no wgpu renderer, as in the kittest harness): drawn as on a GPU.
    #[default]
    Unknown,
    Gpu,
    Software,
}

impl Renderer {
    /// The renderer of `frame`, and the adapter's name and kind in words (for `--frame-stats`).
    pub fn of(frame: &eframe::Frame) -> (Self, Option<String>) {
        let Some(state) = frame.wgpu_render_state() else {
            return (Renderer::Unknown, None);
        };
        let info = state.adapter.get_info();
        let renderer = match info.device_type {
            wgpu::DeviceType::Cpu => Renderer::Software,
            _ => Renderer::Gpu,
        };
        let words = format!(
            "{} ({:?}, {:?}): {renderer:?}",
            info.name, info.backend, info.device_type
        );
        (renderer, Some(words))
    }
}

/// What the window is doing, for its next unprompted frame.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Activity {
    /// The trainer is training or building a network.
    pub trainer: bool,
    /// Anything else in flight: a dialog, a file written, a sweep, automation.
    pub other: bool,
}

/// Delay before the next frame nobody asked for.
pub fn next_frame(renderer: Renderer, activity: Activity) -> Duration {
    match activity {
        // In the page the trainer works inside each frame (`train::session`): the next frame
        // is the next slice of training, so it comes at once.
        Activity { trainer: true, .. } if crate::train::session::TRAINS_IN_FRAMES => Duration::ZERO,
        Activity { other: true, .. } => BUSY,
        Activity { trainer: true, .. } if renderer == Renderer::Software => TRAINER_IN_SOFTWARE,
        Activity { trainer: true, .. } => BUSY,
        _ => IDLE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRAINING: Activity = Activity {
        trainer: true,
        other: false,
    };

    #[test]
    fn training_in_software_redraws_every_two_seconds_on_a_gpu_ten_times() {
        assert_eq!(
            next_frame(Renderer::Software, TRAINING),
            TRAINER_IN_SOFTWARE
        );
        assert_eq!(next_frame(Renderer::Gpu, TRAINING), BUSY);
        assert_eq!(next_frame(Renderer::Unknown, TRAINING), BUSY);
        assert!(TRAINER_IN_SOFTWARE >= 5 * BUSY);
    }

    #[test]
    fn other_work_keeps_the_busy_pace_and_idle_polls() {
        let both = Activity {
            trainer: true,
            other: true,
        };
        assert_eq!(next_frame(Renderer::Software, both), BUSY);
        assert_eq!(next_frame(Renderer::Software, Activity::default()), IDLE);
        assert_eq!(next_frame(Renderer::Gpu, Activity::default()), IDLE);
    }
}
