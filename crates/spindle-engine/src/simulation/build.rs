//! Building a simulation: the memory check, the partition, and each shard
//! built on its own thread.

use std::sync::Arc;
use std::time::{Duration, Instant};

use spindle_core::SpikeDigest;
use spindle_network::storage::ProjectionRows;
use spindle_network::{Network, NetworkError, estimate_bytes};

use super::Simulation;
use crate::exchange::SpikeExchange;
use crate::ranks::Ranks;
use crate::shard::{DeviceIndex, Shard};
use crate::threads::on_shard_threads;
use crate::{Config, EngineError};

impl Simulation {
    /// Build `net` into `config.threads` shards, each on its own thread.
    /// Fails before allocating if the estimated memory exceeds what the
    /// machine has available.
    pub fn build(net: Network, config: Config) -> Result<Self, EngineError> {
        let reuse = vec![Vec::new(); config.threads];
        Self::build_reusing(net, config, reuse, None)
    }

    /// Build this rank's part of `net`, split over `ranks.size()` processes
    /// of `config.threads` shards each (NEST's virtual processes): rank `r`
    /// owns shards `r * threads ..`, builds only their neurons and incoming
    /// synapses, and talks to the others only once per slice. Every rank
    /// must call this, and every later collective method, in the same
    /// order.
    pub fn build_on_ranks(
        net: Network,
        config: Config,
        ranks: Arc<dyn Ranks>,
    ) -> Result<Self, EngineError> {
        let reuse = vec![Vec::new(); config.threads];
        Self::build_reusing(net, config, reuse, Some(ranks))
    }

    /// Build `net`, which is this simulation's network with projections
    /// added (as successive `Connect` calls make it), keeping the synapses
    /// already drawn: only the new projections are drawn. Anything else
    /// (new neurons, another seed or resolution, time simulated, shards'
    /// blocks moved by the new projections) builds from scratch.
    pub fn rebuild(self, net: Network, config: Config) -> Result<Self, EngineError> {
        let old = &self.net;
        let neurons = |n: &Network| n.populations().iter().map(|(c, _)| *c).collect::<Vec<_>>();
        let k = old.projections().len();
        let extends = self.now == 0
            && self.ranks.is_none()
            && config.threads == self.config.threads
            && old.seed() == net.seed()
            && old.resolution() == net.resolution()
            && neurons(old) == neurons(&net)
            && net.projections().get(..k) == Some(old.projections())
            // The shards' blocks may move with the projections (they are
            // balanced by delivery work where STDP synapses are): a built
            // projection holds the synapses onto its shard's old block.
            && self.partition.shards() == net.partition(config.threads).shards();
        let reuse = if extends {
            self.shards
                .into_iter()
                .map(|s| s.synapses.projections)
                .collect()
        } else {
            vec![Vec::new(); config.threads]
        };
        Self::build_reusing(net, config, reuse, self.ranks)
    }

    fn build_reusing(
        net: Network,
        config: Config,
        reuse: Vec<Vec<ProjectionRows>>,
        ranks: Option<Arc<dyn Ranks>>,
    ) -> Result<Self, EngineError> {
        if config.threads == 0 {
            return Err(EngineError::Config("threads must be > 0".into()));
        }
        if !config.isa.available() {
            return Err(EngineError::Config(format!(
                "{} is not available on this CPU",
                config.isa.name()
            )));
        }
        let (rank, size) = ranks.as_ref().map_or((0, 1), |r| (r.rank(), r.size()));
        let total_shards = config.threads * size;
        let first_shard = rank * config.threads;
        // Plastic synapses are delivered on NEST's grid of slices, whose
        // length counts the devices' delays too.
        let nest_min_delay = net.nest_min_delay()?;
        let min_delay = if net.has_plastic() {
            nest_min_delay
        } else {
            net.min_delay()?
        };
        if config.check_memory {
            check_memory(&net, total_shards, ranks.as_deref())?;
        }
        let start = Instant::now();
        let partition = net.partition(total_shards);
        let devices = DeviceIndex::new(&net);
        let exchange = SpikeExchange::new(config.threads);
        let slots: Vec<(usize, Vec<ProjectionRows>)> = reuse
            .into_iter()
            .enumerate()
            .map(|(s, rows)| (first_shard + s, rows))
            .collect();
        // Nothing waits at a barrier while building: a failing shard needs
        // to release nobody.
        let shards = on_shard_threads(&config, &|| {}, slots, |(s, rows)| {
            Ok(Shard::build(
                &net,
                &partition,
                &partition.shards()[s],
                &devices,
                min_delay,
                rows,
                config.isa,
            )?)
        });
        // A shard fails where it draws a value it cannot hold (a weight or
        // delay drawn per synapse): every rank learns it, so that none goes
        // on to wait for the others in the first exchange.
        let shards = match &ranks {
            Some(r) => {
                let failed = r.all_gather(u64::from(shards.is_err()));
                match shards {
                    Ok(_) if failed.contains(&1) => {
                        return Err(EngineError::Config(
                            "another rank failed to build its part of the network".into(),
                        ));
                    }
                    s => s?,
                }
            }
            None => shards?,
        };
        Ok(Self {
            net,
            config,
            partition,
            devices,
            shards,
            exchange,
            min_delay,
            nest_min_delay,
            now: 0,
            last_slice: 0,
            slices: 0,
            digest: SpikeDigest::default(),
            time_simulate: Duration::ZERO,
            time_construction_connect: start.elapsed(),
            interrupt: None,
            ranks,
            first_shard,
            total_shards,
            generator_streams: Default::default(),
            source_shared: Default::default(),
            source_trains: Default::default(),
            source_samples: Vec::new(),
            meter_cleared: Default::default(),
            meter_windows: Default::default(),
        })
    }
}

/// Refuse a network whose estimate exceeds the memory available; every
/// rank learns every rank's verdict, so all refuse together rather than
/// some building while others have left.
fn check_memory(
    net: &Network,
    total_shards: usize,
    ranks: Option<&dyn Ranks>,
) -> Result<(), EngineError> {
    let size = ranks.map_or(1, |r| r.size()) as u64;
    // This rank's share of the whole network's estimate.
    let needed = estimate_bytes(net, total_shards)? / size;
    let available = available_memory().unwrap_or(u64::MAX);
    let short = match ranks {
        Some(r) => r.all_gather(u64::from(needed > available)).contains(&1),
        None => needed > available,
    };
    if short {
        return Err(NetworkError::OutOfMemory {
            needed_mib: needed >> 20,
            available_mib: available.min(u64::MAX >> 1) >> 20,
        }
        .into());
    }
    Ok(())
}

/// Memory available to this process [bytes], from /proc/meminfo.
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
