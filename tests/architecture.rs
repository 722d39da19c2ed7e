//! What the crate graph cannot say. The workspace keeps the engine (`crates/engine`) from
//! knowing the files and studies (`crates/files`), and both from knowing the window: cargo
//! refuses such an import. Inside each crate the layers are ordered, and this test keeps them
//! so: it reads every `crate::X` reference in each crate's `src/`, and fails, naming file and
//! line, when a module imports one listed after it (or one not listed: a new module must take
//! its place in the order), or when the modules close a cycle. It also checks that the window
//! never holds the trainer (it speaks to it through `Session`'s channels), and that
//! ARCHITECTURE.md's file map lists every source file with its first doc line
//! (`UPDATE_MAP=1 cargo test --test architecture` rewrites the map).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each crate's source folder and its top-level modules, lowest first: a module may import
/// only those before it. Modules of the crates below, re-exported under their own names, are
/// outside the order (cargo keeps those edges one-way).
const CRATES: [(&str, &[&str]); 3] = [
    (
        "crates/engine/src",
        // The leaves; then the data sets; the model, which consumes the data's batches
        // (`SparseBatch`); the trainer.
        &[
            "vfs", "atomic", "backend", "bounds", "clock", "memory", "rng", "data", "snn", "train",
        ],
    ),
    (
        "crates/files/src",
        // NIR graphs and the experiment know only the engine; weight files write both; the
        // sweeps run experiments and read weight files; `untrusted` reaches every reader.
        &["nir", "config", "io", "sweep", "untrusted"],
    ),
    ("src", &["app", "cli", "web"]),
];

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

/// The references to a module listed after the importer (or not listed at all).
fn out_of_order<'a>(edges: &'a [Edge], order: &[&str]) -> Vec<&'a Edge> {
    let rank = |m: &str| order.iter().position(|o| *o == m);
    edges
        .iter()
        .filter(|e| match (rank(&e.from), rank(&e.to)) {
            (Some(from), Some(to)) => to > from,
            _ => true,
        })
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

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every source file under `src` (relative to the repository), sorted.
fn sources(src: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&root().join(src), &mut files);
    files.sort();
    files
}

/// Every reference between the top-level modules of the crate whose sources are in `src`.
fn crate_edges(src: &str) -> (BTreeSet<String>, Vec<Edge>) {
    let base = root().join(src);
    let files = sources(src);
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| top_module(f.strip_prefix(&base).ok()?))
        .collect();
    let mut edges = Vec::new();
    for path in &files {
        let relative = path.strip_prefix(&base).expect("under src");
        let Some(from) = top_module(relative) else {
            continue;
        };
        let text = std::fs::read_to_string(path).expect("readable source");
        let shown = format!("{src}/{}", relative.display());
        edges.extend(edges_of(&shown, &from, &text, &modules));
    }
    (modules, edges)
}

#[test]
fn each_crate_imports_down_its_order_only() {
    let mut seen = 0;
    for (src, order) in CRATES {
        let (modules, edges) = crate_edges(src);
        let unlisted: Vec<&String> = modules
            .iter()
            .filter(|m| !order.contains(&m.as_str()))
            .collect();
        assert!(
            unlisted.is_empty(),
            "{src}: modules without a place in the order: {unlisted:?}"
        );
        let bad: Vec<String> = out_of_order(&edges, order)
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert!(
            bad.is_empty(),
            "{src}: imports up the order:\n{}",
            bad.join("\n")
        );
        if let Some(cycle) = find_cycle(&edges) {
            let lines: Vec<String> = cycle.iter().map(|e| e.to_string()).collect();
            panic!("{src}: import cycle:\n{}", lines.join("\n"));
        }
        seen += edges.len();
    }
    assert!(
        seen > 50,
        "the scan found {seen} references: it is not reading the sources"
    );
}

#[test]
fn the_window_speaks_to_the_trainer_only_through_its_channel() {
    let mut found = Vec::new();
    for path in sources("src/app") {
        let text = std::fs::read_to_string(&path).expect("readable source");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let holds = code
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| w == "Trainer");
            if holds {
                found.push(format!("{}:{}", path.display(), i + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the window names the Trainer (use Session's Command/Event):\n{}",
        found.join("\n")
    );
}

/// `std::time::Instant::now` panics in the page (wasm32-unknown-unknown has no clock in std):
/// every clock read outside tests goes through `clock::Instant` (web-time there). Only the
/// browser test would catch this otherwise, after a 25-minute cold web build.
#[test]
fn code_that_runs_in_the_page_reads_the_clock_through_clock() {
    let mut found = Vec::new();
    for src in ["src", "crates/engine/src", "crates/files/src"] {
        for path in sources(src) {
            if path.ends_with("clock.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable source");
            // Unit tests never run in the page.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for (i, line) in code.lines().enumerate() {
                if std_instant(line) {
                    found.push(format!("{}:{}", path.display(), i + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "std::time::Instant outside clock.rs (use crate::clock::Instant):\n{}",
        found.join("\n")
    );
}

/// A line of code that names std's `Instant` (`std::time::Instant`, or in a `std::time::{…}`
/// import).
fn std_instant(line: &str) -> bool {
    let code = line.split("//").next().unwrap_or("");
    code.split("std::time::").skip(1).any(|rest| {
        let item = match rest.strip_prefix('{') {
            Some(list) => list.split('}').next().unwrap_or(""),
            None => rest,
        };
        item.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w == "Instant")
    })
}

/// The file map: every source file of the three crates with the first line of its module
/// documentation (`//!`), as ARCHITECTURE.md shows it between its markers.
fn file_map() -> String {
    let mut out = String::from("```text\n");
    for (src, _) in CRATES {
        for path in sources(src) {
            let text = std::fs::read_to_string(&path).expect("readable source");
            let doc = text
                .lines()
                .find_map(|l| l.trim_start().strip_prefix("//!"))
                .map(str::trim)
                .unwrap_or("");
            let shown = path.strip_prefix(root()).expect("in the repository");
            out += &format!("{:<44} {doc}\n", shown.display());
        }
    }
    out + "```\n"
}

const MAP_START: &str = "<!-- file map: tests/architecture.rs writes it -->\n";
const MAP_END: &str = "<!-- end of the file map -->\n";

#[test]
fn the_map_lists_every_source_file() {
    let path = root().join("ARCHITECTURE.md");
    let text = std::fs::read_to_string(&path).expect("ARCHITECTURE.md");
    let (Some(start), Some(end)) = (text.find(MAP_START), text.find(MAP_END)) else {
        panic!("ARCHITECTURE.md has no file map between {MAP_START:?} and {MAP_END:?}");
    };
    let shown = &text[start + MAP_START.len()..end];
    let expected = file_map();
    if shown == expected {
        return;
    }
    if std::env::var_os("UPDATE_MAP").is_some() {
        let updated = format!("{}{MAP_START}{expected}{}", &text[..start], &text[end..]);
        std::fs::write(&path, updated).expect("writes ARCHITECTURE.md");
        return;
    }
    let listed: BTreeSet<&str> = shown.lines().collect();
    let wanted: BTreeSet<&str> = expected.lines().collect();
    let missing: Vec<&&str> = wanted.difference(&listed).collect();
    let stale: Vec<&&str> = listed.difference(&wanted).collect();
    panic!(
        "ARCHITECTURE.md's file map differs from the tree (UPDATE_MAP=1 cargo test --test architecture rewrites it)\nmissing or changed:\n{missing:#?}\nno longer so:\n{stale:#?}"
    );
}

/// README's Layout names every folder of the repository (those .gitignore leaves out aside).
#[test]
fn the_readme_layout_names_every_folder() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let layout = readme
        .split("## Layout")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("README has a Layout section");
    let ignored = std::fs::read_to_string(root().join(".gitignore")).unwrap_or_default();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root()).expect("the repository") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !path.is_dir()
            || name.starts_with('.')
            || ignored.lines().any(|l| l.trim() == format!("/{name}"))
        {
            continue;
        }
        if !layout.contains(&format!("    {name}/")) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "README's Layout does not name: {missing:?}"
    );
}

#[test]
fn the_checks_catch_what_they_look_for() {
    assert!(std_instant("use std::time::{Duration, Instant};"));
    assert!(std_instant("    let t = std::time::Instant::now();"));
    assert!(!std_instant("use std::time::Duration;"));
    assert!(!std_instant(
        "use crate::clock::Instant; // not std::time::Instant"
    ));

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
    let bad = out_of_order(&edges, &["rng", "snn", "train"]);
    let shown: Vec<String> = bad.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        shown,
        [
            "snn → io (src/snn/lif.rs:3)",
            "snn → train (src/snn/lif.rs:3)"
        ],
        "an unlisted module and one later in the order are both refused"
    );
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
