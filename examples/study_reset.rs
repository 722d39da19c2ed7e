//! Reproduces the paper's reset study on Randman (see REPRODUCTION.md): trains the sweep, writes
//! `reproduction/reset*.csv`, the figure `reproduction/reset.png` and the table `reproduction/reset.md`.
//!
//! ```sh
//! cargo run --release --features ndarray --example study_reset [-- --jobs J --seeds N --out-dir DIR --resume]
//! ```

use surrogate_lab::sweep::studies::{Study, study_main};

fn main() {
    std::process::exit(study_main(Study::Reset));
}
