//! The one NIR writer: any network this program runs — built from the settings, or imported
//! and trained further — as a NIR graph. Per-neuron constants become NIR's continuous-time
//! parameters with the Δt and discretisation they were made with (the inverse of
//! `discrete.rs`), biases become `Affine.bias`, and the update conventions go in our
//! metadata, so that opening the file again gives the same network. A flavour
//! (`flavour.rs`) is a transform on that graph: τ's for forward Euler at the library's Δt,
//! the input factor moved into the weights (snnTorch), a readout that never fires in place
//! of a `CubaLI` (snnTorch, Norse).

use burn::tensor::Tensor;

use super::flavour::{Flavour, NEVER_FIRES, fold};
use super::graph::{Array, Graph, Meta, Node};
use super::import::OURS;
use crate::snn::dynamics::ResetTiming;
use crate::snn::dynamics::{CurrentTiming, Discretisation, LayerDynamics, NetworkDynamics};
use crate::snn::loss::LossKind;
use crate::snn::network::{Weights, transposed};
use crate::snn::surrogate::SurrogateConfig;

/// A network's time base: the Δt its constants were made for, and how τ became a decay.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeBase {
    pub dt_s: f64,
    pub discretisation: Discretisation,
}

/// What a network was trained with, kept in the file's metadata when known.
#[derive(Clone, Copy, Debug)]
pub struct TrainedWith<'a> {
    pub surrogate: &'a SurrogateConfig,
    pub loss: LossKind,
}

/// The (out, in) matrix NIR stores for our [in, out] one, row o times `row_scale[o]`: the
/// orientation turns in [`transposed`].
pub fn to_nir_matrix(t: &Tensor<2>, row_scale: Option<&[f64]>) -> Array {
    let [inputs, outputs] = t.dims();
    let data: Vec<f32> = t.clone().into_data().iter::<f32>().collect();
    let out = transposed(inputs, outputs, &data)
        .into_iter()
        .enumerate()
        .map(|(k, x)| f64::from(x) * row_scale.map_or(1.0, |s| s[k / inputs]))
        .collect();
    Array::matrix(outputs, inputs, out)
}

fn affine(weight: &Tensor<2>, bias: Option<&[f32]>, scale: &[f64]) -> Node {
    let w = to_nir_matrix(weight, Some(scale));
    let b = match bias {
        Some(b) => b
            .iter()
            .zip(scale)
            .map(|(&x, s)| f64::from(x) * s)
            .collect(),
        None => vec![0.0; scale.len()],
    };
    Node::new("Affine")
        .with("weight", w)
        .with("bias", Array::vector(b))
}

/// One layer's neuron node in `flavour` and the factor of each neuron's incoming weights.
fn neurons(
    layer: &LayerDynamics,
    name: &str,
    time: TimeBase,
    flavour: Flavour,
) -> Result<(Node, Vec<f64>), String> {
    let f = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<f64>>();
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
    let how = flavour.discretisation(time.discretisation);
    let dt = flavour.dt_s(time.dt_s);
    let folded: Vec<_> = (0..layer.width())
        .map(|n| {
            let threshold = layer.spiking.then(|| f64::from(layer.threshold[n]));
            fold(
                flavour,
                time.dt_s,
                alpha[n],
                beta[n],
                f64::from(layer.c[n]),
                threshold,
            )
        })
        .collect();
    let vector = |g: &dyn Fn(usize) -> f64| Array::vector((0..layer.width()).map(g).collect());
    let tau = |d: &[f64]| vector(&|n| how.tau(dt, d[n]));
    let fires = folded.iter().all(|x| x.v_threshold.is_some());
    let kind = match (direct, fires) {
        (false, true) => "CubaLIF",
        (false, false) => "CubaLI",
        (true, true) => "LIF",
        (true, false) => "LI",
    };
    let mut node = Node::new(kind)
        .with(if direct { "tau" } else { "tau_mem" }, tau(&beta))
        .with("r", vector(&|n| folded[n].r))
        .with(
            "v_leak",
            vector(&|n| f64::from(layer.leak[n]) / (1.0 - beta[n])),
        );
    if !direct {
        node = node
            .with("tau_syn", tau(&alpha))
            .with("w_in", vector(&|n| kappa[n] * folded[n].w_in));
    }
    if fires {
        let reset = |n: usize| {
            if layer.spiking {
                f64::from(layer.v_reset[n])
            } else {
                0.0
            }
        };
        node = node
            .with(
                "v_threshold",
                vector(&|n| folded[n].v_threshold.unwrap_or(NEVER_FIRES)),
            )
            .with("v_reset", vector(&reset));
    }
    Ok((node, folded.iter().map(|x| x.weight_scale).collect()))
}

fn shape_node(kind: &str, n: usize) -> Node {
    Node::new(kind).with("shape", Array::vector(vec![n as f64]))
}

/// How many steps the libraries' readout runs ahead of ours: a layer that takes the previous
/// step's current answers a step later, one that reads its spike before integrating another
/// (0 in the libraries' own conventions).
pub fn readout_lead_steps(layers: usize, current: CurrentTiming, reset: ResetTiming) -> usize {
    let previous = usize::from(current == CurrentTiming::Previous);
    let next = usize::from(reset == ResetTiming::Next);
    layers * (previous + next) + previous
}

/// The graph of `weights` running `dynamics` at `time`, in `flavour`.
pub fn to_graph(
    weights: &Weights,
    dynamics: &NetworkDynamics,
    time: TimeBase,
    flavour: Flavour,
    trained: Option<TrainedWith<'_>>,
) -> Result<Graph, String> {
    let mut g = Graph::default();
    g.add("input", shape_node("Input", weights.inputs()));
    let mut previous = "input".to_string();
    for (l, w) in weights.hidden.iter().enumerate() {
        let (fc, lif) = (format!("fc{l}"), format!("lif{l}"));
        let (node, scale) = neurons(&dynamics.hidden[l], &lif, time, flavour)?;
        g.add(&fc, affine(w, dynamics.bias[l].as_deref(), &scale));
        g.add(&lif, node);
        g.connect(&previous, &fc);
        g.connect(&fc, &lif);
        if let Some(v) = &weights.recurrent[l] {
            let rec = format!("rec{l}");
            g.add(
                &rec,
                affine(v, dynamics.recurrent_bias[l].as_deref(), &scale),
            );
            g.connect(&lif, &rec);
            g.connect(&rec, &lif);
        }
        previous = lif;
    }
    let (node, scale) = neurons(&dynamics.readout, "readout", time, flavour)?;
    let out = if node.params.contains_key("v_threshold") {
        "lif_out"
    } else {
        "li_out"
    };
    g.add(
        "fc_out",
        affine(&weights.readout, dynamics.readout_bias.as_deref(), &scale),
    );
    g.add(out, node);
    g.add("output", shape_node("Output", weights.outputs()));
    g.connect(&previous, "fc_out");
    g.connect("fc_out", out);
    g.connect(out, "output");

    let first = dynamics.hidden.first().unwrap_or(&dynamics.readout);
    let how = flavour.discretisation(time.discretisation);
    let lead = match flavour {
        Flavour::Generic => 0,
        Flavour::Snntorch | Flavour::Norse => {
            readout_lead_steps(dynamics.hidden.len(), first.current, first.reset_timing)
        }
    };
    let text = |s: &str| Meta::Text(s.to_string());
    let mut meta = vec![
        ("source", text(OURS)),
        ("flavour", text(flavour.key())),
        ("dt", Meta::Number(flavour.dt_s(time.dt_s))),
        ("dt_trained", Meta::Number(time.dt_s)),
        ("discretisation", text(how.key())),
        ("reset", text(first.reset.key())),
        (
            "reset_detached",
            text(if first.reset_detached {
                "true"
            } else {
                "false"
            }),
        ),
        ("current", text(first.current.key())),
        ("reset_timing", text(first.reset_timing.key())),
        // How many steps the library's readout runs ahead of ours.
        ("readout_lead_steps", Meta::Number(lead as f64)),
    ];
    if let Some(t) = trained {
        let loss = serde_json::to_value(t.loss)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        meta.push(("surrogate", text(t.surrogate.shape.key())));
        meta.push(("surrogate_beta", Meta::Number(t.surrogate.beta)));
        meta.push(("loss", text(&loss)));
    }
    for (k, v) in meta {
        g.metadata.insert(k.to_string(), v);
    }
    Ok(g)
}

/// The NIR file's bytes (HDF5) for `weights` running `dynamics`.
pub fn encode(
    weights: &Weights,
    dynamics: &NetworkDynamics,
    time: TimeBase,
    flavour: Flavour,
    trained: Option<TrainedWith<'_>>,
) -> Result<Vec<u8>, String> {
    super::write::encode(&to_graph(weights, dynamics, time, flavour, trained)?)
}
