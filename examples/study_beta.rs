//! Reproduces the paper's beta study on Randman (see REPRODUCTION.md): trains the sweep, writes
//! `reproduction/beta*.csv`, the figure `reproduction/beta.png` and the table `reproduction/beta.md`.
//!
//! ```sh
//! cargo run --release --features ndarray --example study_beta [-- --jobs J --seeds N --out-dir DIR --resume]
//! ```

use surrogate_lab::sweep::studies::{Study, study_main};

fn main() {
    std::process::exit(study_main(Study::Beta));
}
