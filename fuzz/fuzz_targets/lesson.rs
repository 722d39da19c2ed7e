#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| surrogate_lab::untrusted::lesson(data));
