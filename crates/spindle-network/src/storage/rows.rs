//! Encoded rows: the storage form for sparse projections of one weight and
//! delay.
//!
//! `bytes[offsets[s]..offsets[s + 1]]` encode the local indices of the
//! targets of source `s`. A synapse costs only its index, stored as the
//! step from the previous target of the row (rows are filled in ascending
//! target order):
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

use spindle_core::Step;
use spindle_core::cache::{advise_huge_pages, prefetch};
use spindle_models::InputRing;

use super::{Channel, EachSynapse, SynapseStore};

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

/// Each source's targets as an encoded row.
#[derive(Debug, Clone, Default)]
pub struct EncodedRows {
    offsets: Vec<u64>,
    bytes: Vec<u8>,
}

impl EncodedRows {
    /// Bytes a row holds for `offsets` from [`row_offsets`]: what this form
    /// would take, before building it.
    pub(super) fn encoded_bytes(offsets: &[u64]) -> u64 {
        *offsets.last().unwrap_or(&0)
    }

    /// Fill the rows at `offsets` (from [`row_offsets`] over the same
    /// synapses).
    pub(super) fn build(offsets: Vec<u64>, each_synapse: &mut EachSynapse<'_>) -> Self {
        let bytes = fill_rows(&offsets, each_synapse);
        Self { offsets, bytes }
    }

    /// The targets of source index `s` (empty if it has none here).
    #[inline]
    pub fn row(&self, s: usize) -> Row<'_> {
        let (lo, hi) = match self.offsets.get(s..s + 2) {
            Some(&[lo, hi]) => (lo as usize, hi as usize),
            _ => (0, 0),
        };
        Row {
            bytes: &self.bytes[lo..hi],
        }
    }

    /// Estimated bytes for `sources` rows holding `synapses` synapses onto
    /// `targets` neurons: the offsets, and the encoded rows
    /// ([`estimate_encoded`](Self::estimate_encoded)). Saturating.
    pub fn estimate(sources: u64, synapses: u64, targets: u64) -> u64 {
        sources
            .saturating_add(1)
            .saturating_mul(size_of::<u64>() as u64)
            .saturating_add(Self::estimate_encoded(sources, synapses, targets))
    }

    /// Estimated bytes of the encoded rows alone (what
    /// [`encoded_bytes`](Self::encoded_bytes) counts once they are drawn),
    /// if each row's targets are spread at random: a step is one byte, one
    /// more where it reaches `SHORT` and three more where it reaches
    /// `LONG`, and in a row of `r` targets among `targets` it reaches `k`
    /// where the `k - 1` neurons after the last target are not targets,
    /// with probability `(1 - r / targets)^(k - 1)`. Saturating.
    pub fn estimate_encoded(sources: u64, synapses: u64, targets: u64) -> u64 {
        if synapses == 0 || targets == 0 {
            return 0;
        }
        let per_row = synapses as f64 / sources.max(1) as f64;
        let miss = (1.0 - per_row / targets as f64).max(0.0);
        let at_least = |k: u32| miss.powf(f64::from(k - 1));
        let per_synapse = 1.0 + at_least(SHORT) + 3.0 * at_least(LONG);
        // `as` saturates, and a product past u64 stays past it.
        (synapses as f64 * per_synapse).ceil() as u64
    }

    /// Estimated bytes building `sources` rows holds beyond what they keep:
    /// the first pass's last target per row, then the fill's cursor and
    /// last target per row. Saturating.
    pub(super) fn estimate_build_bytes(sources: u64) -> u64 {
        let per_row = size_of::<u64>() + size_of::<u32>();
        sources.saturating_add(1).saturating_mul(per_row as u64)
    }
}

impl SynapseStore for EncodedRows {
    #[inline(always)]
    fn deliver(&self, ring: &mut InputRing, arrival: Step, s: usize, channel: Channel) -> u64 {
        let row = self.row(s);
        if row.is_empty() {
            return 0;
        }
        match channel {
            Channel::Count(g) => {
                let c = ring.count_row_mut(g as usize, arrival);
                row.for_each(|t| c[t] += 1)
            }
            Channel::Weight(w) => {
                let c = ring.row_mut(arrival, w);
                row.for_each(|t| c[t] += w)
            }
            Channel::Port { port, weight } => {
                let c = ring.port_row_mut(arrival, port as usize);
                row.for_each(|t| c[t] += weight)
            }
        }
    }

    #[inline]
    fn prefetch_offsets(&self, s: usize) {
        // Only real addresses: a prefetch of an unmapped one costs a page
        // walk.
        if s < self.offsets.len() {
            prefetch(self.offsets.as_ptr().wrapping_add(s));
        }
    }

    #[inline]
    fn prefetch(&self, s: usize) {
        let row = self.row(s).bytes;
        for line in (0..row.len().min(PREFETCH_AHEAD)).step_by(64) {
            prefetch(row.as_ptr().wrapping_add(line));
        }
    }

    fn targets(&self, s: usize, out: &mut Vec<u32>) {
        self.row(s).for_each(|t| out.push(t as u32));
    }

    fn bytes(&self) -> usize {
        self.offsets.len() * size_of::<u64>() + self.bytes.len()
    }
}

/// The targets of one source: local indices in the shard, encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<'a> {
    bytes: &'a [u8],
}

impl<'a> Row<'a> {
    /// The targets encoded in `bytes` (as `encode` writes them, from 0).
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// Bytes of the encoded targets.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

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
pub(super) fn encode(out: &mut impl FnMut(u8), last: u32, target: u32) {
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
pub(super) fn encoded_len(last: u32, target: u32) -> u64 {
    let mut n = 0;
    encode(&mut |_| n += 1, last, target);
    n
}

/// Where each source's encoded row starts (and the end), and the number of
/// synapses.
pub(super) fn row_offsets(sources: usize, each_synapse: &mut EachSynapse<'_>) -> (Vec<u64>, u64) {
    let mut offsets = vec![0u64; sources + 1];
    let mut last = vec![0u32; sources];
    let mut synapses = 0;
    each_synapse(&mut |s, local| {
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
fn fill_rows(offsets: &[u64], each_synapse: &mut EachSynapse<'_>) -> Vec<u8> {
    let mut cursor = offsets.to_vec();
    let mut last = vec![0u32; offsets.len() - 1];
    let mut bytes = vec![0u8; *offsets.last().unwrap_or(&0) as usize];
    advise_huge_pages(&bytes);
    each_synapse(&mut |s, local| {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
