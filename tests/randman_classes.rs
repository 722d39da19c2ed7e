//! Randman's classes are different manifolds: a nearest-centroid classifier on raw spike times
//! separates them far above chance (a generator that reused one manifold for every class would
//! sit at chance, 1/classes, and pass every other Randman test).

use surrogate_lab::data::SpikeDataset;
use surrogate_lab::data::randman::generate;
use surrogate_lab::io::config::RandmanConfig;

/// One sample as a vector of spike times, one coordinate per (unit, spike).
fn features(d: &SpikeDataset, i: usize, units: usize, spikes: usize) -> Vec<f64> {
    let mut per_unit: Vec<Vec<f64>> = vec![Vec::new(); units];
    for (t, u) in d.events(i) {
        per_unit[u as usize].push(t as f64);
    }
    per_unit
        .into_iter()
        .flat_map(|mut times| {
            times.sort_by(f64::total_cmp);
            times.resize(spikes, f64::NAN);
            times
        })
        .collect()
}

fn nearest_centroid_accuracy(cfg: &RandmanConfig) -> f64 {
    let d = generate(cfg, 100);
    let dims = cfg.units * cfg.spikes_per_unit;
    let mut sums = vec![vec![0.0; dims]; cfg.classes];
    let mut counts = vec![0usize; cfg.classes];
    for i in 0..d.train.len() {
        let c = d.train.label(i);
        for (s, x) in sums[c]
            .iter_mut()
            .zip(features(&d.train, i, cfg.units, cfg.spikes_per_unit))
        {
            *s += x;
        }
        counts[c] += 1;
    }
    let centroids: Vec<Vec<f64>> = sums
        .into_iter()
        .zip(&counts)
        .map(|(s, &n)| s.into_iter().map(|v| v / n as f64).collect())
        .collect();
    let correct = (0..d.test.len())
        .filter(|&i| {
            let x = features(&d.test, i, cfg.units, cfg.spikes_per_unit);
            let distance = |c: &Vec<f64>| -> f64 {
                c.iter().zip(&x).map(|(a, b)| (a - b).powi(2)).sum()
            };
            let predicted = (0..cfg.classes)
                .min_by(|&a, &b| distance(&centroids[a]).total_cmp(&distance(&centroids[b])))
                .expect("classes > 0");
            predicted == d.test.label(i)
        })
        .count();
    correct as f64 / d.test.len() as f64
}

#[test]
fn classes_are_separable_by_nearest_centroid() {
    let cfg = RandmanConfig {
        samples_per_class: 200,
        ..RandmanConfig::default()
    };
    let accuracy = nearest_centroid_accuracy(&cfg);
    let chance = 1.0 / cfg.classes as f64;
    eprintln!("nearest-centroid accuracy {accuracy:.3} (chance {chance})");
    assert!(
        accuracy > 4.0 * chance,
        "nearest-centroid accuracy {accuracy}, chance {chance}"
    );
}

#[test]
fn classes_stay_separable_with_two_spikes_per_unit_and_another_seed() {
    let cfg = RandmanConfig {
        samples_per_class: 200,
        spikes_per_unit: 2,
        seed: 5,
        ..RandmanConfig::default()
    };
    let accuracy = nearest_centroid_accuracy(&cfg);
    let chance = 1.0 / cfg.classes as f64;
    assert!(
        accuracy > 4.0 * chance,
        "nearest-centroid accuracy {accuracy}, chance {chance}"
    );
}
