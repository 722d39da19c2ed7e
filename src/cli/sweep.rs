//! `sweep` and `sweep-merge`: a grid trained into a resumable results file, and shards joined.

use std::path::{Path, PathBuf};

use super::args::{SweepArgs, SweepMergeArgs};
use super::{CliError, flag_edits};
use crate::config::Config;
use crate::sweep::{self, GridAxis, RunError, RunOptions, Shard, Sweep, SweepEvent};

/// Checks the whole grid, then trains what the results file lacks. Exit status 1 when a run
/// failed after the sweep started.
pub fn run(args: SweepArgs) -> Result<i32, CliError> {
    // Axes first: a malformed grid is refused before any file is read.
    let axes = args
        .axes
        .iter()
        .map(|a| GridAxis::parse(a))
        .collect::<Result<Vec<_>, _>>()?;
    let shard = match &args.shard {
        Some(s) => Shard::parse(s)?,
        None => Shard::default(),
    };
    let edits = flag_edits(args.backend.as_deref(), args.epochs, None);
    let config = args.experiment.resolve(Config::default, &edits)?;
    let sweep = Sweep::new(config, axes, args.seeds, shard)?;
    let options = RunOptions {
        jobs: args.jobs,
        threads: args.threads,
        out: Some(args.out.clone()),
        cancel: None,
    };
    let (quiet, out) = (args.quiet, &args.out);
    let mut total = 0;
    let mut finished = 0;
    let result = sweep::run(&sweep, &options, |event| match event {
        SweepEvent::Planned { total: t, done, .. } => {
            (total, finished) = (t, done);
            if !quiet {
                eprintln!(
                    "sweep {}: {} points ({} in shard {}) × {} seeds = {t} runs; {done} already in {}",
                    sweep.fingerprint(),
                    sweep.points().len(),
                    sweep.shard_points().count(),
                    sweep.shard,
                    sweep.seeds,
                    out.display()
                );
            }
        }
        SweepEvent::Finished(row) => {
            finished += 1;
            if !quiet {
                let at = sweep
                    .points()
                    .get(row.point)
                    .map(|p| p.describe(&sweep.axes))
                    .unwrap_or_default();
                eprintln!(
                    "[{finished}/{total}] {at} seed {}: val {:.3}, test {:.3} (epoch {}), final {:.3}, {:.1} Hz, {:.1} s{}",
                    row.seed,
                    row.val_acc,
                    row.test_acc,
                    row.chosen_epoch,
                    row.final_test_acc,
                    row.rate_hz,
                    row.seconds,
                    if row.status == "ok" {
                        String::new()
                    } else {
                        format!(" ({})", row.status)
                    }
                );
            }
        }
        _ => {}
    });
    match result {
        Ok(summary) => {
            if !quiet {
                eprintln!(
                    "{} rows in {} ({} trained now, {} were there)",
                    summary.rows.len(),
                    out.display(),
                    summary.trained,
                    summary.skipped
                );
            }
            Ok(0)
        }
        Err(RunError::Refused(refusal)) => Err(refusal.into()),
        Err(RunError::Failed(m)) => {
            eprintln!("error: {m}");
            Ok(1)
        }
    }
}

/// `sweep-merge`: joins shards' results files.
pub fn merge(args: SweepMergeArgs) -> Result<i32, CliError> {
    let paths: Vec<&Path> = args.inputs.iter().map(PathBuf::as_path).collect();
    let report = sweep::merge(&paths, &args.out)?;
    eprintln!(
        "{} rows from {} files written to {}{}{}",
        report.merged.rows.len(),
        args.inputs.len(),
        args.out.display(),
        if report.duplicates > 0 {
            format!("; {} duplicate rows dropped", report.duplicates)
        } else {
            String::new()
        },
        if report.missing > 0 {
            format!(
                "; {} of {} runs still missing (run the unsharded sweep on it to fill them)",
                report.missing,
                report.merged.meta.points * report.merged.meta.seeds
            )
        } else {
            String::new()
        }
    );
    Ok(0)
}
