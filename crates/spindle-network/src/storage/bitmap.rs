//! Bitmaps: the storage form for dense projections of one weight and
//! delay (where a bitmap takes at most `BITMAP_MAX_BYTES_RATIO` times the
//! bytes of the encoded rows: the seed network's, at 1.25).
//!
//! Each source's targets are one bit per neuron of the shard, and its
//! further synapses onto a target (multapses, about 5 % in the seed
//! network) a list of local indices. Delivery adds a whole bitmap into the
//! ring's bit-sliced counters (`spindle_models::ring`), 512 neurons per
//! instruction, instead of one read-modify-write per event.

use spindle_core::Step;
use spindle_core::cache::{advise_huge_pages, prefetch, prefetch_l2};
use spindle_models::InputRing;

use super::{Channel, EachSynapse, SynapseStore};

/// How many of a source's multapses delivery prefetches.
const EXTRA_AHEAD: usize = 128;

/// Each source's targets as one bit per neuron of the shard, and the
/// synapses a bit cannot hold (a second or later synapse onto one target,
/// about 5 % in the seed network) as plain local indices: they are too
/// sparse for short steps, and a plain list needs no decoding.
#[derive(Debug, Clone)]
pub struct Bitmap {
    /// Words per source (the ring's `plane_words`).
    words: usize,
    bits: Vec<u64>,
    /// Bits set per source.
    counts: Vec<u32>,
    /// `extra[extra_start[s]..extra_start[s + 1]]`: source `s`'s further
    /// synapses.
    extra_start: Vec<u32>,
    extra: Vec<u32>,
}

impl Bitmap {
    fn row(&self, s: usize) -> Option<(&[u64], u32)> {
        let &count = self.counts.get(s)?;
        Some((&self.bits[s * self.words..(s + 1) * self.words], count))
    }

    fn extra(&self, s: usize) -> &[u32] {
        match self.extra_start.get(s..s + 2) {
            Some(&[lo, hi]) => &self.extra[lo as usize..hi as usize],
            _ => &[],
        }
    }

    fn bytes(&self) -> usize {
        (self.bits.len() * 2 + self.counts.len() + self.extra_start.len() + self.extra.len()) * 4
    }
}

impl Bitmap {
    /// Bytes a bitmap of `words` words per source takes for `sources`
    /// sources, without the multapse lists (the form's choice compares
    /// it with the encoded rows). Saturating.
    pub(super) fn bitmap_bytes(sources: u64, words: u64) -> u64 {
        sources
            .saturating_mul(words)
            .saturating_mul(size_of::<u64>() as u64)
    }

    /// Estimated multapses (synapses beyond the first onto a target) of
    /// `sources` sources with `synapses` synapses onto `targets` neurons,
    /// if each row's synapses pick their targets at random (`multapses`:
    /// whether the rule can connect a pair twice at all).
    pub(super) fn estimate_multapses(
        sources: u64,
        synapses: u64,
        targets: u64,
        multapses: bool,
    ) -> u64 {
        if !multapses || synapses == 0 || targets == 0 {
            return 0;
        }
        let per_row = synapses as f64 / sources.max(1) as f64;
        let targets = targets as f64;
        // Distinct targets of a row of `per_row` random picks.
        let distinct = targets * (1.0 - (1.0 - 1.0 / targets).powf(per_row));
        ((per_row - distinct).max(0.0) * sources as f64) as u64
    }

    /// Estimated bytes for `sources` sources with `synapses` synapses onto
    /// `targets` of the shard's neurons, `words` words per bitmap: the
    /// bits, the count and list start of each source, and the multapses
    /// ([`estimate_multapses`](Self::estimate_multapses)). The multapse
    /// list is collected in place from the (source, target) pairs it was
    /// sorted as, so its buffer keeps the pairs' size: a
    /// `size_of::<(u32, u32)>()` per multapse stays resident (measured:
    /// the seed network's excitatory projection at order 2500 on one thread
    /// keeps 4.6 MiB resident for its 605,000 multapses). Saturating.
    pub fn estimate(sources: u64, synapses: u64, targets: u64, words: u64, multapses: bool) -> u64 {
        let extra = Self::estimate_multapses(sources, synapses, targets, multapses);
        Self::bitmap_bytes(sources, words)
            .saturating_add(sources.saturating_mul(size_of::<u32>() as u64))
            .saturating_add(
                sources
                    .saturating_add(1)
                    .saturating_mul(size_of::<u32>() as u64),
            )
            .saturating_add(extra.saturating_mul(size_of::<(u32, u32)>() as u64))
    }

    /// Estimated bytes building the bitmap holds beyond what it keeps, at
    /// its peak (sorting the multapses): the row offsets of the first pass,
    /// the word being built per source, and the stable sort's scratch,
    /// which std's sort allocates for the whole input up to 8 MB (beyond
    /// that, for half of it). Saturating.
    pub(super) fn estimate_build_bytes(sources: u64, multapses: u64) -> u64 {
        const SORT_FULL_SCRATCH_BYTES: u64 = 8_000_000;
        let pair = size_of::<(u32, u32)>() as u64;
        let sorted = multapses.saturating_mul(pair);
        let scratch = if sorted <= SORT_FULL_SCRATCH_BYTES {
            sorted
        } else {
            (multapses - multapses / 2)
                .saturating_mul(pair)
                .max(SORT_FULL_SCRATCH_BYTES)
        };
        sources
            .saturating_add(1)
            .saturating_mul(size_of::<u64>() as u64)
            .saturating_add(sources.saturating_mul(size_of::<u64>() as u64))
            .saturating_add(scratch)
    }
}

impl SynapseStore for Bitmap {
    #[inline(always)]
    fn deliver(&self, ring: &mut InputRing, arrival: Step, s: usize, channel: Channel) -> u64 {
        let Channel::Count(g) = channel else {
            unreachable!("bitmaps are chosen for count groups only")
        };
        let Some((bits, n)) = self.row(s).filter(|&(_, n)| n > 0) else {
            return 0;
        };
        let extra = self.extra(s);
        ring.add_bitmap(g as usize, arrival, bits);
        // The few multapses one at a time: the lag's cells are in cache
        // while its spikes are delivered.
        let cells = ring.count_row_mut(g as usize, arrival);
        for &t in extra {
            cells[t as usize] += 1;
        }
        u64::from(n) + extra.len() as u64
    }

    #[inline]
    fn prefetch_offsets(&self, s: usize) {
        if s < self.counts.len() {
            prefetch(self.counts.as_ptr().wrapping_add(s));
            prefetch(self.extra_start.as_ptr().wrapping_add(s));
        }
    }

    #[inline]
    fn prefetch(&self, s: usize) {
        if let Some((bits, _)) = self.row(s) {
            // The whole bitmap: its lines are few, and all are read faster
            // than the hardware follows the stream. Into the second-level
            // cache: a spike's 25 lines (the seed network on one thread)
            // would hold the first level's miss buffers (delivery 0.34 ->
            // 0.28 ns per event).
            for line in (0..bits.len()).step_by(8) {
                prefetch_l2(bits.as_ptr().wrapping_add(line));
            }
            let extra = self.extra(s);
            for line in (0..extra.len().min(EXTRA_AHEAD)).step_by(16) {
                prefetch(extra.as_ptr().wrapping_add(line));
            }
        }
    }

    fn targets(&self, s: usize, out: &mut Vec<u32>) {
        if let Some((bits, _)) = self.row(s) {
            for (w, &word) in bits.iter().enumerate() {
                out.extend(
                    (0..64)
                        .filter(|j| word >> j & 1 == 1)
                        .map(|j| (w * 64 + j) as u32),
                );
            }
            out.extend_from_slice(self.extra(s));
        }
    }

    fn bytes(&self) -> usize {
        Bitmap::bytes(self)
    }
}

/// Each source's targets as a bitmap of `words` words, and the synapses a
/// bitmap cannot hold.
pub(super) fn bitmap_rows(
    sources: usize,
    words: usize,
    each_synapse: &mut EachSynapse<'_>,
) -> Bitmap {
    let mut bits = vec![0u64; sources * words];
    advise_huge_pages(&bits);
    let mut counts = vec![0u32; sources];
    let mut extra_of: Vec<(u32, u32)> = Vec::new();
    // Targets come in ascending order, so each source's word for 64
    // targets is built whole in `word_of` (in cache) and stored once those
    // targets are done: storing each bit into the bitmaps themselves missed
    // the cache once per synapse (a third of the build at order 25,000).
    let mut word_of = vec![0u64; sources];
    let mut column = 0;
    let mut flush = |column: usize, word_of: &mut [u64], extra_of: &mut Vec<(u32, u32)>| {
        for (s, word) in word_of.iter_mut().enumerate() {
            let w = std::mem::take(word);
            if w != 0 {
                let stored = &mut bits[s * words + column];
                // Bits stored before (targets out of order): further
                // synapses onto those targets.
                let again = *stored & w;
                for j in (0..64).filter(|j| again >> j & 1 == 1) {
                    extra_of.push((s as u32, (column * 64 + j) as u32));
                }
                counts[s] += (w & !again).count_ones();
                *stored |= w;
            }
        }
    };
    each_synapse(&mut |s, local| {
        let (c, bit) = (local as usize / 64, 1u64 << (local % 64));
        if c != column {
            flush(column, &mut word_of, &mut extra_of);
            column = c;
        }
        if word_of[s] & bit == 0 {
            word_of[s] |= bit;
        } else {
            extra_of.push((s as u32, local));
        }
    });
    flush(column, &mut word_of, &mut extra_of);
    // By source, each source's in the order drawn (a stable sort).
    extra_of.sort_by_key(|&(s, _)| s);
    let mut extra_start = vec![0u32; sources + 1];
    for &(s, _) in &extra_of {
        extra_start[s as usize + 1] += 1;
    }
    for i in 1..extra_start.len() {
        extra_start[i] += extra_start[i - 1];
    }
    Bitmap {
        words,
        bits,
        counts,
        extra_start,
        extra: extra_of.into_iter().map(|(_, t)| t).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmaps_keep_multapses_in_any_target_order() {
        // Source 0 onto 5, 70, 5 again after another word, 6 and 70 again.
        let pairs = [(0, 5), (0, 70), (0, 5), (1, 3), (0, 6), (0, 70)];
        let mut each = |emit: &mut dyn FnMut(usize, u32)| {
            for &(s, t) in &pairs {
                emit(s, t);
            }
        };
        let b = bitmap_rows(2, 2, &mut each);
        assert_eq!(b.counts, [3, 1]);
        assert_eq!(b.bits[..2], [1 << 5 | 1 << 6, 1 << 6]);
        assert_eq!(b.bits[2..], [1 << 3, 0]);
        let mut extra = b.extra(0).to_vec();
        extra.sort_unstable();
        assert_eq!(extra, [5, 70]);
        assert!(b.extra(1).is_empty());
    }
}
