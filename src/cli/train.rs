//! `train`: headless training, one line (or JSON object) per epoch, weights saved at the end.

use std::path::Path;

use super::args::TrainArgs;
use super::{CliError, flag_edits};
use crate::config::Config;
use crate::io::weights::{self, TrainingSummary};
use crate::nir::flavour::Flavour;
use crate::train::{TrainError, Trainer};

/// Runs a headless training; returns the process exit status (1 when the loss diverged or
/// saving failed, 3 when a gradient became non-finite), or the refusal of the command line.
pub fn run(args: TrainArgs) -> Result<i32, CliError> {
    let edits = flag_edits(args.backend.as_deref(), args.epochs, args.seed);
    let config = args.experiment.resolve(Config::default, &edits)?;
    let mut trainer = Trainer::new(config)?;
    if let Some(path) = &args.init_weights {
        load_weights_into(&mut trainer, path)?;
    }
    // The trainer keeps the imported network's Δt and discretisation: its export is
    // written in them.
    if let Some(path) = &args.init_nir {
        let opened = args.step.open(path, &trainer.weights().readout.device())?;
        super::nir::import_into(&mut trainer, &opened, path)?;
    }
    let epochs = trainer.config().optim.epochs;
    let mut summary = TrainingSummary::default();
    if !args.json {
        eprintln!("{}", describe(&trainer));
    }
    for _ in 0..epochs {
        let m = match trainer.run_epoch() {
            Ok(m) => m,
            Err(e) => {
                if args.json {
                    println!("{}", halt_line(&e));
                }
                eprintln!("error: {e}");
                return Ok(halt_status(&e));
            }
        };
        summary = TrainingSummary {
            epoch: Some(m.epoch),
            test_acc: Some(m.test_acc),
        };
        if args.json {
            match serde_json::to_string(&m) {
                Ok(line) => println!("{line}"),
                Err(e) => eprintln!("error: cannot encode metrics: {e}"),
            }
        } else {
            let rates: Vec<String> = m.rate_hz.iter().map(|r| format!("{r:.1}")).collect();
            println!(
                "epoch {:>3}/{epochs}  train loss {:.4} acc {:.3}  test loss {:.4} acc {:.3}  rate [{}] Hz  {:.1} s ({:.0} samples/s)",
                m.epoch,
                m.train_loss,
                m.train_acc,
                m.test_loss,
                m.test_acc,
                rates.join(", "),
                m.seconds,
                m.samples_per_sec
            );
        }
    }
    Ok(save_outputs(&trainer, &args, &summary))
}

/// Exit status of a run that training itself stopped (README, "Command line").
fn halt_status(e: &TrainError) -> i32 {
    match e {
        TrainError::Diverged { .. } => 1,
        TrainError::NonFiniteGradient { .. } => 3,
    }
}

/// The `--json` line of a halted run: `{"error": kind, "epoch", "batch", "layer", "message"}`.
fn halt_line(e: &TrainError) -> String {
    let (epoch, batch, layer) = match e {
        TrainError::Diverged { epoch, batch, .. } => (*epoch, *batch, None),
        TrainError::NonFiniteGradient {
            epoch,
            batch,
            layer,
        } => (*epoch, *batch, Some(layer.as_str())),
    };
    serde_json::json!({
        "error": e.kind(),
        "epoch": epoch,
        "batch": batch,
        "layer": layer,
        "message": e.to_string(),
    })
    .to_string()
}

/// The line that says what is about to train.
fn describe(trainer: &Trainer) -> String {
    let c = trainer.config();
    let data = trainer.data();
    if let Some(n) = trainer.imported() {
        return format!(
            "{}: {} train / {} test samples; imported {}; surrogate {} β = {}; backend {}",
            data.name,
            data.train.len(),
            data.test.len(),
            n.summary,
            c.surrogate.shape,
            c.surrogate.beta,
            c.backend,
        );
    }
    format!(
        "{}: {} train / {} test samples, {} inputs → {:?} → {} classes; surrogate {} β = {}; init {}; backend {} ({})",
        data.name,
        data.train.len(),
        data.test.len(),
        data.train.inputs,
        c.model.hidden,
        data.train.classes,
        c.surrogate.shape,
        c.surrogate.beta,
        c.model.init.describe(),
        c.backend,
        match trainer.path() {
            crate::snn::network::Path::Fused if c.backend == "wgpu" =>
                "fused LIF kernel on the GPU",
            crate::snn::network::Path::Fused => "fused LIF op",
            crate::snn::network::Path::PerStep => "per-step graph",
        },
    )
}

fn save_outputs(trainer: &Trainer, args: &TrainArgs, summary: &TrainingSummary) -> i32 {
    let imported = trainer.imported();
    let mut status = 0;
    if let Some(path) = &args.save_weights {
        match weights::save_safetensors(path, trainer.weights(), trainer.config(), summary) {
            Ok(()) if imported.is_some() => eprintln!(
                "weights written to {} (the weights only: the imported neurons, biases and \
                 conventions go with --save-nir)",
                path.display()
            ),
            Ok(()) => eprintln!("weights written to {}", path.display()),
            Err(e) => {
                eprintln!("error: {e}");
                status = 1;
            }
        }
    }
    if let Some(path) = &args.save_nir {
        let flavour = Flavour::from_key(&args.flavour).unwrap_or_default();
        let saved = super::weights::save_nir(path, &trainer.held(), flavour);
        if let Err(e) = saved {
            eprintln!("error: {e}");
            status = 1;
        }
    }
    status
}

/// Replaces a trainer's weights with a file's, refusing mismatched shapes.
pub fn load_weights_into(trainer: &mut Trainer, path: &Path) -> Result<(), CliError> {
    let file = weights::load_safetensors(path).map_err(|e| CliError::Weights(e.to_string()))?;
    let device = trainer.weights().readout.device();
    let loaded = weights::weights_like(trainer.weights(), &file, &device)
        .map_err(|e| CliError::Weights(format!("{}: {e}", path.display())))?;
    trainer.set_weights(loaded);
    Ok(())
}
