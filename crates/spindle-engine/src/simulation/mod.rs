//! A simulation: built shards ([`build`]), the slice loop that advances
//! them ([`schedule`], driven by [`Simulation::simulate`]) and what can be
//! read back ([`readback`]).

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::{Duration, Instant};

use spindle_core::{NodeId, SpikeDigest, Step};
use spindle_models::devices::RecordWindow;
use spindle_network::{Network, Partition};

use crate::exchange::SpikeExchange;
use crate::ranks::Ranks;
use crate::shard::{DeviceIndex, Shard};
use crate::threads::on_shard_threads;
use crate::timers::{PhaseTimers, SliceHistograms};
use crate::{Config, EngineError};

mod build;
mod change;
mod connections;
mod generated;
mod readback;
mod schedule;

pub use connections::{Connection, ConnectionFilter};
use schedule::{Leader, Run, SliceLoop};

/// A built network, ready to simulate: NEST's kernel after `Connect`.
pub struct Simulation {
    net: Network,
    config: Config,
    partition: Partition,
    devices: DeviceIndex,
    shards: Vec<Shard>,
    exchange: SpikeExchange,
    min_delay: Step,
    /// NEST's `min_delay` (devices' delays counted): its slices are what
    /// its multimeters hand over one at a time.
    nest_min_delay: Step,
    now: Step,
    /// First step of NEST's last slice, on its grid (multimeters see up to it).
    last_slice: Step,
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
    /// The Poisson stream of each (generator, spike recorder) connected
    /// straight (`generated`).
    generator_streams: std::collections::BTreeMap<(NodeId, NodeId), [[u64; 1]; 4]>,
    /// The shared state of each stochastic source connected straight to a
    /// spike recorder, and its train to each recorder (`generated`).
    source_shared: std::collections::BTreeMap<NodeId, spindle_models::sources::Shared>,
    source_trains: std::collections::BTreeMap<(NodeId, NodeId), spindle_models::sources::Train>,
    /// Multimeter samples of sources' rates (`generated`).
    source_samples: Vec<SourceSample>,
    /// Per multimeter cleared (`n_events = 0`), the first step it reads.
    meter_cleared: std::collections::BTreeMap<NodeId, Step>,
    /// Per multimeter whose window changed between runs, each earlier
    /// window and the step it held until.
    meter_windows: std::collections::BTreeMap<NodeId, Vec<(Step, RecordWindow)>>,
}

/// Whether a spike sent in a step by a node has yet to reach a correlation
/// detector, `before` being the first step of the last slice run: a
/// neuron's spikes of the last slice reach it with the next run, as NEST
/// delivers them then; a generator's reach it at once.
fn in_flight(net: &Network, before: Step) -> impl Fn(Step, NodeId) -> bool + '_ {
    move |step, sender| step >= before && net.node(sender).is_some_and(|k| k.is_neuron())
}

/// One multimeter sample of a source (not a neuron): its values in the
/// multimeter's `record_from` order.
#[derive(Debug, Clone)]
struct SourceSample {
    meter: NodeId,
    sender: NodeId,
    step: Step,
    values: Vec<f64>,
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

impl Simulation {
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

    /// The time [ms] up to which NEST's multimeters hold their samples:
    /// NEST's multimeter collects a slice's samples during the next slice,
    /// so those of the last slice run are not there yet (this engine's
    /// [`Simulation::multimeter_events`] has them).
    pub fn multimeter_horizon(&self) -> f64 {
        self.net.resolution().ms(self.last_slice)
    }

    /// The ranks the run is split over, if any.
    pub fn ranks(&self) -> Option<&Arc<dyn Ranks>> {
        self.ranks.as_ref()
    }

    /// NEST's `Simulate`: [`prepare`](Self::prepare), then
    /// [`run`](Self::run).
    pub fn simulate(&mut self, ms: f64) -> Result<(), EngineError> {
        self.prepare();
        self.run(ms)
    }

    /// NEST's `Prepare`: what restarts with a run (an `ac_generator`'s
    /// oscillator) restarts at the next [`run`](Self::run).
    pub fn prepare(&mut self) {
        self.shards.iter_mut().for_each(|s| s.prepare());
    }

    /// NEST's `Run`: advance by `ms` of model time (a multiple of the
    /// resolution). May be called again; the run continues where it
    /// stopped. Each shard runs the slice loop on its own thread (see
    /// [`schedule`]).
    pub fn run(&mut self, ms: f64) -> Result<(), EngineError> {
        let res = self.net.resolution();
        let steps = res.steps_on_grid("simtime", ms)?;
        let end = res.advance("simtime", self.now, steps)?;
        if steps == 0 {
            return Ok(());
        }
        for shard in &mut self.shards {
            shard.start_run(self.now, end, res.h());
            shard.draw_sources(&self.net, self.now, end);
        }
        let digest = Mutex::new(self.digest);
        let digested = AtomicU64::new(0);
        let run = Run {
            t0: self.now,
            end,
            min_delay: self.min_delay,
            interrupt: self.interrupt.as_deref(),
            digest: &digest,
            digested: &digested,
            progress: self.config.progress,
            h: res.h(),
            start: Instant::now(),
        };
        let mut slices = 0u64;
        let mut stderr_closed = false;
        let mut leader = Some(Leader {
            slices: &mut slices,
            progress_at: Instant::now(),
            stderr_closed: &mut stderr_closed,
        });
        let (ports, abort) =
            self.exchange
                .ports(self.ranks.as_deref(), self.first_shard, self.total_shards);
        let loops: Vec<SliceLoop> = self
            .shards
            .iter_mut()
            .zip(ports)
            .map(|(shard, port)| SliceLoop::new(&run, shard, port, leader.take()))
            .collect();
        let reached = on_shard_threads(&self.config, &|| abort.abort(), loops, SliceLoop::run)?;
        if self.config.progress && !stderr_closed {
            use std::io::Write;
            stderr_closed = writeln!(std::io::stderr()).is_err();
        }
        // Every shard stopped at the same boundary: the leader decided for
        // all.
        let reached = reached[0];
        self.time_simulate += run.start.elapsed();
        self.digest = digest.into_inner().unwrap_or_else(|e| e.into_inner());
        self.slices += slices;
        if reached > self.now {
            // NEST's slices lie on a grid of its min_delay from time 0: a
            // run that stops within a slice leaves it to the next run to
            // finish (`SimulationManager::update_`'s `from_step_`), and a
            // multimeter collects a slice's samples only when the next
            // slice starts.
            let md = self.nest_min_delay.max(1);
            self.last_slice = (reached - 1) / md * md;
        }
        self.record_generators(self.now, reached)?;
        self.now = reached;
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
}
