//! `eval` and `export`: what saved weights score, and the same weights as NIR.

use std::path::Path;

use super::args::{EvalArgs, ExportArgs};
use super::{CliError, flag_edits};
use crate::atomic::write_atomic;
use crate::config::Config;
use crate::io::weights::{self, WeightFile};
use crate::nir::flavour::{self, Flavour};
use crate::snn::network::Weights;
use crate::train::Trainer;
use crate::train::trainer::HeldNetwork;

fn load(path: &Path) -> Result<WeightFile, CliError> {
    weights::load_safetensors(path).map_err(|e| CliError::Weights(e.to_string()))
}

/// The file's tensors in the shapes of `template`, refused with both shapes named.
fn fit(
    template: &Weights,
    file: &WeightFile,
    path: &Path,
    device: &burn::tensor::Device,
) -> Result<Weights, CliError> {
    weights::weights_like(template, file, device)
        .map_err(|e| CliError::Weights(format!("{}: {e}", path.display())))
}

/// `eval`: the config comes from --config, else from the weight file's metadata, else defaults;
/// --set applies on top.
pub fn eval(args: EvalArgs) -> Result<i32, CliError> {
    let edits = flag_edits(args.backend.as_deref(), None, None);
    let trainer = match (&args.nir, &args.weights) {
        (Some(nir), _) => {
            let mut trainer = Trainer::new(args.experiment.resolve(Config::default, &edits)?)?;
            let opened = args.step.open(nir, &trainer.weights().readout.device())?;
            super::nir::import_into(&mut trainer, &opened, nir)?;
            eprintln!("{}", opened.summary);
            trainer
        }
        (None, Some(path)) => {
            let file = load(path)?;
            let config = args
                .experiment
                .resolve(|| file.config.clone().unwrap_or_default(), &edits)?;
            let mut trainer = Trainer::new(config)?;
            let device = trainer.weights().readout.device();
            let loaded = fit(trainer.weights(), &file, path, &device)?;
            trainer.set_weights(loaded);
            trainer
        }
        (None, None) => return Err(CliError::Usage("give --weights or --nir".into())),
    };
    let m = trainer.evaluate(&trainer.data().test);
    if let Some(path) = &args.predictions {
        write_predictions(path, &trainer)?;
    }
    if args.json {
        // f32 fields, so the numbers print exactly as `train --json` printed them.
        #[derive(serde::Serialize)]
        struct EvalLine<'a> {
            test_loss: f32,
            test_acc: f32,
            rate_hz: &'a [f32],
        }
        let line = EvalLine {
            test_loss: m.loss,
            test_acc: m.accuracy,
            rate_hz: &m.rate_hz,
        };
        println!("{}", serde_json::to_string(&line).unwrap_or_default());
    } else {
        let rates: Vec<String> = m.rate_hz.iter().map(|r| format!("{r:.1}")).collect();
        println!(
            "test loss {:.4}  test acc {:.4}  rate [{}] Hz",
            m.loss,
            m.accuracy,
            rates.join(", ")
        );
    }
    Ok(0)
}

/// `export`: safetensors (with its config) → NIR.
pub fn export(args: ExportArgs) -> Result<i32, CliError> {
    let file = load(&args.weights)?;
    let config = match &args.config {
        Some(p) => Config::load(p)?,
        None => file
            .config
            .clone()
            .ok_or_else(|| CliError::NoExperiment(args.weights.clone()))?,
    };
    let device = burn::tensor::Device::flex();
    let template = crate::snn::init::init_weights(
        &config.model,
        input_count(&file),
        output_count(&file),
        config.seed,
        &device,
        None,
    );
    let loaded = fit(&template, &file, &args.weights, &device)?;
    let held = HeldNetwork::built(loaded, config.into());
    save_nir(&args.nir, &held, parse_flavour(&args.flavour)?).map_err(CliError::Weights)?;
    Ok(0)
}

pub fn parse_flavour(key: &str) -> Result<Flavour, CliError> {
    Flavour::from_key(key).ok_or_else(|| {
        CliError::Usage(format!(
            "--flavour {key}: generic, snntorch or norse expected"
        ))
    })
}

/// Writes the NIR graph in `flavour` and says on stderr what its library still computes
/// differently for this network.
pub fn save_nir(path: &Path, held: &HeldNetwork, flavour: Flavour) -> Result<(), String> {
    weights::save_held_nir(path, held, flavour).map_err(|e| e.to_string())?;
    eprintln!("NIR graph ({flavour}) written to {}", path.display());
    let recurrent = held.weights.recurrent.iter().any(Option::is_some);
    for line in flavour::deviations(flavour, &held.model(), recurrent) {
        eprintln!("note: {line}");
    }
    Ok(())
}

/// index,label,prediction for every test sample, written atomically.
fn write_predictions(path: &Path, trainer: &Trainer) -> Result<(), CliError> {
    let test = &trainer.data().test;
    let all: Vec<usize> = (0..test.len()).collect();
    let labels = test.batch_labels(&all);
    let mut csv = String::from("index,label,prediction\n");
    for (i, (label, p)) in labels.iter().zip(trainer.predict(test)).enumerate() {
        csv.push_str(&format!("{i},{label},{p}\n"));
    }
    write_atomic(path, csv.as_bytes())
        .map_err(|e| CliError::Weights(format!("{}: {e}", path.display())))?;
    eprintln!("predictions written to {}", path.display());
    Ok(())
}

fn input_count(file: &WeightFile) -> usize {
    file.tensors
        .get("hidden.0.weight")
        .map_or(0, |(shape, _)| shape[0])
}

fn output_count(file: &WeightFile) -> usize {
    file.tensors
        .get("readout.weight")
        .map_or(0, |(shape, _)| shape[1])
}
