//! Input ring buffers, one per shard and channel (NEST's `Buffers_`).
//!
//! Laid out slot-major: the row of one slot holds the input of every neuron
//! of the shard for one step. The targets of one spike all write into the
//! same row, which therefore stays in cache while a spike's synapses are
//! walked.
//!
//! Synapses of one weight (a "count group") do not add their weight per
//! event: they count events in 16-bit cells, a row a quarter the size of a
//! row of doubles, and the neuron reads `weight * count`. The summed
//! weights then do not depend on the order events arrive in, and the rows
//! the delivery writes stay in the first-level cache.
//!
//! A count group may also count in bit planes: bit `p` of plane word
//! `t / 64`, bit `t % 64`, is bit `p` of neuron `t`'s count. A spike whose
//! targets come as a bitmap (dense projections) is then added to all its
//! targets at once, 512 at a time, by a ripple-carry addition (through the
//! first planes without a branch, further only where a carry is left):
//! about a tenth of the cost of one read-modify-write per event. Before a step's input is read the planes
//! are folded into its 16-bit cells ([`InputRing::fold_planes`]).

use spindle_core::Step;
use spindle_core::cache::prefetch;

use crate::Isa;

/// The excitatory and inhibitory input of every neuron of a shard for the
/// next `len` steps, in pA (summed synaptic weights).
#[derive(Debug, Clone)]
pub struct InputRing {
    n: usize,
    len: usize,
    ex: Vec<f64>,
    inh: Vec<f64>,
    /// Weight of each count group, and its event counts (`len * n` cells).
    counts: Vec<(f64, Vec<u16>)>,
    /// Each count group's bit planes.
    planes: Vec<Planes>,
    /// Whether any weight was ever added to `ex` or `inh`; while not,
    /// reads skip those rows (in the seed network every synapse counts).
    weights_written: bool,
}

impl InputRing {
    /// Rows for `len` steps of `n` neurons. `len` must exceed the longest
    /// delay plus the slice length minus one, so that no write wraps onto a
    /// row not yet read.
    pub fn new(n: usize, len: usize) -> Self {
        Self::with_counts(n, len, &[])
    }

    /// As `new`, with one count group per entry of `weights`. The caller
    /// guarantees that no cell receives more than `u16::MAX` events. The
    /// slots are rounded up to a power of two, so that finding a step's
    /// row is a mask, not a division (delivery finds one per spike and
    /// shard).
    pub fn with_counts(n: usize, len: usize, weights: &[f64]) -> Self {
        Self::with_planes(n, len, weights, &vec![0; weights.len()])
    }

    /// As `with_counts`, where count group `g` also has `depths[g]` bit
    /// planes (enough for the most bitmap events one step can bring a
    /// neuron: [`add_bitmap`](Self::add_bitmap)).
    pub fn with_planes(n: usize, len: usize, weights: &[f64], depths: &[u32]) -> Self {
        assert!(len > 0);
        assert_eq!(weights.len(), depths.len());
        let len = len.next_power_of_two();
        let mut ring = Self {
            n,
            len,
            ex: vec![0.0; n * len],
            inh: vec![0.0; n * len],
            counts: weights.iter().map(|&w| (w, vec![0; n * len])).collect(),
            planes: Vec::new(),
            weights_written: false,
        };
        let words = ring.plane_words();
        ring.planes = depths
            .iter()
            .map(|&d| Planes::new(words, d as usize, len))
            .collect();
        ring
    }

    /// Words of one bit plane (and of one bitmap of targets).
    pub fn plane_words(&self) -> usize {
        self.n.div_ceil(64)
    }

    /// Count one event for every neuron whose bit is set in `bitmap`
    /// (`plane_words` words), in group `group` at `step`. The group must
    /// have planes enough: no neuron may gather more than `2^depth - 1`
    /// events of one step this way.
    #[inline]
    pub fn add_bitmap(&mut self, group: usize, step: Step, bitmap: &[u64]) {
        let slot = step as usize & (self.len - 1);
        self.planes[group].add(slot, bitmap);
    }

    /// Fold the bit planes of the steps `origin + lag`, `lag` in
    /// `from..to`, into their 16-bit cells, and clear them.
    #[inline(always)]
    pub fn fold_planes(&mut self, origin: Step, from: u32, to: u32) {
        for lag in from..to {
            let slot = (origin + Step::from(lag)) as usize & (self.len - 1);
            for (planes, (_, counts)) in self.planes.iter_mut().zip(&mut self.counts) {
                planes.fold(slot, &mut counts[slot * self.n..(slot + 1) * self.n]);
            }
        }
    }

    /// The count row of group `group` for events arriving at `step`.
    #[inline]
    pub fn count_row_mut(&mut self, group: usize, step: Step) -> &mut [u16] {
        let at = self.row(step);
        &mut self.counts[group].1[at..at + self.n]
    }

    /// Add the count groups' input at cell `at` to (ex, inh), group by
    /// group, and clear the cells.
    #[inline(always)]
    fn add_counts(&mut self, at: usize, ex: &mut f64, inh: &mut f64) {
        for (w, cells) in &mut self.counts {
            let c = std::mem::take(&mut cells[at]);
            let s = *w * f64::from(c);
            if *w > 0.0 {
                *ex += s;
            } else {
                *inh += s;
            }
        }
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the ring covers no neuron.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        (self.ex.len() + self.inh.len()) * size_of::<f64>()
            + self.planes.iter().map(Planes::bytes).sum::<usize>()
            + self
                .counts
                .iter()
                .map(|(_, c)| c.len() * size_of::<u16>())
                .sum::<usize>()
    }

    #[inline]
    fn row(&self, step: Step) -> usize {
        (step as usize & (self.len - 1)) * self.n
    }

    /// The row of the channel chosen by the weight's sign (NEST: `s > 0`
    /// is excitatory) for input arriving at `step`.
    #[inline]
    pub fn row_mut(&mut self, step: Step, weight: f64) -> &mut [f64] {
        self.weights_written = true;
        let at = self.row(step);
        let buf = if weight > 0.0 {
            &mut self.ex
        } else {
            &mut self.inh
        };
        &mut buf[at..at + self.n]
    }

    /// Add `weight` for neuron `local` at `step`.
    #[inline]
    pub fn add(&mut self, step: Step, local: usize, weight: f64) {
        self.weights_written = true;
        let at = self.row(step) + local;
        if weight > 0.0 {
            self.ex[at] += weight;
        } else {
            self.inh[at] += weight;
        }
    }

    /// The row offset of each step `origin + lag` for `lag` in `from..to`,
    /// into `out[lag]`, so an update reads the ring without a division per
    /// neuron and step.
    pub fn row_offsets(&self, origin: Step, from: u32, to: u32, out: &mut Vec<usize>) {
        out.clear();
        out.resize(to as usize, 0);
        let mut slot = (origin + from as Step) as usize & (self.len - 1);
        for row in &mut out[from as usize..] {
            *row = slot * self.n;
            slot += 1;
            if slot == self.len {
                slot = 0;
            }
        }
    }

    /// Read and clear the input of neuron `local` in the row starting at
    /// `row` (from `row_offsets`): (ex, in).
    #[inline]
    pub fn take_at(&mut self, row: usize, local: usize) -> (f64, f64) {
        let at = row + local;
        let (mut ex, mut inh) = (0.0, 0.0);
        if self.weights_written {
            ex = std::mem::take(&mut self.ex[at]);
            inh = std::mem::take(&mut self.inh[at]);
        }
        self.add_counts(at, &mut ex, &mut inh);
        (ex, inh)
    }

    /// Start loading the cells of neuron `local` in the rows `rows[from..to]`,
    /// for a block of neurons read soon after: the delivery's stream of
    /// synapse rows has usually pushed them out of the near caches, and
    /// the hardware does not track one stream per row.
    #[inline(always)]
    pub fn prefetch_cells(&self, rows: &[usize], local: usize, from: u32, to: u32) {
        for &row in &rows[from as usize..to as usize] {
            let at = row + local;
            if self.weights_written {
                prefetch(self.ex.as_ptr().wrapping_add(at));
                prefetch(self.inh.as_ptr().wrapping_add(at));
            }
            for (_, counts) in &self.counts {
                prefetch(counts.as_ptr().wrapping_add(at));
            }
        }
    }

    /// Read and clear the input of neurons `local..local + N` for the lags
    /// `from..to` (rows from `row_offsets`) and add it to the Poisson input
    /// already in `ex[lag * N + l]` and `inh[lag * N + l]`. Each cell's sum
    /// is formed as `take_at` forms it (weights, then each count group in
    /// turn, from +0.0), one source at a time over the whole slice, so that
    /// the lanes stay in vector registers.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub fn take_slice<const N: usize>(
        &mut self,
        rows: &[usize],
        local: usize,
        from: u32,
        to: u32,
        ex: &mut [f64],
        inh: &mut [f64],
        sums: &mut [f64],
    ) {
        let (from, to) = (from as usize, to as usize);
        let (sx, si) = sums[..2 * N * to].split_at_mut(N * to);
        sx[from * N..].fill(0.0);
        si[from * N..].fill(0.0);
        for (lag, &row) in rows.iter().enumerate().take(to).skip(from) {
            let at = row + local;
            let cells = lag * N..lag * N + N;
            if self.weights_written {
                sx[cells.clone()].copy_from_slice(&self.ex[at..at + N]);
                si[cells.clone()].copy_from_slice(&self.inh[at..at + N]);
                self.ex[at..at + N].fill(0.0);
                self.inh[at..at + N].fill(0.0);
            }
        }
        for (w, counts) in &mut self.counts {
            let (w, out) = (*w, if *w > 0.0 { &mut *sx } else { &mut *si });
            for (lag, &row) in rows.iter().enumerate().take(to).skip(from) {
                let at = row + local;
                let c: [u16; N] = counts[at..at + N].try_into().expect("N neurons");
                counts[at..at + N].fill(0);
                let o: &mut [f64; N] = (&mut out[lag * N..lag * N + N])
                    .try_into()
                    .expect("N lanes");
                for l in 0..N {
                    o[l] += w * f64::from(c[l]);
                }
            }
        }
        // Addition commutes bit for bit: this is `ring + poisson`.
        for cell in from * N..to * N {
            ex[cell] += sx[cell];
            inh[cell] += si[cell];
        }
    }

    /// Whether every input so far came through count groups, so that
    /// [`take_lanes`](Self::take_lanes) may read it.
    #[inline]
    pub fn counts_only(&self) -> bool {
        !self.weights_written
    }

    /// Read and clear the input of neurons `local..local + N` in the row
    /// starting at `row`, as `take_slice` forms it (from +0.0, each count
    /// group in turn), for a ring with only counts (see
    /// [`counts_only`](Self::counts_only)): (ex, in) lane by lane.
    #[inline(always)]
    pub fn take_lanes<const N: usize>(&mut self, row: usize, local: usize) -> ([f64; N], [f64; N]) {
        debug_assert!(self.counts_only());
        let at = row + local;
        let (mut ex, mut inh) = ([0.0; N], [0.0; N]);
        for (w, counts) in &mut self.counts {
            let cells: &mut [u16; N] = (&mut counts[at..at + N]).try_into().expect("N neurons");
            let c = std::mem::replace(cells, [0; N]);
            let w = *w;
            if w > 0.0 {
                for l in 0..N {
                    ex[l] += w * f64::from(c[l]);
                }
            } else {
                for l in 0..N {
                    inh[l] += w * f64::from(c[l]);
                }
            }
        }
        (ex, inh)
    }

    /// Read and clear the input of neuron `local` at `step`: (ex, in).
    #[inline]
    pub fn take(&mut self, step: Step, local: usize) -> (f64, f64) {
        self.fold_planes(step, 0, 1);
        let row = self.row(step);
        self.take_at(row, local)
    }
}

/// One count group's bit planes: `depth` planes of `words` words per slot,
/// and per slot the number of planes in use (the highest a carry reached).
#[derive(Debug, Clone)]
struct Planes {
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
    fn new(words: usize, depth: usize, slots: usize) -> Self {
        Self {
            words,
            depth,
            // Planes a carry never reaches are never touched, so their
            // pages are never backed by memory.
            bits: vec![0; words * depth * slots],
            used: vec![0; slots],
        }
    }

    fn bytes(&self) -> usize {
        self.bits.len() * 8 + self.used.len() * size_of::<usize>()
    }

    /// Add one to the count of every neuron set in `bitmap` at `slot`,
    /// compiled for the widest vector unit this CPU has.
    fn add(&mut self, slot: usize, bitmap: &[u64]) {
        match Isa::best() {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX-512F is present (`Isa::best` checked it).
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
    fn fold(&mut self, slot: usize, cells: &mut [u16]) {
        if self.used[slot] == 0 {
            return;
        }
        match Isa::best() {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX-512F and BW are present (`Isa::best` checked it).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_by_sign_and_cleared_on_read() {
        let mut r = InputRing::new(3, 4);
        r.add(5, 1, 2.0);
        r.add(5, 1, -1.0);
        r.row_mut(5, 3.0)[1] += 3.0;
        assert_eq!(r.take(5, 1), (5.0, -1.0));
        assert_eq!(r.take(5, 1), (0.0, 0.0));
        // step 9 shares the slot of step 5 and 1
        r.add(9, 2, 1.0);
        assert_eq!(r.take(1, 2), (1.0, 0.0));
    }

    #[test]
    fn count_groups_read_as_weight_times_count() {
        let mut r = InputRing::with_counts(4, 3, &[2.5, -1.0]);
        r.count_row_mut(0, 4)[1] += 3;
        r.count_row_mut(1, 4)[1] += 2;
        r.add(4, 1, 0.5);
        let rows = {
            let mut v = Vec::new();
            r.row_offsets(4, 0, 1, &mut v);
            v
        };
        let (mut ex, mut inh) = ([1.0, 0.0], [0.0, 0.0]);
        r.take_slice::<2>(&rows, 0, 0, 1, &mut ex, &mut inh, &mut [0.0; 4]);
        assert_eq!((ex, inh), ([1.0, 0.5 + 7.5], [0.0, -2.0]));
        assert_eq!(r.take(4, 1), (0.0, 0.0));
        r.count_row_mut(0, 5)[3] += 1;
        assert_eq!(r.take(5, 3), (2.5, 0.0));
    }

    /// Random bitmaps and single events into the planes of a ring, against
    /// plain counts: partial blocks and words (n = 1000), counts past the
    /// unrolled planes and past 255 (the byte lanes of the AVX-512 fold).
    fn planes_count_like_cells(isa: Isa) {
        use spindle_core::rng::{Purpose, next_lanes, stream_state};
        let n = 1000;
        let mut rng = stream_state(3, Purpose::Connect, 0, 0).map(|w| [w]);
        let mut r = InputRing::with_planes(n, 4, &[0.5, -1.0], &[10, 4]);
        let mut want = vec![0u32; n];
        let mut bitmap = vec![0u64; r.plane_words()];
        for round in 0..700 {
            let dense = round < 600;
            for (w, word) in bitmap.iter_mut().enumerate() {
                let x = next_lanes(&mut rng)[0];
                // Dense rounds set about half the bits; the rest few.
                *word = if dense { x } else { x & x >> 7 & x >> 13 };
                if w == n / 64 {
                    *word &= (1 << (n % 64)) - 1;
                }
            }
            match isa {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: the caller checked that the CPU has AVX-512.
                #[allow(unsafe_code)]
                Isa::Avx512 => unsafe { r.planes[0].add_avx512(2, &bitmap) },
                _ => r.planes[0].add_portable(2, &bitmap),
            }
            for (t, count) in want.iter_mut().enumerate() {
                *count += (bitmap[t / 64] >> (t % 64) & 1) as u32;
            }
            let one = (next_lanes(&mut rng)[0] % n as u64) as usize;
            r.count_row_mut(0, 2)[one] += 2;
            want[one] += 2;
        }
        assert!(want.iter().any(|&c| c > 255));
        // The inhibitory group had no events; the planes hold nothing after.
        for (t, &count) in want.iter().enumerate() {
            let (ex, inh) = r.take(2 + 4 * 7, t);
            assert_eq!((ex, inh), (0.5 * f64::from(count), 0.0), "neuron {t}");
        }
        assert_eq!(r.take(2, 17), (0.0, 0.0));
        assert!(r.planes[0].bits.iter().all(|&w| w == 0));
    }

    #[test]
    fn planes_count_like_cells_portable() {
        planes_count_like_cells(Isa::Portable);
    }

    #[test]
    fn planes_count_like_cells_avx512() {
        if Isa::Avx512.available() {
            planes_count_like_cells(Isa::Avx512);
        }
    }

    #[test]
    fn row_offsets_wrap() {
        let r = InputRing::new(3, 4);
        let mut rows = Vec::new();
        r.row_offsets(6, 1, 4, &mut rows);
        // steps 7, 8, 9 -> slots 3, 0, 1
        assert_eq!(&rows[1..], &[9, 0, 3]);
    }
}
