//! Reproduces the paper's sparsity study on Randman (see REPRODUCTION.md): trains the sweep, writes
//! `reproduction/sparsity*.csv`, the figure `reproduction/sparsity.png` and the table `reproduction/sparsity.md`.
//!
//! ```sh
//! cargo run --release --features ndarray --example study_sparsity [-- --jobs J --seeds N --out-dir DIR --resume]
//! ```

use surrogate_lab::sweep::studies::{Study, study_main};

fn main() {
    std::process::exit(study_main(Study::Sparsity));
}
