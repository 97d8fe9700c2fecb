//! Target-indexed synapse storage, one form per projection.
//!
//! A shard stores the synapses onto its own neurons: per projection, the
//! targets of each source in the form that suits the projection
//! ([`SynapseStore`], one module each):
//!
//! - [`rows`]: encoded rows, a byte per synapse (sparse projections);
//! - [`bitmap`]: a bit per neuron of the shard per source, delivered 512
//!   neurons per instruction (dense projections of a count group);
//! - [`weighted`]: encoded rows grouped by delay, each synapse's weight
//!   beside them (projections whose weights or delays are drawn per
//!   synapse);
//! - [`plastic`]: encoded rows with an `f64` weight per synapse that STDP
//!   changes at each delivery (projections of plastic synapse models),
//!   delivered by [`ShardSynapses::deliver_plastic`] with the targets'
//!   spike archives.
//!
//! Where weight and delay are homogeneous within a projection they are kept
//! once, so a synapse costs only its target. The form is chosen per projection when
//! it is built ([`ShardSynapses::build`]), and delivery dispatches on it
//! once per spike and projection, outside the loop over its events.

use spindle_core::param::Draw;
use spindle_core::rng::{Purpose, stream};
use spindle_core::{NodeId, Step};
use spindle_models::InputRing;

use crate::network::delay_to_steps;
use crate::rules::for_each_connection;
use crate::{Network, NetworkError, Partition, Projection, ReceptorType, ShardRange};

pub mod bitmap;
pub mod plastic;
pub mod rows;
pub mod weighted;

use crate::archive::SpikeArchive;
use bitmap::Bitmap;
use plastic::PlasticRows;
use rows::EncodedRows;
use weighted::{Drawn, Group, WeightedRows};

/// Where a projection's events go in the ring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Channel {
    /// Counted in count group `g` (the ring reads `weight x count`).
    Count(u32),
    /// The weight added per event.
    Weight(f64),
    /// The weight added per event on the targets' input port `port`
    /// (0-based: NEST's receptor type `port + 1`).
    Port {
        /// The port.
        port: u32,
        /// The weight.
        weight: f64,
    },
}

/// One spike through one synapse of a model a `weight_recorder` records.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightSample {
    /// The recorder's index (the engine's numbering).
    pub recorder: u32,
    /// The step the spike was sent in.
    pub step: Step,
    /// The spike's sender.
    pub source: NodeId,
    /// The target, by local index on its shard.
    pub local: u32,
    /// The weight the spike was delivered with.
    pub weight: f64,
    /// The receptor type it reached.
    pub receptor: u32,
}

/// A storage form: how one projection's synapses onto one shard are held,
/// by source index (the source's position in the projection's sources).
pub trait SynapseStore {
    /// Write a spike of source `s`, arriving at step `arrival`, into `ring`
    /// for every target; returns the events written.
    fn deliver(&self, ring: &mut InputRing, arrival: Step, s: usize, channel: Channel) -> u64;
    /// Start loading what finding source `s`'s targets needs (offsets).
    fn prefetch_offsets(&self, s: usize);
    /// Start loading source `s`'s first targets.
    fn prefetch(&self, s: usize);
    /// Append the local indices of source `s`'s synapses (a multapse's
    /// target once per synapse), in no particular order.
    fn targets(&self, s: usize, out: &mut Vec<u32>);
    /// Bytes held.
    fn bytes(&self) -> usize;
}

/// The forms, dispatched by `match` so that each form's hot paths inline
/// (`get` serves the cold ones).
#[derive(Debug, Clone)]
enum Store {
    Rows(EncodedRows),
    Bitmap(Bitmap),
    Weighted(WeightedRows),
    Plastic(PlasticRows),
}

impl Store {
    #[inline(always)]
    fn get(&self) -> &dyn SynapseStore {
        match self {
            Store::Rows(r) => r,
            Store::Bitmap(b) => b,
            Store::Weighted(w) => w,
            Store::Plastic(p) => p,
        }
    }

    #[inline(always)]
    fn deliver(&self, ring: &mut InputRing, arrival: Step, s: usize, channel: Channel) -> u64 {
        match self {
            Store::Rows(r) => r.deliver(ring, arrival, s, channel),
            Store::Bitmap(b) => b.deliver(ring, arrival, s, channel),
            Store::Weighted(w) => w.deliver(ring, arrival, s, channel),
            Store::Plastic(p) => p.deliver(ring, arrival, s, channel),
        }
    }

    #[inline(always)]
    fn prefetch_offsets(&self, s: usize) {
        match self {
            Store::Rows(r) => r.prefetch_offsets(s),
            Store::Bitmap(b) => b.prefetch_offsets(s),
            Store::Weighted(w) => w.prefetch_offsets(s),
            Store::Plastic(p) => p.prefetch_offsets(s),
        }
    }

    #[inline(always)]
    fn prefetch(&self, s: usize) {
        match self {
            Store::Rows(r) => r.prefetch(s),
            Store::Bitmap(b) => b.prefetch(s),
            Store::Weighted(w) => w.prefetch(s),
            Store::Plastic(p) => p.prefetch(s),
        }
    }
}

/// A bitmap is chosen where it takes at most this many times the bytes of
/// the encoded rows: delivering it costs about a tenth as much per event
/// (bit planes, see `spindle_models::ring`), and a denser projection needs
/// fewer bytes for it (at the seed's connection probability of 0.1 a bitmap
/// takes 1.25 times the bytes).
const BITMAP_MAX_BYTES_RATIO: f64 = 1.5;

/// Whether a projection of a count group whose bitmap takes
/// `bitmap_bytes` and whose rows take `encoded_bytes` is held as a bitmap.
fn bitmap_pays(count_group: bool, bitmap_bytes: u64, encoded_bytes: u64) -> bool {
    count_group && bitmap_bytes as f64 <= BITMAP_MAX_BYTES_RATIO * encoded_bytes as f64
}

/// Calls its argument with (source index, local target) for every synapse.
pub(crate) type EachSynapse<'a> = dyn FnMut(&mut dyn FnMut(usize, u32)) + 'a;

/// The synapses of one projection onto one shard's neurons.
#[derive(Debug, Clone)]
pub struct ProjectionRows {
    src_first: NodeId,
    /// Rows: one per source, `src_first ..`.
    src_rows: u32,
    synapses: u64,
    store: Store,
    /// Weight [pA] (unused where drawn per synapse).
    pub weight: f64,
    /// Delay [steps] (0 where drawn per synapse: the store adds each one).
    pub delay: Step,
    /// Index of the synapse model.
    pub synapse_model: u32,
    /// The ring's count group this projection's events are counted in, or
    /// `None` to add the weight per event.
    pub count_group: Option<u32>,
    /// The targets' input port every synapse reaches, if one for all.
    pub port: Option<u32>,
}

impl ProjectionRows {
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
        self.store.get().bytes()
    }

    /// Whether the synapses are held as weighted rows that write the
    /// ring's rows directly, delivered in groups by arrival step (weighted
    /// rows whose input goes through the ring's event lists are delivered
    /// spike by spike: [`WeightedRows::streams`]).
    #[inline(always)]
    pub fn is_grouped(&self) -> bool {
        match &self.store {
            Store::Weighted(w) => !w.streams(self.channel()),
            _ => false,
        }
    }

    /// Whether the synapses are plastic (delivered by
    /// [`ShardSynapses::deliver_plastic`]).
    #[inline(always)]
    pub fn is_plastic(&self) -> bool {
        matches!(self.store, Store::Plastic(_))
    }

    /// Whether the synapses are delivered by [`ShardSynapses::deliver`]
    /// (not grouped, not plastic).
    #[inline(always)]
    fn is_direct(&self) -> bool {
        !self.is_plastic() && !self.is_grouped()
    }

    /// The weights of `source`'s synapses of a plastic projection, in the
    /// order of [`synapses`](Self::synapses), to change (`None` if static).
    pub fn weights_mut(&mut self, source: NodeId) -> Option<&mut [f64]> {
        let s = self.index(source);
        match &mut self.store {
            Store::Plastic(p) => Some(p.weights_mut(s)),
            _ => None,
        }
    }

    /// The weights of `source`'s synapses of a static projection whose
    /// weights were drawn per synapse (held as `f32`), in the order of
    /// [`synapses`](Self::synapses), to change (`None` otherwise).
    pub fn drawn_weights_mut(&mut self, source: NodeId) -> Option<&mut [f32]> {
        let s = self.index(source);
        match &mut self.store {
            Store::Weighted(w) => w.weights_mut(s),
            _ => None,
        }
    }

    /// `quantal_stp_synapse`'s state of `source`'s synapses, in the order
    /// of [`synapses`](Self::synapses): the source's `u` and each synapse's
    /// available sites `a` (`None` for other models).
    pub fn quantal_state(&self, source: NodeId) -> Option<(f64, Vec<i32>)> {
        match &self.store {
            Store::Plastic(p) => p.quantal_state(self.index(source)),
            _ => None,
        }
    }

    /// Whether the targets are held as bitmaps.
    pub fn is_bitmap(&self) -> bool {
        matches!(self.store, Store::Bitmap(_))
    }

    /// The longest delay of a synapse held [steps].
    pub fn max_delay(&self) -> Step {
        match &self.store {
            Store::Weighted(w) => self.delay + w.max_delay(),
            _ => self.delay,
        }
    }

    /// The synapses of `source` as (local target, delay [steps], weight
    /// [pA]), in stored order.
    pub fn synapses(&self, source: NodeId) -> Vec<(u32, Step, f64)> {
        let s = self.index(source);
        match &self.store {
            Store::Weighted(w) => w
                .synapses(s)
                .into_iter()
                .map(|(t, d, v)| (t, self.delay + d, v.unwrap_or(self.weight)))
                .collect(),
            Store::Plastic(p) => {
                let (targets, weights) = p.synapses(s);
                targets
                    .into_iter()
                    .zip(weights)
                    .map(|(t, &w)| (t, self.delay, w))
                    .collect()
            }
            store => {
                let mut out = Vec::new();
                store.get().targets(s, &mut out);
                out.into_iter()
                    .map(|t| (t, self.delay, self.weight))
                    .collect()
            }
        }
    }

    /// The receptor type of each synapse of `source`, in the order of
    /// [`synapses`](Self::synapses): drawn per synapse, else the
    /// projection's (0 where it has none).
    pub fn receptors(&self, source: NodeId) -> Vec<u32> {
        if let Store::Weighted(w) = &self.store
            && let Some(r) = w.receptors(self.index(source))
        {
            return r;
        }
        let one = self.port.map_or(0, |p| p + 1);
        vec![one; self.synapses(source).len()]
    }

    /// Source index of `source` (past the end if it is not a source).
    #[inline(always)]
    fn index(&self, source: NodeId) -> usize {
        source.wrapping_sub(self.src_first) as usize
    }

    /// The local indices of every synapse of `source`, ascending (a
    /// multapse's target once per synapse).
    pub fn targets(&self, source: NodeId) -> Vec<u32> {
        let mut out = Vec::new();
        self.store.get().targets(self.index(source), &mut out);
        out.sort_unstable();
        out
    }

    #[inline(always)]
    fn channel(&self) -> Channel {
        match (self.count_group, self.port) {
            (Some(g), _) => Channel::Count(g),
            (None, None) => Channel::Weight(self.weight),
            (None, Some(port)) => Channel::Port {
                port,
                weight: self.weight,
            },
        }
    }
}

/// All synapses onto one shard's neurons.
#[derive(Debug, Clone, Default)]
pub struct ShardSynapses {
    /// One entry per projection of the network, in connect order.
    pub projections: Vec<ProjectionRows>,
    /// Where there are many projections, the ones holding synapses of
    /// each source, so that a spike visits those only.
    by_source: Option<BySource>,
    /// Weight of each count group (the input ring needs one per entry).
    pub count_weights: Vec<f64>,
    /// Bit planes each count group needs: enough for one event per source
    /// of its bitmap projections in one step.
    pub plane_depths: Vec<u32>,
}

/// The projections holding synapses of each source, in connect order, as
/// compressed rows over the sources' ids. Delivery visits every projection
/// per spike where there are few (Brunel's four); with a `Connect` per
/// pair of small populations (sudoku's 3,000) that walk cost more than the
/// delivery itself.
#[derive(Debug, Clone)]
struct BySource {
    /// The smallest source id of any projection.
    first: NodeId,
    /// Per source id from `first`: its entries in `projections`,
    /// `start[i]..start[i + 1]`.
    start: Vec<u32>,
    /// Projection indices, ascending per source.
    projections: Vec<u32>,
}

impl BySource {
    /// Projections beyond which a spike looks its own up.
    const MANY: usize = 8;

    /// The index of `rows` (the shard's projections), if there are many;
    /// projections without a synapse on the shard are left out.
    fn build(rows: &[ProjectionRows]) -> Option<Self> {
        if rows.len() <= Self::MANY {
            return None;
        }
        let held = || rows.iter().enumerate().filter(|(_, r)| r.synapses > 0);
        let first = held().map(|(_, r)| r.src_first).min().unwrap_or(0);
        let end = held()
            .map(|(_, r)| r.src_first as u64 + r.src_rows as u64)
            .max()
            .unwrap_or(first as u64);
        let span = (end - first as u64) as usize;
        let mut start = vec![0u32; span + 1];
        for (_, r) in held() {
            let lo = (r.src_first - first) as usize;
            for count in &mut start[lo + 1..lo + 1 + r.src_rows as usize] {
                *count += 1;
            }
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut next = start.clone();
        let mut projections = vec![0u32; start[span] as usize];
        for (p, r) in held() {
            let lo = (r.src_first - first) as usize;
            for at in &mut next[lo..lo + r.src_rows as usize] {
                projections[*at as usize] = p as u32;
                *at += 1;
            }
        }
        Some(Self {
            first,
            start,
            projections,
        })
    }

    /// The projections holding synapses of `source`.
    #[inline]
    fn of(&self, source: NodeId) -> &[u32] {
        let i = source.wrapping_sub(self.first) as usize;
        match (self.start.get(i), self.start.get(i + 1)) {
            (Some(&lo), Some(&hi)) => &self.projections[lo as usize..hi as usize],
            _ => &[],
        }
    }
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
        .zip(net.projection_totals())
        .map(|(p, totals)| {
            if p.random_weight.is_some() || p.reaches_ports() || p.plastic.is_some() {
                return None;
            }
            let bound = totals.max_indegree;
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

/// What the synapses onto one shard are estimated to take
/// ([`ShardSynapses::estimate`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SynapsesEstimate {
    /// Synapses stored.
    pub synapses: u64,
    /// Bytes the stores hold once built.
    pub bytes: u64,
    /// The most bytes building them holds at once: the stores built so
    /// far, and the one being built with its working memory.
    pub build_peak: u64,
    /// Projections that would be held as bitmaps.
    pub bitmaps: usize,
    /// Multapses the bitmaps would list apart.
    pub multapses: u64,
    /// Bit planes each count group would need, as `plane_depths`.
    pub plane_depths: Vec<u32>,
    /// Whether any projection adds its weight per event (outside a count
    /// group), writing the ring's rows of weights.
    pub weights: bool,
}

impl ShardSynapses {
    /// Estimate what [`build`](Self::build) would store for `shard`, from
    /// the description's sizes alone (nothing per neuron or synapse): per
    /// projection, its synapses onto the shard, the form the build would
    /// choose by the same rule (`bitmap_pays`) on the forms' estimated
    /// sizes, and that form's estimate.
    pub fn estimate(net: &Network, partition: &Partition, shard: &ShardRange) -> SynapsesEstimate {
        let (groups, weights) = count_groups(net);
        let words = shard.len().div_ceil(64) as u64;
        let mut est = SynapsesEstimate {
            plane_depths: vec![0; weights.len()],
            ..Default::default()
        };
        let mut group_sources = vec![0u64; weights.len()];
        for (proj, group) in net.projections().iter().zip(&groups) {
            let part = partition.owned_part(shard, &proj.targets);
            let targets = part.len() as u64;
            let synapses = proj.rule.count_onto(&proj.sources, &proj.targets, &part);
            let sources = proj.sources.len() as u64;
            let multapses = proj.rule.can_make_multapses();
            let per_synapse = proj.per_synapse();
            let bitmap = !per_synapse
                && proj.plastic.is_none()
                && bitmap_pays(
                    group.is_some(),
                    Bitmap::bitmap_bytes(sources, words),
                    EncodedRows::estimate_encoded(sources, synapses, targets),
                );
            let (bytes, scratch) =
                if let Some(rule) = &proj.plastic {
                    (
                        PlasticRows::estimate(sources, synapses, targets, rule),
                        EncodedRows::estimate_build_bytes(sources)
                            .saturating_add(sources.saturating_mul(16)),
                    )
                } else if per_synapse {
                    let w = proj.random_weight.is_some();
                    let r = matches!(proj.receptor, ReceptorType::Drawn(_));
                    (
                        WeightedRows::estimate(sources, synapses, targets, w)
                            .saturating_add(if r { synapses } else { 0 }),
                        WeightedRows::estimate_build_bytes(sources, synapses),
                    )
                } else if bitmap {
                    let extra = Bitmap::estimate_multapses(sources, synapses, targets, multapses);
                    est.multapses = est.multapses.saturating_add(extra);
                    (
                        Bitmap::estimate(sources, synapses, targets, words, multapses),
                        Bitmap::estimate_build_bytes(sources, extra),
                    )
                } else {
                    (
                        EncodedRows::estimate(sources, synapses, targets),
                        EncodedRows::estimate_build_bytes(sources),
                    )
                };
            // The build also lists the shard's targets with their local
            // indices while it draws a projection.
            let owned = targets.saturating_mul(size_of::<(NodeId, u32)>() as u64);
            let building = est
                .bytes
                .saturating_add(bytes)
                .saturating_add(scratch)
                .saturating_add(owned);
            est.build_peak = est.build_peak.max(building);
            est.bytes = est.bytes.saturating_add(bytes);
            est.synapses = est.synapses.saturating_add(synapses);
            match group {
                Some(g) if bitmap => {
                    est.bitmaps += 1;
                    group_sources[*g as usize] += sources;
                }
                Some(_) => {}
                None => est.weights |= synapses > 0,
            }
        }
        for (depth, &n) in est.plane_depths.iter_mut().zip(&group_sources) {
            *depth = u64::BITS - n.leading_zeros();
        }
        est
    }

    /// Draw and store the synapses onto the neurons of `shard`. Sources are
    /// drawn twice with the same streams, once to count each row and once
    /// to fill it, so no list of (source, target) pairs is ever held.
    pub fn build(
        net: &Network,
        partition: &Partition,
        shard: &ShardRange,
    ) -> Result<Self, NetworkError> {
        Self::build_reusing(net, partition, shard, Vec::new())
    }

    /// As [`build`](Self::build), taking the rows of the first
    /// `reuse.len()` projections as already built: the caller vouches that
    /// they were built for the same projections, neurons, shard (its block
    /// of neurons too) and seed (a network that only gained projections
    /// since, which left the blocks where they were).
    pub fn build_reusing(
        net: &Network,
        partition: &Partition,
        shard: &ShardRange,
        reuse: Vec<ProjectionRows>,
    ) -> Result<Self, NetworkError> {
        let mut scratch = Vec::new();
        let (groups, count_weights) = count_groups(net);
        let mut reuse = reuse.into_iter();
        let mut projections = Vec::with_capacity(net.projections().len());
        for (p, proj) in net.projections().iter().enumerate() {
            if let Some(mut rows) = reuse.next() {
                // Groups are assigned in connect order, so a prefix
                // keeps its groups; set them anyway.
                rows.count_group = groups[p];
                projections.push(rows);
                continue;
            }
            let owned: Vec<(NodeId, u32)> = partition.owned(shard, &proj.targets).collect();
            let sources = proj.sources.len();
            let (store, synapses, delay) = if let Some(rule) = proj.plastic {
                let mut failed = None;
                let weight = proj.weight;
                let drawn = proj.random_weight.is_some();
                let mut each = |emit: &mut dyn FnMut(usize, u32, f64)| {
                    each_drawn(
                        net,
                        p,
                        proj,
                        &owned,
                        &mut scratch,
                        drawn,
                        &mut failed,
                        &mut |s, t, v| emit(s, t, if drawn { v.weight } else { weight }),
                    )
                };
                let delay_ms = proj.delay as f64 * net.resolution().ms_per_step();
                let (rows, synapses) = PlasticRows::build(sources, rule, delay_ms, &mut each);
                let counted = matches!(
                    net.node(proj.targets.first()),
                    Some(crate::NodeKind::Neuron { model, .. }) if model.counts_spikes()
                );
                let rows = rows.counting(counted).keyed(net.seed(), p as u32);
                if let Some(e) = failed {
                    return Err(e);
                }
                (Store::Plastic(rows), synapses, proj.delay)
            } else if proj.per_synapse() {
                let mut failed = None;
                let mut each = |values: bool, emit: &mut dyn FnMut(usize, u32, Drawn)| {
                    each_drawn(
                        net,
                        p,
                        proj,
                        &owned,
                        &mut scratch,
                        values,
                        &mut failed,
                        emit,
                    )
                };
                let delays = proj.random_delay.is_some();
                let (weights, receptors) = (
                    proj.random_weight.is_some(),
                    matches!(proj.receptor, ReceptorType::Drawn(_)),
                );
                let (rows, synapses) =
                    WeightedRows::build_with(sources, delays, weights, receptors, &mut each);
                if let Some(e) = failed {
                    return Err(e);
                }
                (
                    Store::Weighted(rows),
                    synapses,
                    if delays { 0 } else { proj.delay },
                )
            } else {
                // The shard's connections, in the rule's fixed order.
                let mut each_synapse = |emit: &mut dyn FnMut(usize, u32)| {
                    let first = proj.sources.first();
                    for_each_connection(
                        &proj.rule,
                        net.seed(),
                        p as u32,
                        &proj.sources,
                        &proj.targets,
                        &owned,
                        &mut scratch,
                        |c| {
                            if let Some(local) = c.local {
                                emit((c.source - first) as usize, local);
                            }
                        },
                    );
                };
                // Counting the rows' bytes is the first pass either way.
                let (offsets, synapses) = rows::row_offsets(sources, &mut each_synapse);
                let words = shard.len().div_ceil(64);
                let store = if bitmap_pays(
                    groups[p].is_some(),
                    Bitmap::bitmap_bytes(sources as u64, words as u64),
                    EncodedRows::encoded_bytes(&offsets),
                ) {
                    Store::Bitmap(bitmap::bitmap_rows(sources, words, &mut each_synapse))
                } else {
                    Store::Rows(EncodedRows::build(offsets, &mut each_synapse))
                };
                (store, synapses, proj.delay)
            };
            projections.push(ProjectionRows {
                src_first: proj.sources.first(),
                src_rows: proj.sources.len() as u32,
                synapses,
                store,
                weight: proj.weight,
                delay,
                synapse_model: proj.synapse_model,
                count_group: groups[p],
                port: proj.port(),
            });
        }
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
        Ok(Self {
            by_source: BySource::build(&projections),
            projections,
            count_weights,
            plane_depths,
        })
    }

    /// The longest delay of a synapse held [steps] (0 if none).
    pub fn max_delay(&self) -> Step {
        self.projections
            .iter()
            .map(|p| p.max_delay())
            .max()
            .unwrap_or(0)
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
        if let Some(b) = &self.by_source {
            for &p in b.of(source) {
                let proj = &self.projections[p as usize];
                if proj.is_direct() {
                    proj.store.prefetch_offsets(proj.index(source));
                }
            }
            return;
        }
        for proj in &self.projections {
            if proj.is_direct() {
                proj.store.prefetch_offsets(proj.index(source));
            }
        }
    }

    /// Start loading the first targets of `source`'s rows, so that they
    /// are in cache when the spike is delivered after the current one.
    #[inline]
    pub fn prefetch(&self, source: NodeId) {
        if let Some(b) = &self.by_source {
            for &p in b.of(source) {
                let proj = &self.projections[p as usize];
                if proj.is_direct() {
                    proj.store.prefetch(proj.index(source));
                }
            }
            return;
        }
        for proj in &self.projections {
            if proj.is_direct() {
                proj.store.prefetch(proj.index(source));
            }
        }
    }

    /// Write a spike that `source` emitted in step `step` into `ring`, at
    /// `step + delay` of each projection, for every target in this shard.
    /// Returns the synaptic events written. The targets of one source and
    /// projection all land in one row of the ring. `ring` must have been
    /// made with `InputRing::with_planes(.., &self.count_weights,
    /// &self.plane_depths, ..)`.
    /// Projections held as weighted rows are left to
    /// [`deliver_groups`](Self::deliver_groups), plastic ones to
    /// [`deliver_plastic`](Self::deliver_plastic).
    #[inline]
    pub fn deliver(&self, ring: &mut InputRing, step: Step, source: NodeId) -> u64 {
        let mut events = 0;
        if let Some(b) = &self.by_source {
            // The same projections in the same order, less those without
            // this source's synapses: the same sums.
            for &p in b.of(source) {
                let proj = &self.projections[p as usize];
                if proj.is_direct() {
                    let arrival = step + proj.delay;
                    events += proj
                        .store
                        .deliver(ring, arrival, proj.index(source), proj.channel());
                }
            }
            return events;
        }
        for proj in &self.projections {
            if !proj.is_direct() {
                continue;
            }
            let arrival = step + proj.delay;
            events += proj
                .store
                .deliver(ring, arrival, proj.index(source), proj.channel());
        }
        events
    }
}

impl ShardSynapses {
    /// Whether any projection is plastic.
    pub fn has_plastic(&self) -> bool {
        self.projections.iter().any(|p| p.is_plastic())
    }

    /// Tell `archives` (one per neuron of the shard) about every plastic
    /// synapse onto them (NEST's `register_stdp_connection`).
    pub fn register_plastic(&self, archives: &mut [SpikeArchive]) {
        for proj in &self.projections {
            if let Store::Plastic(p) = &proj.store {
                p.register(archives);
            }
        }
    }

    /// Deliver the spikes `spikes` ((step, source) in delivery order)
    /// through the plastic projections: per spike and projection, each
    /// synapse's weight is updated as NEST's STDP synapses update it (the
    /// spike's stamp is the end of its step, `stamp(step)` [ms]), reading
    /// the targets' `archives`, and written into `ring` at the spike's
    /// step plus the delay. Returns the events written.
    /// Projection `p`'s weights are logged into `log` for weight recorder
    /// `recorders[p]`, where that is `Some`. `ids` are the global ids of
    /// the shard's neurons (keys of `quantal_stp_synapse`'s draws).
    #[allow(clippy::too_many_arguments)]
    pub fn deliver_plastic(
        &mut self,
        ring: &mut InputRing,
        archives: &mut [SpikeArchive],
        ids: &[NodeId],
        spikes: impl Iterator<Item = (Step, NodeId)>,
        stamp: impl Fn(Step) -> f64,
        recorders: &[Option<u32>],
        log: &mut Vec<WeightSample>,
    ) -> u64 {
        for proj in &mut self.projections {
            if let Store::Plastic(p) = &mut proj.store {
                p.forget_traces();
            }
        }
        let mut events = 0;
        let mut scratch = Vec::new();
        let all: Vec<u32> = match self.by_source {
            Some(_) => Vec::new(),
            None => (0..self.projections.len() as u32).collect(),
        };
        for (step, source) in spikes {
            let t_spike = stamp(step);
            let visit = match &self.by_source {
                Some(b) => b.of(source),
                None => &all[..],
            };
            for &i in visit {
                let i = i as usize;
                let proj = &mut self.projections[i];
                let channel = proj.channel();
                let s = proj.index(source);
                let recorder = recorders.get(i).copied().flatten();
                if let Store::Plastic(p) = &mut proj.store {
                    let arrival = step + proj.delay;
                    let into = recorder.map(|_| &mut scratch);
                    let key = (source, ids);
                    events +=
                        p.deliver_plastic(ring, archives, arrival, t_spike, s, key, channel, into);
                }
                if let Some(recorder) = recorder {
                    let receptor = match channel {
                        Channel::Port { port, .. } => port + 1,
                        _ => 0,
                    };
                    log.extend(scratch.drain(..).map(|(local, weight)| WeightSample {
                        recorder,
                        step,
                        source,
                        local,
                        weight,
                        receptor,
                    }));
                }
            }
        }
        events
    }

    /// Whether any projection is held as weighted rows (delivered by
    /// [`deliver_groups`](Self::deliver_groups)).
    pub fn has_groups(&self) -> bool {
        self.projections.iter().any(|p| p.is_grouped())
    }

    /// Write the spikes `spikes` ((step, source) in delivery order) into
    /// `ring` through the projections held as weighted rows, arrival step
    /// by arrival step: every group of synapses of every spike that
    /// arrives at one step, in spike order and projection order, before
    /// the next step's. The ring's row of one step then stays in cache
    /// while it is written, whatever the delays (with one row per delay,
    /// a spike's synapses would write rows of the whole ring). `groups` is
    /// working memory. Returns the events written.
    pub fn deliver_groups(
        &self,
        ring: &mut InputRing,
        spikes: impl Iterator<Item = (Step, NodeId)>,
        groups: &mut Vec<Group>,
    ) -> u64 {
        groups.clear();
        let all: Vec<u32> = match self.by_source {
            Some(_) => Vec::new(),
            None => (0..self.projections.len() as u32).collect(),
        };
        for (step, source) in spikes {
            let visit = match &self.by_source {
                Some(b) => b.of(source),
                None => &all[..],
            };
            for &p in visit {
                let proj = &self.projections[p as usize];
                if let Store::Weighted(w) = &proj.store {
                    w.groups(proj.index(source), step + proj.delay, p, groups);
                }
            }
        }
        // Stable: within one arrival step, spike order then projection
        // order, the same for any partition.
        groups.sort_by_key(|g| g.arrival);
        const AHEAD: usize = 8;
        let store = |g: &Group| match &self.projections[g.projection as usize].store {
            Store::Weighted(w) => w,
            _ => unreachable!("groups come from weighted rows"),
        };
        for g in groups.iter().take(AHEAD) {
            store(g).prefetch_group(g);
        }
        let mut events = 0;
        for (i, g) in groups.iter().enumerate() {
            if let Some(ahead) = groups.get(i + AHEAD) {
                store(ahead).prefetch_group(ahead);
            }
            let proj = &self.projections[g.projection as usize];
            events += store(g).deliver_group(ring, g, proj.channel());
        }
        events
    }
}

/// Call `emit` with (source index, local target, values) for every
/// connection of projection `p` (`proj`) onto the shard's `owned` neurons,
/// in the rule's order; the values drawn where `values` (a driver's
/// connections from its own stream, in the rule's order: a source-driven
/// rule's connections onto other shards draw too, so that every shard's
/// values stay in step), else zero. The first error drawing is left in
/// `failed`.
#[allow(clippy::too_many_arguments)]
fn each_drawn(
    net: &Network,
    p: usize,
    proj: &Projection,
    owned: &[(NodeId, u32)],
    scratch: &mut Vec<u64>,
    values: bool,
    failed: &mut Option<NetworkError>,
    emit: &mut dyn FnMut(usize, u32, Drawn),
) {
    let first = proj.sources.first();
    let mut current: Option<(NodeId, Draw)> = None;
    for_each_connection(
        &proj.rule,
        net.seed(),
        p as u32,
        &proj.sources,
        &proj.targets,
        owned,
        scratch,
        |c| {
            let v = if values {
                if current.as_ref().is_none_or(|(d, _)| *d != c.driver) {
                    let rng = stream(net.seed(), Purpose::SynapseValue, p as u64, c.driver as u64);
                    current = Some((c.driver, Draw::new(rng)));
                }
                let draw = current
                    .as_mut()
                    .expect("set above")
                    .1
                    .at(c.position as usize);
                draw_values(net, proj, draw).unwrap_or_else(|e| {
                    failed.get_or_insert(e);
                    Drawn {
                        weight: 0.0,
                        delay: 1,
                        receptor: 0,
                    }
                })
            } else {
                Drawn {
                    weight: 0.0,
                    delay: 0,
                    receptor: 0,
                }
            };
            if let Some(local) = c.local {
                emit((c.source - first) as usize, local, v);
            }
        },
    );
}

/// One synapse's drawn weight, delay and receptor type: the weight first,
/// then the delay, then the receptor type, each where the projection draws
/// it.
fn draw_values(net: &Network, proj: &Projection, draw: &mut Draw) -> Result<Drawn, NetworkError> {
    let bad = |e: spindle_core::param::ParamValueError| NetworkError::Connect(e.to_string());
    let weight = match &proj.random_weight {
        Some(p) => {
            let w = p.sample(draw).map_err(bad)?;
            if !w.is_finite() {
                return Err(NetworkError::Connect(format!(
                    "weight must be finite (drew {w})"
                )));
            }
            w
        }
        None => proj.weight,
    };
    let delay = match &proj.random_delay {
        Some((p, _)) => {
            let ms = p.sample(draw).map_err(bad)?;
            match delay_to_steps(net.resolution(), ms) {
                Some(d) if d <= weighted::MAX_DELAY => d,
                Some(_) => {
                    return Err(NetworkError::Connect(format!(
                        "drew a delay of {ms} ms; Spindle holds delays up to {} steps",
                        weighted::MAX_DELAY
                    )));
                }
                None => {
                    return Err(NetworkError::Connect(format!(
                        "drew a delay of {ms} ms, below the resolution {} ms (bound it with \
                         nest.math.redraw)",
                        net.resolution().h()
                    )));
                }
            }
        }
        None => 0,
    };
    let receptor = match &proj.receptor {
        // Connect checked that it gives integers within the targets' ports.
        ReceptorType::Drawn(p) => p.sample(draw).map_err(bad)? as u8,
        ReceptorType::Fixed(_) => 0,
    };
    Ok(Drawn {
        weight,
        delay,
        receptor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConnRule, SynSpec};
    use spindle_core::Resolution;
    use spindle_models::IafPscAlphaParams;

    #[test]
    fn rows_hold_every_synapse_once_whatever_the_split() {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 5);
        let a = net
            .create_neurons(40, IafPscAlphaParams::default())
            .unwrap();
        let b = net
            .create_neurons(10, IafPscAlphaParams::default())
            .unwrap();
        let all = a.join(&b).unwrap();
        let s = SynSpec::static_synapse(1.0, 1.0);
        net.connect(&a, &all, ConnRule::fixed_indegree(7), &s)
            .unwrap();
        net.connect(&b, &all, ConnRule::all_to_all().autapses(false), &s)
            .unwrap();
        let drawn = [
            (all, all, ConnRule::fixed_total_number(900).autapses(false)),
            (a, all, ConnRule::pairwise_bernoulli(0.2)),
            (all, b, ConnRule::pairwise_bernoulli(0.5).autapses(false)),
            (
                b,
                all,
                ConnRule::fixed_outdegree(9)
                    .autapses(false)
                    .multapses(false),
            ),
            (a, all, ConnRule::fixed_outdegree(30)),
        ];
        for (src, tgt, rule) in drawn {
            net.connect(&src, &tgt, rule, &s).unwrap();
        }
        let edges = |shards: usize| {
            let p = net.partition(shards);
            let mut edges = Vec::new();
            for sh in p.shards() {
                let syn = ShardSynapses::build(&net, &p, sh).unwrap();
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
            let syn = ShardSynapses::build(&net, &p, &p.shards()[0]).unwrap();
            syn.projections[0].is_bitmap()
        };
        assert!(form(1) && !form(7));
        let one = edges(1);
        let per = |pi: usize| one.iter().filter(|e| e.0 == pi).count() as u64;
        assert_eq!(per(0) + per(1), 50 * 7 + 10 * 50 - 10);
        // each projection holds what its totals say, fixed_total_number
        // exactly N, fixed_outdegree exactly sources x outdegree
        for (pi, t) in net.projection_totals().iter().enumerate() {
            assert_eq!(per(pi), t.connections, "projection {pi}");
        }
        assert_eq!(per(2), 900);
        assert_eq!(per(5), 10 * 9);
        assert_eq!(per(6), 40 * 30);
        assert_eq!(one, edges(2));
        assert_eq!(one, edges(3));
        assert_eq!(one, edges(7));
        // every target has in-degree 7 in projection 0
        for t in all.iter() {
            assert_eq!(one.iter().filter(|e| e.0 == 0 && e.2 == t).count(), 7);
        }
        // every source of projection 5 has 9 distinct targets, not itself
        for src in b.iter() {
            let mut mine: Vec<_> = one.iter().filter(|e| e.0 == 5 && e.1 == src).collect();
            mine.dedup();
            assert_eq!(mine.len(), 9);
            assert!(mine.iter().all(|e| e.2 != src));
        }
        // no autapse where they are disallowed
        for pi in [2, 4, 5] {
            assert!(one.iter().filter(|e| e.0 == pi).all(|e| e.1 != e.2));
        }
    }

    #[test]
    fn drawn_weights_and_delays_do_not_depend_on_the_split() {
        use spindle_core::param::Param;
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 3);
        let a = net
            .create_neurons(300, IafPscAlphaParams::default())
            .unwrap();
        let normal = |mean, std| Box::new(Param::Normal { mean, std });
        let spec = SynSpec::model("static_synapse")
            .with_random_weight(Param::Redraw {
                param: normal(20.0, 2.0),
                min: 0.0,
                max: f64::INFINITY,
            })
            .with_random_delay(Param::Redraw {
                param: normal(1.5, 0.75),
                min: 0.05,
                max: f64::INFINITY,
            });
        net.connect(&a, &a, ConnRule::fixed_indegree(50), &spec)
            .unwrap();
        let synapses = |shards: usize| {
            let p = net.partition(shards);
            let mut out = Vec::new();
            for sh in p.shards() {
                let syn = ShardSynapses::build(&net, &p, sh).unwrap();
                assert!(!syn.projections[0].is_bitmap());
                for src in a.iter() {
                    for (l, d, w) in syn.projections[0].synapses(src) {
                        out.push((src, p.id(sh.ranks.start + l), d, w.to_bits()));
                    }
                }
            }
            out.sort();
            out
        };
        let one = synapses(1);
        assert_eq!(one.len(), 300 * 50);
        assert_eq!(one, synapses(4));
        let n = one.len() as f64;
        let delays: Vec<f64> = one.iter().map(|s| s.2 as f64 * 0.1).collect();
        let weights: Vec<f64> = one.iter().map(|s| f64::from_bits(s.3)).collect();
        assert!(delays.iter().all(|&d| d >= 0.1));
        assert!(weights.iter().all(|&w| w >= 0.0));
        let mean = |v: &[f64]| v.iter().sum::<f64>() / n;
        let sd = |v: &[f64]| (v.iter().map(|x| (x - mean(v)).powi(2)).sum::<f64>() / n).sqrt();
        // Normal(20, 2): the mean within 5 standard errors, the spread
        // within 5 %.
        assert!((mean(&weights) - 20.0).abs() < 5.0 * 2.0 / n.sqrt());
        assert!((sd(&weights) - 2.0).abs() < 0.1);
        // Rounded to the grid and cut below 0.05 ms: a mean near 1.5 ms.
        assert!((mean(&delays) - 1.5).abs() < 0.05, "{}", mean(&delays));
        // Weights are held as f32: within 6e-8 of the drawn double.
        assert!(weights.iter().all(|&w| w == f64::from(w as f32)));
    }

    #[test]
    fn drawn_receptor_types_do_not_depend_on_the_split() {
        use spindle_core::param::{BinOp, Param};
        use spindle_models::{IAF_PSC_EXP_MULTISYNAPSE, NeuronParams};
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 3);
        let mut params = NeuronParams::defaults(&IAF_PSC_EXP_MULTISYNAPSE);
        params.set_list("tau_syn", &[0.5; 5]).unwrap();
        let a = net.create_neurons(200, params).unwrap();
        let receptor = Param::Bin(
            BinOp::Add,
            Box::new(Param::UniformInt { max: 5 }),
            Box::new(Param::Const(1.0)),
        );
        let drawn = SynSpec::static_synapse(2.0, 1.0).with_random_receptor(receptor.clone());
        net.connect(&a, &a, ConnRule::fixed_indegree(30), &drawn)
            .unwrap();
        // Weights and receptor types drawn: the weight first, then the
        // receptor type, from each target's stream.
        let both = SynSpec::static_synapse(2.0, 1.0)
            .with_random_weight(Param::Uniform { min: 1.0, max: 2.0 })
            .with_random_receptor(receptor);
        net.connect(&a, &a, ConnRule::fixed_indegree(5), &both)
            .unwrap();
        let fixed = SynSpec::static_synapse(-1.0, 1.0).with_receptor(2);
        net.connect(&a, &a, ConnRule::fixed_indegree(3), &fixed)
            .unwrap();
        let synapses = |shards: usize| {
            let p = net.partition(shards);
            let mut out = Vec::new();
            for sh in p.shards() {
                let syn = ShardSynapses::build(&net, &p, sh).unwrap();
                for (k, rows) in syn.projections.iter().enumerate() {
                    for src in a.iter() {
                        let values = rows.synapses(src);
                        let receptors = rows.receptors(src);
                        assert_eq!(values.len(), receptors.len());
                        for ((l, _, w), r) in values.into_iter().zip(receptors) {
                            out.push((k, src, p.id(sh.ranks.start + l), w.to_bits(), r));
                        }
                    }
                }
            }
            out.sort();
            out
        };
        let one = synapses(1);
        assert_eq!(one.len(), 200 * (30 + 5 + 3));
        assert_eq!(one, synapses(3));
        let of = |k: usize| one.iter().filter(move |s| s.0 == k).map(|s| s.4);
        assert!(of(0).all(|r| (1..=5).contains(&r)));
        for r in 1..=5 {
            let n = of(0).filter(|&x| x == r).count();
            assert!((1000..1400).contains(&n), "receptor {r}: {n} of 6000");
        }
        assert!(of(1).any(|r| r != 1) && of(2).all(|r| r == 2));
        // Counted groups are for (ex, inh) input only.
        let (groups, _) = count_groups(&net);
        assert_eq!(groups, [None, None, None]);
    }
}

#[cfg(test)]
mod plastic_tests {
    use super::*;
    use crate::{ConnRule, SynSpec};
    use spindle_core::Resolution;
    use spindle_core::param::Param;
    use spindle_models::IafPscAlphaParams;

    #[test]
    fn plastic_rows_hold_each_synapse_with_its_weight_and_estimate_their_bytes() {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 3);
        let a = net
            .create_neurons(300, IafPscAlphaParams::default())
            .unwrap();
        let spec = SynSpec::model("stdp_pl_synapse_hom")
            .with_delay(1.5)
            .with_random_weight(Param::Uniform { min: 1.0, max: 2.0 });
        // Multapses: 200 draws from 300 sources.
        net.connect(&a, &a, ConnRule::fixed_indegree(200), &spec)
            .unwrap();
        assert!(net.has_plastic());
        let p = net.partition(2);
        let mut all = Vec::new();
        for sh in p.shards() {
            let mut syn = ShardSynapses::build(&net, &p, sh).unwrap();
            let rows = &mut syn.projections[0];
            assert!(rows.is_plastic() && rows.count_group.is_none());
            for src in a.iter() {
                let held = rows.synapses(src);
                let mut targets: Vec<u32> = held.iter().map(|x| x.0).collect();
                targets.sort_unstable();
                assert_eq!(targets, rows.targets(src));
                assert!(held.iter().all(|x| x.1 == 15 && (1.0..2.0).contains(&x.2)));
                // Weights drawn per synapse stay exact doubles.
                assert!(held.iter().any(|x| x.2 != f64::from(x.2 as f32)));
                let w = rows.weights_mut(src).unwrap();
                w.iter_mut().for_each(|x| *x += 10.0);
                let after = rows.synapses(src);
                assert!(after.iter().zip(&held).all(|(b, a)| b.2 == a.2 + 10.0));
                all.extend(held.into_iter().map(|x| (src, p.id(sh.ranks.start + x.0))));
            }
            let est = ShardSynapses::estimate(&net, &p, sh);
            let (got, want) = (syn.bytes() as f64, est.bytes as f64);
            assert!(
                (got / want - 1.0).abs() < 0.15,
                "bytes {got} vs estimate {want}"
            );
            // About 9 bytes per synapse: the weight and an encoded target.
            let per = got / syn.len() as f64;
            assert!((9.0..10.5).contains(&per), "{per} bytes per synapse");
        }
        assert_eq!(all.len(), 300 * 200);
    }
}

#[cfg(test)]
mod pairs_tests {
    use super::*;
    use crate::SynSpec;
    use spindle_core::Resolution;
    use spindle_core::param::Param;
    use spindle_models::IafPscAlphaParams;

    /// Every (source, target, delay, weight) held, over `shards` shards.
    fn held(net: &Network, shards: usize) -> Vec<(u32, u32, Step, u64)> {
        let p = net.partition(shards);
        let mut out = Vec::new();
        for sh in p.shards() {
            let syn = ShardSynapses::build(net, &p, sh).unwrap();
            for rows in &syn.projections {
                for src in 1..=net.num_nodes() as u32 {
                    for (l, d, w) in rows.synapses(src) {
                        out.push((src, p.id(sh.ranks.start + l), d, w.to_bits()));
                    }
                }
            }
        }
        out.sort_unstable();
        out
    }

    #[test]
    fn pairs_given_are_held_as_given() {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 5);
        net.create_neurons(40, IafPscAlphaParams::default())
            .unwrap();
        // Repeated pairs and autapses included, targets in no order.
        let src: Vec<u32> = (0..300u32).map(|i| 3 + i * 7 % 31).collect();
        let tgt: Vec<u32> = (0..300u32).map(|i| 40 - i * 11 % 29).collect();
        let mut want = Vec::new();
        // A static model with three weights: one exact projection each.
        let w3: Vec<f64> = (0..300).map(|i| [0.1, -2.7, 87.8][i % 3]).collect();
        let d: Vec<f64> = (0..300).map(|i| 0.1 * (1 + i % 4) as f64).collect();
        let spec = SynSpec::model("static_synapse")
            .with_random_weight(Param::table(w3.clone()))
            .with_random_delay(Param::table(d.clone()));
        net.connect_pairs(&src, &tgt, &spec).unwrap();
        assert_eq!(net.projections().len(), 3);
        // A plastic one with a weight each: one projection, doubles.
        let wp: Vec<f64> = (0..300).map(|i| 1.0 + i as f64 / 7.0).collect();
        let spec = SynSpec::model("stdp_synapse")
            .with_delay(1.0)
            .with_random_weight(Param::table(wp.clone()));
        net.connect_pairs(&src, &tgt, &spec).unwrap();
        assert_eq!(net.projections().len(), 4);
        for i in 0..300 {
            let steps = (d[i] * 10.0).round() as Step;
            want.push((src[i], tgt[i], steps, w3[i].to_bits()));
            want.push((src[i], tgt[i], 10, wp[i].to_bits()));
        }
        want.sort_unstable();
        assert_eq!(held(&net, 1), want);
        assert_eq!(held(&net, 3), want);
        assert_eq!(net.num_connections("static_synapse").unwrap(), 300);
        assert_eq!(net.num_connections("stdp_synapse").unwrap(), 300);
    }

    #[test]
    fn many_static_weights_are_held_as_drawn_ones() {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 5);
        net.create_neurons(10, IafPscAlphaParams::default())
            .unwrap();
        let src: Vec<u32> = (0..100u32).map(|i| 1 + i % 10).collect();
        let tgt: Vec<u32> = (0..100u32).map(|i| 1 + i / 10).collect();
        let w: Vec<f64> = (0..100).map(|i| i as f64 / 3.0).collect();
        let spec = SynSpec::static_synapse(1.0, 1.0).with_random_weight(Param::table(w.clone()));
        net.connect_pairs(&src, &tgt, &spec).unwrap();
        assert_eq!(net.projections().len(), 1);
        let mut want: Vec<_> = (0..100)
            .map(|i| (src[i], tgt[i], 10, f64::from(w[i] as f32).to_bits()))
            .collect();
        want.sort_unstable();
        assert_eq!(held(&net, 2), want);
    }
}

#[cfg(test)]
mod unchanged {
    use super::*;
    use crate::{ConnRule, SynSpec};
    use spindle_core::Resolution;
    use spindle_models::{IafPscAlphaParams, Isa};

    /// FNV-1a over every (projection, source, target) stored, sorted.
    fn digest(net: &Network, shards: usize) -> u64 {
        let p = net.partition(shards);
        let mut edges = Vec::new();
        for sh in p.shards() {
            let syn = ShardSynapses::build(net, &p, sh).unwrap();
            for (pi, rows) in syn.projections.iter().enumerate() {
                for src in 1..=net.num_nodes() as NodeId {
                    for l in rows.targets(src) {
                        edges.push((pi as u64, src as u64, p.id(sh.ranks.start + l) as u64));
                    }
                }
            }
        }
        edges.sort_unstable();
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for (a, b, c) in edges {
            for x in [a, b, c] {
                h = (h ^ x).wrapping_mul(0x100_0000_01b3);
            }
        }
        h
    }

    /// The rules that existed before `for_each_connection` draw exactly
    /// the connections they drew then (the seed network's digest depends
    /// on it).
    #[test]
    fn existing_rules_draw_what_they_drew() {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 12345);
        let a = net
            .create_neurons(300, IafPscAlphaParams::default())
            .unwrap();
        let b = net
            .create_neurons(70, IafPscAlphaParams::default())
            .unwrap();
        let all = a.join(&b).unwrap();
        let s = SynSpec::static_synapse(1.0, 1.0);
        let rules = [
            (a, all, ConnRule::fixed_indegree(40)),
            (b, all, ConnRule::fixed_indegree(10).autapses(false)),
            (all, a, ConnRule::fixed_indegree(60).multapses(false)),
            (
                b,
                b,
                ConnRule::fixed_indegree(69)
                    .multapses(false)
                    .autapses(false),
            ),
            (b, all, ConnRule::all_to_all().autapses(false)),
            (a, a, ConnRule::one_to_one()),
        ];
        for (src, tgt, rule) in rules {
            net.connect(&src, &tgt, rule, &s).unwrap();
        }
        let d = digest(&net, 3);
        assert_eq!(d, digest(&net, 1));
        assert_eq!(d, 0xdd38_259c_98cd_a0b4, "digest {d:#x}");
    }

    /// With many projections a spike visits only those holding its
    /// synapses (`BySource`): the same input, to the bit, as visiting them
    /// all, on any number of shards.
    #[test]
    fn many_projections_deliver_as_visiting_all() {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 3);
        let all = net
            .create_neurons(30, IafPscAlphaParams::default())
            .unwrap();
        let part = |a: usize, n: usize| all.slice(a..a + n).unwrap();
        for k in 0..14usize {
            let (src, tgt) = (part(k * 2 % 25, 3 + k % 3), part(k * 7 % 24, 5));
            let s = SynSpec::static_synapse(0.5 + k as f64 * 0.25 - 2.0, 1.0 + (k % 4) as f64);
            net.connect(&src, &tgt, ConnRule::all_to_all(), &s).unwrap();
        }
        for shards in [1, 3] {
            let p = net.partition(shards);
            for sh in p.shards() {
                let syn = ShardSynapses::build(&net, &p, sh).unwrap();
                let b = syn.by_source.as_ref().expect("many projections");
                let mut flat = syn.clone();
                flat.by_source = None;
                let ring = || {
                    let isa = Isa::Portable;
                    InputRing::with_planes(sh.len(), 64, &syn.count_weights, &syn.plane_depths, isa)
                };
                let (mut a, mut z) = (ring(), ring());
                for (i, src) in all.iter().enumerate() {
                    let held: Vec<u32> = (0..syn.projections.len() as u32)
                        .filter(|&q| {
                            let r = &syn.projections[q as usize];
                            r.synapses > 0 && !r.targets(src).is_empty()
                        })
                        .collect();
                    assert!(held.iter().all(|q| b.of(src).contains(q)));
                    let step = (i % 5) as Step;
                    assert_eq!(
                        syn.deliver(&mut a, step, src),
                        flat.deliver(&mut z, step, src)
                    );
                }
                for step in 0..20 {
                    for l in 0..sh.len() {
                        let (x, y) = (a.take(step, l), z.take(step, l));
                        assert_eq!(
                            (x.0.to_bits(), x.1.to_bits()),
                            (y.0.to_bits(), y.1.to_bits())
                        );
                    }
                }
            }
        }
    }
}
