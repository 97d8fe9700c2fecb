//! A shard: the neurons one thread owns, with their state, their incoming
//! synapses, their input ring and their Poisson streams.

use spindle_core::rng::{Purpose, stream_state};
use spindle_core::{NodeId, Resolution, Step};
use spindle_models::current::Waveform;
use spindle_models::devices::{GeneratedSpike, PoissonGeneratorParams, RecordTo, window_steps};
use spindle_models::poisson::{PoissonDrive, PoissonInput, PoissonSampler};
use spindle_models::sources::{Shared, Train};
use spindle_models::{
    CurrentDrive, CurrentInput, InputRing, Isa, NeuronParams, ParamError, Population, SliceInput,
    SliceOutput,
};
use spindle_network::archive::SpikeArchive;
use spindle_network::storage::weighted::Group;
use spindle_network::storage::{ProjectionRows, ShardSynapses, WeightSample};
use spindle_network::{
    DeviceConnection, Network, NetworkError, NodeCollection, NodeKind, Partition, ShardRange,
};

use crate::exchange::{Spike, for_each_in_order};
use crate::timers::ShardTimes;

/// A spike-generator event bound for one of this shard's neurons.
#[derive(Debug, Clone, Copy)]
struct Injection {
    arrival: Step,
    local: u32,
    weight: f64,
    generator: NodeId,
    /// The step it was sent in.
    sent: Step,
    /// The receptor type it reaches (0: the neuron's (ex, inh) input).
    receptor: u32,
}

/// The events of spike generator `generator` (its `spikes`) through
/// connection (`weight`, `delay`, `receptor`) to local neuron `local`.
fn injections(
    generator: NodeId,
    spikes: &[GeneratedSpike],
    (weight, delay, receptor): (f64, Step, u32),
    local: u32,
) -> impl Iterator<Item = Injection> + '_ {
    spikes.iter().map(move |s| {
        // A spike at grid point k is sent in step k - 1 and is felt at the
        // end of step k - 1 + delay.
        let sent = s.stamp - 1;
        Injection {
            arrival: sent + delay,
            local,
            weight: s.weight_through(weight),
            generator,
            sent,
            receptor,
        }
    })
}

/// `spikes` as neurons `targets` read them: a neuron that counts spikes
/// (`parrot_neuron`) reads no spike weights, only multiplicities (NEST).
fn counted(
    net: &Network,
    targets: &NodeCollection,
    mut spikes: Vec<GeneratedSpike>,
) -> Vec<GeneratedSpike> {
    if let Some(NodeKind::Neuron { model, .. }) = net.node(targets.first())
        && model.counts_spikes()
    {
        spikes.iter_mut().for_each(|s| s.weight = None);
    }
    spikes
}

/// The connections of spike generator `id` in `net`: (connection index,
/// targets, weight, delay).
fn spike_links(net: &Network, id: NodeId) -> Vec<(usize, NodeCollection, f64, Step)> {
    net.device_connections()
        .iter()
        .enumerate()
        .filter_map(|(c, conn)| match conn {
            DeviceConnection::SpikeGenerator {
                generator,
                targets,
                weight,
                delay,
                ..
            } if *generator == id => Some((c, *targets, *weight, *delay)),
            _ => None,
        })
        .collect()
}

/// One target of a stochastic spike source on this shard: its train and
/// its connection.
struct SourceLink {
    generator: NodeId,
    local: u32,
    link: (f64, Step, u32),
    train: Train,
}

/// The population of `pops` (in local-index order) holding local neuron
/// `local`, and the neuron's index there.
fn population_at(pops: &[Box<dyn Population>], local: u32) -> (usize, usize) {
    let k = pops.partition_point(|p| p.offset() <= local) - 1;
    (k, (local - pops[k].offset()) as usize)
}

/// Per population to change, the runs (start, length) of its neurons whose
/// new parameters agree, with those parameters.
pub(crate) type NeuronChanges = Vec<(usize, Vec<(usize, usize, NeuronParams)>)>;

/// The parameters a population of the shard was built with, but for the
/// state variables' initial values.
fn structural(params: &NeuronParams, base: &NeuronParams) -> NeuronParams {
    let mut p = params.clone();
    for name in params.model().state_params() {
        if let Ok(v) = base.get(name) {
            p.set(name, v).expect("the model's own");
        }
    }
    p
}

/// Global numbering of recorders and multimeter probes, shared by all
/// shards while they build.
pub(crate) struct DeviceIndex {
    /// (node id, port) of each spike recorder (port 0) and correlation
    /// detector port, by recorder index, sorted.
    pub recorders: Vec<(NodeId, u32)>,
    /// Whether each recorder keeps its events (else it only counts them).
    pub stores: Vec<bool>,
    /// Each recorder's window: it records spikes stamped in
    /// `(t_min, t_max]` [steps].
    pub windows: Vec<(Step, Step)>,
    /// (multimeter node id, sampled neuron) of each probe, by probe index.
    pub probes: Vec<(NodeId, NodeId)>,
    /// First probe index of each device connection (multimeters only).
    probe_base: Vec<u32>,
    /// The probe whose samples each probe reads (itself, or the first
    /// probe on the same neuron).
    pub primary: Vec<u32>,
    /// Node id of each weight recorder, by weight recorder index.
    pub weight_recorders: Vec<NodeId>,
    /// The weight recorder index recording each projection, if any.
    pub weight_recorder_of: Vec<Option<u32>>,
}

impl DeviceIndex {
    pub(crate) fn new(net: &Network) -> Self {
        let (mut recorders, mut stores, mut windows) = (Vec::new(), Vec::new(), Vec::new());
        for (nodes, kind) in net.node_runs() {
            match kind {
                NodeKind::SpikeRecorder(p) => {
                    recorders.extend(nodes.iter().map(|id| (id, 0)));
                    stores.extend(nodes.iter().map(|_| p.record_to != RecordTo::None));
                    windows.extend(nodes.iter().map(|_| p.window.steps(net.resolution())));
                }
                // Each port of a correlation detector records as a spike
                // recorder does; the histograms are made when read.
                NodeKind::CorrelationDetector(p) => {
                    for id in nodes.iter() {
                        for port in 0..2 {
                            recorders.push((id, port));
                            stores.push(true);
                            windows.push(p.window.steps(net.resolution()));
                        }
                    }
                }
                _ => {}
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
        // A neuron carries one probe: later multimeters on it read the
        // samples of the first (they share its interval: `Network`
        // checks).
        let mut first = std::collections::HashMap::new();
        let primary: Vec<u32> = probes
            .iter()
            .enumerate()
            .map(|(p, &(_, target))| *first.entry(target).or_insert(p as u32))
            .collect();
        let weight_recorders: Vec<NodeId> = net
            .node_runs()
            .iter()
            .filter(|(_, kind)| matches!(kind, NodeKind::WeightRecorder(_)))
            .flat_map(|(nodes, _)| nodes.iter())
            .collect();
        let weight_recorder_of = net
            .projections()
            .iter()
            .map(|p| {
                let r = net.synapse_models()[p.synapse_model as usize].weight_recorder?;
                weight_recorders.binary_search(&r).ok().map(|i| i as u32)
            })
            .collect();
        Self {
            recorders,
            stores,
            windows,
            probes,
            probe_base,
            primary,
            weight_recorders,
            weight_recorder_of,
        }
    }

    fn recorder(&self, id: NodeId, port: u32) -> u32 {
        self.recorders
            .binary_search(&(id, port))
            .expect("a spike recorder") as u32
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
    /// Each population's network population and parameters (but for state
    /// variables' initial values).
    pieces: Vec<(usize, NeuronParams)>,
    /// The vector unit the populations and the ring run on.
    isa: Isa,
    ring: InputRing,
    poisson: PoissonInput,
    /// The generator of each Poisson drive.
    poisson_generators: Vec<NodeId>,
    currents: CurrentInput,
    pub synapses: ShardSynapses,
    injections: Vec<Injection>,
    next_injection: usize,
    /// The trains of the stochastic spike sources to this shard's
    /// neurons, drawn run by run (`draw_sources`).
    sources: Vec<SourceLink>,
    /// Each source's shared state, every shard stepping it alike.
    source_shared: std::collections::BTreeMap<NodeId, Shared>,
    /// Recorder indices per local neuron (most have none).
    recorders_of: Vec<Vec<u32>>,
    /// Recorded (step, sender) per recorder index.
    pub recorded: Vec<Vec<(Step, NodeId)>>,
    /// Events per recorder index, kept or not.
    pub recorded_counts: Vec<u64>,
    stores: Vec<bool>,
    /// Each recorder's window (`DeviceIndex::windows`).
    windows: Vec<(Step, Step)>,
    /// This slice's spikes as (local, lag), in update order, and every
    /// multimeter sample so far.
    pub output: SliceOutput,
    pub spike_counts: Vec<u32>,
    /// The stamp of each neuron's last spike (0: none yet).
    pub last_stamp: Vec<Step>,
    /// The slice's spikes of every shard in delivery order.
    merged: Vec<Spike>,
    /// The slice's groups of synapses held as weighted rows.
    groups: Vec<Group>,
    /// This slice's spikes sorted by (lag, id), to publish.
    pub out: Vec<Spike>,
    /// The spike archive of each neuron (empty without plastic synapses).
    pub archives: Vec<SpikeArchive>,
    /// The weight recorder index recording each projection, if any.
    weight_recorder_of: Vec<Option<u32>>,
    /// What the weight recorders have seen, targets by local index.
    pub weight_samples: Vec<WeightSample>,
    /// Spikes (step, source) not yet delivered through the plastic
    /// synapses: NEST delivers at the start of each slice of its
    /// `min_delay` grid only (`plastic_due`).
    pending: Vec<(Step, NodeId)>,
    /// The grid.
    res: Resolution,
    /// NEST's `min_delay` [steps].
    min_delay: Step,
    /// Whether the network has plastic synapses (then slices follow
    /// NEST's grid, the same on every shard).
    pub plastic: bool,
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
        min_delay: Step,
        reuse: Vec<ProjectionRows>,
        isa: Isa,
    ) -> Result<Self, NetworkError> {
        let res: Resolution = net.resolution();
        let n = range.len();
        let ids: Vec<NodeId> = (range.ranks.start..range.ranks.end)
            .map(|r| partition.id(r))
            .collect();

        let mut pops = Vec::new();
        let mut pieces = Vec::new();
        for (pi, (nodes, params)) in net.populations().iter().enumerate() {
            let owned = partition.owned_part(range, nodes);
            if owned.is_empty() {
                continue;
            }
            let first = partition.locate(owned.first()).expect("a neuron").1;
            let own: Vec<(NodeId, &NeuronParams)> = net.node_params_in(&owned).collect();
            // Runs of neurons whose parameters agree but for the state
            // variables' initial values, which are set per neuron.
            let mut start = 0;
            while start < owned.len() {
                let of = |i: usize| -> NeuronParams {
                    let id = owned.get(i);
                    match own.binary_search_by_key(&id, |(j, _)| *j) {
                        Ok(k) => structural(own[k].1, params),
                        Err(_) => params.clone(),
                    }
                };
                let base = of(start);
                let mut end = start + 1;
                if own.is_empty() {
                    end = owned.len();
                }
                while end < owned.len() && of(end) == base {
                    end += 1;
                }
                let offset = first + start as u32;
                let mut pop = params
                    .model()
                    .population(base.values(), res, offset, end - start);
                for &(id, q) in &own {
                    let i = owned.position(id).expect("in the part");
                    if !(start..end).contains(&i) {
                        continue;
                    }
                    for name in q.model().state_params() {
                        let (Ok(v), Ok(was)) = (q.get(name), base.get(name)) else {
                            continue;
                        };
                        if v != was {
                            pop.set_state(i - start, name, v)
                                .expect("a state parameter");
                        }
                    }
                }
                pops.push(pop);
                pieces.push((pi, base));
                start = end;
            }
        }

        let mut drives = Vec::new();
        let mut poisson_generators = Vec::new();
        let mut per_neuron: Vec<Vec<_>> = vec![Vec::new(); n];
        // The receptor port of each of those (drive, neuron) pairs, where
        // any Poisson connection has a receptor type (else none is held).
        let poisson_ports = net.device_connections().iter().any(
            |c| matches!(c, DeviceConnection::Poisson { receptor, .. } if !receptor.is_default()),
        );
        let mut ports_of: Vec<Vec<u32>> = vec![Vec::new(); if poisson_ports { n } else { 0 }];
        let mut current_drives = Vec::new();
        let mut currents_of: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut injections = Vec::new();
        let mut sources = Vec::new();
        let mut recorders_of = vec![Vec::new(); n];
        for (c, conn) in net.device_connections().iter().enumerate() {
            match conn {
                DeviceConnection::Poisson {
                    generator,
                    targets,
                    weight,
                    delay,
                    ..
                } => {
                    let NodeKind::PoissonGenerator(p) =
                        net.node(*generator).expect("a device node")
                    else {
                        unreachable!("a Poisson connection starts at a poisson_generator")
                    };
                    let d = drives.len() as u32;
                    let (t_min, t_max) = window_steps(p.start, p.stop, p.origin, res);
                    drives.push(PoissonDrive {
                        // NEST: mean = h * rate * 1e-3, in this order.
                        sampler: PoissonSampler::new(res.h() * p.rate * 1e-3),
                        weight: *weight,
                        delay: *delay,
                        t_min,
                        t_max,
                    });
                    poisson_generators.push(*generator);
                    for (id, local) in partition.owned(range, targets) {
                        let state = stream_state(
                            net.seed(),
                            Purpose::Poisson,
                            *generator as u64,
                            id as u64,
                        );
                        per_neuron[local as usize].push((d, state));
                        if poisson_ports {
                            let port = net.device_receptor(c, id).saturating_sub(1);
                            ports_of[local as usize].push(port);
                        }
                    }
                }
                DeviceConnection::SpikeGenerator {
                    generator,
                    targets,
                    weight,
                    delay,
                    ..
                } => {
                    let p = match net.node(*generator).expect("a device node") {
                        NodeKind::SpikeGenerator(p) => p,
                        NodeKind::SpikeSource(_) => {
                            for (id, local) in partition.owned(range, targets) {
                                sources.push(SourceLink {
                                    generator: *generator,
                                    local,
                                    link: (*weight, *delay, net.device_receptor(c, id)),
                                    // A stream per connection and target.
                                    train: Train::new(
                                        net.seed(),
                                        *generator,
                                        (c as u64) << 32 | id as u64,
                                    ),
                                });
                            }
                            continue;
                        }
                        _ => unreachable!("a spike-generator connection starts at a generator"),
                    };
                    let spikes = p.spikes(res, 0).expect("checked when created");
                    let spikes = counted(net, targets, spikes);
                    for (id, local) in partition.owned(range, targets) {
                        let link = (*weight, *delay, net.device_receptor(c, id));
                        injections.extend(self::injections(*generator, &spikes, link, local));
                    }
                }
                DeviceConnection::Current {
                    generator,
                    targets,
                    weight,
                    delay,
                } => {
                    let (wave, (t_min, t_max)) = net
                        .node(*generator)
                        .and_then(|k| k.current_waveform(res))
                        .expect("a current connection starts at a current generator");
                    let drive = |wave| CurrentDrive {
                        generator: *generator,
                        wave,
                        weight: *weight,
                        delay: *delay,
                        t_min,
                        t_max,
                        earlier: Vec::new(),
                    };
                    if let Waveform::Noise { .. } = wave {
                        // A noise generator draws for each target on its own.
                        for (id, local) in partition.owned(range, targets) {
                            let mut wave = wave.clone();
                            if let Waveform::Noise { seed, key, .. } = &mut wave {
                                (*seed, *key) = (net.seed(), (*generator as u64) << 32 | id as u64);
                            }
                            currents_of[local as usize].push(current_drives.len() as u32);
                            current_drives.push(drive(wave));
                        }
                    } else {
                        let d = current_drives.len() as u32;
                        current_drives.push(drive(wave));
                        for (_, local) in partition.owned(range, targets) {
                            currents_of[local as usize].push(d);
                        }
                    }
                }
                DeviceConnection::SpikeRecorder {
                    recorder,
                    sources,
                    port,
                    ..
                } => {
                    let r = devices.recorder(*recorder, *port);
                    for (_, local) in partition.owned(range, sources) {
                        recorders_of[local as usize].push(r);
                    }
                }
                DeviceConnection::Multimeter { meter, targets } => {
                    let NodeKind::Multimeter(p) = net.node(*meter).expect("a device node") else {
                        unreachable!("a multimeter connection starts at a multimeter")
                    };
                    let interval = p.probe_interval(res);
                    for (id, local) in partition.owned(range, targets) {
                        let probe = devices.probe_base[c] + targets.position(id).unwrap() as u32;
                        if devices.primary[probe as usize] != probe {
                            continue;
                        }
                        let (k, i) = population_at(&pops, local);
                        pops[k].attach_probe(i, probe, interval);
                    }
                }
            }
        }
        injections.sort_by_key(|i| i.arrival);
        // `draw_sources` takes each source's links together.
        sources.sort_by_key(|l: &SourceLink| l.generator);
        let synapses = ShardSynapses::build_reusing(net, partition, range, reuse)?;
        let plastic = synapses.has_plastic();
        let mut archives = Vec::new();
        if plastic {
            archives = ids
                .iter()
                .map(|&id| {
                    let [tau_minus, tau_minus_triplet] =
                        net.neuron_params(id).expect("a neuron").archive();
                    SpikeArchive::new(tau_minus, tau_minus_triplet)
                })
                .collect();
            synapses.register_plastic(&mut archives);
        }
        // Input can arrive up to the longest delay after the slice being
        // delivered, which itself spans up to min_delay steps. Delays drawn
        // per synapse may be longer than any bound the description knows:
        // the ring covers those this shard drew.
        let ring_len = (net.max_delay().max(synapses.max_delay()) + min_delay) as usize;
        // A channel per port of the neuron with the most (none where no
        // neuron of the shard has ports).
        let ports = pieces.iter().filter_map(|(_, p)| p.ports()).max();
        let mut poisson = PoissonInput::new(drives, per_neuron);
        if poisson_ports {
            poisson = poisson.with_ports(ports_of);
        }

        Ok(Self {
            index: range.index,
            ids,
            pops,
            pieces,
            isa,
            ring: match ports {
                Some(ports) => InputRing::with_planes(
                    n,
                    ring_len,
                    &synapses.count_weights,
                    &synapses.plane_depths,
                    isa,
                )
                .with_ports(ports),
                None => InputRing::with_planes(
                    n,
                    ring_len,
                    &synapses.count_weights,
                    &synapses.plane_depths,
                    isa,
                ),
            },
            poisson,
            poisson_generators,
            currents: CurrentInput::new(current_drives, currents_of),
            synapses,
            injections,
            next_injection: 0,
            sources,
            source_shared: Default::default(),
            recorders_of,
            recorded: vec![Vec::new(); devices.recorders.len()],
            recorded_counts: vec![0; devices.recorders.len()],
            stores: devices.stores.clone(),
            windows: devices.windows.clone(),
            output: SliceOutput::default(),
            spike_counts: vec![0; n],
            last_stamp: vec![0; n],
            merged: Vec::new(),
            groups: Vec::new(),
            out: Vec::new(),
            archives,
            weight_recorder_of: devices.weight_recorder_of.clone(),
            weight_samples: Vec::new(),
            pending: Vec::new(),
            plastic,
            res,
            min_delay,
            times: ShardTimes::default(),
            counters: ShardCounters::default(),
        })
    }

    /// Between runs, the changes `net` (the network this shard was built
    /// from, changed by `set` only) makes to its neurons' parameters: per
    /// population that changed, the runs of its neurons (start, length)
    /// whose new parameters agree, with those parameters.
    pub(crate) fn neuron_changes(&self, net: &Network) -> NeuronChanges {
        let mut changes = Vec::new();
        for (k, (pop, (pi, built))) in self.pops.iter().zip(&self.pieces).enumerate() {
            let params = &net.populations()[*pi].1;
            let offset = pop.offset() as usize;
            let ids = &self.ids[offset..offset + pop.len()];
            let of = |id| structural(net.neuron_params(id).expect("a neuron"), params);
            let mut runs: Vec<(usize, usize, NeuronParams)> = Vec::new();
            for (i, &id) in ids.iter().enumerate() {
                let p = of(id);
                match runs.last_mut() {
                    Some((_, len, q)) if *q == p => *len += 1,
                    _ => runs.push((i, 1, p)),
                }
            }
            if runs.len() > 1 || structural(built, &runs[0].2) != runs[0].2 {
                changes.push((k, runs));
            }
        }
        changes
    }

    /// Make the changes [`Self::neuron_changes`] found: a population whose
    /// neurons now differ is split into populations of equal parameters
    /// (their state, probes and currents kept).
    pub(crate) fn change_neurons(&mut self, changes: NeuronChanges, res: Resolution) {
        // From the last population on, so that the indices of those
        // before stay valid.
        for (k, runs) in changes.into_iter().rev() {
            // Population k keeps the first run; the others are split off
            // from the last (each `start` is then within population k).
            let mut parts: Vec<Box<dyn Population>> = runs[1..]
                .iter()
                .rev()
                .map(|&(start, _, _)| self.pops[k].split_off(start))
                .collect();
            parts.reverse();
            let (pi, built) = self.pieces[k].clone();
            let mut pieces = Vec::with_capacity(runs.len());
            for (j, (_, _, new)) in runs.into_iter().enumerate() {
                let pop = if j == 0 {
                    &mut self.pops[k]
                } else {
                    &mut parts[j - 1]
                };
                if structural(&built, &new) != new {
                    pop.set_params(new.values(), res);
                }
                pieces.push((pi, new));
            }
            self.pieces[k] = pieces.remove(0);
            self.pops.splice(k + 1..k + 1, parts);
            self.pieces.splice(k + 1..k + 1, pieces);
        }
    }

    /// Set state variable `name` of local neuron `local`.
    pub(crate) fn set_state(&mut self, local: u32, name: &str, v: f64) -> Result<(), ParamError> {
        let (k, i) = population_at(&self.pops, local);
        self.pops[k].set_state(i, name, v)
    }

    /// Recordable `r` of local neuron `local` now.
    pub(crate) fn recordable(&self, local: u32, r: usize) -> f64 {
        let (k, i) = population_at(&self.pops, local);
        self.pops[k].recordable(i, r)
    }

    /// State variable `name` of local neuron `local` now, where its
    /// population keeps one that is not a recordable ([`Population::state`]).
    pub(crate) fn state(&self, local: u32, name: &str) -> Option<f64> {
        let (k, i) = population_at(&self.pops, local);
        self.pops[k].state(i, name)
    }

    /// New rate and window of Poisson generator `generator`.
    pub(crate) fn set_poisson(
        &mut self,
        generator: NodeId,
        p: &PoissonGeneratorParams,
        res: Resolution,
    ) {
        let (t_min, t_max) = window_steps(p.start, p.stop, p.origin, res);
        for (d, _) in self
            .poisson_generators
            .iter()
            .enumerate()
            .filter(|(_, g)| **g == generator)
        {
            let drive = self.poisson.drive_mut(d);
            // NEST: mean = h * rate * 1e-3, in this order.
            drive.sampler = PoissonSampler::new(res.h() * p.rate * 1e-3);
            drive.t_min = t_min;
            drive.t_max = t_max;
        }
    }

    /// New weight of Poisson drive `d` (the `d`-th Poisson generator
    /// connection of the network).
    pub(crate) fn set_poisson_weight(&mut self, d: usize, weight: f64) {
        self.poisson.drive_mut(d).weight = weight;
    }

    /// New waveform and window of current generator `generator`, for
    /// what it sends from step `now` on.
    pub(crate) fn set_current(
        &mut self,
        generator: NodeId,
        kind: &NodeKind,
        res: Resolution,
        now: Step,
    ) {
        if let Some((wave, window)) = kind.current_waveform(res) {
            self.currents.set_generator(generator, &wave, window, now);
        }
    }

    /// NEST's `Prepare`: the next run restarts the current generators
    /// that restart with it (NEST's `ac_generator`).
    pub(crate) fn prepare(&mut self) {
        self.currents.prepare();
    }

    /// A run over steps `start..end` begins: current generators that
    /// compute their values run by run (NEST's `ac_generator`) do.
    pub(crate) fn start_run(&mut self, start: Step, end: Step, h: f64) {
        self.currents.start_run(start, end, h);
    }

    /// New spike times of spike generator `generator` of `net`: its events
    /// not yet sent are replaced by those of `times` sent from step `now`
    /// on (those in flight arrive).
    pub(crate) fn set_spike_times(
        &mut self,
        net: &Network,
        generator: NodeId,
        spikes: &[GeneratedSpike],
        partition: &Partition,
        now: Step,
    ) {
        let mut pending: Vec<Injection> = self
            .injections
            .drain(self.next_injection..)
            .filter(|i| i.generator != generator || i.sent < now)
            .collect();
        let range = &partition.shards()[self.index];
        for (c, targets, weight, delay) in spike_links(net, generator) {
            let spikes = counted(net, &targets, spikes.to_vec());
            for (id, local) in partition.owned(range, &targets) {
                pending.extend(injections(
                    generator,
                    &spikes,
                    (weight, delay, net.device_receptor(c, id)),
                    local,
                ));
            }
        }
        pending.sort_by_key(|i| i.arrival);
        self.injections.drain(..self.next_injection);
        self.next_injection = 0;
        self.injections.extend(pending);
    }

    /// Draw the spikes the stochastic sources send this shard's neurons in
    /// steps `from..to` (a run), as events to inject.
    pub(crate) fn draw_sources(&mut self, net: &Network, from: Step, to: Step) {
        if self.sources.is_empty() {
            return;
        }
        let res = net.resolution();
        // What an interrupted run drew beyond where it stopped is drawn
        // again.
        let mut ids: Vec<NodeId> = self.sources.iter().map(|l| l.generator).collect();
        ids.dedup();
        let mut pending: Vec<Injection> = self
            .injections
            .drain(self.next_injection..)
            .filter(|i| i.sent < from || ids.binary_search(&i.generator).is_err())
            .collect();
        self.injections.clear();
        self.next_injection = 0;
        let mut drawn = Vec::new();
        let mut at = 0;
        while at < self.sources.len() {
            let generator = self.sources[at].generator;
            let end = at
                + self.sources[at..]
                    .iter()
                    .take_while(|l| l.generator == generator)
                    .count();
            let Some(NodeKind::SpikeSource(p)) = net.node(generator) else {
                unreachable!("a source link starts at a spike source")
            };
            let shared = self
                .source_shared
                .entry(generator)
                .or_insert_with(|| Shared::new(net.seed(), generator));
            let plan = p.plan(shared, from, to, res);
            for l in &mut self.sources[at..end] {
                drawn.clear();
                plan.spikes(&mut l.train, &mut drawn);
                let spikes: Vec<GeneratedSpike> = drawn
                    .iter()
                    .map(|&(s, k)| GeneratedSpike {
                        stamp: s + 1,
                        weight: None,
                        multiplicity: k,
                    })
                    .collect();
                pending.extend(injections(generator, &spikes, l.link, l.local));
            }
            at = end;
        }
        pending.sort_by_key(|i| i.arrival);
        self.injections = pending;
    }

    /// Forget what recorder `r` recorded (NEST's `n_events = 0`).
    /// Record `k` spikes of `sender` sent in step `step` into recorder
    /// `r`, within its window.
    pub(crate) fn record(&mut self, r: usize, step: Step, sender: NodeId, k: u64) {
        let (t_min, t_max) = self.windows[r];
        let stamp = step + 1;
        if stamp <= t_min || stamp > t_max {
            return;
        }
        self.recorded_counts[r] += k;
        if self.stores[r] {
            for _ in 0..k {
                self.recorded[r].push((step, sender));
            }
        }
    }

    pub(crate) fn clear_recorder(&mut self, r: usize) {
        self.recorded[r].clear();
        self.recorded_counts[r] = 0;
    }

    /// Forget the events of recorder `r` (one that keeps all it counts)
    /// but those `in_flight` says are not delivered yet.
    pub(crate) fn clear_recorder_but(
        &mut self,
        r: usize,
        in_flight: impl Fn(Step, NodeId) -> bool,
    ) {
        self.recorded[r].retain(|&(step, sender)| in_flight(step, sender));
        self.recorded_counts[r] = self.recorded[r].len() as u64;
    }

    /// Whether recorder `r` keeps its events, and its window.
    pub(crate) fn set_stores(&mut self, r: usize, stores: bool, window: (Step, Step)) {
        self.stores[r] = stores;
        self.windows[r] = window;
    }

    /// Forget the samples `drop` selects by probe and step.
    pub(crate) fn clear_samples(&mut self, drop: impl Fn(u32, Step) -> bool) {
        let out = &mut self.output;
        let width = |i: usize, out: &SliceOutput| {
            let end = out
                .samples
                .get(i + 1)
                .map_or(out.values.len(), |s| s.at as usize);
            out.samples[i].at as usize..end
        };
        let mut values = Vec::with_capacity(out.values.len());
        let mut samples = Vec::with_capacity(out.samples.len());
        for i in 0..out.samples.len() {
            let mut sample = out.samples[i];
            if drop(sample.probe, sample.step) {
                continue;
            }
            let at = width(i, out);
            sample.at = values.len() as u32;
            values.extend_from_slice(&out.values[at]);
            samples.push(sample);
        }
        out.values = values;
        out.samples = samples;
    }

    /// Bytes of state, ring, Poisson streams, spike archives and synapses.
    pub(crate) fn bytes(&self) -> (usize, usize) {
        let neurons = self.pops.iter().map(|p| p.bytes()).sum::<usize>()
            + self.ids.len() * (4 + 4 + size_of::<Vec<u32>>())
            + self.ring.bytes()
            + self.poisson.bytes()
            + self.currents.bytes()
            + self.archives.iter().map(SpikeArchive::bytes).sum::<usize>();
        (neurons, self.synapses.bytes())
    }

    /// Poisson counts drawn so far.
    pub(crate) fn poisson_draws(&self) -> u64 {
        self.poisson.draws()
    }

    /// Whether plastic synapses are delivered before the update of the
    /// slice starting at `origin`: NEST delivers at the start of each
    /// slice of its grid of `min_delay` steps from 0 (a slice cut short by
    /// the end of `Simulate` continues in the next call, and the spikes of
    /// the last slice wait for the next call), so the weights seen between
    /// calls are NEST's.
    pub(crate) fn plastic_due(&self, origin: Step) -> bool {
        origin.is_multiple_of(self.min_delay.max(1))
    }

    /// Deliver the spikes pending for the plastic synapses (see
    /// [`plastic_due`](Self::plastic_due)).
    pub(crate) fn deliver_plastic(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let res = self.res;
        let events = self.synapses.deliver_plastic(
            &mut self.ring,
            &mut self.archives,
            &self.ids,
            self.pending.iter().copied(),
            |step| res.ms(step + 1),
            &self.weight_recorder_of,
            &mut self.weight_samples,
        );
        self.pending.clear();
        self.counters.synaptic_events += events;
    }

    /// Write the spikes of one slice (every shard's list) into this
    /// shard's ring, in (lag, id) order. `origin` is that slice's first step.
    /// Plastic synapses only queue them ([`deliver_plastic`](Self::deliver_plastic)).
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
        if self.synapses.has_groups() {
            let spikes = merged.iter().map(|sp| (origin + sp.lag as Step, sp.id));
            events += self
                .synapses
                .deliver_groups(&mut self.ring, spikes, &mut self.groups);
        }
        if self.plastic {
            let spikes = merged.iter().map(|sp| (origin + sp.lag as Step, sp.id));
            self.pending.extend(spikes);
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
            match i.receptor {
                0 => self.ring.add(i.arrival, i.local as usize, i.weight),
                r => {
                    let port = r as usize - 1;
                    self.ring
                        .add_port(i.arrival, i.local as usize, port, i.weight);
                }
            }
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
            currents: &self.currents,
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
        let min_delay_ms = self.min_delay as f64 * self.res.ms_per_step();
        for &(local, lag) in staged {
            if let Some(a) = self.archives.get_mut(local as usize) {
                a.spike(self.res.ms(origin + lag as Step + 1), min_delay_ms);
            }
            let id = self.ids[local as usize];
            self.out[starts[lag as usize]] = Spike { lag, id };
            starts[lag as usize] += 1;
            self.spike_counts[local as usize] += 1;
            let stamp = origin + lag as Step + 1;
            self.last_stamp[local as usize] = stamp;
            for &r in &self.recorders_of[local as usize] {
                let (t_min, t_max) = self.windows[r as usize];
                if stamp <= t_min || stamp > t_max {
                    continue;
                }
                self.recorded_counts[r as usize] += 1;
                if self.stores[r as usize] {
                    self.recorded[r as usize].push((origin + lag as Step, id));
                }
            }
        }
    }
}
