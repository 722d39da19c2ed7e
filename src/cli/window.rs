//! The window's flags (no command) become the window's launch options.

use std::time::Duration;

use super::{CliError, WindowArgs};
use crate::app::launch::LaunchOptions;
use crate::config::Lesson;

/// The window's options from its parsed flags: the experiment with its edits, checked now
/// rather than after a minute of training.
pub fn launch_options(args: WindowArgs) -> Result<LaunchOptions, CliError> {
    let lesson = match &args.lesson {
        Some(spec) => Some(Lesson::find(spec)?),
        None => None,
    };
    let base = lesson.as_ref().map(|l| l.experiment.clone());
    let config = args.experiment.resolve(|| base.unwrap_or_default(), &[])?;
    if let Some(kv) = &args.compare {
        config.set(kv)?;
        if args.screenshot.is_none() {
            return Err(CliError::CompareWithoutScreenshot);
        }
    }
    if let Some(at) = args.select_neuron {
        let widths = &config.model.hidden;
        match widths.get(at.layer) {
            Some(&w) if at.neuron < w => {}
            Some(&w) => {
                return Err(CliError::Usage(format!(
                    "--select-neuron: hidden {} has {w} neurons (0 to {}), not {}",
                    at.layer + 1,
                    w.saturating_sub(1),
                    at.neuron
                )));
            }
            None => {
                return Err(CliError::Usage(format!(
                    "--select-neuron: the network has {} hidden layers, not {}",
                    widths.len(),
                    at.layer + 1
                )));
            }
        }
    }
    let screenshot = match (args.screenshot, args.train_secs) {
        (Some(p), s) => Some((p, s.unwrap_or(Duration::from_secs(10)))),
        (None, Some(_)) => return Err(CliError::TrainSecsWithoutScreenshot),
        (None, None) => None,
    };
    let network = match &args.open_network {
        Some(path) => Some((
            path.clone(),
            args.network_step
                .open(path, &burn::tensor::Device::flex())?,
        )),
        None if args.network_step.dt_ms.is_some() || args.network_step.discretisation.is_some() => {
            return Err(CliError::Usage(
                "--dt-ms and --discretisation go with --open-network".into(),
            ));
        }
        None => None,
    };
    Ok(LaunchOptions {
        network,
        config,
        screenshot,
        compare: args.compare,
        frame_stats: args.frame_stats,
        lesson,
        select_neuron: args.select_neuron,
        study: args.study,
    })
}
