//! NIR files (HDF5, as `nir.write` lays them out) into a [`Graph`]:
//!
//! ```text
//! /version                    string
//! /node/type                  "NIRGraph"
//! /node/nodes/<name>/type     "Affine", "CubaLIF", … or "NIRGraph" (then nodes/, edges)
//! /node/nodes/<name>/<key>    numeric arrays (weight, bias, tau_mem, shape, …)
//! /node/edges                 strings, [E, 2]
//! /node/metadata/<key>        optional, numbers or strings
//! ```
//!
//! Read with `hdf5-pure` (pure Rust, the same crate that writes our exports).

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::path::Path;

use hdf5_pure::{DType, File};

use super::NirError;
use super::graph::{Array, Graph, Meta, Node};

/// Nested graphs deeper than this are refused rather than followed (a crafted file could
/// nest without end).
const MAX_DEPTH: usize = 16;

/// Reads and parses a NIR file.
pub fn read_file(path: &Path) -> Result<Graph, String> {
    let bytes =
        crate::vfs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    read_bytes(bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses the bytes of a NIR file into its top-level graph (nested graphs kept nested).
pub fn read_bytes(bytes: Vec<u8>) -> Result<Graph, NirError> {
    if !hdf5_pure::is_hdf5_bytes(&bytes) {
        return Err(NirError::NotHdf5);
    }
    // hdf5-pure checks what it reads, but a crafted file that reaches a panic in it must
    // still be one line of error, not a crash.
    std::panic::catch_unwind(AssertUnwindSafe(|| {
        let file = File::from_bytes(bytes).map_err(malformed)?;
        let node = read_node(&file, "node", 0)?;
        if node.kind != "NIRGraph" {
            return Err(NirError::NotAGraph(format!(
                "the top node is a {}, not a NIRGraph",
                node.kind
            )));
        }
        node.graph
            .ok_or_else(|| NirError::NotAGraph("the top graph has no nodes".into()))
    }))
    .unwrap_or_else(|_| Err(NirError::Malformed("the HDF5 reader gave up".into())))
}

fn malformed(e: hdf5_pure::Error) -> NirError {
    NirError::Malformed(one_line(&e.to_string()))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The node stored in the group at `path`.
fn read_node(file: &File, path: &str, depth: usize) -> Result<Node, NirError> {
    let name = path.rsplit('/').next().unwrap_or(path).to_string();
    if depth > MAX_DEPTH {
        return Err(NirError::NotAGraph(format!(
            "graphs nested more than {MAX_DEPTH} deep at {path}"
        )));
    }
    let group = file.group(path).map_err(|_| {
        NirError::NotAGraph(if depth == 0 {
            "the file has no group /node".into()
        } else {
            format!("{path} is not a group")
        })
    })?;
    let datasets = group.datasets().map_err(malformed)?;
    if !datasets.iter().any(|d| d == "type") {
        return Err(NirError::NotAGraph(format!("node {name} has no type")));
    }
    let kind = read_text(file, &format!("{path}/type"))?;
    let mut node = Node::new(&kind);
    for key in datasets
        .iter()
        .filter(|k| !matches!(k.as_str(), "type" | "edges"))
    {
        let full = format!("{path}/{key}");
        if let Some(array) = read_array(file, &full)? {
            node.params.insert(key.clone(), array);
        }
    }
    if kind == "NIRGraph" {
        let mut graph = Graph::default();
        let children = file
            .group(&format!("{path}/nodes"))
            .and_then(|g| g.groups())
            .map_err(|_| NirError::NotAGraph(format!("graph {name} has no nodes")))?;
        for child in children {
            let node = read_node(file, &format!("{path}/nodes/{child}"), depth + 1)?;
            graph.nodes.insert(child, node);
        }
        if datasets.iter().any(|d| d == "edges") {
            graph.edges = read_edges(file, &format!("{path}/edges"))?;
        }
        let subgroups = group.groups().map_err(malformed)?;
        if subgroups.iter().any(|g| g == "metadata") {
            graph.metadata = read_metadata(file, &format!("{path}/metadata"))?;
        }
        node.graph = Some(graph);
    }
    Ok(node)
}

/// A scalar or one-element string dataset.
fn read_text(file: &File, path: &str) -> Result<String, NirError> {
    let values = file
        .dataset(path)
        .and_then(|d| d.read_string())
        .map_err(|_| NirError::NotAGraph(format!("{path} is not a string")))?;
    values
        .into_iter()
        .next()
        .ok_or_else(|| NirError::NotAGraph(format!("{path} is empty")))
}

/// A numeric dataset as f64 with its shape; `None` for strings and other non-numbers.
fn read_array(file: &File, path: &str) -> Result<Option<Array>, NirError> {
    let ds = file.dataset(path).map_err(malformed)?;
    let numeric = matches!(
        ds.dtype().map_err(malformed)?,
        DType::F32
            | DType::F64
            | DType::I8
            | DType::I16
            | DType::I32
            | DType::I64
            | DType::U8
            | DType::U16
            | DType::U32
            | DType::U64
    );
    if !numeric {
        return Ok(None);
    }
    let shape: Vec<usize> = ds
        .shape()
        .map_err(malformed)?
        .into_iter()
        .map(|d| d as usize)
        .collect();
    let data = ds.read_f64().map_err(malformed)?;
    if data.len() != shape.iter().product::<usize>() {
        return Err(NirError::Malformed(format!(
            "{path} holds {} values for shape {shape:?}",
            data.len()
        )));
    }
    Ok(Some(Array { shape, data }))
}

/// Edges are strings shaped [E, 2], read row-major: from, to, from, to, …
fn read_edges(file: &File, path: &str) -> Result<Vec<(String, String)>, NirError> {
    let ds = file.dataset(path).map_err(malformed)?;
    let shape = ds.shape().map_err(malformed)?;
    let flat = ds
        .read_string()
        .map_err(|_| NirError::NotAGraph(format!("{path} is not a list of names")))?;
    let pairs = shape.first().copied().unwrap_or(0) as usize;
    if shape.len() != 2 || shape[1] != 2 || flat.len() != 2 * pairs {
        return Err(NirError::NotAGraph(format!(
            "{path} has shape {shape:?}; [edges, 2] expected"
        )));
    }
    Ok(flat
        .chunks(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect())
}

fn read_metadata(file: &File, path: &str) -> Result<BTreeMap<String, Meta>, NirError> {
    let mut out = BTreeMap::new();
    let keys = file
        .group(path)
        .and_then(|g| g.datasets())
        .map_err(malformed)?;
    for key in keys {
        let full = format!("{path}/{key}");
        let value = match read_array(file, &full)? {
            Some(a) if a.data.len() == 1 => Meta::Number(a.data[0]),
            Some(_) => continue,
            None => match file.dataset(&full).and_then(|d| d.read_string()) {
                Ok(v) if v.len() == 1 => Meta::Text(v[0].clone()),
                _ => continue,
            },
        };
        out.insert(key, value);
    }
    Ok(out)
}
