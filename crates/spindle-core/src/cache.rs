//! Software prefetch, for the streams the hardware prefetcher starts late
//! on: the synapse rows a spike walks, and the input-ring rows a block of
//! neurons reads; and huge pages for the large arrays read at random.

/// Ask the cache for the line holding `at`. A hint only: it never faults
/// and never changes what the program reads, whatever the address, so any
/// pointer (past the end of a slice included) is fine.
#[inline(always)]
pub fn prefetch<T>(at: *const T) {
    #[cfg(target_arch = "x86_64")]
    hint::<{ std::arch::x86_64::_MM_HINT_T0 }, T>(at);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

/// As [`prefetch`], into the second-level cache only: for lines wanted
/// some time ahead, so that they do not hold the first level's few miss
/// buffers while they come.
#[inline(always)]
pub fn prefetch_l2<T>(at: *const T) {
    #[cfg(target_arch = "x86_64")]
    hint::<{ std::arch::x86_64::_MM_HINT_T1 }, T>(at);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn hint<const LEVEL: i32, T>(at: *const T) {
    // SAFETY: PREFETCHT0/T1 are hints that never fault and have no effect
    // the program can observe but timing, whatever the address; SSE, which
    // they need, is part of x86-64's baseline.
    #[allow(unsafe_code)]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<LEVEL>(at.cast::<i8>());
    }
}

/// Ask the kernel to back the memory of `v` with huge pages (2 MiB) where
/// the system lets a program ask (Linux's transparent huge pages in
/// `madvise` mode, the default of many distributions). Delivery reads a
/// spike's synapses at a random place in megabytes of rows: with 4 KiB
/// pages nearly every spike misses the TLB, and in a virtual machine a miss
/// costs two page walks. Call it before the memory is first written; only
/// the whole huge pages inside `v` are advised. A hint: it changes no
/// value, and does nothing elsewhere.
pub fn advise_huge_pages<T>(v: &[T]) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = v.as_ptr() as usize;
        let (first, last) = (
            start.next_multiple_of(HUGE),
            (start + size_of_val(v)) / HUGE * HUGE,
        );
        if first < last {
            // SAFETY: MADV_HUGEPAGE only changes how the kernel backs the
            // pages of a range this process owns (inside `v`'s allocation);
            // it never changes their contents or whether they are valid.
            #[allow(unsafe_code)]
            unsafe {
                libc::madvise(
                    first as *mut libc::c_void,
                    last - first,
                    libc::MADV_HUGEPAGE,
                );
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}
