//! Training: the loop, the optimizer, metrics, and the threaded session. Knows nothing of the
//! window.

pub mod metrics;
pub mod optim;
pub mod session;
pub mod trainer;

pub use session::{Command, Event, RunState, Session};
pub use trainer::{TrainError, Trainer};
