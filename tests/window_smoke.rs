//! The real window under Xvfb: `--screenshot PATH --train-secs N` opens it, trains, writes a
//! PNG of the window's size and exits 0. Needs `xvfb-run` and Mesa, so it is ignored by default;
//! `.ci/run` installs both and runs it with `--ignored`.

use std::process::Command;
use std::time::{Duration, Instant};

use surrogate_lab::app::WINDOW_SIZE;

#[test]
#[ignore = "needs xvfb-run and Mesa; run by .ci/run"]
fn screenshot_of_the_real_window() {
    let dir = std::env::temp_dir().join(format!("surrogate-lab-smoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let png = dir.join("window.png");
    let started = Instant::now();
    let mut child = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1920x1080x24"])
        .arg(env!("CARGO_BIN_EXE_surrogate-lab"))
        .arg("--screenshot")
        .arg(&png)
        .args(["--train-secs", "4"])
        .spawn()
        .expect("xvfb-run is installed (apt-get install xvfb)");
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            panic!("the window did not exit within 300 s");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(status.success(), "exit status {status}");

    let image = image::open(&png).expect("a readable PNG").to_rgb8();
    assert_eq!(
        (image.width(), image.height()),
        (WINDOW_SIZE[0] as u32, WINDOW_SIZE[1] as u32),
        "the PNG has the window's size"
    );
    // Not blank: many colours, and no single colour covering nearly everything.
    let mut counts = std::collections::HashMap::new();
    for p in image.pixels() {
        *counts.entry(p.0).or_insert(0usize) += 1;
    }
    let most = counts.values().copied().max().unwrap_or(0);
    let total = (image.width() * image.height()) as usize;
    assert!(counts.len() > 50, "only {} colours", counts.len());
    assert!(
        most < total * 9 / 10,
        "one colour covers {most} of {total} pixels"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
