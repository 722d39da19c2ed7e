//! Training: its settings, the loop, the optimizer, metrics, and the threaded session. Knows
//! nothing of the window or of files.

pub mod config;
pub mod live;
pub mod metrics;
pub mod optim;
pub mod session;
pub mod trainer;

pub use session::{Command, Event, RunState, Session};
pub use trainer::{BuildError, TrainError, Trainer};
