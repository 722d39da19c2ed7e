//! Randman's classes are different manifolds: classifiers on raw spike times separate them far
//! above chance (a generator that reused one manifold for every class would sit at chance,
//! 1/classes, and pass every other Randman test). Each class is a curved 1-D manifold, so its
//! centroid summarizes it poorly (about 3× chance), while the nearest training sample finds the
//! right manifold almost always.

use surrogate_engine::data::SpikeDataset;
use surrogate_engine::data::randman::RandmanConfig;
use surrogate_engine::data::randman::generate;

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

/// Test accuracy of nearest-centroid and of 1-nearest-neighbour classification.
fn accuracies(cfg: &RandmanConfig) -> (f64, f64) {
    let d = generate(cfg, 100);
    let dims = cfg.units * cfg.spikes_per_unit;
    let train: Vec<(usize, Vec<f64>)> = (0..d.train.len())
        .map(|i| {
            (
                d.train.label(i),
                features(&d.train, i, cfg.units, cfg.spikes_per_unit),
            )
        })
        .collect();
    let mut sums = vec![vec![0.0; dims]; cfg.classes];
    let mut counts = vec![0usize; cfg.classes];
    for (c, x) in &train {
        for (s, v) in sums[*c].iter_mut().zip(x) {
            *s += v;
        }
        counts[*c] += 1;
    }
    let centroids: Vec<Vec<f64>> = sums
        .into_iter()
        .zip(&counts)
        .map(|(s, &n)| s.into_iter().map(|v| v / n as f64).collect())
        .collect();
    let distance =
        |a: &[f64], b: &[f64]| -> f64 { a.iter().zip(b).map(|(p, q)| (p - q).powi(2)).sum() };
    let (mut by_centroid, mut by_neighbour) = (0, 0);
    for i in 0..d.test.len() {
        let x = features(&d.test, i, cfg.units, cfg.spikes_per_unit);
        let label = d.test.label(i);
        let centroid = (0..cfg.classes)
            .min_by(|&a, &b| distance(&centroids[a], &x).total_cmp(&distance(&centroids[b], &x)))
            .expect("classes > 0");
        let neighbour = train
            .iter()
            .min_by(|a, b| distance(&a.1, &x).total_cmp(&distance(&b.1, &x)))
            .map(|(c, _)| *c)
            .expect("training samples");
        by_centroid += usize::from(centroid == label);
        by_neighbour += usize::from(neighbour == label);
    }
    let n = d.test.len() as f64;
    (by_centroid as f64 / n, by_neighbour as f64 / n)
}

fn check(cfg: RandmanConfig) {
    let (centroid, neighbour) = accuracies(&cfg);
    let chance = 1.0 / cfg.classes as f64;
    eprintln!("nearest centroid {centroid:.3}, nearest neighbour {neighbour:.3}, chance {chance}");
    assert!(
        centroid > 2.0 * chance,
        "nearest-centroid accuracy {centroid}, chance {chance}"
    );
    assert!(
        neighbour > 7.0 * chance,
        "nearest-neighbour accuracy {neighbour}, chance {chance}"
    );
}

#[test]
fn classes_are_separable_from_spike_times_alone() {
    check(RandmanConfig {
        samples_per_class: 200,
        ..RandmanConfig::default()
    });
}

#[test]
fn classes_stay_separable_with_two_spikes_per_unit_and_another_seed() {
    check(RandmanConfig {
        samples_per_class: 200,
        spikes_per_unit: 2,
        seed: 5,
        ..RandmanConfig::default()
    });
}
