//! Whether wgpu can run here, checked once the user picks it: probing starts a GPU runtime
//! (seconds), so it runs as a background task while the window keeps drawing.

use eframe::egui;

use super::Message;
use super::task::{Poll, Task};
use crate::config::Config;

#[derive(Default)]
pub enum WgpuCheck {
    #[default]
    Unchecked,
    Checking(Task<Result<(), String>>),
    Available,
    Unavailable(String),
}

impl std::fmt::Debug for WgpuCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WgpuCheck::Unchecked => write!(f, "Unchecked"),
            WgpuCheck::Checking(_) => write!(f, "Checking"),
            WgpuCheck::Available => write!(f, "Available"),
            WgpuCheck::Unavailable(why) => write!(f, "Unavailable({why:?})"),
        }
    }
}

impl WgpuCheck {
    pub fn is_checking(&self) -> bool {
        matches!(self, WgpuCheck::Checking(_))
    }

    /// Moves the check on while `draft` asks for wgpu. When wgpu cannot run, `draft` goes back
    /// to the CPU backend the run has (`applied`), and the message says why.
    pub fn poll(
        &mut self,
        ctx: &egui::Context,
        draft: &mut Config,
        applied: Option<&Config>,
    ) -> Option<Message> {
        if draft.backend != "wgpu" {
            return None;
        }
        match self {
            WgpuCheck::Unchecked => {
                let probe = Task::spawn("wgpu-probe", ctx, || {
                    crate::backend::device("wgpu")
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                });
                *self = match probe {
                    Ok(task) => WgpuCheck::Checking(task),
                    Err(e) => WgpuCheck::Unavailable(format!("cannot check wgpu: {e}")),
                };
            }
            WgpuCheck::Checking(task) => match task.poll() {
                Poll::Pending => {}
                Poll::Done(Ok(())) => *self = WgpuCheck::Available,
                Poll::Done(Err(why)) => *self = WgpuCheck::Unavailable(why),
                Poll::Lost => *self = WgpuCheck::Unavailable("wgpu check crashed".into()),
            },
            WgpuCheck::Available => {}
            WgpuCheck::Unavailable(why) => {
                // The run stays on the CPU backend it has.
                let cpu = applied
                    .map(|c| c.backend.clone())
                    .filter(|b| b != "wgpu")
                    .unwrap_or_else(|| "flex".into());
                let text = format!("{why}. The run stays on {cpu}.");
                draft.backend = cpu;
                return Some(Message {
                    text,
                    is_error: true,
                });
            }
        }
        None
    }
}
