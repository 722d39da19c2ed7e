//! Imported NIR graphs run as their writers' simulators ran them: the NIR paper's LIF neuron
//! against its Norse and exact traces, and the Braille and snnTorch networks step by step
//! against Norse's golden outputs (tests/fixtures/nir-paper/README.md).

use crate::common;

use std::path::PathBuf;

use burn::tensor::{Device, Tensor, TensorData};
use common::to_vec;
use surrogate_lab::nir::discrete::Discretisation;
use surrogate_lab::nir::model::{Conventions, to_network};
use surrogate_lab::nir::{map, read};
use surrogate_lab::snn::network::{Forward, ForwardOptions, Path, forward_with};
use surrogate_lab::snn::surrogate::SurrogateConfig;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nir-paper")
        .join(name)
}

fn csv(name: &str) -> Vec<Vec<f64>> {
    std::fs::read_to_string(fixture(name))
        .expect("fixture")
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().expect("number")).collect())
        .collect()
}

/// Runs graph `name` on `input` [T][inputs] (batch 1).
fn run(name: &str, conv: &Conventions, input: &[Vec<f64>], path: Path) -> Forward {
    let stack = map::to_stack(read::read_file(&fixture(name)).expect("reads")).expect("maps");
    let device = Device::flex();
    let (weights, dynamics) = to_network(&stack, conv, &device).expect("converts");
    let (steps, inputs) = (input.len(), input[0].len());
    let flat: Vec<f32> = input.iter().flatten().map(|&x| x as f32).collect();
    let x = Tensor::<3>::from_data(TensorData::new(flat, [steps, 1, inputs]), &device);
    forward_with(
        &weights,
        x,
        &dynamics,
        &SurrogateConfig::default(),
        ForwardOptions::on(path).recording_if(path == Path::PerStep),
    )
}

/// [T, 1, n] → rows.
fn rows(t: Tensor<3>) -> Vec<Vec<f64>> {
    let n = t.dims()[2];
    to_vec(t)
        .chunks(n)
        .map(|r| r.iter().map(|&x| f64::from(x)).collect())
        .collect()
}

/// The membrane after a reset to zero: M·(1 − s).
fn after_reset(m: &[Vec<f64>], s: &[Vec<f64>]) -> Vec<Vec<f64>> {
    m.iter()
        .zip(s)
        .map(|(m, s)| m.iter().zip(s).map(|(m, s)| m * (1.0 - s)).collect())
        .collect()
}

fn max_diff(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.iter().zip(y).map(|(x, y)| (x - y).abs()))
        .fold(0.0, f64::max)
}

/// The largest |a − b| / max(1, |b|): membranes here reach ±200, where f32 steps are 1.5e-5.
fn max_rel_diff(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| {
            x.iter()
                .zip(y)
                .map(|(x, y)| (x - y).abs() / y.abs().max(1.0))
        })
        .fold(0.0, f64::max)
}

fn column(table: &[Vec<f64>], c: usize) -> Vec<Vec<f64>> {
    table.iter().map(|r| vec![r[c]]).collect()
}

#[test]
fn lif_norse_reproduces_the_papers_voltage_traces_and_four_spikes() {
    let norse = csv("lif_norse.csv");
    let input = column(&norse, 0);
    for (how, reference, tol_before, tol_after) in [
        (Discretisation::Euler, "lif_norse.csv", 1e-6, 1e-6),
        (Discretisation::Exact, "lif_exact.csv", 1e-6, 7e-3),
    ] {
        let conv = Conventions {
            discretisation: how,
            ..Conventions::norse(1e-4)
        };
        let out = run("lif_norse.nir", &conv, &input, Path::PerStep);
        let spikes = rows(out.readout_spikes.expect("the LIF readout spikes"));
        let v = after_reset(&rows(out.readout), &spikes);
        let table = csv(reference);
        assert_eq!(spikes, column(&table, 2), "{how:?}: spike steps");
        assert_eq!(spikes.iter().filter(|s| s[0] > 0.0).count(), 4);
        let expected = column(&table, 1);
        let first = spikes.iter().position(|s| s[0] > 0.0).expect("spikes");
        let before = max_diff(&v[..first], &expected[..first]);
        let all = max_diff(&v, &expected);
        assert!(
            before <= tol_before,
            "{how:?}: {before} before the first spike"
        );
        assert!(all <= tol_after, "{how:?}: {all} over the trace");
    }
}

fn golden(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(fixture(&format!("golden/{name}.json"))).expect("golden");
    serde_json::from_str(&text).expect("json")
}

fn table(v: &serde_json::Value, key: &str) -> Vec<Vec<f64>> {
    v[key]
        .as_array()
        .expect(key)
        .iter()
        .map(|r| {
            r.as_array()
                .expect("row")
                .iter()
                .map(|x| x.as_f64().expect("number"))
                .collect()
        })
        .collect()
}

#[test]
fn braille_and_snntorch_graphs_match_norse_step_by_step() {
    let input = csv("golden/input.csv");
    for (graph, gold) in [
        ("braille_noDelay_bias_zero.nir", "braille_noDelay_bias_zero"),
        (
            "braille_noDelay_noBias_subtract.nir",
            "braille_noDelay_noBias_subtract",
        ),
        ("golden/snntorch_rsynaptic.nir", "snntorch_rsynaptic"),
        (
            "golden/snntorch_rsynaptic_nested.nir",
            "snntorch_rsynaptic_nested",
        ),
    ] {
        let g = golden(gold);
        let conv = Conventions::norse(1e-4);
        let out = run(graph, &conv, &input, Path::PerStep);
        let hidden = rows(out.layers[0].spikes.clone());
        let hidden_m = rows(out.layers[0].membrane.clone().expect("recorded"));
        let spikes = rows(out.readout_spikes.clone().expect("spiking readout"));
        let out_m = rows(out.readout);
        assert_eq!(hidden, table(&g, "hidden_spikes"), "{graph}: hidden spikes");
        assert_eq!(spikes, table(&g, "output_spikes"), "{graph}: output spikes");
        let dh = max_rel_diff(
            &after_reset(&hidden_m, &hidden),
            &table(&g, "hidden_membrane_after_reset"),
        );
        let dout = max_rel_diff(
            &after_reset(&out_m, &spikes),
            &table(&g, "output_membrane_after_reset"),
        );
        assert!(
            dh <= 1e-5 && dout <= 1e-5,
            "{graph}: membranes off by {dh}, {dout}"
        );
        assert!(hidden.iter().flatten().filter(|&&s| s > 0.0).count() > 10);

        let fused = run(graph, &conv, &input, Path::Fused);
        assert_eq!(
            rows(fused.layers[0].spikes.clone()),
            hidden,
            "{graph}: fused hidden spikes"
        );
    }
}

#[test]
fn our_networks_survive_nir_and_back_with_the_same_loss() {
    use surrogate_lab::config::Config;
    use surrogate_lab::io::weights::encode_nir;
    use surrogate_lab::rng::Rng;
    use surrogate_lab::snn::lif::{Dynamics, ResetMode};
    use surrogate_lab::snn::loss::{LossKind, class_scores, cross_entropy};
    use surrogate_lab::snn::model::PerLayer;
    use surrogate_lab::snn::network::{Weights, forward};

    let device = Device::flex();
    let (inputs, outputs, steps, batch) = (20, 10, 60, 8);
    let cases = [
        (
            "feed-forward",
            vec![40],
            PerLayer::All(false),
            ResetMode::Zero,
            true,
        ),
        (
            "recurrent",
            vec![30],
            PerLayer::All(true),
            ResetMode::Subtract,
            true,
        ),
        (
            "deep",
            vec![16, 12, 8],
            PerLayer::Each(vec![true, false, true]),
            ResetMode::Zero,
            false,
        ),
    ];
    for (name, hidden, recurrent, reset, input_factor) in cases {
        let mut config = Config::default();
        config.model.hidden = hidden.clone();
        config.model.recurrent = recurrent;
        config.model.reset = reset;
        config.model.input_factor = input_factor;
        let dy = Dynamics::new(&config.model);
        let mut rng = Rng::new(5);
        let mut m = |r: usize, c: usize, scale: f64| {
            let v: Vec<f32> = (0..r * c).map(|_| (rng.normal() * scale) as f32).collect();
            Tensor::<2>::from_data(TensorData::new(v, [r, c]), &device)
        };
        let gain = if input_factor { 12.0 } else { 1.5 };
        let mut fan_in = inputs;
        let (mut w, mut v) = (Vec::new(), Vec::new());
        for (l, &width) in hidden.iter().enumerate() {
            w.push(m(fan_in, width, gain / (fan_in as f64).sqrt()));
            v.push(
                config
                    .model
                    .is_recurrent(l)
                    .then(|| m(width, width, gain / (width as f64).sqrt())),
            );
            fan_in = width;
        }
        let weights = Weights {
            hidden: w,
            recurrent: v,
            readout: m(fan_in, outputs, 1.0),
        };
        let mut rng = Rng::new(6);
        let x: Vec<f32> = (0..steps * batch * inputs)
            .map(|_| if rng.uniform() < 0.2 { 1.0 } else { 0.0 })
            .collect();
        let x = Tensor::<3>::from_data(TensorData::new(x, [steps, batch, inputs]), &device);
        let labels: Vec<usize> = (0..batch).map(|b| b % outputs).collect();
        let surrogate = SurrogateConfig::default();
        let loss = |out: Forward| {
            let l = cross_entropy(class_scores(out.readout, LossKind::MaxOverTime), &labels);
            f64::from(to_vec(l)[0])
        };

        let before = forward(&weights, x.clone(), &dy, &surrogate, Path::Fused);
        let spikes: f32 = to_vec(before.layers[0].spikes.clone()).iter().sum();
        assert!(spikes > 20.0, "{name}: only {spikes} spikes");
        let before = loss(before);

        let bytes = encode_nir(&weights, &config).expect("encodes");
        let stack = map::to_stack(read::read_bytes(bytes).expect("reads")).expect("maps");
        let dt = stack.dt_s.expect("our metadata has Δt");
        let (imported, dynamics) =
            to_network(&stack, &Conventions::ours(dt), &device).expect("converts");
        for path in [Path::Fused, Path::PerStep] {
            let after = loss(forward_with(
                &imported,
                x.clone(),
                &dynamics,
                &surrogate,
                path,
            ));
            assert!(
                (after - before).abs() <= 1e-6,
                "{name} {path:?}: loss {before} before, {after} after NIR"
            );
        }
    }
}
