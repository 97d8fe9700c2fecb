//! Reading and writing connections between neurons (NEST's
//! `GetConnections`, `.get("weight")`, `.set(weight=...)`): what each
//! shard holds, with the weights plastic synapses have learned.

use spindle_core::NodeId;
use spindle_network::{NetworkError, NodeCollection, ReceptorType};

use super::Simulation;
use crate::EngineError;

/// One connection between neurons held by this process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Connection {
    /// The presynaptic neuron.
    pub source: NodeId,
    /// The postsynaptic neuron.
    pub target: NodeId,
    /// The projection (`Connect` call, in order) it belongs to.
    pub projection: u32,
    /// Index of its synapse model.
    pub synapse_model: u32,
    /// Which of the projection's synapses from `source` onto `target` it
    /// is (0 but for multapses).
    pub index: u32,
    /// Delay [ms].
    pub delay: f64,
    /// Weight now.
    pub weight: f64,
    /// Its receptor type (drawn per synapse, or the projection's).
    pub receptor: u32,
}

/// Which connections [`Simulation::connections`] lists (NEST's
/// `GetConnections` arguments; `None`: any).
#[derive(Debug, Clone, Default)]
pub struct ConnectionFilter {
    /// Presynaptic neurons.
    pub sources: Option<NodeCollection>,
    /// Postsynaptic neurons.
    pub targets: Option<NodeCollection>,
    /// Synapse model index.
    pub synapse_model: Option<u32>,
}

/// NEST's `BadProperty`.
fn bad(message: String) -> EngineError {
    EngineError::Network(NetworkError::BadProperty(message))
}

impl Simulation {
    /// The connections between neurons this process holds that `filter`
    /// selects, sorted by (source, target, projection, index) (devices'
    /// connections are not listed).
    pub fn connections(&self, filter: &ConnectionFilter) -> Vec<Connection> {
        let mut out = Vec::new();
        let res = self.net.resolution();
        for (p, proj) in self.net.projections().iter().enumerate() {
            if filter
                .synapse_model
                .is_some_and(|m| m != proj.synapse_model)
            {
                continue;
            }
            for shard in &self.shards {
                let rows = &shard.synapses.projections[p];
                for source in proj.sources.iter() {
                    if filter.sources.is_some_and(|c| !c.contains(source)) {
                        continue;
                    }
                    let mut seen: Vec<(NodeId, u32)> = Vec::new();
                    // Drawn per synapse, held by the store; else the
                    // projection's (a release receptor reaches no port).
                    let synapses = rows.synapses(source);
                    let receptors = match proj.receptor {
                        ReceptorType::Fixed(r) => vec![r as u32; synapses.len()],
                        ReceptorType::Drawn(_) => rows.receptors(source),
                    };
                    for ((local, delay, weight), receptor) in synapses.into_iter().zip(receptors) {
                        let target = shard.ids[local as usize];
                        if filter.targets.is_some_and(|c| !c.contains(target)) {
                            continue;
                        }
                        let index = match seen.iter_mut().find(|(t, _)| *t == target) {
                            Some((_, n)) => {
                                *n += 1;
                                *n
                            }
                            None => {
                                seen.push((target, 0));
                                0
                            }
                        };
                        out.push(Connection {
                            source,
                            target,
                            projection: p as u32,
                            synapse_model: proj.synapse_model,
                            index,
                            delay: delay as f64 * res.ms_per_step(),
                            weight,
                            receptor,
                        });
                    }
                }
            }
        }
        out.sort_by_key(|c| (c.source, c.target, c.projection, c.index));
        out
    }

    /// Set the weight of each of `connections` (as
    /// [`connections`](Self::connections) listed them) to the matching
    /// entry of `weights`. Plastic synapses and static ones whose weights
    /// were drawn hold a weight per connection (the latter as `f32`);
    /// another static one is refused.
    pub fn set_weights(
        &mut self,
        connections: &[Connection],
        weights: &[f64],
    ) -> Result<(), EngineError> {
        if connections.len() != weights.len() {
            return Err(bad(format!(
                "{} weights for {} connections",
                weights.len(),
                connections.len()
            )));
        }
        for (c, &w) in connections.iter().zip(weights) {
            if let Some(rule) = self.net.projections()[c.projection as usize].plastic {
                rule.check_weight(w).map_err(|e| bad(e.to_string()))?;
            }
            let (shard, local) = self
                .partition
                .locate(c.target)
                .ok_or_else(|| bad("not a neuron".into()))?;
            let Some(s) = shard
                .checked_sub(self.first_shard)
                .and_then(|k| self.shards.get_mut(k))
            else {
                continue;
            };
            let rows = &mut s.synapses.projections[c.projection as usize];
            let order: Vec<u32> = rows.synapses(c.source).iter().map(|x| x.0).collect();
            let at = order
                .iter()
                .enumerate()
                .filter(|(_, t)| **t == local)
                .nth(c.index as usize)
                .map(|(k, _)| k);
            if let Some(weights) = rows.weights_mut(c.source) {
                if let Some(k) = at {
                    weights[k] = w;
                }
            } else if let Some(weights) = rows.drawn_weights_mut(c.source) {
                // Drawn static weights are held as f32 (README).
                if let Some(k) = at {
                    weights[k] = w as f32;
                }
            } else {
                return Err(bad(
                    "Spindle holds one weight per static projection unless its weights were \
                     drawn per synapse: only those and plastic synapses' weights can be set per \
                     connection"
                        .into(),
                ));
            }
        }
        Ok(())
    }

    /// `quantal_stp_synapse`'s state of each of `connections` (as
    /// [`connections`](Self::connections) listed them): its source's
    /// release probability `u` and its available sites `a` now; `None`
    /// for other models and connections another process holds.
    pub fn quantal_state(&self, connections: &[Connection]) -> Vec<Option<(f64, i32)>> {
        connections
            .iter()
            .map(|c| {
                let (shard, local) = self.partition.locate(c.target)?;
                let s = self.shards.get(shard.checked_sub(self.first_shard)?)?;
                let rows = s.synapses.projections.get(c.projection as usize)?;
                let (u, sites) = rows.quantal_state(c.source)?;
                let at = rows
                    .synapses(c.source)
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| x.0 == local)
                    .nth(c.index as usize)?
                    .0;
                Some((u, *sites.get(at)?))
            })
            .collect()
    }

    /// How many spikes neuron `id`'s archive holds (NEST's
    /// `archiver_length`; 0 where no STDP synapse reaches it or another
    /// process holds it).
    pub fn archiver_length(&self, id: NodeId) -> usize {
        let Some((shard, local)) = self.partition.locate(id) else {
            return 0;
        };
        shard
            .checked_sub(self.first_shard)
            .and_then(|k| self.shards.get(k))
            .and_then(|s| s.archives.get(local as usize))
            .map_or(0, |a| a.len())
    }
}
