//! A sweep's grid: axes `key=v1,v2,…` over configuration keys, their cartesian product as
//! points, the shard of the points one machine runs, and the fingerprint that names the sweep.
//!
//! Everything is checked here, before anything trains: every value of every axis is applied to
//! the base configuration with [`Config::set`], and so is every whole point (values that are
//! fine alone can clash, e.g. two hidden layers and three recurrence flags).

use super::error::GridError;
use crate::config::Config;

/// One axis of the grid: a configuration key (TOML path) and the values it takes, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GridAxis {
    pub key: String,
    pub values: Vec<String>,
}

impl GridAxis {
    /// Parses `key=v1,v2,…`. Commas inside brackets or quotes do not split, so
    /// `model.hidden=[100],[100,100]` has two values.
    pub fn parse(spec: &str) -> Result<GridAxis, GridError> {
        let (key, values) = spec.split_once('=').ok_or_else(|| GridError::Syntax {
            spec: spec.to_string(),
        })?;
        let key = key.trim();
        if key.is_empty() {
            return Err(GridError::EmptyKey {
                spec: spec.to_string(),
            });
        }
        let values = split_values(key, values)?;
        let axis = GridAxis {
            key: key.to_string(),
            values,
        };
        axis.check_values()?;
        Ok(axis)
    }

    fn check_values(&self) -> Result<(), GridError> {
        let key = || self.key.clone();
        if self.values.is_empty() {
            return Err(GridError::NoValues { key: key() });
        }
        for (i, v) in self.values.iter().enumerate() {
            if v.is_empty() {
                return Err(GridError::EmptyValue {
                    key: key(),
                    position: i + 1,
                });
            }
            if self.values[..i].contains(v) {
                return Err(GridError::Repeated {
                    key: key(),
                    value: v.clone(),
                });
            }
        }
        Ok(())
    }

    /// `key=v1,v2` as given (the form stored in a sweep's CSV header).
    pub fn spec(&self) -> String {
        format!("{}={}", self.key, self.values.join(","))
    }
}

/// Splits `key`'s values on top-level commas; brackets and quotes nest.
fn split_values(key: &str, text: &str) -> Result<Vec<String>, GridError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, '[' | '{') => {
                depth += 1;
                cur.push(c);
            }
            (None, ']' | '}') => {
                depth -= 1;
                if depth < 0 {
                    return Err(GridError::UnbalancedClose {
                        key: key.to_string(),
                        close: c,
                        text: text.to_string(),
                    });
                }
                cur.push(c);
            }
            (None, ',') if depth == 0 => out.push(std::mem::take(&mut cur).trim().to_string()),
            (None, c) => cur.push(c),
        }
    }
    if depth != 0 || quote.is_some() {
        return Err(GridError::Unbalanced {
            key: key.to_string(),
            text: text.to_string(),
        });
    }
    out.push(cur.trim().to_string());
    Ok(out)
}

/// The part of the points one machine runs: every `count`-th point starting at `index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Default for Shard {
    fn default() -> Self {
        Shard { index: 0, count: 1 }
    }
}

impl Shard {
    /// Parses `K/N`, 0 ≤ K < N (a SLURM array's `$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`).
    pub fn parse(text: &str) -> Result<Shard, GridError> {
        let bad = || GridError::ShardSyntax {
            text: text.to_string(),
        };
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    pub fn contains(&self, point: usize) -> bool {
        point % self.count == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One point of the grid: its index in the full cartesian product (first axis slowest), the
/// value of each axis, and the configuration they make.
#[derive(Clone, Debug)]
pub struct Point {
    pub index: usize,
    pub values: Vec<String>,
    pub config: Config,
}

impl Point {
    /// `key=value key=value`, for progress lines.
    pub fn describe(&self, axes: &[GridAxis]) -> String {
        axes.iter()
            .zip(&self.values)
            .map(|(a, v)| format!("{}={v}", a.key))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A whole sweep, checked: the base configuration, the axes, the seeds per point, the shard.
#[derive(Clone, Debug)]
pub struct Sweep {
    pub base: Config,
    pub axes: Vec<GridAxis>,
    /// Seeds per point: point configuration's `seed` + 0, 1, …, seeds − 1.
    pub seeds: usize,
    pub shard: Shard,
    points: Vec<Point>,
    fingerprint: String,
}

/// Most points a sweep may have (a typo like `1,2,…` pasted 10⁶ times is refused, not run).
pub const MAX_POINTS: usize = 100_000;

impl Sweep {
    /// Checks every axis and every point against `base`; the first problem is returned as one
    /// line naming the key and the value.
    pub fn new(
        base: Config,
        axes: Vec<GridAxis>,
        seeds: usize,
        shard: Shard,
    ) -> Result<Sweep, GridError> {
        base.validate().map_err(GridError::Base)?;
        if seeds == 0 {
            return Err(GridError::NoSeeds);
        }
        if shard.count == 0 || shard.index >= shard.count {
            return Err(GridError::ShardRange(shard));
        }
        for (i, axis) in axes.iter().enumerate() {
            axis.check_values()?;
            if axes[..i].iter().any(|a| a.key == axis.key) {
                return Err(GridError::KeySweptTwice {
                    key: axis.key.clone(),
                });
            }
        }
        let total = axes
            .iter()
            .try_fold(1usize, |n, a| n.checked_mul(a.values.len()))
            .filter(|&n| n <= MAX_POINTS)
            .ok_or(GridError::TooManyPoints)?;
        let mut points = Vec::with_capacity(total);
        for index in 0..total {
            let values = point_values(&axes, index);
            let config = apply(&base, &axes, &values)?;
            points.push(Point {
                index,
                values,
                config,
            });
        }
        let fingerprint = fingerprint(&base, &axes);
        Ok(Sweep {
            base,
            axes,
            seeds,
            shard,
            points,
            fingerprint,
        })
    }

    /// Every point of the grid (all shards).
    pub fn points(&self) -> &[Point] {
        &self.points
    }

    /// The points this shard runs.
    pub fn shard_points(&self) -> impl Iterator<Item = &Point> {
        self.points.iter().filter(|p| self.shard.contains(p.index))
    }

    /// The seeds one point is trained with.
    pub fn seeds_of(&self, point: &Point) -> Vec<u64> {
        (0..self.seeds as u64)
            .map(|i| point.config.seed.wrapping_add(i))
            .collect()
    }

    /// Names the sweep: the base configuration (serialized) and the grid. Shards of one sweep
    /// share it; `--seeds` is not part of it, so a sweep can be resumed with more seeds.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn keys(&self) -> Vec<String> {
        self.axes.iter().map(|a| a.key.clone()).collect()
    }
}

/// Applies a point's values to `base`. One value may only make sense once another is in
/// (two recurrence flags need two hidden layers), so a value refused is tried again after the
/// others, in any order; what is still refused when nothing more applies is the answer.
fn apply(base: &Config, axes: &[GridAxis], values: &[String]) -> Result<Config, GridError> {
    let mut config = base.clone();
    let mut pending: Vec<usize> = (0..axes.len()).collect();
    loop {
        let mut refused = Vec::new();
        let mut first = None;
        for &i in &pending {
            match config.set(&format!("{}={}", axes[i].key, values[i])) {
                Ok(c) => config = c,
                Err(e) => {
                    first.get_or_insert((i, e));
                    refused.push(i);
                }
            }
        }
        match first {
            None => return Ok(config),
            Some((i, e)) if refused.len() == pending.len() => {
                return Err(refusal(axes, values, i, &e));
            }
            Some(_) => pending = refused,
        }
    }
}

/// The key and value refused while applying axis `at` of a point, and the other values of the
/// point.
fn refusal(
    axes: &[GridAxis],
    values: &[String],
    at: usize,
    e: &crate::config::ConfigError,
) -> GridError {
    // A range check names the key it refused, which may be another axis of this point.
    let culprit = axes.iter().position(|a| a.key == e.key()).unwrap_or(at);
    let others: Vec<String> = axes
        .iter()
        .zip(values)
        .enumerate()
        .filter(|&(i, _)| i != culprit)
        .map(|(_, (a, v))| format!("{}={v}", a.key))
        .collect();
    let with = if others.is_empty() {
        String::new()
    } else {
        format!(" (with {})", others.join(" "))
    };
    let key = &axes[culprit].key;
    let message = if e.key() == key || e.key().is_empty() {
        e.problem()
    } else {
        e.to_string()
    };
    GridError::Point {
        key: key.clone(),
        value: values[culprit].clone(),
        message,
        with,
    }
}

/// Axis values of point `index`, the first axis varying slowest.
fn point_values(axes: &[GridAxis], mut index: usize) -> Vec<String> {
    let mut values = vec![String::new(); axes.len()];
    for (slot, axis) in values.iter_mut().zip(axes).rev() {
        let n = axis.values.len();
        *slot = axis.values[index % n].clone();
        index /= n;
    }
    values
}

/// FNV-1a (64 bit) of the base configuration's TOML and the grid, as 16 hex digits: stable
/// across runs, machines and Rust versions (unlike std's hasher).
pub fn fingerprint(base: &Config, axes: &[GridAxis]) -> String {
    let mut text = base.to_toml();
    for a in axes {
        text.push_str("\n--grid ");
        text.push_str(&a.spec());
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_keep_their_commas() {
        let a = GridAxis::parse("model.hidden=[100],[100, 100]").unwrap();
        assert_eq!(a.values, vec!["[100]", "[100, 100]"]);
    }

    #[test]
    fn first_axis_varies_slowest() {
        let axes = vec![
            GridAxis::parse("a=1,2").unwrap(),
            GridAxis::parse("b=x,y,z").unwrap(),
        ];
        assert_eq!(point_values(&axes, 0), vec!["1", "x"]);
        assert_eq!(point_values(&axes, 2), vec!["1", "z"]);
        assert_eq!(point_values(&axes, 3), vec!["2", "x"]);
    }

    #[test]
    fn shard_parses_and_refuses() {
        assert_eq!(Shard::parse("1/3").unwrap(), Shard { index: 1, count: 3 });
        assert!(Shard::parse("3/3").is_err());
        assert!(Shard::parse("0/0").is_err());
        assert!(Shard::parse("x").is_err());
    }
}
