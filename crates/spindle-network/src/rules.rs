//! Connection rules, as NEST's `conn_builder.cpp` defines them.
//!
//! Every rule draws from streams keyed by what they serve (see
//! `spindle_core::rng`), never by the shard that draws, so the network
//! drawn does not depend on how targets are split over shards:
//!
//! - target-driven rules (`fixed_indegree`, `pairwise_bernoulli`,
//!   `fixed_total_number`) draw the sources of each target from the stream
//!   keyed by (projection, target);
//! - `fixed_total_number` first splits its `N` connections over the
//!   targets, by binomial halvings of target ranges whose streams are keyed
//!   by (projection, range), so a shard finds its own targets' counts
//!   without walking the others';
//! - the source-driven `fixed_outdegree` draws the targets of each source
//!   from the stream keyed by (projection, source); every shard draws every
//!   source's targets and keeps those it owns.
//!
//! Connections given pair by pair ([`Pairs`]) are no rule: they are kept
//! as given, grouped by target.
//!
//! [`for_each_connection`] yields one shard's connections of a projection.

use std::sync::Arc;

use spindle_core::NodeId;
use spindle_core::rng::{Purpose, Stream, below, binomial, stream, unit};

use crate::NodeCollection;

/// Which way a `symmetric_pairwise_bernoulli` projection runs: `key` is
/// the forward projection's index (whose streams both use), `transposed`
/// marks the reverse one (targets to sources).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Symmetric {
    /// The forward projection's index.
    pub key: u32,
    /// The reverse projection.
    pub transposed: bool,
}

/// How sources are paired with targets.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnRule {
    /// Every source to every target (NEST's default rule).
    AllToAll {
        /// Whether a neuron may connect to itself (NEST default: true).
        allow_autapses: bool,
    },
    /// The i-th source to the i-th target.
    OneToOne {
        /// Whether a neuron may connect to itself (NEST default: true).
        allow_autapses: bool,
    },
    /// Each target gets exactly `indegree` sources drawn uniformly.
    FixedIndegree {
        /// Sources per target.
        indegree: u32,
        /// Whether a neuron may connect to itself (NEST default: true).
        allow_autapses: bool,
        /// Whether a pair may be connected more than once (NEST default: true).
        allow_multapses: bool,
    },
    /// Exactly `n` connections in all, each pair drawn uniformly among
    /// the (allowed) source-target pairs, with repetition (NEST's
    /// `fixed_total_number`; NEST 3.10 cannot suppress its multapses).
    FixedTotalNumber {
        /// Connections in all (NEST's `N`).
        n: u64,
        /// Whether a neuron may connect to itself (NEST default: true).
        allow_autapses: bool,
        /// Must be true, as in NEST 3.10 (NEST default: true).
        allow_multapses: bool,
    },
    /// Each pair connected independently with probability `p` (NEST's
    /// `pairwise_bernoulli`; it never makes multapses).
    PairwiseBernoulli {
        /// Connection probability, in `[0, 1]`.
        p: f64,
        /// Whether a neuron may connect to itself (NEST default: true).
        allow_autapses: bool,
        /// Accepted either way and without effect, as in NEST.
        allow_multapses: bool,
        /// NEST's `symmetric_pairwise_bernoulli`: each pair's draw made
        /// once for both directions.
        symmetric: Option<Symmetric>,
    },
    /// Each pair connected a Poisson-distributed number of times, with
    /// mean `mean` (NEST's `pairwise_poisson`, `pairwise_avg_num_conns`).
    PairwisePoisson {
        /// Mean number of connections per pair, `>= 0`.
        mean: f64,
        /// Whether a neuron may connect to itself (NEST default: true).
        allow_autapses: bool,
        /// Must be true, as in NEST (NEST default: true).
        allow_multapses: bool,
    },
    /// Each source gets exactly `outdegree` targets drawn uniformly.
    FixedOutdegree {
        /// Targets per source.
        outdegree: u32,
        /// Whether a neuron may connect to itself (NEST default: true).
        allow_autapses: bool,
        /// Whether a pair may be connected more than once (NEST default: true).
        allow_multapses: bool,
    },
    /// The pairs given (NEST's `Connect` of two arrays of node ids with
    /// `one_to_one`).
    Explicit(Arc<Pairs>),
}

/// Connections given pair by pair, grouped by target: each target's
/// sources in the order given, with each connection's position in the
/// given arrays (where values given per connection are read).
#[derive(Clone, PartialEq, Eq)]
pub struct Pairs {
    sources: NodeCollection,
    targets: NodeCollection,
    /// Target `t`'s connections are `offsets[t - first]..offsets[t - first + 1]`.
    offsets: Vec<usize>,
    from: Vec<NodeId>,
    positions: Vec<u32>,
    max_indegree: u64,
}

impl std::fmt::Debug for Pairs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pairs({} connections)", self.from.len())
    }
}

impl Pairs {
    /// `sources[i] -> targets[i]` for every `i`; `None` unless both are as
    /// long, not empty, shorter than 2^32 and hold valid ids (from 1).
    pub fn new(sources: &[NodeId], targets: &[NodeId]) -> Option<Self> {
        if sources.len() != targets.len() || u32::try_from(sources.len()).is_err() {
            return None;
        }
        let span = |ids: &[NodeId]| {
            let lo = *ids.iter().min()?;
            let hi = *ids.iter().max()?;
            NodeCollection::from_range(lo, hi - lo + 1)
        };
        let (src, tgt) = (span(sources)?, span(targets)?);
        // A counting sort by target, stable: each target's sources stay in
        // the order given.
        let first = tgt.first();
        let mut offsets = vec![0usize; tgt.len() + 1];
        for &t in targets {
            offsets[(t - first) as usize + 1] += 1;
        }
        let max_indegree = offsets.iter().copied().max().unwrap_or(0) as u64;
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut next = offsets.clone();
        let mut from = vec![0; sources.len()];
        let mut positions = vec![0; sources.len()];
        for (i, (&s, &t)) in sources.iter().zip(targets).enumerate() {
            let k = &mut next[(t - first) as usize];
            from[*k] = s;
            positions[*k] = i as u32;
            *k += 1;
        }
        Some(Self {
            sources: src,
            targets: tgt,
            offsets,
            from,
            positions,
            max_indegree,
        })
    }

    /// Number of connections.
    pub fn len(&self) -> usize {
        self.from.len()
    }

    /// Whether there are none (never, as made).
    pub fn is_empty(&self) -> bool {
        self.from.is_empty()
    }

    /// The ids from the lowest source to the highest.
    pub fn sources(&self) -> NodeCollection {
        self.sources
    }

    /// The ids from the lowest target to the highest.
    pub fn targets(&self) -> NodeCollection {
        self.targets
    }

    /// Target `target`'s connections: (source, position given), in the
    /// order given.
    pub(crate) fn onto(&self, target: NodeId) -> impl Iterator<Item = (NodeId, u32)> + '_ {
        let range = match self.targets.position(target) {
            Some(i) => self.offsets[i]..self.offsets[i + 1],
            None => 0..0,
        };
        self.from[range.clone()]
            .iter()
            .copied()
            .zip(self.positions[range].iter().copied())
    }

    /// Connections onto the targets of `part`.
    fn count_onto(&self, part: &NodeCollection) -> u64 {
        part.iter()
            .filter_map(|t| self.targets.position(t))
            .map(|i| (self.offsets[i + 1] - self.offsets[i]) as u64)
            .sum()
    }
}

/// What drawing a whole projection gives, known at `connect`: its number
/// of connections (exact) and the most connections any one target gets
/// (a bound on the events one source step can bring it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Connections made.
    pub connections: u64,
    /// A bound on any target's in-degree (multapses counted).
    pub max_indegree: u64,
}

/// One connection, as [`for_each_connection`] yields it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conn {
    /// The node whose stream drew the connection: the target for
    /// target-driven rules, the source for `fixed_outdegree`.
    pub driver: NodeId,
    /// The presynaptic node.
    pub source: NodeId,
    /// The target's local index in the shard, or `None` where the shard
    /// does not own the target (source-driven rules only).
    pub local: Option<u32>,
    /// The connection's position among pairs given ([`ConnRule::Explicit`]),
    /// where values given per connection are read; 0 for drawn rules.
    pub position: u32,
}

impl ConnRule {
    /// `{"rule": "all_to_all"}`.
    pub fn all_to_all() -> Self {
        Self::AllToAll {
            allow_autapses: true,
        }
    }

    /// `{"rule": "one_to_one"}`.
    pub fn one_to_one() -> Self {
        Self::OneToOne {
            allow_autapses: true,
        }
    }

    /// `{"rule": "fixed_indegree", "indegree": k}`.
    pub fn fixed_indegree(indegree: u32) -> Self {
        Self::FixedIndegree {
            indegree,
            allow_autapses: true,
            allow_multapses: true,
        }
    }

    /// `{"rule": "fixed_total_number", "N": n}`.
    pub fn fixed_total_number(n: u64) -> Self {
        Self::FixedTotalNumber {
            n,
            allow_autapses: true,
            allow_multapses: true,
        }
    }

    /// `{"rule": "pairwise_bernoulli", "p": p}`.
    pub fn pairwise_bernoulli(p: f64) -> Self {
        Self::PairwiseBernoulli {
            p,
            allow_autapses: true,
            allow_multapses: true,
            symmetric: None,
        }
    }

    /// `{"rule": "symmetric_pairwise_bernoulli", "p": p, "allow_autapses":
    /// False, "make_symmetric": True}`: each pair (s, t) connected with
    /// probability `p` both ways, s to t and t to s (`Network::connect`
    /// makes the second projection).
    pub fn symmetric_pairwise_bernoulli(p: f64) -> Self {
        Self::PairwiseBernoulli {
            p,
            allow_autapses: false,
            allow_multapses: true,
            symmetric: Some(Symmetric {
                key: 0,
                transposed: false,
            }),
        }
    }

    /// `{"rule": "pairwise_poisson", "pairwise_avg_num_conns": mean}`.
    pub fn pairwise_poisson(mean: f64) -> Self {
        Self::PairwisePoisson {
            mean,
            allow_autapses: true,
            allow_multapses: true,
        }
    }

    /// `{"rule": "fixed_outdegree", "outdegree": k}`.
    pub fn fixed_outdegree(outdegree: u32) -> Self {
        Self::FixedOutdegree {
            outdegree,
            allow_autapses: true,
            allow_multapses: true,
        }
    }

    /// Set `allow_autapses`.
    pub fn autapses(mut self, allow: bool) -> Self {
        match &mut self {
            Self::AllToAll { allow_autapses }
            | Self::OneToOne { allow_autapses }
            | Self::FixedIndegree { allow_autapses, .. }
            | Self::FixedTotalNumber { allow_autapses, .. }
            | Self::PairwiseBernoulli { allow_autapses, .. }
            | Self::PairwisePoisson { allow_autapses, .. }
            | Self::FixedOutdegree { allow_autapses, .. } => *allow_autapses = allow,
            Self::Explicit(_) => {}
        }
        self
    }

    /// Set `allow_multapses` (`all_to_all` and `one_to_one` have none to
    /// allow).
    pub fn multapses(mut self, allow: bool) -> Self {
        match &mut self {
            Self::AllToAll { .. } | Self::OneToOne { .. } | Self::Explicit(_) => {}
            Self::FixedIndegree {
                allow_multapses, ..
            }
            | Self::FixedTotalNumber {
                allow_multapses, ..
            }
            | Self::PairwiseBernoulli {
                allow_multapses, ..
            }
            | Self::PairwisePoisson {
                allow_multapses, ..
            }
            | Self::FixedOutdegree {
                allow_multapses, ..
            } => *allow_multapses = allow,
        }
        self
    }

    /// NEST's rule name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::AllToAll { .. } => "all_to_all",
            Self::OneToOne { .. } => "one_to_one",
            Self::FixedIndegree { .. } => "fixed_indegree",
            Self::FixedTotalNumber { .. } => "fixed_total_number",
            Self::PairwiseBernoulli {
                symmetric: Some(_), ..
            } => "symmetric_pairwise_bernoulli",
            Self::PairwiseBernoulli { .. } => "pairwise_bernoulli",
            Self::PairwisePoisson { .. } => "pairwise_poisson",
            Self::FixedOutdegree { .. } => "fixed_outdegree",
            Self::Explicit(_) => "one_to_one",
        }
    }

    fn allow_autapses(&self) -> bool {
        match *self {
            Self::AllToAll { allow_autapses }
            | Self::OneToOne { allow_autapses }
            | Self::FixedIndegree { allow_autapses, .. }
            | Self::FixedTotalNumber { allow_autapses, .. }
            | Self::PairwiseBernoulli { allow_autapses, .. }
            | Self::PairwisePoisson { allow_autapses, .. }
            | Self::FixedOutdegree { allow_autapses, .. } => allow_autapses,
            Self::Explicit(_) => true,
        }
    }

    /// The most connections one target can get from this rule, from the
    /// sizes alone: a bound on the events one source step can bring it.
    /// For the drawn rules ([`totals`] gives the drawn maximum) it is the
    /// worst case.
    pub fn max_per_target(&self, sources: &NodeCollection) -> u64 {
        let n = sources.len() as u64;
        match *self {
            Self::Explicit(ref pairs) => pairs.max_indegree,
            Self::AllToAll { .. } | Self::PairwiseBernoulli { .. } => n,
            Self::OneToOne { .. } => 1,
            Self::FixedIndegree { indegree, .. } => indegree as u64,
            Self::FixedTotalNumber { n: total, .. } => total,
            // Unbounded in principle; totals() gives the drawn maximum.
            Self::PairwisePoisson { .. } => u64::MAX,
            Self::FixedOutdegree {
                outdegree,
                allow_multapses,
                ..
            } => {
                if allow_multapses {
                    n.saturating_mul(outdegree as u64)
                } else {
                    n.min(n.saturating_mul(outdegree as u64))
                }
            }
        }
    }

    /// Number of connections the rule makes between `sources` and
    /// `targets`: exact for every rule but `pairwise_bernoulli`, whose
    /// number is drawn; for it, the expected number ([`totals`] gives the
    /// drawn one).
    pub fn count(&self, sources: &NodeCollection, targets: &NodeCollection) -> u64 {
        match *self {
            Self::AllToAll { allow_autapses } => {
                let all = sources.len() as u64 * targets.len() as u64;
                if allow_autapses {
                    all
                } else {
                    all - sources.overlap(targets) as u64
                }
            }
            Self::OneToOne { allow_autapses } => {
                if allow_autapses || sources.first() != targets.first() {
                    targets.len() as u64
                } else {
                    0
                }
            }
            Self::FixedIndegree { indegree, .. } => indegree as u64 * targets.len() as u64,
            Self::FixedTotalNumber { n, .. } => n,
            Self::PairwiseBernoulli { p, .. } => {
                (p * allowed_pairs(self, sources, targets) as f64).round() as u64
            }
            Self::PairwisePoisson { mean, .. } => {
                (mean * allowed_pairs(self, sources, targets) as f64).round() as u64
            }
            Self::FixedOutdegree { outdegree, .. } => outdegree as u64 * sources.len() as u64,
            Self::Explicit(ref pairs) => pairs.len() as u64,
        }
    }

    /// Number of connections the rule makes onto `part`, a contiguous part
    /// of `targets` (a shard's share of them): exact for `all_to_all`,
    /// `one_to_one` and `fixed_indegree`; for the drawn rules the expected
    /// number (it only feeds the memory estimate).
    pub fn count_onto(
        &self,
        sources: &NodeCollection,
        targets: &NodeCollection,
        part: &NodeCollection,
    ) -> u64 {
        match *self {
            Self::Explicit(ref pairs) => pairs.count_onto(part),
            Self::OneToOne { allow_autapses } => {
                // Same-length contiguous collections pair i with i: either
                // every pair is an autapse or none is.
                if allow_autapses || sources.first() != targets.first() {
                    part.len() as u64
                } else {
                    0
                }
            }
            Self::FixedTotalNumber { n, .. } => {
                let all = allowed_pairs(self, sources, targets);
                if all == 0 {
                    return 0;
                }
                let mine = allowed_pairs(self, sources, part);
                (n as f64 * mine as f64 / all as f64).round() as u64
            }
            Self::FixedOutdegree { outdegree, .. } => {
                // Each source's targets are uniform over the targets (but
                // itself where autapses are disallowed).
                (outdegree as f64 * sources.len() as f64 * part.len() as f64
                    / targets.len().max(1) as f64)
                    .round() as u64
            }
            _ => self.count(sources, part),
        }
    }

    /// Whether the rule can connect a pair more than once.
    pub fn can_make_multapses(&self) -> bool {
        match *self {
            Self::FixedIndegree {
                indegree,
                allow_multapses,
                ..
            } => allow_multapses && indegree > 1,
            Self::FixedOutdegree {
                outdegree,
                allow_multapses,
                ..
            } => allow_multapses && outdegree > 1,
            Self::FixedTotalNumber { n, .. } => n > 1,
            Self::PairwisePoisson { mean, .. } => mean > 0.0,
            Self::Explicit(_) => true,
            _ => false,
        }
    }

    /// Whether the rule's totals depend on the seed (they are drawn).
    pub fn is_drawn(&self) -> bool {
        matches!(
            self,
            Self::FixedTotalNumber { .. }
                | Self::PairwiseBernoulli { .. }
                | Self::PairwisePoisson { .. }
                | Self::FixedOutdegree { .. }
        )
    }
}

/// Source-target pairs the rule may connect: all of them, less the
/// autapses where they are disallowed.
fn allowed_pairs(rule: &ConnRule, sources: &NodeCollection, targets: &NodeCollection) -> u64 {
    let all = sources.len() as u64 * targets.len() as u64;
    if rule.allow_autapses() {
        all
    } else {
        all - sources.overlap(targets) as u64
    }
}

/// The totals of projection `projection` under `rule` with master seed
/// `seed`. Rules whose totals are known from the sizes cost nothing; the
/// others draw the whole projection (`pairwise_bernoulli`: every target's
/// sources; `fixed_total_number`: every target's count; `fixed_outdegree`:
/// every source's targets), as NEST draws it at `Connect`.
pub fn totals(
    rule: &ConnRule,
    seed: u64,
    projection: u32,
    sources: &NodeCollection,
    targets: &NodeCollection,
) -> Totals {
    match *rule {
        ConnRule::AllToAll { .. }
        | ConnRule::OneToOne { .. }
        | ConnRule::FixedIndegree { .. }
        | ConnRule::Explicit(_) => Totals {
            connections: rule.count(sources, targets),
            max_indegree: rule.max_per_target(sources),
        },
        ConnRule::FixedTotalNumber { n, .. } => {
            let mut max = 0;
            total_split(
                rule,
                seed,
                projection,
                sources,
                targets,
                n,
                0..targets.len(),
                |_, c| max = max.max(c),
            );
            Totals {
                connections: n,
                max_indegree: max,
            }
        }
        ConnRule::PairwiseBernoulli { .. } | ConnRule::PairwisePoisson { .. } => {
            let (mut connections, mut max) = (0, 0);
            for target in targets.iter() {
                let mut made = 0;
                sources_of(
                    rule,
                    seed,
                    projection,
                    sources,
                    targets,
                    target,
                    &mut Vec::new(),
                    |_| made += 1,
                );
                connections += made;
                max = max.max(made);
            }
            Totals {
                connections,
                max_indegree: max,
            }
        }
        ConnRule::FixedOutdegree { outdegree, .. } => {
            let mut indegree = vec![0u32; targets.len()];
            let mut marks = Marks::new(Vec::new(), targets);
            for source in sources.iter() {
                targets_of(rule, seed, projection, targets, source, &mut marks, |i| {
                    indegree[i] = indegree[i].saturating_add(1)
                });
            }
            Totals {
                connections: outdegree as u64 * sources.len() as u64,
                max_indegree: indegree.iter().copied().max().unwrap_or(0) as u64,
            }
        }
    }
}

/// Calls `emit` with every connection of projection `projection` (under
/// `rule`, master seed `seed`) whose target is among `owned` (a shard's
/// targets of the projection with their local indices, ascending by id, as
/// `Partition::owned` lists them), in an order that does not depend on the
/// shard: grouped by [`Conn::driver`], drivers ascending, each driver's
/// connections in the order its stream drew them.
///
/// Target-driven rules visit the owned targets only (`driver` = target,
/// `local` = `Some`). The source-driven `fixed_outdegree` draws every
/// source's targets (`driver` = source) and also yields those onto targets
/// the shard does not own, with `local` = `None`, so that anything drawn
/// per connection from the driver's stream stays in step on every shard;
/// where `owned` is empty it yields nothing. `scratch` is reusable working
/// memory.
#[allow(clippy::too_many_arguments)]
pub fn for_each_connection(
    rule: &ConnRule,
    seed: u64,
    projection: u32,
    sources: &NodeCollection,
    targets: &NodeCollection,
    owned: &[(NodeId, u32)],
    scratch: &mut Vec<u64>,
    mut emit: impl FnMut(Conn),
) {
    debug_assert!(owned.windows(2).all(|w| w[0].0 < w[1].0));
    let (Some(&(first, first_local)), Some(&(last, _))) = (owned.first(), owned.last()) else {
        return;
    };
    match *rule {
        ConnRule::FixedTotalNumber { n, .. } => {
            // The counts of the owned targets' span of positions.
            let lo = targets.position(first).expect("an owned target");
            let hi = targets.position(last).expect("an owned target") + 1;
            let mut counts = vec![0u64; hi - lo];
            total_split(
                rule,
                seed,
                projection,
                sources,
                targets,
                n,
                lo..hi,
                |i, c| counts[i - lo] = c,
            );
            for &(target, local) in owned {
                let count = counts[targets.position(target).expect("owned") - lo];
                let mut rng = stream(seed, Purpose::Connect, projection as u64, target as u64);
                draw_with_multapses(
                    &mut rng,
                    sources,
                    target,
                    rule.allow_autapses(),
                    count,
                    |s| {
                        emit(Conn {
                            driver: target,
                            source: s,
                            local: Some(local),
                            position: 0,
                        })
                    },
                );
            }
        }
        ConnRule::Explicit(ref pairs) => {
            for &(target, local) in owned {
                for (source, position) in pairs.onto(target) {
                    emit(Conn {
                        driver: target,
                        source,
                        local: Some(local),
                        position,
                    });
                }
            }
        }
        ConnRule::FixedOutdegree { .. } => {
            // Owned targets are consecutive in id and local index wherever
            // the targets are neurons of one collection; look others up.
            let span = (last - first) as usize + 1;
            let contiguous = span == owned.len()
                && owned.last().map(|o| o.1) == Some(first_local + span as u32 - 1);
            let local_of = |t: NodeId| -> Option<u32> {
                if contiguous {
                    (first..=last)
                        .contains(&t)
                        .then(|| first_local + (t - first))
                } else {
                    owned
                        .binary_search_by_key(&t, |o| o.0)
                        .ok()
                        .map(|i| owned[i].1)
                }
            };
            let mut marks = Marks::new(std::mem::take(scratch), targets);
            for source in sources.iter() {
                targets_of(rule, seed, projection, targets, source, &mut marks, |i| {
                    emit(Conn {
                        driver: source,
                        source,
                        local: local_of(targets.get(i)),
                        position: 0,
                    })
                });
            }
            *scratch = marks.words;
        }
        _ => {
            for &(target, local) in owned {
                sources_of(
                    rule,
                    seed,
                    projection,
                    sources,
                    targets,
                    target,
                    scratch,
                    |s| {
                        emit(Conn {
                            driver: target,
                            source: s,
                            local: Some(local),
                            position: 0,
                        })
                    },
                );
            }
        }
    }
}

/// `count` sources for `target` drawn uniformly with repetition from
/// `rng`, redrawing autapses where they are disallowed (`fixed_indegree`'s
/// draw with multapses allowed).
fn draw_with_multapses(
    rng: &mut Stream,
    sources: &NodeCollection,
    target: NodeId,
    autapses: bool,
    count: u64,
    mut emit: impl FnMut(NodeId),
) {
    let n = sources.len() as u64;
    let mut made = 0;
    while made < count {
        let s = sources.get(below(rng, n) as usize);
        if autapses || s != target {
            emit(s);
            made += 1;
        }
    }
}

/// `fixed_total_number`'s split of `total` connections over the targets:
/// the positions `0..targets.len()` are halved recursively, the left half
/// of a range getting a binomial share of the range's connections in
/// proportion to its allowed pairs (each range's draw from its own stream),
/// so the counts are multinomial over the targets with probabilities
/// proportional to their allowed sources. Calls `out(position, count)` for
/// each position in `want`, in ascending order, drawing only the ranges
/// that meet `want`.
#[allow(clippy::too_many_arguments)]
fn total_split(
    rule: &ConnRule,
    seed: u64,
    projection: u32,
    sources: &NodeCollection,
    targets: &NodeCollection,
    total: u64,
    want: std::ops::Range<usize>,
    mut out: impl FnMut(usize, u64),
) {
    // Positions of the targets that are also sources: one range, since
    // both collections are contiguous.
    let (o_lo, o_hi) = if rule.allow_autapses() || sources.overlap(targets) == 0 {
        (0, 0)
    } else {
        let lo = targets.position(sources.first()).unwrap_or(0);
        (lo, lo + sources.overlap(targets))
    };
    let n_s = sources.len() as u64;
    let weight = |lo: usize, hi: usize| -> u64 {
        let overlap = hi.min(o_hi).saturating_sub(lo.max(o_lo)) as u64;
        n_s * (hi - lo) as u64 - overlap
    };
    #[allow(clippy::too_many_arguments)]
    fn split(
        seed: u64,
        projection: u32,
        weight: &dyn Fn(usize, usize) -> u64,
        lo: usize,
        hi: usize,
        m: u64,
        want: &std::ops::Range<usize>,
        out: &mut dyn FnMut(usize, u64),
    ) {
        if hi <= want.start || want.end <= lo {
            return;
        }
        if m == 0 {
            for i in lo.max(want.start)..hi.min(want.end) {
                out(i, 0);
            }
            return;
        }
        if hi - lo == 1 {
            out(lo, m);
            return;
        }
        let mid = lo + (hi - lo) / 2;
        let (left, all) = (weight(lo, mid), weight(lo, hi));
        let key = (lo as u64) << 32 | hi as u64;
        let mut rng = stream(seed, Purpose::ConnectTotal, projection as u64, key);
        let m_left = binomial(&mut rng, m, left as f64 / all as f64);
        split(seed, projection, weight, lo, mid, m_left, want, out);
        split(seed, projection, weight, mid, hi, m - m_left, want, out);
    }
    split(
        seed,
        projection,
        &weight,
        0,
        targets.len(),
        total,
        &want,
        &mut out,
    );
}

/// Which targets one source has taken: a bitmap over target positions and
/// the positions set, to clear them for the next source.
struct Marks {
    words: Vec<u64>,
    set: Vec<usize>,
}

impl Marks {
    /// Clear marks for `targets`, in `words`' memory.
    fn new(mut words: Vec<u64>, targets: &NodeCollection) -> Self {
        words.clear();
        words.resize(targets.len().div_ceil(64), 0);
        Self {
            words,
            set: Vec::new(),
        }
    }
}

/// Calls `emit(position)` with the position among `targets` of each of
/// `source`'s `fixed_outdegree` targets, in the order drawn from the stream
/// keyed by (projection, source).
fn targets_of(
    rule: &ConnRule,
    seed: u64,
    projection: u32,
    targets: &NodeCollection,
    source: NodeId,
    marks: &mut Marks,
    mut emit: impl FnMut(usize),
) {
    let ConnRule::FixedOutdegree {
        outdegree,
        allow_autapses,
        allow_multapses,
    } = *rule
    else {
        unreachable!("targets_of serves fixed_outdegree");
    };
    let mut rng = stream(seed, Purpose::ConnectOut, projection as u64, source as u64);
    let n = targets.len() as u64;
    let mut made = 0;
    if allow_multapses {
        while made < outdegree {
            let i = below(&mut rng, n) as usize;
            if allow_autapses || targets.get(i) != source {
                emit(i);
                made += 1;
            }
        }
        return;
    }
    while made < outdegree {
        let i = below(&mut rng, n) as usize;
        let (word, bit) = (i / 64, 1u64 << (i % 64));
        if (!allow_autapses && targets.get(i) == source) || marks.words[word] & bit != 0 {
            continue;
        }
        marks.words[word] |= bit;
        marks.set.push(i);
        emit(i);
        made += 1;
    }
    for i in marks.set.drain(..) {
        marks.words[i / 64] = 0;
    }
}

/// Calls `emit(source)` for each connection onto `target` under a rule
/// drawn per target alone (all but `fixed_total_number`, which needs the
/// target's count, and `fixed_outdegree`: [`for_each_connection`] serves
/// every rule), in a fixed order. `scratch` is reusable working memory for
/// the multapse check.
///
/// # Panics
///
/// Under `fixed_total_number` or `fixed_outdegree`.
#[allow(clippy::too_many_arguments)]
pub fn sources_of(
    rule: &ConnRule,
    seed: u64,
    projection: u32,
    sources: &NodeCollection,
    targets: &NodeCollection,
    target: NodeId,
    scratch: &mut Vec<u64>,
    mut emit: impl FnMut(NodeId),
) {
    let autapses = rule.allow_autapses();
    match *rule {
        ConnRule::AllToAll { .. } => {
            for s in sources.iter() {
                if autapses || s != target {
                    emit(s);
                }
            }
        }
        ConnRule::Explicit(ref pairs) => {
            for (s, _) in pairs.onto(target) {
                emit(s);
            }
        }
        ConnRule::OneToOne { .. } => {
            let i = targets
                .position(target)
                .expect("target of its own projection");
            let s = sources.get(i);
            if autapses || s != target {
                emit(s);
            }
        }
        ConnRule::FixedIndegree {
            indegree,
            allow_multapses,
            ..
        } => {
            let mut rng: Stream = stream(seed, Purpose::Connect, projection as u64, target as u64);
            let n = sources.len() as u64;
            if allow_multapses {
                draw_with_multapses(&mut rng, sources, target, autapses, indegree as u64, emit);
            } else {
                // A bitmap of sources already chosen for this target.
                scratch.clear();
                scratch.resize(sources.len().div_ceil(64), 0);
                let mut made = 0;
                while made < indegree {
                    let i = below(&mut rng, n) as usize;
                    let s = sources.get(i);
                    let (word, bit) = (i / 64, 1u64 << (i % 64));
                    if (!autapses && s == target) || scratch[word] & bit != 0 {
                        continue;
                    }
                    scratch[word] |= bit;
                    emit(s);
                    made += 1;
                }
            }
        }
        ConnRule::PairwiseBernoulli {
            p,
            symmetric: Some(sym),
            ..
        } => {
            // One uniform per pair, from a stream keyed by the forward
            // projection and the pair as (source, target) of it.
            for s in sources.iter() {
                let (a, b) = if sym.transposed {
                    (target, s)
                } else {
                    (s, target)
                };
                let mut rng = stream(
                    seed,
                    Purpose::Connect,
                    u64::from(sym.key) | 1 << 40,
                    u64::from(a) << 32 | u64::from(b),
                );
                if unit(&mut rng) < p && (autapses || s != target) {
                    emit(s);
                }
            }
        }
        ConnRule::PairwiseBernoulli { p, .. } => {
            if p <= 0.0 {
                return;
            }
            if p >= 1.0 {
                for s in sources.iter() {
                    if autapses || s != target {
                        emit(s);
                    }
                }
                return;
            }
            // Geometric skipping: the number of sources passed over before
            // the next connection is Geometric(p), so the draws cost
            // O(connections) rather than O(sources).
            let mut rng = stream(seed, Purpose::Connect, projection as u64, target as u64);
            let ln_q = (-p).ln_1p();
            let n = sources.len() as f64;
            let mut next = 0.0f64;
            loop {
                // 1 - unit is in (0, 1]: its logarithm is finite.
                let gap = ((1.0 - unit(&mut rng)).ln() / ln_q).floor();
                next += gap;
                if next >= n {
                    return;
                }
                let s = sources.get(next as usize);
                if autapses || s != target {
                    emit(s);
                }
                next += 1.0;
            }
        }
        ConnRule::PairwisePoisson { mean, .. } => {
            if mean <= 0.0 {
                return;
            }
            // A pair has at least one connection with probability
            // 1 - e^-mean: skip the others geometrically (ln P(0) = -mean),
            // then draw the count from the Poisson law given >= 1, by
            // inversion. The same law as a Poisson draw per pair, at a
            // cost of O(connections).
            let mut rng = stream(seed, Purpose::Connect, projection as u64, target as u64);
            let p0 = (-mean).exp();
            let nonzero = -(-mean).exp_m1();
            let n = sources.len() as f64;
            let mut next = 0.0f64;
            loop {
                let gap = ((1.0 - unit(&mut rng)).ln() / -mean).floor();
                next += gap;
                if next >= n {
                    return;
                }
                let s = sources.get(next as usize);
                let u = unit(&mut rng) * nonzero;
                let (mut k, mut pk, mut cdf) = (1u64, mean * p0, mean * p0);
                while cdf <= u && pk > 0.0 {
                    k += 1;
                    pk *= mean / k as f64;
                    cdf += pk;
                }
                if autapses || s != target {
                    for _ in 0..k {
                        emit(s);
                    }
                }
                next += 1.0;
            }
        }
        ConnRule::FixedTotalNumber { .. } | ConnRule::FixedOutdegree { .. } => {
            unreachable!("sources_of serves the rules drawn per target alone")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(rule: ConnRule, src: NodeCollection, tgt: NodeCollection, t: NodeId) -> Vec<NodeId> {
        let mut v = Vec::new();
        sources_of(&rule, 42, 0, &src, &tgt, t, &mut Vec::new(), |s| v.push(s));
        v
    }

    #[test]
    fn fixed_indegree_is_exact_and_repeatable() {
        let pop = NodeCollection::new(1, 50);
        let a = collect(ConnRule::fixed_indegree(30), pop, pop, 7);
        assert_eq!(a.len(), 30);
        assert_eq!(a, collect(ConnRule::fixed_indegree(30), pop, pop, 7));
        assert_ne!(a, collect(ConnRule::fixed_indegree(30), pop, pop, 8));
        assert!(a.iter().all(|s| pop.contains(*s)));
    }

    #[test]
    fn autapses_and_multapses_can_be_excluded() {
        let pop = NodeCollection::new(1, 10);
        let rule = ConnRule::fixed_indegree(9).autapses(false).multapses(false);
        for t in pop.iter() {
            let mut v = collect(rule.clone(), pop, pop, t);
            assert!(!v.contains(&t));
            v.sort();
            v.dedup();
            assert_eq!(v.len(), 9);
        }
        // with both allowed, a small pool shows repeats
        let v = collect(ConnRule::fixed_indegree(100), pop, pop, 1);
        assert!(v.contains(&1));
    }

    #[test]
    fn counts_onto_parts_add_up() {
        let a = NodeCollection::new(1, 10);
        let b = NodeCollection::new(5, 10);
        let rules = [
            ConnRule::all_to_all(),
            ConnRule::all_to_all().autapses(false),
            ConnRule::one_to_one(),
            ConnRule::one_to_one().autapses(false),
            ConnRule::fixed_indegree(3),
        ];
        for rule in rules {
            for (src, tgt) in [(a, b), (a, a), (b, a)] {
                let parts = [0..3, 3..4, 4..10].map(|r| tgt.slice(r).unwrap());
                let sum: u64 = parts.iter().map(|p| rule.count_onto(&src, &tgt, p)).sum();
                assert_eq!(sum, rule.count(&src, &tgt), "{rule:?}");
            }
        }
        assert!(ConnRule::fixed_indegree(2).can_make_multapses());
        assert!(
            !ConnRule::fixed_indegree(2)
                .multapses(false)
                .can_make_multapses()
        );
        assert!(!ConnRule::fixed_indegree(1).can_make_multapses());
        assert!(!ConnRule::all_to_all().can_make_multapses());
    }

    #[test]
    fn counts() {
        let a = NodeCollection::new(1, 10);
        let b = NodeCollection::new(5, 10);
        assert_eq!(ConnRule::all_to_all().count(&a, &b), 100);
        assert_eq!(ConnRule::all_to_all().autapses(false).count(&a, &b), 94);
        assert_eq!(ConnRule::fixed_indegree(3).count(&a, &b), 30);
        assert_eq!(ConnRule::one_to_one().count(&a, &b), 10);
        let mut v = Vec::new();
        sources_of(
            &ConnRule::all_to_all().autapses(false),
            0,
            0,
            &a,
            &b,
            5,
            &mut Vec::new(),
            |s| v.push(s),
        );
        assert_eq!(v.len(), 9);
        assert_eq!(collect(ConnRule::one_to_one(), a, b, 7), vec![3]);
    }

    /// Every connection of a projection onto all of `tgt` (one shard owning
    /// every target), as (driver, source, target).
    fn all_conns(
        rule: ConnRule,
        seed: u64,
        src: NodeCollection,
        tgt: NodeCollection,
    ) -> Vec<(NodeId, NodeId, NodeId)> {
        let owned: Vec<(NodeId, u32)> = tgt.iter().zip(0..).collect();
        let mut v = Vec::new();
        for_each_connection(&rule, seed, 3, &src, &tgt, &owned, &mut Vec::new(), |c| {
            let local = c.local.expect("every target owned");
            v.push((c.driver, c.source, tgt.get(local as usize)));
        });
        v
    }

    /// Binomial(n, p)'s probabilities.
    fn binomial_pmf(n: u64, p: f64) -> Vec<f64> {
        let mut ln_fact = vec![0.0f64; n as usize + 1];
        for i in 1..=n as usize {
            ln_fact[i] = ln_fact[i - 1] + (i as f64).ln();
        }
        let n = n as usize;
        (0..=n)
            .map(|k| {
                (ln_fact[n] - ln_fact[k] - ln_fact[n - k]
                    + k as f64 * p.ln()
                    + (n - k) as f64 * (-p).ln_1p())
                .exp()
            })
            .collect()
    }

    /// Pearson's chi-square of the values `xs` against the probabilities
    /// `pmf` (cells pooled until each expects 5); asserts that it lies
    /// within 5 standard deviations of its mean (its degrees of freedom).
    fn assert_fits(what: &str, xs: &[u64], pmf: &[f64]) {
        let mut counts = vec![0u64; pmf.len()];
        for &x in xs {
            counts[x as usize] += 1;
        }
        let n = xs.len() as f64;
        let mut cells: Vec<(f64, f64)> = Vec::new();
        let (mut obs, mut exp) = (0.0, 0.0);
        for (c, q) in counts.iter().zip(pmf) {
            obs += *c as f64;
            exp += n * q;
            if exp >= 5.0 {
                cells.push((obs, exp));
                (obs, exp) = (0.0, 0.0);
            }
        }
        let last = cells.last_mut().expect("some cell");
        last.0 += obs;
        last.1 += exp;
        let stat: f64 = cells.iter().map(|(o, e)| (o - e) * (o - e) / e).sum();
        let df = (cells.len() - 1) as f64;
        assert!(
            stat < df + 5.0 * (2.0 * df).sqrt(),
            "{what}: chi-square {stat:.1} with {df} degrees of freedom"
        );
    }

    /// Each node's number of occurrences in `ids` (positions in `c`).
    fn histogram(c: NodeCollection, ids: impl Iterator<Item = NodeId>) -> Vec<u64> {
        let mut h = vec![0u64; c.len()];
        for id in ids {
            h[c.position(id).unwrap()] += 1;
        }
        h
    }

    #[test]
    fn fixed_total_number_makes_exactly_n() {
        let pop = NodeCollection::new(1, 30);
        let other = NodeCollection::new(21, 37);
        for (rule, src, tgt) in [
            (ConnRule::fixed_total_number(1000), pop, other),
            (ConnRule::fixed_total_number(777).autapses(false), pop, pop),
            (
                ConnRule::fixed_total_number(500).autapses(false),
                other,
                pop,
            ),
            (ConnRule::fixed_total_number(1), pop, other),
            (ConnRule::fixed_total_number(0), pop, other),
        ] {
            let ConnRule::FixedTotalNumber { n, .. } = rule else {
                unreachable!()
            };
            for seed in 0..5 {
                let v = all_conns(rule.clone(), seed, src, tgt);
                assert_eq!(v.len() as u64, n, "{rule:?}");
                assert!(v.iter().all(|&(d, s, t)| d == t && src.contains(s)));
                if !rule.allow_autapses() {
                    assert!(v.iter().all(|&(_, s, t)| s != t));
                }
                let drawn = totals(&rule, seed, 3, &src, &tgt);
                assert_eq!(drawn.connections, n);
                let h = histogram(tgt, v.iter().map(|c| c.2));
                assert_eq!(drawn.max_indegree, h.iter().copied().max().unwrap());
            }
        }
        // the one allowed pair takes every connection
        let one = NodeCollection::new(5, 1);
        let two = NodeCollection::new(5, 2);
        let v = all_conns(ConnRule::fixed_total_number(9).autapses(false), 1, two, one);
        assert!(v.iter().all(|&(_, s, t)| (s, t) == (6, 5)) && v.len() == 9);
    }

    #[test]
    fn fixed_total_number_is_uniform_over_pairs() {
        // 150 targets (halved unequally), 40 sources: in-degrees are
        // Binomial(N, 1/150), sources uniform.
        let (src, tgt) = (NodeCollection::new(1, 40), NodeCollection::new(41, 150));
        let n = 3000u64;
        let mut indegrees = Vec::new();
        let mut picks = vec![0u64; src.len()];
        for seed in 0..40 {
            let v = all_conns(ConnRule::fixed_total_number(n), seed, src, tgt);
            indegrees.extend(histogram(tgt, v.iter().map(|c| c.2)));
            for (p, h) in picks.iter_mut().zip(histogram(src, v.iter().map(|c| c.1))) {
                *p += h;
            }
        }
        assert_fits(
            "in-degrees",
            &indegrees,
            &binomial_pmf(n, 1.0 / tgt.len() as f64),
        );
        // Each source's share: 40 cells of 3000 x 40 / 40 expected.
        let expected = (n * 40) as f64 / src.len() as f64;
        let stat: f64 = picks
            .iter()
            .map(|&o| (o as f64 - expected).powi(2) / expected)
            .sum();
        assert!(stat < 39.0 + 5.0 * 78f64.sqrt(), "sources: {stat}");
    }

    #[test]
    fn fixed_outdegree_gives_every_source_its_outdegree() {
        let pop = NodeCollection::new(1, 30);
        let other = NodeCollection::new(21, 37);
        for (rule, src, tgt) in [
            (ConnRule::fixed_outdegree(12), pop, other),
            (ConnRule::fixed_outdegree(80), pop, pop),
            (
                ConnRule::fixed_outdegree(29)
                    .autapses(false)
                    .multapses(false),
                pop,
                pop,
            ),
            (ConnRule::fixed_outdegree(37).multapses(false), pop, other),
            (ConnRule::fixed_outdegree(5).autapses(false), other, pop),
        ] {
            let ConnRule::FixedOutdegree {
                outdegree,
                allow_autapses,
                allow_multapses,
            } = rule
            else {
                unreachable!()
            };
            let v = all_conns(rule.clone(), 7, src, tgt);
            assert_eq!(v.len() as u64, rule.count(&src, &tgt));
            for s in src.iter() {
                let mut mine: Vec<NodeId> = v.iter().filter(|c| c.0 == s).map(|c| c.2).collect();
                assert!(v.iter().all(|c| c.0 == c.1));
                assert_eq!(mine.len(), outdegree as usize);
                assert!(allow_autapses || !mine.contains(&s));
                mine.sort();
                mine.dedup();
                assert!(allow_multapses || mine.len() == outdegree as usize);
            }
            let drawn = totals(&rule, 7, 3, &src, &tgt);
            assert_eq!(drawn.connections, v.len() as u64);
            let h = histogram(tgt, v.iter().map(|c| c.2));
            assert_eq!(drawn.max_indegree, h.iter().copied().max().unwrap());
        }
        // with both allowed, a small pool shows repeats and autapses
        let v = all_conns(ConnRule::fixed_outdegree(100), 1, pop, pop);
        assert!(v.iter().any(|c| c.1 == c.2));
    }

    #[test]
    fn fixed_outdegree_indegrees_are_binomial() {
        // 60 sources of 25 targets each over 70 targets: in-degrees
        // Binomial(1500, 1/70).
        let (src, tgt) = (NodeCollection::new(1, 60), NodeCollection::new(61, 70));
        let mut indegrees = Vec::new();
        for seed in 0..40 {
            let v = all_conns(ConnRule::fixed_outdegree(25), seed, src, tgt);
            indegrees.extend(histogram(tgt, v.iter().map(|c| c.2)));
        }
        assert_fits("in-degrees", &indegrees, &binomial_pmf(1500, 1.0 / 70.0));
    }

    /// The pmf of Poisson(`mean`) on `0..len` (the tail in the last cell).
    fn poisson_pmf(mean: f64, len: usize) -> Vec<f64> {
        let mut pmf = vec![(-mean).exp()];
        for k in 1..len {
            pmf.push(pmf[k - 1] * mean / k as f64);
        }
        let tail = 1.0 - pmf[..len - 1].iter().sum::<f64>();
        pmf[len - 1] = tail.max(0.0);
        pmf
    }

    #[test]
    fn pairwise_poisson_draws_a_poisson_count_per_pair() {
        let (src, tgt) = (NodeCollection::new(1, 120), NodeCollection::new(101, 100));
        for mean in [0.05, 0.7, 3.0] {
            let rule = ConnRule::pairwise_poisson(mean);
            let (mut per_pair, mut indegrees) = (Vec::new(), Vec::new());
            for seed in 0..3 {
                let v = all_conns(rule.clone(), seed, src, tgt);
                assert!(v.iter().all(|&(d, _, t)| d == t));
                assert_eq!(
                    totals(&rule, seed, 3, &src, &tgt).connections,
                    v.len() as u64
                );
                let mut counts = vec![0u64; src.len() * tgt.len()];
                for &(_, s, t) in &v {
                    counts[src.position(s).unwrap() * tgt.len() + tgt.position(t).unwrap()] += 1;
                }
                per_pair.extend(counts.iter().map(|&c| c.min(12)));
                indegrees.extend(histogram(tgt, v.iter().map(|c| c.2)));
            }
            assert_fits("per-pair counts", &per_pair, &poisson_pmf(mean, 13));
            let k = 120.0 * mean;
            let len = (k + 10.0 * k.sqrt() + 10.0) as usize;
            let capped: Vec<u64> = indegrees.iter().map(|&c| c.min(len as u64 - 1)).collect();
            assert_fits("in-degrees", &capped, &poisson_pmf(k, len));
        }
        let pop = NodeCollection::new(1, 30);
        let v = all_conns(ConnRule::pairwise_poisson(2.0).autapses(false), 1, pop, pop);
        assert!(!v.is_empty() && v.iter().all(|c| c.1 != c.2));
        assert!(all_conns(ConnRule::pairwise_poisson(0.0), 1, pop, pop).is_empty());
    }

    #[test]
    fn pairwise_bernoulli_is_independent_per_pair() {
        let (src, tgt) = (NodeCollection::new(1, 300), NodeCollection::new(101, 250));
        for (p, seeds) in [(0.02, 40), (0.3, 4), (0.9, 2)] {
            let rule = ConnRule::pairwise_bernoulli(p);
            let (mut total, mut indegrees, mut outdegrees) = (0u64, Vec::new(), Vec::new());
            for seed in 0..seeds {
                let v = all_conns(rule.clone(), seed, src, tgt);
                assert!(v.iter().all(|&(d, _, t)| d == t));
                assert_eq!(
                    totals(&rule, seed, 3, &src, &tgt).connections,
                    v.len() as u64
                );
                // no multapses, ever
                let mut pairs: Vec<_> = v.iter().map(|&(_, s, t)| (s, t)).collect();
                pairs.sort();
                pairs.dedup();
                assert_eq!(pairs.len(), v.len());
                total += v.len() as u64;
                indegrees.extend(histogram(tgt, v.iter().map(|c| c.2)));
                outdegrees.extend(histogram(src, v.iter().map(|c| c.1)));
            }
            let pairs = (seeds * 300 * 250) as f64;
            let sd = (pairs * p * (1.0 - p)).sqrt();
            assert!(
                (total as f64 - pairs * p).abs() < 4.0 * sd,
                "p {p}: {total} vs {}",
                pairs * p
            );
            assert_fits("in-degrees", &indegrees, &binomial_pmf(300, p));
            assert_fits("out-degrees", &outdegrees, &binomial_pmf(250, p));
        }
        // autapses excluded, p = 0 and 1
        let pop = NodeCollection::new(1, 40);
        let v = all_conns(
            ConnRule::pairwise_bernoulli(0.5).autapses(false),
            1,
            pop,
            pop,
        );
        assert!(v.iter().all(|c| c.1 != c.2));
        assert!(all_conns(ConnRule::pairwise_bernoulli(0.0), 1, pop, pop).is_empty());
        let all = all_conns(
            ConnRule::pairwise_bernoulli(1.0).autapses(false),
            1,
            pop,
            pop,
        );
        assert_eq!(all.len(), 40 * 39);
    }

    #[test]
    fn drivers_ascend_and_outdegree_keeps_unowned_targets() {
        let (src, tgt) = (NodeCollection::new(1, 20), NodeCollection::new(11, 30));
        // A shard owning targets 21..=30 at local indices 5.. .
        let owned: Vec<(NodeId, u32)> = (21..=30).zip(5..).collect();
        for rule in [
            ConnRule::fixed_indegree(4),
            ConnRule::fixed_total_number(300),
            ConnRule::pairwise_bernoulli(0.3),
            ConnRule::fixed_outdegree(6),
        ] {
            let mut v = Vec::new();
            for_each_connection(&rule, 1, 3, &src, &tgt, &owned, &mut vec![!0; 9], |c| {
                v.push(c)
            });
            assert!(v.windows(2).all(|w| w[0].driver <= w[1].driver), "{rule:?}");
            let every = all_conns(rule.clone(), 1, src, tgt);
            if let ConnRule::FixedOutdegree { .. } = rule {
                // every source's draws, the owned ones with their index
                assert_eq!(v.len(), every.len());
                for (c, e) in v.iter().zip(&every) {
                    assert_eq!((c.driver, c.source), (e.0, e.1));
                    let want = (21..=30).contains(&e.2).then(|| e.2 - 21 + 5);
                    assert_eq!(c.local, want);
                }
            } else {
                let mine: Vec<_> = every.iter().filter(|e| (21..=30).contains(&e.2)).collect();
                assert_eq!(v.len(), mine.len());
                for (c, e) in v.iter().zip(mine) {
                    assert_eq!(
                        (c.driver, c.source, c.local),
                        (e.0, e.1, Some(e.2 - 21 + 5))
                    );
                }
            }
            let mut none = 0;
            for_each_connection(&rule, 1, 3, &src, &tgt, &[], &mut Vec::new(), |_| none += 1);
            assert_eq!(none, 0);
        }
    }
}
