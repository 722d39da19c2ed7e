//! NIR (the Neuromorphic Intermediate Representation, neuroir.org): graphs of neuron and
//! weight nodes in HDF5 files, as snnTorch, Norse and neuromorphic toolchains write them.
//!
//! `read` parses a file into a [`graph::Graph`] (nodes, parameter arrays, edges), `write`
//! encodes one, and `map` turns a graph into the layered (recurrent) stack this program
//! runs, or says in one line why it cannot. `import` opens a file as a network in one call;
//! `export` writes any network (built from the settings, or imported and trained further) back,
//! in a flavour.

pub mod discrete;
pub mod export;
pub mod flavour;
pub mod graph;
pub mod import;
pub mod map;
pub mod model;
pub mod read;
pub mod stack;
pub mod write;

use std::fmt;

/// Why a NIR file could not be read or mapped. Each names the node (and its type) or the
/// part of the file at fault, on one line.
#[derive(Clone, Debug, PartialEq)]
pub enum NirError {
    /// No HDF5 signature: not a NIR file at all.
    NotHdf5,
    /// HDF5, but damaged or truncated.
    Malformed(String),
    /// HDF5, but not laid out as a NIR graph.
    NotAGraph(String),
    /// A node type this program cannot run.
    Unsupported { node: String, kind: String },
    /// A node lacks a parameter its type requires.
    MissingParameter {
        node: String,
        kind: String,
        parameter: String,
    },
    /// Sizes that do not fit together.
    Shape { node: String, detail: String },
    /// A value out of range (non-finite, non-positive time constant, …).
    BadValue { node: String, detail: String },
    /// Not a layered stack: Input → (Affine/Linear → neurons [↺ Affine/Linear])+ → Output.
    Topology(String),
}

impl fmt::Display for NirError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NirError::NotHdf5 => write!(f, "not an HDF5 file (a NIR graph is one)"),
            NirError::Malformed(why) => write!(f, "damaged or truncated HDF5 file: {why}"),
            NirError::NotAGraph(why) => write!(f, "not a NIR graph: {why}"),
            NirError::Unsupported { node, kind } => write!(
                f,
                "node {node} is of type {kind}, which this program cannot run \
                 (supported: Input, Output, Affine, Linear, CubaLIF, LIF, CubaLI, LI)"
            ),
            NirError::MissingParameter {
                node,
                kind,
                parameter,
            } => write!(f, "node {node} ({kind}) has no parameter {parameter}"),
            NirError::Shape { node, detail } => write!(f, "node {node}: {detail}"),
            NirError::BadValue { node, detail } => write!(f, "node {node}: {detail}"),
            NirError::Topology(why) => write!(f, "not a layered network: {why}"),
        }
    }
}

impl std::error::Error for NirError {}
