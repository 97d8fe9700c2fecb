//! Target-indexed synapse storage.
//!
//! A shard stores the synapses onto its own neurons, one compressed row per
//! source and projection: `bytes[offsets[s]..offsets[s + 1]]` encode the
//! local indices of the targets of source `s`. Weight and delay are
//! homogeneous within a projection and kept once, so a synapse costs only
//! its index, and the index is stored as the step from the previous target
//! of the row (rows are filled in ascending target order):
//!
//! ```text
//! 0xxxxxxx              a step of 0..=127
//! 1xxxxxxx yyyyyyyy     a step of 128 + (x << 8 | y), up to 32,639
//!                       (x < 127)
//! 11111111 + 4 bytes    the absolute index, little-endian (longer steps,
//!                       and steps back in a row filled out of order)
//! ```
//!
//! The seed network's steps average 1 / epsilon = 10, so a synapse costs
//! one byte at any shard size, half of what 16-bit indices cost; the rows
//! are the stream delivery reads from memory, so halving them halves the
//! traffic that bounds it. Sparser networks cost up to 2 bytes.
//!
//! A dense projection (where a bitmap takes at most 1.5 times the bytes of
//! the encoded rows: the seed network's, at 1.25) holds each source's
//! targets as one bit per neuron of the shard instead, and its further
//! synapses onto a target (multapses, about 5 % in the seed network) as a
//! list of local indices. Delivery then adds a whole bitmap into the
//! ring's bit-sliced counters (`spindle_models::ring`), 512 neurons per
//! instruction, instead of one read-modify-write per event.

use spindle_core::cache::{advise_huge_pages, prefetch, prefetch_l2};
use spindle_core::{NodeId, Step};
use spindle_models::InputRing;

use crate::rules::sources_of;
use crate::{Network, Partition, ShardRange};

/// The synapses of one projection onto one shard's neurons.
#[derive(Debug, Clone)]
pub struct ProjectionRows {
    src_first: NodeId,
    offsets: Vec<u64>,
    bytes: Vec<u8>,
    synapses: u64,
    /// Weight [pA].
    pub weight: f64,
    /// Delay [steps].
    pub delay: Step,
    /// Index of the synapse model.
    pub synapse_model: u32,
    /// The ring's count group this projection's events are counted in, or
    /// `None` to add the weight per event.
    pub count_group: Option<u32>,
    /// For a dense projection, each source's targets as a bitmap (the byte
    /// rows are then empty).
    bitmap: Option<Bitmap>,
}

/// Each source's targets as one bit per neuron of the shard, and the
/// synapses a bit cannot hold (a second or later synapse onto one target,
/// about 5 % in the seed network) as plain local indices: they are too
/// sparse for short steps, and a plain list needs no decoding.
#[derive(Debug, Clone)]
struct Bitmap {
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

/// A bitmap is chosen where it takes at most this many times the bytes of
/// the encoded rows: delivering it costs about a tenth as much per event
/// (bit planes, see `spindle_models::ring`), and a denser projection needs
/// fewer bytes for it (at the seed's connection probability of 0.1 a bitmap
/// takes 1.25 times the bytes).
const BITMAP_MAX_BYTES_RATIO: f64 = 1.5;

/// How far ahead in a row delivery prefetches, in bytes: rows stream from
/// memory (the seed network's rows exceed the caches), and the hardware
/// prefetcher starts late on rows of a few hundred bytes.
const PREFETCH_AHEAD: usize = 512;

/// Steps below this take one byte.
const SHORT: u32 = 0x80;
/// Steps below this (and at least `SHORT`) take two bytes.
const LONG: u32 = SHORT + 0x7f00;
/// The escape byte: the next four bytes hold a target's absolute index.
const ESCAPE: u8 = u8::MAX;

/// The targets of one source: local indices in the shard, encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<'a> {
    bytes: &'a [u8],
}

impl<'a> Row<'a> {
    /// Whether there are no targets.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Call `f` with each target's local index, in stored order; returns
    /// the number of targets. Prefetches the row `PREFETCH_AHEAD` bytes
    /// ahead, one cache line at a time.
    #[inline(always)]
    pub fn for_each(&self, mut f: impl FnMut(usize)) -> u64 {
        let bytes = self.bytes;
        let (mut at, mut target, mut n) = (0, 0usize, 0);
        while at < bytes.len() {
            prefetch(bytes.as_ptr().wrapping_add(at + PREFETCH_AHEAD));
            // A line of 64 one-byte steps (the common case) goes through a
            // loop with no test per byte: 1.4x faster per event than the
            // loop below in a micro-benchmark.
            if let Some(line) = bytes.get(at..at + 64) {
                let line: &[u8; 64] = line.try_into().expect("a line");
                if line.iter().fold(0, |high, &b| high | b) < SHORT as u8 {
                    for &b in line {
                        target += usize::from(b);
                        f(target);
                    }
                    at += 64;
                    n += 64;
                    continue;
                }
            }
            let line_end = (at + 64).min(bytes.len());
            while at < line_end {
                let b = bytes[at];
                if u32::from(b) < SHORT {
                    target += usize::from(b);
                    at += 1;
                } else if b != ESCAPE {
                    target +=
                        SHORT as usize + (usize::from(b & 0x7f) << 8 | usize::from(bytes[at + 1]));
                    at += 2;
                } else {
                    let word = bytes[at + 1..at + 5].try_into().expect("an escaped index");
                    target = u32::from_le_bytes(word) as usize;
                    at += 5;
                }
                f(target);
                n += 1;
            }
        }
        n
    }

    /// The local indices.
    pub fn to_vec(&self) -> Vec<u32> {
        let mut out = Vec::new();
        self.for_each(|t| out.push(t as u32));
        out
    }
}

/// Append `target` to a row whose previous target was `last` (0 for the
/// first). A multapse is a step of 0: a branch for it would mispredict
/// (measured 1.7x slower delivery).
fn encode(out: &mut impl FnMut(u8), last: u32, target: u32) {
    match target.checked_sub(last) {
        Some(step) if step < SHORT => out(step as u8),
        Some(step) if step < LONG => {
            let long = step - SHORT;
            out(0x80 | (long >> 8) as u8);
            out(long as u8);
        }
        _ => {
            out(ESCAPE);
            target.to_le_bytes().into_iter().for_each(out);
        }
    }
}

/// Bytes `encode` writes.
fn encoded_len(last: u32, target: u32) -> u64 {
    let mut n = 0;
    encode(&mut |_| n += 1, last, target);
    n
}

/// Write one event per target: count it, or add the weight. Returns the
/// number of events.
#[inline(always)]
fn scatter(row: Row<'_>, cells: &mut Cells<'_>) -> u64 {
    match cells {
        Cells::Count(c) => row.for_each(|t| c[t] += 1),
        Cells::Weight(c, w) => row.for_each(|t| c[t] += *w),
    }
}

enum Cells<'a> {
    Count(&'a mut [u16]),
    Weight(&'a mut [f64], f64),
}

impl ProjectionRows {
    /// Local indices of the targets of `source` in this shard (empty if
    /// `source` is not a source of the projection).
    #[inline]
    pub fn row(&self, source: NodeId) -> Row<'_> {
        let s = source.wrapping_sub(self.src_first) as usize;
        let (lo, hi) = match self.offsets.get(s..s + 2) {
            Some(&[lo, hi]) => (lo as usize, hi as usize),
            _ => (0, 0),
        };
        Row {
            bytes: &self.bytes[lo..hi],
        }
    }

    /// Number of synapses.
    pub fn len(&self) -> usize {
        self.synapses as usize
    }

    /// Whether there are no synapses.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.offsets.len() * 8 + self.bytes.len() + self.bitmap.as_ref().map_or(0, Bitmap::bytes)
    }

    /// Whether the targets are held as bitmaps.
    pub fn is_bitmap(&self) -> bool {
        self.bitmap.is_some()
    }

    /// The local indices of every synapse of `source`, ascending (a
    /// multapse's target once per synapse).
    pub fn targets(&self, source: NodeId) -> Vec<u32> {
        let mut out = self.row(source).to_vec();
        let s = source.wrapping_sub(self.src_first) as usize;
        if let Some(bitmap) = &self.bitmap
            && let Some((bits, _)) = bitmap.row(s)
        {
            for (w, &word) in bits.iter().enumerate() {
                out.extend(
                    (0..64)
                        .filter(|j| word >> j & 1 == 1)
                        .map(|j| (w * 64 + j) as u32),
                );
            }
            out.extend_from_slice(bitmap.extra(s));
        }
        out.sort_unstable();
        out
    }
}

/// Calls its argument with (source, local target) for every synapse.
type EachSynapse<'a> = dyn FnMut(&mut dyn FnMut(NodeId, u32)) + 'a;

/// Where each source's encoded row starts (and the end), and the number of
/// synapses.
fn row_offsets(
    sources: usize,
    first: NodeId,
    each_synapse: &mut EachSynapse<'_>,
) -> (Vec<u64>, u64) {
    let mut offsets = vec![0u64; sources + 1];
    let mut last = vec![0u32; sources];
    let mut synapses = 0;
    each_synapse(&mut |s, local| {
        let s = (s - first) as usize;
        offsets[s + 1] += encoded_len(last[s], local);
        last[s] = local;
        synapses += 1;
    });
    for i in 1..offsets.len() {
        offsets[i] += offsets[i - 1];
    }
    (offsets, synapses)
}

/// The encoded rows at `offsets` (from `row_offsets` over the same
/// synapses).
fn fill_rows(offsets: &[u64], first: NodeId, each_synapse: &mut EachSynapse<'_>) -> Vec<u8> {
    let mut cursor = offsets.to_vec();
    let mut last = vec![0u32; offsets.len() - 1];
    let mut bytes = vec![0u8; *offsets.last().unwrap_or(&0) as usize];
    advise_huge_pages(&bytes);
    each_synapse(&mut |s, local| {
        let s = (s - first) as usize;
        let c = &mut cursor[s];
        encode(
            &mut |b| {
                bytes[*c as usize] = b;
                *c += 1;
            },
            last[s],
            local,
        );
        last[s] = local;
    });
    bytes
}

/// Each source's targets as a bitmap of `words` words, and the synapses a
/// bitmap cannot hold.
fn bitmap_rows(
    sources: usize,
    first: NodeId,
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
        let s = (s - first) as usize;
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

/// All synapses onto one shard's neurons.
#[derive(Debug, Clone, Default)]
pub struct ShardSynapses {
    /// One entry per projection of the network, in connect order.
    pub projections: Vec<ProjectionRows>,
    /// Weight of each count group (the input ring needs one per entry).
    pub count_weights: Vec<f64>,
    /// Bit planes each count group needs: enough for one event per source
    /// of its bitmap projections in one step.
    pub plane_depths: Vec<u32>,
}

/// Assign projections to count groups: one group per distinct weight, as
/// long as the events one step can bring a target in a group (the summed
/// in-degree bounds of its projections) fit in a 16-bit cell; projections
/// that would overflow it add their weight per event instead.
pub fn count_groups(net: &Network) -> (Vec<Option<u32>>, Vec<f64>) {
    let mut weights: Vec<f64> = Vec::new();
    let mut load: Vec<u64> = Vec::new();
    let groups = net
        .projections()
        .iter()
        .map(|p| {
            let bound = p.rule.max_per_target(&p.sources);
            let g = match weights
                .iter()
                .position(|w| w.to_bits() == p.weight.to_bits())
            {
                Some(g) => g,
                None => {
                    weights.push(p.weight);
                    load.push(0);
                    weights.len() - 1
                }
            };
            (load[g] + bound <= u16::MAX as u64).then(|| {
                load[g] += bound;
                g as u32
            })
        })
        .collect();
    (groups, weights)
}

impl ShardSynapses {
    /// Draw and store the synapses onto the neurons of `shard`. Sources are
    /// drawn twice with the same streams, once to count each row and once
    /// to fill it, so no list of (source, target) pairs is ever held.
    pub fn build(net: &Network, partition: &Partition, shard: &ShardRange) -> Self {
        Self::build_reusing(net, partition, shard, Vec::new())
    }

    /// As [`build`](Self::build), taking the rows of the first
    /// `reuse.len()` projections as already built: the caller vouches that
    /// they were built for the same projections, neurons, shard and seed
    /// (a network that only gained projections since).
    pub fn build_reusing(
        net: &Network,
        partition: &Partition,
        shard: &ShardRange,
        reuse: Vec<ProjectionRows>,
    ) -> Self {
        let mut scratch = Vec::new();
        let (groups, count_weights) = count_groups(net);
        let mut reuse = reuse.into_iter();
        let projections = net
            .projections()
            .iter()
            .enumerate()
            .map(|(p, proj)| {
                if let Some(mut rows) = reuse.next() {
                    // Groups are assigned in connect order, so a prefix
                    // keeps its groups; set them anyway.
                    rows.count_group = groups[p];
                    return rows;
                }
                let first = proj.sources.first();
                let owned: Vec<(NodeId, u32)> = partition.owned(shard, &proj.targets).collect();
                // Each owned target's sources, in the rule's fixed order.
                let mut each_synapse = |emit: &mut dyn FnMut(NodeId, u32)| {
                    for &(target, local) in &owned {
                        let (sources, targets) = (&proj.sources, &proj.targets);
                        sources_of(
                            &proj.rule,
                            net.seed(),
                            p as u32,
                            sources,
                            targets,
                            target,
                            &mut scratch,
                            |s| emit(s, local),
                        );
                    }
                };
                let sources = proj.sources.len();
                let (offsets, synapses) = row_offsets(sources, first, &mut each_synapse);
                let words = shard.len().div_ceil(64);
                let bitmap_bytes = (sources * words * 8) as f64;
                let encoded_bytes = *offsets.last().unwrap_or(&0) as f64;
                let (offsets, bytes, bitmap) = if groups[p].is_some()
                    && bitmap_bytes <= BITMAP_MAX_BYTES_RATIO * encoded_bytes
                {
                    let bitmap = bitmap_rows(sources, first, words, &mut each_synapse);
                    (Vec::new(), Vec::new(), Some(bitmap))
                } else {
                    let bytes = fill_rows(&offsets, first, &mut each_synapse);
                    (offsets, bytes, None)
                };
                ProjectionRows {
                    src_first: first,
                    offsets,
                    bytes,
                    synapses,
                    weight: proj.weight,
                    delay: proj.delay,
                    synapse_model: proj.synapse_model,
                    count_group: groups[p],
                    bitmap,
                }
            })
            .collect::<Vec<_>>();
        let mut plane_depths = vec![0; count_weights.len()];
        let mut sources = vec![0u64; count_weights.len()];
        for (rows, proj) in projections.iter().zip(net.projections()) {
            if let (Some(g), true) = (rows.count_group, rows.is_bitmap()) {
                sources[g as usize] += proj.sources.len() as u64;
            }
        }
        for (depth, &n) in plane_depths.iter_mut().zip(&sources) {
            *depth = u64::BITS - n.leading_zeros();
        }
        Self {
            projections,
            count_weights,
            plane_depths,
        }
    }

    /// Number of synapses.
    pub fn len(&self) -> u64 {
        self.projections.iter().map(|p| p.len() as u64).sum()
    }

    /// Whether no synapse is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.projections.iter().map(|p| p.bytes()).sum()
    }

    /// Start loading where `source`'s rows are: the step before
    /// `prefetch`, which needs the row offsets in cache to find them.
    #[inline]
    pub fn prefetch_offsets(&self, source: NodeId) {
        for proj in &self.projections {
            let s = source.wrapping_sub(proj.src_first) as usize;
            // Only real addresses: a prefetch of an unmapped one costs a
            // page walk.
            if s < proj.offsets.len() {
                prefetch(proj.offsets.as_ptr().wrapping_add(s));
            }
            if let Some(b) = &proj.bitmap
                && s < b.counts.len()
            {
                prefetch(b.counts.as_ptr().wrapping_add(s));
                prefetch(b.extra_start.as_ptr().wrapping_add(s));
            }
        }
    }

    /// Start loading the first targets of `source`'s rows (as far as
    /// `scatter` prefetches ahead), so that they are in cache when the
    /// spike is delivered after the current one.
    #[inline]
    pub fn prefetch(&self, source: NodeId) {
        for proj in &self.projections {
            let row = proj.row(source).bytes;
            for line in (0..row.len().min(PREFETCH_AHEAD)).step_by(64) {
                prefetch(row.as_ptr().wrapping_add(line));
            }
            let s = source.wrapping_sub(proj.src_first) as usize;
            if let Some(b) = &proj.bitmap
                && let Some((bits, _)) = b.row(s)
            {
                // The whole bitmap: its lines are few, and all are read
                // faster than the hardware follows the stream. Into the
                // second-level cache: a spike's 25 lines (the seed network
                // on one thread) would hold the first level's miss buffers
                // (delivery 0.34 -> 0.28 ns per event).
                for line in (0..bits.len()).step_by(8) {
                    prefetch_l2(bits.as_ptr().wrapping_add(line));
                }
                let extra = b.extra(s);
                for line in (0..extra.len().min(PREFETCH_AHEAD / 4)).step_by(16) {
                    prefetch(extra.as_ptr().wrapping_add(line));
                }
            }
        }
    }

    /// Write a spike that `source` emitted in step `step` into `ring`, at
    /// `step + delay` of each projection, for every target in this shard.
    /// Returns the synaptic events written. The targets of one source and
    /// projection all land in one row of the ring. `ring` must have been
    /// made with `InputRing::with_planes(.., &self.count_weights,
    /// &self.plane_depths)`. A bitmap projection counts a spike's events
    /// in the ring's bit planes.
    #[inline]
    pub fn deliver(&self, ring: &mut InputRing, step: Step, source: NodeId) -> u64 {
        let mut events = 0;
        for proj in &self.projections {
            let arrival = step + proj.delay;
            let s = source.wrapping_sub(proj.src_first) as usize;
            if let (Some(bitmap), Some(g)) = (&proj.bitmap, proj.count_group) {
                if let Some((bits, n)) = bitmap.row(s)
                    && n > 0
                {
                    let extra = bitmap.extra(s);
                    ring.add_bitmap(g as usize, arrival, bits);
                    // The few multapses one at a time: the lag's cells
                    // are in cache while its spikes are delivered.
                    let cells = ring.count_row_mut(g as usize, arrival);
                    for &t in extra {
                        cells[t as usize] += 1;
                    }
                    events += u64::from(n) + extra.len() as u64;
                }
                continue;
            }
            let row = proj.row(source);
            if row.is_empty() {
                continue;
            }
            let mut cells = match proj.count_group {
                Some(g) => Cells::Count(ring.count_row_mut(g as usize, arrival)),
                None => Cells::Weight(ring.row_mut(arrival, proj.weight), proj.weight),
            };
            events += scatter(row, &mut cells);
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConnRule, SynSpec};
    use spindle_core::Resolution;
    use spindle_models::IafPscAlphaParams;

    #[test]
    fn rows_decode_to_what_was_encoded() {
        // Multapses (step 0), steps at and past the escape, a wide index,
        // and a step backwards (which the encoding allows, unsorted).
        let targets = [
            0,
            0,
            127,
            255,
            256,
            40_000,
            72_639,
            72_640,
            5,
            5,
            u32::MAX - 1,
        ];
        let mut bytes = Vec::new();
        let mut last = 0;
        for &t in &targets {
            let before = bytes.len();
            encode(&mut |b| bytes.push(b), last, t);
            assert_eq!((bytes.len() - before) as u64, encoded_len(last, t));
            last = t;
        }
        let row = Row { bytes: &bytes };
        assert_eq!(row.to_vec(), targets);
        assert_eq!(row.for_each(|_| {}), targets.len() as u64);
        // Steps 0, 0, 127, 1, 1 and 0 in a byte each; 128 and 32,639 (the
        // longest) in two; 39,744, the step back to 5 and the last escaped.
        assert_eq!(bytes.len(), 6 + 2 * 2 + 3 * 5);
    }

    #[test]
    fn bitmaps_keep_multapses_in_any_target_order() {
        // Source 10 onto 5, 70, 5 again after another word, 6 and 70 again.
        let pairs = [(10, 5), (10, 70), (10, 5), (11, 3), (10, 6), (10, 70)];
        let mut each = |emit: &mut dyn FnMut(NodeId, u32)| {
            for &(s, t) in &pairs {
                emit(s, t);
            }
        };
        let b = bitmap_rows(2, 10, 2, &mut each);
        assert_eq!(b.counts, [3, 1]);
        assert_eq!(b.bits[..2], [1 << 5 | 1 << 6, 1 << 6]);
        assert_eq!(b.bits[2..], [1 << 3, 0]);
        let mut extra = b.extra(0).to_vec();
        extra.sort_unstable();
        assert_eq!(extra, [5, 70]);
        assert!(b.extra(1).is_empty());
    }

    #[test]
    fn lines_of_short_steps_decode_as_single_bytes() {
        // Runs of one-byte steps (decoded a line at a time) broken by long
        // steps and escapes, shifted against the line boundaries by taking
        // tails of one list of targets.
        use spindle_core::rng::{Purpose, next_lanes, stream_state};
        let mut rng = stream_state(9, Purpose::Connect, 0, 0).map(|w| [w]);
        let mut targets = Vec::new();
        let mut t = 0u32;
        for _ in 0..20_000 {
            let r = next_lanes(&mut rng)[0];
            t = match r % 200 {
                0 => t + 128 + (r >> 8) as u32 % 40_000,
                1 => (r >> 8) as u32 % 1_000_000,
                _ => t + (r >> 8) as u32 % 128,
            };
            targets.push(t);
        }
        for start in [0, 1, 2, 3, 5, 8, 13, 63, 64, 65] {
            let (mut bytes, mut last) = (Vec::new(), 0);
            for &t in &targets[start..] {
                encode(&mut |b| bytes.push(b), last, t);
                last = t;
            }
            let row = Row { bytes: &bytes };
            assert_eq!(row.to_vec(), &targets[start..]);
            assert_eq!(row.for_each(|_| {}), (targets.len() - start) as u64);
        }
    }

    #[test]
    fn rows_hold_every_synapse_once_whatever_the_split() {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 5);
        let a = net
            .create_iaf_psc_alpha(40, IafPscAlphaParams::default())
            .unwrap();
        let b = net
            .create_iaf_psc_alpha(10, IafPscAlphaParams::default())
            .unwrap();
        let all = a.join(&b).unwrap();
        let s = SynSpec::static_synapse(1.0, 1.0);
        net.connect(&a, &all, ConnRule::fixed_indegree(7), &s)
            .unwrap();
        net.connect(&b, &all, ConnRule::all_to_all().autapses(false), &s)
            .unwrap();
        let edges = |shards: usize| {
            let p = net.partition(shards);
            let mut edges = Vec::new();
            for sh in p.shards() {
                let syn = ShardSynapses::build(&net, &p, sh);
                for (pi, rows) in syn.projections.iter().enumerate() {
                    for src in all.iter() {
                        for l in rows.targets(src) {
                            edges.push((pi, src, p.id(sh.ranks.start + l)));
                        }
                    }
                }
            }
            edges.sort();
            edges
        };
        // Dense in one shard (bitmaps), sparse in seven (encoded rows):
        // both forms hold the same synapses.
        let form = |shards: usize| {
            let p = net.partition(shards);
            let syn = ShardSynapses::build(&net, &p, &p.shards()[0]);
            syn.projections[0].is_bitmap()
        };
        assert!(form(1) && !form(7));
        let one = edges(1);
        assert_eq!(one.len(), 50 * 7 + 10 * 50 - 10);
        assert_eq!(one, edges(3));
        assert_eq!(one, edges(7));
        // every target has in-degree 7 in projection 0
        for t in all.iter() {
            assert_eq!(one.iter().filter(|e| e.0 == 0 && e.2 == t).count(), 7);
        }
    }
}
