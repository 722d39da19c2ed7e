//! The clock: `std::time::Instant` natively; in the page (wasm32-unknown-unknown), where
//! `Instant::now` panics, the browser's `performance.now()` through web-time, same API.

#[cfg(not(target_arch = "wasm32"))]
pub use std::time::Instant;
#[cfg(target_arch = "wasm32")]
pub use web_time::Instant;
