#![no_main]

use std::sync::Once;

// The NIR reader catches panics inside the HDF5 decoder (a dependency) and turns them into a
// one-line error; libFuzzer's hook would abort on those before the catch. Keep Rust's default
// hook: a panic that escapes the reader still aborts the run (libfuzzer-sys catches it and
// aborts), so it is still found.
static RESTORE_HOOK: Once = Once::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    RESTORE_HOOK.call_once(|| {
        let _ = std::panic::take_hook();
    });
    surrogate_lab::untrusted::nir(data)
});
