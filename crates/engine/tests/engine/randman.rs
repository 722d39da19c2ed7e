//! Randman: deterministic, one spike per unit per sample, balanced classes.

use surrogate_engine::data::randman::{RandmanConfig, generate};

fn small() -> RandmanConfig {
    RandmanConfig {
        samples_per_class: 50,
        ..RandmanConfig::default()
    }
}

fn all_events(d: &surrogate_engine::data::SpikeDataset) -> Vec<(usize, Vec<(u32, u32)>)> {
    (0..d.len())
        .map(|i| (d.label(i), d.events(i).collect()))
        .collect()
}

#[test]
fn same_seed_gives_identical_data_and_another_seed_does_not() {
    let a = generate(&small(), 100);
    let b = generate(&small(), 100);
    assert_eq!(all_events(&a.train), all_events(&b.train));
    assert_eq!(all_events(&a.test), all_events(&b.test));
    let c = generate(&RandmanConfig { seed: 2, ..small() }, 100);
    assert_ne!(all_events(&a.train), all_events(&c.train));
}

#[test]
fn every_unit_spikes_once_per_sample_in_the_first_half() {
    let cfg = small();
    let d = generate(&cfg, 100);
    for split in [&d.train, &d.test] {
        for i in 0..split.len() {
            let mut per_unit = vec![0; cfg.units];
            for (step, unit) in split.events(i) {
                per_unit[unit as usize] += 1;
                assert!(step < 50, "spike at step {step} outside the first half");
            }
            assert!(per_unit.iter().all(|&c| c == 1), "sample {i}: {per_unit:?}");
        }
    }
}

#[test]
fn classes_are_balanced_and_splits_are_800_100_100() {
    let cfg = RandmanConfig::default();
    let d = generate(&cfg, 100);
    assert_eq!(d.train.len(), 8000);
    assert_eq!(d.valid.as_ref().map(|v| v.len()), Some(1000));
    assert_eq!(d.test.len(), 1000);
    for split in [&d.train, &d.test] {
        let mut counts = vec![0; cfg.classes];
        for &l in split.labels() {
            counts[l] += 1;
        }
        let expected = split.len() / cfg.classes;
        assert!(counts.iter().all(|&c| c == expected), "{counts:?}");
    }
}

#[test]
fn spike_times_spread_over_the_window() {
    let d = generate(&small(), 100);
    let mut steps: Vec<u32> = (0..d.train.len())
        .flat_map(|i| d.train.events(i).map(|(s, _)| s))
        .collect();
    steps.sort_unstable();
    steps.dedup();
    assert!(
        steps.len() > 30,
        "only {} distinct spike times",
        steps.len()
    );
}

/// Min–max normalisation with the original's ε maps each unit's coordinates onto [0, 1): the
/// earliest sample of a unit spikes at step 0, the latest at the window's last step, never on the
/// first step after it.
#[test]
fn spike_times_fill_the_window_and_never_leave_it() {
    for (step_frac, seed) in [(0.5, 1), (0.5, 8), (0.3, 2), (0.77, 3)] {
        let cfg = RandmanConfig {
            step_frac,
            seed,
            ..small()
        };
        let d = generate(&cfg, 100);
        let window = (100.0 * step_frac) as u32;
        let mut first = vec![u32::MAX; cfg.units];
        let mut last = vec![0; cfg.units];
        for split in [&d.train, d.valid.as_ref().expect("valid split"), &d.test] {
            for i in 0..split.len() {
                for (step, unit) in split.events(i) {
                    let u = unit as usize;
                    first[u] = first[u].min(step);
                    last[u] = last[u].max(step);
                }
            }
        }
        assert!(
            first.iter().all(|&t| t == 0),
            "step_frac {step_frac}: first spike per unit {first:?}"
        );
        assert!(
            last.iter().all(|&t| t == window - 1),
            "step_frac {step_frac}: last spike per unit {last:?}, window {window}"
        );
    }
}
