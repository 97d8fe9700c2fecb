//! A count group's bit planes: bit `p` of plane word `t / 64`, bit
//! `t % 64`, is bit `p` of neuron `t`'s count (see the ring's docs), added
//! to by ripple-carry and folded into the 16-bit cells before a step is
//! read.

use crate::Isa;

/// One count group's bit planes: `depth` planes of `words` words per slot,
/// and per slot the number of planes in use (the highest a carry reached).
#[derive(Debug, Clone)]
pub(super) struct Planes {
    isa: Isa,
    words: usize,
    depth: usize,
    bits: Vec<u64>,
    used: Vec<usize>,
}

/// Words added together: one 512-bit vector.
const BLOCK: usize = 8;

/// Planes a carry is rippled through without testing whether it is spent
/// (at the seed's 3 to 4 events per neuron and step, it seldom goes
/// further).
const RIPPLE: usize = 4;

impl Planes {
    pub(super) fn new(isa: Isa, words: usize, depth: usize, slots: usize) -> Self {
        Self {
            isa,
            words,
            depth,
            // Planes a carry never reaches are never touched, so their
            // pages are never backed by memory.
            bits: vec![0; words * depth * slots],
            used: vec![0; slots],
        }
    }

    /// Whether every plane is zero (all folded).
    #[cfg(test)]
    pub(super) fn is_clear(&self) -> bool {
        self.bits.iter().all(|&w| w == 0)
    }

    pub(super) fn bytes(&self) -> usize {
        self.bits.len() * size_of::<u64>() + self.used.len() * size_of::<usize>()
    }

    /// What `new(_, words, depth, slots)` holds, saturating.
    pub(super) fn estimate_bytes(words: u64, depth: u64, slots: u64) -> u64 {
        words
            .saturating_mul(depth)
            .saturating_mul(slots)
            .saturating_mul(size_of::<u64>() as u64)
            .saturating_add(slots.saturating_mul(size_of::<usize>() as u64))
    }

    /// Add one to the count of every neuron set in `bitmap` at `slot`,
    /// compiled for the planes' vector unit.
    pub(super) fn add(&mut self, slot: usize, bitmap: &[u64]) {
        match self.isa {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX-512F is present (the engine passes only an
            // available `Isa`, and `InputRing::with_planes` checks it).
            #[allow(unsafe_code)]
            Isa::Avx512 => unsafe { self.add_avx512(slot, bitmap) },
            _ => self.add_portable(slot, bitmap),
        }
    }

    /// `add_portable` with the whole blocks in AVX-512 registers (the
    /// compiler left the portable form scalar).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn add_avx512(&mut self, slot: usize, bitmap: &[u64]) {
        use std::arch::x86_64::*;
        self.add_blocks(slot, bitmap, |planes, words, at, first, carry| {
            // SAFETY: `carry` is BLOCK words (64 bytes); unaligned loads
            // are allowed.
            #[allow(unsafe_code)]
            let mut carry = unsafe { _mm512_loadu_si512(carry.as_ptr().cast()) };
            for p in 0..first {
                let x = &mut planes[p * words + at..p * words + at + BLOCK];
                // SAFETY: `x` holds BLOCK words (64 bytes), borrowed
                // mutably here.
                #[allow(unsafe_code)]
                unsafe {
                    let old = _mm512_loadu_si512(x.as_ptr().cast());
                    _mm512_storeu_si512(x.as_mut_ptr().cast(), _mm512_xor_si512(old, carry));
                    carry = _mm512_and_si512(carry, old);
                }
            }
            _mm512_test_epi64_mask(carry, carry) != 0
        })
    }

    #[inline(always)]
    fn add_portable(&mut self, slot: usize, bitmap: &[u64]) {
        self.add_blocks(slot, bitmap, ripple_block)
    }

    /// The addition of `add`, whole blocks by `block` (`ripple_block`'s
    /// arguments and result).
    #[inline(always)]
    fn add_blocks(
        &mut self,
        slot: usize,
        bitmap: &[u64],
        block: impl Fn(&mut [u64], usize, usize, usize, [u64; BLOCK]) -> bool,
    ) {
        debug_assert_eq!(bitmap.len(), self.words);
        let (words, depth) = (self.words, self.depth);
        let planes = &mut self.bits[slot * depth * words..(slot + 1) * depth * words];
        // The first `RIPPLE` planes whatever the carry: whether it goes on
        // is close to a coin toss, and a branch on it would mispredict.
        let first = RIPPLE.min(depth);
        self.used[slot] = self.used[slot].max(first);
        for (b, chunk) in bitmap.chunks(BLOCK).enumerate() {
            let at = b * BLOCK;
            let left = match <&[u64; BLOCK]>::try_from(chunk) {
                // Whole blocks as arrays, so that they vectorise.
                Ok(&whole) => block(planes, words, at, first, whole),
                Err(_) => ripple_words(planes, words, at, first, chunk),
            };
            if left {
                self.used[slot] =
                    self.used[slot].max(carry_on(planes, words, depth, first, at, chunk));
            }
        }
    }

    /// Add the counts of `slot` to `cells` (one per neuron) and clear them.
    pub(super) fn fold(&mut self, slot: usize, cells: &mut [u16]) {
        if self.used[slot] == 0 {
            return;
        }
        match self.isa {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX-512F and BW are present (checked at construction).
            #[allow(unsafe_code)]
            Isa::Avx512 => unsafe { self.fold_avx512(slot, cells) },
            _ => self.fold_portable(slot, cells, 0),
        }
    }

    fn fold_portable(&mut self, slot: usize, cells: &mut [u16], from_word: usize) {
        let used = std::mem::take(&mut self.used[slot]);
        let (words, depth) = (self.words, self.depth);
        let planes = &mut self.bits[slot * depth * words..(slot + 1) * depth * words];
        for (w, cells) in cells.chunks_mut(64).enumerate().skip(from_word) {
            for p in 0..used {
                let bits = std::mem::take(&mut planes[p * words + w]);
                if bits == 0 {
                    continue;
                }
                for (j, cell) in cells.iter_mut().enumerate() {
                    *cell += ((bits >> j) as u16 & 1) << p;
                }
            }
        }
    }

    /// `fold` with AVX-512BW: each plane word becomes 64 byte lanes at
    /// once (`vpmovm2b`), so a word of 64 neurons costs a few instructions
    /// per plane in use rather than 64.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw")]
    fn fold_avx512(&mut self, slot: usize, cells: &mut [u16]) {
        use std::arch::x86_64::*;
        let used = self.used[slot];
        let (words, depth) = (self.words, self.depth);
        let whole = cells.len() / 64;
        let planes = &mut self.bits[slot * depth * words..(slot + 1) * depth * words];
        for (w, cells) in cells.chunks_exact_mut(64).enumerate() {
            // Planes 0..8 as bytes; a count past 255 (rare) takes the
            // planes above in a scalar loop.
            let mut low = _mm512_setzero_si512();
            for p in 0..used.min(8) {
                let bits = std::mem::take(&mut planes[p * words + w]);
                let lanes = _mm512_movm_epi8(bits);
                low = _mm512_or_si512(low, _mm512_and_si512(lanes, _mm512_set1_epi8(1 << p)));
            }
            // SAFETY: __m512i and [u8; 64] are 64 bytes of plain data.
            #[allow(unsafe_code)]
            let low = unsafe { std::mem::transmute::<__m512i, [u8; 64]>(low) };
            let cells: &mut [u16; 64] = cells.try_into().expect("64 neurons");
            for (cell, &c) in cells.iter_mut().zip(&low) {
                *cell += u16::from(c);
            }
            for p in 8..used {
                let bits = std::mem::take(&mut planes[p * words + w]);
                for (j, cell) in cells.iter_mut().enumerate() {
                    *cell += ((bits >> j) as u16 & 1) << p;
                }
            }
        }
        // The last, partial word.
        self.fold_portable(slot, cells, whole);
    }
}

/// Add the block `carry` at word `at` into the first `first` planes;
/// returns whether a carry is left for the planes above.
#[inline(always)]
fn ripple_block(
    planes: &mut [u64],
    words: usize,
    at: usize,
    first: usize,
    mut carry: [u64; BLOCK],
) -> bool {
    for p in 0..first {
        let x: &mut [u64; BLOCK] = (&mut planes[p * words + at..p * words + at + BLOCK])
            .try_into()
            .expect("a block");
        let old = *x;
        for i in 0..BLOCK {
            x[i] = old[i] ^ carry[i];
            carry[i] &= old[i];
        }
    }
    carry.iter().fold(0, |a, &c| a | c) != 0
}

/// `ripple_block` for a partial block, a word at a time.
fn ripple_words(planes: &mut [u64], words: usize, at: usize, first: usize, carry: &[u64]) -> bool {
    let mut left = 0;
    for (i, &c) in carry.iter().enumerate() {
        let mut c = c;
        for p in 0..first {
            let x = &mut planes[p * words + at + i];
            let old = *x;
            *x = old ^ c;
            c &= old;
        }
        left |= c;
    }
    left != 0
}

/// Redo the carries of `bitmap` block `at` past plane `first` (rare):
/// recomputes what rippled out of the first planes from their state.
/// Returns the planes now in use.
#[cold]
fn carry_on(
    planes: &mut [u64],
    words: usize,
    depth: usize,
    first: usize,
    at: usize,
    block: &[u64],
) -> usize {
    let mut used = first;
    for (i, &bits) in block.iter().enumerate() {
        // A bit carried out of plane `first - 1` where it was set in the
        // bitmap and every one of the first planes is now 0 there.
        let mut carry = bits;
        for p in 0..first {
            carry &= !planes[p * words + at + i];
        }
        let mut p = first;
        while carry != 0 {
            assert!(
                p < depth,
                "a neuron gathered more bitmap events than its planes hold"
            );
            let x = &mut planes[p * words + at + i];
            let old = *x;
            *x = old ^ carry;
            carry &= old;
            p += 1;
            used = used.max(p);
        }
    }
    used
}
