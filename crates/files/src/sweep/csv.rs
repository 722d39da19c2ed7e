//! The sweep's results file: CSV with a comment header that names the sweep.
//!
//! ```text
//! # surrogate-lab sweep v1 fingerprint=3f2a… shard=0/1 seeds=2 points=6
//! # grid surrogate.shape=super_spike,esser
//! # grid surrogate.beta=1,10,100
//! point,surrogate.shape,surrogate.beta,seed,val_acc,chosen_epoch,test_acc,final_test_acc,…
//! 0,super_spike,1,42,0.83,7,0.81,0.8,…
//! ```
//!
//! Validation decides, test reports: a run's chosen epoch is its best validation epoch and
//! `test_acc` is the test accuracy at that epoch (a data set without a validation split has
//! `val_acc` NaN and its last epoch chosen). Files of format v1 (before validation was
//! recorded) are still read, marked as selected on test: their `best_test_acc`, the maximum test
//! accuracy over the epochs, becomes `test_acc` and their `best_epoch` the chosen epoch.
//!
//! Rows are kept sorted by (point, seed), so a file does not depend on how many jobs ran or in
//! which order they finished. Values are quoted (RFC 4180) where they hold a comma or a quote,
//! e.g. `"[100,100]"`. The whole file is rewritten atomically after every finished row
//! (`write_atomic`: temporary file, fsync, rename), so a crash leaves the previous complete
//! file, never a half-written row.

use std::path::Path;

use super::error::{CsvError, CsvParseError, CsvProblem};
use super::grid::{Shard, Sweep};
use crate::atomic::write_atomic;

/// Format of the header line (the version follows).
pub const FORMAT: &str = "surrogate-lab sweep";
/// The version written.
pub const VERSION: &str = "v2";

/// Result columns after the swept keys.
pub const METRIC_COLUMNS: [&str; 11] = [
    "seed",
    "val_acc",
    "chosen_epoch",
    "test_acc",
    "final_test_acc",
    "final_test_loss",
    "final_train_acc",
    "rate_hz",
    "epochs",
    "seconds",
    "status",
];

/// One trained (point, seed).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub point: usize,
    /// The value of each swept key, as written in the grid.
    pub values: Vec<String>,
    pub seed: u64,
    /// Validation accuracy at the chosen epoch: the highest over the epochs (NaN without a
    /// validation split).
    pub val_acc: f32,
    /// The (1-based) epoch chosen: the first with the highest validation accuracy, else the
    /// last one trained.
    pub chosen_epoch: usize,
    /// Test accuracy at the chosen epoch: the number reported.
    pub test_acc: f32,
    pub final_test_acc: f32,
    pub final_test_loss: f32,
    pub final_train_acc: f32,
    /// Mean firing rate of all hidden neurons on the test set after the last epoch, Hz.
    pub rate_hz: f32,
    /// Epochs trained.
    pub epochs: usize,
    /// Wall time of this row's training and evaluation.
    pub seconds: f64,
    /// `ok`, `diverged@E` when the loss became NaN in epoch E, or `non_finite_gradient@E` when a
    /// gradient did (the metrics are those of the epochs before).
    pub status: String,
}

impl Row {
    /// What runs are ranked by: validation accuracy, or where the run had no validation
    /// split (or comes from a v1 file), its test accuracy.
    pub fn score(&self) -> f32 {
        if self.val_acc.is_finite() {
            self.val_acc
        } else {
            self.test_acc
        }
    }

    /// The row without its wall time: what must be equal between two runs of the same sweep.
    pub fn result_eq(&self, other: &Row) -> bool {
        let strip = |r: &Row| Row {
            seconds: 0.0,
            ..r.clone()
        };
        let (a, b) = (strip(self), strip(other));
        // NaN ≠ NaN; compare as written.
        a.fields() == b.fields()
    }

    fn fields(&self) -> Vec<String> {
        let mut f = vec![self.point.to_string()];
        f.extend(self.values.iter().cloned());
        f.extend([
            self.seed.to_string(),
            self.val_acc.to_string(),
            self.chosen_epoch.to_string(),
            self.test_acc.to_string(),
            self.final_test_acc.to_string(),
            self.final_test_loss.to_string(),
            self.final_train_acc.to_string(),
            self.rate_hz.to_string(),
            self.epochs.to_string(),
            format!("{:.3}", self.seconds),
            self.status.clone(),
        ]);
        f
    }
}

/// What decided a run's chosen epoch and a grid's best point.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Selection {
    /// Validation accuracy (format v2; runs without a validation split take their last epoch).
    #[default]
    Validation,
    /// The maximum test accuracy over the epochs (format v1 files): optimistic, kept readable
    /// so that old results still open, and always labelled as such.
    Test,
}

/// What the comment header says about the sweep a file belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
    /// How the file's rows were selected (from its format version).
    pub selection: Selection,
    pub fingerprint: String,
    pub shard: Shard,
    pub seeds: usize,
    pub points: usize,
    /// `key=v1,v2` per axis.
    pub grid: Vec<String>,
}

impl Meta {
    pub fn of(sweep: &Sweep) -> Meta {
        Meta {
            selection: Selection::Validation,
            fingerprint: sweep.fingerprint().to_string(),
            shard: sweep.shard,
            seeds: sweep.seeds,
            points: sweep.points().len(),
            grid: sweep.axes.iter().map(|a| a.spec()).collect(),
        }
    }
}

/// A results file in memory.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultsFile {
    pub meta: Meta,
    /// The swept keys, in grid order.
    pub keys: Vec<String>,
    pub rows: Vec<Row>,
}

impl ResultsFile {
    pub fn new(meta: Meta, keys: Vec<String>) -> Self {
        ResultsFile {
            meta,
            keys,
            rows: Vec::new(),
        }
    }

    /// Adds a row, or replaces the one for the same (point, seed); keeps rows sorted.
    pub fn insert(&mut self, row: Row) {
        match self
            .rows
            .binary_search_by_key(&(row.point, row.seed), |r| (r.point, r.seed))
        {
            Ok(i) => self.rows[i] = row,
            Err(i) => self.rows.insert(i, row),
        }
    }

    pub fn get(&self, point: usize, seed: u64) -> Option<&Row> {
        self.rows
            .binary_search_by_key(&(point, seed), |r| (r.point, r.seed))
            .ok()
            .map(|i| &self.rows[i])
    }

    pub fn contains(&self, point: usize, seed: u64) -> bool {
        self.rows
            .binary_search_by_key(&(point, seed), |r| (r.point, r.seed))
            .is_ok()
    }

    pub fn header(&self) -> Vec<String> {
        let mut h = vec!["point".to_string()];
        h.extend(self.keys.iter().cloned());
        h.extend(METRIC_COLUMNS.iter().map(|s| s.to_string()));
        h
    }

    pub fn to_csv(&self) -> String {
        let m = &self.meta;
        let mut out = format!(
            "# {FORMAT} {VERSION} fingerprint={} shard={} seeds={} points={}\n",
            m.fingerprint, m.shard, m.seeds, m.points
        );
        for g in &m.grid {
            out.push_str(&format!("# grid {g}\n"));
        }
        out.push_str(&join_record(&self.header()));
        for r in &self.rows {
            out.push_str(&join_record(&r.fields()));
        }
        out
    }

    /// Writes the whole file atomically.
    pub fn save(&self, path: &Path) -> Result<(), CsvError> {
        Ok(write_atomic(path, self.to_csv().as_bytes())?)
    }

    /// Reads a results file; a problem is reported as `FILE:LINE: what`.
    pub fn load(path: &Path) -> Result<ResultsFile, CsvError> {
        let text = crate::vfs::read_to_string(path).map_err(|source| CsvError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|error| CsvError::Parse {
            path: path.to_path_buf(),
            error,
        })
    }

    /// Parses the text of a results file; errors start with the line number.
    pub fn parse(text: &str) -> Result<ResultsFile, CsvParseError> {
        let at = |line: usize| {
            move |problem| CsvParseError {
                line: Some(line),
                problem,
            }
        };
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, first) = lines.next().ok_or(CsvProblem::Empty).map_err(at(1))?;
        let (selection, meta_text) = first
            .strip_prefix("# ")
            .and_then(|l| l.strip_prefix(FORMAT))
            .and_then(|l| {
                let l = l.trim_start();
                l.strip_prefix(VERSION)
                    .map(|rest| (Selection::Validation, rest))
                    .or_else(|| l.strip_prefix("v1").map(|rest| (Selection::Test, rest)))
            })
            .ok_or(CsvProblem::NotResults)
            .map_err(at(1))?;
        let mut meta = parse_meta(meta_text).map_err(at(1))?;
        meta.selection = selection;
        let columns: Vec<&str> = match selection {
            Selection::Validation => METRIC_COLUMNS.to_vec(),
            Selection::Test => v1_metric_columns(),
        };
        let mut header = None;
        let mut rows_text = Vec::new();
        for (n, line) in lines {
            if let Some(g) = line.strip_prefix("# grid ") {
                meta.grid.push(g.trim().to_string());
            } else if line.starts_with('#') {
                continue;
            } else if header.is_none() {
                header = Some((n + 1, split_record(line).map_err(at(n + 1))?));
            } else {
                rows_text.push((n + 1, line));
            }
        }
        let (hn, header) = header.ok_or(CsvParseError {
            line: None,
            problem: CsvProblem::NoColumnHeader,
        })?;
        let nk = header
            .len()
            .checked_sub(1 + columns.len())
            .ok_or(CsvProblem::TooFewColumns)
            .map_err(at(hn))?;
        if header[0] != "point" || header[1 + nk..] != *columns {
            return Err(at(hn)(CsvProblem::UnexpectedColumns));
        }
        let keys = header[1..1 + nk].to_vec();
        let mut file = ResultsFile::new(meta, keys);
        for (n, line) in rows_text {
            let f = split_record(line).map_err(at(n))?;
            if f.len() != header.len() {
                return Err(at(n)(CsvProblem::FieldCount {
                    found: f.len(),
                    expected: header.len(),
                }));
            }
            let row = parse_row(&f, nk, selection).map_err(at(n))?;
            if file.contains(row.point, row.seed) {
                return Err(at(n)(CsvProblem::RowTwice {
                    point: row.point,
                    seed: row.seed,
                }));
            }
            file.insert(row);
        }
        Ok(file)
    }
}

fn parse_meta(text: &str) -> Result<Meta, CsvProblem> {
    let mut meta = Meta {
        selection: Selection::Validation,
        fingerprint: String::new(),
        shard: Shard::default(),
        seeds: 0,
        points: 0,
        grid: Vec::new(),
    };
    for item in text.split_whitespace() {
        let (k, v) = item
            .split_once('=')
            .ok_or_else(|| CsvProblem::HeaderItem(item.to_string()))?;
        let num = |v: &str| {
            v.parse::<usize>().map_err(|_| CsvProblem::HeaderNumber {
                key: k.to_string(),
                value: v.to_string(),
            })
        };
        match k {
            "fingerprint" => meta.fingerprint = v.to_string(),
            "shard" => {
                meta.shard = Shard::parse(v).map_err(|e| CsvProblem::HeaderShard(Box::new(e)))?
            }
            "seeds" => meta.seeds = num(v)?,
            "points" => meta.points = num(v)?,
            _ => {}
        }
    }
    if meta.fingerprint.is_empty() {
        return Err(CsvProblem::NoFingerprint);
    }
    Ok(meta)
}

/// The result columns of format v1: the test-selected maximum and its epoch where v2 has the
/// three validation-selected columns, the rest alike.
fn v1_metric_columns() -> Vec<&'static str> {
    let mut columns = vec![METRIC_COLUMNS[0], "best_test_acc", "best_epoch"];
    columns.extend(&METRIC_COLUMNS[4..]);
    columns
}

fn parse_row(f: &[String], nk: usize, selection: Selection) -> Result<Row, CsvProblem> {
    fn num<T: std::str::FromStr>(column: &'static str, v: &str) -> Result<T, CsvProblem> {
        v.trim().parse().map_err(|_| CsvProblem::NotANumber {
            column,
            value: v.to_string(),
        })
    }
    let m = &f[1 + nk..];
    let (val_acc, chosen_epoch, test_acc, rest) = match selection {
        Selection::Validation => (
            num("val_acc", &m[1])?,
            num("chosen_epoch", &m[2])?,
            num("test_acc", &m[3])?,
            &m[4..],
        ),
        Selection::Test => (
            f32::NAN,
            num("best_epoch", &m[2])?,
            num("best_test_acc", &m[1])?,
            &m[3..],
        ),
    };
    Ok(Row {
        point: num("point", &f[0])?,
        values: f[1..1 + nk].to_vec(),
        seed: num("seed", &m[0])?,
        val_acc,
        chosen_epoch,
        test_acc,
        final_test_acc: num("final_test_acc", &rest[0])?,
        final_test_loss: num("final_test_loss", &rest[1])?,
        final_train_acc: num("final_train_acc", &rest[2])?,
        rate_hz: num("rate_hz", &rest[3])?,
        epochs: num("epochs", &rest[4])?,
        seconds: num("seconds", &rest[5])?,
        status: rest[6].clone(),
    })
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

fn join_record(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|f| quote(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// Splits one CSV record (RFC 4180 quoting; no newlines inside fields).
fn split_record(line: &str) -> Result<Vec<String>, CsvProblem> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    let mut in_quotes = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && cur.is_empty() && !was_quoted {
            in_quotes = true;
            was_quoted = true;
        } else if c == ',' {
            out.push(std::mem::take(&mut cur));
            was_quoted = false;
        } else if was_quoted {
            return Err(CsvProblem::TextAfterQuote);
        } else {
            cur.push(c);
        }
    }
    if in_quotes {
        return Err(CsvProblem::UnterminatedQuote);
    }
    out.push(cur);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_round_trip() {
        let fields = vec!["[100,100]".to_string(), "a\"b".into(), "plain".into()];
        let line = join_record(&fields);
        assert_eq!(line, "\"[100,100]\",\"a\"\"b\",plain\n");
        assert_eq!(split_record(line.trim_end()).unwrap(), fields);
    }

    #[test]
    fn a_bad_field_is_reported_at_its_file_and_line() {
        let file = ResultsFile::new(
            Meta {
                selection: Selection::Validation,
                fingerprint: "00ff".into(),
                shard: Shard::default(),
                seeds: 1,
                points: 1,
                grid: vec!["surrogate.beta=1".into()],
            },
            vec!["surrogate.beta".into()],
        );
        let header = file.to_csv();
        let lines = header.lines().count();
        let text = format!("{header}0,1,x,0.55,1,0.5,0.5,0.1,0.5,2.0,1,0.1,ok\n");
        let e = ResultsFile::parse(&text).unwrap_err();
        assert_eq!(e.line, Some(lines + 1));
        assert_eq!(
            e.to_string(),
            format!("{}: seed = \"x\" is not a number", lines + 1)
        );
        let dir = std::env::temp_dir().join(format!("surrogate-lab-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.csv");
        std::fs::write(&path, &text).unwrap();
        let shown = ResultsFile::load(&path).unwrap_err().to_string();
        assert_eq!(shown, format!("{}:{e}", path.display()));
        let _ = std::fs::remove_dir_all(dir);
    }
}
