//! Target-indexed synapse storage.
//!
//! A shard stores the synapses onto its own neurons, one compressed row per
//! source and projection: `targets[offsets[s]..offsets[s + 1]]` are the
//! local indices of the targets of source `s`. Weight and delay are
//! homogeneous within a projection and kept once, so a synapse costs 4 bytes.

use spindle_core::{NodeId, Step};
use spindle_models::InputRing;

use crate::rules::sources_of;
use crate::{Network, Partition, ShardRange};

/// The synapses of one projection onto one shard's neurons.
#[derive(Debug, Clone)]
pub struct ProjectionRows {
    src_first: NodeId,
    offsets: Vec<u64>,
    targets: Vec<u32>,
    /// Weight [pA].
    pub weight: f64,
    /// Delay [steps].
    pub delay: Step,
    /// Index of the synapse model.
    pub synapse_model: u32,
}

impl ProjectionRows {
    /// Local indices of the targets of `source` in this shard (empty if
    /// `source` is not a source of the projection).
    #[inline]
    pub fn row(&self, source: NodeId) -> &[u32] {
        let s = source.wrapping_sub(self.src_first) as usize;
        if s + 1 >= self.offsets.len() {
            return &[];
        }
        &self.targets[self.offsets[s] as usize..self.offsets[s + 1] as usize]
    }

    /// Number of synapses.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether there are no synapses.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.offsets.len() * 8 + self.targets.len() * 4
    }
}

/// All synapses onto one shard's neurons.
#[derive(Debug, Clone, Default)]
pub struct ShardSynapses {
    /// One entry per projection of the network, in connect order.
    pub projections: Vec<ProjectionRows>,
}

impl ShardSynapses {
    /// Draw and store the synapses onto the neurons of `shard`. Sources are
    /// drawn twice with the same streams, once to count each row and once
    /// to fill it, so no list of (source, target) pairs is ever held.
    pub fn build(net: &Network, partition: &Partition, shard: &ShardRange) -> Self {
        let mut scratch = Vec::new();
        let projections = net
            .projections()
            .iter()
            .enumerate()
            .map(|(p, proj)| {
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
                let mut cursor = offsets.clone();
                let mut targets = vec![0u32; *offsets.last().unwrap_or(&0) as usize];
                each_synapse(&mut |s, local| {
                    let c = &mut cursor[(s - first) as usize];
                    targets[*c as usize] = local;
                    *c += 1;
                });
                ProjectionRows {
                    src_first: first,
                    offsets,
                    targets,
                    weight: proj.weight,
                    delay: proj.delay,
                    synapse_model: proj.synapse_model,
                }
            })
            .collect();
        Self { projections }
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
    /// projection all land in one row of the ring.
    #[inline]
    pub fn deliver(&self, ring: &mut InputRing, step: Step, source: NodeId) -> u64 {
        let mut events = 0;
        for proj in &self.projections {
            let row = proj.row(source);
            if row.is_empty() {
                continue;
            }
            let w = proj.weight;
            let slot = ring.row_mut(step + proj.delay, w);
            for &t in row {
                slot[t as usize] += w;
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
                        for &l in rows.row(src) {
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
