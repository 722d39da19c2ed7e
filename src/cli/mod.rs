//! The command line: `train`, `eval`, `export`, `sweep`, `sweep-merge`, `study`, `keys`, and with
//! no command the window (its flags are turned into the window's options by `app::launch`).
//!
//! - [`args`]: the one clap definition of all of it, which also writes `--help`.
//! - [`train`], [`weights`] (`eval`, `export`), [`sweep`] (`sweep`, `sweep-merge`), [`study`]:
//!   what each command does with its parsed arguments.
//!
//! Every refusal is one line on stderr and exit status 2, whether clap or a runner refuses.

pub mod args;
mod error;
pub mod nir;
pub mod study;
pub mod sweep;
pub mod train;
pub mod weights;
mod window;

use std::ffi::OsString;

use clap::{CommandFactory, Parser};

use crate::config::Config;
pub use args::{Cli, Command, ExperimentArgs, LessonArgs, WindowArgs};
pub use error::CliError;
pub use window::launch_options;

/// Parses the process's arguments (program name first). `Err` carries the exit status when
/// nothing is left to do: help or the version was printed (0), or a refusal was (2).
pub fn parse<I, T>(args: I) -> Result<Cli, i32>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    Cli::try_parse_from(&args).map_err(|e| match e.kind() {
        clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
            // Printing help can only fail on a closed stdout, where there is no one to tell.
            let _ = e.print();
            0
        }
        _ => CliError::Usage(one_line(&e, &help_hint(&args))).report(),
    })
}

/// clap's refusal (message, tip, usage, hint over several lines) as one line: its first
/// paragraph, which holds the message and what it lists (missing arguments, possible values).
pub fn one_line(e: &clap::Error, hint: &str) -> String {
    let text = e.render().to_string();
    let mut lines = text.lines().map(str::trim);
    let first = lines.next().unwrap_or_default();
    let mut line = first.strip_prefix("error: ").unwrap_or(first).to_string();
    let listed: Vec<&str> = lines.take_while(|l| !l.is_empty()).collect();
    if !listed.is_empty() {
        line = format!("{line} {}", listed.join(", "));
    }
    format!("{line} (see {hint})")
}

/// `surrogate-lab CMD --help` for the command on the line, or the top-level help.
fn help_hint(args: &[OsString]) -> String {
    let command = Cli::command();
    let named = args
        .get(1)
        .and_then(|a| a.to_str())
        .and_then(|a| command.find_subcommand(a))
        .map(|c| format!(" {}", c.get_name()));
    format!("surrogate-lab{} --help", named.unwrap_or_default())
}

impl ExperimentArgs {
    /// The experiment: `--config`'s file (else `base`), then every `--set`, then `extra` (the
    /// edits of dedicated flags such as `--epochs`), in that order whatever the line's order.
    pub fn resolve(
        &self,
        base: impl FnOnce() -> Config,
        extra: &[String],
    ) -> Result<Config, CliError> {
        let mut config = match &self.config {
            Some(path) => Config::load(path)?,
            None => base(),
        };
        for s in self.sets.iter().chain(extra) {
            config = config.set(s)?;
        }
        Ok(config)
    }
}

/// The `--set` edits that dedicated flags stand for.
pub(crate) fn flag_edits(
    backend: Option<&str>,
    epochs: Option<usize>,
    seed: Option<u64>,
) -> Vec<String> {
    let mut edits = Vec::new();
    if let Some(b) = backend {
        edits.push(format!("backend={b:?}"));
    }
    if let Some(e) = epochs {
        edits.push(format!("optim.epochs={e}"));
    }
    if let Some(s) = seed {
        edits.push(format!("seed={s}"));
    }
    edits
}

/// Runs a command; returns the process exit status.
/// Opens the window with the options its flags give; returns the process exit status.
pub fn open_window(window: WindowArgs) -> i32 {
    match launch_options(window) {
        Ok(options) => crate::app::run(options),
        Err(e) => e.report(),
    }
}

pub fn run(command: Command) -> i32 {
    let result = match command {
        Command::Train(a) => train::run(a),
        Command::Eval(a) => weights::eval(a),
        Command::Export(a) => weights::export(a),
        Command::Sweep(a) => sweep::run(a),
        Command::SweepMerge(a) => sweep::merge(a),
        Command::Study(a) => Ok(study::run(a)),
        Command::Keys => {
            print!("{}", crate::config::full_toml(&Config::default()));
            Ok(0)
        }
        Command::Nir(a) => nir::inspect(a),
        Command::Lesson(LessonArgs { file, mut window }) => {
            if window.lesson.is_some() {
                Err(CliError::Usage(
                    "give the lesson once: `lesson FILE` or --lesson".into(),
                ))
            } else {
                window.lesson = Some(file);
                Ok(open_window(window))
            }
        }
    };
    result.unwrap_or_else(|e| e.report())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_required_flag_is_one_line_naming_it() {
        let e = Cli::try_parse_from(["surrogate-lab", "export", "--nir", "x.nir"])
            .expect_err("--weights is required");
        let line = one_line(&e, "surrogate-lab export --help");
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("--weights"), "{line}");
        assert!(
            line.ends_with("(see surrogate-lab export --help)"),
            "{line}"
        );
    }

    #[test]
    fn window_flags_and_commands_do_not_mix() {
        assert!(Cli::try_parse_from(["surrogate-lab", "--frame-stats", "keys"]).is_err());
        let cli = Cli::try_parse_from(["surrogate-lab", "--frame-stats", "--set", "seed=3"])
            .expect("window flags");
        assert!(cli.command.is_none() && cli.window.frame_stats);
        assert_eq!(cli.window.experiment.sets, ["seed=3"]);
    }

    #[test]
    fn dedicated_flags_apply_after_the_sets() {
        let args = ExperimentArgs {
            config: None,
            sets: vec!["optim.epochs=3".into(), "seed=9".into()],
        };
        let c = args
            .resolve(Config::default, &flag_edits(None, Some(5), None))
            .expect("valid");
        assert_eq!((c.optim.epochs, c.seed), (5, 9));
    }

    #[test]
    fn clap_accepts_its_own_definition() {
        Cli::command().debug_assert();
    }
}
