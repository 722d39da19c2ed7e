//! Work that must not run on the UI thread (a file write, a dialog, a GPU probe, a sweep): a
//! closure on a named thread whose result, and any progress it reports on the way, the window
//! polls once a frame without waiting. The thread asks for a repaint when it has news, so the
//! answer shows at once even where the window only redraws on input.

use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

use eframe::egui;

/// A closure running on a thread of its own; `P` is what it reports before it finishes.
pub struct Task<T, P = ()> {
    rx: Receiver<Msg<T, P>>,
}

enum Msg<T, P> {
    Progress(P),
    Done(T),
}

/// Where a task stands, seen from the UI thread.
#[derive(Debug, PartialEq)]
pub enum Poll<T> {
    Pending,
    Done(T),
    /// The thread ended without an answer: it panicked.
    Lost,
}

/// What the closure uses to report progress.
pub struct Progress<P> {
    send: Box<dyn Fn(P) -> bool + Send>,
    ctx: egui::Context,
}

impl<P> Progress<P> {
    /// Reports `p` to the window (ignored once the window stopped listening).
    pub fn report(&self, p: P) {
        if (self.send)(p) {
            self.ctx.request_repaint();
        }
    }
}

impl<T: Send + 'static> Task<T> {
    /// Runs `work` on a thread named `name`; fails only when no thread can be started.
    pub fn spawn(
        name: &str,
        ctx: &egui::Context,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> std::io::Result<Self> {
        Task::spawn_with_progress(name, ctx, move |_: &Progress<()>| work())
    }
}

impl<T: Send + 'static, P: Send + 'static> Task<T, P> {
    /// Like [`Task::spawn`], with a [`Progress`] the closure reports through.
    pub fn spawn_with_progress(
        name: &str,
        ctx: &egui::Context,
        work: impl FnOnce(&Progress<P>) -> T + Send + 'static,
    ) -> std::io::Result<Self> {
        // One channel for progress and answer keeps them in the order they were sent.
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        let run = move || {
            let progress = Progress {
                send: Box::new({
                    let tx: Sender<Msg<T, P>> = tx.clone();
                    move |p| tx.send(Msg::Progress(p)).is_ok()
                }),
                ctx: ctx.clone(),
            };
            let result = work(&progress);
            let _ = tx.send(Msg::Done(result));
            ctx.request_repaint();
        };
        // The page has no threads: the work runs now, inside this frame, and its answer is
        // waiting at the first poll. What is slow there (a sweep) cuts its work into frames
        // itself.
        #[cfg(target_arch = "wasm32")]
        {
            let _ = name;
            run();
        }
        #[cfg(not(target_arch = "wasm32"))]
        std::thread::Builder::new().name(name.into()).spawn(run)?;
        Ok(Task { rx })
    }
}

impl<T, P> Task<T, P> {
    /// Hands every progress report since the last poll to `on_progress`, then says whether
    /// the answer has come. Never waits. After `Done` or `Lost` the task is spent.
    pub fn poll_with(&self, mut on_progress: impl FnMut(P)) -> Poll<T> {
        loop {
            match self.rx.try_recv() {
                Ok(Msg::Progress(p)) => on_progress(p),
                Ok(Msg::Done(t)) => return Poll::Done(t),
                Err(TryRecvError::Empty) => return Poll::Pending,
                Err(TryRecvError::Disconnected) => return Poll::Lost,
            }
        }
    }

    /// [`Task::poll_with`], dropping progress reports.
    pub fn poll(&self) -> Poll<T> {
        self.poll_with(|_| {})
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    fn wait<T, P>(task: &Task<T, P>, mut on_progress: impl FnMut(P)) -> Poll<T> {
        let started = Instant::now();
        loop {
            match task.poll_with(&mut on_progress) {
                Poll::Pending if started.elapsed() < Duration::from_secs(10) => {
                    std::thread::sleep(Duration::from_millis(1))
                }
                other => return other,
            }
        }
    }

    #[test]
    fn answer_arrives_after_the_progress_in_order() {
        let ctx = egui::Context::default();
        let task = Task::spawn_with_progress("test", &ctx, |p: &Progress<u32>| {
            for i in 0..5 {
                p.report(i);
            }
            "done"
        })
        .expect("a thread");
        let mut seen = Vec::new();
        assert_eq!(wait(&task, |p| seen.push(p)), Poll::Done("done"));
        assert_eq!(seen, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn pending_until_the_closure_returns() {
        let ctx = egui::Context::default();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let task = Task::spawn("test", &ctx, move || go_rx.recv().map(|()| 7)).expect("a thread");
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(task.poll(), Poll::Pending);
        go_tx.send(()).expect("the task listens");
        assert_eq!(wait(&task, |()| {}), Poll::Done(Ok(7)));
    }

    #[test]
    fn a_panicking_closure_is_lost_not_pending_forever() {
        let ctx = egui::Context::default();
        let task: Task<()> = Task::spawn("test", &ctx, || panic!("on purpose")).expect("a thread");
        assert_eq!(wait(&task, |()| {}), Poll::Lost);
    }
}
