//! Key paths: `--set key=value` edits, and every leaf of an experiment by its TOML path.

use super::file::one_line;
use super::{Config, ConfigError};
use crate::snn::model::ModelConfig;

impl Config {
    /// Applies `key=value` with `key` a TOML path (`surrogate.beta`, `model.hidden`) and `value`
    /// any TOML value; a bare word is taken as a string (`surrogate.shape=esser`).
    pub fn set(&self, assignment: &str) -> Result<Config, ConfigError> {
        let (key, raw) = assignment
            .split_once('=')
            .ok_or_else(|| ConfigError::NotAssignment(assignment.into()))?;
        let key = key.trim();
        let raw = raw.trim();
        let value = parse_value(raw);

        let mut root = full_value(self).map_err(|e| ConfigError::Unencodable {
            key: key.into(),
            why: e.to_string(),
        })?;
        let path: Vec<&str> = key.split('.').collect();
        let slot = lookup_mut(&mut root, &path).ok_or_else(|| ConfigError::UnknownKey {
            key: key.into(),
            known: known_keys(self).join(", "),
        })?;
        *slot = value;
        let updated: Config =
            root.try_into()
                .map_err(|e: toml::de::Error| ConfigError::CannotTake {
                    key: key.into(),
                    raw: raw.into(),
                    why: one_line(e.message()),
                })?;
        updated.validate()?;
        Ok(updated)
    }
}

fn parse_value(raw: &str) -> toml::Value {
    // A TOML value needs a key to parse; anything that does not parse is a bare string.
    let doc = format!("v = {raw}");
    match doc.parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.into())),
        Err(_) => toml::Value::String(raw.into()),
    }
}

fn lookup_mut<'a>(root: &'a mut toml::Value, path: &[&str]) -> Option<&'a mut toml::Value> {
    let mut cur = root;
    for part in path {
        cur = cur.as_table_mut()?.get_mut(*part)?;
    }
    Some(cur)
}

/// Settings a file leaves out while they hold the paper's value (`ModelConfig`), so that
/// files and sweep fingerprints made before they existed stay the same: (table, key, value
/// when left out).
fn quiet() -> Vec<(&'static str, &'static str, toml::Value)> {
    let model = ModelConfig::default();
    [
        ("current", toml::Value::try_from(model.current)),
        ("reset_timing", toml::Value::try_from(model.reset_timing)),
    ]
    .into_iter()
    .filter_map(|(key, value)| Some(("model", key, value.ok()?)))
    .collect()
}

/// A configuration as a TOML value with every key: the quiet settings a serialized
/// configuration leaves out are put back, with their values.
fn full_value(config: &Config) -> Result<toml::Value, toml::ser::Error> {
    let mut root = toml::Value::try_from(config)?;
    for (table, key, value) in quiet() {
        if let Some(t) = root.get_mut(table).and_then(toml::Value::as_table_mut) {
            t.entry(key).or_insert(value);
        }
    }
    Ok(root)
}

/// A configuration as TOML with every key, the quiet ones included (`keys`).
pub fn full_toml(config: &Config) -> String {
    full_value(config)
        .map(|root| toml::to_string_pretty(&root).unwrap_or_default())
        .unwrap_or_default()
}

/// Every leaf of a configuration as (TOML path, value), in key order, the quiet ones included.
pub fn leaves(config: &Config) -> Vec<(String, toml::Value)> {
    full_value(config).map(value_leaves).unwrap_or_default()
}

/// Every leaf of a TOML value as (dotted path, value), in key order.
pub(super) fn value_leaves(v: toml::Value) -> Vec<(String, toml::Value)> {
    fn walk(prefix: &str, v: toml::Value, out: &mut Vec<(String, toml::Value)>) {
        match v {
            toml::Value::Table(t) => {
                for (k, child) in t {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&p, child, out);
                }
            }
            other => out.push((prefix.to_string(), other)),
        }
    }
    let mut out = Vec::new();
    walk("", v, &mut out);
    out
}

/// Every settable leaf key of a configuration, as TOML paths.
pub fn known_keys(config: &Config) -> Vec<String> {
    leaves(config).into_iter().map(|(k, _)| k).collect()
}
