//! A NIR graph as read from or written to a file, before any meaning is given to it: named
//! nodes, each a type and its parameter arrays (a nested `NIRGraph` node carries its own
//! graph), and directed edges between node names.

use std::collections::BTreeMap;

use super::NirError;

/// An n-dimensional array, row-major; a scalar has an empty shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    pub shape: Vec<usize>,
    pub data: Vec<f64>,
}

impl Array {
    pub fn vector(data: Vec<f64>) -> Self {
        Self {
            shape: vec![data.len()],
            data,
        }
    }

    pub fn matrix(rows: usize, cols: usize, data: Vec<f64>) -> Self {
        debug_assert_eq!(rows * cols, data.len());
        Self {
            shape: vec![rows, cols],
            data,
        }
    }

    pub fn scalar(value: f64) -> Self {
        Self {
            shape: vec![],
            data: vec![value],
        }
    }
}

/// A metadata value: NIR leaves metadata free-form; we read numbers and text.
#[derive(Clone, Debug, PartialEq)]
pub enum Meta {
    Number(f64),
    Text(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// NIR's type name (`Affine`, `CubaLIF`, `NIRGraph`, …), as written.
    pub kind: String,
    /// Numeric datasets of the node by key (`weight`, `tau_mem`, `shape`, …).
    pub params: BTreeMap<String, Array>,
    /// The nodes and edges of a `NIRGraph` node.
    pub graph: Option<Graph>,
}

impl Node {
    pub fn new(kind: &str) -> Self {
        Self {
            kind: kind.to_string(),
            params: BTreeMap::new(),
            graph: None,
        }
    }

    pub fn with(mut self, key: &str, value: Array) -> Self {
        self.params.insert(key.to_string(), value);
        self
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    pub nodes: BTreeMap<String, Node>,
    pub edges: Vec<(String, String)>,
    pub metadata: BTreeMap<String, Meta>,
}

impl Graph {
    pub fn add(&mut self, name: &str, node: Node) {
        self.nodes.insert(name.to_string(), node);
    }

    pub fn connect(&mut self, from: &str, to: &str) {
        self.edges.push((from.to_string(), to.to_string()));
    }

    /// Every edge must join two nodes of this graph.
    pub fn check_edges(&self) -> Result<(), NirError> {
        for (a, b) in &self.edges {
            for end in [a, b] {
                if !self.nodes.contains_key(end) {
                    return Err(NirError::Topology(format!(
                        "an edge {a} → {b} names a node {end} the graph does not have"
                    )));
                }
            }
        }
        Ok(())
    }

    /// The same network with every nested `NIRGraph` node replaced by its inner nodes,
    /// named `outer.inner` (the form snnTorch writes), its `Input`/`Output` removed and
    /// the edges through them joined up.
    pub fn flatten(self) -> Result<Graph, NirError> {
        self.check_edges()?;
        let mut flat = Graph {
            metadata: self.metadata,
            ..Graph::default()
        };
        // For each nested graph: which inner nodes its input feeds and its output reads.
        let mut entries: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut exits: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, node) in self.nodes {
            let Some(inner) = node.graph else {
                flat.nodes.insert(name, node);
                continue;
            };
            let inner = inner.flatten()?;
            let of_kind = |kind: &str| -> Vec<String> {
                inner
                    .nodes
                    .iter()
                    .filter(|(_, n)| n.kind == kind)
                    .map(|(k, _)| k.clone())
                    .collect()
            };
            let (inputs, outputs) = (of_kind("Input"), of_kind("Output"));
            if inputs.len() != 1 || outputs.len() != 1 {
                return Err(NirError::Topology(format!(
                    "sub-graph {name} has {} Input and {} Output nodes; one of each expected",
                    inputs.len(),
                    outputs.len()
                )));
            }
            let (input, output) = (&inputs[0], &outputs[0]);
            let rename = |inner_name: &str| format!("{name}.{inner_name}");
            let mut entry = Vec::new();
            let mut exit = Vec::new();
            for (a, b) in &inner.edges {
                match (a == input, b == output) {
                    (true, true) => {
                        return Err(NirError::Topology(format!(
                            "sub-graph {name} joins its input straight to its output"
                        )));
                    }
                    (true, false) => entry.push(rename(b)),
                    (false, true) => exit.push(rename(a)),
                    (false, false) => flat.edges.push((rename(a), rename(b))),
                }
            }
            for (k, n) in inner.nodes {
                if &k != input && &k != output {
                    flat.nodes.insert(rename(&k), n);
                }
            }
            entries.insert(name.clone(), entry);
            exits.insert(name, exit);
        }
        for (a, b) in self.edges {
            let from = exits.get(&a).cloned().unwrap_or_else(|| vec![a]);
            let to = entries.get(&b).cloned().unwrap_or_else(|| vec![b]);
            for f in &from {
                for t in &to {
                    flat.edges.push((f.clone(), t.clone()));
                }
            }
        }
        Ok(flat)
    }
}
