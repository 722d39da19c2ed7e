//! The three flavours a network is written in (`export.rs` writes the graph): `generic` (NIR's own meaning of
//! every field), or shaped so that `snntorch.import_nir.import_from_nir` (snnTorch 1.0) or
//! `norse.torch.from_nir` (Norse 1.1) computes what we compute.
//!
//! Both libraries step NIR's neurons with forward Euler (decay 1 − Δt/τ), so a τ of
//! Δt/(1 − d) gives exactly our per-step decay d = exp(−Δt/τ_ours). Then, per flavour:
//!
//! ```text
//!            Δt in the file   w_in        r            weights       readout
//! generic    ours             1/(1 − α)   c/(1 − β)    W, V          CubaLI
//! norse      ours             1/(1 − α)   c/(1 − β)    W, V          CubaLIF, ϑ = 1e30
//! snntorch   1e-4 s (fixed)   1/(1 − α)   1/(1 − β)    c·W, c·V      CubaLIF, ϑ = 1e30
//! ```
//!
//! snnTorch asserts r = τ_mem/Δt, i.e. a membrane gain (1 − β)·r of 1, and has no input
//! factor; since I is linear in W and V, our c moves into them. Neither library maps
//! `CubaLI` (Norse skips it, snnTorch refuses it), so the readout is a CubaLIF whose
//! threshold no membrane reaches; it never fires and never resets. Both libraries integrate
//! this step's current and reset in the same step. A network trained in those conventions
//! (`model.current = this`, `model.reset_timing = same`) is then theirs exactly. In the
//! paper's (README "Networks in and out") each of our layers answers two steps later (the
//! readout lags by 2·layers + 1 steps), after a spike ours discards the current of the reset
//! step, and a recurrent spike reaches our membrane one step later.

use std::fmt;

use crate::snn::dynamics::{CurrentTiming, Discretisation, ResetTiming};
use crate::snn::lif::ResetMode;
use crate::snn::model::ModelConfig;

/// The time step snnTorch 1.0's importer assumes for every graph (it stores none).
pub const SNNTORCH_DT_S: f64 = 1e-4;

/// A threshold no membrane reaches: a CubaLIF with it is a non-spiking readout.
pub const NEVER_FIRES: f64 = 1e30;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Flavour {
    /// NIR's meaning of every field; the readout is a `CubaLI`.
    #[default]
    Generic,
    /// Loads in `snntorch.import_nir.import_from_nir` (snnTorch 1.0).
    Snntorch,
    /// Loads in `norse.torch.from_nir` (Norse 1.1).
    Norse,
}

impl Flavour {
    pub const ALL: [Flavour; 3] = [Flavour::Generic, Flavour::Snntorch, Flavour::Norse];

    pub fn key(self) -> &'static str {
        match self {
            Flavour::Generic => "generic",
            Flavour::Snntorch => "snntorch",
            Flavour::Norse => "norse",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }

    /// The Δt the file's τ's are written for, our Δt being `dt_s`.
    pub fn dt_s(self, dt_s: f64) -> f64 {
        match self {
            Flavour::Snntorch => SNNTORCH_DT_S,
            Flavour::Generic | Flavour::Norse => dt_s,
        }
    }

    /// How the file's τ's are meant, ours being `ours`: the libraries step forward Euler, the
    /// generic graph keeps ours.
    pub fn discretisation(self, ours: Discretisation) -> Discretisation {
        match self {
            Flavour::Generic => ours,
            Flavour::Snntorch | Flavour::Norse => Discretisation::Euler,
        }
    }
}

impl fmt::Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// One layer's NIR fields and the factor its incoming weights are multiplied by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Folded {
    pub tau_syn: f64,
    pub tau_mem: f64,
    pub w_in: f64,
    pub r: f64,
    pub weight_scale: f64,
    /// `None`: a `CubaLI` (generic readout).
    pub v_threshold: Option<f64>,
}

/// The fields that make `flavour`'s importer step a neuron with synaptic decay `alpha`,
/// membrane decay `beta` and input factor `c` exactly as we do (`threshold`: `None` for
/// the readout), our Δt being `dt_s`.
pub fn fold(
    flavour: Flavour,
    dt_s: f64,
    alpha: f64,
    beta: f64,
    c: f64,
    threshold: Option<f64>,
) -> Folded {
    let dt = flavour.dt_s(dt_s);
    let tau = |decay: f64| dt / (1.0 - decay);
    let (r, weight_scale) = match flavour {
        Flavour::Snntorch => (1.0 / (1.0 - beta), c),
        Flavour::Generic | Flavour::Norse => (c / (1.0 - beta), 1.0),
    };
    let v_threshold = match (flavour, threshold) {
        (_, Some(t)) => Some(t),
        (Flavour::Generic, None) => None,
        (Flavour::Snntorch | Flavour::Norse, None) => Some(NEVER_FIRES),
    };
    Folded {
        tau_syn: tau(alpha),
        tau_mem: tau(beta),
        w_in: 1.0 / (1.0 - alpha),
        r,
        weight_scale,
        v_threshold,
    }
}

/// How many steps the libraries' readout runs ahead of ours in `model`'s conventions: a
/// layer that takes the previous step's current answers a step later, one that reads its
/// spike before integrating another (0 in the libraries' own conventions).
pub fn readout_lead_steps(model: &ModelConfig) -> usize {
    super::export::readout_lead_steps(model.hidden.len(), model.current, model.reset_timing)
}

/// Whether the network steps as Norse and snnTorch do: this step's current, reset in the
/// same step.
pub fn in_library_conventions(model: &ModelConfig) -> bool {
    model.current == CurrentTiming::This && model.reset_timing == ResetTiming::Same
}

/// What the flavour's library will still compute differently for this model, one line each.
pub fn deviations(flavour: Flavour, model: &ModelConfig, recurrent: bool) -> Vec<String> {
    if flavour == Flavour::Generic {
        return Vec::new();
    }
    let lib = match flavour {
        Flavour::Snntorch => "snnTorch",
        _ => "Norse",
    };
    let mut out = Vec::new();
    if !in_library_conventions(model) {
        let after_spike = if model.reset_timing == ResetTiming::Next {
            ", and after a spike it keeps the reset step's current"
        } else {
            ""
        };
        out.push(format!(
            "{lib} integrates this step's current and resets in the same step: its readout runs \
             {} steps ahead of ours{after_spike} (train with model.current=this and \
             model.reset_timing=same for an exact export)",
            readout_lead_steps(model)
        ));
        if recurrent {
            out.push(format!(
                "{lib}'s recurrent spikes reach the membrane in another step than ours"
            ));
        }
    }
    if recurrent && flavour == Flavour::Snntorch {
        out.push(
            "snnTorch 1.0's import_from_nir fails on every recurrent graph \
             ('GraphModule' object has no attribute 'items')"
                .into(),
        );
    }
    match model.reset {
        ResetMode::Zero => {}
        ResetMode::Subtract if flavour == Flavour::Norse => out.push(
            "reset by subtraction: pass reset_method=norse.torch.functional.reset.reset_subtract"
                .into(),
        ),
        other => out.push(format!(
            "{lib}'s import resets to zero; this network resets {}",
            other.key()
        )),
    }
    out
}
