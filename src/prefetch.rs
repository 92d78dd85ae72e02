//! A hint that memory is about to be read.

/// Asks for the cache line that holds the byte at `at` to be loaded: a
/// hint, which changes no result; nothing on other targets than x86-64.
/// `at` need not point to anything (a prefetch never faults).
#[inline(always)]
pub(crate) fn prefetch<T>(at: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint, and does not fault whatever the
    // address.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(at.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}
