//! Any network this program runs — an imported one, trained further — back into a NIR
//! graph: per-neuron constants turned back into NIR's continuous-time parameters with the
//! Δt and discretisation they were made with (the inverse of `discrete.rs`), biases as
//! `Affine.bias`, and the update conventions in our metadata, so that opening the file
//! again gives the same network.

use burn::tensor::Tensor;

use super::discrete::Discretisation;
use super::graph::{Array, Graph, Meta, Node};
use super::import::OURS;
use super::model::Conventions;
use crate::snn::dynamics::{LayerDynamics, NetworkDynamics};
use crate::snn::network::Weights;

/// Our [in, out] matrix as NIR's (out, in) `weight`.
fn nir_weight(t: &Tensor<2>) -> Array {
    let [inputs, outputs] = t.dims();
    let data: Vec<f32> = t.clone().into_data().iter::<f32>().collect();
    let mut out = vec![0f64; data.len()];
    for i in 0..inputs {
        for o in 0..outputs {
            out[o * inputs + i] = data[i * outputs + o] as f64;
        }
    }
    Array::matrix(outputs, inputs, out)
}

fn affine(weight: &Tensor<2>, bias: Option<&[f32]>) -> Node {
    let w = nir_weight(weight);
    let rows = w.shape[0];
    let b = bias.map_or_else(
        || vec![0.0; rows],
        |b| b.iter().map(|&x| x as f64).collect(),
    );
    Node::new("Affine")
        .with("weight", w)
        .with("bias", Array::vector(b))
}

/// One layer's neuron node: CubaLIF/CubaLI when it has a synapse, else LIF/LI.
fn neurons(
    layer: &LayerDynamics,
    name: &str,
    dt_s: f64,
    how: Discretisation,
) -> Result<Node, String> {
    let f = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
    let (alpha, kappa, beta) = (f(&layer.alpha), f(&layer.kappa), f(&layer.beta));
    let direct = alpha.iter().all(|&a| a == 0.0) && kappa.iter().all(|&k| k == 1.0);
    if !direct && alpha.iter().any(|&a| !(a > 0.0 && a < 1.0)) {
        return Err(format!(
            "{name}: a synapse decay outside (0, 1) has no NIR time constant"
        ));
    }
    if beta.iter().any(|&b| !(b > 0.0 && b < 1.0)) {
        return Err(format!(
            "{name}: a membrane decay outside (0, 1) has no NIR time constant"
        ));
    }
    let taus = |d: &[f64]| Array::vector(d.iter().map(|&d| how.tau(dt_s, d)).collect());
    let per_beta = |v: &[f32]| {
        Array::vector(
            v.iter()
                .zip(&beta)
                .map(|(&x, b)| x as f64 / (1.0 - b))
                .collect(),
        )
    };
    let kind = match (direct, layer.spiking) {
        (false, true) => "CubaLIF",
        (false, false) => "CubaLI",
        (true, true) => "LIF",
        (true, false) => "LI",
    };
    let tau_key = if direct { "tau" } else { "tau_mem" };
    let mut node = Node::new(kind)
        .with(tau_key, taus(&beta))
        .with("r", per_beta(&layer.c))
        .with("v_leak", per_beta(&layer.leak));
    if !direct {
        let w_in = kappa
            .iter()
            .zip(&alpha)
            .map(|(k, a)| k / (1.0 - a))
            .collect();
        node = node
            .with("tau_syn", taus(&alpha))
            .with("w_in", Array::vector(w_in));
    }
    if layer.spiking {
        node = node
            .with("v_threshold", Array::vector(f(&layer.threshold)))
            .with("v_reset", Array::vector(f(&layer.v_reset)));
    }
    Ok(node)
}

fn shape_node(kind: &str, n: usize) -> Node {
    Node::new(kind).with("shape", Array::vector(vec![n as f64]))
}

/// The graph of `weights` running `dynamics`, made with `conv`'s Δt and discretisation.
pub fn to_graph(
    weights: &Weights,
    dynamics: &NetworkDynamics,
    conv: &Conventions,
) -> Result<Graph, String> {
    let (dt, how) = (conv.dt_s, conv.discretisation);
    let mut g = Graph::default();
    g.add("input", shape_node("Input", weights.inputs()));
    let mut previous = "input".to_string();
    for (l, w) in weights.hidden.iter().enumerate() {
        let (fc, lif) = (format!("fc{l}"), format!("lif{l}"));
        g.add(&fc, affine(w, dynamics.bias[l].as_deref()));
        g.add(&lif, neurons(&dynamics.hidden[l], &lif, dt, how)?);
        g.connect(&previous, &fc);
        g.connect(&fc, &lif);
        if let Some(v) = &weights.recurrent[l] {
            let rec = format!("rec{l}");
            g.add(&rec, affine(v, dynamics.recurrent_bias[l].as_deref()));
            g.connect(&lif, &rec);
            g.connect(&rec, &lif);
        }
        previous = lif;
    }
    g.add(
        "fc_out",
        affine(&weights.readout, dynamics.readout_bias.as_deref()),
    );
    g.add("out", neurons(&dynamics.readout, "out", dt, how)?);
    g.add("output", shape_node("Output", weights.outputs()));
    g.connect(&previous, "fc_out");
    g.connect("fc_out", "out");
    g.connect("out", "output");

    let first = dynamics.hidden.first().unwrap_or(&dynamics.readout);
    let detached = if first.reset_detached {
        "true"
    } else {
        "false"
    };
    let text = [
        ("source", OURS),
        ("reset", first.reset.key()),
        ("current", first.current.key()),
        ("reset_timing", first.reset_timing.key()),
        ("reset_detached", detached),
        ("discretisation", how.key()),
    ];
    for (k, v) in text {
        g.metadata.insert(k.into(), Meta::Text(v.into()));
    }
    g.metadata.insert("dt".into(), Meta::Number(dt));
    Ok(g)
}

/// The NIR file's bytes for `weights` running `dynamics`.
pub fn encode(
    weights: &Weights,
    dynamics: &NetworkDynamics,
    conv: &Conventions,
) -> Result<Vec<u8>, String> {
    super::write::encode(&to_graph(weights, dynamics, conv)?)
}

/// Writes the graph to `path` atomically; the error names the file.
pub fn save(
    path: &std::path::Path,
    weights: &Weights,
    dynamics: &NetworkDynamics,
    conv: &Conventions,
) -> Result<(), String> {
    let bytes = encode(weights, dynamics, conv).map_err(|e| format!("{}: {e}", path.display()))?;
    crate::atomic::write_atomic(path, &bytes).map_err(|e| e.to_string())
}
