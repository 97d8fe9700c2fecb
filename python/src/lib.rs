//! `spindle._spindle`: the engine behind `spindle.nest`. One `Kernel`
//! holds NEST's kernel state (resolution, seed, threads, output settings),
//! the network description and, once built, the simulation. Python passes
//! node collections as (first id, length) and parameters as dicts with
//! NEST's names; this module translates them into the library's types and
//! raises `KernelError(name, message)`, which `spindle.nest` turns into
//! NEST's exceptions. No simulation logic lives here or in Python.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pyo3::create_exception;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use spindle::core::Resolution;
use spindle::engine::{Config, EngineError, Simulation};
use spindle::models::devices::{
    MultimeterParams, PoissonGeneratorParams, RecordTo, SpikeGeneratorParams, SpikeRecorderParams,
};
use spindle::models::{ModelRef, NeuronParams, neuron_model};
use spindle::network::{ConnRule, Network, NetworkError, NodeCollection, NodeKind, SynSpec};

create_exception!(
    _spindle,
    KernelError,
    pyo3::exceptions::PyException,
    "An error of the kernel: args are (NEST error name, message)."
);

fn err(name: &str, msg: impl Into<String>) -> PyErr {
    KernelError::new_err((name.to_string(), msg.into()))
}

/// NEST's exception name for each library error.
fn net_err(e: NetworkError) -> PyErr {
    let name = match &e {
        NetworkError::UnknownSynapseModel(_) => "UnknownSynapseType",
        NetworkError::DuplicateSynapseModel(_) => "NewModelNameExists",
        NetworkError::Time(_) | NetworkError::MinDelay { .. } => "BadDelay",
        NetworkError::Param { .. } | NetworkError::Device(_) | NetworkError::PoissonRate { .. } => {
            "BadProperty"
        }
        NetworkError::Connect(_) | NetworkError::EmptyCreate(_) => "IllegalConnection",
        _ => "KernelException",
    };
    err(name, e.to_string())
}

fn engine_err(e: EngineError) -> PyErr {
    match e {
        EngineError::Network(n) => net_err(n),
        EngineError::Time(t) => err("BadParameter", t.to_string()),
        other => err("KernelException", other.to_string()),
    }
}

const DEVICE_MODELS: &[&str] = &[
    "poisson_generator",
    "spike_generator",
    "spike_recorder",
    "multimeter",
];

fn number(key: &str, v: &Bound<'_, PyAny>) -> PyResult<f64> {
    v.extract::<f64>()
        .map_err(|_| err("BadProperty", format!("'{key}' must be a number")))
}

fn unknown(model: &str, key: &str) -> PyErr {
    err(
        "UnaccessedDictionaryEntry",
        format!("{model} has no parameter '{key}'"),
    )
}

/// A parameter dict as (name, number) pairs.
fn numbers(d: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, f64)>> {
    d.into_iter()
        .flat_map(|d| d.iter())
        .map(|(k, v)| {
            let key: String = k.extract()?;
            let x = number(&key, &v)?;
            Ok((key, x))
        })
        .collect()
}

/// `base` with the values of `d` set by name.
fn neuron_params(base: &NeuronParams, d: &[(String, f64)]) -> PyResult<NeuronParams> {
    let mut p = base.clone();
    for (key, x) in d {
        p.set(key, *x)
            .map_err(|_| unknown(base.model().name(), key))?;
    }
    Ok(p)
}

/// A synapse model's `weight` and `delay` from a parameter dict.
fn synapse_params(
    model: &str,
    d: Option<&Bound<'_, PyDict>>,
) -> PyResult<(Option<f64>, Option<f64>)> {
    let (mut weight, mut delay) = (None, None);
    for (k, v) in d.into_iter().flat_map(|d| d.iter()) {
        let key: String = k.extract()?;
        match key.as_str() {
            "weight" => weight = Some(number("weight", &v)?),
            "delay" => delay = Some(number("delay", &v)?),
            _ => return Err(unknown(model, &key)),
        }
    }
    Ok((weight, delay))
}

fn record_to(v: &Bound<'_, PyAny>) -> PyResult<RecordTo> {
    let s: String = v.extract()?;
    match s.as_str() {
        "ascii" => Ok(RecordTo::Ascii),
        "memory" => Ok(RecordTo::Memory),
        other => Err(err(
            "BadProperty",
            format!("record_to '{other}' is not offered (ascii, memory)"),
        )),
    }
}

fn recorder_params(
    base: &SpikeRecorderParams,
    d: Option<&Bound<'_, PyDict>>,
) -> PyResult<SpikeRecorderParams> {
    let mut p = base.clone();
    for (k, v) in d.into_iter().flat_map(|d| d.iter()) {
        let key: String = k.extract()?;
        match key.as_str() {
            "label" => p.label = v.extract()?,
            "record_to" => p.record_to = record_to(&v)?,
            _ => return Err(unknown("spike_recorder", &key)),
        }
    }
    Ok(p)
}

/// Kernel attributes, as NEST names them.
struct KernelStatus {
    resolution: f64,
    rng_seed: u64,
    local_num_threads: usize,
    print_time: bool,
    overwrite_files: bool,
    data_path: String,
    data_prefix: String,
}

impl Default for KernelStatus {
    fn default() -> Self {
        Self {
            resolution: 0.1,
            rng_seed: 143202461,
            local_num_threads: 1,
            print_time: false,
            overwrite_files: false,
            data_path: String::new(),
            data_prefix: String::new(),
        }
    }
}

/// NEST's kernel: status, the network description, and the simulation
/// built from it (rebuilt whenever the description changes).
#[pyclass(module = "spindle._spindle")]
pub struct Kernel {
    status: KernelStatus,
    net: Option<Network>,
    /// Neuron models' defaults that `SetDefaults` changed.
    neuron_defaults: Vec<NeuronParams>,
    recorder_defaults: SpikeRecorderParams,
    sim: Option<Simulation>,
    /// A simulation built before the last change: `prepare` keeps its
    /// synapses when the change only added connections.
    stale: Option<Simulation>,
    /// Files this kernel wrote (it may overwrite its own).
    written: Vec<PathBuf>,
}

impl Kernel {
    /// `model`'s defaults as `SetDefaults` left them.
    fn defaults_of(&self, model: ModelRef) -> NeuronParams {
        self.neuron_defaults
            .iter()
            .find(|d| d.model() == model)
            .cloned()
            .unwrap_or_else(|| NeuronParams::defaults(model))
    }

    fn create_device(
        &mut self,
        model: &str,
        params: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<NodeCollection> {
        let net_result = match model {
            "poisson_generator" => {
                let mut p = PoissonGeneratorParams::with_rate(0.0);
                for (k, v) in params.into_iter().flat_map(|d| d.iter()) {
                    let key: String = k.extract()?;
                    let x = number(&key, &v)?;
                    match key.as_str() {
                        "rate" => p.rate = x,
                        "start" => p.start = x,
                        "stop" => p.stop = x,
                        _ => return Err(unknown(model, &key)),
                    }
                }
                self.changing()?.create_poisson_generator(p)
            }
            "spike_generator" => {
                let mut p = SpikeGeneratorParams::default();
                for (k, v) in params.into_iter().flat_map(|d| d.iter()) {
                    let key: String = k.extract()?;
                    match key.as_str() {
                        "spike_times" => p.spike_times = v.extract()?,
                        _ => return Err(unknown(model, &key)),
                    }
                }
                self.changing()?.create_spike_generator(p)
            }
            "spike_recorder" => {
                let p = recorder_params(&self.recorder_defaults, params)?;
                self.changing()?.create_spike_recorder(p)
            }
            _ => {
                let mut p = MultimeterParams {
                    interval: None,
                    record_from: vec!["V_m".into()],
                };
                for (k, v) in params.into_iter().flat_map(|d| d.iter()) {
                    let key: String = k.extract()?;
                    match key.as_str() {
                        "interval" => p.interval = Some(number(&key, &v)?),
                        "record_from" => p.record_from = v.extract()?,
                        _ => return Err(unknown(model, &key)),
                    }
                }
                self.changing()?.create_multimeter(p)
            }
        };
        net_result.map_err(net_err)
    }

    fn net(&mut self) -> PyResult<&mut Network> {
        if self.net.is_none() {
            let res = Resolution::new(self.status.resolution)
                .map_err(|e| err("BadProperty", e.to_string()))?;
            self.net = Some(Network::new(res, self.status.rng_seed));
        }
        Ok(self.net.as_mut().expect("just made"))
    }

    /// The description changes: a built simulation no longer matches it.
    /// NEST allows changes between Simulate calls; Spindle builds once.
    fn changing(&mut self) -> PyResult<&mut Network> {
        if self.sim.as_ref().is_some_and(|s| s.time() > 0.0) {
            return Err(err(
                "KernelException",
                "Spindle cannot change the network after Simulate; call ResetKernel first",
            ));
        }
        if let Some(sim) = self.sim.take() {
            self.stale = Some(sim);
        }
        self.net()
    }

    fn kind(&self, id: u32) -> PyResult<&NodeKind> {
        self.net
            .as_ref()
            .and_then(|n| n.node(id))
            .ok_or_else(|| err("UnknownNode", format!("node {id} does not exist")))
    }

    fn collection(&self, first: u32, n: u32) -> PyResult<NodeCollection> {
        let net = self
            .net
            .as_ref()
            .ok_or_else(|| err("UnknownNode", "no node exists"))?;
        let all = net.node_runs().first().map(|(c, _)| c.first()).unwrap_or(1);
        NodeCollection::from_range(first, n)
            .filter(|c| c.first() >= all && c.first() as usize + c.len() - 1 <= net.num_nodes())
            .ok_or_else(|| {
                err(
                    "UnknownNode",
                    format!("nodes {first}..{} do not exist", first + n),
                )
            })
    }

    /// Build the simulation (NEST's Prepare): every shard, every synapse.
    fn prepare(&mut self, py: Python<'_>) -> PyResult<()> {
        if self.sim.is_some() {
            return Ok(());
        }
        let net = self.net()?.clone();
        let config = Config {
            threads: self.status.local_num_threads,
            pin: false,
            progress: self.status.print_time,
            check_memory: true,
            isa: spindle::engine::Isa::detect(),
        };
        let stale = self.stale.take();
        let sim = py
            .detach(move || match stale {
                Some(old) => old.rebuild(net, config),
                None => Simulation::build(net, config),
            })
            .map_err(engine_err)?;
        self.sim = Some(sim);
        Ok(())
    }

    fn write_recorders(&mut self) -> PyResult<()> {
        let sim = self.sim.as_ref().expect("prepared");
        let dir = if self.status.data_path.is_empty() {
            PathBuf::from(".")
        } else {
            PathBuf::from(&self.status.data_path)
        };
        let written = sim
            .write_recorders(&dir, &self.status.data_prefix)
            .map_err(|e| err("IOError", e.to_string()))?;
        for p in written {
            if !self.written.contains(&p) {
                self.written.push(p);
            }
        }
        Ok(())
    }

    /// NEST refuses to overwrite a recorder's file unless overwrite_files.
    fn check_files(&self) -> PyResult<()> {
        if self.status.overwrite_files {
            return Ok(());
        }
        let Some(net) = &self.net else { return Ok(()) };
        let dir = if self.status.data_path.is_empty() {
            PathBuf::from(".")
        } else {
            PathBuf::from(&self.status.data_path)
        };
        for (c, kind) in net.node_runs() {
            if let NodeKind::SpikeRecorder(p) = kind {
                if p.record_to != RecordTo::Ascii {
                    continue;
                }
                let path =
                    spindle::engine::dat_path(&dir, &self.status.data_prefix, &p.label, c.first());
                if path.exists() && !self.written.contains(&path) {
                    return Err(err(
                        "IOError",
                        format!(
                            "{} exists; set nest.overwrite_files = True to overwrite it",
                            path.display()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

fn rule_of(conn: Option<&Bound<'_, PyDict>>) -> PyResult<ConnRule> {
    let Some(conn) = conn else {
        return Ok(ConnRule::all_to_all());
    };
    let rule: String = match conn.get_item("rule")? {
        Some(r) => r.extract()?,
        None => "all_to_all".into(),
    };
    let flag = |key: &str| -> PyResult<Option<bool>> {
        conn.get_item(key)?.map(|v| v.extract::<bool>()).transpose()
    };
    let mut r = match rule.as_str() {
        "all_to_all" => ConnRule::all_to_all(),
        "one_to_one" => ConnRule::one_to_one(),
        "fixed_indegree" => {
            let indegree: i64 = conn
                .get_item("indegree")?
                .ok_or_else(|| err("BadProperty", "fixed_indegree needs 'indegree'"))?
                .extract()?;
            if !(0..=u32::MAX as i64).contains(&indegree) {
                return Err(err(
                    "BadProperty",
                    format!("indegree {indegree} is out of range"),
                ));
            }
            ConnRule::fixed_indegree(indegree as u32)
        }
        other => {
            return Err(err(
                "BadProperty",
                format!(
                    "unknown connection rule '{other}' (all_to_all, one_to_one, fixed_indegree)"
                ),
            ));
        }
    };
    if let Some(a) = flag("allow_autapses")? {
        r = r.autapses(a);
    }
    if let Some(m) = flag("allow_multapses")? {
        r = r.multapses(m);
    }
    for (k, _) in conn.iter() {
        let key: String = k.extract()?;
        if !["rule", "indegree", "allow_autapses", "allow_multapses"].contains(&key.as_str()) {
            return Err(unknown(&format!("conn_spec ({rule})"), &key));
        }
    }
    Ok(r)
}

fn syn_of(syn: Option<&Bound<'_, PyDict>>) -> PyResult<SynSpec> {
    let Some(syn) = syn else {
        return Ok(SynSpec::model("static_synapse"));
    };
    let mut spec = SynSpec::model("static_synapse");
    for (k, v) in syn.iter() {
        let key: String = k.extract()?;
        match key.as_str() {
            "synapse_model" => spec.model = v.extract()?,
            "weight" => spec.weight = Some(number("weight", &v)?),
            "delay" => spec.delay = Some(number("delay", &v)?),
            _ => return Err(unknown("syn_spec", &key)),
        }
    }
    Ok(spec)
}

#[pymethods]
impl Kernel {
    #[new]
    fn new() -> Self {
        Self {
            status: KernelStatus::default(),
            net: None,
            neuron_defaults: Vec::new(),
            recorder_defaults: SpikeRecorderParams::default(),
            sim: None,
            stale: None,
            written: Vec::new(),
        }
    }

    /// NEST's ResetKernel.
    fn reset(&mut self) {
        *self = Self::new();
    }

    /// Set one kernel attribute.
    fn set_kernel(&mut self, key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let locked = self.net.is_some();
        match key {
            "resolution" => {
                let h = number(key, value)?;
                if locked {
                    return Err(err(
                        "KernelException",
                        "the resolution cannot be changed after nodes have been created",
                    ));
                }
                Resolution::new(h).map_err(|e| err("BadProperty", e.to_string()))?;
                self.status.resolution = h;
            }
            "rng_seed" => {
                let s: i64 = value.extract()?;
                if !(1..=u32::MAX as i64).contains(&s) {
                    return Err(err("BadProperty", "rng_seed must be in [1, 2^32 - 1]"));
                }
                self.status.rng_seed = s as u64;
                if let Some(net) = self.net.as_mut() {
                    net.set_seed(s as u64);
                }
                self.sim = None;
                self.stale = None;
            }
            "local_num_threads" | "total_num_virtual_procs" => {
                let t: i64 = value.extract()?;
                if !(1..=4096).contains(&t) {
                    return Err(err("BadProperty", format!("{key} must be in [1, 4096]")));
                }
                if self.sim.as_ref().is_some_and(|s| s.time() > 0.0) {
                    return Err(err(
                        "KernelException",
                        "the number of threads cannot be changed after Simulate",
                    ));
                }
                self.status.local_num_threads = t as usize;
                self.sim = None;
                self.stale = None;
            }
            "print_time" => self.status.print_time = value.extract()?,
            "overwrite_files" => self.status.overwrite_files = value.extract()?,
            "data_path" => self.status.data_path = value.extract()?,
            "data_prefix" => self.status.data_prefix = value.extract()?,
            "biological_time" | "network_size" | "num_connections" | "min_delay" | "max_delay" => {
                return Err(err("BadProperty", format!("'{key}' is read-only")));
            }
            _ => {
                return Err(err(
                    "UnaccessedDictionaryEntry",
                    format!("unknown kernel attribute '{key}'"),
                ));
            }
        }
        Ok(())
    }

    /// Read one kernel attribute.
    fn get_kernel<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        let s = &self.status;
        Ok(match key {
            "resolution" => s.resolution.into_pyobject(py)?.into_any(),
            "rng_seed" => s.rng_seed.into_pyobject(py)?.into_any(),
            "local_num_threads" | "total_num_virtual_procs" => {
                s.local_num_threads.into_pyobject(py)?.into_any()
            }
            "print_time" => s.print_time.into_pyobject(py)?.to_owned().into_any(),
            "overwrite_files" => s.overwrite_files.into_pyobject(py)?.to_owned().into_any(),
            "data_path" => s.data_path.as_str().into_pyobject(py)?.into_any(),
            "data_prefix" => s.data_prefix.as_str().into_pyobject(py)?.into_any(),
            "biological_time" => self
                .sim
                .as_ref()
                .map_or(0.0, |s| s.time())
                .into_pyobject(py)?
                .into_any(),
            "network_size" => self
                .net
                .as_ref()
                .map_or(0, |n| n.num_nodes())
                .into_pyobject(py)?
                .into_any(),
            "num_connections" => self.num_connections(None)?.into_pyobject(py)?.into_any(),
            "min_delay" | "max_delay" => {
                let Some(net) = &self.net else {
                    return Ok(1.0f64.into_pyobject(py)?.into_any());
                };
                let steps = if key == "min_delay" {
                    net.min_delay().map_err(net_err)?
                } else {
                    net.max_delay()
                };
                net.resolution().ms(steps).into_pyobject(py)?.into_any()
            }
            _ => {
                return Err(err(
                    "UnaccessedDictionaryEntry",
                    format!("unknown kernel attribute '{key}'"),
                ));
            }
        })
    }

    /// The kernel attributes `get_kernel` answers.
    #[staticmethod]
    fn kernel_keys() -> Vec<&'static str> {
        vec![
            "resolution",
            "rng_seed",
            "local_num_threads",
            "total_num_virtual_procs",
            "print_time",
            "overwrite_files",
            "data_path",
            "data_prefix",
            "biological_time",
            "network_size",
            "num_connections",
            "min_delay",
            "max_delay",
        ]
    }

    /// The node models offered.
    #[staticmethod]
    fn node_models() -> Vec<&'static str> {
        spindle::models::MODELS
            .iter()
            .map(|m| m.name())
            .chain(DEVICE_MODELS.iter().copied())
            .collect()
    }

    /// NEST's Create: returns (first id, count).
    #[pyo3(signature = (model, n, params=None))]
    fn create(
        &mut self,
        model: &str,
        n: i64,
        params: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<(u32, u32)> {
        if n <= 0 {
            return Err(err(
                "BadProperty",
                format!("Create: n must be > 0 (got {n})"),
            ));
        }
        let n = n as usize;
        let nodes = match model {
            name if neuron_model(name).is_some() => {
                let model = neuron_model(name).expect("checked");
                let p = neuron_params(&self.defaults_of(model), &numbers(params)?)?;
                self.changing()?.create_neurons(n, p)
            }
            "poisson_generator" | "spike_generator" | "spike_recorder" | "multimeter" => {
                let mut first = None;
                for _ in 0..n {
                    let c = self.create_device(model, params)?;
                    first.get_or_insert(c.first());
                }
                return Ok((first.expect("n > 0"), n as u32));
            }
            other => {
                return Err(err(
                    "UnknownModelName",
                    format!(
                        "'{other}' is not a model Spindle offers ({})",
                        Self::node_models().join(", ")
                    ),
                ));
            }
        }
        .map_err(net_err)?;
        Ok((nodes.first(), nodes.len() as u32))
    }

    /// The model name of node `id`.
    fn model_of(&self, id: u32) -> PyResult<&'static str> {
        Ok(self.kind(id)?.model_name())
    }

    /// NEST's `nodes.set(params)`.
    fn set(&mut self, first: u32, n: u32, params: &Bound<'_, PyDict>) -> PyResult<()> {
        let nodes = self.collection(first, n)?;
        match self.kind(first)?.clone() {
            NodeKind::Neuron { model, .. } => {
                // Parse once for the error, then per population.
                let values = numbers(Some(params))?;
                neuron_params(&NeuronParams::defaults(model), &values)?;
                let set = |base: &NeuronParams| {
                    let mut p = base.clone();
                    for (key, x) in &values {
                        p.set(key, *x)?;
                    }
                    Ok(p)
                };
                self.changing()?
                    .set_neuron_params(&nodes, set)
                    .map_err(net_err)
            }
            NodeKind::SpikeRecorder(_) => {
                for id in nodes.iter() {
                    let NodeKind::SpikeRecorder(old) = self.kind(id)?.clone() else {
                        return Err(err("BadProperty", "the collection mixes models"));
                    };
                    let p = recorder_params(&old, Some(params))?;
                    self.changing()?
                        .set_spike_recorder(id, p)
                        .map_err(net_err)?;
                }
                Ok(())
            }
            other => Err(err(
                "KernelException",
                format!(
                    "Spindle sets {} parameters only at Create",
                    other.model_name()
                ),
            )),
        }
    }

    /// NEST's `node.get(key)` for one node.
    fn get<'py>(&self, py: Python<'py>, id: u32, key: &str) -> PyResult<Bound<'py, PyAny>> {
        let kind = self.kind(id)?;
        match key {
            "model" => return Ok(kind.model_name().into_pyobject(py)?.into_any()),
            "global_id" => return Ok(id.into_pyobject(py)?.into_any()),
            _ => {}
        }
        match kind {
            NodeKind::Neuron { model, .. } => {
                if key == "V_m" && self.sim.as_ref().is_some_and(|s| s.time() > 0.0) {
                    return Err(err(
                        "KernelException",
                        "Spindle does not read V_m back from a running network; record it with a multimeter",
                    ));
                }
                let p = self
                    .net
                    .as_ref()
                    .unwrap()
                    .neuron_params(id)
                    .expect("a neuron");
                let v = p.get(key).map_err(|_| unknown(model.name(), key))?;
                Ok(v.into_pyobject(py)?.into_any())
            }
            NodeKind::SpikeRecorder(p) => match key {
                "label" => Ok(p.label.as_str().into_pyobject(py)?.into_any()),
                "record_to" => Ok(match p.record_to {
                    RecordTo::Ascii => "ascii",
                    RecordTo::Memory => "memory",
                    RecordTo::None => "none",
                }
                .into_pyobject(py)?
                .into_any()),
                "n_events" => Ok(self.n_events(id)?.into_pyobject(py)?.into_any()),
                "events" => Ok(self.events(py, id)?.into_any()),
                _ => Err(unknown("spike_recorder", key)),
            },
            NodeKind::Multimeter(p) => match key {
                "interval" => Ok(p
                    .interval
                    .unwrap_or(self.status.resolution)
                    .into_pyobject(py)?
                    .into_any()),
                "record_from" => Ok(PyList::new(py, &p.record_from)?.into_any()),
                "events" => Ok(self.events(py, id)?.into_any()),
                "n_events" => Ok(self.n_events(id)?.into_pyobject(py)?.into_any()),
                _ => Err(unknown("multimeter", key)),
            },
            NodeKind::PoissonGenerator(p) => match key {
                "rate" => Ok(p.rate.into_pyobject(py)?.into_any()),
                "start" => Ok(p.start.into_pyobject(py)?.into_any()),
                "stop" => Ok(p.stop.into_pyobject(py)?.into_any()),
                _ => Err(unknown("poisson_generator", key)),
            },
            NodeKind::SpikeGenerator(p) => match key {
                "spike_times" => Ok(PyList::new(py, &p.spike_times)?.into_any()),
                _ => Err(unknown("spike_generator", key)),
            },
        }
    }

    /// The parameter names `get` answers for node `id`.
    fn keys_of(&self, id: u32) -> PyResult<Vec<&'static str>> {
        let mut keys = vec!["model", "global_id"];
        keys.extend(match self.kind(id)? {
            NodeKind::Neuron { model, .. } => {
                return Ok(keys
                    .into_iter()
                    .chain(model.params().iter().map(|p| p.name))
                    .collect());
            }
            NodeKind::SpikeRecorder(_) => &["label", "record_to", "n_events"],
            NodeKind::Multimeter(_) => &["interval", "record_from", "n_events"],
            NodeKind::PoissonGenerator(_) => &["rate", "start", "stop"],
            NodeKind::SpikeGenerator(_) => &["spike_times"][..],
        });
        Ok(keys)
    }

    /// Events recorder `id` has seen (0 before Simulate).
    fn n_events(&self, id: u32) -> PyResult<u64> {
        match &self.sim {
            None => {
                self.kind(id)?;
                Ok(0)
            }
            Some(sim) => match self.kind(id)? {
                NodeKind::Multimeter(_) => {
                    Ok(sim.multimeter_events(id).map_err(engine_err)?.senders.len() as u64)
                }
                _ => sim.n_events(id).map_err(engine_err),
            },
        }
    }

    /// The events of a recorder or multimeter as a dict of lists.
    fn events<'py>(&self, py: Python<'py>, id: u32) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        match (self.kind(id)?, &self.sim) {
            (NodeKind::SpikeRecorder(_), Some(sim)) => {
                let ev = sim.spike_events(id).map_err(engine_err)?;
                d.set_item("senders", ev.senders)?;
                d.set_item("times", ev.times)?;
            }
            (NodeKind::SpikeRecorder(_), None) => {
                d.set_item("senders", Vec::<u32>::new())?;
                d.set_item("times", Vec::<f64>::new())?;
            }
            (NodeKind::Multimeter(p), sim) => {
                let ev = match sim {
                    Some(sim) => sim.multimeter_events(id).map_err(engine_err)?,
                    None => Default::default(),
                };
                for name in &p.record_from {
                    let values = ev.get(name).unwrap_or(&[]);
                    d.set_item(name, values)?;
                }
                d.set_item("senders", ev.senders)?;
                d.set_item("times", ev.times)?;
            }
            (other, _) => {
                return Err(err(
                    "BadProperty",
                    format!("{} has no events", other.model_name()),
                ));
            }
        }
        Ok(d)
    }

    /// NEST's CopyModel (synapse models, and neuron models are
    /// not copied under new names).
    #[pyo3(signature = (old, new, params=None))]
    fn copy_model(
        &mut self,
        old: &str,
        new: &str,
        params: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        if neuron_model(old).is_some() || DEVICE_MODELS.contains(&old) {
            return Err(err(
                "KernelException",
                format!("Spindle copies synapse models only ('{old}' is a node model)"),
            ));
        }
        let (weight, delay) = synapse_params(old, params)?;
        self.changing()?
            .copy_model(old, new, weight, delay)
            .map_err(|e| match e {
                NetworkError::UnknownSynapseModel(m) => err(
                    "UnknownModelName",
                    format!("'{m}' is not a model Spindle offers"),
                ),
                e => net_err(e),
            })
    }

    /// NEST's SetDefaults.
    fn set_defaults(&mut self, model: &str, params: &Bound<'_, PyDict>) -> PyResult<()> {
        match model {
            name if neuron_model(name).is_some() => {
                let model = neuron_model(name).expect("checked");
                let p = neuron_params(&self.defaults_of(model), &numbers(Some(params))?)?;
                p.validate()
                    .map_err(|e| err("BadProperty", format!("{name}: {e}")))?;
                self.neuron_defaults.retain(|d| d.model() != model);
                self.neuron_defaults.push(p);
                Ok(())
            }
            "spike_recorder" => {
                self.recorder_defaults = recorder_params(&self.recorder_defaults, Some(params))?;
                Ok(())
            }
            _ => {
                let (weight, delay) = synapse_params(model, Some(params))?;
                self.changing()?
                    .set_synapse_defaults(model, weight, delay)
                    .map_err(|e| match e {
                        NetworkError::UnknownSynapseModel(m) => err(
                            "UnknownModelName",
                            format!("'{m}' is not a model Spindle offers"),
                        ),
                        e => net_err(e),
                    })
            }
        }
    }

    /// NEST's GetDefaults.
    fn get_defaults<'py>(&mut self, py: Python<'py>, model: &str) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        match model {
            name if neuron_model(name).is_some() => {
                let p = self.defaults_of(neuron_model(name).expect("checked"));
                for (spec, value) in p.model().params().iter().zip(p.values()) {
                    d.set_item(spec.name, value)?;
                }
            }
            "spike_recorder" => {
                d.set_item("label", &self.recorder_defaults.label)?;
                d.set_item("record_to", "memory")?;
            }
            "poisson_generator" => {
                d.set_item("rate", 0.0)?;
            }
            "spike_generator" | "multimeter" => {}
            _ => {
                let net = self.net()?;
                let m = net
                    .synapse_models()
                    .iter()
                    .find(|m| m.name == model)
                    .cloned()
                    .ok_or_else(|| {
                        err(
                            "UnknownModelName",
                            format!("'{model}' is not a model Spindle offers"),
                        )
                    })?;
                d.set_item("weight", m.weight)?;
                d.set_item("delay", m.delay)?;
                d.set_item("synapse_model", model)?;
                d.set_item("num_connections", self.num_connections(Some(model))?)?;
                return Ok(d);
            }
        }
        d.set_item("model", model)?;
        Ok(d)
    }

    /// NEST's Connect. Building the simulation is the costly part of a
    /// connection between neurons, so it happens here, as in NEST.
    #[pyo3(signature = (pre, post, conn=None, syn=None))]
    fn connect(
        &mut self,
        py: Python<'_>,
        pre: (u32, u32),
        post: (u32, u32),
        conn: Option<&Bound<'_, PyDict>>,
        syn: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        let rule = rule_of(conn)?;
        let spec = syn_of(syn)?;
        let (sources, targets) = (
            self.collection(pre.0, pre.1)?,
            self.collection(post.0, post.1)?,
        );
        let between_neurons = self.kind(pre.0)?.is_neuron() && self.kind(post.0)?.is_neuron();
        self.changing()?
            .connect(&sources, &targets, rule, &spec)
            .map_err(|e| match e {
                NetworkError::UnknownSynapseModel(m) => err(
                    "UnknownSynapseType",
                    format!("synapse model '{m}' does not exist"),
                ),
                e => net_err(e),
            })?;
        if between_neurons {
            self.prepare(py)?;
        }
        Ok(())
    }

    /// Connections made with `synapse_model`, or with all models.
    #[pyo3(signature = (synapse_model=None))]
    fn num_connections(&self, synapse_model: Option<&str>) -> PyResult<u64> {
        let Some(net) = &self.net else { return Ok(0) };
        let models: Vec<String> = match synapse_model {
            Some(m) => vec![m.to_string()],
            None => net
                .synapse_models()
                .iter()
                .map(|m| m.name.clone())
                .collect(),
        };
        let mut n = 0;
        for m in models {
            n += net.num_connections(&m).map_err(|e| match e {
                NetworkError::UnknownSynapseModel(m) => err(
                    "UnknownModelName",
                    format!("'{m}' is not a model Spindle offers"),
                ),
                e => net_err(e),
            })?;
        }
        Ok(n)
    }

    /// NEST's Prepare.
    fn prepare_run(&mut self, py: Python<'_>) -> PyResult<()> {
        self.check_files()?;
        self.prepare(py)
    }

    /// NEST's Simulate (and Run): advance by `ms`. The GIL is released
    /// while the engine runs; Ctrl-C stops it at the next slice boundary,
    /// writes what was recorded and raises KeyboardInterrupt.
    fn simulate(&mut self, py: Python<'_>, ms: f64) -> PyResult<()> {
        self.check_files()?;
        self.prepare(py)?;
        let stop = Arc::new(AtomicBool::new(false));
        let sim = self.sim.as_mut().expect("prepared");
        sim.interrupt_on(stop.clone());
        let mut interrupt = None;
        let result = std::thread::scope(|scope| {
            let run = scope.spawn(move || sim.simulate(ms));
            while !run.is_finished() {
                py.detach(|| std::thread::sleep(Duration::from_millis(10)));
                if interrupt.is_none()
                    && let Err(e) = py.check_signals()
                {
                    stop.store(true, Ordering::SeqCst);
                    interrupt = Some(e);
                }
            }
            run.join().expect("the engine catches its panics")
        });
        let outcome = match result {
            Ok(()) => Ok(()),
            Err(EngineError::Interrupted { .. }) => Ok(()),
            Err(e) => Err(engine_err(e)),
        };
        self.write_recorders()?;
        outcome?;
        match interrupt {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The spike digest of the run so far (identical for any thread count).
    fn spike_digest(&self) -> String {
        self.sim
            .as_ref()
            .map(|s| s.stats().digest)
            .unwrap_or_default()
    }
}

#[pymodule]
fn _spindle(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Kernel>()?;
    m.add("KernelError", m.py().get_type::<KernelError>())?;
    Ok(())
}
