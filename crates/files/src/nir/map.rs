//! A NIR graph into a [`Stack`]: the graph (nested sub-graphs flattened) must read
//!
//! ```text
//! Input → W₁ → N₁ [↺ R₁] → W₂ → N₂ [↺ R₂] → … → Wₖ → Nₖ → Output
//! ```
//!
//! with each W and R an `Affine` or `Linear`, each N a `CubaLIF`, `LIF`, `CubaLI` or `LI`
//! (only the last, the readout, may be non-spiking), and R an edge from a layer back to
//! itself through a weight node. Anything else is refused with one line naming the node.

use std::collections::{BTreeMap, BTreeSet};

use super::NirError;
use super::graph::{Array, Graph, Meta, Node};
use super::stack::{Layer, NeuronKind, Neurons, Projection, ResetKind, Stack};

/// The node types a stack is made of.
fn supported(kind: &str) -> bool {
    matches!(kind, "Input" | "Output" | "Affine" | "Linear") || NeuronKind::from_nir(kind).is_some()
}

fn is_weight(node: &Node) -> bool {
    matches!(node.kind.as_str(), "Affine" | "Linear")
}

/// Maps a graph as read from a file.
pub fn to_stack(graph: Graph) -> Result<Stack, NirError> {
    let graph = graph.flatten()?;
    if let Some((name, node)) = graph.nodes.iter().find(|(_, n)| !supported(&n.kind)) {
        return Err(NirError::Unsupported {
            node: name.clone(),
            kind: node.kind.clone(),
        });
    }
    Mapper::new(&graph).stack()
}

struct Mapper<'g> {
    graph: &'g Graph,
    next: BTreeMap<&'g str, BTreeSet<&'g str>>,
    prev: BTreeMap<&'g str, BTreeSet<&'g str>>,
}

impl<'g> Mapper<'g> {
    fn new(graph: &'g Graph) -> Self {
        let mut next: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut prev: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (a, b) in &graph.edges {
            next.entry(a).or_default().insert(b);
            prev.entry(b).or_default().insert(a);
        }
        Self { graph, next, prev }
    }

    fn node(&self, name: &str) -> &'g Node {
        &self.graph.nodes[name]
    }

    fn next(&self, name: &str) -> Vec<&'g str> {
        self.next
            .get(name)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    fn prev(&self, name: &str) -> Vec<&'g str> {
        self.prev
            .get(name)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The one node of a type, or why not.
    fn only(&self, kind: &str) -> Result<&'g str, NirError> {
        let found: Vec<&str> = self
            .graph
            .nodes
            .iter()
            .filter(|(_, n)| n.kind == kind)
            .map(|(k, _)| k.as_str())
            .collect();
        match found.as_slice() {
            [one] => Ok(one),
            _ => Err(NirError::Topology(format!(
                "the graph has {} {kind} nodes ({}); one expected",
                found.len(),
                found.join(", ")
            ))),
        }
    }

    /// A weight node that reads only `layer` and feeds only `layer`: its recurrence.
    fn is_loop(&self, weight: &str, layer: &str) -> bool {
        is_weight(self.node(weight)) && self.prev(weight) == [layer] && self.next(weight) == [layer]
    }

    fn stack(&self) -> Result<Stack, NirError> {
        let input = self.only("Input")?;
        let output = self.only("Output")?;
        let inputs = vector_size(input, self.node(input))?;
        let mut layers: Vec<Layer> = Vec::new();
        let mut visited: BTreeSet<String> = [input.to_string()].into();
        let (mut current, mut width) = (input.to_string(), inputs);
        loop {
            let forward: Vec<&str> = self
                .next(&current)
                .into_iter()
                .filter(|n| !(current != input && self.is_loop(n, &current)))
                .collect();
            if current != input && forward == [output] {
                break;
            }
            let weight = match forward.as_slice() {
                [w] if is_weight(self.node(w)) => *w,
                [] => {
                    return Err(NirError::Topology(format!(
                        "{current} leads nowhere; the path from Input must reach Output"
                    )));
                }
                [other] => {
                    return Err(NirError::Topology(format!(
                        "{current} feeds {other} ({}) directly; a weight node (Affine or Linear) \
                         must come between layers",
                        self.node(other).kind
                    )));
                }
                many => {
                    return Err(NirError::Topology(format!(
                        "{current} feeds {} nodes ({}); each layer feeds one",
                        many.len(),
                        many.join(", ")
                    )));
                }
            };
            let layer = self.layer(&current, weight, width)?;
            let names = [weight, layer.node.as_str()]
                .into_iter()
                .chain(layer.recurrent.as_ref().map(|r| r.node.as_str()));
            for name in names {
                if !visited.insert(name.to_string()) {
                    return Err(NirError::Topology(format!(
                        "{name} is reached twice (a cycle that is not a layer's recurrence)"
                    )));
                }
            }
            current = layer.node.clone();
            width = layer.width();
            layers.push(layer);
        }
        if self.prev(output) != [current] {
            return Err(NirError::Topology(format!(
                "Output {output} reads {}; it must read the last layer only",
                self.prev(output).join(", ")
            )));
        }
        let out_size = vector_size(output, self.node(output))?;
        if out_size != width {
            return Err(NirError::Shape {
                node: output.to_string(),
                detail: format!(
                    "Output has shape {out_size} but the last layer has {width} neurons"
                ),
            });
        }
        visited.insert(output.to_string());
        if let Some(stray) = self.graph.nodes.keys().find(|k| !visited.contains(*k)) {
            return Err(NirError::Topology(format!(
                "{stray} ({}) is not on the path from Input to Output",
                self.node(stray).kind
            )));
        }
        let Some(readout) = layers.pop() else {
            return Err(NirError::Topology("Input leads straight to Output".into()));
        };
        if let Some(l) = layers.iter().find(|l| !l.neurons.kind.spiking()) {
            return Err(NirError::Topology(format!(
                "{} ({}) never spikes, so it can only be the last layer",
                l.node,
                l.neurons.kind.nir_name()
            )));
        }
        if readout.recurrent.is_some() {
            return Err(NirError::Topology(format!(
                "the readout {} is recurrent; only hidden layers may be",
                readout.node
            )));
        }
        Ok(Stack {
            inputs,
            hidden: layers,
            readout,
            dt_s: match self.graph.metadata.get("dt") {
                Some(Meta::Number(dt)) if dt.is_finite() && *dt > 0.0 => Some(*dt),
                _ => None,
            },
            reset: match self.graph.metadata.get("reset") {
                Some(Meta::Text(t)) if t == "zero" => Some(ResetKind::ToValue),
                Some(Meta::Text(t)) if t == "subtract" => Some(ResetKind::Subtract),
                Some(Meta::Text(t)) if t == "none" => Some(ResetKind::None),
                _ => None,
            },
            metadata: self.graph.metadata.clone(),
        })
    }

    /// The layer fed by `weight`, whose input has `width` values.
    fn layer(&self, from: &str, weight: &'g str, width: usize) -> Result<Layer, NirError> {
        if self.prev(weight) != [from] {
            return Err(NirError::Topology(format!(
                "{weight} reads {}; a weight node reads one layer",
                self.prev(weight).join(", ")
            )));
        }
        let input = projection(weight, self.node(weight))?;
        if input.inputs() != width {
            return Err(NirError::Shape {
                node: weight.to_string(),
                detail: format!(
                    "weight is ({}, {}) but its input {from} has {width} values",
                    input.outputs(),
                    input.inputs()
                ),
            });
        }
        let target = match self.next(weight).as_slice() {
            [n] => *n,
            other => {
                return Err(NirError::Topology(format!(
                    "{weight} feeds {} nodes ({}); a weight node feeds one layer",
                    other.len(),
                    other.join(", ")
                )));
            }
        };
        let node = self.node(target);
        let Some(kind) = NeuronKind::from_nir(&node.kind) else {
            return Err(NirError::Topology(format!(
                "{weight} feeds {target} ({}); a neuron node (CubaLIF, LIF, CubaLI, LI) expected",
                node.kind
            )));
        };
        let loops: Vec<&str> = self
            .next(target)
            .into_iter()
            .filter(|n| self.is_loop(n, target))
            .collect();
        let recurrent = match loops.as_slice() {
            [] => None,
            [r] => Some(projection(r, self.node(r))?),
            many => {
                return Err(NirError::Topology(format!(
                    "{target} has {} recurrent weight nodes ({}); one at most",
                    many.len(),
                    many.join(", ")
                )));
            }
        };
        let mut expected_prev = vec![weight];
        expected_prev.extend(loops.iter().copied());
        expected_prev.sort_unstable();
        if self.prev(target) != expected_prev {
            return Err(NirError::Topology(format!(
                "{target} reads {}; a layer reads one weight node (and its own recurrence)",
                self.prev(target).join(", ")
            )));
        }
        let neurons = neurons(target, node, kind, input.outputs())?;
        if let Some(r) = &recurrent
            && (r.outputs() != neurons.len() || r.inputs() != neurons.len())
        {
            return Err(NirError::Shape {
                node: r.node.clone(),
                detail: format!(
                    "recurrent weight is ({}, {}) but {target} has {} neurons",
                    r.outputs(),
                    r.inputs(),
                    neurons.len()
                ),
            });
        }
        Ok(Layer {
            node: target.to_string(),
            input,
            recurrent,
            neurons,
        })
    }
}

/// The size of an Input or Output node: the product of its `shape` (a vector: every other
/// dimension 1). A missing shape is refused.
fn vector_size(name: &str, node: &Node) -> Result<usize, NirError> {
    let shape = param(name, node, "shape")?;
    let dims: Vec<f64> = shape.data.clone();
    let bad = || NirError::Shape {
        node: name.to_string(),
        detail: format!("{} shape {dims:?} is not a vector of values", node.kind),
    };
    if dims
        .iter()
        .any(|d| !(d.is_finite() && *d >= 1.0 && d.fract() == 0.0))
    {
        return Err(bad());
    }
    if dims.iter().filter(|&&d| d > 1.0).count() > 1 || dims.is_empty() {
        return Err(bad());
    }
    Ok(dims.iter().product::<f64>() as usize)
}

fn missing(name: &str, node: &Node, key: &str) -> NirError {
    NirError::MissingParameter {
        node: name.to_string(),
        kind: node.kind.clone(),
        parameter: key.to_string(),
    }
}

fn param<'n>(name: &str, node: &'n Node, key: &str) -> Result<&'n Array, NirError> {
    node.params.get(key).ok_or_else(|| missing(name, node, key))
}

fn finite(name: &str, key: &str, values: &[f64]) -> Result<(), NirError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(NirError::BadValue {
            node: name.to_string(),
            detail: format!("{key} has a non-finite value ({}) at index {i}", values[i]),
        }),
        None => Ok(()),
    }
}

/// An Affine or Linear node.
fn projection(name: &str, node: &Node) -> Result<Projection, NirError> {
    let weight = param(name, node, "weight")?.clone();
    if weight.shape.len() != 2 {
        return Err(NirError::Shape {
            node: name.to_string(),
            detail: format!(
                "weight has shape {:?}; a matrix (out, in) expected",
                weight.shape
            ),
        });
    }
    finite(name, "weight", &weight.data)?;
    let bias = match node.params.get("bias") {
        None if node.kind == "Affine" => return Err(missing(name, node, "bias")),
        None => None,
        Some(b) => {
            if b.data.len() != weight.shape[0] || b.shape.len() > 1 {
                return Err(NirError::Shape {
                    node: name.to_string(),
                    detail: format!(
                        "bias has shape {:?} but weight has {} rows",
                        b.shape, weight.shape[0]
                    ),
                });
            }
            finite(name, "bias", &b.data)?;
            Some(b.data.clone())
        }
    };
    Ok(Projection {
        node: name.to_string(),
        weight,
        bias,
    })
}

/// One parameter as `size` values: an array of that length, or a scalar (or one-element
/// array) broadcast.
fn per_neuron(name: &str, node: &Node, key: &str, size: usize) -> Result<Vec<f64>, NirError> {
    let array = param(name, node, key)?;
    let values = match array.data.len() {
        1 => vec![array.data[0]; size],
        n if n == size && array.shape.len() <= 1 => array.data.clone(),
        _ => {
            return Err(NirError::Shape {
                node: name.to_string(),
                detail: format!(
                    "{key} has shape {:?} but the layer has {size} neurons",
                    array.shape
                ),
            });
        }
    };
    finite(name, key, &values)?;
    Ok(values)
}

fn positive(name: &str, key: &str, values: &[f64]) -> Result<(), NirError> {
    match values.iter().position(|&v| v <= 0.0) {
        Some(i) => Err(NirError::BadValue {
            node: name.to_string(),
            detail: format!("{key} must be positive; it is {} at index {i}", values[i]),
        }),
        None => Ok(()),
    }
}

fn neurons(name: &str, node: &Node, kind: NeuronKind, size: usize) -> Result<Neurons, NirError> {
    let get = |key: &str| per_neuron(name, node, key, size);
    let optional = |key: &str, default: f64| match node.params.contains_key(key) {
        true => get(key),
        false => Ok(vec![default; size]),
    };
    let tau_key = if kind.has_synapse() { "tau_mem" } else { "tau" };
    let tau_mem = get(tau_key)?;
    positive(name, tau_key, &tau_mem)?;
    let tau_syn = match kind.has_synapse() {
        true => {
            let t = get("tau_syn")?;
            positive(name, "tau_syn", &t)?;
            Some(t)
        }
        false => None,
    };
    let (v_threshold, v_reset) = match kind.spiking() {
        true => (Some(get("v_threshold")?), Some(optional("v_reset", 0.0)?)),
        false => (None, None),
    };
    Ok(Neurons {
        kind,
        tau_syn,
        tau_mem,
        r: get("r")?,
        v_leak: get("v_leak")?,
        w_in: match kind.has_synapse() {
            true => optional("w_in", 1.0)?,
            false => vec![1.0; size],
        },
        v_threshold,
        v_reset,
    })
}
