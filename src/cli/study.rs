//! `study NAME`: one of the paper's three studies, its figure and its table.

use super::args::StudyArgs;
use crate::sweep::studies::{StudyOptions, run_study};

/// Runs the study; returns the exit status (1 when it failed).
pub fn run(args: StudyArgs) -> i32 {
    let options = StudyOptions {
        out_dir: args.out_dir,
        jobs: args.jobs,
        seeds: args.seeds.unwrap_or(args.name.default_seeds()),
        resume: args.resume,
    };
    match run_study(args.name, &options) {
        Ok(r) => {
            for c in &r.csv {
                eprintln!("results: {}", c.display());
            }
            eprintln!("figure:  {}", r.png.display());
            eprintln!("table:   {}", r.table.display());
            eprintln!("{:.0} s in all", r.seconds);
            0
        }
        Err(m) => {
            eprintln!("error: {m}");
            1
        }
    }
}
