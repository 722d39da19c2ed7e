//! Training end to end, through the trainer's channel and the command line: one test binary.

#[path = "../common/mod.rs"]
mod common;

mod cli;
mod data_training;
mod guarded_step;
mod training;
