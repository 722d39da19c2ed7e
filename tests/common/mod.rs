//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod window;

use std::time::{Duration, Instant};

use surrogate_lab::train::{Event, Session};

pub fn to_vec<const D: usize>(t: burn::tensor::Tensor<D>) -> Vec<f32> {
    t.into_data().iter::<f32>().collect()
}

/// The session's events up to and including the first one `pred` accepts; fails the test if
/// none comes within two minutes.
pub fn wait_for(session: &Session, mut pred: impl FnMut(&Event) -> bool) -> Vec<Event> {
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if let Some(e) = session.next_event(Duration::from_millis(200)) {
            let hit = pred(&e);
            seen.push(e);
            if hit {
                return seen;
            }
        }
    }
    panic!("event did not arrive; saw {} events", seen.len());
}

/// Runs the program's binary with `args`.
pub fn cli<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_surrogate-lab"))
        .args(args)
        .output()
        .expect("binary runs")
}

/// Runs the binary and asserts it succeeded, showing its stderr if not.
pub fn cli_ok<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> std::process::Output {
    let out = cli(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs the binary, asserts it succeeded and reads the last line of its stdout as JSON.
pub fn cli_json<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> serde_json::Value {
    let out = cli_ok(args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().expect("a line on stdout");
    serde_json::from_str(last).expect("JSON")
}
