//! The layers stay layers: read every `src/**/*.rs`, collect each `crate::X` reference per
//! top-level module, and check that the model, the data and the trainer import nothing from
//! the layers above them, and that no two top-level modules import each other, however
//! indirectly. A failure names the file and line of every offending reference.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Layers that must not know the files, the experiment, the sweeps or the window.
const LOWER: [&str; 3] = ["snn", "data", "train"];
const UPPER: [&str; 5] = ["io", "app", "cli", "sweep", "config"];
/// Known references that still close a cycle, each with the work that removes it. An entry
/// whose reference is gone fails `exceptions_are_not_stale`: delete it then.
const PENDING: [(&str, &str, &str); 1] = [(
    "app",
    "cli",
    "the window parses its flags with cli's helpers; goes when the command line moves onto clap",
)];

/// One `crate::to` reference in module `from`.
#[derive(Clone, Debug, PartialEq)]
struct Edge {
    from: String,
    to: String,
    file: String,
    line: usize,
}

impl std::fmt::Display for Edge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} → {} ({}:{})",
            self.from, self.to, self.file, self.line
        )
    }
}

/// The top-level module a file belongs to: `src/snn/lif.rs` → `snn`, `src/rng.rs` → `rng`;
/// `None` for the crate roots.
fn top_module(relative: &Path) -> Option<String> {
    let mut parts = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy());
    let first = parts.next()?.into_owned();
    let top = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (top != "lib" && top != "main").then_some(top)
}

/// The path segments right after each `crate::` in one line of code, with `crate::{a, b::c}`
/// giving `a` and `b`.
fn crate_targets(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        // `surrogate_lab::crate` cannot occur; an identifier ending in `crate` can.
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                    _ => {}
                }
                if depth == 0 && c != ',' && c != '}' {
                    item.push(c);
                }
            }
            items.push(item);
            out.extend(items.iter().filter_map(|i| leading_ident(i.trim())));
        } else if let Some(ident) = leading_ident(rest) {
            out.push(ident);
        }
    }
    out
}

fn leading_ident(s: &str) -> Option<String> {
    let ident: String = s
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!ident.is_empty() && ident != "self").then_some(ident)
}

/// Every reference from one file's module to another top-level module. Comments are skipped:
/// a doc link is not an import.
fn edges_of(file: &str, from: &str, text: &str, modules: &BTreeSet<String>) -> Vec<Edge> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for to in crate_targets(code) {
            if to != from && modules.contains(&to) {
                out.push(Edge {
                    from: from.to_string(),
                    to,
                    file: file.to_string(),
                    line: i + 1,
                });
            }
        }
    }
    out
}

/// The references a lower layer makes to an upper one.
fn forbidden(edges: &[Edge]) -> Vec<&Edge> {
    edges
        .iter()
        .filter(|e| LOWER.contains(&e.from.as_str()) && UPPER.contains(&e.to.as_str()))
        .collect()
}

/// One cycle among the modules, as the references that close it, if there is any.
fn find_cycle(edges: &[Edge]) -> Option<Vec<Edge>> {
    let mut graph: BTreeMap<&str, BTreeMap<&str, &Edge>> = BTreeMap::new();
    for e in edges {
        graph
            .entry(e.from.as_str())
            .or_default()
            .entry(e.to.as_str())
            .or_insert(e);
    }
    // Depth-first search; a module met again while still on the stack closes a cycle.
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, BTreeMap<&'a str, &'a Edge>>,
        stack: &mut Vec<&'a Edge>,
        on_stack: &mut BTreeSet<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<Edge>> {
        if done.contains(node) {
            return None;
        }
        on_stack.insert(node);
        for (&next, &edge) in graph.get(node).into_iter().flatten() {
            stack.push(edge);
            if on_stack.contains(next) {
                let start = stack.iter().position(|e| e.from == next).unwrap_or(0);
                return Some(stack[start..].iter().map(|e| (*e).clone()).collect());
            }
            if let Some(cycle) = visit(next, graph, stack, on_stack, done) {
                return Some(cycle);
            }
            stack.pop();
        }
        on_stack.remove(node);
        done.insert(node);
        None
    }
    let mut done = BTreeSet::new();
    for &node in graph.keys() {
        let mut stack = Vec::new();
        let mut on_stack = BTreeSet::new();
        if let Some(cycle) = visit(node, &graph, &mut stack, &mut on_stack, &mut done) {
            return Some(cycle);
        }
    }
    None
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every reference between top-level modules in `src/`.
fn crate_edges() -> Vec<Edge> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| top_module(f.strip_prefix(&src).ok()?))
        .collect();
    let mut edges = Vec::new();
    for path in &files {
        let relative = path.strip_prefix(&src).expect("under src");
        let Some(from) = top_module(relative) else {
            continue;
        };
        let text = std::fs::read_to_string(path).expect("readable source");
        let shown = format!("src/{}", relative.display());
        edges.extend(edges_of(&shown, &from, &text, &modules));
    }
    edges
}

#[test]
fn model_data_and_trainer_import_no_upper_layer() {
    let edges = crate_edges();
    assert!(
        edges.iter().any(|e| e.from == "train" && e.to == "snn"),
        "the scan found no train → snn reference: it is not reading the sources"
    );
    let bad: Vec<String> = forbidden(&edges).iter().map(|e| e.to_string()).collect();
    assert!(bad.is_empty(), "forbidden imports:\n{}", bad.join("\n"));
}

fn is_pending(e: &Edge) -> bool {
    PENDING
        .iter()
        .any(|&(from, to, _)| e.from == from && e.to == to)
}

#[test]
fn top_level_modules_form_no_cycle() {
    let edges: Vec<Edge> = crate_edges()
        .into_iter()
        .filter(|e| !is_pending(e))
        .collect();
    if let Some(cycle) = find_cycle(&edges) {
        let lines: Vec<String> = cycle.iter().map(|e| e.to_string()).collect();
        panic!("import cycle:\n{}", lines.join("\n"));
    }
}

#[test]
fn exceptions_are_not_stale() {
    let edges = crate_edges();
    for (from, to, why) in PENDING {
        assert!(
            edges.iter().any(|e| e.from == from && e.to == to),
            "{from} → {to} is gone ({why}): remove it from PENDING"
        );
    }
}

#[test]
fn the_checks_catch_what_they_look_for() {
    let modules: BTreeSet<String> = ["snn", "io", "config", "train", "rng"]
        .map(String::from)
        .into();
    let snn = "//! see [`crate::io`]\nuse crate::rng::Rng;\nuse crate::{io::weights, train};\n";
    let mut edges = edges_of("src/snn/lif.rs", "snn", snn, &modules);
    assert_eq!(
        edges
            .iter()
            .map(|e| (e.to.as_str(), e.line))
            .collect::<Vec<_>>(),
        [("rng", 2), ("io", 3), ("train", 3)],
        "a doc comment is no import; a grouped `use` names each module"
    );
    let bad = forbidden(&edges);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].to_string(), "snn → io (src/snn/lif.rs:3)");
    assert!(find_cycle(&edges).is_none());

    let io = "fn f() { crate::snn::lif::step(); }\n";
    edges.extend(edges_of("src/io/weights.rs", "io", io, &modules));
    let cycle = find_cycle(&edges).expect("snn → io → snn");
    let shown: Vec<String> = cycle.iter().map(|e| e.to_string()).collect();
    assert!(
        shown.contains(&"io → snn (src/io/weights.rs:1)".to_string()),
        "{shown:?}"
    );
    assert_eq!(cycle.first().map(|e| &e.from), cycle.last().map(|e| &e.to));
}
