//! Target-indexed synapse storage.
//!
//! A shard stores the synapses onto its own neurons, one compressed row per
//! source and projection: `targets[offsets[s]..offsets[s + 1]]` are the
//! local indices of the targets of source `s`. Weight and delay are
//! homogeneous within a projection and kept once, so a synapse costs only
//! its index: 2 bytes while a shard holds at most 65,536 neurons (the seed
//! network up to order 26,000 on two threads), 4 bytes beyond.

use spindle_core::{NodeId, Step};
use spindle_models::InputRing;

use crate::rules::sources_of;
use crate::{Network, Partition, ShardRange};

/// The synapses of one projection onto one shard's neurons.
#[derive(Debug, Clone)]
pub struct ProjectionRows {
    src_first: NodeId,
    offsets: Vec<u64>,
    targets: Targets,
    /// Weight [pA].
    pub weight: f64,
    /// Delay [steps].
    pub delay: Step,
    /// Index of the synapse model.
    pub synapse_model: u32,
    /// The ring's count group this projection's events are counted in, or
    /// `None` to add the weight per event.
    pub count_group: Option<u32>,
}

/// Target indices, as narrow as the shard allows.
#[derive(Debug, Clone)]
enum Targets {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

/// The targets of one source: local indices in the shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row<'a> {
    /// 16-bit indices.
    Narrow(&'a [u16]),
    /// 32-bit indices.
    Wide(&'a [u32]),
}

impl Row<'_> {
    /// Number of targets.
    pub fn len(&self) -> usize {
        match self {
            Self::Narrow(r) => r.len(),
            Self::Wide(r) => r.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The local indices.
    pub fn to_vec(&self) -> Vec<u32> {
        match self {
            Self::Narrow(r) => r.iter().map(|&t| u32::from(t)).collect(),
            Self::Wide(r) => r.to_vec(),
        }
    }
}

/// Write one event per target: count it, or add the weight.
#[inline(always)]
fn scatter<T: Index>(row: &[T], cells: &mut Cells<'_>) {
    match cells {
        Cells::Count(c) => {
            for &t in row {
                c[t.index()] += 1;
            }
        }
        Cells::Weight(c, w) => {
            for &t in row {
                c[t.index()] += *w;
            }
        }
    }
}

/// A stored target index.
trait Index: Copy + Default {
    fn index(self) -> usize;
    /// From a local index known to fit.
    fn from_local(local: u32) -> Self;
}

impl Index for u16 {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }

    #[inline(always)]
    fn from_local(local: u32) -> Self {
        local as u16
    }
}

impl Index for u32 {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }

    #[inline(always)]
    fn from_local(local: u32) -> Self {
        local
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
        match &self.targets {
            Targets::Narrow(t) => Row::Narrow(&t[lo..hi]),
            Targets::Wide(t) => Row::Wide(&t[lo..hi]),
        }
    }

    /// Number of synapses.
    pub fn len(&self) -> usize {
        match &self.targets {
            Targets::Narrow(t) => t.len(),
            Targets::Wide(t) => t.len(),
        }
    }

    /// Whether there are no synapses.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        let per = match &self.targets {
            Targets::Narrow(_) => 2,
            Targets::Wide(_) => 4,
        };
        self.offsets.len() * 8 + self.len() * per
    }
}

/// Calls its argument with (source, local target) for every synapse.
type EachSynapse<'a> = dyn FnMut(&mut dyn FnMut(NodeId, u32)) + 'a;

/// Place each synapse at its source's cursor.
fn fill<T: Index>(offsets: &[u64], first: NodeId, each_synapse: &mut EachSynapse<'_>) -> Vec<T> {
    let mut cursor = offsets.to_vec();
    let mut targets = vec![T::default(); *offsets.last().unwrap_or(&0) as usize];
    each_synapse(&mut |s, local| {
        let c = &mut cursor[(s - first) as usize];
        targets[*c as usize] = T::from_local(local);
        *c += 1;
    });
    targets
}

/// All synapses onto one shard's neurons.
#[derive(Debug, Clone, Default)]
pub struct ShardSynapses {
    /// One entry per projection of the network, in connect order.
    pub projections: Vec<ProjectionRows>,
    /// Weight of each count group (the input ring needs one per entry).
    pub count_weights: Vec<f64>,
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
                let mut offsets = vec![0u64; proj.sources.len() + 1];
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
                each_synapse(&mut |s, _| offsets[(s - first) as usize + 1] += 1);
                for i in 1..offsets.len() {
                    offsets[i] += offsets[i - 1];
                }
                let targets = if shard.len() <= 1 << 16 {
                    Targets::Narrow(fill(&offsets, first, &mut each_synapse))
                } else {
                    Targets::Wide(fill(&offsets, first, &mut each_synapse))
                };
                ProjectionRows {
                    src_first: first,
                    offsets,
                    targets,
                    weight: proj.weight,
                    delay: proj.delay,
                    synapse_model: proj.synapse_model,
                    count_group: groups[p],
                }
            })
            .collect();
        Self {
            projections,
            count_weights,
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

    /// Write a spike that `source` emitted in step `step` into `ring`, at
    /// `step + delay` of each projection, for every target in this shard.
    /// Returns the synaptic events written. The targets of one source and
    /// projection all land in one row of the ring. `ring` must have been
    /// made with `InputRing::with_counts(.., &self.count_weights)`.
    #[inline]
    pub fn deliver(&self, ring: &mut InputRing, step: Step, source: NodeId) -> u64 {
        let mut events = 0;
        for proj in &self.projections {
            let row = proj.row(source);
            if row.is_empty() {
                continue;
            }
            let arrival = step + proj.delay;
            let mut cells = match proj.count_group {
                Some(g) => Cells::Count(ring.count_row_mut(g as usize, arrival)),
                None => Cells::Weight(ring.row_mut(arrival, proj.weight), proj.weight),
            };
            match row {
                Row::Narrow(r) => scatter(r, &mut cells),
                Row::Wide(r) => scatter(r, &mut cells),
            }
            events += row.len() as u64;
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
                        for l in rows.row(src).to_vec() {
                            edges.push((pi, src, p.id(sh.ranks.start + l)));
                        }
                    }
                }
            }
            edges.sort();
            edges
        };
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
