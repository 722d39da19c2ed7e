//! A [`Graph`] into the bytes of a NIR file, in the layout `nir.read` expects (see
//! `read.rs`); written with `hdf5-pure`.

use hdf5_pure::{FileBuilder, GroupBuilder};

use super::graph::{Graph, Meta, Node};

/// The NIR format version written into the file (that of the `nir` package the layout
/// was checked against).
pub const NIR_VERSION: &str = "1.0.8";

pub fn encode(graph: &Graph) -> Result<Vec<u8>, String> {
    let mut file = FileBuilder::new();
    file.create_dataset("version")
        .with_vlen_strings(&[NIR_VERSION])
        .with_shape(&[]);
    let mut top = file.create_group("node");
    write_graph(&mut top, graph);
    file.add_group(top.finish());
    file.finish().map_err(|e| format!("cannot encode NIR: {e}"))
}

/// The datasets and groups of a `NIRGraph` node into `group`.
fn write_graph(group: &mut GroupBuilder, graph: &Graph) {
    group
        .create_dataset("type")
        .with_vlen_strings(&["NIRGraph"])
        .with_shape(&[]);
    let mut nodes = group.create_group("nodes");
    for (name, node) in &graph.nodes {
        let mut g = nodes.create_group(name);
        write_node(&mut g, node);
        nodes.add_group(g.finish());
    }
    group.add_group(nodes.finish());
    let flat: Vec<&str> = graph
        .edges
        .iter()
        .flat_map(|(a, b)| [a.as_str(), b.as_str()])
        .collect();
    group
        .create_dataset("edges")
        .with_vlen_strings(&flat)
        .with_shape(&[graph.edges.len() as u64, 2]);
    if !graph.metadata.is_empty() {
        let mut meta = group.create_group("metadata");
        for (key, value) in &graph.metadata {
            match value {
                Meta::Number(x) => {
                    meta.create_dataset(key)
                        .with_f64_data(&[*x])
                        .with_shape(&[]);
                }
                Meta::Text(s) => {
                    meta.create_dataset(key)
                        .with_vlen_strings(&[s.as_str()])
                        .with_shape(&[]);
                }
            }
        }
        group.add_group(meta.finish());
    }
}

fn write_node(group: &mut GroupBuilder, node: &Node) {
    if let Some(inner) = &node.graph {
        write_graph(group, inner);
        return;
    }
    group
        .create_dataset("type")
        .with_vlen_strings(&[node.kind.as_str()])
        .with_shape(&[]);
    for (key, array) in &node.params {
        let dims: Vec<u64> = array.shape.iter().map(|&d| d as u64).collect();
        // nir reads Input/Output shapes as integer arrays.
        if key == "shape" {
            let ints: Vec<i64> = array.data.iter().map(|&x| x as i64).collect();
            group
                .create_dataset(key)
                .with_i64_data(&ints)
                .with_shape(&dims);
        } else {
            group
                .create_dataset(key)
                .with_f64_data(&array.data)
                .with_shape(&dims);
        }
    }
}
