//! The sweep's results file: CSV with a comment header that names the sweep.
//!
//! ```text
//! # surrogate-lab sweep v1 fingerprint=3f2a… shard=0/1 seeds=2 points=6
//! # grid surrogate.shape=super_spike,esser
//! # grid surrogate.beta=1,10,100
//! point,surrogate.shape,surrogate.beta,seed,best_test_acc,best_epoch,final_test_acc,…
//! 0,super_spike,1,42,0.81,7,0.8,…
//! ```
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

/// Format version of the header line.
pub const FORMAT: &str = "surrogate-lab sweep v1";

/// Result columns after the swept keys.
pub const METRIC_COLUMNS: [&str; 10] = [
    "seed",
    "best_test_acc",
    "best_epoch",
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
    /// Highest test accuracy over the epochs, and the (1-based) epoch it was reached at.
    pub best_test_acc: f32,
    pub best_epoch: usize,
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
            self.best_test_acc.to_string(),
            self.best_epoch.to_string(),
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

/// What the comment header says about the sweep a file belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
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
            "# {FORMAT} fingerprint={} shard={} seeds={} points={}\n",
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
        let meta_text = first
            .strip_prefix("# ")
            .and_then(|l| l.strip_prefix(FORMAT))
            .ok_or(CsvProblem::NotResults)
            .map_err(at(1))?;
        let mut meta = parse_meta(meta_text).map_err(at(1))?;
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
            .checked_sub(1 + METRIC_COLUMNS.len())
            .ok_or(CsvProblem::TooFewColumns)
            .map_err(at(hn))?;
        if header[0] != "point" || header[1 + nk..] != METRIC_COLUMNS {
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
            let row = parse_row(&f, nk).map_err(at(n))?;
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

fn parse_row(f: &[String], nk: usize) -> Result<Row, CsvProblem> {
    fn num<T: std::str::FromStr>(column: &'static str, v: &str) -> Result<T, CsvProblem> {
        v.trim().parse().map_err(|_| CsvProblem::NotANumber {
            column,
            value: v.to_string(),
        })
    }
    let m = &f[1 + nk..];
    Ok(Row {
        point: num("point", &f[0])?,
        values: f[1..1 + nk].to_vec(),
        seed: num("seed", &m[0])?,
        best_test_acc: num("best_test_acc", &m[1])?,
        best_epoch: num("best_epoch", &m[2])?,
        final_test_acc: num("final_test_acc", &m[3])?,
        final_test_loss: num("final_test_loss", &m[4])?,
        final_train_acc: num("final_train_acc", &m[5])?,
        rate_hz: num("rate_hz", &m[6])?,
        epochs: num("epochs", &m[7])?,
        seconds: num("seconds", &m[8])?,
        status: m[9].clone(),
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
        let text = format!("{header}0,1,x,0.5,1,0.5,0.1,0.5,2.0,1,0.1,ok\n");
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
