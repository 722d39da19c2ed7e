//! The range checks every layer's settings share: a refused value names its key and what is
//! allowed, in one line (`surrogate.beta: -1 is out of range: β must be ≥ 0 and ≤ 1e6`).

/// A number a setting cannot take.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OutOfBounds {
    /// Outside its interval (NaN is always outside).
    #[error("{key}: {value} is out of range: {allowed}")]
    Range {
        key: String,
        value: String,
        allowed: String,
    },
    #[error("{key}: {value} is not allowed: must be a finite number > 0")]
    NotPositive { key: String, value: f64 },
}

impl OutOfBounds {
    /// The TOML path of the refused setting.
    pub fn key(&self) -> &str {
        match self {
            OutOfBounds::Range { key, .. } | OutOfBounds::NotPositive { key, .. } => key,
        }
    }
}

/// Refuses a value outside `lo..=hi`; NaN is always refused. `allowed` says what is, in words.
pub fn check_range(
    key: &str,
    value: f64,
    lo: f64,
    hi: f64,
    allowed: &str,
) -> Result<(), OutOfBounds> {
    if value.is_nan() || value < lo || value > hi {
        return Err(OutOfBounds::Range {
            key: key.into(),
            value: value.to_string(),
            allowed: allowed.into(),
        });
    }
    Ok(())
}

/// Refuses a seed that an experiment file cannot hold: TOML integers are signed 64-bit, so a
/// larger seed would validate here and then make the file unsavable.
pub fn check_seed(key: &str, value: u64) -> Result<(), OutOfBounds> {
    if value > i64::MAX as u64 {
        return Err(OutOfBounds::Range {
            key: key.into(),
            value: value.to_string(),
            allowed: format!("0–{} (a TOML integer)", i64::MAX),
        });
    }
    Ok(())
}

/// Refuses a count outside `lo..=hi`; the allowed range is shown as `lo–hi` then `unit`.
pub fn check_count(
    key: &str,
    value: usize,
    lo: usize,
    hi: usize,
    unit: &str,
) -> Result<(), OutOfBounds> {
    if value < lo || value > hi {
        return Err(OutOfBounds::Range {
            key: key.into(),
            value: value.to_string(),
            allowed: format!("{lo}–{hi}{unit}"),
        });
    }
    Ok(())
}

/// Refuses zero, negative, infinite and NaN values.
pub fn check_positive(key: &str, value: f64) -> Result<(), OutOfBounds> {
    if !(value.is_finite() && value > 0.0) {
        return Err(OutOfBounds::NotPositive {
            key: key.into(),
            value,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_and_the_edges() {
        assert!(check_range("k", f64::NAN, 0.0, 1.0, "0–1").is_err());
        assert!(check_range("k", 1.0, 0.0, 1.0, "0–1").is_ok());
        assert_eq!(
            check_range("k", 2.0, 0.0, 1.0, "0–1")
                .unwrap_err()
                .to_string(),
            "k: 2 is out of range: 0–1"
        );
        assert_eq!(
            check_count("n", 0, 1, 10, " steps")
                .unwrap_err()
                .to_string(),
            "n: 0 is out of range: 1–10 steps"
        );
        assert!(check_positive("p", f64::INFINITY).is_err());
        assert_eq!(check_positive("p", 0.0).unwrap_err().key(), "p");
    }
}
