//! Which shard owns which neuron: the partition of the neurons into
//! contiguous blocks, one per shard (NEST's virtual processes).

use spindle_core::NodeId;

use crate::{NodeCollection, NodeKind};

/// The neurons of one shard: ranks `ranks` among all neurons in id order;
/// local index = rank - `ranks.start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardRange {
    /// Shard number.
    pub index: usize,
    /// Neuron ranks owned.
    pub ranks: std::ops::Range<u32>,
}

impl ShardRange {
    /// Number of neurons.
    pub fn len(&self) -> usize {
        (self.ranks.end - self.ranks.start) as usize
    }

    /// Whether the shard owns no neuron.
    pub fn is_empty(&self) -> bool {
        self.ranks.is_empty()
    }
}

/// Which shard owns which neuron. Neurons are numbered by rank (their
/// position among neurons in id order) and split into contiguous blocks,
/// so each shard's neurons are consecutive and ascending in id.
#[derive(Debug, Clone)]
pub struct Partition {
    shards: Vec<ShardRange>,
    /// Each population and the rank of its first neuron, in id order.
    runs: Vec<(NodeCollection, u32)>,
}

impl Partition {
    pub(crate) fn new(nodes: &[(NodeCollection, NodeKind)], shards: usize) -> Self {
        assert!(shards > 0);
        let runs = Self::runs(nodes);
        let n = runs
            .last()
            .map_or(0, |(c, r)| u64::from(*r) + c.len() as u64);
        let shards = (0..shards)
            .map(|s| ShardRange {
                index: s,
                ranks: (n * s as u64 / shards as u64) as u32
                    ..(n * (s as u64 + 1) / shards as u64) as u32,
            })
            .collect();
        Self { shards, runs }
    }

    /// As [`new`](Self::new), the blocks of nearly equal total `cost`
    /// (one value per neuron, in rank order, none negative) instead of
    /// equal size: block `s` holds the neurons up to the last one whose
    /// running cost stays within `s + 1` shares of the total (equal costs
    /// give the blocks of `new`).
    pub(crate) fn by_cost(
        nodes: &[(NodeCollection, NodeKind)],
        shards: usize,
        cost: &[f64],
    ) -> Self {
        assert!(shards > 0);
        let runs = Self::runs(nodes);
        let n = runs.last().map_or(0, |(c, r)| *r as usize + c.len());
        assert_eq!(cost.len(), n, "a cost per neuron");
        let total: f64 = cost.iter().sum();
        let mut ends = Vec::with_capacity(shards);
        let (mut sum, mut rank) = (0.0, 0);
        for s in 1..shards {
            let share = total * s as f64 / shards as f64;
            while rank < n && sum + cost[rank] <= share {
                sum += cost[rank];
                rank += 1;
            }
            ends.push(rank as u32);
        }
        ends.push(n as u32);
        let mut start = 0;
        let shards = ends
            .into_iter()
            .enumerate()
            .map(|(index, end)| {
                let ranks = start..end;
                start = end;
                ShardRange { index, ranks }
            })
            .collect();
        Self { shards, runs }
    }

    /// Each neuron population and the rank of its first neuron.
    fn runs(nodes: &[(NodeCollection, NodeKind)]) -> Vec<(NodeCollection, u32)> {
        let mut runs = Vec::new();
        let mut n = 0u64;
        for (c, kind) in nodes {
            if kind.is_neuron() {
                runs.push((*c, n as u32));
                n += c.len() as u64;
            }
        }
        runs
    }

    /// The shards.
    pub fn shards(&self) -> &[ShardRange] {
        &self.shards
    }

    /// Rank of neuron `id` (`None` for devices).
    pub fn rank(&self, id: NodeId) -> Option<u32> {
        let i = self.runs.partition_point(|(c, _)| c.first() <= id);
        let (c, first_rank) = self.runs.get(i.checked_sub(1)?)?;
        c.position(id).map(|p| first_rank + p as u32)
    }

    /// Node id of the neuron with rank `rank`.
    pub fn id(&self, rank: u32) -> NodeId {
        let i = self.runs.partition_point(|&(_, r)| r <= rank) - 1;
        let (c, first_rank) = self.runs[i];
        c.get((rank - first_rank) as usize)
    }

    /// Neurons with an id below `id`.
    fn ranks_below(&self, id: NodeId) -> u32 {
        let i = self.runs.partition_point(|(c, _)| c.first() < id);
        match i.checked_sub(1) {
            None => 0,
            Some(i) => {
                let (c, first_rank) = self.runs[i];
                first_rank + (id - c.first()).min(c.len() as u32)
            }
        }
    }

    /// How many of the ids in `nodes` `shard` owns (what [`owned`]
    /// yields, counted without walking them).
    ///
    /// [`owned`]: Self::owned
    pub fn owned_len(&self, shard: &ShardRange, nodes: &NodeCollection) -> usize {
        let lo = self.ranks_below(nodes.first()).max(shard.ranks.start);
        let hi = self
            .ranks_below(nodes.first().saturating_add(nodes.len() as NodeId))
            .min(shard.ranks.end);
        hi.saturating_sub(lo) as usize
    }

    /// The part of `nodes` that `shard` owns, as a collection (empty where
    /// it owns none): ids ascend with rank, so it is contiguous wherever
    /// `nodes` holds neurons only.
    pub fn owned_part(&self, shard: &ShardRange, nodes: &NodeCollection) -> NodeCollection {
        let lo = self.ranks_below(nodes.first()).max(shard.ranks.start);
        let len = self.owned_len(shard, nodes);
        if len == 0 {
            return NodeCollection::new(nodes.first(), 0);
        }
        NodeCollection::new(self.id(lo), len as u32)
    }

    /// Each shard that owns some of `nodes`, with how many it owns, in
    /// shard order (a binary search, then the shards concerned).
    pub fn shares<'a>(
        &'a self,
        nodes: &NodeCollection,
    ) -> impl Iterator<Item = (&'a ShardRange, usize)> + 'a {
        let lo = self.ranks_below(nodes.first());
        let hi = self.ranks_below(nodes.first().saturating_add(nodes.len() as NodeId));
        let first = self.shards.partition_point(|sh| sh.ranks.end <= lo);
        self.shards[first..]
            .iter()
            .take_while(move |sh| sh.ranks.start < hi)
            .map(move |sh| (sh, (hi.min(sh.ranks.end) - lo.max(sh.ranks.start)) as usize))
            .filter(|&(_, n)| n > 0)
    }

    /// The shard owning `id` and its local index there.
    pub fn locate(&self, id: NodeId) -> Option<(usize, u32)> {
        let rank = self.rank(id)?;
        let s = self.shards.partition_point(|sh| sh.ranks.end <= rank);
        Some((s, rank - self.shards[s].ranks.start))
    }

    /// The ids in `nodes` owned by `shard`, with local indices, ascending.
    pub fn owned<'a>(
        &'a self,
        shard: &'a ShardRange,
        nodes: &'a NodeCollection,
    ) -> impl Iterator<Item = (NodeId, u32)> + 'a {
        // Neuron ids ascend with rank, so the owned part of a contiguous
        // collection is a contiguous range of ranks.
        let lo = self.ranks_below(nodes.first()).max(shard.ranks.start);
        let hi = self
            .ranks_below(nodes.first() + nodes.len() as NodeId)
            .min(shard.ranks.end)
            .max(lo);
        (lo..hi).map(move |r| (self.id(r), r - shard.ranks.start))
    }
}

#[cfg(test)]
mod tests {
    use super::Partition;
    use crate::Network;
    use spindle_core::Resolution;
    use spindle_models::IafPscAlphaParams;
    use spindle_models::devices::PoissonGeneratorParams;

    #[test]
    fn partition_is_contiguous_and_skips_devices() {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 1);
        for n in [8, 2] {
            net.create_neurons(n, IafPscAlphaParams::default()).unwrap();
        }
        net.create_poisson_generator(PoissonGeneratorParams::with_rate(1.0))
            .unwrap();
        let late = net.create_neurons(2, IafPscAlphaParams::default()).unwrap();
        let p = net.partition(3);
        let sizes: Vec<usize> = p.shards().iter().map(|s| s.len()).collect();
        assert_eq!(sizes, vec![4, 4, 4]);
        assert_eq!(p.rank(11), None);
        assert_eq!(p.locate(12), Some((2, 2)));
        assert_eq!(p.locate(1), Some((0, 0)));
        let owned: Vec<_> = p.owned(&p.shards()[2], &late).collect();
        assert_eq!(owned, vec![(12, 2), (13, 3)]);
    }

    #[test]
    fn blocks_by_cost_hold_equal_shares() {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 1);
        net.create_neurons(12, IafPscAlphaParams::default())
            .unwrap();
        let nodes = &net.nodes;
        // The first four neurons cost three times as much as the others.
        let cost: Vec<f64> = (0..12).map(|r| if r < 4 { 3.0 } else { 1.0 }).collect();
        let p = Partition::by_cost(nodes, 2, &cost);
        let ranks: Vec<_> = p.shards().iter().map(|s| s.ranks.clone()).collect();
        assert_eq!(ranks, vec![0..3, 3..12]);
        let p = Partition::by_cost(nodes, 4, &cost);
        let sizes: Vec<usize> = p.shards().iter().map(|s| s.len()).collect();
        assert_eq!(sizes, vec![1, 2, 4, 5]);
        // Equal costs: the blocks of `new`.
        let p = Partition::by_cost(nodes, 5, &[1.0; 12]);
        let q = Partition::new(nodes, 5);
        assert_eq!(p.shards(), q.shards());
    }
}
