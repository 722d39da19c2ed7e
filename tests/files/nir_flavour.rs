//! Export flavours (`nir::flavour`): each file reads back into our engine as the network we
//! wrote, the snnTorch flavour passes every assertion of snnTorch 1.0's importer (read from
//! `snntorch/import_nir.py`), and the folded fields step a neuron as ours does under the
//! libraries' forward Euler (decay 1 − Δt/τ).

use crate::common;

use burn::tensor::{Device, Tensor, TensorData};
use common::to_vec;
use surrogate_lab::config::Config;
use surrogate_lab::io::weights::encode_nir_flavour;
use surrogate_lab::nir::flavour::{Flavour, NEVER_FIRES, SNNTORCH_DT_S, deviations, fold};
use surrogate_lab::nir::graph::{Graph, Meta};
use surrogate_lab::nir::import::open;
use surrogate_lab::nir::model::{Conventions, to_network};
use surrogate_lab::nir::{map, read};
use surrogate_lab::rng::Rng;
use surrogate_lab::snn::dynamics::{CurrentTiming, ResetTiming};
use surrogate_lab::snn::lif::{Dynamics, ResetMode};
use surrogate_lab::snn::loss::{LossKind, class_scores, cross_entropy};
use surrogate_lab::snn::model::PerLayer;
use surrogate_lab::snn::network::{Forward, Path, Weights, forward, forward_with};
use surrogate_lab::snn::surrogate::SurrogateConfig;

const STEPS: usize = 60;
const BATCH: usize = 8;
const INPUTS: usize = 20;
const OUTPUTS: usize = 10;

fn config(hidden: Vec<usize>, recurrent: bool, reset: ResetMode) -> Config {
    let mut config = Config::default();
    config.model.hidden = hidden;
    config.model.recurrent = PerLayer::All(recurrent);
    config.model.reset = reset;
    config
}

/// Random weights strong enough that the hidden layers spike.
fn weights(config: &Config, device: &Device) -> Weights {
    let mut rng = Rng::new(11);
    let mut m = |r: usize, c: usize, scale: f64| {
        let v: Vec<f32> = (0..r * c).map(|_| (rng.normal() * scale) as f32).collect();
        Tensor::<2>::from_data(TensorData::new(v, [r, c]), device)
    };
    let (mut w, mut v, mut fan_in) = (Vec::new(), Vec::new(), INPUTS);
    for (l, &width) in config.model.hidden.iter().enumerate() {
        w.push(m(fan_in, width, 12.0 / (fan_in as f64).sqrt()));
        v.push(
            config
                .model
                .is_recurrent(l)
                .then(|| m(width, width, 12.0 / (width as f64).sqrt())),
        );
        fan_in = width;
    }
    Weights {
        hidden: w,
        recurrent: v,
        readout: m(fan_in, OUTPUTS, 1.0),
    }
}

fn input(device: &Device) -> Tensor<3> {
    let mut rng = Rng::new(12);
    let x: Vec<f32> = (0..STEPS * BATCH * INPUTS)
        .map(|_| if rng.uniform() < 0.2 { 1.0 } else { 0.0 })
        .collect();
    Tensor::<3>::from_data(TensorData::new(x, [STEPS, BATCH, INPUTS]), device)
}

fn loss(out: Forward) -> f64 {
    let labels: Vec<usize> = (0..BATCH).map(|b| b % OUTPUTS).collect();
    let l = cross_entropy(class_scores(out.readout, LossKind::MaxOverTime), &labels);
    f64::from(to_vec(l)[0])
}

fn graph_of(weights: &Weights, config: &Config, flavour: Flavour) -> Graph {
    let bytes = encode_nir_flavour(weights, config, flavour).expect("encodes");
    read::read_bytes(bytes).expect("reads")
}

fn number(graph: &Graph, key: &str) -> f64 {
    match graph.metadata.get(key) {
        Some(Meta::Number(x)) => *x,
        other => panic!("metadata {key}: {other:?}"),
    }
}

/// The graph run as Norse's `from_nir` runs one (per-step path).
fn run_as_norse(graph: Graph, x: &Tensor<3>, device: &Device) -> Forward {
    let stack = map::to_stack(graph).expect("maps");
    let conv = Conventions::norse(stack.dt_s.expect("Δt"));
    let (imported, dynamics) = to_network(&stack, &conv, device).expect("converts");
    let surrogate = SurrogateConfig::default();
    forward_with(&imported, x.clone(), &dynamics, &surrogate, Path::PerStep)
}

#[test]
fn every_flavour_reads_back_as_our_network() {
    let device = Device::flex();
    let surrogate = SurrogateConfig::default();
    let x = input(&device);
    let cases = [
        ("feed-forward", vec![40], false, ResetMode::Zero),
        ("recurrent", vec![30], true, ResetMode::Subtract),
        ("deep", vec![16, 12], false, ResetMode::Zero),
    ];
    for (name, hidden, recurrent, reset) in cases {
        let config = config(hidden, recurrent, reset);
        let w = weights(&config, &device);
        let dy = Dynamics::new(&config.model);
        let ours = forward(&w, x.clone(), &dy, &surrogate, Path::Fused);
        let spikes: f32 = to_vec(ours.layers[0].spikes.clone()).iter().sum();
        assert!(spikes > 20.0, "{name}: only {spikes} spikes");
        let ours = loss(ours);
        for flavour in Flavour::ALL {
            let stack = map::to_stack(graph_of(&w, &config, flavour)).expect("maps");
            // The Δt the τ's were written for: ours, or snnTorch's fixed 0.1 ms.
            let dt = stack.dt_s.expect("our metadata has Δt");
            let (imported, dynamics) =
                to_network(&stack, &Conventions::ours(dt), &device).expect("converts");
            assert!(
                !dynamics.readout.spiking,
                "{name} {flavour}: readout never spikes"
            );
            // The generic file holds our numbers; the snnTorch one c·W (rounded to f32 in
            // the engine), and its τ's pass through 1 − Δt/τ in f64.
            let tolerance = if flavour == Flavour::Snntorch {
                2e-5
            } else {
                1e-6
            };
            for path in [Path::Fused, Path::PerStep] {
                let after = loss(forward_with(
                    &imported,
                    x.clone(),
                    &dynamics,
                    &surrogate,
                    path,
                ));
                assert!(
                    (after - ours).abs() <= tolerance,
                    "{name} {flavour} {path:?}: loss {ours} ours, {after} read back"
                );
            }
        }
    }
}

/// Every check `snntorch.import_nir` makes of a graph it maps (snnTorch 1.0): known node
/// types only (no CubaLI), Affine with a bias, and per CubaLIF v_leak = 0,
/// r = τ_mem/Δt, one threshold for all neurons and w_in·Δt/τ_syn = 1 (else it rescales
/// the threshold), with its Δt of 1e-4 s.
#[test]
fn snntorch_flavour_passes_snntorch_importer_checks() {
    let device = Device::flex();
    for recurrent in [false, true] {
        let config = config(vec![30], recurrent, ResetMode::Zero);
        let graph = graph_of(&weights(&config, &device), &config, Flavour::Snntorch);
        assert_eq!(number(&graph, "dt"), SNNTORCH_DT_S);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-8 + 1e-5 * b.abs();
        for (name, node) in &graph.nodes {
            let p = |k: &str| &node.params.get(k).expect(k).data;
            match node.kind.as_str() {
                "Input" | "Output" => {}
                "Affine" => assert!(node.params.contains_key("bias"), "{name}"),
                "CubaLIF" => {
                    assert!(p("v_leak").iter().all(|&v| v == 0.0), "{name}");
                    for ((r, tm), (w, ts)) in p("r")
                        .iter()
                        .zip(p("tau_mem"))
                        .zip(p("w_in").iter().zip(p("tau_syn")))
                    {
                        assert!(close(*r, tm / SNNTORCH_DT_S), "{name}: r {r}, τ_mem {tm}");
                        assert!(close(w * SNNTORCH_DT_S / ts, 1.0), "{name}: w_in {w}");
                    }
                    let t = p("v_threshold");
                    assert!(t.iter().all(|&v| v == t[0]), "{name}: one threshold");
                }
                other => panic!("{name}: snnTorch 1.0 has no mapping for {other}"),
            }
        }
        assert_eq!(
            graph.nodes["lif_out"].params["v_threshold"].data[0],
            NEVER_FIRES
        );
    }
    let config = config(vec![30], false, ResetMode::Zero);
    let norse = graph_of(&weights(&config, &device), &config, Flavour::Norse);
    assert!(
        norse.nodes.values().all(|n| n.kind != "CubaLI"),
        "Norse skips CubaLI"
    );
    assert!(
        graph_of(&weights(&config, &device), &config, Flavour::Generic)
            .nodes
            .contains_key("li_out")
    );
}

#[test]
fn folded_fields_step_as_our_constants_under_forward_euler() {
    let dt = 1e-3;
    let (alpha, beta) = ((-dt / 5e-3f64).exp(), (-dt / 1e-2f64).exp());
    for c in [1.0 - beta, 1.0] {
        for flavour in Flavour::ALL {
            let f = fold(flavour, dt, alpha, beta, c, Some(1.0));
            let h = flavour.dt_s(dt);
            // Euler: decay 1 − Δt/τ; synapse gain (1 − α)·w_in; membrane gain (1 − β)·r.
            assert!((1.0 - h / f.tau_syn - alpha).abs() < 1e-12, "{flavour} α");
            assert!((1.0 - h / f.tau_mem - beta).abs() < 1e-12, "{flavour} β");
            assert!(((1.0 - alpha) * f.w_in - 1.0).abs() < 1e-12, "{flavour} κ");
            // What reaches the membrane per unit of our current: gain × weight factor = c.
            let gain = (1.0 - beta) * f.r * f.weight_scale;
            assert!((gain - c).abs() < 1e-12, "{flavour}: {gain} ≠ c = {c}");
            assert_eq!(f.v_threshold, Some(1.0));
        }
        let snn = fold(Flavour::Snntorch, dt, alpha, beta, c, None);
        assert_eq!((snn.weight_scale, snn.v_threshold), (c, Some(NEVER_FIRES)));
        assert_eq!(
            fold(Flavour::Generic, dt, alpha, beta, c, None).v_threshold,
            None
        );
    }
    // The weights in the file are the folded ones: c·W for snnTorch, W otherwise.
    let device = Device::flex();
    let config = config(vec![5], false, ResetMode::Zero);
    let w = weights(&config, &device);
    let c = f64::from(Dynamics::new(&config.model).input_scale);
    let ours = to_vec(w.hidden[0].clone());
    for (flavour, scale) in [(Flavour::Snntorch, c), (Flavour::Norse, 1.0)] {
        let g = graph_of(&w, &config, flavour);
        let fc = &g.nodes["fc0"].params["weight"];
        assert_eq!(fc.shape, vec![5, INPUTS]);
        for i in 0..INPUTS {
            for j in 0..5 {
                let expected = f64::from(ours[i * 5 + j]) * scale;
                assert!(
                    (fc.data[j * INPUTS + i] - expected).abs() <= 1e-12 * expected.abs().max(1.0)
                );
            }
        }
    }
}

/// The readout lead the flavours record, for each pair of update conventions (2·layers + 1
/// for the paper's, 0 for the libraries'): run as the libraries run it (this step's current,
/// reset in the same step), a network that never resets gives our readout `lead` steps early.
#[test]
fn library_conventions_run_our_readout_lead_steps_early() {
    let device = Device::flex();
    let surrogate = SurrogateConfig::default();
    let x = input(&device);
    for hidden in [vec![30], vec![16, 12]] {
        let layers = hidden.len();
        for (current, reset_timing, expected_lead) in [
            (CurrentTiming::Previous, ResetTiming::Next, 2 * layers + 1),
            (CurrentTiming::This, ResetTiming::Next, layers),
            (CurrentTiming::Previous, ResetTiming::Same, layers + 1),
            (CurrentTiming::This, ResetTiming::Same, 0),
        ] {
            let mut config = config(hidden.clone(), false, ResetMode::None);
            config.model.current = current;
            config.model.reset_timing = reset_timing;
            let case = format!("{hidden:?} {current:?}/{reset_timing:?}");
            let w = weights(&config, &device);
            let ours = forward(
                &w,
                x.clone(),
                &Dynamics::new(&config.model),
                &surrogate,
                Path::PerStep,
            );
            let graph = graph_of(&w, &config, Flavour::Norse);
            let lead = number(&graph, "readout_lead_steps") as usize;
            assert_eq!(lead, expected_lead, "{case}");
            let theirs = run_as_norse(graph, &x, &device);
            let (a, b) = (to_vec(ours.readout), to_vec(theirs.readout));
            let per_step = BATCH * OUTPUTS;
            let scale = a.iter().fold(1f32, |m, v| m.max(v.abs()));
            for n in 0..STEPS {
                for k in 0..per_step {
                    let expected = if n >= lead {
                        b[(n - lead) * per_step + k]
                    } else {
                        0.0
                    };
                    let got = a[n * per_step + k];
                    assert!(
                        (got - expected).abs() <= 1e-5 * scale,
                        "{case} step {n}: ours {got}, library {expected}"
                    );
                }
            }
        }
    }
}

/// A fresh network trained in the libraries' own update conventions (`model.current = this`,
/// `model.reset_timing = same`) is theirs exactly: each flavour's file, run as Norse runs a
/// graph (`Conventions::norse`, the import path tests/nir_run.rs holds to Norse's goldens
/// step by step), gives our hidden spikes and our readout at every step (a lead of 0) and our
/// loss, and `export` no longer notes a latency or reset deviation. Opened by our own reader,
/// every flavour's file comes back in those conventions (its metadata) with our loss.
#[test]
fn a_network_in_library_conventions_exports_exactly() {
    let device = Device::flex();
    let surrogate = SurrogateConfig::default();
    let x = input(&device);
    let dir = std::env::temp_dir().join(format!("surrogate-lab-conv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, hidden, recurrent) in [
        ("feed-forward", vec![40], false),
        ("recurrent", vec![30], true),
        ("deep", vec![16, 12], false),
    ] {
        let mut config = config(hidden, recurrent, ResetMode::Zero);
        config.model.current = CurrentTiming::This;
        config.model.reset_timing = ResetTiming::Same;
        let w = weights(&config, &device);
        let dy = Dynamics::new(&config.model);
        let ours = forward(&w, x.clone(), &dy, &surrogate, Path::Fused);
        let our_spikes: Vec<Vec<f32>> = ours
            .layers
            .iter()
            .map(|l| to_vec(l.spikes.clone()))
            .collect();
        let fired: f32 = our_spikes[0].iter().sum();
        assert!(fired > 20.0, "{name}: only {fired} spikes");
        let our_readout = to_vec(ours.readout.clone());
        let our_loss = loss(ours);
        for flavour in [Flavour::Norse, Flavour::Snntorch] {
            let graph = graph_of(&w, &config, flavour);
            assert_eq!(
                number(&graph, "readout_lead_steps"),
                0.0,
                "{name} {flavour}"
            );
            let theirs = run_as_norse(graph, &x, &device);
            for (l, layer) in theirs.layers.iter().enumerate() {
                let a = &our_spikes[l];
                let b = to_vec(layer.spikes.clone());
                let differ = a.iter().zip(&b).filter(|(p, q)| p != q).count();
                assert_eq!(
                    differ, 0,
                    "{name} {flavour}: layer {l} differs in {differ} spikes"
                );
            }
            let b = to_vec(theirs.readout.clone());
            let scale = our_readout.iter().fold(1f32, |m, v| m.max(v.abs()));
            for (k, (p, q)) in our_readout.iter().zip(&b).enumerate() {
                assert!(
                    (p - q).abs() <= 1e-5 * scale,
                    "{name} {flavour}: readout [{k}] ours {p}, library {q}"
                );
            }
            let after = loss(theirs);
            assert!(
                (after - our_loss).abs() <= 2e-5,
                "{name} {flavour}: loss {our_loss} ours, {after} as the library runs it"
            );
            let notes = deviations(flavour, &config.model, recurrent);
            assert!(
                notes
                    .iter()
                    .all(|n| !n.contains("ahead") && !n.contains("step than ours")),
                "{name} {flavour}: {notes:?}"
            );
        }
        for flavour in Flavour::ALL {
            let path = dir.join(format!("{}-{flavour}.nir", name));
            let bytes = encode_nir_flavour(&w, &config, flavour).expect("encodes");
            std::fs::write(&path, bytes).expect("written");
            let opened = open(&path, None, None, &device).expect("opens");
            assert_eq!(
                (opened.conventions.current, opened.conventions.reset_timing),
                (CurrentTiming::This, ResetTiming::Same),
                "{name} {flavour}"
            );
            let back = loss(forward_with(
                &opened.weights,
                x.clone(),
                &opened.dynamics,
                &surrogate,
                Path::Fused,
            ));
            let tolerance = if flavour == Flavour::Snntorch {
                2e-5
            } else {
                1e-6
            };
            assert!(
                (back - our_loss).abs() <= tolerance,
                "{name} {flavour}: loss {our_loss} ours, {back} read back"
            );
        }
    }
    // In the paper's conventions the notes still say what differs.
    let paper = config(vec![30], true, ResetMode::Zero);
    let notes = deviations(Flavour::Norse, &paper.model, true);
    assert!(
        notes.iter().any(|n| n.contains("3 steps ahead")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.contains("recurrent")), "{notes:?}");
    let _ = std::fs::remove_dir_all(dir);
}

/// `eval --predictions` writes what `eval` counts, and `export --flavour` writes the flavour
/// it names (a name it does not know is refused in one line).
#[test]
fn command_line_writes_predictions_and_flavours() {
    use common::{cli as run, cli_json, cli_ok};
    let dir = std::env::temp_dir().join(format!("surrogate-lab-flavour-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = |name: &str| dir.join(name).to_string_lossy().to_string();
    let (weights, csv) = (path("w.safetensors"), path("p.csv"));
    let small = [
        "--set",
        "data.randman.samples_per_class=30",
        "--set",
        "optim.batch_size=50",
    ];
    let mut args = vec!["train", "--epochs", "1", "--save-weights", &weights];
    args.extend(small);
    cli_ok(&args);

    let eval = cli_json(&[
        "eval",
        "--weights",
        &weights,
        "--json",
        "--predictions",
        &csv,
    ]);
    let text = std::fs::read_to_string(&csv).expect("predictions written");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("index,label,prediction"));
    let rows: Vec<Vec<usize>> = lines
        .map(|l| l.split(',').map(|v| v.parse().expect("integer")).collect())
        .collect();
    assert!(rows.iter().enumerate().all(|(i, r)| r[0] == i && r[2] < 10));
    let correct = rows.iter().filter(|r| r[1] == r[2]).count();
    let acc = eval["test_acc"].as_f64().expect("test_acc");
    assert!(
        (correct as f64 / rows.len() as f64 - acc).abs() < 1e-6,
        "{correct}/{} vs {acc}",
        rows.len()
    );

    for flavour in Flavour::ALL {
        let nir = path(&format!("w-{flavour}.nir"));
        cli_ok(&[
            "export",
            "--weights",
            &weights,
            "--nir",
            &nir,
            "--flavour",
            flavour.key(),
        ]);
        let graph = read::read_file(std::path::Path::new(&nir)).expect("reads");
        assert_eq!(
            graph.metadata.get("flavour"),
            Some(&Meta::Text(flavour.key().into()))
        );
    }
    let out = run(&[
        "export",
        "--weights",
        &weights,
        "--nir",
        &path("x.nir"),
        "--flavour",
        "brian",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("brian"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}
