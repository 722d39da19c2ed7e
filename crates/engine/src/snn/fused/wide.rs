//! The host loops with the CPU's wide vectors.
//!
//! A default build targets baseline x86-64 (SSE2: four floats per instruction), so the fused
//! loops would use half of an AVX2 machine's vector width; compiling the whole tree for the
//! build machine (`target-cpu=native`) would make binaries that crash on an older CPU. Here
//! a task's function is compiled twice, once with AVX2, and the CPU chooses at run time. Only
//! the width changes: no multiply-add is fused that was not, so the bits are the same either
//! way.

/// Defines a function whose body is compiled twice, baseline and AVX2, and runs the AVX2 copy
/// where the CPU has it. The functions the body calls must be `#[inline(always)]` for the
/// wide code to reach them (a call into a function compiled for the baseline stays narrow).
macro_rules! wide_fn {
    ($(#[$m:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$m])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn body($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                fn avx2($($arg: $ty),*) $(-> $ret)? {
                    body($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2, checked just above.
                    return unsafe { avx2($($arg),*) };
                }
            }
            body($($arg),*)
        }
    };
}

pub(super) use wide_fn;
