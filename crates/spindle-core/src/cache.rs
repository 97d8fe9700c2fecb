//! Software prefetch, for the streams the hardware prefetcher starts late
//! on: the synapse rows a spike walks, and the input-ring rows a block of
//! neurons reads.

/// Ask the cache for the line holding `at`. A hint only: it never faults
/// and never changes what the program reads, whatever the address, so any
/// pointer (past the end of a slice included) is fine.
#[inline(always)]
pub fn prefetch<T>(at: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 is a hint that never faults and has no effect the
    // program can observe but timing, whatever the address; SSE, which it
    // needs, is part of x86-64's baseline.
    #[allow(unsafe_code)]
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(at.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

/// As [`prefetch`], into the second-level cache only: for lines wanted
/// some time ahead, so that they do not hold the first level's few miss
/// buffers while they come.
#[inline(always)]
pub fn prefetch_l2<T>(at: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: as for `prefetch` (PREFETCHT1 is the same hint, for the
    // second-level cache).
    #[allow(unsafe_code)]
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T1>(at.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}
