//! `--frame-stats`: how long frames take, as percentiles printed on exit (the benchmark for
//! "the window never freezes").

use std::time::Duration;

/// Frames kept; at 20 frames/s this is over an hour of training, and a percentile over it
/// costs one sort at exit.
const MAX_FRAMES: usize = 100_000;

#[derive(Clone, Debug, Default)]
pub struct FrameStats {
    /// CPU time per frame (egui pass, tessellation and rendering), seconds.
    seconds: Vec<f32>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Percentiles {
    pub frames: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl FrameStats {
    pub fn record(&mut self, seconds: f32) {
        if seconds.is_finite() && seconds >= 0.0 && self.seconds.len() < MAX_FRAMES {
            self.seconds.push(seconds);
        }
    }

    pub fn percentiles(&self) -> Option<Percentiles> {
        if self.seconds.is_empty() {
            return None;
        }
        let mut s = self.seconds.clone();
        s.sort_by(f32::total_cmp);
        let at = |q: f64| {
            let i = ((s.len() - 1) as f64 * q).round() as usize;
            Duration::from_secs_f32(s[i.min(s.len() - 1)])
        };
        Some(Percentiles {
            frames: s.len(),
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: at(1.0),
        })
    }

    pub fn report(&self) -> String {
        match self.percentiles() {
            None => "frame times: no frames drawn".into(),
            Some(p) => format!(
                "frame times over {} frames: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                p.frames,
                ms(p.p50),
                ms(p.p95),
                ms(p.p99),
                ms(p.max)
            ),
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_known_frames() {
        let mut f = FrameStats::default();
        for i in 1..=100 {
            f.record(i as f32 / 1000.0);
        }
        let p = f.percentiles().expect("frames recorded");
        assert_eq!(p.frames, 100);
        assert!((ms(p.p50) - 50.0).abs() < 1.01);
        assert!((ms(p.p99) - 99.0).abs() < 1.01);
        assert!((ms(p.max) - 100.0).abs() < 0.01);
    }
}
