//! `study NAME`: one of the paper's studies, its figure and its table; `study NAME --redraw`:
//! the figure and table from the results already there; `study --plan`: the paper-size
//! protocol as a table.

use super::args::StudyArgs;
use crate::sweep::studies::{StudyOptions, plan, redraw, run_study};

/// Runs the study (or prints the protocol, `--plan`); returns the exit status (1 when it
/// failed).
pub fn run(args: StudyArgs) -> i32 {
    let Some(name) = args.name.filter(|_| !args.plan) else {
        return match plan::table() {
            Ok(table) => {
                print!("{table}");
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        };
    };
    if args.redraw {
        return match redraw(name, &args.out_dir) {
            Ok((png, table)) => {
                eprintln!("figure:  {}", png.display());
                eprintln!("table:   {}", table.display());
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        };
    }
    let options = StudyOptions {
        out_dir: args.out_dir,
        jobs: args.jobs,
        threads: args.threads,
        seeds: args.seeds.unwrap_or(name.default_seeds()),
        resume: args.resume,
    };
    match run_study(name, &options) {
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
