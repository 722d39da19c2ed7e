//! Which edits the trainer takes live, which need a reset, and how two configurations differ
//! in words a legend can show.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::snn::model::PerLayer;
use crate::train::Command;

/// One setting that differs between two configurations.
#[derive(Clone, Debug, PartialEq)]
pub struct DiffEntry {
    /// TOML path, e.g. `surrogate.beta`.
    pub key: String,
    pub left: String,
    pub right: String,
}

impl DiffEntry {
    /// `β = 1`, `hidden = [100, 100]`.
    pub fn short(&self, value: &str) -> String {
        short_assignment(&self.key, value)
    }
}

/// The name a legend uses for a key: the symbols of the paper where it has them.
pub fn short_key(key: &str) -> String {
    let name = match key {
        "surrogate.beta" => "β",
        "surrogate.shape" => "σ'",
        "reg.lower.lambda" => "λ_lo",
        "reg.lower.theta" => "θ_lo",
        "reg.upper.lambda" => "λ_up",
        "reg.upper.theta" => "θ_up",
        "optim.lr" => "lr",
        "optim.kind" => "optimizer",
        "optim.batch_size" => "batch",
        "model.hidden" => "hidden",
        "model.recurrent" => "recurrent",
        "model.tau_syn_ms" => "τ_syn",
        "model.tau_mem_ms" => "τ_mem",
        "model.tau_out_ms" => "τ_out",
        "model.threshold" => "threshold",
        "model.init.gain" => "init gain",
        "model.init.target" => "init target",
        "model.init.kind" => "init",
        "data.randman.seed" => "data seed",
        "data.kind" => "data",
        _ => key.rsplit('.').next().unwrap_or(key),
    };
    name.to_string()
}

pub fn short_assignment(key: &str, value: &str) -> String {
    format!("{} = {}", short_key(key), value)
}

/// Every leaf of a configuration as `key → value`, values printed the way a person reads them
/// (`1` rather than `1.0`, `esser` rather than `"esser"`).
pub fn flatten(config: &Config) -> BTreeMap<String, String> {
    crate::config::leaves(config)
        .into_iter()
        .map(|(k, v)| (k, pretty(&v)))
        .collect()
}

fn pretty(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Float(f) => format_number(*f),
        toml::Value::Array(a) => {
            let items: Vec<String> = a.iter().map(pretty).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// Short, exact enough for a legend: 1, 0.02, 1e-5, 12.5.
pub fn format_number(f: f64) -> String {
    if f == 0.0 || !f.is_finite() {
        return format!("{f}");
    }
    let a = f.abs();
    if !(1e-3..1e5).contains(&a) {
        return format!("{f:e}");
    }
    let s = format!("{f:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The settings in which `a` and `b` differ, in key order.
pub fn config_diff(a: &Config, b: &Config) -> Vec<DiffEntry> {
    let fa = flatten(&normalized(a));
    let fb = flatten(&normalized(b));
    let mut keys: Vec<&String> = fa.keys().chain(fb.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let l = fa.get(k).cloned().unwrap_or_default();
            let r = fb.get(k).cloned().unwrap_or_default();
            (l != r).then(|| DiffEntry {
                key: k.clone(),
                left: l,
                right: r,
            })
        })
        .collect()
}

/// `recurrent = false` and `recurrent = [false]` mean the same network; compare them so.
pub fn normalized(config: &Config) -> Config {
    let mut c = config.clone();
    let n = c.model.hidden.len();
    let flags: Vec<bool> = (0..n).map(|i| c.model.is_recurrent(i)).collect();
    c.model.recurrent = PerLayer::Each(flags);
    c
}

/// Brings `applied` (what the trainer runs with) up to `draft` in the settings the trainer
/// takes between batches, and returns the command that tells it so. Only the live settings
/// that changed are checked; one that is not valid stays as it was.
pub fn live_command(draft: &Config, applied: &mut Config) -> Option<Command> {
    let in_force = applied.live();
    let live = in_force.adopt(&draft.live());
    (live != in_force).then(|| {
        applied.set_live(live);
        Command::SetLive(live)
    })
}

/// The edits in `draft` that only a reset can apply (layers, widths, data, …).
pub fn structural_changes(draft: &Config, applied: &Config) -> Vec<DiffEntry> {
    let mut base = applied.clone();
    base.set_live(draft.live());
    config_diff(&base, draft)
}

/// Canonical form after a per-layer edit: one flag for all layers when they agree, so that the
/// file stays as short as the user wrote it.
pub fn compact_recurrent(flags: &[bool]) -> PerLayer {
    match flags.first() {
        Some(&first) if flags.iter().all(|&f| f == first) => PerLayer::All(first),
        _ => PerLayer::Each(flags.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_is_live_and_width_is_structural() {
        let applied = Config::default();
        let mut draft = applied.clone();
        draft.surrogate.beta = 100.0;
        draft.model.hidden = vec![50];
        let mut a = applied.clone();
        let cmd = live_command(&draft, &mut a);
        assert!(matches!(cmd, Some(Command::SetLive(l)) if l.surrogate.beta == 100.0));
        assert_eq!(a.surrogate.beta, 100.0);
        let s = structural_changes(&draft, &a);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].key, "model.hidden");
    }

    #[test]
    fn recurrent_spelling_is_not_a_change() {
        let a = Config::default();
        let mut b = a.clone();
        b.model.recurrent = PerLayer::Each(vec![false]);
        assert!(config_diff(&a, &b).is_empty());
    }

    #[test]
    fn numbers_read_like_a_person_wrote_them() {
        assert_eq!(format_number(1.0), "1");
        assert_eq!(format_number(0.02), "0.02");
        assert_eq!(format_number(1e-5), "1e-5");
        assert_eq!(format_number(12.5), "12.5");
    }
}
