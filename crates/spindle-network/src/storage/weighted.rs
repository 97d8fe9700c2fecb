//! Weighted rows: the storage form for projections whose weights or delays
//! are drawn per synapse (`nest.random` in a `syn_spec`).
//!
//! Each source's synapses are grouped by delay. A group is a header (the
//! delay in steps, the byte length of its targets with a flag for their
//! encoding, and their number, each a LEB128 varint) and its targets in
//! ascending order: as `u16` gaps where every gap fits, else encoded as the
//! encoded rows encode them (one to five bytes each, see [`super::rows`]).
//! The delay costs a few bytes per group, not per synapse. Where weights
//! are drawn, each synapse's weight is held as an `f32` in the same order,
//! beside the rows, and delivery appends (target, weight) events to the
//! ring's list for the arrival step, spike by spike. A synapse of the
//! cortical microcircuit (weights and delays drawn) costs about 6 bytes;
//! NEST holds a double and more.
//!
//! A receptor type drawn per synapse (`nest.random.uniform_int(n) + 1`) is
//! held as a byte beside the weights; such a synapse writes into its
//! receptor's port of the target ([`InputRing::add_port`]).
//!
//! An `f32` weight is the drawn double rounded to 24 significant bits (a
//! relative error below 6e-8): weights given as numbers are never held so,
//! they stay the projection's one exact value.

use spindle_core::Step;
use spindle_core::cache::{advise_huge_pages, prefetch};
use spindle_models::InputRing;

use super::rows::{Row, encode, encoded_len};
use super::{Channel, SynapseStore};

/// The longest delay a synapse may have in this form [steps].
pub const MAX_DELAY: Step = u32::MAX as Step;

const _: () = assert!(MAX_DELAY <= u32::MAX as Step);

/// One synapse's values, as the build draws them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drawn {
    /// Weight [pA] (ignored where the weight is the projection's).
    pub weight: f64,
    /// Delay [steps] (0 where the delay is the projection's); at most
    /// [`MAX_DELAY`].
    pub delay: Step,
    /// Receptor type, 1-based (ignored where the projection's is one for
    /// all).
    pub receptor: u8,
}

/// Calls its argument with (source index, local target, drawn values) for
/// every synapse; values are drawn only when the flag is set (the first
/// pass only counts).
pub(crate) type EachDrawn<'a> = dyn FnMut(bool, &mut dyn FnMut(usize, u32, Drawn)) + 'a;

/// Targets grouped by delay, with per-synapse weights.
#[derive(Debug, Clone, Default)]
pub struct WeightedRows {
    /// Where each source's groups start in `bytes` (and the end).
    offsets: Vec<u64>,
    bytes: Vec<u8>,
    /// Index of each source's first weight or receptor type (and the
    /// end), where drawn.
    first: Vec<u64>,
    weights: Option<Vec<f32>>,
    /// The signs of the drawn weights, so that delivery appends a group's
    /// events to the ring's list of their sign without a test per event.
    signs: Signs,
    /// Each synapse's receptor type, where drawn per synapse.
    receptors: Option<Vec<u8>>,
    max_delay: Step,
}

/// Which of the ring's event lists the drawn weights go to (NEST: a
/// weight > 0 is excitatory).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Signs {
    /// Every weight is excitatory.
    Excitatory,
    /// No weight is excitatory.
    Inhibitory,
    /// Some are, some are not (or not known: weights changed after the
    /// build).
    #[default]
    Mixed,
}

impl Signs {
    fn of(weights: &[f32]) -> Self {
        let excitatory = |w: &f32| *w > 0.0;
        if weights.iter().all(excitatory) {
            Signs::Excitatory
        } else if !weights.iter().any(excitatory) {
            Signs::Inhibitory
        } else {
            Signs::Mixed
        }
    }
}

fn put_varint(out: &mut impl FnMut(u8), mut v: u64) {
    while v >= 0x80 {
        out(v as u8 | 0x80);
        v >>= 7;
    }
    out(v as u8);
}

fn varint_len(v: u64) -> u64 {
    (u64::BITS - v.leading_zeros()).max(1).div_ceil(7) as u64
}

#[inline(always)]
fn get_varint(bytes: &[u8], at: &mut usize) -> u64 {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// Call `group(delay, targets, start, count)` for each group of `bytes`,
/// `start` where its targets begin in `bytes`.
#[inline(always)]
fn for_each_group<'a>(bytes: &'a [u8], mut group: impl FnMut(Step, Targets<'a>, usize, u64)) {
    let mut at = 0;
    while at < bytes.len() {
        let delay = get_varint(bytes, &mut at);
        let field = get_varint(bytes, &mut at);
        let count = get_varint(bytes, &mut at);
        let len = (field >> 1) as usize;
        let targets = Targets::new(&bytes[at..at + len], field & 1 == 1);
        group(delay, targets, at, count);
        at += len;
    }
}

/// A group's targets in one of two encodings, chosen per group (the low
/// bit of the header's length field): a little-endian `u16` gap per
/// target (the first from 0) wherever every gap fits, else the encoded
/// rows' one to five bytes per target. Gaps decode with no branch per
/// target and append to an event list in one pass: in the microcircuit
/// (65 targets per group among 38,000 neurons), where most encoded steps
/// take two bytes anyway, delivery took 0.87 s instead of 1.13 s per
/// thread (500 ms at full scale), for 5 % more synapse memory.
#[derive(Debug, Clone, Copy)]
enum Targets<'a> {
    Encoded(Row<'a>),
    Gaps(&'a [u8]),
}

impl<'a> Targets<'a> {
    fn new(bytes: &'a [u8], gaps: bool) -> Self {
        if gaps {
            Self::Gaps(bytes)
        } else {
            Self::Encoded(Row::new(bytes))
        }
    }

    /// Bytes of the encoded targets.
    fn len(&self) -> usize {
        match self {
            Self::Encoded(row) => row.len(),
            Self::Gaps(bytes) => bytes.len(),
        }
    }

    fn is_gaps(&self) -> bool {
        matches!(self, Self::Gaps(_))
    }

    /// Call `f` with each target's local index, in stored order; returns
    /// the number of targets.
    #[inline(always)]
    fn for_each(&self, mut f: impl FnMut(usize)) -> u64 {
        match self {
            Self::Encoded(row) => row.for_each(f),
            Self::Gaps(bytes) => {
                gap_targets(bytes).for_each(|t| f(t as usize));
                (bytes.len() / 2) as u64
            }
        }
    }
}

/// The targets of `u16` gaps ([`Targets::Gaps`]), in stored order; its
/// length is known, so a list extended by it tests its capacity once.
#[inline(always)]
fn gap_targets(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    let mut t = 0u32;
    bytes.chunks_exact(2).map(move |gap| {
        t += u32::from(u16::from_le_bytes([gap[0], gap[1]]));
        t
    })
}

/// One group of one spike's synapses in one projection: the synapses that
/// arrive at the same step. Delivery sorts a slice's groups by arrival, so
/// that the ring's row of one step is written while it is in cache.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    /// Step the group's input arrives at.
    pub arrival: Step,
    /// Index of the projection in the shard's synapses.
    pub projection: u32,
    /// Synapses in the group.
    count: u32,
    /// Bytes of the group's encoded targets.
    len: u32,
    /// Whether the targets are `u16` gaps ([`Targets`]).
    gaps: bool,
    /// Where the group's encoded targets start in the store's bytes.
    at: u64,
    /// Index of the group's first weight.
    first: u64,
}

impl WeightedRows {
    /// Draw and store the synapses `each` emits, grouped by their drawn
    /// delays (all in one group where `!delays`), with their drawn weights
    /// where `weights`.
    #[cfg(test)]
    pub(super) fn build(
        sources: usize,
        delays: bool,
        weights: bool,
        each: &mut EachDrawn<'_>,
    ) -> (Self, u64) {
        Self::build_with(sources, delays, weights, false, each)
    }

    /// As [`build`](Self::build), with per-synapse receptor types where
    /// `receptors`.
    pub(super) fn build_with(
        sources: usize,
        delays: bool,
        weights: bool,
        receptors: bool,
        each: &mut EachDrawn<'_>,
    ) -> (Self, u64) {
        // First pass: each source's synapse count.
        let mut first = vec![0u64; sources + 1];
        each(false, &mut |s, _, _| first[s + 1] += 1);
        for i in 1..first.len() {
            first[i] += first[i - 1];
        }
        let n = first[sources] as usize;
        // Second pass: every synapse as its (delay, target) key and its
        // weight at its source's place, in emission order. Emission goes
        // target by target, so the sources come at random: written
        // straight to their places, each synapse would miss the cache. It
        // goes through buckets of `BUCKET` consecutive sources instead:
        // first appended to its bucket (a few hundred write heads, which
        // stay in cache), then, bucket by bucket, moved to its place
        // within the bucket's range (a window that stays in cache).
        const BUCKET_BITS: u32 = 6;
        let buckets = sources.div_ceil(1 << BUCKET_BITS);
        let bucket_start = |b: usize| first[(b << BUCKET_BITS).min(sources)] as usize;
        let mut heads: Vec<usize> = (0..buckets).map(bucket_start).collect();
        let mut staged = vec![(0u32, 0u32, 0u32, 0f32, 0u8); n];
        each(true, &mut |s, l, v| {
            let h = &mut heads[s >> BUCKET_BITS];
            let delay = if delays { v.delay as u32 } else { 0 };
            staged[*h] = (s as u32, l, delay, v.weight as f32, v.receptor);
            *h += 1;
        });
        drop(heads);
        let mut recs = vec![(0u64, 0f32, 0u8); n];
        let mut cursor = first.clone();
        for &(s, l, delay, w, r) in &staged {
            let i = &mut cursor[s as usize];
            recs[*i as usize] = (u64::from(delay) << 32 | u64::from(l), w, r);
            *i += 1;
        }
        drop(staged);
        drop(cursor);
        // Sort each source's synapses by (delay, target); the sort is
        // stable, so a multapse keeps its draw order.
        for s in 0..sources {
            recs[first[s] as usize..first[s + 1] as usize].sort_by_key(|r| r.0);
        }
        let drawn: Vec<f32> = if weights {
            recs.iter().map(|r| r.1).collect()
        } else {
            Vec::new()
        };
        let ports: Option<Vec<u8>> = receptors.then(|| recs.iter().map(|r| r.2).collect());
        let keys: Vec<u64> = recs.into_iter().map(|r| r.0).collect();
        // Group headers and encoded targets: sized, then written.
        let mut offsets = vec![0u64; sources + 1];
        let mut max_delay = 0;
        for s in 0..sources {
            let row = &keys[first[s] as usize..first[s + 1] as usize];
            offsets[s + 1] = offsets[s] + groups_len(row);
            if let Some(k) = row.last() {
                max_delay = max_delay.max(k >> 32);
            }
        }
        let mut bytes = vec![0u8; offsets[sources] as usize];
        advise_huge_pages(&bytes);
        for s in 0..sources {
            let row = &keys[first[s] as usize..first[s + 1] as usize];
            let mut at = offsets[s] as usize;
            let mut put = |b: u8| {
                bytes[at] = b;
                at += 1;
            };
            for (d, targets) in split_groups(row) {
                let (len, gaps) = targets_len(targets);
                put_varint(&mut put, d);
                put_varint(&mut put, len << 1 | u64::from(gaps));
                put_varint(&mut put, targets.len() as u64);
                let mut last = 0;
                for &k in targets {
                    if gaps {
                        let gap = (k as u32 - last) as u16;
                        gap.to_le_bytes().into_iter().for_each(&mut put);
                    } else {
                        encode(&mut put, last, k as u32);
                    }
                    last = k as u32;
                }
            }
        }
        let store = Self {
            offsets,
            bytes,
            first: if weights || receptors {
                first
            } else {
                Vec::new()
            },
            signs: Signs::of(&drawn),
            weights: weights.then_some(drawn),
            receptors: ports,
            max_delay: if delays { max_delay } else { 0 },
        };
        (store, n as u64)
    }

    /// The longest per-synapse delay held [steps] (0 without them).
    pub fn max_delay(&self) -> Step {
        self.max_delay
    }

    /// Estimated bytes for `synapses` synapses from `sources` onto
    /// `targets`, with weights where `weights` (and a few bytes per source
    /// for its groups). Saturating.
    pub fn estimate(sources: u64, synapses: u64, targets: u64, weights: bool) -> u64 {
        let per = 4 * u64::from(weights);
        // Two bytes per target as gaps ([`Targets`]), which every group
        // uses where a shard has at most 2^16 neurons, and most others.
        let gaps = synapses.saturating_mul(2);
        let encoded = super::rows::EncodedRows::estimate_encoded(sources, synapses, targets);
        let targets_bytes = if targets <= 1 << 16 {
            gaps
        } else {
            gaps.max(encoded)
        };
        sources
            .saturating_add(1)
            .saturating_mul(8)
            .saturating_add(targets_bytes)
            .saturating_add(
                sources
                    .saturating_add(1)
                    .saturating_mul(8 * u64::from(weights)),
            )
            .saturating_add(sources.saturating_mul(16))
            .saturating_add(synapses.saturating_mul(per))
    }

    /// Estimated bytes building one projection's rows holds beyond what
    /// they keep: a staged record and a sorted one per synapse. Saturating.
    pub fn estimate_build_bytes(sources: u64, synapses: u64) -> u64 {
        synapses
            .saturating_mul(32)
            .saturating_add(sources.saturating_add(1).saturating_mul(16))
    }

    /// Append source `s`'s groups, for a spike whose input without delay
    /// would arrive at `base`, as groups of projection `projection`.
    #[inline]
    pub fn groups(&self, s: usize, base: Step, projection: u32, out: &mut Vec<Group>) {
        let bytes = self.groups_of(s);
        if bytes.is_empty() {
            return;
        }
        let start = self.offsets[s];
        let mut first = self.first.get(s).copied().unwrap_or(0);
        for_each_group(bytes, |d, row, at, count| {
            out.push(Group {
                arrival: base + d,
                projection,
                count: count as u32,
                len: row.len() as u32,
                gaps: row.is_gaps(),
                at: start + at as u64,
                first,
            });
            first += count;
        });
    }

    /// Start loading group `g`'s targets and weights.
    #[inline]
    pub fn prefetch_group(&self, g: &Group) {
        prefetch(self.bytes.as_ptr().wrapping_add(g.at as usize));
        if let Some(w) = &self.weights {
            prefetch(w.as_ptr().wrapping_add(g.first as usize));
        }
    }

    /// Whether the input of a projection held here with `channel` goes
    /// through the ring's event lists (weights drawn, one port). The sums
    /// then do not depend on the order of the groups of different steps
    /// (each step's list keeps the order of its own groups), nor does any
    /// write miss the cache, so a spike's groups are delivered together, in
    /// one pass over its stored bytes, with no sort by arrival step.
    pub fn streams(&self, channel: Channel) -> bool {
        self.weights.is_some()
            && self.receptors.is_none()
            && !matches!(channel, Channel::Port { .. })
    }

    /// Write group `g`'s input into `ring` (through `channel` where the
    /// weight is the projection's); returns the events written.
    #[inline(always)]
    pub fn deliver_group(&self, ring: &mut InputRing, g: &Group, channel: Channel) -> u64 {
        let bytes = &self.bytes[g.at as usize..g.at as usize + g.len as usize];
        let row = Targets::new(bytes, g.gaps);
        self.deliver_row(ring, g.arrival, row, g.first, g.count as usize, channel)
    }

    /// Write the input of a group's `count` targets `row`, arriving at
    /// `arrival`, their first weight or receptor type at `first`, into
    /// `ring`; returns the events written.
    #[inline(always)]
    fn deliver_row(
        &self,
        ring: &mut InputRing,
        arrival: Step,
        row: Targets<'_>,
        first: u64,
        count: usize,
        channel: Channel,
    ) -> u64 {
        let from = first as usize;
        let mut j = from;
        if let Some(r) = &self.receptors {
            // Each synapse onto its own receptor's port.
            let fixed = match channel {
                Channel::Weight(w) | Channel::Port { weight: w, .. } => w,
                Channel::Count(_) => unreachable!("drawn receptor types are not counted"),
            };
            return row.for_each(|t| {
                let w = self.weights.as_ref().map_or(fixed, |w| f64::from(w[j]));
                ring.add_port(arrival, t, usize::from(r[j]) - 1, w);
                j += 1;
            });
        }
        match (&self.weights, channel) {
            (Some(w), Channel::Port { port, .. }) => row.for_each(|t| {
                ring.add_port(arrival, t, port as usize, f64::from(w[j]));
                j += 1;
            }),
            (None, Channel::Port { port, weight }) => {
                row.for_each(|t| ring.add_port(arrival, t, port as usize, weight))
            }
            (Some(w), _) => {
                let weights = &w[from..from + count];
                let (ex, inh) = ring.push_events(arrival);
                let events = match self.signs {
                    Signs::Excitatory => ex,
                    Signs::Inhibitory => inh,
                    Signs::Mixed => {
                        let mut k = 0;
                        let n = row.for_each(|t| {
                            let w = weights[k];
                            k += 1;
                            if w > 0.0 { &mut *ex } else { &mut *inh }.push((t as u32, w));
                        });
                        InputRing::prefetch_tail(ex);
                        InputRing::prefetch_tail(inh);
                        return n;
                    }
                };
                if let Targets::Gaps(bytes) = row {
                    // One pass over two arrays in step.
                    events.extend(gap_targets(bytes).zip(weights).map(|(t, &w)| (t, w)));
                    InputRing::prefetch_tail(events);
                    return count as u64;
                }
                // Into slots made first, by index: pushing kept the list's
                // length and the loop's state in memory, a store and a
                // capacity test per event.
                let start = events.len();
                events.resize(start + count, (0, 0.0));
                let slots = &mut events[start..];
                let mut k = 0;
                let n = row.for_each(|t| {
                    slots[k] = (t as u32, weights[k]);
                    k += 1;
                });
                debug_assert_eq!(n as usize, count, "a group's targets and weights");
                InputRing::prefetch_tail(events);
                n
            }
            (None, Channel::Count(c)) => {
                let cells = ring.count_row_mut(c as usize, arrival);
                row.for_each(|t| cells[t] += 1)
            }
            (None, Channel::Weight(w)) => {
                let cells = ring.row_mut(arrival, w);
                row.for_each(|t| cells[t] += w)
            }
        }
    }

    /// Each synapse's receptor type of source index `s`, in stored order,
    /// where drawn per synapse.
    pub fn receptors(&self, s: usize) -> Option<Vec<u32>> {
        let r = self.receptors.as_ref()?;
        let (Some(&lo), Some(&hi)) = (self.first.get(s), self.first.get(s + 1)) else {
            return Some(Vec::new());
        };
        Some(
            r[lo as usize..hi as usize]
                .iter()
                .map(|&x| u32::from(x))
                .collect(),
        )
    }

    fn groups_of(&self, s: usize) -> &[u8] {
        match self.offsets.get(s..s + 2) {
            Some(&[lo, hi]) => &self.bytes[lo as usize..hi as usize],
            _ => &[],
        }
    }

    /// Source `s`'s drawn weights, in the order of
    /// [`synapses`](Self::synapses), to change; `None` where the weights
    /// are not drawn (one for the projection).
    pub fn weights_mut(&mut self, s: usize) -> Option<&mut [f32]> {
        let (lo, hi) = (*self.first.get(s)?, *self.first.get(s + 1)?);
        // A changed weight may change its sign.
        self.signs = Signs::Mixed;
        self.weights
            .as_mut()
            .map(|w| &mut w[lo as usize..hi as usize])
    }

    /// Source index `s`'s synapses as (local target, delay, weight), in
    /// stored order; the weight is `None` where it is the projection's.
    pub fn synapses(&self, s: usize) -> Vec<(u32, Step, Option<f64>)> {
        let mut out = Vec::new();
        let mut j = self.first.get(s).copied().unwrap_or(0) as usize;
        for_each_group(self.groups_of(s), |d, row, _, _| {
            row.for_each(|t| {
                let w = self.weights.as_ref().map(|w| f64::from(w[j]));
                out.push((t as u32, d, w));
                j += 1;
            });
        });
        out
    }
}

/// The (delay, keys) runs of one source's sorted keys.
fn split_groups(row: &[u64]) -> impl Iterator<Item = (u64, &[u64])> {
    row.chunk_by(|a, b| a >> 32 == b >> 32)
        .map(|g| (g[0] >> 32, g))
}

/// Bytes the targets of one group's keys take, encoded.
fn byte_len(keys: &[u64]) -> u64 {
    let mut last = 0;
    keys.iter()
        .map(|&k| {
            let n = encoded_len(last, k as u32);
            last = k as u32;
            n
        })
        .sum()
}

/// Bytes the targets of one group's keys take, and whether as `u16` gaps
/// ([`Targets`]).
fn targets_len(keys: &[u64]) -> (u64, bool) {
    let mut last = 0;
    let fit = keys.iter().all(|&k| {
        let fits = k as u32 - last <= u32::from(u16::MAX);
        last = k as u32;
        fits
    });
    if fit {
        (2 * keys.len() as u64, true)
    } else {
        (byte_len(keys), false)
    }
}

/// Bytes one source's groups take, headers included.
fn groups_len(row: &[u64]) -> u64 {
    split_groups(row)
        .map(|(d, keys)| {
            let (len, gaps) = targets_len(keys);
            let field = len << 1 | u64::from(gaps);
            varint_len(d) + varint_len(field) + varint_len(keys.len() as u64) + len
        })
        .sum()
}

impl SynapseStore for WeightedRows {
    /// Deliver every group of source `s` at once, in stored order (where
    /// the rows are written directly, the engine delivers by [`Group`]s
    /// instead, see
    /// [`ShardSynapses::deliver_groups`](super::ShardSynapses::deliver_groups)).
    #[inline(always)]
    fn deliver(&self, ring: &mut InputRing, arrival: Step, s: usize, channel: Channel) -> u64 {
        let mut first = self.first.get(s).copied().unwrap_or(0);
        let mut events = 0;
        for_each_group(self.groups_of(s), |d, row, _, count| {
            events += self.deliver_row(ring, arrival + d, row, first, count as usize, channel);
            first += count;
        });
        events
    }

    #[inline]
    fn prefetch_offsets(&self, s: usize) {
        if s < self.offsets.len() {
            prefetch(self.offsets.as_ptr().wrapping_add(s));
        }
        if s < self.first.len() {
            prefetch(self.first.as_ptr().wrapping_add(s));
        }
    }

    #[inline]
    fn prefetch(&self, s: usize) {
        let bytes = self.groups_of(s);
        for line in (0..bytes.len().min(512)).step_by(64) {
            prefetch(bytes.as_ptr().wrapping_add(line));
        }
        if let (Some(w), Some(&i)) = (&self.weights, self.first.get(s)) {
            prefetch(w.as_ptr().wrapping_add(i as usize));
        }
    }

    fn targets(&self, s: usize, out: &mut Vec<u32>) {
        for_each_group(self.groups_of(s), |_, row, _, _| {
            row.for_each(|t| out.push(t as u32));
        });
    }

    fn bytes(&self) -> usize {
        self.offsets.len() * size_of::<u64>()
            + self.bytes.len()
            + self.first.len() * size_of::<u64>()
            + self
                .weights
                .as_ref()
                .map_or(0, |w| w.len() * size_of::<f32>())
            + self.receptors.as_ref().map_or(0, Vec::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        for v in [0u64, 1, 127, 128, 300, 65_535, 1 << 40] {
            let mut bytes = Vec::new();
            put_varint(&mut |b| bytes.push(b), v);
            assert_eq!(bytes.len() as u64, varint_len(v));
            let mut at = 0;
            assert_eq!(get_varint(&bytes, &mut at), v);
            assert_eq!(at, bytes.len());
        }
    }

    #[test]
    fn groups_hold_every_synapse_sorted_by_delay_then_target() {
        // Source 0: targets with delays, a multapse of two weights; source
        // 1 none; source 2 one far target (an escaped index).
        let synapses = [
            (0usize, 5u32, 2.0, 3u64),
            (0, 1, 1.0, 7),
            (0, 5, 3.0, 3),
            (0, 2, -1.0, 3),
            (2, 70_000, 4.0, 300),
        ];
        let mut each = |values: bool, emit: &mut dyn FnMut(usize, u32, Drawn)| {
            for &(s, t, w, d) in &synapses {
                let v = if values {
                    Drawn {
                        weight: w,
                        delay: d,
                        receptor: 0,
                    }
                } else {
                    Drawn {
                        weight: 0.0,
                        delay: 0,
                        receptor: 0,
                    }
                };
                emit(s, t, v);
            }
        };
        let (rows, n) = WeightedRows::build(3, true, true, &mut each);
        assert_eq!(n, 5);
        assert_eq!(rows.max_delay(), 300);
        assert_eq!(
            rows.synapses(0),
            [
                (2, 3, Some(-1.0)),
                (5, 3, Some(2.0)),
                (5, 3, Some(3.0)),
                (1, 7, Some(1.0))
            ]
        );
        assert!(rows.synapses(1).is_empty());
        assert_eq!(rows.synapses(2), [(70_000, 300, Some(4.0))]);
        let mut ring = InputRing::new(70_001, 512);
        assert_eq!(rows.deliver(&mut ring, 10, 0, Channel::Weight(0.0)), 4);
        assert_eq!(ring.take(13, 5), (5.0, 0.0));
        assert_eq!(ring.take(13, 2), (0.0, -1.0));
        assert_eq!(ring.take(17, 1), (1.0, 0.0));
    }

    /// Emit `synapses` (source, target, weight, delay) with their values,
    /// or with none where the pass counts only.
    fn emit_each(
        synapses: &[(usize, u32, f64, u64)],
        values: bool,
        emit: &mut dyn FnMut(usize, u32, Drawn),
    ) {
        for &(s, t, w, d) in synapses {
            let (weight, delay) = if values { (w, d) } else { (0.0, 0) };
            let receptor = 0;
            emit(
                s,
                t,
                Drawn {
                    weight,
                    delay,
                    receptor,
                },
            );
        }
    }

    /// Weights of one sign go to the ring's list of that sign without a
    /// test per event; once changed (here to the other sign), each event
    /// is tested again.
    #[test]
    fn one_signed_weights_go_to_their_channel_and_changed_ones_too() {
        let build = |sign: f64| {
            let synapses = [(1u32, 1.0), (3, 2.0), (1, 0.5)].map(|(t, w)| (0, t, sign * w, 2));
            let mut each = |values: bool, emit: &mut dyn FnMut(usize, u32, Drawn)| {
                emit_each(&synapses, values, emit)
            };
            WeightedRows::build(1, true, true, &mut each).0
        };
        let deliver = |rows: &WeightedRows| {
            let mut ring = InputRing::new(4, 8);
            assert_eq!(rows.deliver(&mut ring, 0, 0, Channel::Weight(0.0)), 3);
            [ring.take(2, 1), ring.take(2, 3)]
        };
        let ex = build(1.0);
        assert_eq!(ex.signs, Signs::Excitatory);
        assert_eq!(deliver(&ex), [(1.5, 0.0), (2.0, 0.0)]);
        let mut inh = build(-1.0);
        assert_eq!(inh.signs, Signs::Inhibitory);
        assert_eq!(deliver(&inh), [(0.0, -1.5), (0.0, -2.0)]);
        inh.weights_mut(0).unwrap()[0] = 4.0;
        assert_eq!(inh.signs, Signs::Mixed);
        assert_eq!(deliver(&inh), [(4.0, -0.5), (0.0, -2.0)]);
    }

    #[test]
    fn far_targets_are_held_as_gaps_and_read_as_given() {
        // Source 0, delay 1: steps of 200, 700 and 64,100 (as gaps). Delay
        // 2: one step past a `u16` (encoded). Source 1, delay 1: near
        // targets (as gaps).
        let synapses = [
            (0usize, 200u32, 1.5, 1u64),
            (0, 900, -2.5, 1),
            (0, 65_000, 0.25, 1),
            (0, 70_000, 4.0, 2),
            (1, 3, 1.0, 1),
            (1, 4, 2.0, 1),
        ];
        let mut each = |values: bool, emit: &mut dyn FnMut(usize, u32, Drawn)| {
            emit_each(&synapses, values, emit)
        };
        let (rows, _) = WeightedRows::build(2, true, true, &mut each);
        let mut groups = Vec::new();
        rows.groups(0, 0, 0, &mut groups);
        rows.groups(1, 0, 0, &mut groups);
        let gaps: Vec<bool> = groups.iter().map(|g| g.gaps).collect();
        assert_eq!(gaps, [true, false, true]);
        assert_eq!(
            rows.synapses(0),
            [
                (200, 1, Some(1.5)),
                (900, 1, Some(-2.5)),
                (65_000, 1, Some(0.25)),
                (70_000, 2, Some(4.0))
            ]
        );
        assert_eq!(rows.synapses(1), [(3, 1, Some(1.0)), (4, 1, Some(2.0))]);
        let mut targets = Vec::new();
        rows.targets(0, &mut targets);
        assert_eq!(targets, [200, 900, 65_000, 70_000]);
        // Through the event lists (drawn weights), and as groups.
        let mut ring = InputRing::new(70_001, 8);
        assert_eq!(rows.deliver(&mut ring, 10, 0, Channel::Weight(0.0)), 4);
        for g in &groups[..1] {
            let shifted = Group {
                arrival: g.arrival + 30,
                ..*g
            };
            assert_eq!(
                rows.deliver_group(&mut ring, &shifted, Channel::Weight(0.0)),
                3
            );
        }
        for step in [11, 31] {
            assert_eq!(ring.take(step, 200), (1.5, 0.0));
            assert_eq!(ring.take(step, 900), (0.0, -2.5));
            assert_eq!(ring.take(step, 65_000), (0.25, 0.0));
        }
        assert_eq!(ring.take(12, 70_000), (4.0, 0.0));
    }
}
