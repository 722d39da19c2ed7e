//! Process-wide allocator tuning.
//!
//! Each training batch allocates and frees tens of megabytes in buffers of a few megabytes
//! (activations, the fused op's traces, gradients). glibc serves blocks that large with fresh
//! `mmap`s and returns them on free, so every batch paid for page faults and zeroing of memory
//! it had just given back: a third of a Randman batch's time went to the kernel. Keeping such
//! blocks on the heap, and not trimming it, lets the next batch reuse the same pages.

/// Call once at start-up, before other threads run.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        const M_TRIM_THRESHOLD: i32 = -1;
        const M_MMAP_THRESHOLD: i32 = -3;
        // SAFETY: mallopt only sets glibc allocator parameters (32 MiB is glibc's largest
        // allowed mmap threshold on 64-bit); it is called before any other thread exists.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, 32 << 20);
            mallopt(M_TRIM_THRESHOLD, 1 << 30);
        }
    }
}
