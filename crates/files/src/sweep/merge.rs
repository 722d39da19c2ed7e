//! Joins the results files of a sweep's shards into one.
//!
//! Files made from different base configurations or grids are refused (their fingerprints
//! differ), as are files whose columns differ. The merged file is marked shard 0/1, so running
//! the unsharded sweep on it fills in whatever the shards left out.

use std::path::Path;

use super::csv::{Meta, ResultsFile, Selection};
use super::error::MergeError;
use super::grid::Shard;

/// What a merge found.
#[derive(Clone, Debug, PartialEq)]
pub struct MergeReport {
    pub merged: ResultsFile,
    /// Rows present in more than one file (equal results; the first file's row is kept).
    pub duplicates: usize,
    /// (point, seed) pairs that the header's points × seeds calls for but no file has.
    pub missing: usize,
}

/// Merges results files in memory; `names` label them in messages.
pub fn merge_files(files: &[(String, ResultsFile)]) -> Result<MergeReport, MergeError> {
    let Some((first_name, first)) = files.first() else {
        return Err(MergeError::NoFiles);
    };
    let mut seeds = first.meta.seeds;
    if let Some((name, _)) = files
        .iter()
        .find(|(_, f)| f.meta.selection != Selection::Validation)
    {
        return Err(MergeError::SelectedOnTest { name: name.clone() });
    }
    for (name, f) in &files[1..] {
        if f.meta.fingerprint != first.meta.fingerprint {
            return Err(MergeError::OtherSweep {
                name: name.clone(),
                first: first_name.clone(),
                fingerprint: f.meta.fingerprint.clone(),
                first_fingerprint: first.meta.fingerprint.clone(),
            });
        }
        if f.keys != first.keys {
            return Err(MergeError::Keys {
                name: name.clone(),
                first: first_name.clone(),
                keys: f.keys.clone(),
                first_keys: first.keys.clone(),
            });
        }
        if f.meta.grid != first.meta.grid {
            return Err(MergeError::Grid {
                name: name.clone(),
                first: first_name.clone(),
                grid: f.meta.grid.clone(),
                first_grid: first.meta.grid.clone(),
            });
        }
        seeds = seeds.max(f.meta.seeds);
    }
    let meta = Meta {
        selection: Selection::Validation,
        fingerprint: first.meta.fingerprint.clone(),
        shard: Shard::default(),
        seeds,
        points: first.meta.points,
        grid: first.meta.grid.clone(),
    };
    let mut merged = ResultsFile::new(meta, first.keys.clone());
    let mut duplicates = 0;
    for (name, f) in files {
        for row in &f.rows {
            if let Some(existing) = merged.get(row.point, row.seed) {
                if !existing.result_eq(row) {
                    return Err(MergeError::Differs {
                        name: name.clone(),
                        point: row.point,
                        seed: row.seed,
                    });
                }
                duplicates += 1;
                continue;
            }
            merged.insert(row.clone());
        }
    }
    let expected = merged.meta.points.saturating_mul(merged.meta.seeds);
    let missing = expected.saturating_sub(merged.rows.len());
    Ok(MergeReport {
        merged,
        duplicates,
        missing,
    })
}

/// Reads `inputs`, merges them and writes `out` atomically.
pub fn merge(inputs: &[&Path], out: &Path) -> Result<MergeReport, MergeError> {
    let mut files = Vec::with_capacity(inputs.len());
    for p in inputs {
        files.push((p.display().to_string(), ResultsFile::load(p)?));
    }
    let report = merge_files(&files)?;
    report.merged.save(out)?;
    Ok(report)
}
