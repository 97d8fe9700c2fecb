//! Building shards and running the slice loop.

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use spindle_core::{NodeId, SpikeDigest, Step};
use spindle_models::devices::RecordTo;
use spindle_network::storage::ProjectionRows;
use spindle_network::{Network, NetworkError, NodeKind, Partition, estimate_bytes};

use crate::exchange::{Spike, SpikeExchange, for_each_in_order};
use crate::ranks::Ranks;
use crate::recording::{MultimeterEvents, SpikeEvents, dat_path, write_dat};
use crate::shard::{DeviceIndex, Shard};
use crate::timers::{PhaseTime, PhaseTimers, SliceHistograms, Stamp};
use crate::{Config, EngineError};

/// A built network, ready to simulate: NEST's kernel after `Connect`.
pub struct Simulation {
    net: Network,
    config: Config,
    partition: Partition,
    devices: DeviceIndex,
    shards: Vec<Shard>,
    exchange: SpikeExchange,
    min_delay: Step,
    now: Step,
    slices: u64,
    digest: SpikeDigest,
    time_simulate: Duration,
    time_construction_connect: Duration,
    interrupt: Option<Arc<AtomicBool>>,
    /// The other processes, when the run is split over MPI ranks.
    ranks: Option<Arc<dyn Ranks>>,
    /// Global index of this process's first shard; shards of all ranks.
    first_shard: usize,
    total_shards: usize,
}

/// Whole-run figures of a simulation so far.
#[derive(Debug, Clone)]
pub struct RunStats {
    /// Steps simulated.
    pub steps: Step,
    /// Slices run.
    pub slices: u64,
    /// Spikes emitted by all neurons.
    pub spikes: u64,
    /// Digest over all spikes in (step, sender) order (see `SpikeDigest`).
    pub digest: String,
    /// Synaptic events written into input rings.
    pub synaptic_events: u64,
    /// Poisson counts drawn.
    pub poisson_draws: u64,
    /// `time_simulate`: wall time of all `simulate` calls.
    pub time_simulate: Duration,
    /// `time_construction_connect`: wall time of building the shards.
    pub time_construction_connect: Duration,
    /// Phase timers summed over shards.
    pub timers: PhaseTimers,
    /// Phase timers of each shard.
    pub shard_timers: Vec<PhaseTimers>,
    /// Per-slice histograms of each shard.
    pub shard_histograms: Vec<SliceHistograms>,
    /// Neurons.
    pub neurons: u64,
    /// Bytes of neuron state, input rings and Poisson streams.
    pub neuron_bytes: u64,
    /// Bytes of synapse storage.
    pub synapse_bytes: u64,
    /// Synapses stored between neurons.
    pub synapses_stored: u64,
}

/// State only shard 0 touches: the slice count and the progress line.
struct Leader<'a> {
    slices: &'a mut u64,
    progress_at: Instant,
    /// Writing the progress line failed (stderr closed): stop the run.
    stderr_closed: &'a mut bool,
}

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
    /// (new neurons, another seed or resolution, time simulated) builds
    /// from scratch.
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
            && net.projections().get(..k) == Some(old.projections());
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
        let (rank, size) = ranks.as_ref().map_or((0, 1), |r| (r.rank(), r.size()));
        let total_shards = config.threads * size;
        let first_shard = rank * config.threads;
        let min_delay = net.min_delay()?;
        if config.check_memory {
            // This rank's share of the whole network's estimate.
            let needed = estimate_bytes(&net, total_shards)? / size as u64;
            let available = available_memory().unwrap_or(u64::MAX);
            // Every rank learns every rank's verdict, so all refuse together
            // rather than some building while others have left.
            let short = match &ranks {
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
        }
        let start = Instant::now();
        let partition = net.partition(total_shards);
        let devices = DeviceIndex::new(&net);
        // Input can arrive up to max_delay steps after the slice being
        // delivered, which itself spans up to min_delay steps.
        let ring_len = (net.max_delay() + min_delay) as usize;
        let exchange = SpikeExchange::new(config.threads);
        let slots: Vec<(usize, Vec<ProjectionRows>)> = reuse
            .into_iter()
            .enumerate()
            .map(|(s, rows)| (first_shard + s, rows))
            .collect();
        let shards = on_shard_threads(&config, &exchange, slots, |(s, rows)| {
            Ok(Shard::build(
                &net,
                &partition,
                &partition.shards()[s],
                &devices,
                ring_len,
                rows,
            ))
        })?;
        Ok(Self {
            net,
            config,
            partition,
            devices,
            shards,
            exchange,
            min_delay,
            now: 0,
            slices: 0,
            digest: SpikeDigest::default(),
            time_simulate: Duration::ZERO,
            time_construction_connect: start.elapsed(),
            interrupt: None,
            ranks,
            first_shard,
            total_shards,
        })
    }

    /// Stop `simulate` at the next slice boundary once `flag` is set (by a
    /// Ctrl-C handler, say): it then returns [`EngineError::Interrupted`]
    /// with every spike up to that boundary delivered and recorded, and a
    /// later `simulate` continues from there.
    pub fn interrupt_on(&mut self, flag: Arc<AtomicBool>) {
        self.interrupt = Some(flag);
    }

    /// The network description.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// Slice length in steps (`min_delay`).
    pub fn min_delay(&self) -> Step {
        self.min_delay
    }

    /// Model time simulated so far [ms].
    pub fn time(&self) -> f64 {
        self.net.resolution().ms(self.now)
    }

    /// Advance by `ms` of model time (a multiple of the resolution). May be
    /// called again; the run continues where it stopped.
    pub fn simulate(&mut self, ms: f64) -> Result<(), EngineError> {
        let res = self.net.resolution();
        let steps = res.steps_on_grid("simtime", ms)?;
        let end = res.advance("simtime", self.now, steps)?;
        if steps == 0 {
            return Ok(());
        }
        let start = Instant::now();
        let (t0, min_delay) = (self.now, self.min_delay);
        let exchange = &self.exchange;
        let interrupt = self.interrupt.as_deref();
        let ranks = self.ranks.as_deref();
        let (first_shard, total_shards) = (self.first_shard, self.total_shards);
        let local_shards = self.shards.len();
        let progress = self.config.progress;
        let h = res.h();
        let mut slices = 0u64;
        // Each slice's spikes are digested, in slice order, by the first
        // shard to finish its update of the slice after: on shard 0 alone
        // the digest made the others wait for it at every barrier.
        let digest = Mutex::new(self.digest);
        let digested = AtomicU64::new(0);
        let mut stderr_closed = false;
        let mut leader = Some(Leader {
            slices: &mut slices,
            progress_at: Instant::now(),
            stderr_closed: &mut stderr_closed,
        });
        let work: Vec<(&mut Shard, Option<Leader>)> = self
            .shards
            .iter_mut()
            .map(|shard| (shard, leader.take()))
            .collect();

        let reached = on_shard_threads(&self.config, exchange, work, |(shard, mut leader)| {
            let s = shard.index - first_shard;
            // The schedule of slice k, covering steps [o_k, o_k + M):
            //   D(k-1)  deliver: write the spikes every shard emitted in
            //           slice k-1 into this shard's input ring, then inject
            //           spike-generator events of slice k;
            //   U(k)    update: advance this shard's neurons through slice
            //           k and publish their spikes (parity k % 2); the
            //           first shard done digests slice k-1's spikes;
            //   B(k)    barrier: after it every shard's slice-k spikes are
            //           readable, and so is shard 0's answer to "stop after
            //           slice k?" (an interrupt), which all shards obey.
            //   X(k)    with MPI ranks only: after B(k) the rank's first
            //           thread sends its shards' spikes and stop flag to
            //           every rank and receives theirs (one collective),
            //           then the rank's threads meet at a second barrier,
            //           after which the other ranks' spikes of slice k and
            //           the ranks' common stop answer are readable too.
            // D(k-1) precedes U(k): a spike from the last step of slice k-1
            // with the shortest delay M is felt in the first step of slice
            // k. B(k) precedes D(k), so D(k) sees every shard's spikes. Every
            // shard finishes D(k-1) before it enters B(k), so nobody
            // overwrites parity (k-1) % 2 in U(k+1) while it is still read.
            // The spikes of the last slice are delivered before returning,
            // so a later `simulate` call starts with nothing in flight.
            let mut last: Option<(Step, usize)> = None;
            let mut origin = t0;
            let mut parity = 0;
            let mut stopping = false;
            // Slices done by this loop; slice `n - 1` is `last`.
            let mut n = 0u64;
            // Every shard's spikes of the slice at `origin` with `parity`.
            let lists_of = |parity: usize| -> Vec<&[Spike]> {
                (0..total_shards)
                    .map(|g| match g.checked_sub(first_shard) {
                        // SAFETY: between B(k-1) and B(k + 1) for the
                        // spikes of slice k - 1 (parity k - 1), as the
                        // callers are; nobody writes them then.
                        Some(l) if l < local_shards => unsafe { exchange.spikes_of(l, parity) },
                        // SAFETY: other ranks' spikes, after the second
                        // barrier of X(k-1) and before X(k+1).
                        _ => unsafe { exchange.remote_of(g, parity) },
                    })
                    .collect()
            };
            // Digest slice `n - 1` if no other shard has taken it.
            let digest_last = |n: u64, last: Option<(Step, usize)>| {
                if let Some((prev_origin, prev_parity)) = last
                    && digested
                        .compare_exchange(n - 1, n, Ordering::AcqRel, Ordering::Relaxed)
                        .is_ok()
                {
                    let mut d = digest.lock().unwrap_or_else(|e| e.into_inner());
                    // A spike is digested by its emission step.
                    for_each_in_order(&lists_of(prev_parity), |sp| {
                        d.push(prev_origin + sp.lag as Step, sp.id as u64)
                    });
                }
            };
            loop {
                let t_deliver = Stamp::now();
                if let Some((prev_origin, prev_parity)) = last {
                    shard.deliver(prev_origin, &lists_of(prev_parity));
                }
                if origin >= end || stopping {
                    digest_last(n, last);
                    let deliver = t_deliver.until(&Stamp::now());
                    shard.timers.time_deliver_spike_data += deliver;
                    shard.histograms.deliver.record(deliver.wall);
                    break;
                }
                let len = (end - origin).min(min_delay);
                shard.inject(origin + len);
                let t_update = Stamp::now();
                let deliver = t_deliver.until(&t_update);
                shard.timers.time_deliver_spike_data += deliver;
                shard.histograms.deliver.record(deliver.wall);

                shard.update(origin, len as u32);
                let t_gather = Stamp::now();
                let update = t_update.until(&t_gather);
                shard.timers.time_update += update;
                shard.histograms.update.record(update.wall);

                // SAFETY: shard `s` publishes its own slot, in the update
                // phase of a slice of parity `parity`.
                unsafe { exchange.publish(s, parity, &mut shard.out) };
                if let Some(l) = leader.as_ref() {
                    exchange.request_stop(
                        parity,
                        *l.stderr_closed || interrupt.is_some_and(|f| f.load(Ordering::Relaxed)),
                    );
                }
                // Slice k - 1's spikes stay readable until U(k + 1).
                digest_last(n, last);
                let t_sync = Stamp::now();
                exchange.sync().ok_or(EngineError::Aborted)?;
                let mut t_done = Stamp::now();
                if let Some(ranks) = ranks {
                    if leader.is_some() {
                        let (mpi_sync, communicate) =
                            trade_spikes(ranks, exchange, parity, first_shard, total_shards);
                        shard.timers.time_mpi_synchronization += mpi_sync;
                        shard.timers.time_communicate_spike_data += communicate;
                    }
                    exchange.sync().ok_or(EngineError::Aborted)?;
                    t_done = Stamp::now();
                }
                stopping = exchange.stop_requested(parity);
                let sync = t_sync.until(&t_done);
                shard.timers.time_omp_synchronization_simulation += sync;
                shard.histograms.sync.record(sync.wall);
                shard.timers.time_gather_spike_data += t_gather.until(&t_done);

                last = Some((origin, parity));
                n += 1;
                origin += len;
                parity = 1 - parity;
                if let Some(l) = leader.as_mut() {
                    *l.slices += 1;
                    if progress
                        && (l.progress_at.elapsed() >= Duration::from_millis(200)
                            || origin == end
                            || stopping)
                    {
                        l.progress_at = Instant::now();
                        if print_progress(origin - t0, end - t0, h, start.elapsed()).is_err() {
                            *l.stderr_closed = true;
                        }
                    }
                }
            }
            Ok(origin)
        })?;
        if progress && !stderr_closed && writeln!(std::io::stderr()).is_err() {
            stderr_closed = true;
        }
        // Every shard stopped at the same boundary: shard 0 decided for all.
        let reached = reached[0];
        self.digest = digest.into_inner().unwrap_or_else(|e| e.into_inner());
        self.slices += slices;
        self.now = reached;
        self.time_simulate += start.elapsed();
        if stderr_closed {
            return Err(EngineError::StderrClosed);
        }
        if reached < end {
            return Err(EngineError::Interrupted {
                time_ms: res.ms(reached),
            });
        }
        Ok(())
    }

    /// Element-wise sums over ranks (the values themselves on one process).
    fn sum_over_ranks(&self, mine: &[u64]) -> Vec<u64> {
        match &self.ranks {
            Some(r) => crate::ranks::sum(r.as_ref(), mine),
            None => mine.to_vec(),
        }
    }

    /// The ranks the run is split over, if any.
    pub fn ranks(&self) -> Option<&Arc<dyn Ranks>> {
        self.ranks.as_ref()
    }

    /// Figures of the run so far. Counts are over all ranks (a collective
    /// call under MPI); timers, histograms and per-shard figures are this
    /// rank's.
    pub fn stats(&self) -> RunStats {
        let mut timers = PhaseTimers::default();
        for s in &self.shards {
            timers.add(&s.timers);
        }
        let (mut neuron_bytes, mut synapse_bytes) = (0, 0);
        for s in &self.shards {
            let (n, y) = s.bytes();
            neuron_bytes += n as u64;
            synapse_bytes += y as u64;
        }
        let [
            synaptic_events,
            poisson_draws,
            neurons,
            neuron_bytes,
            synapse_bytes,
            synapses_stored,
        ] = self.sum_over_ranks(&[
            self.shards.iter().map(|s| s.counters.synaptic_events).sum(),
            self.shards.iter().map(|s| s.poisson_draws()).sum(),
            self.shards.iter().map(|s| s.ids.len() as u64).sum(),
            neuron_bytes,
            synapse_bytes,
            self.shards.iter().map(|s| s.synapses.len()).sum(),
        ])[..]
        else {
            unreachable!("six sums")
        };
        RunStats {
            steps: self.now,
            slices: self.slices,
            spikes: self.digest.count(),
            digest: self.digest.hex(),
            synaptic_events,
            poisson_draws,
            time_simulate: self.time_simulate,
            time_construction_connect: self.time_construction_connect,
            timers,
            shard_timers: self.shards.iter().map(|s| s.timers).collect(),
            shard_histograms: self.shards.iter().map(|s| s.histograms.clone()).collect(),
            neurons,
            neuron_bytes,
            synapse_bytes,
            synapses_stored,
        }
    }

    /// Connections of synapse model `name` as built: stored synapses plus
    /// device connections (NEST's `num_connections`).
    pub fn num_connections(&self, name: &str) -> Result<u64, EngineError> {
        let model = self
            .net
            .synapse_models()
            .iter()
            .position(|m| m.name == name)
            .ok_or_else(|| NetworkError::UnknownSynapseModel(name.into()))?;
        let stored: u64 = self
            .shards
            .iter()
            .flat_map(|s| &s.synapses.projections)
            .filter(|p| p.synapse_model as usize == model)
            .map(|p| p.len() as u64)
            .sum();
        let stored = self.sum_over_ranks(&[stored])[0];
        // Device connections are not stored as synapses; the description
        // counts them exactly, and every neuron-to-neuron one is stored.
        let described = self.net.num_connections(name)?;
        let neuron_described: u64 = self
            .net
            .projections()
            .iter()
            .filter(|p| p.synapse_model as usize == model)
            .map(|p| p.rule.count(&p.sources, &p.targets))
            .sum();
        Ok(stored + described - neuron_described)
    }

    /// Spikes the neurons of `nodes` emitted so far, over all ranks.
    pub fn spike_total(&self, nodes: &spindle_network::NodeCollection) -> u64 {
        let mine: u64 = self
            .shards
            .iter()
            .map(|s| {
                self.partition
                    .owned(&self.partition.shards()[s.index], nodes)
                    .map(|(_, local)| s.spike_counts[local as usize] as u64)
                    .sum::<u64>()
            })
            .sum();
        self.sum_over_ranks(&[mine])[0]
    }

    /// Spikes neuron `id` emitted so far (`None` for devices, and under
    /// MPI for neurons of another rank).
    pub fn spike_count(&self, id: NodeId) -> Option<u32> {
        let (s, local) = self.partition.locate(id)?;
        let s = s.checked_sub(self.first_shard)?;
        Some(self.shards.get(s)?.spike_counts[local as usize])
    }

    fn recorder_index(&self, recorder: NodeId) -> Result<usize, EngineError> {
        self.devices
            .recorders
            .binary_search(&recorder)
            .map_err(|_| EngineError::Config(format!("node {recorder} is not a spike_recorder")))
    }

    /// Events spike recorder `recorder` has seen (NEST's `n_events`),
    /// whether it keeps them or not.
    pub fn n_events(&self, recorder: NodeId) -> Result<u64, EngineError> {
        let r = self.recorder_index(recorder)?;
        let mine = self
            .shards
            .iter()
            .map(|s| s.recorded_counts[r])
            .sum::<u64>();
        Ok(self.sum_over_ranks(&[mine])[0])
    }

    /// The events of spike recorder `recorder`, sorted by time, then sender
    /// (empty for a recorder with `record_to: None`).
    pub fn spike_events(&self, recorder: NodeId) -> Result<SpikeEvents, EngineError> {
        let r = self.recorder_index(recorder)?;
        let mut all: Vec<(Step, NodeId)> = self
            .shards
            .iter()
            .flat_map(|s| s.recorded[r].iter().copied())
            .collect();
        if let Some(ranks) = &self.ranks {
            let words: Vec<u64> = all.iter().flat_map(|&(t, id)| [t, id as u64]).collect();
            all = crate::ranks::gather(ranks.as_ref(), &words)
                .concat()
                .chunks_exact(2)
                .map(|w| (w[0], w[1] as NodeId))
                .collect();
        }
        all.sort_unstable();
        let res = self.net.resolution();
        Ok(SpikeEvents {
            senders: all.iter().map(|e| e.1).collect(),
            // A spike in step n is stamped at the end of the step.
            times: all.iter().map(|e| res.ms(e.0 + 1)).collect(),
        })
    }

    /// The samples of multimeter `meter`, sorted by time, then sender.
    pub fn multimeter_events(&self, meter: NodeId) -> Result<MultimeterEvents, EngineError> {
        if self.ranks.as_ref().is_some_and(|r| r.size() > 1) {
            return Err(EngineError::Config(
                "multimeters are not yet read across MPI ranks".into(),
            ));
        }
        match self.net.node(meter) {
            Some(NodeKind::Multimeter(_)) => {}
            _ => {
                return Err(EngineError::Config(format!(
                    "node {meter} is not a multimeter"
                )));
            }
        }
        let mut all: Vec<(Step, NodeId, usize, usize)> = Vec::new();
        for (si, s) in self.shards.iter().enumerate() {
            for (i, sample) in s.samples.iter().enumerate() {
                let (m, target) = self.devices.probes[sample.probe as usize];
                if m == meter {
                    all.push((sample.step, target, si, i));
                }
            }
        }
        all.sort_unstable();
        let res = self.net.resolution();
        let mut ev = MultimeterEvents::default();
        for (step, target, si, i) in all {
            let sample = &self.shards[si].samples[i];
            ev.senders.push(target);
            ev.times.push(res.ms(step + 1));
            ev.v_m.push(sample.v_m);
            ev.i_syn_ex.push(sample.i_syn_ex);
            ev.i_syn_in.push(sample.i_syn_in);
        }
        Ok(ev)
    }

    /// Write the `.dat` file of every spike recorder with
    /// `record_to: Ascii` into `dir`; returns the paths written.
    pub fn write_recorders(&self, dir: &Path, prefix: &str) -> Result<Vec<PathBuf>, EngineError> {
        let mut written = Vec::new();
        for &rec in &self.devices.recorders {
            let NodeKind::SpikeRecorder(p) = self.net.node(rec).expect("a recorder node") else {
                unreachable!("recorders are spike_recorder nodes")
            };
            if p.record_to != RecordTo::Ascii {
                continue;
            }
            let path = dat_path(dir, prefix, &p.label, rec);
            // Every rank takes part in gathering the events; rank 0 writes.
            let events = self.spike_events(rec)?;
            if self.ranks.as_ref().is_some_and(|r| r.rank() != 0) {
                continue;
            }
            write_dat(&path, &events)
                .map_err(|e| EngineError::Io(path.display().to_string(), e.to_string()))?;
            written.push(path);
        }
        Ok(written)
    }
}

/// X(k) on the rank's first thread: send this rank's shards' slice spikes
/// and its stop flag to every rank, receive theirs into the exchange's
/// remote lists, and set the common stop answer (any rank's flag). Returns
/// the time of the count exchange (where ranks wait for each other) and of
/// the spike collective.
fn trade_spikes(
    ranks: &dyn Ranks,
    exchange: &SpikeExchange,
    parity: usize,
    first_shard: usize,
    total_shards: usize,
) -> (PhaseTime, PhaseTime) {
    // One word for the flag, then per local shard its length and spikes.
    let local = exchange.shards();
    let mut mine = vec![u64::from(exchange.stop_requested(parity))];
    for l in 0..local {
        // SAFETY: between B(k) and the second barrier: every local shard
        // published its slice-k spikes before B(k).
        let spikes = unsafe { exchange.spikes_of(l, parity) };
        mine.push(spikes.len() as u64);
        mine.extend(
            spikes
                .iter()
                .map(|sp| (u64::from(sp.lag) << 32) | u64::from(sp.id)),
        );
    }
    let t0 = Stamp::now();
    let counts = ranks.all_gather(mine.len() as u64);
    let t1 = Stamp::now();
    let all = ranks.all_gather_varcount(&mine, &counts);
    let t2 = Stamp::now();
    // SAFETY: the rank's first thread, between B(k) and the second barrier.
    let remote = unsafe { exchange.remote_mut(parity) };
    remote.resize_with(total_shards, Vec::new);
    let mut stop = false;
    let mut at = 0;
    for (r, &count) in counts.iter().enumerate() {
        let end = at + count as usize;
        stop |= all[at] != 0;
        at += 1;
        for l in 0..local {
            let g = r * local + l;
            let n = all[at] as usize;
            at += 1;
            let list = &mut remote[g];
            list.clear();
            if g < first_shard || g >= first_shard + local {
                list.extend(all[at..at + n].iter().map(|&w| Spike {
                    lag: (w >> 32) as u32,
                    id: w as u32,
                }));
            }
            at += n;
        }
        debug_assert_eq!(at, end);
    }
    exchange.request_stop(parity, stop);
    (t0.until(&t1), t1.until(&t2))
}

fn print_progress(done: Step, total: Step, h: f64, wall: Duration) -> std::io::Result<()> {
    let model_ms = done as f64 * h;
    let rtf = if model_ms > 0.0 {
        wall.as_secs_f64() * 1000.0 / model_ms
    } else {
        0.0
    };
    let mut err = std::io::stderr().lock();
    write!(
        err,
        "\r[ {:>3}% ] Model time: {:.1} ms, Real-time factor: {:.4}",
        done * 100 / total.max(1),
        model_ms,
        rtf
    )?;
    err.flush()
}

/// Run `work` on one thread per item (shard), pinned if asked. A failing or
/// panicking shard releases the others from the barrier, and the first
/// error is returned.
fn on_shard_threads<I, T, F>(
    config: &Config,
    exchange: &SpikeExchange,
    items: Vec<I>,
    work: F,
) -> Result<Vec<T>, EngineError>
where
    I: Send,
    T: Send,
    F: Fn(I) -> Result<T, EngineError> + Sync,
{
    let cores = if config.pin {
        core_affinity::get_core_ids()
    } else {
        None
    };
    let results: Vec<Result<T, EngineError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .into_iter()
            .enumerate()
            .map(|(s, item)| {
                let (work, cores) = (&work, cores.as_deref());
                std::thread::Builder::new()
                    .name(format!("spindle-shard-{s}"))
                    .spawn_scoped(scope, move || {
                        if let Some(cores) = cores.filter(|c| !c.is_empty()) {
                            core_affinity::set_for_current(cores[s % cores.len()]);
                        }
                        let out = catch_unwind(AssertUnwindSafe(|| work(item)))
                            .unwrap_or_else(|p| Err(EngineError::Panicked(s, panic_message(&p))));
                        if out.is_err() {
                            exchange.abort();
                        }
                        out
                    })
                    .expect("spawning a shard thread")
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("shard threads catch panics"))
            .collect()
    });
    let mut out = Vec::with_capacity(results.len());
    let mut first_err = None;
    for r in results {
        match r {
            Ok(v) => out.push(v),
            // A shard released by another's failure reports `Aborted`;
            // report the original failure instead.
            Err(EngineError::Aborted) => {}
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None if out.len() < config.threads => Err(EngineError::Aborted),
        None => Ok(out),
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Memory available to this process [bytes], from /proc/meminfo.
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
