//! Connection rules, as NEST's `conn_builder.cpp` defines them.
//!
//! `fixed_indegree` draws the sources of each target from a stream keyed by
//! (projection, target) (see `spindle_core::rng`), so the drawn network
//! does not depend on how targets are split over shards.

use spindle_core::NodeId;
use spindle_core::rng::{Purpose, Stream, below, stream};

use crate::NodeCollection;

/// How sources are paired with targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

    /// Set `allow_autapses`.
    pub fn autapses(mut self, allow: bool) -> Self {
        match &mut self {
            Self::AllToAll { allow_autapses }
            | Self::OneToOne { allow_autapses }
            | Self::FixedIndegree { allow_autapses, .. } => *allow_autapses = allow,
        }
        self
    }

    /// Set `allow_multapses` (only `fixed_indegree` can make multapses).
    pub fn multapses(mut self, allow: bool) -> Self {
        if let Self::FixedIndegree {
            allow_multapses, ..
        } = &mut self
        {
            *allow_multapses = allow;
        }
        self
    }

    /// NEST's rule name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::AllToAll { .. } => "all_to_all",
            Self::OneToOne { .. } => "one_to_one",
            Self::FixedIndegree { .. } => "fixed_indegree",
        }
    }

    fn allow_autapses(&self) -> bool {
        match *self {
            Self::AllToAll { allow_autapses }
            | Self::OneToOne { allow_autapses }
            | Self::FixedIndegree { allow_autapses, .. } => allow_autapses,
        }
    }

    /// The most connections one target can get from this rule: a bound on
    /// the events one source step can bring it.
    pub fn max_per_target(&self, sources: &NodeCollection) -> u64 {
        match *self {
            Self::AllToAll { .. } => sources.len() as u64,
            Self::OneToOne { .. } => 1,
            Self::FixedIndegree { indegree, .. } => indegree as u64,
        }
    }

    /// Number of connections the rule makes between `sources` and
    /// `targets` (exact for every rule).
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
        }
    }

    /// Number of connections the rule makes onto `part`, a contiguous part
    /// of `targets` (a shard's share of them), exact for every rule.
    pub fn count_onto(
        &self,
        sources: &NodeCollection,
        targets: &NodeCollection,
        part: &NodeCollection,
    ) -> u64 {
        match *self {
            Self::OneToOne { allow_autapses } => {
                // Same-length contiguous collections pair i with i: either
                // every pair is an autapse or none is.
                if allow_autapses || sources.first() != targets.first() {
                    part.len() as u64
                } else {
                    0
                }
            }
            _ => self.count(sources, part),
        }
    }

    /// Whether the rule can connect a pair more than once.
    pub fn can_make_multapses(&self) -> bool {
        matches!(
            *self,
            Self::FixedIndegree { indegree, allow_multapses: true, .. } if indegree > 1
        )
    }
}

/// Calls `emit(source)` for each connection onto `target`, in a fixed order.
/// `scratch` is reusable working memory for the multapse check.
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
                let mut made = 0;
                while made < indegree {
                    let s = sources.get(below(&mut rng, n) as usize);
                    if autapses || s != target {
                        emit(s);
                        made += 1;
                    }
                }
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
            let mut v = collect(rule, pop, pop, t);
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
}
