//! The network description and its NEST-like API.

use spindle_core::param::{Draw, Param};
use spindle_core::rng::{Purpose, mix, stream};
use spindle_core::{NodeId, Resolution, Step, TimeError};
use std::collections::BTreeMap;
use std::sync::Arc;

use spindle_models::correlation::CorrelationDetectorParams;
use spindle_models::devices::{
    DcGeneratorParams, DeviceError, MultimeterParams, PoissonGeneratorParams, SpikeGeneratorParams,
    SpikeRecorderParams, WeightRecorderParams,
};
use spindle_models::poisson::PoissonSampler;
use spindle_models::sources::SpikeSourceParams;
use spindle_models::{NeuronParams, ParamError, Release};
use thiserror::Error;

use crate::plasticity::{BUILTIN_SYNAPSES, StdpRule, SynapseKind};
use crate::rules::{Pairs, Totals, totals};
use crate::{ConnRule, NodeCollection, NodeKind, Partition, ReceptorType, SynSpec, SynapseModel};

/// Why a network cannot be described or built as asked.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum NetworkError {
    /// A time that does not fit the grid.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// Invalid neuron parameters.
    #[error("{model}: {error}")]
    Param {
        /// The model's name.
        model: &'static str,
        /// What it refused.
        error: ParamError,
    },
    /// Invalid device parameters.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// `create` with zero nodes.
    #[error("{0}: the number of nodes to create must be > 0")]
    EmptyCreate(&'static str),
    /// A Poisson rate too high to draw from in reasonable time.
    #[error(
        "poisson_generator: rate {rate:e} Hz gives {mean:e} spikes per step; at most {max:e} are supported",
        max = PoissonSampler::MAX_MEAN
    )]
    PoissonRate {
        /// The rate [Hz].
        rate: f64,
        /// Mean spikes per step.
        mean: f64,
    },
    /// Node ids are 32-bit, as NEST's are on most builds.
    #[error("too many nodes: {0} would exceed the limit of 2^31")]
    TooManyNodes(usize),
    /// A synapse model that was never defined.
    #[error("unknown synapse model '{0}'")]
    UnknownSynapseModel(String),
    /// `copy_model` onto an existing name.
    #[error("synapse model '{0}' already exists")]
    DuplicateSynapseModel(String),
    /// A `connect` NEST would refuse.
    #[error("connect: {0}")]
    Connect(String),
    /// A `conn_spec` whose values NEST refuses (NEST's `BadProperty`).
    #[error("connect: {0}")]
    ConnSpec(String),
    /// A `conn_spec` NEST itself does not implement (NEST's
    /// `NotImplemented`).
    #[error("connect: {0}")]
    NotImplemented(String),
    /// The minimum delay is larger than a connection's delay.
    #[error("min_delay {min_delay} ms is larger than the delay {delay} ms of a connection")]
    MinDelay {
        /// The requested minimum delay [ms].
        min_delay: f64,
        /// The offending delay [ms].
        delay: f64,
    },
    /// A receptor type a target's model has, but that does not take this
    /// kind of event (NEST's `IncompatibleReceptorType`: receptor 0 or one
    /// past the ports of a model with ports).
    #[error("Receptor type {receptor} in {model} does not accept {event}.")]
    IncompatibleReceptorType {
        /// The receptor type (the bound of a drawn one that lies outside).
        receptor: f64,
        /// The target's model.
        model: &'static str,
        /// NEST's event class (`SpikeEvent`).
        event: &'static str,
    },
    /// A receptor type the target's model does not have (NEST's
    /// `UnknownReceptorType`: any but 0 for models without ports).
    #[error("Receptor type {receptor} is not available in {model}.")]
    UnknownReceptorType {
        /// The receptor type (the bound of a drawn one that lies outside).
        receptor: f64,
        /// The target's model.
        model: &'static str,
    },
    /// A synapse parameter NEST refuses (NEST's `BadProperty`).
    #[error("{0}")]
    BadProperty(String),
    /// A parameter the synapse model does not have (NEST's
    /// `UnaccessedDictionaryEntry`).
    #[error("{model}: unknown synapse parameter '{param}'")]
    UnknownSynapseParam {
        /// The model.
        model: String,
        /// The parameter.
        param: String,
    },
    /// More memory would be needed than the machine has.
    #[error(
        "the network needs an estimated {needed_mib} MiB but only {available_mib} MiB of memory is available"
    )]
    OutOfMemory {
        /// Estimate [MiB].
        needed_mib: u64,
        /// Available [MiB].
        available_mib: u64,
    },
}

/// A connection between neurons: one `connect` call between two neuron
/// collections. Weight and delay are one value for the projection (then
/// storing a synapse costs only its target's index) unless drawn per
/// synapse.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// Presynaptic neurons.
    pub sources: NodeCollection,
    /// Postsynaptic neurons.
    pub targets: NodeCollection,
    /// The rule that pairs them.
    pub rule: ConnRule,
    /// Index of the synapse model.
    pub synapse_model: u32,
    /// Weight [pA] (unused where `random_weight`).
    pub weight: f64,
    /// Delay [steps]; where `random_delay`, the shortest a drawn delay can
    /// be.
    pub delay: Step,
    /// The weight [pA] drawn per synapse.
    pub random_weight: Option<Param>,
    /// The delay [ms] drawn per synapse, and the longest it can be in
    /// steps (`None`: unbounded).
    pub random_delay: Option<(Param, Option<Step>)>,
    /// The receptor type: 0, one port of the targets for every synapse,
    /// or drawn per synapse (then at most [`MAX_DRAWN_RECEPTOR`]).
    pub receptor: ReceptorType,
    /// The STDP rule of a plastic synapse model (its parameters as the
    /// model's defaults and the `Connect` call set them), `None` for a
    /// static one.
    pub plastic: Option<StdpRule>,
    /// Whether the projection reaches the receptor on which its targets
    /// scale each spike by the release its source sends (NEST's
    /// `iaf_tum_2000`, receptor 1): `plastic` is then the sources'
    /// release as a `tsodyks_synapse` rule, and the synapses reach the
    /// targets' (ex, inh) input, as receptor 0 does.
    pub from_release: bool,
}

/// NEST's refusal to change the number of ports of a neuron spikes reach.
const PORTS_FIXED: &str =
    "The neuron has connections, therefore the number of ports cannot be reduced.";

/// The most projections [`Network::connect_pairs`] splits a static
/// model's pairs into, one per weight given.
pub const MAX_WEIGHT_SPLIT: usize = 16;

/// The largest receptor type drawn per synapse (held in a byte).
pub const MAX_DRAWN_RECEPTOR: u32 = u8::MAX as u32;

impl Projection {
    /// Whether weights, delays or receptor types are drawn per synapse
    /// (in a static projection: plastic ones hold a weight per synapse
    /// anyway).
    pub fn per_synapse(&self) -> bool {
        self.plastic.is_none() && self.random_weight.is_some()
            || self.random_delay.is_some()
            || matches!(self.receptor, ReceptorType::Drawn(_))
    }

    /// The targets' input port (0-based) every synapse reaches, where the
    /// receptor type is one for all and not 0.
    pub fn port(&self) -> Option<u32> {
        match self.receptor {
            _ if self.from_release => None,
            ReceptorType::Fixed(r) if r > 0 => Some(r as u32 - 1),
            _ => None,
        }
    }

    /// Whether the synapses reach the targets' ports (a receptor type
    /// other than 0, one for all or drawn, but a release receptor), not
    /// their (ex, inh) input.
    pub fn reaches_ports(&self) -> bool {
        !self.receptor.is_default() && !self.from_release
    }
}

/// A delay drawn in ms as steps, as NEST rounds it
/// (`Time::delay_ms_to_steps`: to the nearest step, halves up); `None`
/// below one step.
pub fn delay_to_steps(res: Resolution, ms: f64) -> Option<Step> {
    let steps = (ms * (1.0 / res.h()) + 0.5).floor();
    (steps >= 1.0 && steps.is_finite()).then_some(steps as Step)
}

/// A connection from or to a device, expanded to one device each.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceConnection {
    /// A `poisson_generator` driving `targets`.
    Poisson {
        /// Generator node.
        generator: NodeId,
        /// Driven neurons.
        targets: NodeCollection,
        /// Weight [pA].
        weight: f64,
        /// Delay [steps].
        delay: Step,
        /// Receptor type ([`Network::device_receptor`] per target).
        receptor: ReceptorType,
    },
    /// A `spike_generator` driving `targets`.
    SpikeGenerator {
        /// Generator node.
        generator: NodeId,
        /// Driven neurons.
        targets: NodeCollection,
        /// Weight [pA].
        weight: f64,
        /// Delay [steps].
        delay: Step,
        /// Receptor type ([`Network::device_receptor`] per target).
        receptor: ReceptorType,
    },
    /// A current generator driving `targets`.
    Current {
        /// Generator node.
        generator: NodeId,
        /// Driven neurons.
        targets: NodeCollection,
        /// Weight (multiplies the current).
        weight: f64,
        /// Delay [steps].
        delay: Step,
    },
    /// A `spike_recorder` recording `sources`, or one port of a
    /// `correlation_detector`.
    SpikeRecorder {
        /// Recorder node.
        recorder: NodeId,
        /// Recorded neurons.
        sources: NodeCollection,
        /// The receptor port (a correlation detector's 0 or 1).
        port: u32,
        /// The connection's weight.
        weight: f64,
        /// The connection's delay in steps (its synapse model's): NEST
        /// counts it in `min_delay`.
        delay: Step,
    },
    /// A `multimeter` sampling `targets`.
    Multimeter {
        /// Multimeter node.
        meter: NodeId,
        /// Sampled neurons.
        targets: NodeCollection,
    },
}

impl DeviceConnection {
    /// The device at its end: the generator, recorder or multimeter.
    pub fn device(&self) -> NodeId {
        match self {
            Self::Poisson { generator, .. }
            | Self::SpikeGenerator { generator, .. }
            | Self::Current { generator, .. } => *generator,
            Self::SpikeRecorder { recorder, .. } => *recorder,
            Self::Multimeter { meter, .. } => *meter,
        }
    }
}

/// A network under construction: nodes, synapse models and connections.
#[derive(Debug, Clone)]
pub struct Network {
    res: Resolution,
    seed: u64,
    /// Nodes by `create` call, in id order: a description costs the same
    /// for ten neurons as for a billion, so its memory can be estimated
    /// before anything per neuron is allocated.
    pub(crate) nodes: Vec<(NodeCollection, NodeKind)>,
    populations: Vec<(NodeCollection, NeuronParams)>,
    /// Neurons whose parameters differ from their population's (set per
    /// node after `create`).
    node_params: BTreeMap<NodeId, NeuronParams>,
    synapse_models: Vec<SynapseModel>,
    num_connections: Vec<u64>,
    projections: Vec<Projection>,
    /// What drawing each projection gives (drawn at `connect`, and again
    /// when the seed changes).
    totals: Vec<Totals>,
    device_connections: Vec<DeviceConnection>,
    /// The synapse model of each device connection.
    device_models: Vec<u32>,
    min_delay_ms: Option<f64>,
    /// Calls that drew node values so far: part of their streams' keys, so
    /// that drawing the same parameter twice gives new values.
    value_draws: u64,
}

impl Network {
    /// An empty network on the grid `res`, with master seed `seed`
    /// (NEST's `rng_seed`). The synapse model `static_synapse` (weight 1 pA,
    /// delay 1 ms) exists from the start.
    pub fn new(res: Resolution, seed: u64) -> Self {
        Self {
            res,
            seed,
            nodes: Vec::new(),
            populations: Vec::new(),
            node_params: BTreeMap::new(),
            synapse_models: BUILTIN_SYNAPSES
                .iter()
                .map(|&(name, kind)| SynapseModel {
                    name: name.into(),
                    weight: 1.0,
                    delay: 1.0,
                    kind,
                    weight_recorder: None,
                    receptor_type: 0,
                })
                .collect(),
            num_connections: vec![0; BUILTIN_SYNAPSES.len()],
            projections: Vec::new(),
            totals: Vec::new(),
            device_connections: Vec::new(),
            device_models: Vec::new(),
            min_delay_ms: None,
            value_draws: 0,
        }
    }

    /// The resolution.
    pub fn resolution(&self) -> Resolution {
        self.res
    }

    /// The master seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Change the master seed (NEST's `rng_seed`); it takes effect when
    /// the network is built.
    pub fn set_seed(&mut self, seed: u64) {
        if seed == self.seed {
            return;
        }
        self.seed = seed;
        // Drawn totals change with the seed: draw them again.
        for (i, (p, old)) in self.projections.iter().zip(&mut self.totals).enumerate() {
            if !p.rule.is_drawn() {
                continue;
            }
            let new = totals(&p.rule, seed, i as u32, &p.sources, &p.targets);
            let n = &mut self.num_connections[p.synapse_model as usize];
            *n = (*n - old.connections).saturating_add(new.connections);
            *old = new;
        }
    }

    /// Fix the length of a communication slice (NEST's `min_delay`, in ms).
    /// It must be a multiple of the resolution and no larger than any delay
    /// between neurons; by default it is the smallest such delay.
    pub fn set_min_delay(&mut self, ms: f64) -> Result<(), NetworkError> {
        self.res.delay_steps("min_delay", ms)?;
        self.min_delay_ms = Some(ms);
        Ok(())
    }

    fn push_nodes(&mut self, kind: NodeKind, n: usize) -> NodeCollection {
        let nodes = NodeCollection::new(self.num_nodes() as NodeId + 1, n as u32);
        self.nodes.push((nodes, kind));
        nodes
    }

    /// Number of nodes, devices included.
    pub fn num_nodes(&self) -> usize {
        self.nodes
            .last()
            .map_or(0, |(c, _)| c.first() as usize + c.len() - 1)
    }

    /// What node `id` is, if it exists.
    pub fn node(&self, id: NodeId) -> Option<&NodeKind> {
        let i = self.nodes.partition_point(|(c, _)| c.first() <= id);
        let (c, kind) = self.nodes.get(i.checked_sub(1)?)?;
        c.contains(id).then_some(kind)
    }

    /// The nodes, one collection per `create` call, in id order.
    pub fn node_runs(&self) -> &[(NodeCollection, NodeKind)] {
        &self.nodes
    }

    /// `nest.Create(model, n, params)` for a neuron model: `params` names
    /// the model (a model's typed parameters convert into it).
    pub fn create_neurons(
        &mut self,
        n: usize,
        params: impl Into<NeuronParams>,
    ) -> Result<NodeCollection, NetworkError> {
        let params = params.into();
        let model = params.model();
        params.validate().map_err(|error| NetworkError::Param {
            model: model.name(),
            error,
        })?;
        if n == 0 {
            return Err(NetworkError::EmptyCreate(model.name()));
        }
        if self.num_nodes() + n >= u32::MAX as usize / 2 {
            return Err(NetworkError::TooManyNodes(self.num_nodes() + n));
        }
        let population = self.populations.len() as u32;
        let nodes = self.push_nodes(NodeKind::Neuron { model, population }, n);
        self.populations.push((nodes, params));
        Ok(nodes)
    }

    /// `nest.Create("poisson_generator", params={"rate": ...})`.
    pub fn create_poisson_generator(
        &mut self,
        params: PoissonGeneratorParams,
    ) -> Result<NodeCollection, NetworkError> {
        params.validate()?;
        self.check_poisson_mean(&params)?;
        self.check_window(
            "poisson_generator",
            params.start,
            params.stop,
            params.origin,
        )?;
        Ok(self.push_nodes(NodeKind::PoissonGenerator(params), 1))
    }

    fn check_poisson_mean(&self, params: &PoissonGeneratorParams) -> Result<(), NetworkError> {
        // NEST: mean = h * rate * 1e-3, in this order.
        let mean = self.res.h() * params.rate * 1e-3;
        if mean > PoissonSampler::MAX_MEAN {
            return Err(NetworkError::PoissonRate {
                rate: params.rate,
                mean,
            });
        }
        Ok(())
    }

    fn check_spike_times(&self, params: &SpikeGeneratorParams) -> Result<(), NetworkError> {
        params.validate()?;
        params.spikes(self.res, 0)?;
        Ok(())
    }

    /// `nest.Create("spike_generator", params={"spike_times": ...})`;
    /// times must lie on the grid.
    pub fn create_spike_generator(
        &mut self,
        params: SpikeGeneratorParams,
    ) -> Result<NodeCollection, NetworkError> {
        self.check_spike_times(&params)?;
        Ok(self.push_nodes(NodeKind::SpikeGenerator(params), 1))
    }

    /// `nest.Create` of a stochastic or pulse spike source
    /// ([`spindle_models::sources`]).
    pub fn create_spike_source(
        &mut self,
        params: SpikeSourceParams,
    ) -> Result<NodeCollection, NetworkError> {
        params.validate()?;
        self.check_window(params.name(), params.start, params.stop, params.origin)?;
        Ok(self.push_nodes(NodeKind::SpikeSource(params), 1))
    }

    /// `nest.Create("correlation_detector")`.
    pub fn create_correlation_detector(
        &mut self,
        params: CorrelationDetectorParams,
    ) -> Result<NodeCollection, NetworkError> {
        params.validate(self.res)?;
        Ok(self.push_nodes(NodeKind::CorrelationDetector(params), 1))
    }

    /// `nest.Create("dc_generator", params={"amplitude": ...})`.
    pub fn create_dc_generator(
        &mut self,
        params: DcGeneratorParams,
    ) -> Result<NodeCollection, NetworkError> {
        self.create_current_generator(NodeKind::DcGenerator(params))
    }

    /// `nest.Create` of a current generator (`dc_generator`,
    /// `step_current_generator`, `ac_generator`).
    pub fn create_current_generator(
        &mut self,
        kind: NodeKind,
    ) -> Result<NodeCollection, NetworkError> {
        self.check_current_generator(&kind)?;
        Ok(self.push_nodes(kind, 1))
    }

    /// NEST's checks of a current generator's parameters.
    fn check_current_generator(&self, kind: &NodeKind) -> Result<(), NetworkError> {
        let model = kind.model_name();
        let (start, stop, origin) = match kind {
            NodeKind::DcGenerator(p) => {
                p.validate()?;
                (p.start, p.stop, p.origin)
            }
            NodeKind::StepCurrentGenerator(p) => {
                p.validate()?;
                p.stamps(self.res)?;
                (p.start, p.stop, p.origin)
            }
            NodeKind::AcGenerator(p) => {
                p.validate()?;
                (p.start, p.stop, p.origin)
            }
            NodeKind::NoiseGenerator(p) => {
                p.validate()?;
                p.dt_steps(self.res)?;
                (p.start, p.stop, p.origin)
            }
            _ => {
                return Err(NetworkError::Connect(format!(
                    "{model} is not a current generator"
                )));
            }
        };
        self.check_window(model, start, stop, origin)
    }

    /// NEST's check that a device's times lie on the grid.
    fn check_window(
        &self,
        model: &'static str,
        start: f64,
        stop: f64,
        origin: f64,
    ) -> Result<(), NetworkError> {
        for (what, ms) in [("start", start), ("stop", stop), ("origin", origin)] {
            if ms.is_finite() && self.res.steps_on_grid(what, ms.abs()).is_err() {
                return Err(DeviceError::OffGrid { model, what }.into());
            }
        }
        Ok(())
    }

    /// `device.set(...)`: new parameters for device `id` (of the same kind),
    /// checked as `create` checks them.
    pub fn set_device(&mut self, id: NodeId, kind: NodeKind) -> Result<(), NetworkError> {
        match &kind {
            NodeKind::Neuron { .. } => {
                return Err(NetworkError::Connect(format!("node {id} is a neuron")));
            }
            NodeKind::PoissonGenerator(p) => {
                p.validate()?;
                self.check_poisson_mean(p)?;
                self.check_window("poisson_generator", p.start, p.stop, p.origin)?;
            }
            NodeKind::SpikeGenerator(p) => self.check_spike_times(p)?,
            NodeKind::SpikeSource(p) => {
                p.validate()?;
                self.check_window(p.name(), p.start, p.stop, p.origin)?;
            }
            NodeKind::DcGenerator(_)
            | NodeKind::StepCurrentGenerator(_)
            | NodeKind::AcGenerator(_)
            | NodeKind::NoiseGenerator(_) => self.check_current_generator(&kind)?,
            NodeKind::CorrelationDetector(p) => p.validate(self.res)?,
            NodeKind::SpikeRecorder(_) | NodeKind::Multimeter(_) | NodeKind::WeightRecorder(_) => {}
        }
        let i = self.nodes.partition_point(|(c, _)| c.first() <= id);
        let run = i.checked_sub(1).map(|i| &mut self.nodes[i]);
        match run {
            // Devices are made one run per node.
            Some((c, k))
                if c.contains(id)
                    && c.len() == 1
                    && std::mem::discriminant(k) == std::mem::discriminant(&kind) =>
            {
                *k = kind;
                Ok(())
            }
            _ => Err(NetworkError::Connect(format!(
                "node {id} is not a {}",
                kind.model_name()
            ))),
        }
    }

    /// `nest.Create("spike_recorder", params={"label": ..., "record_to": ...})`.
    pub fn create_spike_recorder(
        &mut self,
        params: SpikeRecorderParams,
    ) -> Result<NodeCollection, NetworkError> {
        Ok(self.push_nodes(NodeKind::SpikeRecorder(params), 1))
    }

    /// `nest.Create("weight_recorder", params={...})`.
    pub fn create_weight_recorder(&mut self, params: WeightRecorderParams) -> NodeCollection {
        self.push_nodes(NodeKind::WeightRecorder(params), 1)
    }

    /// `nest.CopyModel(.., {"weight_recorder": wr})` or `SetDefaults`:
    /// the weight recorder (a `weight_recorder` node, or none) that
    /// records every spike passing a synapse of model `name`. Spindle
    /// records the synapses of plastic models only.
    pub fn set_weight_recorder(
        &mut self,
        name: &str,
        recorder: Option<NodeId>,
    ) -> Result<(), NetworkError> {
        let m = self.synapse_model(name)? as usize;
        if let Some(r) = recorder
            && !matches!(self.node(r), Some(NodeKind::WeightRecorder(_)))
        {
            return Err(NetworkError::Connect(format!(
                "node {r} is not a weight_recorder"
            )));
        }
        if recorder.is_some() && self.synapse_models[m].kind == SynapseKind::Static {
            return Err(NetworkError::NotImplemented(format!(
                "Spindle records the weights of plastic synapse models only ('{name}' is static)"
            )));
        }
        self.synapse_models[m].weight_recorder = recorder;
        Ok(())
    }

    /// `SetDefaults` or `CopyModel` with `receptor_type`: the receptor type
    /// connections of model `name` reach unless their `syn_spec` names one.
    pub fn set_synapse_receptor(&mut self, name: &str, receptor: i64) -> Result<(), NetworkError> {
        let m = self.synapse_model(name)? as usize;
        self.synapse_models[m].receptor_type = receptor;
        Ok(())
    }

    /// `nest.Create("multimeter", params={"record_from": ..., "interval": ...})`.
    pub fn create_multimeter(
        &mut self,
        params: MultimeterParams,
    ) -> Result<NodeCollection, NetworkError> {
        if let Some(interval) = params.interval {
            self.res.delay_steps("multimeter interval", interval)?;
        }
        Ok(self.push_nodes(NodeKind::Multimeter(params), 1))
    }

    /// The parameters of neuron `id`: its own where set per node, else
    /// those of its `create` call.
    pub fn neuron_params(&self, id: NodeId) -> Option<&NeuronParams> {
        self.node_params.get(&id).or_else(|| {
            self.populations
                .iter()
                .find(|(c, _)| c.contains(id))
                .map(|(_, p)| p)
        })
    }

    /// The neurons of `nodes` whose parameters differ from their
    /// population's, in id order.
    pub fn node_params_in(
        &self,
        nodes: &NodeCollection,
    ) -> impl Iterator<Item = (NodeId, &NeuronParams)> + '_ {
        let (first, len) = (nodes.first(), nodes.len() as NodeId);
        self.node_params
            .range(first..first.saturating_add(len))
            .map(|(id, p)| (*id, p))
    }

    /// `nodes.set(...)` on neurons: new parameters for each neuron of
    /// `nodes`, made from its current ones by `params`. A whole population
    /// changes as one; a part of one keeps its values per node. All or
    /// nothing.
    pub fn set_neuron_params(
        &mut self,
        nodes: &NodeCollection,
        params: impl Fn(&NeuronParams) -> Result<NeuronParams, ParamError>,
    ) -> Result<(), NetworkError> {
        let mut covered = 0;
        let mut whole = Vec::new();
        let mut single = Vec::new();
        for (i, (c, p)) in self.populations.iter().enumerate() {
            let overlap = c.overlap(nodes);
            if overlap == 0 {
                continue;
            }
            let model = p.model().name();
            let change = |old: &NeuronParams| {
                let param = |error| NetworkError::Param { model, error };
                let new = params(old).map_err(param)?;
                if new.model() != old.model() {
                    return Err(NetworkError::Connect(format!(
                        "neurons {}.. are {model}, not {}",
                        c.first(),
                        new.model().name()
                    )));
                }
                new.validate().map_err(param)?;
                let part = NodeCollection::new(c.first().max(nodes.first()), overlap as u32);
                if let Some(e) = self.release_fixed(&part, old, &new) {
                    return Err(e);
                }
                if new.ports() != old.ports()
                    && let Some(e) = self.ports_fixed(&part)
                {
                    return Err(param(e));
                }
                Ok(new)
            };
            if overlap == c.len() {
                let own = self
                    .node_params_in(c)
                    .map(|(id, q)| Ok((id, change(q)?)))
                    .collect::<Result<Vec<_>, NetworkError>>()?;
                whole.push((i, change(p)?, own));
            } else {
                let from = c.first().max(nodes.first());
                for id in from..from + overlap as NodeId {
                    let old = self.neuron_params(id).expect("a neuron");
                    single.push((i, id, change(old)?));
                }
            }
            covered += overlap;
        }
        if covered != nodes.len() {
            return Err(NetworkError::Connect(
                "the collection holds nodes that are not neurons".into(),
            ));
        }
        for (i, new, own) in whole {
            let c = self.populations[i].0;
            let ids: Vec<NodeId> = self.node_params_in(&c).map(|(id, _)| id).collect();
            for id in ids {
                self.node_params.remove(&id);
            }
            for (id, q) in own {
                if q != new {
                    self.node_params.insert(id, q);
                }
            }
            self.populations[i].1 = new;
        }
        for (i, id, new) in single {
            if new == self.populations[i].1 {
                self.node_params.remove(&id);
            } else {
                self.node_params.insert(id, new);
            }
        }
        Ok(())
    }

    /// `nodes.set(name=param)` with a random parameter (`nest.random`):
    /// each neuron's value drawn from its own stream, keyed by the node,
    /// this call and `name`, so the values do not depend on the partition.
    /// All or nothing.
    pub fn set_neuron_values(
        &mut self,
        nodes: &NodeCollection,
        name: &str,
        param: &Param,
    ) -> Result<(), NetworkError> {
        let bad = |e: spindle_core::param::ParamValueError| NetworkError::Connect(e.to_string());
        param.validate().map_err(bad)?;
        let call = self.value_draws;
        let key = name
            .bytes()
            .fold(mix(call ^ 0x6e61_6d65), |k, b| mix(k ^ u64::from(b)));
        let mut values = Vec::with_capacity(nodes.len());
        for id in nodes.iter() {
            let mut draw = Draw::new(stream(self.seed, Purpose::NodeValue, id as u64, key));
            values.push(param.sample(&mut draw).map_err(bad)?);
        }
        self.set_neuron_params_each(nodes, |id, old| {
            let mut q = old.clone();
            q.set(name, values[(id - nodes.first()) as usize])?;
            Ok(q)
        })?;
        self.value_draws += 1;
        Ok(())
    }

    /// As [`set_neuron_params`](Self::set_neuron_params), node by node:
    /// `params` makes each neuron's new parameters from its id and its
    /// current ones. All or nothing.
    pub fn set_neuron_params_each(
        &mut self,
        nodes: &NodeCollection,
        params: impl Fn(NodeId, &NeuronParams) -> Result<NeuronParams, ParamError>,
    ) -> Result<(), NetworkError> {
        let mut changes = Vec::with_capacity(nodes.len());
        for id in nodes.iter() {
            let (i, base) = match self.population_of(id) {
                Some(found) => found,
                None => {
                    return Err(NetworkError::Connect(
                        "the collection holds nodes that are not neurons".into(),
                    ));
                }
            };
            let old = self.neuron_params(id).expect("a neuron");
            let model = old.model().name();
            let param = |error| NetworkError::Param { model, error };
            let new = params(id, old).map_err(param)?;
            new.validate().map_err(param)?;
            if let Some(e) = self.release_fixed(&NodeCollection::new(id, 1), old, &new) {
                return Err(e);
            }
            if new.ports() != old.ports()
                && let Some(e) = self.ports_fixed(&NodeCollection::new(id, 1))
            {
                return Err(param(e));
            }
            changes.push((id, new == *base, new, i));
        }
        for (id, same, new, _) in changes {
            if same {
                self.node_params.remove(&id);
            } else {
                self.node_params.insert(id, new);
            }
        }
        Ok(())
    }

    /// Whether a multimeter records from any neuron of `nodes`.
    fn recorded(&self, nodes: &NodeCollection) -> bool {
        self.device_connections.iter().any(|c| match c {
            DeviceConnection::Multimeter { targets, .. } => targets.overlap(nodes) > 0,
            _ => false,
        })
    }

    /// Why the number of ports of the neurons `nodes` cannot change, if
    /// it cannot: spikes reach them (NEST's `has_connections`), or a
    /// multimeter records from them (its samples hold a current per port).
    fn ports_fixed(&self, nodes: &NodeCollection) -> Option<ParamError> {
        if self.receives_spikes(nodes) {
            return Some(ParamError::Invalid(PORTS_FIXED.into()));
        }
        self.recorded(nodes).then(|| {
            ParamError::Invalid(
                "Spindle cannot change the number of ports of a neuron a multimeter records from"
                    .into(),
            )
        })
    }

    /// Whether spikes reach any neuron of `nodes` (from neurons, Poisson
    /// or spike generators): NEST's `has_connections`.
    fn receives_spikes(&self, nodes: &NodeCollection) -> bool {
        self.projections
            .iter()
            .any(|p| p.targets.overlap(nodes) > 0)
            || self.device_connections.iter().any(|c| match c {
                DeviceConnection::Poisson { targets, .. }
                | DeviceConnection::SpikeGenerator { targets, .. } => targets.overlap(nodes) > 0,
                _ => false,
            })
    }

    /// The population holding neuron `id`, and its parameters.
    fn population_of(&self, id: NodeId) -> Option<(usize, &NeuronParams)> {
        let i = self.populations.partition_point(|(c, _)| c.first() <= id);
        let (c, p) = self.populations.get(i.checked_sub(1)?)?;
        c.contains(id).then_some((i - 1, p))
    }

    /// `nest.SetDefaults(synapse_model, {"weight": .., "delay": ..})`.
    pub fn set_synapse_defaults(
        &mut self,
        name: &str,
        weight: Option<f64>,
        delay: Option<f64>,
    ) -> Result<(), NetworkError> {
        let m = self.synapse_model(name)? as usize;
        let model = SynapseModel {
            name: name.into(),
            weight: weight.unwrap_or(self.synapse_models[m].weight),
            delay: delay.unwrap_or(self.synapse_models[m].delay),
            kind: self.synapse_models[m].kind,
            weight_recorder: self.synapse_models[m].weight_recorder,
            receptor_type: self.synapse_models[m].receptor_type,
        };
        check_weight(model.weight)?;
        self.res.delay_steps("delay", model.delay)?;
        self.synapse_models[m] = model;
        Ok(())
    }

    /// `nest.CopyModel(existing, new_name, {"weight": .., "delay": ..})`.
    pub fn copy_model(
        &mut self,
        existing: &str,
        new_name: &str,
        weight: Option<f64>,
        delay: Option<f64>,
    ) -> Result<(), NetworkError> {
        let base = self.synapse_model(existing)?;
        if self.synapse_model(new_name).is_ok() {
            return Err(NetworkError::DuplicateSynapseModel(new_name.into()));
        }
        let base = &self.synapse_models[base as usize];
        let model = SynapseModel {
            name: new_name.into(),
            weight: weight.unwrap_or(base.weight),
            delay: delay.unwrap_or(base.delay),
            kind: base.kind,
            weight_recorder: base.weight_recorder,
            receptor_type: base.receptor_type,
        };
        check_weight(model.weight)?;
        self.res.delay_steps("delay", model.delay)?;
        self.synapse_models.push(model);
        self.num_connections.push(0);
        Ok(())
    }

    /// `nest.SetDefaults(synapse_model, {...})` for the parameters of a
    /// plastic model's rule (`Wmax`, `tau_plus`, ...; for
    /// `stdp_pl_synapse_hom` its common properties), by NEST's names.
    /// A name the model does not have is refused (NEST's
    /// `UnaccessedDictionaryEntry`).
    pub fn set_synapse_params(
        &mut self,
        name: &str,
        params: &[(String, f64)],
    ) -> Result<(), NetworkError> {
        let m = self.synapse_model(name)? as usize;
        let mut kind = self.synapse_models[m].kind;
        for (key, v) in params {
            let known = match &mut kind {
                SynapseKind::Plastic(rule) => rule
                    .set(key, *v)
                    .map_err(|e| NetworkError::BadProperty(e.to_string()))?,
                SynapseKind::Static => false,
            };
            if !known {
                return Err(NetworkError::UnknownSynapseParam {
                    model: name.into(),
                    param: key.clone(),
                });
            }
        }
        self.synapse_models[m].kind = kind;
        Ok(())
    }

    /// The kind of synapse model `name` (its rule's defaults if plastic).
    pub fn synapse_kind(&self, name: &str) -> Result<SynapseKind, NetworkError> {
        Ok(self.synapse_models[self.synapse_model(name)? as usize].kind)
    }

    /// The rule of a `Connect` with `syn` onto model `model`: the model's
    /// defaults with the call's parameters; `None` for a static model.
    fn connect_rule(
        &self,
        model: u32,
        syn: &SynSpec,
        weight: f64,
    ) -> Result<Option<StdpRule>, NetworkError> {
        let m = &self.synapse_models[model as usize];
        let SynapseKind::Plastic(mut rule) = m.kind else {
            if let Some((key, _)) = syn.params.first() {
                return Err(NetworkError::UnknownSynapseParam {
                    model: m.name.clone(),
                    param: key.clone(),
                });
            }
            return Ok(None);
        };
        for (key, v) in &syn.params {
            if rule.is_common() && rule.get(key).is_some() {
                return Err(NetworkError::NotImplemented(format!(
                    "Synapse parameter \"{key}\" can only be set via SetDefaults() or \
                     CopyModel()."
                )));
            }
            let known = rule
                .set(key, *v)
                .map_err(|e| NetworkError::BadProperty(e.to_string()))?;
            if !known {
                return Err(NetworkError::UnknownSynapseParam {
                    model: m.name.clone(),
                    param: key.clone(),
                });
            }
        }
        if syn.random_weight.is_none() {
            rule.check_weight(weight)
                .map_err(|e| NetworkError::BadProperty(e.to_string()))?;
        }
        if syn.random_delay.is_some() || matches!(syn.receptor_type, ReceptorType::Drawn(_)) {
            return Err(NetworkError::NotImplemented(format!(
                "{}: delays and receptor types drawn per connection are not supported for \
                 plastic synapses",
                m.name
            )));
        }
        Ok(Some(rule))
    }

    fn synapse_model(&self, name: &str) -> Result<u32, NetworkError> {
        self.synapse_models
            .iter()
            .position(|m| m.name == name)
            .map(|i| i as u32)
            .ok_or_else(|| NetworkError::UnknownSynapseModel(name.into()))
    }

    /// The kind shared by every node of `nodes`, or an error naming `role`.
    fn kind_of(&self, nodes: &NodeCollection, role: &str) -> Result<&NodeKind, NetworkError> {
        if nodes.is_empty() {
            return Err(NetworkError::Connect(format!(
                "the {role} collection is empty"
            )));
        }
        let last = nodes.first() as usize + nodes.len() - 1;
        if nodes.first() == 0 || last > self.num_nodes() {
            return Err(NetworkError::Connect(format!(
                "the {role} collection has unknown nodes"
            )));
        }
        let first = self.node(nodes.first()).expect("checked above");
        let same_class = self
            .nodes
            .iter()
            .filter(|(c, _)| c.overlap(nodes) > 0)
            .all(|(_, k)| std::mem::discriminant(k) == std::mem::discriminant(first));
        if !same_class {
            return Err(NetworkError::Connect(format!(
                "the {role} collection mixes neurons and devices or different devices"
            )));
        }
        Ok(first)
    }

    /// NEST's `Connect` of two arrays of node ids with `one_to_one`:
    /// `sources[i] -> targets[i]` for every `i`, as one projection (values
    /// given per connection are `Param::Table`s in `syn`).
    ///
    /// A static model's weights given per connection are held exactly: the
    /// pairs are split into one projection per weight where there are at
    /// most [`MAX_WEIGHT_SPLIT`] different ones; beyond, they are held as
    /// drawn weights are (`f32`).
    pub fn connect_pairs(
        &mut self,
        sources: &[NodeId],
        targets: &[NodeId],
        syn: &SynSpec,
    ) -> Result<(), NetworkError> {
        let model = self.synapse_model(&syn.model)?;
        let is_static = matches!(
            self.synapse_models[model as usize].kind,
            SynapseKind::Static
        );
        if let (true, Some(Param::Table(w))) = (is_static, &syn.random_weight)
            && sources.len() == w.len()
            && targets.len() == w.len()
        {
            let mut distinct: Vec<u64> = w.iter().map(|x| x.to_bits()).collect();
            distinct.sort_unstable();
            distinct.dedup();
            if distinct.len() <= MAX_WEIGHT_SPLIT {
                for bits in distinct {
                    let which: Vec<usize> =
                        (0..w.len()).filter(|&i| w[i].to_bits() == bits).collect();
                    let pick =
                        |ids: &[NodeId]| -> Vec<NodeId> { which.iter().map(|&i| ids[i]).collect() };
                    let subset = |p: &Param| match p {
                        Param::Table(v) => Param::table(which.iter().map(|&i| v[i]).collect()),
                        p => p.clone(),
                    };
                    let mut part = SynSpec {
                        weight: Some(f64::from_bits(bits)),
                        random_weight: None,
                        random_delay: None,
                        ..syn.clone()
                    };
                    if let Some(d) = &syn.random_delay {
                        part = part.with_random_delay(subset(d));
                    }
                    if let ReceptorType::Drawn(r) = &syn.receptor_type {
                        part = part.with_random_receptor(subset(r));
                    }
                    self.connect_pairs_as_given(&pick(sources), &pick(targets), &part)?;
                }
                return Ok(());
            }
        }
        self.connect_pairs_as_given(sources, targets, syn)
    }

    /// A drawn rule (`fixed_indegree`, `fixed_outdegree`,
    /// `fixed_total_number`) with values given per connection (NEST's
    /// arrays: target by target, `indegree` each; source by source,
    /// `outdegree` each; `N` in all): the connections are drawn as the rule
    /// draws them for the next projection, the `k`-th drawn taking the
    /// `k`-th value, and connected as pairs (so that weights given as
    /// numbers stay exact, see [`connect_pairs`](Self::connect_pairs)).
    fn connect_drawn_with_tables(
        &mut self,
        sources: &NodeCollection,
        targets: &NodeCollection,
        rule: ConnRule,
        syn: &SynSpec,
    ) -> Result<(), NetworkError> {
        for (role, c) in [("source", sources), ("target", targets)] {
            if !self.kind_of(c, role)?.is_neuron() {
                return Err(NetworkError::Connect(
                    "weights and delays given per connection are supported between neurons only"
                        .into(),
                ));
            }
        }
        self.check_rule(&rule, sources, targets)?;
        let expected = rule.count(sources, targets);
        for (key, table) in syn.tables() {
            if table.len() as u64 != expected {
                return Err(NetworkError::Connect(format!(
                    "{}: '{key}' must have one value per connection ({expected}), not {}",
                    rule.name(),
                    table.len()
                )));
            }
        }
        // Every target, its position as its local index: the connections
        // come target by target (source by source for fixed_outdegree),
        // each in the order drawn.
        let owned: Vec<(NodeId, u32)> = targets
            .iter()
            .enumerate()
            .map(|(i, t)| (t, i as u32))
            .collect();
        let index = self.projections.len() as u32;
        let (mut from, mut to) = (Vec::new(), Vec::new());
        let mut scratch = Vec::new();
        crate::rules::for_each_connection(
            &rule,
            self.seed,
            index,
            sources,
            targets,
            &owned,
            &mut scratch,
            |c| {
                from.push(c.source);
                to.push(targets.get(c.local.expect("every target is owned") as usize));
            },
        );
        self.connect_pairs(&from, &to, syn)
    }

    /// [`connect_pairs`](Self::connect_pairs) as one projection.
    fn connect_pairs_as_given(
        &mut self,
        sources: &[NodeId],
        targets: &[NodeId],
        syn: &SynSpec,
    ) -> Result<(), NetworkError> {
        let pairs = Pairs::new(sources, targets).ok_or_else(|| {
            NetworkError::Connect(format!(
                "pairs need as many sources as targets, at least one, valid ids ({} sources, {} \
                 targets)",
                sources.len(),
                targets.len()
            ))
        })?;
        let (from, to) = (pairs.sources(), pairs.targets());
        self.connect(&from, &to, ConnRule::Explicit(Arc::new(pairs)), syn)
    }

    /// `nest.Connect(sources, targets, conn_spec, syn_spec)`.
    pub fn connect(
        &mut self,
        sources: &NodeCollection,
        targets: &NodeCollection,
        rule: ConnRule,
        syn: &SynSpec,
    ) -> Result<(), NetworkError> {
        let counted = matches!(
            rule,
            ConnRule::FixedIndegree { .. }
                | ConnRule::FixedOutdegree { .. }
                | ConnRule::FixedTotalNumber { .. }
        );
        if counted && syn.has_table() {
            return self.connect_drawn_with_tables(sources, targets, rule, syn);
        }
        let model = self.synapse_model(&syn.model)?;
        let defaults = &self.synapse_models[model as usize];
        let weight = syn.weight.unwrap_or(defaults.weight);
        let delay_ms = syn.delay.unwrap_or(defaults.delay);
        check_weight(weight)?;
        let plastic = self.connect_rule(model, syn, weight)?;
        let mut delay = match syn.random_delay {
            Some(_) => 1,
            // NEST rounds a delay to the grid (halves up), refusing one
            // below a step.
            None => match delay_to_steps(self.res, delay_ms) {
                Some(steps) if delay_ms.is_finite() && delay_ms >= self.res.h() * (1.0 - 1e-9) => {
                    steps
                }
                _ => self.res.delay_steps("delay", delay_ms)?,
            },
        };
        let source_kind = self.kind_of(sources, "source")?.clone();
        let target_kind = self.kind_of(targets, "target")?.clone();
        // A parrot_neuron counts spikes: what weighs them is ignored (NEST),
        // stored as 1 so that its input sums are counts (plastic synapses
        // keep their weights, which their rule changes, and deliver 1).
        let parrot = match &target_kind {
            NodeKind::Neuron { model, .. } if model.counts_spikes() => Some(model.name()),
            _ => None,
        };
        if let Some(name) = parrot
            && source_kind.is_current_generator()
        {
            return Err(NetworkError::Connect(format!(
                "{} cannot connect to {name}: it takes no currents",
                source_kind.model_name(),
            )));
        }
        let counted;
        let (weight, syn) = if parrot.is_some() && plastic.is_none() {
            counted = SynSpec {
                random_weight: None,
                ..syn.clone()
            };
            (1.0, &counted)
        } else {
            (weight, syn)
        };
        let random = |p: &Param| {
            p.validate()
                .map_err(|e| NetworkError::Connect(e.to_string()))
        };
        if let Some(p) = &syn.random_weight {
            random(p)?;
        }
        let random_delay = match &syn.random_delay {
            Some(p) => {
                random(p)?;
                let (lo, hi) = p.bounds();
                if hi < 0.5 * self.res.h() {
                    return Err(NetworkError::Connect(format!(
                        "every delay drawn would be below the resolution {} ms",
                        self.res.h()
                    )));
                }
                delay = delay_to_steps(self.res, lo).unwrap_or(1);
                let longest = hi
                    .is_finite()
                    .then(|| delay_to_steps(self.res, hi))
                    .flatten();
                Some((p.clone(), longest))
            }
            None => None,
        };
        let per_synapse = syn.random_weight.is_some() || random_delay.is_some();
        if per_synapse && !(source_kind.is_neuron() && target_kind.is_neuron()) {
            return Err(NetworkError::Connect(
                "weights and delays drawn per connection are supported between neurons only".into(),
            ));
        }
        let receptor = &syn.receptor_type;
        if let ReceptorType::Drawn(p) = receptor {
            random(p)?;
            if !p.is_integer() {
                return Err(NetworkError::Connect(
                    "The dictionary value with key receptor_type does not hold a numeric integer \
                     type."
                        .into(),
                ));
            }
        }
        let spikes = target_kind.is_neuron()
            && (source_kind.is_neuron() || source_kind.is_spike_generator());
        let mut plastic = plastic;
        let mut from_release = false;
        if spikes {
            self.check_ports(targets, receptor, source_kind.is_neuron())?;
            let lowest = syn.random_weight.as_ref().map_or(weight, |p| p.bounds().0);
            if lowest < 0.0 {
                self.check_negative_weights(targets)?;
            }
            self.check_release_sender(sources, targets, receptor, source_kind.is_neuron())?;
            if let Some((release, model)) =
                self.release_rule(sources, targets, receptor, source_kind.is_neuron())?
            {
                let symmetric = matches!(
                    rule,
                    ConnRule::PairwiseBernoulli {
                        symmetric: Some(_),
                        ..
                    }
                );
                let refused = if plastic.is_some() {
                    Some(format!("with {}: only static synapse models", syn.model))
                } else if random_delay.is_some() {
                    Some("with delays drawn per connection".into())
                } else if symmetric {
                    Some("with symmetric_pairwise_bernoulli".into())
                } else {
                    None
                };
                if let Some(how) = refused {
                    return Err(NetworkError::NotImplemented(format!(
                        "Spindle does not connect onto receptor_type {} of {model} (spikes scaled \
                         by their sender's release) {how}",
                        receptor.bounds().0
                    )));
                }
                let rule = release;
                plastic = Some(rule);
                from_release = true;
            }
        } else if !receptor.is_default() && !matches!(target_kind, NodeKind::CorrelationDetector(_))
        {
            // A neuron takes currents and recording requests on receptor 0
            // only, and so does a spike_recorder spikes (NEST).
            let (lo, hi) = receptor.bounds();
            return Err(NetworkError::UnknownReceptorType {
                receptor: if lo != 0.0 { lo } else { hi },
                model: target_kind.model_name(),
            });
        }

        if plastic.is_some() && !(source_kind.is_neuron() && target_kind.is_neuron()) {
            return Err(NetworkError::NotImplemented(format!(
                "{}: plastic synapses are supported between neurons only",
                syn.model
            )));
        }
        let count = match (&source_kind, &target_kind) {
            (s, t) if s.is_neuron() && t.is_neuron() => {
                self.check_rule(&rule, sources, targets)?;
                let index = self.projections.len() as u32;
                let mut rule = rule;
                // symmetric_pairwise_bernoulli: a second projection, the
                // reverse of the first, from the same draws.
                let mut reverse = None;
                if let ConnRule::PairwiseBernoulli {
                    symmetric: Some(sym),
                    ..
                } = &mut rule
                {
                    if syn.random_weight.is_some() || random_delay.is_some() {
                        return Err(NetworkError::NotImplemented(
                            "symmetric_pairwise_bernoulli takes one weight and delay".into(),
                        ));
                    }
                    // The way back reaches the sources' ports.
                    self.check_ports(sources, receptor, true)?;
                    sym.key = index;
                    let mut back = rule.clone();
                    if let ConnRule::PairwiseBernoulli {
                        symmetric: Some(sym),
                        ..
                    } = &mut back
                    {
                        sym.transposed = true;
                    }
                    reverse = Some(back);
                }
                let mut count = 0;
                for (rule, sources, targets) in std::iter::once((rule, sources, targets))
                    .chain(reverse.map(|r| (r, targets, sources)))
                {
                    let index = self.projections.len() as u32;
                    let drawn = totals(&rule, self.seed, index, sources, targets);
                    count += drawn.connections;
                    self.totals.push(drawn);
                    self.projections.push(Projection {
                        sources: *sources,
                        targets: *targets,
                        rule,
                        synapse_model: model,
                        weight,
                        delay,
                        random_weight: syn.random_weight.clone(),
                        random_delay: random_delay.clone(),
                        receptor: receptor.clone(),
                        plastic,
                        from_release,
                    });
                }
                count
            }
            (
                NodeKind::PoissonGenerator(_)
                | NodeKind::SpikeGenerator(_)
                | NodeKind::SpikeSource(_)
                | NodeKind::DcGenerator(_)
                | NodeKind::StepCurrentGenerator(_)
                | NodeKind::AcGenerator(_)
                | NodeKind::NoiseGenerator(_),
                t,
            ) if t.is_neuron() => {
                let pairs = device_pairs(&rule, sources, targets)?;
                // NEST's enforce_single_syn_type.
                let mixed = self
                    .device_connections
                    .iter()
                    .zip(&self.device_models)
                    .any(|(c, &m)| m != model && pairs.iter().any(|(g, _)| *g == c.device()));
                if mixed {
                    return Err(NetworkError::Connect(
                        "All outgoing connections from a device must use the same synapse type."
                            .into(),
                    ));
                }
                let count = pairs.iter().map(|(_, c)| c.len() as u64).sum();
                for (generator, targets) in pairs {
                    self.device_connections.push(match &source_kind {
                        NodeKind::PoissonGenerator(_) => DeviceConnection::Poisson {
                            generator,
                            targets,
                            weight,
                            delay,
                            receptor: receptor.clone(),
                        },
                        k if k.is_current_generator() => DeviceConnection::Current {
                            generator,
                            targets,
                            weight,
                            delay,
                        },
                        _ => DeviceConnection::SpikeGenerator {
                            generator,
                            targets,
                            weight,
                            delay,
                            receptor: receptor.clone(),
                        },
                    });
                }
                count
            }
            (NodeKind::Multimeter(m), NodeKind::SpikeSource(p)) => {
                // A multimeter samples a source's rate (NEST's
                // sinusoidal generators); the engine's `record_generators`.
                if let Some(name) = m
                    .record_from
                    .iter()
                    .find(|n| !p.recordables().contains(&n.as_str()))
                {
                    return Err(DeviceError::Recordable {
                        model: p.name(),
                        name: name.clone(),
                        has: p.recordables().join(", "),
                    }
                    .into());
                }
                let pairs = device_pairs(&rule, sources, targets)?;
                let count = pairs.iter().map(|(_, c)| c.len() as u64).sum();
                for (meter, targets) in pairs {
                    self.device_connections
                        .push(DeviceConnection::Multimeter { meter, targets });
                }
                count
            }
            (NodeKind::Multimeter(m), t) if t.is_neuron() => {
                self.check_recordables(&m.record_from, targets)?;
                let pairs = device_pairs(&rule, sources, targets)?;
                self.check_meters(&pairs)?;
                let count = pairs.iter().map(|(_, c)| c.len() as u64).sum();
                for (meter, targets) in pairs {
                    self.device_connections
                        .push(DeviceConnection::Multimeter { meter, targets });
                }
                count
            }
            // Generators straight into a recorder: it records what they
            // send it (the engine's `record_generators`).
            (s, t @ (NodeKind::SpikeRecorder(_) | NodeKind::CorrelationDetector(_)))
                if s.is_neuron() || s.is_spike_generator() =>
            {
                // NEST records a spike at its time less its offset, which
                // a neuron sending its release has made the release.
                if let (true, NodeKind::SpikeRecorder(_)) = (s.is_neuron(), t)
                    && let Some(q) = self
                        .target_params(sources)
                        .into_iter()
                        .find(|q| q.model().release(q.values()).is_some())
                {
                    return Err(NetworkError::NotImplemented(format!(
                        "NEST records each spike of {} at its time less the release u*x it sends \
                         as the spike's offset; Spindle does not record these neurons' spikes",
                        q.model().name()
                    )));
                }
                let port = match (t, receptor) {
                    (NodeKind::SpikeRecorder(_), _) => 0,
                    (_, ReceptorType::Fixed(r @ (0 | 1))) => *r as u32,
                    (_, r) => {
                        let (lo, hi) = r.bounds();
                        return Err(NetworkError::UnknownReceptorType {
                            receptor: if lo != 0.0 { lo } else { hi },
                            model: t.model_name(),
                        });
                    }
                };
                let pairs = device_pairs(&rule, targets, sources)?;
                let count = pairs.iter().map(|(_, c)| c.len() as u64).sum();
                for (recorder, sources) in pairs {
                    self.device_connections
                        .push(DeviceConnection::SpikeRecorder {
                            recorder,
                            sources,
                            delay,
                            port,
                            weight,
                        });
                }
                count
            }
            (s, t) => {
                return Err(NetworkError::Connect(format!(
                    "Creation of connection is not possible because: {} cannot connect to {}",
                    s.model_name(),
                    t.model_name()
                )));
            }
        };
        self.device_models
            .resize(self.device_connections.len(), model);
        let n = &mut self.num_connections[model as usize];
        *n = n.saturating_add(count);
        Ok(())
    }

    /// NEST connects a multimeter to a node once; Spindle's neurons are
    /// sampled at one interval, which all their multimeters share.
    fn check_meters(&self, pairs: &[(NodeId, NodeCollection)]) -> Result<(), NetworkError> {
        let interval = |meter: NodeId| match self.node(meter) {
            Some(NodeKind::Multimeter(m)) => Some(m.sampling(self.res)),
            _ => None,
        };
        for c in &self.device_connections {
            let DeviceConnection::Multimeter { meter, targets } = c else {
                continue;
            };
            for (new, new_targets) in pairs {
                if targets.overlap(new_targets) == 0 {
                    continue;
                }
                if meter == new {
                    return Err(NetworkError::Connect(
                        "Each multimeter can only be connected once to a given node.".into(),
                    ));
                }
                if interval(*meter) != interval(*new) {
                    return Err(NetworkError::NotImplemented(
                        "Spindle samples a neuron at one interval: its multimeters must share \
                         their interval and offset"
                            .into(),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Parameters of the neurons of `targets`, one for each distinct
    /// (model, number of receptor ports): what receptor and recordable
    /// checks depend on. Neurons whose values differ otherwise (each its
    /// own `V_m`, as the microcircuit draws them) count once, so the cost
    /// stays linear in the neurons set per node.
    fn target_params(&self, targets: &NodeCollection) -> Vec<&NeuronParams> {
        let mut out: Vec<&NeuronParams> = Vec::new();
        let mut kinds: Vec<(&'static str, Option<usize>)> = Vec::new();
        for (c, params) in &self.populations {
            let Some(part) = c.intersection(targets) else {
                continue;
            };
            let mut new_kind = |q: &NeuronParams| {
                let kind = (q.model().name(), q.ports());
                let new = !kinds.contains(&kind);
                if new {
                    kinds.push(kind);
                }
                new
            };
            // Only the per-node parameters among the targets: a Connect
            // onto a few of many set neurons stays cheap.
            let mut owned = 0;
            for (_, q) in self.node_params_in(&part) {
                owned += 1;
                if new_kind(q) {
                    out.push(q);
                }
            }
            if owned < part.len() && new_kind(params) {
                out.push(params);
            }
        }
        out
    }

    /// The `tsodyks_synapse` rule a connection onto `receptor` of
    /// `targets` runs, and the targets' model, where every target scales
    /// spikes there by the release their sender sends (NEST's
    /// `iaf_tum_2000`, receptor 1: the weight times the spike's offset).
    /// The release depends only on the sender's own spikes, with
    /// `tsodyks_synapse`'s expressions, so the rule with the sources'
    /// parameters and initial state gives NEST's weights bit for bit. A
    /// neuron that computes no release sends an offset of 0 in NEST: its
    /// rule is one whose release stays 0 (`U` = `u` = 0), so its spikes
    /// arrive with weight 0 as in NEST. The sources of one call must share
    /// their release (one projection holds one rule).
    fn release_rule(
        &self,
        sources: &NodeCollection,
        targets: &NodeCollection,
        receptor: &ReceptorType,
        source_neurons: bool,
    ) -> Result<Option<(StdpRule, &'static str)>, NetworkError> {
        let ReceptorType::Fixed(r) = *receptor else {
            return Ok(None);
        };
        let takers = self.target_params(targets);
        if r == 0
            || takers.is_empty()
            || !takers
                .iter()
                .all(|p| p.model().release_receptor() == Some(r))
        {
            return Ok(None);
        }
        let model = takers[0].model().name();
        if !source_neurons {
            return Err(NetworkError::NotImplemented(format!(
                "receptor_type {r} of {model} scales each spike by its sender's release; a \
                 device sends none (NEST delivers its spikes there with weight 0), which \
                 Spindle does not implement"
            )));
        }
        // The release of a neuron that computes none: `u` stays 0.
        let silent = (
            Release {
                u0: 0.0,
                tau_psc: 1.0,
                tau_rec: 2.0,
                tau_fac: 0.0,
            },
            [0.0; 3],
        );
        let mut releases: Vec<(Release, [f64; 3])> = Vec::new();
        let mut add = |q: &NeuronParams| {
            let r = q.model().release(q.values()).unwrap_or(silent);
            if !releases.contains(&r) {
                releases.push(r);
            }
        };
        for (c, params) in &self.populations {
            let Some(part) = c.intersection(sources) else {
                continue;
            };
            let mut owned = 0;
            for (_, q) in self.node_params_in(&part) {
                owned += 1;
                add(q);
            }
            if owned < part.len() {
                add(params);
            }
        }
        let [(release, [u, x, y])] = releases[..] else {
            return Err(NetworkError::NotImplemented(format!(
                "the sources of one Connect onto receptor_type {r} of {model} must share their \
                 release (U, tau_fac, tau_psc, tau_rec, x, y, u): Spindle holds it as one \
                 tsodyks_synapse projection; connect the sources in groups that do"
            )));
        };
        let rule = StdpRule::Tsodyks {
            u0: release.u0,
            u,
            x,
            y,
            tau_psc: release.tau_psc,
            tau_rec: release.tau_rec,
            tau_fac: release.tau_fac,
        };
        Ok(Some((rule, model)))
    }

    /// NEST's refusal of a connection between two neurons of a model that
    /// takes releases (`iaf_tum_2000`) on any receptor but that one
    /// (its `handles_test_event`, after the receptor's own check).
    fn check_release_sender(
        &self,
        sources: &NodeCollection,
        targets: &NodeCollection,
        receptor: &ReceptorType,
        source_neurons: bool,
    ) -> Result<(), NetworkError> {
        if !source_neurons {
            return Ok(());
        }
        let senders = self.target_params(sources);
        for t in self.target_params(targets) {
            let Some(r) = t.model().release_receptor() else {
                continue;
            };
            if *receptor != ReceptorType::Fixed(r) && senders.iter().any(|s| s.model() == t.model())
            {
                return Err(NetworkError::Connect(format!(
                    "Creation of connection is not possible because:\n{} neurons must be \
                     connected via receptor_type {r}.",
                    t.model().name()
                )));
            }
        }
        Ok(())
    }

    /// Why the release of the neurons `nodes` cannot change from `old`'s
    /// to `new`'s, if it cannot: they send spikes to a receptor that
    /// scales them by it, whose projection holds it as it was at
    /// `Connect`.
    fn release_fixed(
        &self,
        nodes: &NodeCollection,
        old: &NeuronParams,
        new: &NeuronParams,
    ) -> Option<NetworkError> {
        if old.model().release(old.values()) == new.model().release(new.values()) {
            return None;
        }
        self.projections
            .iter()
            .any(|p| p.from_release && p.sources.overlap(nodes) > 0)
            .then(|| {
                NetworkError::NotImplemented(format!(
                    "Spindle cannot change U, tau_fac, tau_psc, tau_rec, x, y or u of {} neurons \
                     once connected with receptor_type {}; set them before Connect",
                    old.model().name(),
                    old.model().release_receptor().unwrap_or(1)
                ))
            })
    }

    /// NEST's refusal of a negative weight onto neurons of `targets`
    /// whose model takes none (`aeif_cond_beta_multisynapse`). NEST throws
    /// when such a spike arrives, in `Simulate`; Spindle refuses the
    /// connection, with NEST's class and message.
    fn check_negative_weights(&self, targets: &NodeCollection) -> Result<(), NetworkError> {
        for params in self.target_params(targets) {
            if let Some(msg) = params.model().refuses_negative_weights() {
                return Err(NetworkError::BadProperty(msg.into()));
            }
        }
        Ok(())
    }

    /// Whether every neuron of `targets` takes spikes on `receptor` (each
    /// receptor type it can give), as NEST's `handles_test_event` checks:
    /// a model without ports takes receptor 0 only, one with `n` ports
    /// `1..=n`. Between neurons a drawn receptor type is held in a byte.
    fn check_ports(
        &self,
        targets: &NodeCollection,
        receptor: &ReceptorType,
        between_neurons: bool,
    ) -> Result<(), NetworkError> {
        let (lo, hi) = receptor.bounds();
        for params in self.target_params(targets) {
            let model = params.model().name();
            // Its release receptor (`iaf_tum_2000`'s 1) takes spikes too.
            if let (Some(r), ReceptorType::Fixed(given)) =
                (params.model().release_receptor(), receptor)
                && r == *given
            {
                continue;
            }
            match params.ports() {
                None if (lo, hi) != (0.0, 0.0) => {
                    let receptor = if lo != 0.0 { lo } else { hi };
                    return Err(NetworkError::UnknownReceptorType { receptor, model });
                }
                None => {}
                Some(n) => {
                    let receptor = if lo < 1.0 {
                        lo
                    } else if hi > n as f64 {
                        hi
                    } else {
                        continue;
                    };
                    return Err(NetworkError::IncompatibleReceptorType {
                        receptor,
                        model,
                        event: "SpikeEvent",
                    });
                }
            }
        }
        if between_neurons
            && matches!(receptor, ReceptorType::Drawn(_))
            && hi > MAX_DRAWN_RECEPTOR as f64
        {
            return Err(NetworkError::Connect(format!(
                "receptor types drawn per connection between neurons are held up to \
                 {MAX_DRAWN_RECEPTOR} (the parameter gives up to {hi})"
            )));
        }
        Ok(())
    }

    /// The receptor type the `c`-th device connection
    /// ([`device_connections`](Self::device_connections)) reaches neuron
    /// `target` on: its one receptor type, or the one drawn for the target
    /// from a stream keyed by the connection and the target (so it does
    /// not depend on the partition). 0 for connections without one.
    pub fn device_receptor(&self, c: usize, target: NodeId) -> u32 {
        let receptor = match &self.device_connections[c] {
            DeviceConnection::Poisson { receptor, .. }
            | DeviceConnection::SpikeGenerator { receptor, .. } => receptor,
            _ => return 0,
        };
        match receptor {
            ReceptorType::Fixed(r) => *r as u32,
            ReceptorType::Drawn(p) => {
                let mut draw = Draw::new(stream(
                    self.seed,
                    Purpose::DeviceValue,
                    c as u64,
                    target as u64,
                ));
                // Connect checked the bounds and that it gives integers.
                p.sample(&mut draw).unwrap_or(0.0) as u32
            }
        }
    }

    /// NEST's refusals of a rule between neurons (`conn_builder.cpp`,
    /// NEST 3.10), and the few cases NEST would loop forever on.
    fn check_rule(
        &self,
        rule: &ConnRule,
        sources: &NodeCollection,
        targets: &NodeCollection,
    ) -> Result<(), NetworkError> {
        let bad = |msg: String| Err(NetworkError::ConnSpec(format!("{}: {msg}", rule.name())));
        // The only candidate is the node itself and autapses are refused.
        let only_self = |pool: &NodeCollection, other: &NodeCollection| {
            pool.len() == 1 && pool.overlap(other) > 0
        };
        match *rule {
            ConnRule::AllToAll { .. } | ConnRule::Explicit(_) => Ok(()),
            ConnRule::OneToOne { .. } if sources.len() != targets.len() => {
                Err(NetworkError::Connect(format!(
                    "one_to_one needs as many sources as targets ({} != {})",
                    sources.len(),
                    targets.len()
                )))
            }
            ConnRule::OneToOne { .. } => Ok(()),
            ConnRule::FixedIndegree { indegree: 0, .. } => Err(NetworkError::Connect(
                "fixed_indegree: indegree must be > 0".into(),
            )),
            ConnRule::FixedIndegree {
                indegree,
                allow_autapses,
                allow_multapses: false,
            } => {
                let pool =
                    sources.len() - usize::from(!allow_autapses && sources.overlap(targets) > 0);
                if indegree as usize > pool {
                    return bad(format!(
                        "Indegree cannot be larger than population size (indegree {indegree} \
                         exceeds the {pool} possible sources with multapses disallowed)"
                    ));
                }
                Ok(())
            }
            ConnRule::FixedIndegree {
                allow_autapses: false,
                ..
            } if only_self(sources, targets) => {
                bad("the only source is the target and autapses are disallowed".into())
            }
            ConnRule::FixedIndegree { .. } => Ok(()),
            ConnRule::FixedTotalNumber {
                n,
                allow_autapses,
                allow_multapses,
            } => {
                let pairs = sources.len() as u64 * targets.len() as u64;
                if !allow_multapses && n > pairs {
                    return bad(format!(
                        "Total number of connections cannot exceed product of source and \
                         target population sizes (N = {n} > {} x {})",
                        sources.len(),
                        targets.len()
                    ));
                }
                if !allow_multapses {
                    return Err(NetworkError::NotImplemented(
                        "fixed_total_number: Connect doesn't support the suppression of \
                         multapses in the FixedTotalNumber connector."
                            .into(),
                    ));
                }
                if n > 0 && !allow_autapses && sources.overlap(targets) as u64 == pairs {
                    // NEST would loop forever.
                    return bad("the only source is the only target and autapses are \
                                disallowed"
                        .into());
                }
                Ok(())
            }
            ConnRule::PairwiseBernoulli { p, .. } => {
                if !(0.0..=1.0).contains(&p) {
                    return bad(format!(
                        "Connection probability 0 <= p <= 1 required (p = {p})"
                    ));
                }
                Ok(())
            }
            ConnRule::PairwisePoisson {
                mean,
                allow_multapses,
                ..
            } => {
                if !(mean >= 0.0 && mean.is_finite()) {
                    return bad(format!(
                        "Connection parameter 0 ≤ pairwise_avg_num_conns required \
                         (pairwise_avg_num_conns = {mean})"
                    ));
                }
                if !allow_multapses {
                    return bad("Multapses must be allowed for this connection rule.".into());
                }
                Ok(())
            }
            ConnRule::FixedOutdegree {
                outdegree,
                allow_autapses,
                allow_multapses,
            } => {
                if outdegree == 0 {
                    return Ok(());
                }
                if !allow_multapses {
                    let pool = targets.len()
                        - usize::from(!allow_autapses && sources.overlap(targets) > 0);
                    if outdegree as usize > pool {
                        return bad(format!(
                            "Outdegree cannot be larger than population size (outdegree \
                             {outdegree} exceeds the {pool} possible targets with multapses \
                             disallowed)"
                        ));
                    }
                }
                if !allow_autapses && only_self(targets, sources) {
                    return bad("the only target is the source and autapses are disallowed".into());
                }
                Ok(())
            }
        }
    }

    /// Connections made with synapse model `name` so far (NEST's
    /// `GetDefaults(name)["num_connections"]`); connections to and from
    /// devices count, as in NEST.
    pub fn num_connections(&self, name: &str) -> Result<u64, NetworkError> {
        Ok(self.num_connections[self.synapse_model(name)? as usize])
    }

    /// Whether every model among `targets` has every recordable named in
    /// `names` (NEST checks at `Connect`).
    fn check_recordables(
        &self,
        names: &[String],
        targets: &NodeCollection,
    ) -> Result<(), NetworkError> {
        for params in self.target_params(targets) {
            let model = params.model();
            let has = model.recordables_for(params.values());
            if let Some(name) = names.iter().find(|n| !has.iter().any(|r| r.name == *n)) {
                return Err(DeviceError::Recordable {
                    model: model.name(),
                    name: name.clone(),
                    has: has.iter().map(|r| r.name).collect::<Vec<_>>().join(", "),
                }
                .into());
            }
        }
        Ok(())
    }

    /// The neuron populations (one per `create_neurons`).
    pub fn populations(&self) -> &[(NodeCollection, NeuronParams)] {
        &self.populations
    }

    /// Synapse models.
    pub fn synapse_models(&self) -> &[SynapseModel] {
        &self.synapse_models
    }

    /// Connections between neurons.
    pub fn projections(&self) -> &[Projection] {
        &self.projections
    }

    /// What drawing each projection gives (its exact number of
    /// connections, a bound on its in-degrees), in connect order.
    pub fn projection_totals(&self) -> &[Totals] {
        &self.totals
    }

    /// Connections from and to devices.
    pub fn device_connections(&self) -> &[DeviceConnection] {
        &self.device_connections
    }

    /// Give every connection of device connection `i` (a
    /// `poisson_generator`'s, which holds one weight for its targets) the
    /// weight `weight` [pA], as NEST's `SynapseCollection.set` does.
    pub fn set_poisson_weight(&mut self, i: usize, weight: f64) -> Result<(), NetworkError> {
        if !weight.is_finite() {
            return Err(NetworkError::BadProperty(format!(
                "weight must be finite (got {weight})"
            )));
        }
        match self.device_connections.get_mut(i) {
            Some(DeviceConnection::Poisson { weight: w, .. }) => {
                *w = weight;
                Ok(())
            }
            _ => Err(NetworkError::NotImplemented(
                "Spindle changes the weights of a poisson_generator's connections only, not of \
                 other devices'"
                    .into(),
            )),
        }
    }

    /// The synapse model of device connection `i` (of
    /// [`device_connections`](Self::device_connections)).
    pub fn device_connection_model(&self, i: usize) -> u32 {
        self.device_models[i]
    }

    /// Number of neurons.
    pub fn num_neurons(&self) -> usize {
        self.populations.iter().map(|(c, _)| c.len()).sum()
    }

    /// The slice length in steps (NEST's `min_delay`): the user's choice,
    /// else the shortest delay between neurons, else the shortest delay of
    /// any connection, else one step.
    pub fn min_delay(&self) -> Result<Step, NetworkError> {
        let shortest = self.projections.iter().map(|p| p.delay).min();
        match self.min_delay_ms {
            Some(ms) => {
                let steps = self.res.delay_steps("min_delay", ms)?;
                if let Some(d) = shortest.filter(|&d| d < steps) {
                    return Err(NetworkError::MinDelay {
                        min_delay: ms,
                        delay: self.res.ms(d),
                    });
                }
                Ok(steps)
            }
            None => Ok(shortest.or_else(|| self.device_delays().min()).unwrap_or(1)),
        }
    }

    /// Whether any projection is of a plastic synapse model.
    pub fn has_plastic(&self) -> bool {
        self.projections.iter().any(|p| p.plastic.is_some())
    }

    /// NEST's `min_delay` (unless set): the shortest delay of any
    /// connection, devices' included: spike recorders' (their synapse
    /// model's delay, as hpc_benchmark.py's `static_synapse_hpc` at
    /// 1.5 ms) and multimeters', which NEST connects with
    /// `static_synapse`'s default delay. Plastic synapses are delivered on
    /// its grid.
    pub fn nest_min_delay(&self) -> Result<Step, NetworkError> {
        if self.min_delay_ms.is_some() {
            return self.min_delay();
        }
        let recorders = self.device_connections.iter().filter_map(|c| match c {
            DeviceConnection::SpikeRecorder { delay, .. } => Some(*delay),
            _ => None,
        });
        let metering = self
            .device_connections
            .iter()
            .any(|c| matches!(c, DeviceConnection::Multimeter { .. }));
        let recording = if metering {
            Some(
                self.res
                    .delay_steps("delay", self.synapse_models[0].delay)?,
            )
        } else {
            None
        };
        Ok(self
            .projections
            .iter()
            .map(|p| p.delay)
            .chain(self.device_delays())
            .chain(recorders)
            .chain(recording)
            .min()
            .unwrap_or(1))
    }

    fn device_delays(&self) -> impl Iterator<Item = Step> + '_ {
        self.device_connections.iter().filter_map(|c| match c {
            DeviceConnection::Poisson { delay, .. }
            | DeviceConnection::SpikeGenerator { delay, .. }
            | DeviceConnection::Current { delay, .. } => Some(*delay),
            _ => None,
        })
    }

    /// The longest delay of any connection, in steps (at least one); of
    /// delays drawn per synapse, the longest they can be where that is
    /// bounded (a shard's ring covers those it drew).
    pub fn max_delay(&self) -> Step {
        self.projections
            .iter()
            .map(|p| match &p.random_delay {
                Some((_, longest)) => longest.unwrap_or(p.delay),
                None => p.delay,
            })
            .chain(self.device_delays())
            .max()
            .unwrap_or(1)
    }

    /// Split the neurons into `shards` contiguous blocks: of nearly equal
    /// size, or, where STDP synapses reach some neurons, of nearly equal
    /// expected delivery work ([`Self::delivery_cost`]).
    pub fn partition(&self, shards: usize) -> Partition {
        match self.delivery_cost() {
            Some(cost) => Partition::by_cost(&self.nodes, shards, &cost),
            None => Partition::new(&self.nodes, shards),
        }
    }

    /// Each neuron's expected delivery work, in rank order, where STDP
    /// synapses reach some neurons (`None` otherwise: the blocks of equal
    /// size then stay as they were): one per neuron (its update) plus its
    /// expected number of incoming synapses, an STDP synapse counted
    /// `STDP_COST` times. A plastic synapse's event costs several times a
    /// static one's (the weight's update reads the target's spike history
    /// and calls `exp` and `pow`); with blocks of equal size the shard of
    /// hpc_benchmark's excitatory neurons delivered for 25 % longer than
    /// the other, which waited.
    fn delivery_cost(&self) -> Option<Vec<f64>> {
        const STDP_COST: f64 = 8.0;
        let stdp = |p: &Projection| p.plastic.is_some_and(|r| r.reads_archive());
        if !self.projections.iter().any(stdp) {
            return None;
        }
        let ranks = Partition::new(&self.nodes, 1);
        let mut cost = vec![1.0; ranks.shards()[0].len()];
        for p in &self.projections {
            if p.targets.is_empty() {
                continue;
            }
            let in_degree = p.rule.count(&p.sources, &p.targets) as f64 / p.targets.len() as f64;
            let per = in_degree * if stdp(p) { STDP_COST } else { 1.0 };
            for id in p.targets.iter() {
                if let Some(r) = ranks.rank(id) {
                    cost[r as usize] += per;
                }
            }
        }
        Some(cost)
    }
}

fn check_weight(w: f64) -> Result<(), NetworkError> {
    if w.is_finite() {
        Ok(())
    } else {
        Err(NetworkError::Connect(format!(
            "weight must be finite (got {w})"
        )))
    }
}

/// Expand a device connection: (device, neurons it serves).
fn device_pairs(
    rule: &ConnRule,
    devices: &NodeCollection,
    neurons: &NodeCollection,
) -> Result<Vec<(NodeId, NodeCollection)>, NetworkError> {
    match rule {
        ConnRule::AllToAll { .. } => Ok(devices.iter().map(|d| (d, *neurons)).collect()),
        ConnRule::OneToOne { .. } if devices.len() == neurons.len() => Ok(devices
            .iter()
            .enumerate()
            .map(|(i, d)| (d, neurons.slice(i..i + 1).expect("same length")))
            .collect()),
        ConnRule::OneToOne { .. } => Err(NetworkError::Connect(format!(
            "one_to_one needs as many devices as neurons ({} != {})",
            devices.len(),
            neurons.len()
        ))),
        ConnRule::FixedIndegree { .. }
        | ConnRule::FixedTotalNumber { .. }
        | ConnRule::PairwiseBernoulli { .. }
        | ConnRule::PairwisePoisson { .. }
        | ConnRule::FixedOutdegree { .. } => Err(NetworkError::Connect(
            "devices connect with all_to_all or one_to_one only".into(),
        )),
        ConnRule::Explicit(_) => Err(NetworkError::NotImplemented(
            "Spindle connects arrays of node ids pair by pair between neurons only".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spindle_models::IafPscAlphaParams;
    use spindle_models::devices::PoissonGeneratorParams;

    fn net() -> (Network, NodeCollection, NodeCollection) {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 1);
        let e = net.create_neurons(8, IafPscAlphaParams::default()).unwrap();
        let i = net.create_neurons(2, IafPscAlphaParams::default()).unwrap();
        (net, e, i)
    }

    #[test]
    fn weight_recorders_name_plastic_models_only() {
        fn model(net: &Network, name: &str) -> SynapseModel {
            let m = net.synapse_model(name).unwrap() as usize;
            net.synapse_models()[m].clone()
        }
        let (mut net, _, _) = net();
        let wr = net.create_weight_recorder(Default::default()).first();
        net.copy_model("stdp_synapse", "stdp_rec", None, None)
            .unwrap();
        net.set_weight_recorder("stdp_rec", Some(wr)).unwrap();
        net.copy_model("stdp_rec", "stdp_rec2", None, None).unwrap();
        assert_eq!(model(&net, "stdp_rec2").weight_recorder, Some(wr));
        assert_eq!(model(&net, "stdp_synapse").weight_recorder, None);
        assert!(matches!(
            net.set_weight_recorder("static_synapse", Some(wr)),
            Err(NetworkError::NotImplemented(_))
        ));
        // Only a weight_recorder node can be one.
        assert!(net.set_weight_recorder("stdp_rec", Some(1)).is_err());
        net.set_synapse_receptor("stdp_rec", 2).unwrap();
        assert_eq!(model(&net, "stdp_rec").receptor_type, 2);
    }

    /// Weights given one per connection with `fixed_indegree`: the
    /// connections of the rule's draw for the next projection, each
    /// target's weights its row's (held exactly: four different ones, so
    /// one projection of pairs per weight); a table of the wrong length is
    /// refused.
    #[test]
    fn drawn_rule_reads_tables_target_by_target() {
        let (mut net, e, _) = net();
        let rule = ConnRule::fixed_indegree(3);
        let row = |t: usize| [0.5, 1.5, 2.5].map(|w| w + (t % 2) as f64);
        let table: Vec<f64> = (0..e.len()).flat_map(row).collect();
        let syn = SynSpec::model("static_synapse").with_random_weight(Param::table(table));
        let mut plain = net.clone();
        plain
            .connect(&e, &e, rule.clone(), &SynSpec::model("static_synapse"))
            .unwrap();
        net.connect(&e, &e, rule.clone(), &syn).unwrap();
        let mut got = Vec::new();
        for p in net.projections() {
            let ConnRule::Explicit(pairs) = &p.rule else {
                panic!("{:?}", p.rule);
            };
            assert!(p.random_weight.is_none());
            for t in e.iter() {
                got.extend(pairs.onto(t).map(|(s, _)| (t, s, p.weight)));
            }
        }
        let mut drawn = Vec::new();
        crate::rules::for_each_connection(
            &rule,
            plain.seed(),
            0,
            &e,
            &e,
            &e.iter()
                .enumerate()
                .map(|(i, t)| (t, i as u32))
                .collect::<Vec<_>>(),
            &mut Vec::new(),
            |c| drawn.push((e.get(c.local.unwrap() as usize), c.source)),
        );
        let mut pairs: Vec<_> = got.iter().map(|&(t, s, _)| (t, s)).collect();
        pairs.sort_unstable();
        drawn.sort_unstable();
        assert_eq!(pairs, drawn);
        for (i, t) in e.iter().enumerate() {
            let mut w: Vec<f64> = got.iter().filter(|g| g.0 == t).map(|g| g.2).collect();
            w.sort_by(f64::total_cmp);
            assert_eq!(w, row(i));
        }
        let short =
            SynSpec::model("static_synapse").with_random_weight(Param::table(vec![1.0, 2.0]));
        assert!(matches!(
            net.connect(&e, &e, rule, &short),
            Err(NetworkError::Connect(m)) if m.contains("one value per connection (24), not 2")
        ));
    }

    /// `iaf_tum_2000` onto its receptor 1: a `tsodyks_synapse` projection
    /// with the sources' release, reaching the (ex, inh) input; NEST's
    /// refusals otherwise.
    #[test]
    fn release_receptor_holds_the_sources_release() {
        use spindle_models::{IAF_PSC_EXP, IafTum2000Params};
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 1);
        let p = IafTum2000Params {
            u0: 0.2,
            tau_fac: 30.0,
            x: 0.9,
            ..Default::default()
        };
        let tum = net.create_neurons(3, p).unwrap();
        let exp = net
            .create_neurons(1, NeuronParams::defaults(&IAF_PSC_EXP))
            .unwrap();
        let one = |id| NodeCollection::new(id, 1);
        let syn = SynSpec::model("static_synapse").with_receptor(1);
        net.connect(&one(1), &one(2), ConnRule::all_to_all(), &syn)
            .unwrap();
        let proj = &net.projections()[0];
        assert!(proj.from_release && proj.port().is_none() && !proj.reaches_ports());
        let Some(StdpRule::Tsodyks {
            u0,
            tau_fac,
            x,
            y,
            u,
            ..
        }) = proj.plastic
        else {
            panic!("{:?}", proj.plastic);
        };
        assert_eq!((u0, tau_fac, x, y, u), (0.2, 30.0, 0.9, 0.0, 0.0));
        // A neuron that sends no release: its spikes weigh 0 (U = u = 0).
        net.connect(&exp, &one(3), ConnRule::all_to_all(), &syn)
            .unwrap();
        assert!(matches!(
            net.projections()[1].plastic,
            Some(StdpRule::Tsodyks {
                u0: 0.0,
                u: 0.0,
                ..
            })
        ));
        let plain = SynSpec::model("static_synapse");
        assert!(matches!(
            net.connect(&one(1), &one(2), ConnRule::all_to_all(), &plain),
            Err(NetworkError::Connect(m)) if m.ends_with("must be connected via receptor_type 1.")
        ));
        assert!(matches!(
            net.connect(&one(1), &exp, ConnRule::all_to_all(), &syn),
            Err(NetworkError::UnknownReceptorType {
                model: "iaf_psc_exp",
                ..
            })
        ));
        let stdp = SynSpec::model("tsodyks_synapse").with_receptor(1);
        assert!(matches!(
            net.connect(&one(1), &one(2), ConnRule::all_to_all(), &stdp),
            Err(NetworkError::NotImplemented(_))
        ));
        // The projection holds the release: a connected source keeps it.
        let set_u = |q: &NeuronParams| {
            let mut q = q.clone();
            q.set("U", 0.3)?;
            Ok(q)
        };
        assert!(matches!(
            net.set_neuron_params(&one(1), set_u),
            Err(NetworkError::NotImplemented(_))
        ));
        net.set_neuron_params(&one(2), set_u).unwrap();
        assert!(matches!(
            net.connect(&tum, &one(3), ConnRule::all_to_all(), &syn),
            Err(NetworkError::NotImplemented(_))
        ));
    }

    #[test]
    fn counts_follow_nest() {
        let (mut net, e, i) = net();
        net.copy_model("static_synapse", "excitatory", Some(20.0), Some(1.5))
            .unwrap();
        let noise = net
            .create_poisson_generator(PoissonGeneratorParams::with_rate(10.0))
            .unwrap();
        let rec = net.create_spike_recorder(Default::default()).unwrap();
        let all = e.join(&i).unwrap();
        let ex = SynSpec::model("excitatory");
        net.connect(&noise, &all, ConnRule::all_to_all(), &ex)
            .unwrap();
        net.connect(&e.slice(0..3).unwrap(), &rec, ConnRule::all_to_all(), &ex)
            .unwrap();
        net.connect(&e, &all, ConnRule::fixed_indegree(4), &ex)
            .unwrap();
        assert_eq!(net.num_connections("excitatory").unwrap(), 10 + 3 + 40);
        assert_eq!(net.num_connections("static_synapse").unwrap(), 0);
        assert_eq!(net.min_delay().unwrap(), 15);
        assert!(net.num_connections("nope").is_err());
    }

    #[test]
    fn bad_connections_are_refused() {
        let (mut net, e, i) = net();
        let s = SynSpec::static_synapse(1.0, 0.05);
        assert!(matches!(
            net.connect(&e, &i, ConnRule::all_to_all(), &s),
            Err(NetworkError::Time(TimeError::BelowResolution { .. }))
        ));
        // Off the grid: rounded to it, as NEST rounds (halves up).
        let s = SynSpec::static_synapse(1.0, 1.55);
        net.connect(&e, &i, ConnRule::all_to_all(), &s).unwrap();
        assert_eq!(net.projections().last().unwrap().delay, 16);
        let s = SynSpec::static_synapse(1.0, 1.0);
        assert!(net.connect(&e, &i, ConnRule::one_to_one(), &s).is_err());
        let rule = ConnRule::fixed_indegree(9).multapses(false);
        assert!(net.connect(&e, &i, rule, &s).is_err());
        assert!(
            net.connect(&e, &i, ConnRule::fixed_indegree(0), &s)
                .is_err()
        );
        assert!(net.copy_model("nope", "x", None, None).is_err());
        assert!(
            net.copy_model("static_synapse", "static_synapse", None, None)
                .is_err()
        );
        let rec = net.create_spike_recorder(Default::default()).unwrap();
        assert!(net.connect(&rec, &e, ConnRule::all_to_all(), &s).is_err());
        let bad = IafPscAlphaParams {
            c_m: -1.0,
            ..Default::default()
        };
        assert_eq!(
            net.create_neurons(3, bad).unwrap_err().to_string(),
            "iaf_psc_alpha: Capacitance must be > 0."
        );
    }

    #[test]
    fn multimeters_record_what_the_model_has() {
        let (mut net, e, _) = net();
        let meter = |net: &mut Network, names: &[&str]| {
            net.create_multimeter(MultimeterParams {
                interval: None,
                record_from: names.iter().map(|n| n.to_string()).collect(),
                ..Default::default()
            })
            .unwrap()
        };
        let ok = meter(&mut net, &["V_m", "I_syn_in"]);
        let s = SynSpec::model("static_synapse");
        net.connect(&ok, &e, ConnRule::all_to_all(), &s).unwrap();
        let bad = meter(&mut net, &["V_m", "g_ex"]);
        assert_eq!(
            net.connect(&bad, &e, ConnRule::all_to_all(), &s)
                .unwrap_err()
                .to_string(),
            "Creation of connection is not possible because: Cannot connect with unknown \
             recordable g_ex (iaf_psc_alpha records V_m, I_syn_ex, I_syn_in)"
        );
    }

    #[test]
    fn min_delay_override() {
        let (mut net, e, i) = net();
        net.connect(
            &e,
            &i,
            ConnRule::all_to_all(),
            &SynSpec::static_synapse(1.0, 1.0),
        )
        .unwrap();
        assert_eq!(net.min_delay().unwrap(), 10);
        net.set_min_delay(0.5).unwrap();
        assert_eq!(net.min_delay().unwrap(), 5);
        net.set_min_delay(2.0).unwrap();
        assert!(net.min_delay().is_err());
    }

    #[test]
    fn shares_count_what_owned_walks() {
        let (mut net, e, i) = net();
        net.create_poisson_generator(PoissonGeneratorParams::with_rate(1.0))
            .unwrap();
        let late = net.create_neurons(5, IafPscAlphaParams::default()).unwrap();
        let parts = [e, i, e.join(&i).unwrap(), late, e.slice(3..7).unwrap()];
        for shards in [1, 2, 3, 7, 20] {
            let p = net.partition(shards);
            for nodes in &parts {
                let mut shared = vec![0; shards];
                for (sh, n) in p.shares(nodes) {
                    shared[sh.index] = n;
                }
                for sh in p.shards() {
                    let owned: Vec<_> = p.owned(sh, nodes).collect();
                    assert_eq!(p.owned_len(sh, nodes), owned.len());
                    assert_eq!(shared[sh.index], owned.len());
                    let part = p.owned_part(sh, nodes);
                    let ids: Vec<_> = owned.iter().map(|&(id, _)| id).collect();
                    assert_eq!(part.iter().collect::<Vec<_>>(), ids);
                }
            }
        }
    }

    #[test]
    fn rules_are_refused_as_nest_refuses_them() {
        let (mut net, e, i) = net();
        let one = e.slice(0..1).unwrap();
        let s = SynSpec::static_synapse(1.0, 1.0);
        let mut refusal = |src: &NodeCollection, tgt: &NodeCollection, rule: ConnRule| match net
            .connect(src, tgt, rule, &s)
        {
            Ok(()) => "ok".to_string(),
            Err(NetworkError::ConnSpec(m)) => format!("BadProperty: {m}"),
            Err(NetworkError::NotImplemented(m)) => format!("NotImplemented: {m}"),
            Err(e) => format!("other: {e}"),
        };
        let cases = [
            (
                e,
                i,
                ConnRule::fixed_total_number(17).multapses(false),
                "BadProperty: fixed_total_number: Total number of connections cannot exceed",
            ),
            (
                e,
                i,
                ConnRule::fixed_total_number(16).multapses(false),
                "NotImplemented: fixed_total_number: Connect doesn't support the suppression of multapses",
            ),
            (
                one,
                one,
                ConnRule::fixed_total_number(1).autapses(false),
                "BadProperty: fixed_total_number: the only source",
            ),
            (
                one,
                one,
                ConnRule::fixed_total_number(0).autapses(false),
                "ok",
            ),
            (
                e,
                e,
                ConnRule::fixed_total_number(100).autapses(false),
                "ok",
            ),
            (
                e,
                i,
                ConnRule::pairwise_bernoulli(1.5),
                "BadProperty: pairwise_bernoulli: Connection probability 0 <= p <= 1 required (p = 1.5)",
            ),
            (
                e,
                i,
                ConnRule::pairwise_bernoulli(-0.1),
                "BadProperty: pairwise_bernoulli: Connection probability",
            ),
            (
                e,
                i,
                ConnRule::pairwise_bernoulli(f64::NAN),
                "BadProperty: pairwise_bernoulli: Connection probability",
            ),
            (
                e,
                i,
                ConnRule::pairwise_bernoulli(1.0).multapses(false),
                "ok",
            ),
            (
                e,
                i,
                ConnRule::fixed_outdegree(3).multapses(false),
                "BadProperty: fixed_outdegree: Outdegree cannot be larger than population size",
            ),
            (
                e,
                e,
                ConnRule::fixed_outdegree(8)
                    .multapses(false)
                    .autapses(false),
                "BadProperty: fixed_outdegree: Outdegree cannot be larger",
            ),
            (
                e,
                e,
                ConnRule::fixed_outdegree(7)
                    .multapses(false)
                    .autapses(false),
                "ok",
            ),
            (
                one,
                one,
                ConnRule::fixed_outdegree(2).autapses(false),
                "BadProperty: fixed_outdegree: the only target is the source",
            ),
            (e, i, ConnRule::fixed_outdegree(0), "ok"),
            (
                e,
                i,
                ConnRule::fixed_indegree(9).multapses(false),
                "BadProperty: fixed_indegree: Indegree cannot be larger than population size",
            ),
        ];
        for (src, tgt, rule, want) in cases {
            let got = refusal(&src, &tgt, rule.clone());
            assert!(got.starts_with(want), "{rule:?}: {got}");
            assert!(!got.contains('\n'));
        }
    }

    #[test]
    fn drawn_counts_are_exact_and_follow_the_seed() {
        let (mut net, e, i) = net();
        let all = e.join(&i).unwrap();
        let s = SynSpec::static_synapse(1.0, 1.0);
        net.connect(&e, &all, ConnRule::fixed_indegree(3), &s)
            .unwrap();
        net.connect(&all, &all, ConnRule::pairwise_bernoulli(0.4), &s)
            .unwrap();
        net.connect(&e, &all, ConnRule::fixed_total_number(33), &s)
            .unwrap();
        net.connect(&i, &all, ConnRule::fixed_outdegree(4), &s)
            .unwrap();
        let stored = |net: &Network| -> u64 {
            let owned: Vec<(NodeId, u32)> = all.iter().zip(0..).collect();
            let mut n = 0;
            for (k, p) in net.projections().iter().enumerate() {
                crate::for_each_connection(
                    &p.rule,
                    net.seed(),
                    k as u32,
                    &p.sources,
                    &p.targets,
                    &owned,
                    &mut Vec::new(),
                    |_| n += 1,
                );
            }
            n
        };
        let before = net.num_connections("static_synapse").unwrap();
        assert_eq!(before, stored(&net));
        let mut seen = vec![before];
        for seed in 2..8 {
            net.set_seed(seed);
            let n = net.num_connections("static_synapse").unwrap();
            assert_eq!(n, stored(&net));
            assert_eq!(n - 30 - 33 - 8, net.projection_totals()[1].connections);
            seen.push(n);
        }
        seen.sort();
        seen.dedup();
        assert!(
            seen.len() > 1,
            "pairwise_bernoulli's count changes with the seed"
        );
    }

    #[test]
    fn receptor_types_are_checked_as_nest_checks_them() {
        use spindle_models::{IAF_PSC_EXP_MULTISYNAPSE, devices::DcGeneratorParams};
        let (mut net, e, _) = net();
        let mut params = NeuronParams::defaults(&IAF_PSC_EXP_MULTISYNAPSE);
        params.set_list("tau_syn", &[1.0, 2.0, 3.0]).unwrap();
        let m = net.create_neurons(4, params).unwrap();
        let all = ConnRule::all_to_all;
        let s = |r: i64| SynSpec::static_synapse(1.0, 1.0).with_receptor(r);
        let msg = |r: Result<(), NetworkError>| r.unwrap_err().to_string();
        assert_eq!(
            msg(net.connect(&e, &m, all(), &SynSpec::static_synapse(1.0, 1.0))),
            "Receptor type 0 in iaf_psc_exp_multisynapse does not accept SpikeEvent."
        );
        assert_eq!(
            msg(net.connect(&e, &m, all(), &s(4))),
            "Receptor type 4 in iaf_psc_exp_multisynapse does not accept SpikeEvent."
        );
        assert_eq!(
            msg(net.connect(&m, &e, all(), &s(1))),
            "Receptor type 1 is not available in iaf_psc_alpha."
        );
        let drawn = |max: u64| {
            SynSpec::static_synapse(1.0, 1.0).with_random_receptor(Param::Bin(
                spindle_core::param::BinOp::Add,
                Box::new(Param::UniformInt { max }),
                Box::new(Param::Const(1.0)),
            ))
        };
        assert_eq!(
            msg(net.connect(&e, &m, all(), &drawn(4))),
            "Receptor type 4 in iaf_psc_exp_multisynapse does not accept SpikeEvent."
        );
        let real = SynSpec::static_synapse(1.0, 1.0)
            .with_random_receptor(Param::Uniform { min: 1.0, max: 3.0 });
        assert!(msg(net.connect(&e, &m, all(), &real)).contains("integer"));
        let dc = net
            .create_dc_generator(DcGeneratorParams::default())
            .unwrap();
        assert_eq!(
            msg(net.connect(&dc, &m, all(), &s(1))),
            "Receptor type 1 is not available in iaf_psc_exp_multisynapse."
        );
        assert_eq!(net.projections().len(), 0);
        // What NEST takes: ports 1..=3, one for all or drawn, from neurons
        // and generators; currents on receptor 0.
        let pg = net
            .create_poisson_generator(PoissonGeneratorParams::with_rate(10.0))
            .unwrap();
        net.connect(&e, &m, all(), &s(3)).unwrap();
        net.connect(&e, &m, ConnRule::fixed_indegree(2), &drawn(3))
            .unwrap();
        net.connect(&pg, &m, all(), &drawn(3)).unwrap();
        net.connect(&dc, &m, all(), &SynSpec::static_synapse(1.0, 1.0))
            .unwrap();
        assert_eq!(net.projections()[0].port(), Some(2));
        assert!(net.projections()[1].per_synapse() && net.projections()[1].reaches_ports());
        let c = net.device_connections().len() - 2;
        let drew: Vec<u32> = m.iter().map(|t| net.device_receptor(c, t)).collect();
        assert!(drew.iter().all(|r| (1..=3).contains(r)), "{drew:?}");
        // A neuron spikes reach keeps its number of ports (NEST).
        let fewer = |p: &NeuronParams| {
            let mut q = p.clone();
            q.set_list("tau_syn", &[1.0])?;
            Ok(q)
        };
        assert_eq!(
            msg(net.set_neuron_params(&m, fewer)),
            "iaf_psc_exp_multisynapse: The neuron has connections, therefore the number of ports \
             cannot be reduced."
        );
        let mut params = NeuronParams::defaults(&IAF_PSC_EXP_MULTISYNAPSE);
        params.set_list("tau_syn", &[1.0, 2.0]).unwrap();
        let alone = net.create_neurons(2, params).unwrap();
        net.set_neuron_params(&alone, fewer).unwrap();
        let new = net.neuron_params(alone.first()).unwrap();
        assert_eq!(new.get_list("tau_syn").unwrap(), [1.0]);
        // Nor one a multimeter records from (Spindle's own rule).
        let mm = net
            .create_multimeter(MultimeterParams {
                interval: None,
                record_from: vec!["I_syn_1".into()],
                ..Default::default()
            })
            .unwrap();
        net.connect(&mm, &alone, all(), &SynSpec::model("static_synapse"))
            .unwrap();
        let more = |p: &NeuronParams| {
            let mut q = p.clone();
            q.set_list("tau_syn", &[1.0, 2.0])?;
            Ok(q)
        };
        assert!(msg(net.set_neuron_params(&alone, more)).contains("multimeter"));
    }
}
