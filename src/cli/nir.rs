//! `nir`: what a NIR graph maps to, in one line, or why it cannot run here. Also the
//! `--nir`/`--init-nir` flags of `eval` and `train`: the graph as the trainer's network.

use std::path::Path;

use super::CliError;
use super::args::{NirArgs, NirStepArgs};
use crate::nir::discrete::Discretisation;
use crate::nir::import::{self, Opened};
use crate::train::Trainer;
use crate::train::trainer::ImportedNetwork;

impl NirStepArgs {
    fn discretisation(&self) -> Result<Option<Discretisation>, CliError> {
        self.discretisation
            .as_deref()
            .map(|k| {
                Discretisation::from_key(k).ok_or_else(|| {
                    CliError::Usage(format!("--discretisation {k}: exact or euler expected"))
                })
            })
            .transpose()
    }

    /// The graph at `path` under these flags, converted for `device`.
    pub fn open(&self, path: &Path, device: &burn::tensor::Device) -> Result<Opened, CliError> {
        import::open(path, self.dt_ms, self.discretisation()?, device).map_err(CliError::Nir)
    }
}

pub fn inspect(args: NirArgs) -> Result<i32, CliError> {
    let opened = args.step.open(&args.file, &burn::tensor::Device::flex())?;
    println!("{}", opened.summary);
    Ok(0)
}

/// The opened graph as the network `trainer` runs; refused in one line when its widths do
/// not fit the data set.
pub fn import_into(trainer: &mut Trainer, opened: &Opened, path: &Path) -> Result<(), CliError> {
    let network = ImportedNetwork::from(opened);
    trainer
        .import(network)
        .map_err(|why| CliError::Nir(format!("{}: {why}", path.display())))
}
