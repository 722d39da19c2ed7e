//! `nir`: what a NIR graph maps to, in one line, or why it cannot run here.

use super::CliError;
use super::args::NirArgs;
use crate::nir::discrete::Discretisation;
use crate::nir::model::{Conventions, to_network};
use crate::nir::{map, read};

pub fn inspect(args: NirArgs) -> Result<i32, CliError> {
    let name = args.file.display().to_string();
    let how = Discretisation::from_key(&args.discretisation).ok_or_else(|| {
        CliError::Usage(format!(
            "--discretisation {}: exact or euler expected",
            args.discretisation
        ))
    })?;
    let graph = read::read_file(&args.file).map_err(CliError::Nir)?;
    let stack = map::to_stack(graph).map_err(|e| CliError::Nir(format!("{name}: {e}")))?;
    let dt_s = match (args.dt_ms, stack.dt_s) {
        (Some(ms), _) => ms / 1000.0,
        (None, Some(s)) => s,
        (None, None) => {
            return Err(CliError::Nir(format!(
                "{name}: the graph does not store its time step; give --dt-ms"
            )));
        }
    };
    let conv = Conventions {
        discretisation: how,
        ..Conventions::norse(dt_s)
    };
    // Converting checks every τ against Δt (a decay outside [0, 1) is refused).
    to_network(&stack, &conv, &burn::tensor::Device::flex())
        .map_err(|e| CliError::Nir(format!("{name}: {e}")))?;
    let kind = match how {
        Discretisation::Exact => "exact",
        Discretisation::Euler => "forward Euler",
    };
    println!(
        "{}, Δt {} ms ({kind})",
        stack.summary(),
        format_ms(dt_s * 1000.0)
    );
    Ok(0)
}

/// 0.1 rather than 0.09999999999999999.
fn format_ms(ms: f64) -> String {
    let rounded = format!("{ms:.6}");
    rounded
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}
