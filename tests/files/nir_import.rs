//! NIR import: the NIR paper's graphs (and snnTorch-written ones) map to the stacks they
//! are, and every kind of graph this program cannot run is refused in one line naming the
//! node at fault.

use std::path::PathBuf;

use surrogate_lab::nir::graph::{Array, Graph, Node};
use surrogate_lab::nir::stack::{NeuronKind, Stack};
use surrogate_lab::nir::{NirError, map, read, write};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nir-paper")
        .join(name)
}

fn import(name: &str) -> Stack {
    let graph = read::read_file(&fixture(name)).expect("reads");
    map::to_stack(graph).expect("maps")
}

fn all_equal(values: &[f64], expected: f64) -> bool {
    values
        .iter()
        .all(|v| (v - expected).abs() <= 1e-6 * expected.abs().max(1e-9))
}

#[test]
fn lif_norse_maps_to_one_spiking_lif_readout() {
    let stack = import("lif_norse.nir");
    assert_eq!(stack.inputs, 1);
    assert!(stack.hidden.is_empty());
    let n = &stack.readout.neurons;
    assert_eq!(n.kind, NeuronKind::Lif);
    assert!(all_equal(&n.tau_mem, 0.0025), "{:?}", n.tau_mem);
    assert!(all_equal(&n.r, 1.0));
    assert!(all_equal(n.v_threshold.as_deref().expect("spiking"), 0.1));
    // NIR 0.1 files have no v_reset: NIR's default, 0.
    assert_eq!(n.v_reset.as_deref(), Some(&[0.0][..]));
    assert_eq!(stack.readout.input.weight.data, vec![1.0]);
    assert_eq!(stack.readout.input.bias.as_deref(), Some(&[0.0][..]));
    assert_eq!(stack.summary(), "1 → 1 LIF");
    assert_eq!(stack.dt_s, None, "Δt is not in the paper's graphs");
}

#[test]
fn braille_graphs_map_to_recurrent_stacks() {
    let biased = import("braille_noDelay_bias_zero.nir");
    assert_eq!(biased.summary(), "12 → 38 recurrent CubaLIF → 7 CubaLIF");
    let layer = &biased.hidden[0];
    assert_eq!(layer.node, "lif1.lif");
    assert_eq!(layer.input.weight.shape, vec![38, 12]);
    assert_eq!(layer.input.bias.as_ref().map(Vec::len), Some(38));
    let rec = layer.recurrent.as_ref().expect("recurrent");
    assert_eq!(rec.node, "lif1.w_rec");
    assert_eq!(rec.weight.shape, vec![38, 38]);
    assert_eq!(rec.bias.as_ref().map(Vec::len), Some(38));
    // Values as h5py reads them from the file.
    let n = &layer.neurons;
    assert!(all_equal(
        n.tau_syn.as_deref().expect("synapse"),
        2.222_222_2e-4
    ));
    assert!(all_equal(&n.tau_mem, 1e-3));
    assert!(all_equal(&n.w_in, 2.222_222_2));
    assert!(all_equal(&n.r, 10.0));
    assert_eq!(biased.readout.neurons.kind, NeuronKind::CubaLif);
    assert_eq!(biased.readout.input.weight.shape, vec![7, 38]);

    let plain = import("braille_noDelay_noBias_subtract.nir");
    assert_eq!(plain.summary(), "12 → 40 recurrent CubaLIF → 7 CubaLIF");
    assert_eq!(plain.hidden[0].input.bias, None, "Linear has no bias");
    assert_eq!(
        plain.hidden[0]
            .recurrent
            .as_ref()
            .and_then(|r| r.bias.clone()),
        None
    );
    assert!(all_equal(&plain.readout.neurons.r, 3.333_333_3));
}

#[test]
fn snntorch_flattened_and_nested_recurrence_map_alike() {
    let flat = import("golden/snntorch_rsynaptic.nir");
    let nested = import("golden/snntorch_rsynaptic_nested.nir");
    assert_eq!(flat.summary(), "12 → 10 recurrent CubaLIF → 4 CubaLIF");
    assert_eq!(flat.hidden, nested.hidden);
    assert_eq!(flat.readout, nested.readout);
    // snnTorch writes τ = Δt/(1 − decay) with its fixed Δt = 1e-4: α = 0.8 → 5e-4.
    let n = &flat.hidden[0].neurons;
    assert!(all_equal(n.tau_syn.as_deref().expect("synapse"), 5e-4));
    assert!(all_equal(&n.tau_mem, 1e-3));
}

/// Input(3) → fc(Affine 4×3) → lif(CubaLIF 4) ↺ rec(Linear 4×4) → out(Affine 2×4) →
/// li(CubaLI 2) → Output(2).
fn small_graph() -> Graph {
    let v = |n: usize, x: f64| Array::vector(vec![x; n]);
    let mut g = Graph::default();
    g.add(
        "input",
        Node::new("Input").with("shape", Array::vector(vec![3.0])),
    );
    g.add(
        "fc",
        Node::new("Affine")
            .with(
                "weight",
                Array::matrix(4, 3, (0..12).map(f64::from).collect()),
            )
            .with("bias", v(4, 0.5)),
    );
    let cuba = |kind: &str, n: usize| {
        Node::new(kind)
            .with("tau_syn", v(n, 5e-3))
            .with("tau_mem", v(n, 1e-2))
            .with("r", v(n, 1.0))
            .with("v_leak", v(n, 0.0))
            .with("w_in", Array::scalar(1.0))
    };
    g.add("lif", cuba("CubaLIF", 4).with("v_threshold", v(4, 1.0)));
    g.add(
        "rec",
        Node::new("Linear").with("weight", Array::matrix(4, 4, vec![0.1; 16])),
    );
    g.add(
        "out",
        Node::new("Affine")
            .with("weight", Array::matrix(2, 4, vec![1.0; 8]))
            .with("bias", v(2, 0.0)),
    );
    g.add("li", cuba("CubaLI", 2));
    g.add(
        "output",
        Node::new("Output").with("shape", Array::vector(vec![2.0])),
    );
    for (a, b) in [
        ("input", "fc"),
        ("fc", "lif"),
        ("lif", "rec"),
        ("rec", "lif"),
        ("lif", "out"),
        ("out", "li"),
        ("li", "output"),
    ] {
        g.connect(a, b);
    }
    g
}

/// Writes `graph` with our writer, reads it back and maps it.
fn through_file(graph: &Graph) -> Result<Stack, NirError> {
    let bytes = write::encode(graph).expect("encodes");
    map::to_stack(read::read_bytes(bytes)?)
}

fn refused(graph: &Graph) -> String {
    let err = through_file(graph).expect_err("refused").to_string();
    assert!(!err.contains('\n'), "one line: {err}");
    err
}

#[test]
fn our_writer_and_reader_agree_and_the_small_graph_maps() {
    let graph = small_graph();
    let bytes = write::encode(&graph).expect("encodes");
    assert_eq!(read::read_bytes(bytes).expect("reads"), graph);
    let stack = through_file(&graph).expect("maps");
    assert_eq!(stack.summary(), "3 → 4 recurrent CubaLIF → 2 CubaLI");
    assert_eq!(
        stack.hidden[0].neurons.w_in,
        vec![1.0; 4],
        "scalar broadcast"
    );
    assert_eq!(stack.readout.neurons.v_threshold, None);
}

#[test]
fn unsupported_nodes_are_named_with_their_type() {
    for kind in ["Conv2d", "Flatten", "IF", "Delay", "SumPool2d", "Threshold"] {
        let mut g = small_graph();
        g.add("odd", Node::new(kind).with("weight", Array::scalar(1.0)));
        g.connect("lif", "odd");
        let err = refused(&g);
        assert!(err.contains("odd") && err.contains(kind), "{kind}: {err}");
    }
}

#[test]
fn graphs_that_are_not_layered_stacks_are_refused() {
    // A layer feeding two weight nodes.
    let mut g = small_graph();
    g.add("extra", g.nodes["out"].clone());
    g.connect("lif", "extra");
    assert!(refused(&g).contains("lif feeds 2 nodes"));

    // A skip connection from the input to the readout's weights.
    let mut g = small_graph();
    g.connect("input", "out");
    assert!(refused(&g).contains("input feeds 2 nodes"));

    // Input straight into neurons.
    let mut g = small_graph();
    g.edges
        .retain(|(a, b)| (a.as_str(), b.as_str()) != ("input", "fc"));
    g.edges
        .retain(|(a, b)| (a.as_str(), b.as_str()) != ("fc", "lif"));
    g.nodes.remove("fc");
    g.connect("input", "lif");
    let err = refused(&g);
    assert!(err.contains("input feeds lif (CubaLIF) directly"), "{err}");

    // Two inputs; a node off the path; a non-spiking hidden layer.
    let mut g = small_graph();
    g.add("input2", g.nodes["input"].clone());
    assert!(refused(&g).contains("2 Input nodes"));
    let mut g = small_graph();
    g.add("lonely", g.nodes["out"].clone());
    assert!(refused(&g).contains("lonely (Affine) is not on the path"));
    let mut g = small_graph();
    let hidden = g.nodes.get_mut("lif").expect("lif");
    hidden.kind = "CubaLI".into();
    hidden.params.remove("v_threshold");
    let err = refused(&g);
    assert!(err.contains("lif (CubaLI) never spikes"), "{err}");

    // An edge to a node that does not exist.
    let mut g = small_graph();
    g.connect("lif", "ghost");
    assert!(refused(&g).contains("ghost"));
}

#[test]
fn shape_mismatches_name_the_node() {
    let mut g = small_graph();
    g.nodes
        .get_mut("fc")
        .expect("fc")
        .params
        .insert("weight".into(), Array::matrix(4, 2, vec![1.0; 8]));
    let err = refused(&g);
    assert!(
        err.contains("node fc") && err.contains("input has 3 values"),
        "{err}"
    );

    let mut g = small_graph();
    g.nodes
        .get_mut("fc")
        .expect("fc")
        .params
        .insert("bias".into(), Array::vector(vec![0.0; 3]));
    assert!(refused(&g).contains("node fc: bias"));

    let mut g = small_graph();
    g.nodes
        .get_mut("lif")
        .expect("lif")
        .params
        .insert("tau_mem".into(), Array::vector(vec![1e-2; 5]));
    let err = refused(&g);
    assert!(
        err.contains("node lif: tau_mem") && err.contains("4 neurons"),
        "{err}"
    );

    let mut g = small_graph();
    g.nodes
        .get_mut("rec")
        .expect("rec")
        .params
        .insert("weight".into(), Array::matrix(3, 4, vec![0.0; 12]));
    assert!(refused(&g).contains("node rec"));

    let mut g = small_graph();
    g.nodes
        .get_mut("output")
        .expect("output")
        .params
        .insert("shape".into(), Array::vector(vec![3.0]));
    assert!(refused(&g).contains("node output"));
}

#[test]
fn missing_parameters_and_bad_values_are_named() {
    let mut g = small_graph();
    g.nodes
        .get_mut("lif")
        .expect("lif")
        .params
        .remove("tau_mem");
    assert_eq!(refused(&g), "node lif (CubaLIF) has no parameter tau_mem");

    let mut g = small_graph();
    g.nodes.get_mut("out").expect("out").params.remove("bias");
    assert_eq!(refused(&g), "node out (Affine) has no parameter bias");

    let mut g = small_graph();
    g.nodes
        .get_mut("input")
        .expect("input")
        .params
        .remove("shape");
    assert_eq!(refused(&g), "node input (Input) has no parameter shape");

    let mut g = small_graph();
    g.nodes
        .get_mut("lif")
        .expect("lif")
        .params
        .insert("tau_syn".into(), Array::vector(vec![-1.0; 4]));
    assert!(refused(&g).contains("tau_syn must be positive"));

    let mut g = small_graph();
    let mut w = vec![1.0; 8];
    w[5] = f64::NAN;
    g.nodes
        .get_mut("out")
        .expect("out")
        .params
        .insert("weight".into(), Array::matrix(2, 4, w));
    assert!(refused(&g).contains("node out: weight has a non-finite value"));
}

#[test]
fn files_that_are_not_nir_graphs_are_refused() {
    let not_hdf5 = read::read_bytes(b"weights, but as text\n".to_vec()).expect_err("text");
    assert_eq!(not_hdf5, NirError::NotHdf5);

    let bytes = std::fs::read(fixture("braille_noDelay_bias_zero.nir")).expect("fixture");
    for cut in [100, bytes.len() / 3, bytes.len() / 2, bytes.len() - 200] {
        let err = read::read_bytes(bytes[..cut].to_vec())
            .and_then(map::to_stack)
            .expect_err("truncated");
        let text = err.to_string();
        assert!(!text.contains('\n') && !text.is_empty(), "{cut}: {text}");
    }

    // An HDF5 file that is not a NIR graph: a weights-like file with no /node group.
    let mut file = hdf5_pure::FileBuilder::new();
    file.create_dataset("weight").with_f64_data(&[1.0, 2.0]);
    let other = file.finish().expect("encodes");
    assert!(matches!(
        read::read_bytes(other),
        Err(NirError::NotAGraph(_))
    ));

    let err = read::read_file(&fixture("no_such_file.nir")).expect_err("missing");
    assert!(
        err.contains("no_such_file.nir") && err.contains("cannot read"),
        "{err}"
    );
}

/// Column `col` of a fixture CSV, one value per step.
fn csv_column(name: &str, col: usize) -> Vec<f64> {
    std::fs::read_to_string(fixture(name))
        .expect("fixture")
        .lines()
        .map(|l| {
            l.split(',')
                .nth(col)
                .expect("column")
                .parse()
                .expect("number")
        })
        .collect()
}

#[test]
fn step_constants_give_the_paper_traces_first_jump_and_decay() {
    use surrogate_lab::nir::discrete::{Discretisation, step_constants};
    let stack = import("lif_norse.nir");
    let neurons = &stack.readout.neurons;
    // The first input spike is at row 61 (index 60): the jump is c·w, then v decays by β.
    for (how, csv) in [
        (Discretisation::Euler, "lif_norse.csv"),
        (Discretisation::Exact, "lif_exact.csv"),
    ] {
        let k = step_constants("1", neurons, 1e-4, how).expect("valid");
        let v = csv_column(csv, 1);
        assert!(
            (f64::from(k.c[0]) - v[60]).abs() < 1e-7,
            "{how:?}: {} vs {}",
            k.c[0],
            v[60]
        );
        assert!(
            (f64::from(k.beta[0]) - v[61] / v[60]).abs() < 1e-6,
            "{how:?}"
        );
        assert_eq!((k.alpha[0], k.kappa[0]), (0.0, 1.0), "LIF has no synapse");
    }
    // Forward Euler with Δt above τ would oscillate: refused, naming the node.
    let err = step_constants("1", neurons, 5e-3, Discretisation::Euler).expect_err("Δt > τ");
    assert!(err.starts_with("1: tau_mem"), "{err}");
}
