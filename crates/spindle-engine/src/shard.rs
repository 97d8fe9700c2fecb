//! A shard: the neurons one thread owns, with their state, their incoming
//! synapses, their input ring and their Poisson streams.

use spindle_core::rng::{Purpose, stream_state};
use spindle_core::{NodeId, Resolution, Step};
use spindle_models::devices::RecordTo;
use spindle_models::poisson::{PoissonDrive, PoissonInput, PoissonSampler};
use spindle_models::{InputRing, Isa, Population, SliceInput, SliceOutput};
use spindle_network::storage::{ProjectionRows, ShardSynapses};
use spindle_network::{DeviceConnection, Network, NodeKind, Partition, ShardRange};

use crate::exchange::{Spike, for_each_in_order};
use crate::timers::ShardTimes;

/// A spike-generator event bound for one of this shard's neurons.
#[derive(Debug, Clone, Copy)]
struct Injection {
    arrival: Step,
    local: u32,
    weight: f64,
}

/// Global numbering of recorders and multimeter probes, shared by all
/// shards while they build.
pub(crate) struct DeviceIndex {
    /// Node id of each spike recorder, by recorder index.
    pub recorders: Vec<NodeId>,
    /// Whether each recorder keeps its events (else it only counts them).
    pub stores: Vec<bool>,
    /// (multimeter node id, sampled neuron) of each probe, by probe index.
    pub probes: Vec<(NodeId, NodeId)>,
    /// First probe index of each device connection (multimeters only).
    probe_base: Vec<u32>,
}

impl DeviceIndex {
    pub(crate) fn new(net: &Network) -> Self {
        let (mut recorders, mut stores) = (Vec::new(), Vec::new());
        for (nodes, kind) in net.node_runs() {
            if let NodeKind::SpikeRecorder(p) = kind {
                recorders.extend(nodes.iter());
                stores.extend(nodes.iter().map(|_| p.record_to != RecordTo::None));
            }
        }
        let mut probes = Vec::new();
        let mut probe_base = Vec::new();
        for c in net.device_connections() {
            probe_base.push(probes.len() as u32);
            if let DeviceConnection::Multimeter { meter, targets } = c {
                probes.extend(targets.iter().map(|t| (*meter, t)));
            }
        }
        Self {
            recorders,
            stores,
            probes,
            probe_base,
        }
    }

    fn recorder(&self, id: NodeId) -> u32 {
        self.recorders.binary_search(&id).expect("a spike recorder") as u32
    }
}

/// Counters of one shard.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ShardCounters {
    /// Synaptic events written into the ring.
    pub synaptic_events: u64,
}

pub(crate) struct Shard {
    pub index: usize,
    /// Node id of each local neuron.
    pub ids: Vec<NodeId>,
    pops: Vec<Box<dyn Population>>,
    /// The vector unit the populations and the ring run on.
    isa: Isa,
    ring: InputRing,
    poisson: PoissonInput,
    pub synapses: ShardSynapses,
    injections: Vec<Injection>,
    next_injection: usize,
    /// Recorder indices per local neuron (most have none).
    recorders_of: Vec<Vec<u32>>,
    /// Recorded (step, sender) per recorder index.
    pub recorded: Vec<Vec<(Step, NodeId)>>,
    /// Events per recorder index, kept or not.
    pub recorded_counts: Vec<u64>,
    stores: Vec<bool>,
    /// This slice's spikes as (local, lag), in update order, and every
    /// multimeter sample so far.
    pub output: SliceOutput,
    pub spike_counts: Vec<u32>,
    /// The slice's spikes of every shard in delivery order.
    merged: Vec<Spike>,
    /// This slice's spikes sorted by (lag, id), to publish.
    pub out: Vec<Spike>,
    pub times: ShardTimes,
    pub counters: ShardCounters,
}

impl Shard {
    /// Build shard `range` of `net`: meant to run on the shard's own thread,
    /// so that its memory is first touched there.
    pub(crate) fn build(
        net: &Network,
        partition: &Partition,
        range: &ShardRange,
        devices: &DeviceIndex,
        ring_len: usize,
        reuse: Vec<ProjectionRows>,
        isa: Isa,
    ) -> Self {
        let res: Resolution = net.resolution();
        let n = range.len();
        let ids: Vec<NodeId> = (range.ranks.start..range.ranks.end)
            .map(|r| partition.id(r))
            .collect();

        let mut pops = Vec::new();
        for (nodes, params) in net.populations() {
            let owned: Vec<(NodeId, u32)> = partition.owned(range, nodes).collect();
            if let Some(&(_, first)) = owned.first() {
                let model = params.model();
                pops.push(model.population(params.values(), res, first, owned.len()));
            }
        }

        let mut drives = Vec::new();
        let mut per_neuron: Vec<Vec<_>> = vec![Vec::new(); n];
        let mut injections = Vec::new();
        let mut recorders_of = vec![Vec::new(); n];
        for (c, conn) in net.device_connections().iter().enumerate() {
            match conn {
                DeviceConnection::Poisson {
                    generator,
                    targets,
                    weight,
                    delay,
                } => {
                    let NodeKind::PoissonGenerator(p) =
                        net.node(*generator).expect("a device node")
                    else {
                        unreachable!("a Poisson connection starts at a poisson_generator")
                    };
                    let window = |ms: f64| {
                        if ms.is_finite() {
                            (ms / res.h()).round() as Step
                        } else {
                            Step::MAX
                        }
                    };
                    let d = drives.len() as u32;
                    drives.push(PoissonDrive {
                        // NEST: mean = h * rate * 1e-3, in this order.
                        sampler: PoissonSampler::new(res.h() * p.rate * 1e-3),
                        weight: *weight,
                        delay: *delay,
                        t_min: window(p.start),
                        t_max: window(p.stop),
                    });
                    for (id, local) in partition.owned(range, targets) {
                        let state = stream_state(
                            net.seed(),
                            Purpose::Poisson,
                            *generator as u64,
                            id as u64,
                        );
                        per_neuron[local as usize].push((d, state));
                    }
                }
                DeviceConnection::SpikeGenerator {
                    generator,
                    targets,
                    weight,
                    delay,
                } => {
                    let NodeKind::SpikeGenerator(p) = net.node(*generator).expect("a device node")
                    else {
                        unreachable!("a spike-generator connection starts at a spike_generator")
                    };
                    for (_, local) in partition.owned(range, targets) {
                        for &t in &p.spike_times {
                            // A spike at t (grid step k) is sent in step k - 1
                            // and is felt at the end of step k - 1 + delay.
                            let k = (t / res.h()).round() as Step;
                            injections.push(Injection {
                                arrival: k - 1 + delay,
                                local,
                                weight: *weight,
                            });
                        }
                    }
                }
                DeviceConnection::SpikeRecorder { recorder, sources } => {
                    let r = devices.recorder(*recorder);
                    for (_, local) in partition.owned(range, sources) {
                        recorders_of[local as usize].push(r);
                    }
                }
                DeviceConnection::Multimeter { meter, targets } => {
                    let NodeKind::Multimeter(p) = net.node(*meter).expect("a device node") else {
                        unreachable!("a multimeter connection starts at a multimeter")
                    };
                    let interval = p
                        .interval
                        .map(|ms| (ms / res.h()).round() as Step)
                        .unwrap_or(1);
                    for (id, local) in partition.owned(range, targets) {
                        let probe = devices.probe_base[c] + targets.position(id).unwrap() as u32;
                        let pop = pops
                            .iter_mut()
                            .rev()
                            .find(|p| p.offset() <= local)
                            .expect("every neuron is in a population");
                        let i = (local - pop.offset()) as usize;
                        pop.attach_probe(i, probe, interval);
                    }
                }
            }
        }
        injections.sort_by_key(|i| i.arrival);
        let synapses = ShardSynapses::build_reusing(net, partition, range, reuse);

        Self {
            index: range.index,
            ids,
            pops,
            isa,
            ring: InputRing::with_planes(
                n,
                ring_len,
                &synapses.count_weights,
                &synapses.plane_depths,
                isa,
            ),
            poisson: PoissonInput::new(drives, per_neuron),
            synapses,
            injections,
            next_injection: 0,
            recorders_of,
            recorded: vec![Vec::new(); devices.recorders.len()],
            recorded_counts: vec![0; devices.recorders.len()],
            stores: devices.stores.clone(),
            output: SliceOutput::default(),
            spike_counts: vec![0; n],
            merged: Vec::new(),
            out: Vec::new(),
            times: ShardTimes::default(),
            counters: ShardCounters::default(),
        }
    }

    /// Bytes of state, ring, Poisson streams and synapses.
    pub(crate) fn bytes(&self) -> (usize, usize) {
        let neurons = self.pops.iter().map(|p| p.bytes()).sum::<usize>()
            + self.ids.len() * (4 + 4 + size_of::<Vec<u32>>())
            + self.ring.bytes()
            + self.poisson.bytes();
        (neurons, self.synapses.bytes())
    }

    /// Poisson counts drawn so far.
    pub(crate) fn poisson_draws(&self) -> u64 {
        self.poisson.draws()
    }

    /// Write the spikes of one slice (every shard's list) into this
    /// shard's ring, in (lag, id) order. `origin` is that slice's first step.
    pub(crate) fn deliver(&mut self, origin: Step, lists: &[&[Spike]]) {
        // Delivery walks one row per spike and shard; with many shards the
        // rows are short (78 bytes per spike at order 2500 on 16 threads),
        // so each spike's row offsets and first lines are fetched some
        // spikes ahead, the offsets first since finding the row needs them.
        const OFFSETS_AHEAD: usize = 8;
        const ROWS_AHEAD: usize = 4;
        let mut merged = std::mem::take(&mut self.merged);
        merged.clear();
        for_each_in_order(lists, |spike| merged.push(*spike));
        for sp in merged.iter().take(OFFSETS_AHEAD) {
            self.synapses.prefetch_offsets(sp.id);
        }
        for sp in merged.iter().take(ROWS_AHEAD) {
            self.synapses.prefetch(sp.id);
        }
        let mut events = 0u64;
        for (i, sp) in merged.iter().enumerate() {
            if let Some(ahead) = merged.get(i + OFFSETS_AHEAD) {
                self.synapses.prefetch_offsets(ahead.id);
            }
            if let Some(ahead) = merged.get(i + ROWS_AHEAD) {
                self.synapses.prefetch(ahead.id);
            }
            events += self
                .synapses
                .deliver(&mut self.ring, origin + sp.lag as Step, sp.id);
        }
        self.merged = merged;
        self.counters.synaptic_events += events;
    }

    /// Add spike-generator events that arrive in steps `..end`.
    pub(crate) fn inject(&mut self, end: Step) {
        while let Some(i) = self.injections.get(self.next_injection) {
            if i.arrival >= end {
                break;
            }
            self.ring.add(i.arrival, i.local as usize, i.weight);
            self.next_injection += 1;
        }
    }

    /// Update every neuron over `origin + 0 .. origin + len` and leave this
    /// slice's spikes, sorted by (lag, id), in `out`.
    pub(crate) fn update(&mut self, origin: Step, len: u32) {
        self.output.spikes.clear();
        let mut input = SliceInput {
            ring: &mut self.ring,
            poisson: &mut self.poisson,
        };
        for pop in &mut self.pops {
            pop.update(self.isa, origin, 0, len, &mut input, &mut self.output);
        }
        // Counting sort by lag; populations report each lag's spikes in
        // ascending local index (= ascending id), which the sort keeps.
        let staged = &self.output.spikes;
        let mut starts = vec![0usize; len as usize + 1];
        for &(_, lag) in staged {
            starts[lag as usize + 1] += 1;
        }
        for l in 1..starts.len() {
            starts[l] += starts[l - 1];
        }
        self.out.clear();
        self.out.resize(staged.len(), Spike { lag: 0, id: 0 });
        for &(local, lag) in staged {
            let id = self.ids[local as usize];
            self.out[starts[lag as usize]] = Spike { lag, id };
            starts[lag as usize] += 1;
            self.spike_counts[local as usize] += 1;
            for &r in &self.recorders_of[local as usize] {
                self.recorded_counts[r as usize] += 1;
                if self.stores[r as usize] {
                    self.recorded[r as usize].push((origin + lag as Step, id));
                }
            }
        }
    }
}
