//! A NIR file as a network to run, in one call: read, map, choose the conventions, convert,
//! and the one-line summary the command line and the window show.
//!
//! Graphs this program wrote say in their metadata how they step (Δt, discretisation,
//! current and reset timing); graphs from elsewhere run as Norse's `from_nir` runs them,
//! with the Δt and discretisation the user gives.

use std::path::Path;

use burn::tensor::Device;

use super::discrete::Discretisation;
use super::graph::Meta;
use super::model::{Conventions, to_network};
use super::stack::Stack;
use super::{map, read};
use crate::snn::dynamics::{CurrentTiming, NetworkDynamics, ResetTiming};
use crate::snn::network::Weights;

/// The `source` metadata of graphs this program writes (equal to `io::weights::FORMAT`,
/// checked by tests/files/nir_train.rs).
pub const OURS: &str = "surrogate-lab weights v1";

/// What a graph says of itself before any Δt is chosen: for prefilling the window's fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Peek {
    pub stack: Stack,
    /// The graph's own Δt and discretisation (ours store them).
    pub dt_ms: Option<f64>,
    pub discretisation: Option<Discretisation>,
}

/// A graph turned into a network this program runs.
#[derive(Clone, Debug)]
pub struct Opened {
    pub weights: Weights,
    pub dynamics: NetworkDynamics,
    pub conventions: Conventions,
    /// `12 → 38 recurrent CubaLIF → 7 CubaLIF, Δt 0.1 ms (forward Euler)`.
    pub summary: String,
}

impl From<&Opened> for crate::train::trainer::ImportedNetwork {
    /// An opened graph as the trainer runs it.
    fn from(opened: &Opened) -> Self {
        Self {
            weights: opened.weights.clone(),
            dynamics: opened.dynamics.clone(),
            dt_ms: opened.conventions.dt_s * 1000.0,
            discretisation: opened.conventions.discretisation,
            summary: opened.summary.clone(),
        }
    }
}

fn text<'m>(stack: &'m Stack, key: &str) -> Option<&'m str> {
    match stack.metadata.get(key) {
        Some(Meta::Text(t)) => Some(t.as_str()),
        _ => None,
    }
}

fn is_ours(stack: &Stack) -> bool {
    text(stack, "source") == Some(OURS)
}

/// Reads and maps `path`; the error names the file and the problem on one line.
pub fn peek(path: &Path) -> Result<Peek, String> {
    let name = path.display();
    let graph = read::read_file(path).map_err(|e| e.to_string())?;
    let stack = map::to_stack(graph).map_err(|e| format!("{name}: {e}"))?;
    // Our exports before the key existed wrote τ for forward Euler.
    let discretisation = is_ours(&stack).then(|| {
        text(&stack, "discretisation")
            .and_then(Discretisation::from_key)
            .unwrap_or(Discretisation::Euler)
    });
    Ok(Peek {
        dt_ms: stack.dt_s.map(|s| s * 1000.0),
        discretisation,
        stack,
    })
}

/// How `stack` steps: our metadata's conventions for our graphs, else Norse's.
pub fn conventions(stack: &Stack, dt_s: f64, discretisation: Discretisation) -> Conventions {
    let base = if is_ours(stack) {
        let mut c = Conventions::ours(dt_s);
        if text(stack, "current") == Some(CurrentTiming::This.key()) {
            c.current = CurrentTiming::This;
        }
        if text(stack, "reset_timing") == Some(ResetTiming::Same.key()) {
            c.reset_timing = ResetTiming::Same;
        }
        if text(stack, "reset_detached") == Some("false") {
            c.reset_detached = false;
        }
        c
    } else {
        Conventions::norse(dt_s)
    };
    Conventions {
        discretisation,
        ..base
    }
}

/// Opens `path` at Δt = `dt_ms` (else the graph's own) with `discretisation` (else the
/// graph's own, else forward Euler, as snnTorch's and Norse's importers read τ).
pub fn open(
    path: &Path,
    dt_ms: Option<f64>,
    discretisation: Option<Discretisation>,
    device: &Device,
) -> Result<Opened, String> {
    let peeked = peek(path)?;
    let name = path.display();
    let dt_ms = dt_ms.or(peeked.dt_ms).ok_or_else(|| {
        format!("{name}: the graph does not store its time step; give Δt (--dt-ms)")
    })?;
    if !(dt_ms.is_finite() && dt_ms > 0.0) {
        return Err(format!(
            "{name}: Δt must be a positive number of milliseconds, not {dt_ms}"
        ));
    }
    let how = discretisation
        .or(peeked.discretisation)
        .unwrap_or(Discretisation::Euler);
    let conventions = conventions(&peeked.stack, dt_ms / 1000.0, how);
    let (weights, dynamics) =
        to_network(&peeked.stack, &conventions, device).map_err(|e| format!("{name}: {e}"))?;
    Ok(Opened {
        weights,
        dynamics,
        conventions,
        summary: summary(&peeked.stack, dt_ms, how),
    })
}

/// `12 → 38 recurrent CubaLIF → 7 CubaLIF, Δt 0.1 ms (forward Euler)`.
pub fn summary(stack: &Stack, dt_ms: f64, how: Discretisation) -> String {
    let kind = match how {
        Discretisation::Exact => "exact",
        Discretisation::Euler => "forward Euler",
    };
    format!("{}, Δt {} ms ({kind})", stack.summary(), format_ms(dt_ms))
}

/// 0.1 rather than 0.09999999999999999.
pub fn format_ms(ms: f64) -> String {
    let rounded = format!("{ms:.6}");
    rounded
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}
