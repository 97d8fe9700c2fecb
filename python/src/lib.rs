//! `spindle._spindle`: the engine behind `spindle.nest`. One `Kernel`
//! holds NEST's kernel state (resolution, seed, threads, output settings),
//! the network description and, once built, the simulation. Python passes
//! node collections as runs of contiguous ids, (first id, length), and
//! parameters as dicts with NEST's names; this module translates them into
//! the library's types and raises `KernelError(name, message)`, which
//! `spindle.nest` turns into NEST's exceptions. No simulation logic lives
//! here or in Python.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use cpu_time::ThreadTime;
use pyo3::IntoPyObjectExt;
use pyo3::create_exception;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use spindle::core::Resolution;
use spindle::core::param::{BinOp, Cmp, Draw, Func, Param};
use spindle::engine::{
    Config, ConnectionFilter, EngineError, FileNames, PhaseTime, PhaseTimers, Simulation,
};
use spindle::models::correlation::CorrelationDetectorParams;
use spindle::models::devices::{
    AcGeneratorParams, DcGeneratorParams, DeviceError, MultimeterParams, NoiseGeneratorParams,
    PoissonGeneratorParams, RecordTo, RecordWindow, SpikeGeneratorParams, SpikeRecorderParams,
    StepCurrentGeneratorParams, WeightRecorderParams,
};
use spindle::models::sources::{SOURCE_MODELS, SourceValue, SpikeSourceParams};
use spindle::models::{ARCHIVE_PARAMS, ModelRef, NeuronParams, neuron_model};
use spindle::network::{
    ConnRule, DeviceConnection, Network, NetworkError, NodeCollection, NodeKind, ReceptorType,
    StdpRule, SynSpec, SynapseKind,
};

create_exception!(
    _spindle,
    KernelError,
    pyo3::exceptions::PyException,
    "An error of the kernel: args are (NEST error name, message)."
);

fn err(name: &str, msg: impl Into<String>) -> PyErr {
    KernelError::new_err((name.to_string(), msg.into()))
}

/// What Spindle does not do (NEST's `NotImplemented`).
fn not_implemented(msg: impl Into<String>) -> PyErr {
    err("NotImplemented", msg)
}

/// NEST's exception name for each library error.
fn net_err(e: NetworkError) -> PyErr {
    let name = match &e {
        NetworkError::UnknownSynapseModel(_) => "UnknownSynapseType",
        NetworkError::DuplicateSynapseModel(_) => "NewModelNameExists",
        NetworkError::Time(_) | NetworkError::MinDelay { .. } => "BadDelay",
        NetworkError::Device(DeviceError::Unsupported(_)) => "NotImplemented",
        NetworkError::Device(DeviceError::NoiseDt { .. }) => "StepMultipleRequired",
        NetworkError::Device(DeviceError::Recordable { .. }) => "IllegalConnection",
        NetworkError::Param { .. } | NetworkError::Device(_) | NetworkError::PoissonRate { .. } => {
            "BadProperty"
        }
        NetworkError::Connect(_) | NetworkError::EmptyCreate(_) => "IllegalConnection",
        NetworkError::ConnSpec(_) | NetworkError::BadProperty(_) => "BadProperty",
        NetworkError::UnknownSynapseParam { .. } => "UnaccessedDictionaryEntry",
        NetworkError::NotImplemented(_) => "NotImplemented",
        NetworkError::IncompatibleReceptorType { .. } => "IncompatibleReceptorType",
        NetworkError::UnknownReceptorType { .. } => "UnknownReceptorType",
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

/// NEST's error for a model name that is neither a node nor a synapse
/// model (SetDefaults, GetDefaults).
fn unknown_component(model: &str) -> PyErr {
    err(
        "UnknownComponent",
        format!(
            "{model} is not a known component (node models: {})",
            Kernel::node_models().join(", ")
        ),
    )
}

/// The device models, by NEST's names, but for the spike sources
/// (`SOURCE_MODELS`, listed between the generators and the recorders). A
/// `voltmeter` is a multimeter whose `record_from` starts as `["V_m"]`.
const GENERATOR_MODELS: &[&str] = &[
    "poisson_generator",
    "spike_generator",
    "dc_generator",
    "step_current_generator",
    "ac_generator",
    "noise_generator",
];
const RECORDER_MODELS: &[&str] = &[
    "spike_recorder",
    "multimeter",
    "voltmeter",
    "weight_recorder",
    "correlation_detector",
];

/// NEST's `element_type` of a node model.
fn element_type(model: &str) -> &'static str {
    match model {
        "poisson_generator"
        | "spike_generator"
        | "dc_generator"
        | "step_current_generator"
        | "ac_generator"
        | "noise_generator" => "stimulator",
        m if SOURCE_MODELS.contains(&m) => "stimulator",
        "spike_recorder"
        | "multimeter"
        | "voltmeter"
        | "weight_recorder"
        | "correlation_detector" => "recorder",
        _ => "neuron",
    }
}

/// NEST's timers (its kernel status keys), each with a `_cpu` twin.
/// Those the engine measures come from it; the rest are 0.0 (see
/// [`Kernel::timers`]).
const TIMERS: &[&str] = &[
    "time_collocate_spike_data",
    "time_communicate_prepare",
    "time_communicate_spike_data",
    "time_communicate_target_data",
    "time_construction_connect",
    "time_construction_create",
    "time_deliver_secondary_data",
    "time_deliver_spike_data",
    "time_gather_secondary_data",
    "time_gather_spike_data",
    "time_gather_target_data",
    "time_mpi_synchronization",
    "time_omp_synchronization_construction",
    "time_omp_synchronization_simulation",
    "time_simulate",
    "time_update",
];

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

fn number(key: &str, v: &Bound<'_, PyAny>) -> PyResult<f64> {
    v.extract::<f64>()
        .map_err(|_| err("BadProperty", format!("'{key}' must be a number")))
}

fn flag(key: &str, v: &Bound<'_, PyAny>) -> PyResult<bool> {
    v.extract::<bool>()
        .map_err(|_| err("TypeMismatch", format!("'{key}' must be a bool")))
}

fn text(key: &str, v: &Bound<'_, PyAny>) -> PyResult<String> {
    v.extract().map_err(|_| {
        err(
            "TypeMismatch",
            format!("'{key}' must be a string (got {})", type_name(v)),
        )
    })
}

fn numbers_of(key: &str, v: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    v.extract().map_err(|_| {
        err(
            "TypeMismatch",
            format!("'{key}' must be a list of numbers (got {})", type_name(v)),
        )
    })
}

/// Node ids (the Python layer passes a NodeCollection as its list).
fn node_ids(key: &str, v: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
    let mut ids: Vec<u32> = v.extract().map_err(|_| {
        err(
            "TypeMismatch",
            format!("'{key}' must be a NodeCollection (got {})", type_name(v)),
        )
    })?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

fn texts(key: &str, v: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if v.is_instance_of::<pyo3::types::PyString>() {
        return Err(err(
            "TypeMismatch",
            format!("'{key}' must be a list of names (got a string)"),
        ));
    }
    v.extract().map_err(|_| {
        err(
            "TypeMismatch",
            format!("'{key}' must be a list of names (got {})", type_name(v)),
        )
    })
}

fn unknown(model: &str, key: &str) -> PyErr {
    err(
        "UnaccessedDictionaryEntry",
        format!("{model} has no parameter '{key}'"),
    )
}

/// A parameter dict's (name, value) pairs.
fn items<'py>(d: Option<&Bound<'py, PyDict>>) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
    d.into_iter()
        .flat_map(|d| d.iter())
        .map(|(k, v)| {
            let key: String = k.extract().map_err(|_| {
                err(
                    "TypeMismatch",
                    format!("parameter names must be strings (got {})", type_name(&k)),
                )
            })?;
            Ok((key, v))
        })
        .collect()
}

/// A neuron parameter's value: a number, or a list (NEST's `tau_syn`).
#[derive(Debug, Clone)]
enum Value {
    Scalar(f64),
    List(Vec<f64>),
}

/// Neuron parameters by name.
type Values = Vec<(String, Value)>;

/// A parameter dict for neurons of `model` as (name, value) pairs: the
/// names checked first (NEST's UnaccessedDictionaryEntry), then the values
/// (a list where the model's parameter is a list).
fn neuron_values(model: ModelRef, d: Option<&Bound<'_, PyDict>>) -> PyResult<Values> {
    let pairs = items(d)?;
    let is_list = |key: &str| model.lists().iter().any(|l| l.name == key);
    if let Some((key, _)) = pairs.iter().find(|(key, _)| {
        !model.params().iter().any(|p| p.name == key)
            && !is_list(key)
            && !ARCHIVE_PARAMS.iter().any(|p| p.name == key)
    }) {
        return Err(unknown(model.name(), key));
    }
    pairs
        .into_iter()
        .map(|(key, v)| {
            let x = if is_list(&key) {
                let list: Vec<f64> = v.extract().map_err(|_| {
                    err(
                        "TypeMismatch",
                        format!(
                            "Failed to cast '{key}' from {} to a list of numbers",
                            type_name(&v)
                        ),
                    )
                })?;
                Value::List(list)
            } else {
                Value::Scalar(number(&key, &v)?)
            };
            Ok((key, x))
        })
        .collect()
}

/// Set parameter `key` of `p` to `v`.
fn set_value(
    p: &mut NeuronParams,
    key: &str,
    v: &Value,
) -> Result<(), spindle::models::ParamError> {
    match v {
        Value::Scalar(x) => p.set(key, *x),
        Value::List(list) => p.set_list(key, list),
    }
}

/// `base` with the values of `d` set by name.
fn neuron_params(base: &NeuronParams, d: &Values) -> PyResult<NeuronParams> {
    let mut p = base.clone();
    for (key, v) in d {
        set_value(&mut p, key, v).map_err(|_| unknown(base.model().name(), key))?;
    }
    let model = base.model();
    model
        .check_lists(base.values(), p.values(), &given_lists(d))
        .map_err(|e| err("BadProperty", format!("{}: {e}", model.name())))?;
    Ok(p)
}

/// The lists a parameter dict gives, for NEST's refusals that depend on
/// them ([`spindle::models::NeuronModel::check_lists`]).
fn given_lists(d: &Values) -> Vec<&str> {
    d.iter()
        .filter(|(_, v)| matches!(v, Value::List(_)))
        .map(|(k, _)| k.as_str())
        .collect()
}

/// A neuron's list-valued parameter (`tau_syn`) or its length's read-only
/// name (`n_synapses`), as `get` and `GetDefaults` give them.
fn list_value<'py>(
    py: Python<'py>,
    p: &NeuronParams,
    key: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    for list in p.model().lists() {
        let values = p.get_list(list.name).expect("the model's own");
        if key == list.name {
            return Ok(Some(PyList::new(py, values)?.into_any()));
        }
        if key == list.count {
            return Ok(Some(py_any(py, values.len())?));
        }
    }
    Ok(None)
}

/// A `Parameter`'s description (`spindle.nest._parameter`): a tuple
/// whose first item names the distribution or operation.
fn param_of(v: &Bound<'_, PyAny>) -> PyResult<Param> {
    let bad = || err("BadParameter", format!("not a parameter: {v}"));
    let t: &Bound<'_, pyo3::types::PyTuple> = v.cast().map_err(|_| bad())?;
    let tag: String = t.get_item(0)?.extract().map_err(|_| bad())?;
    let f = |i: usize| -> PyResult<f64> { t.get_item(i)?.extract::<f64>().map_err(|_| bad()) };
    let sub = |i: usize| -> PyResult<Box<Param>> { Ok(Box::new(param_of(&t.get_item(i)?)?)) };
    let p = match tag.as_str() {
        "const" => Param::Const(f(1)?),
        "uniform" => Param::Uniform {
            min: f(1)?,
            max: f(2)?,
        },
        "uniform_int" => Param::UniformInt {
            max: t.get_item(1)?.extract().map_err(|_| bad())?,
        },
        "normal" => Param::Normal {
            mean: f(1)?,
            std: f(2)?,
        },
        "lognormal" => Param::Lognormal {
            mean: f(1)?,
            std: f(2)?,
        },
        "exponential" => Param::Exponential { beta: f(1)? },
        // Values given one per connection (NEST's arrays in a syn_spec).
        "table" => Param::table(t.get_item(1)?.extract().map_err(|_| bad())?),
        "redraw" => Param::Redraw {
            param: sub(1)?,
            min: f(2)?,
            max: f(3)?,
        },
        op @ ("add" | "sub" | "mul" | "div" | "pow" | "min" | "max" | "lt" | "le" | "gt" | "ge"
        | "eq" | "ne") => {
            let op = match op {
                "add" => BinOp::Add,
                "sub" => BinOp::Sub,
                "mul" => BinOp::Mul,
                "div" => BinOp::Div,
                "pow" => BinOp::Pow,
                "min" => BinOp::Min,
                "max" => BinOp::Max,
                "lt" => BinOp::Cmp(Cmp::Lt),
                "le" => BinOp::Cmp(Cmp::Le),
                "gt" => BinOp::Cmp(Cmp::Gt),
                "ge" => BinOp::Cmp(Cmp::Ge),
                "eq" => BinOp::Cmp(Cmp::Eq),
                _ => BinOp::Cmp(Cmp::Ne),
            };
            Param::Bin(op, sub(1)?, sub(2)?)
        }
        f @ ("exp" | "sin" | "cos" | "neg" | "abs") => {
            let f = match f {
                "exp" => Func::Exp,
                "sin" => Func::Sin,
                "cos" => Func::Cos,
                "neg" => Func::Neg,
                _ => Func::Abs,
            };
            Param::Func(f, sub(1)?)
        }
        _ => return Err(bad()),
    };
    p.validate()
        .map_err(|e| err("BadParameterValue", e.to_string()))?;
    Ok(p)
}

/// A synapse model's `weight` and `delay` from a parameter dict.
/// A synapse model's weight, delay and the parameters of its rule (which
/// the network checks) from a parameter dict.
/// (weight, delay, rule parameters, receptor type) as a synapse model's
/// defaults take them.
type SynapseParams = (Option<f64>, Option<f64>, Vec<(String, f64)>, Option<i64>);

fn synapse_params(model: &str, d: Option<&Bound<'_, PyDict>>) -> PyResult<SynapseParams> {
    let (mut weight, mut delay, mut rule, mut receptor) = (None, None, Vec::new(), None);
    for (key, v) in items(d)? {
        match key.as_str() {
            "weight" => weight = Some(number("weight", &v)?),
            "delay" => delay = Some(number("delay", &v)?),
            "receptor_type" => receptor = Some(receptor_of(&v)?),
            k if RULE_PARAMS.contains(&k) => rule.push((key.clone(), rule_value(&key, &v)?)),
            _ => return Err(unknown(model, &key)),
        }
    }
    Ok((weight, delay, rule, receptor))
}

/// A receptor type: an integer (numpy's too), not a float.
fn receptor_of(v: &Bound<'_, PyAny>) -> PyResult<i64> {
    v.extract::<i64>().map_err(|_| {
        err(
            "TypeMismatch",
            "The dictionary value with key receptor_type does not hold a numeric integer type.",
        )
    })
}

fn record_to(v: &Bound<'_, PyAny>) -> PyResult<RecordTo> {
    match text("record_to", v)?.as_str() {
        "ascii" => Ok(RecordTo::Ascii),
        "memory" => Ok(RecordTo::Memory),
        other => Err(err(
            "BadProperty",
            format!("record_to '{other}' is not offered (ascii, memory)"),
        )),
    }
}

fn record_to_name(r: RecordTo) -> &'static str {
    match r {
        RecordTo::Ascii => "ascii",
        RecordTo::Memory => "memory",
        RecordTo::None => "none",
    }
}

/// A device's parameters, as `Create` and `SetDefaults` take them.
#[derive(Debug, Clone)]
enum Device {
    Poisson(PoissonGeneratorParams),
    SpikeGenerator(SpikeGeneratorParams),
    Dc(DcGeneratorParams),
    StepCurrent(StepCurrentGeneratorParams),
    Ac(AcGeneratorParams),
    Noise(NoiseGeneratorParams),
    /// A stochastic or pulse spike source (`spindle_models::sources`).
    Source(SpikeSourceParams),
    Recorder(SpikeRecorderParams),
    /// A multimeter or (`true`) a voltmeter.
    Meter(MultimeterParams, bool),
    WeightRecorder(WeightRecorderParams),
    Correlation(CorrelationDetectorParams),
}

impl Device {
    /// `self` with the values of `d` set by NEST's names; `res` checks a
    /// sampling interval.
    fn with(&self, d: Option<&Bound<'_, PyDict>>, res: Resolution) -> PyResult<Device> {
        self.with_at(d, res, false, 0.0)
    }

    /// [`Self::with`] on a node (`instance`) or on model defaults, at
    /// time `now` [ms] (a source's rate times must lie after it).
    fn with_at(
        &self,
        d: Option<&Bound<'_, PyDict>>,
        res: Resolution,
        instance: bool,
        now: f64,
    ) -> PyResult<Device> {
        let mut out = self.clone();
        if let Device::Source(p) = &mut out {
            let mut values = Vec::new();
            for (key, v) in items(d)? {
                let Some(kind) = p.value_of(&key) else {
                    return Err(unknown(p.name(), &key));
                };
                let value = match kind {
                    SourceValue::Number(_) => SourceValue::Number(open_end(number(&key, &v)?)),
                    SourceValue::Flag(_) => SourceValue::Flag(flag(&key, &v)?),
                    SourceValue::List(_) => SourceValue::List(numbers_of(&key, &v)?),
                };
                values.push((key, value));
            }
            let values: Vec<(&str, SourceValue)> = values
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            p.set(&values, instance, now, res)
                .map_err(|e| net_err(NetworkError::Device(e)))?;
            return Ok(out);
        }
        for (key, v) in items(d)? {
            match &mut out {
                Device::Source(_) => unreachable!("set above"),
                Device::Poisson(p) => match key.as_str() {
                    "rate" => p.rate = number(&key, &v)?,
                    "start" => p.start = number(&key, &v)?,
                    // NEST's "never" is the largest double.
                    "stop" => p.stop = open_end(number(&key, &v)?),
                    "origin" => p.origin = number(&key, &v)?,
                    _ => return Err(unknown("poisson_generator", &key)),
                },
                Device::Dc(p) => match key.as_str() {
                    "amplitude" => p.amplitude = number(&key, &v)?,
                    "start" => p.start = number(&key, &v)?,
                    "stop" => p.stop = open_end(number(&key, &v)?),
                    "origin" => p.origin = number(&key, &v)?,
                    _ => return Err(unknown("dc_generator", &key)),
                },
                Device::StepCurrent(p) => match key.as_str() {
                    "amplitude_times" => p.amplitude_times = numbers_of(&key, &v)?,
                    "amplitude_values" => p.amplitude_values = numbers_of(&key, &v)?,
                    "allow_offgrid_times" => {
                        p.allow_offgrid_times = v
                            .extract::<bool>()
                            .map_err(|_| err("TypeMismatch", format!("{key} must be a bool")))?
                    }
                    "start" => p.start = number(&key, &v)?,
                    "stop" => p.stop = open_end(number(&key, &v)?),
                    "origin" => p.origin = number(&key, &v)?,
                    _ => return Err(unknown("step_current_generator", &key)),
                },
                Device::Ac(p) => match key.as_str() {
                    "amplitude" => p.amplitude = number(&key, &v)?,
                    "offset" => p.offset = number(&key, &v)?,
                    "frequency" => p.frequency = number(&key, &v)?,
                    "phase" => p.phase = number(&key, &v)?,
                    "start" => p.start = number(&key, &v)?,
                    "stop" => p.stop = open_end(number(&key, &v)?),
                    "origin" => p.origin = number(&key, &v)?,
                    _ => return Err(unknown("ac_generator", &key)),
                },
                Device::Noise(p) => match key.as_str() {
                    "mean" => p.mean = number(&key, &v)?,
                    "std" => p.std = number(&key, &v)?,
                    "dt" => p.dt = Some(number(&key, &v)?),
                    "std_mod" => p.std_mod = number(&key, &v)?,
                    "frequency" => p.frequency = number(&key, &v)?,
                    "phase" => p.phase = number(&key, &v)?,
                    "start" => p.start = number(&key, &v)?,
                    "stop" => p.stop = open_end(number(&key, &v)?),
                    "origin" => p.origin = number(&key, &v)?,
                    _ => return Err(unknown("noise_generator", &key)),
                },
                Device::SpikeGenerator(p) => match key.as_str() {
                    "spike_times" => p.spike_times = numbers_of(&key, &v)?,
                    "spike_weights" => p.spike_weights = numbers_of(&key, &v)?,
                    "spike_multiplicities" => {
                        let m: Vec<i64> = v.extract().map_err(|_| {
                            err(
                                "TypeMismatch",
                                format!(
                                    "'{key}' must be a list of integers (got {})",
                                    type_name(&v)
                                ),
                            )
                        })?;
                        if m.iter().any(|&m| m < 0) {
                            return Err(err("BadProperty", "spike_multiplicities must be >= 0"));
                        }
                        p.spike_multiplicities = m.into_iter().map(|m| m as u64).collect();
                    }
                    "precise_times" => p.precise_times = flag(&key, &v)?,
                    "allow_offgrid_times" => p.allow_offgrid_times = flag(&key, &v)?,
                    "shift_now_spikes" => p.shift_now_spikes = flag(&key, &v)?,
                    "start" => p.start = number(&key, &v)?,
                    "stop" => p.stop = open_end(number(&key, &v)?),
                    "origin" => p.origin = number(&key, &v)?,
                    _ => return Err(unknown("spike_generator", &key)),
                },
                Device::Recorder(SpikeRecorderParams { window: w, .. })
                | Device::Correlation(CorrelationDetectorParams { window: w, .. })
                | Device::Meter(MultimeterParams { window: w, .. }, _)
                | Device::WeightRecorder(WeightRecorderParams {
                    recorder: SpikeRecorderParams { window: w, .. },
                    ..
                }) if matches!(key.as_str(), "start" | "stop" | "origin") => {
                    let x = number(&key, &v)?;
                    match key.as_str() {
                        "start" => w.start = x,
                        "stop" => w.stop = open_end(x),
                        _ => w.origin = x,
                    }
                }
                Device::Recorder(p) => match key.as_str() {
                    "label" => p.label = text(&key, &v)?,
                    "record_to" => p.record_to = record_to(&v)?,
                    "time_in_steps" => p.time_in_steps = flag(&key, &v)?,
                    _ => return Err(unknown("spike_recorder", &key)),
                },
                Device::Correlation(p) => match key.as_str() {
                    "delta_tau" => p.delta_tau = Some(number(&key, &v)?),
                    "tau_max" => p.tau_max = number(&key, &v)?,
                    "Tstart" => p.t_start = number(&key, &v)?,
                    "Tstop" => p.t_stop = open_end(number(&key, &v)?),
                    _ => return Err(unknown("correlation_detector", &key)),
                },
                Device::WeightRecorder(p) => match key.as_str() {
                    "label" => p.recorder.label = text(&key, &v)?,
                    "record_to" => {
                        if text(&key, &v)? != "memory" {
                            return Err(not_implemented(
                                "Spindle's weight_recorders record to memory only",
                            ));
                        }
                    }
                    "time_in_steps" => {
                        if flag(&key, &v)? {
                            return Err(not_implemented(
                                "Spindle's weight_recorders give times in ms only",
                            ));
                        }
                    }
                    "senders" => p.senders = node_ids(&key, &v)?,
                    "targets" => p.targets = node_ids(&key, &v)?,
                    _ => return Err(unknown("weight_recorder", &key)),
                },
                Device::Meter(p, volt) => {
                    let model = if *volt { "voltmeter" } else { "multimeter" };
                    match key.as_str() {
                        "interval" => {
                            let x = number(&key, &v)?;
                            res.delay_steps(&format!("{model} interval"), x)
                                .map_err(|e| err("BadProperty", e.to_string()))?;
                            p.interval = Some(x);
                        }
                        "record_from" => p.record_from = texts(&key, &v)?,
                        "offset" => {
                            let x = number(&key, &v)?;
                            if x < 0.0 || res.steps_on_grid("offset", x).is_err() {
                                return Err(err(
                                    "BadProperty",
                                    format!(
                                        "{model}: offset must be a non-negative multiple of the \
                                         resolution"
                                    ),
                                ));
                            }
                            p.offset = x;
                        }
                        "label" => p.label = text(&key, &v)?,
                        "record_to" => p.record_to = record_to(&v)?,
                        "time_in_steps" => p.time_in_steps = flag(&key, &v)?,
                        _ => return Err(unknown(model, &key)),
                    }
                }
            }
        }
        if let Device::Correlation(p) = &out {
            p.validate(res)
                .map_err(|e| net_err(NetworkError::Device(e)))?;
        }
        out.check_grid(res)?;
        if let Device::Meter(p, _) = &out
            && p.time_in_steps
            && p.record_to == RecordTo::Ascii
        {
            return Err(not_implemented(
                "Spindle's multimeter files give times in ms only (time_in_steps in memory only)",
            ));
        }
        Ok(out)
    }

    /// `start`, `stop` and `origin`, where the device has them.
    fn times(&self) -> Option<(f64, f64, f64)> {
        Some(match self {
            Device::Poisson(p) => (p.start, p.stop, p.origin),
            Device::SpikeGenerator(p) => (p.start, p.stop, p.origin),
            Device::Dc(p) => (p.start, p.stop, p.origin),
            Device::StepCurrent(p) => (p.start, p.stop, p.origin),
            Device::Ac(p) => (p.start, p.stop, p.origin),
            Device::Noise(p) => (p.start, p.stop, p.origin),
            Device::Source(p) => (p.start, p.stop, p.origin),
            _ => {
                let w = self.window()?;
                (w.start, w.stop, w.origin)
            }
        })
    }

    /// NEST's check, wherever they are set, that a device's `start`,
    /// `stop` and `origin` lie on the grid.
    fn check_grid(&self, res: Resolution) -> PyResult<()> {
        let Some((start, stop, origin)) = self.times() else {
            return Ok(());
        };
        let model = self.kind().model_name();
        for (what, ms) in [("start", start), ("stop", stop), ("origin", origin)] {
            if ms.is_finite() && res.steps_on_grid(what, ms.abs()).is_err() {
                return Err(net_err(NetworkError::Device(DeviceError::OffGrid {
                    model,
                    what,
                })));
            }
        }
        Ok(())
    }

    /// NEST's own checks of the values (those on the grid wait for Create).
    fn validate(&self) -> PyResult<()> {
        match self {
            // Checked on the grid at once (NEST checks when set).
            Device::Correlation(p) => p.window.validate("correlation_detector"),
            Device::Poisson(p) => p.validate(),
            Device::SpikeGenerator(p) => p.validate(),
            Device::Dc(p) => p.validate(),
            Device::StepCurrent(p) => p.validate(),
            Device::Ac(p) => p.validate(),
            Device::Noise(p) => p.validate(),
            Device::Source(p) => p.validate(),
            Device::Recorder(p) => p.window.validate("spike_recorder"),
            Device::Meter(p, _) => p.window.validate("multimeter"),
            Device::WeightRecorder(p) => p.recorder.window.validate("weight_recorder"),
        }
        .map_err(|e| net_err(NetworkError::Device(e)))
    }

    fn create(&self, net: &mut Network) -> Result<NodeCollection, NetworkError> {
        match self {
            Device::Poisson(p) => net.create_poisson_generator(*p),
            Device::SpikeGenerator(p) => net.create_spike_generator(p.clone()),
            Device::Dc(_) | Device::StepCurrent(_) | Device::Ac(_) | Device::Noise(_) => {
                net.create_current_generator(self.kind())
            }
            Device::Source(p) => net.create_spike_source(p.clone()),
            Device::Recorder(p) => net.create_spike_recorder(p.clone()),
            Device::Meter(p, _) => net.create_multimeter(p.clone()),
            Device::WeightRecorder(p) => Ok(net.create_weight_recorder(p.clone())),
            Device::Correlation(p) => net.create_correlation_detector(*p),
        }
    }

    /// The node kind these parameters give.
    fn kind(&self) -> NodeKind {
        match self {
            Device::Poisson(p) => NodeKind::PoissonGenerator(*p),
            Device::SpikeGenerator(p) => NodeKind::SpikeGenerator(p.clone()),
            Device::Dc(p) => NodeKind::DcGenerator(*p),
            Device::StepCurrent(p) => NodeKind::StepCurrentGenerator(p.clone()),
            Device::Ac(p) => NodeKind::AcGenerator(*p),
            Device::Noise(p) => NodeKind::NoiseGenerator(*p),
            Device::Source(p) => NodeKind::SpikeSource(p.clone()),
            Device::Recorder(p) => NodeKind::SpikeRecorder(p.clone()),
            Device::Meter(p, _) => NodeKind::Multimeter(p.clone()),
            Device::WeightRecorder(p) => NodeKind::WeightRecorder(p.clone()),
            Device::Correlation(p) => NodeKind::CorrelationDetector(*p),
        }
    }

    /// A recording device's window.
    fn window(&self) -> Option<RecordWindow> {
        match self {
            Device::Recorder(p) => Some(p.window),
            Device::Meter(p, _) => Some(p.window),
            Device::WeightRecorder(p) => Some(p.recorder.window),
            Device::Correlation(p) => Some(p.window),
            _ => None,
        }
    }

    /// The parameters by NEST's names, as `GetDefaults` and `get` give
    /// them (recorders' events aside); `res` is the resolution a
    /// multimeter's default interval is.
    fn items<'py>(
        &self,
        py: Python<'py>,
        res: f64,
    ) -> PyResult<Vec<(&'static str, Bound<'py, PyAny>)>> {
        let mut items = match self {
            Device::Poisson(p) => vec![
                ("rate", py_any(py, p.rate)?),
                ("start", py_any(py, p.start)?),
                ("stop", py_any(py, nest_end(p.stop))?),
                ("origin", py_any(py, p.origin)?),
            ],
            Device::Dc(p) => vec![
                ("amplitude", py_any(py, p.amplitude)?),
                ("start", py_any(py, p.start)?),
                ("stop", py_any(py, nest_end(p.stop))?),
                ("origin", py_any(py, p.origin)?),
            ],
            Device::StepCurrent(p) => vec![
                (
                    "amplitude_times",
                    PyList::new(py, &p.amplitude_times)?.into_any(),
                ),
                (
                    "amplitude_values",
                    PyList::new(py, &p.amplitude_values)?.into_any(),
                ),
                ("allow_offgrid_times", py_any(py, p.allow_offgrid_times)?),
                ("start", py_any(py, p.start)?),
                ("stop", py_any(py, nest_end(p.stop))?),
                ("origin", py_any(py, p.origin)?),
            ],
            Device::Ac(p) => vec![
                ("amplitude", py_any(py, p.amplitude)?),
                ("offset", py_any(py, p.offset)?),
                ("frequency", py_any(py, p.frequency)?),
                ("phase", py_any(py, p.phase)?),
                ("start", py_any(py, p.start)?),
                ("stop", py_any(py, nest_end(p.stop))?),
                ("origin", py_any(py, p.origin)?),
            ],
            Device::Noise(p) => vec![
                ("mean", py_any(py, p.mean)?),
                ("std", py_any(py, p.std)?),
                ("dt", py_any(py, p.dt.unwrap_or(10.0 * res))?),
                ("std_mod", py_any(py, p.std_mod)?),
                ("frequency", py_any(py, p.frequency)?),
                ("phase", py_any(py, p.phase)?),
                ("start", py_any(py, p.start)?),
                ("stop", py_any(py, nest_end(p.stop))?),
                ("origin", py_any(py, p.origin)?),
            ],
            Device::SpikeGenerator(p) => vec![
                ("spike_times", PyList::new(py, &p.spike_times)?.into_any()),
                (
                    "spike_weights",
                    PyList::new(py, &p.spike_weights)?.into_any(),
                ),
                (
                    "spike_multiplicities",
                    PyList::new(py, &p.spike_multiplicities)?.into_any(),
                ),
                ("precise_times", py_any(py, p.precise_times)?),
                ("allow_offgrid_times", py_any(py, p.allow_offgrid_times)?),
                ("shift_now_spikes", py_any(py, p.shift_now_spikes)?),
                ("start", py_any(py, p.start)?),
                ("stop", py_any(py, nest_end(p.stop))?),
                ("origin", py_any(py, p.origin)?),
            ],
            Device::Source(p) => {
                let mut items = Vec::new();
                for (key, v) in p.get() {
                    let v = match v {
                        SourceValue::Number(x)
                            if matches!(key, "activity" | "gamma_shape" | "n_proc") =>
                        {
                            py_any(py, x as i64)?
                        }
                        SourceValue::Number(x) => py_any(py, nest_end(x))?,
                        SourceValue::Flag(b) => py_any(py, b)?,
                        SourceValue::List(l) => PyList::new(py, &l)?.into_any(),
                    };
                    items.push((key, v));
                }
                if !p.recordables().is_empty() {
                    items.push(("recordables", PyList::new(py, p.recordables())?.into_any()));
                }
                items
            }
            Device::Recorder(p) => vec![
                ("label", py_any(py, p.label.as_str())?),
                ("record_to", py_any(py, record_to_name(p.record_to))?),
                ("time_in_steps", py_any(py, p.time_in_steps)?),
            ],
            Device::Meter(p, _) => vec![
                ("interval", py_any(py, p.interval.unwrap_or(res))?),
                ("offset", py_any(py, p.offset)?),
                ("record_from", PyList::new(py, &p.record_from)?.into_any()),
                ("label", py_any(py, p.label.as_str())?),
                ("record_to", py_any(py, record_to_name(p.record_to))?),
                ("time_in_steps", py_any(py, p.time_in_steps)?),
            ],
            Device::Correlation(p) => vec![
                ("delta_tau", py_any(py, p.delta_tau.unwrap_or(5.0 * res))?),
                ("tau_max", py_any(py, p.tau_max)?),
                ("Tstart", py_any(py, p.t_start)?),
                ("Tstop", py_any(py, nest_end(p.t_stop))?),
            ],
            Device::WeightRecorder(p) => vec![
                ("label", py_any(py, p.recorder.label.as_str())?),
                ("record_to", py_any(py, "memory")?),
                ("time_in_steps", py_any(py, false)?),
                ("senders", PyList::new(py, &p.senders)?.into_any()),
                ("targets", PyList::new(py, &p.targets)?.into_any()),
            ],
        };
        if let Some(w) = self.window() {
            items.push(("start", py_any(py, w.start)?));
            items.push(("stop", py_any(py, nest_end(w.stop))?));
            items.push(("origin", py_any(py, w.origin)?));
        }
        Ok(items)
    }
}

/// The parameters of a device node of kind `kind` (`volt`: a voltmeter).
fn device_from(kind: &NodeKind, volt: bool) -> Device {
    match kind {
        NodeKind::PoissonGenerator(p) => Device::Poisson(*p),
        NodeKind::SpikeGenerator(p) => Device::SpikeGenerator(p.clone()),
        NodeKind::DcGenerator(p) => Device::Dc(*p),
        NodeKind::StepCurrentGenerator(p) => Device::StepCurrent(p.clone()),
        NodeKind::AcGenerator(p) => Device::Ac(*p),
        NodeKind::NoiseGenerator(p) => Device::Noise(*p),
        NodeKind::SpikeSource(p) => Device::Source(p.clone()),
        NodeKind::SpikeRecorder(p) => Device::Recorder(p.clone()),
        NodeKind::Multimeter(p) => Device::Meter(p.clone(), volt),
        NodeKind::WeightRecorder(p) => Device::WeightRecorder(p.clone()),
        NodeKind::CorrelationDetector(p) => Device::Correlation(*p),
        NodeKind::Neuron { .. } => unreachable!("a device"),
    }
}

/// Whether two descriptions hold the same nodes with the same parameters
/// (connections aside: `set` changes none).
fn same(a: &Network, b: &Network) -> bool {
    a.node_runs() == b.node_runs()
        && a.populations() == b.populations()
        && a.populations()
            .iter()
            .all(|(c, _)| a.node_params_in(c).eq(b.node_params_in(c)))
}

/// A multimeter's events as NEST's holds them: those of the last slice
/// run come with the next run.
fn nest_meter_events(sim: &Simulation, id: u32) -> PyResult<spindle::engine::MultimeterEvents> {
    let ev = sim.multimeter_events(id).map_err(engine_err)?;
    Ok(ev.until(sim.multimeter_horizon()))
}

/// NEST writes an open end (a generator's `stop`) as the largest double;
/// the engine as infinity.
fn open_end(ms: f64) -> f64 {
    if ms >= f64::MAX { f64::INFINITY } else { ms }
}

fn nest_end(ms: f64) -> f64 {
    if ms == f64::INFINITY { f64::MAX } else { ms }
}

/// The recordables of neurons with parameters `p`, in NEST's
/// (alphabetical) order.
fn recordables(p: &NeuronParams) -> Vec<&'static str> {
    let mut names: Vec<_> = p
        .model()
        .recordables_for(p.values())
        .iter()
        .map(|r| r.name)
        .collect();
    names.sort_unstable();
    names
}

/// A value of `get`: converted to Python on demand.
fn py_any<'py, T: IntoPyObject<'py>>(py: Python<'py>, v: T) -> PyResult<Bound<'py, PyAny>> {
    v.into_bound_py_any(py)
}

/// A recorder's event `times` into `d`: in ms, or (`in_steps`, NEST's
/// `time_in_steps`) as steps of `h` with an `offsets` array, 0 on the grid.
fn set_times(d: &Bound<'_, PyDict>, times: Vec<f64>, in_steps: bool, h: f64) -> PyResult<()> {
    if in_steps {
        let steps: Vec<i64> = times.iter().map(|t| (t / h).round() as i64).collect();
        d.set_item("offsets", vec![0.0f64; steps.len()])?;
        d.set_item("times", steps)
    } else {
        d.set_item("times", times)
    }
}

/// An empty `events` dict, as NEST's recorders hold before recording.
fn no_events(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("senders", Vec::<u32>::new())?;
    d.set_item("times", Vec::<f64>::new())?;
    Ok(d)
}

/// The device models' defaults, as `SetDefaults` leaves them (NEST's:
/// multimeters and voltmeters sample every 1 ms, a multimeter records
/// nothing until `record_from` names something).
#[derive(Debug, Clone)]
struct DeviceDefaults {
    poisson_generator: PoissonGeneratorParams,
    spike_generator: SpikeGeneratorParams,
    dc_generator: DcGeneratorParams,
    step_current_generator: StepCurrentGeneratorParams,
    ac_generator: AcGeneratorParams,
    noise_generator: NoiseGeneratorParams,
    sources: Vec<SpikeSourceParams>,
    spike_recorder: SpikeRecorderParams,
    multimeter: MultimeterParams,
    voltmeter: MultimeterParams,
    weight_recorder: WeightRecorderParams,
    correlation_detector: CorrelationDetectorParams,
}

impl Default for DeviceDefaults {
    fn default() -> Self {
        Self {
            poisson_generator: PoissonGeneratorParams::with_rate(0.0),
            spike_generator: SpikeGeneratorParams::default(),
            dc_generator: DcGeneratorParams::default(),
            step_current_generator: StepCurrentGeneratorParams::default(),
            ac_generator: AcGeneratorParams::default(),
            noise_generator: NoiseGeneratorParams::default(),
            sources: SOURCE_MODELS
                .iter()
                .filter_map(|m| SpikeSourceParams::defaults(m))
                .collect(),
            spike_recorder: SpikeRecorderParams::default(),
            multimeter: MultimeterParams {
                interval: Some(1.0),
                record_from: Vec::new(),
                ..Default::default()
            },
            voltmeter: MultimeterParams {
                interval: Some(1.0),
                record_from: vec!["V_m".into()],
                ..Default::default()
            },
            weight_recorder: WeightRecorderParams::default(),
            correlation_detector: CorrelationDetectorParams::default(),
        }
    }
}

impl DeviceDefaults {
    fn get(&self, model: &str) -> Option<Device> {
        Some(match model {
            "poisson_generator" => Device::Poisson(self.poisson_generator),
            "spike_generator" => Device::SpikeGenerator(self.spike_generator.clone()),
            "dc_generator" => Device::Dc(self.dc_generator),
            "step_current_generator" => Device::StepCurrent(self.step_current_generator.clone()),
            "ac_generator" => Device::Ac(self.ac_generator),
            "noise_generator" => Device::Noise(self.noise_generator),
            m if SOURCE_MODELS.contains(&m) => {
                Device::Source(self.sources.iter().find(|p| p.name() == m)?.clone())
            }
            "spike_recorder" => Device::Recorder(self.spike_recorder.clone()),
            "multimeter" => Device::Meter(self.multimeter.clone(), false),
            "voltmeter" => Device::Meter(self.voltmeter.clone(), true),
            "weight_recorder" => Device::WeightRecorder(self.weight_recorder.clone()),
            "correlation_detector" => Device::Correlation(self.correlation_detector),
            _ => return None,
        })
    }

    fn set(&mut self, d: Device) {
        match d {
            Device::Poisson(p) => self.poisson_generator = p,
            Device::SpikeGenerator(p) => self.spike_generator = p,
            Device::Dc(p) => self.dc_generator = p,
            Device::StepCurrent(p) => self.step_current_generator = p,
            Device::Ac(p) => self.ac_generator = p,
            Device::Noise(p) => self.noise_generator = p,
            Device::Source(p) => {
                if let Some(d) = self.sources.iter_mut().find(|d| d.name() == p.name()) {
                    *d = p;
                }
            }
            Device::Recorder(p) => self.spike_recorder = p,
            Device::Meter(p, false) => self.multimeter = p,
            Device::Meter(p, true) => self.voltmeter = p,
            Device::WeightRecorder(p) => self.weight_recorder = p,
            Device::Correlation(p) => self.correlation_detector = p,
        }
    }
}

/// A node model `CopyModel` made: a new name for a built-in model, with
/// defaults of its own.
#[derive(Debug, Clone)]
struct NodeCopy {
    name: &'static str,
    defaults: CopyDefaults,
}

#[derive(Debug, Clone)]
enum CopyDefaults {
    Neuron(NeuronParams),
    Device(Device),
}

/// `name` as a `&'static str`: the names of copied models live as long as
/// the process, each kept once however often it is copied again.
fn intern(name: &str) -> &'static str {
    static NAMES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(n) = names.iter().find(|n| **n == name) {
        return n;
    }
    let n: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.push(n);
    n
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
    /// `Parameter.GetValue()` calls so far: each draws from its own stream.
    samples: u64,
    /// `min_delay` and `max_delay` as the user set them [ms].
    min_delay: Option<f64>,
    max_delay: Option<f64>,
    /// NEST's waveform relaxation settings. They act on connections
    /// without delay (gap junctions), which Spindle has none of, so they
    /// are kept and checked as NEST checks them, and change nothing.
    use_wfr: bool,
    wfr_comm_interval: f64,
    wfr_tol: f64,
    wfr_max_iterations: i64,
    wfr_interpolation_order: i64,
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
            samples: 0,
            min_delay: None,
            max_delay: None,
            use_wfr: true,
            wfr_comm_interval: 1.0,
            wfr_tol: 1e-4,
            wfr_max_iterations: 15,
            wfr_interpolation_order: 3,
        }
    }
}

/// A wall clock and the calling thread's CPU clock, read as NEST's
/// stopwatches read them.
struct Watch {
    wall: Instant,
    cpu: ThreadTime,
}

impl Watch {
    fn start() -> Self {
        Self {
            wall: Instant::now(),
            cpu: ThreadTime::now(),
        }
    }

    fn elapsed(&self) -> PhaseTime {
        PhaseTime {
            wall: self.wall.elapsed(),
            cpu: self.cpu.elapsed(),
        }
    }
}

/// The construction timers this module keeps (the engine keeps the rest).
#[derive(Debug, Default)]
struct Timers {
    /// `time_construction_create`: the Create calls.
    create: PhaseTime,
    /// `time_construction_connect`: the Connect calls; wall: describing
    /// the connections (timed here) plus building the synapses (the
    /// engine's figure); CPU: this thread's over the calls.
    connect: PhaseTime,
    /// `time_communicate_prepare`: building the synapses at Prepare or
    /// Simulate rather than at Connect (the engine's figure, wall time).
    prepare: Duration,
}

/// This process's virtual memory in kB (NEST's `memory_size`), -1 where
/// the system does not tell.
fn memory_size() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("VmSize:")
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(-1)
}

fn sum_phases(t: &PhaseTimers) -> PhaseTime {
    let mut total = PhaseTime::default();
    for (_, p) in t.phases() {
        total += p;
    }
    total
}

/// NEST's kernel: status, the network description, and the simulation
/// built from it (rebuilt whenever the description changes).
#[pyclass(module = "spindle._spindle")]
pub struct Kernel {
    status: KernelStatus,
    net: Option<Network>,
    /// Neuron models' defaults that `SetDefaults` changed.
    neuron_defaults: Vec<NeuronParams>,
    devices: DeviceDefaults,
    sim: Option<Simulation>,
    /// A simulation built before the last change: `prepare` keeps its
    /// synapses when the change only added connections.
    stale: Option<Simulation>,
    /// Files this kernel wrote (it may overwrite its own).
    written: Vec<PathBuf>,
    /// The multimeters created as `voltmeter`, in id order.
    voltmeters: Vec<u32>,
    /// Node models `CopyModel` made, in the order made.
    node_copies: Vec<NodeCopy>,
    /// (first id, count, model) of the nodes created from copies, in id
    /// order.
    copied_runs: Vec<(u32, u32, &'static str)>,
    /// Prepare or Simulate ran since the network last changed: NEST's
    /// multimeters then list their `record_from` names in `events`.
    prepared: bool,
    timers: Timers,
    /// Biological time [ms] at the last Prepare: recorders' files hold
    /// the events after it, as NEST's, truncated at Prepare, do.
    files_from: f64,
    /// The network's connections when the simulation was last built
    /// (see [`Kernel::build_at_connect`]).
    built_connections: u64,
    /// Simulations built since `ResetKernel` (tests read it).
    builds: u64,
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

    /// The neuron model `name` is (a built-in one, or a copy of one) and
    /// its defaults.
    fn neuron_defaults(&self, name: &str) -> Option<(ModelRef, NeuronParams)> {
        if let Some(model) = neuron_model(name) {
            return Some((model, self.defaults_of(model)));
        }
        self.node_copies.iter().find_map(|c| match &c.defaults {
            CopyDefaults::Neuron(p) if c.name == name => Some((p.model(), p.clone())),
            _ => None,
        })
    }

    /// The defaults of device model `name` (a built-in one, or a copy).
    fn device_defaults(&self, name: &str) -> Option<Device> {
        if let Some(d) = self.devices.get(name) {
            return Some(d);
        }
        self.node_copies.iter().find_map(|c| match &c.defaults {
            CopyDefaults::Device(d) if c.name == name => Some(d.clone()),
            _ => None,
        })
    }

    /// NEST's `model_id`: the model's place among the node models, copies
    /// after the built-in ones in the order made.
    fn node_model_id(&self, name: &str) -> usize {
        let builtin = Self::node_models();
        match builtin.iter().position(|m| *m == name) {
            Some(i) => i,
            None => {
                builtin.len()
                    + self
                        .node_copies
                        .iter()
                        .position(|c| c.name == name)
                        .unwrap_or(0)
            }
        }
    }

    /// Whether `name` names a node or synapse model.
    fn model_exists(&self, name: &str) -> bool {
        self.neuron_defaults(name).is_some()
            || self.device_defaults(name).is_some()
            || match &self.net {
                Some(net) => net.synapse_models().iter().any(|m| m.name == name),
                None => Self::synapse_models().contains(&name),
            }
    }

    fn resolution(&self) -> PyResult<Resolution> {
        Resolution::new(self.status.resolution).map_err(|e| err("BadProperty", e.to_string()))
    }

    fn net(&mut self) -> PyResult<&mut Network> {
        if self.net.is_none() {
            let res = self.resolution()?;
            let mut net = Network::new(res, self.status.rng_seed);
            if let Some(ms) = self.status.min_delay {
                net.set_min_delay(ms).map_err(net_err)?;
            }
            self.net = Some(net);
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
        self.prepared = false;
        self.net()
    }

    /// A `syn_spec` dict read, with its model's default receptor type
    /// where it names none.
    fn syn_spec(&self, syn: Option<&Bound<'_, PyDict>>) -> PyResult<SynSpec> {
        let spec = syn_of(syn)?;
        let given = syn.is_some_and(|d| d.contains("receptor_type").unwrap_or(false));
        Ok(
            match self
                .net
                .as_ref()
                .and_then(|n| n.synapse_models().iter().find(|m| m.name == spec.model))
            {
                Some(m) if !given && m.receptor_type != 0 => spec.with_receptor(m.receptor_type),
                _ => spec,
            },
        )
    }

    fn kind(&self, id: u32) -> PyResult<&NodeKind> {
        self.net
            .as_ref()
            .and_then(|n| n.node(id))
            .ok_or_else(|| err("UnknownNode", format!("Node with id {id} does not exist.")))
    }

    /// NEST's model name of node `id`.
    fn model_name(&self, id: u32) -> PyResult<&'static str> {
        let i = self
            .copied_runs
            .partition_point(|&(first, _, _)| first <= id);
        if let Some(&(first, n, name)) = i.checked_sub(1).map(|i| &self.copied_runs[i])
            && id < first + n
        {
            return Ok(name);
        }
        Ok(match self.kind(id)? {
            NodeKind::Multimeter(_) if self.voltmeters.binary_search(&id).is_ok() => "voltmeter",
            kind => kind.model_name(),
        })
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
                    format!("nodes {first}..{} do not exist", first as u64 + n as u64),
                )
            })
    }

    /// The parts of `c` made by each Create call, with what they are.
    fn parts(&self, c: NodeCollection) -> Vec<(NodeCollection, &NodeKind)> {
        let Some(net) = &self.net else {
            return Vec::new();
        };
        let runs = net.node_runs();
        let end = c.first() as usize + c.len();
        let start =
            runs.partition_point(|(r, _)| r.first() as usize + r.len() <= c.first() as usize);
        runs[start..]
            .iter()
            .take_while(|(r, _)| (r.first() as usize) < end)
            .filter_map(|(r, kind)| {
                NodeCollection::from_range(r.first().max(c.first()), r.overlap(&c) as u32)
                    .map(|p| (p, kind))
            })
            .collect()
    }

    /// The parameters of device node `id`.
    fn device_of(&self, id: u32) -> PyResult<Device> {
        let volt = self.voltmeters.binary_search(&id).is_ok();
        Ok(device_from(self.kind(id)?, volt))
    }

    /// Build the simulation (NEST's Prepare): every shard, every synapse.
    /// Returns the time the engine took to build it (zero if built).
    fn prepare(&mut self, py: Python<'_>) -> PyResult<Duration> {
        if self.sim.is_some() {
            return Ok(Duration::ZERO);
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
        let built = sim.stats().time_construction_connect;
        self.sim = Some(sim);
        self.built_connections = self.all_connections();
        self.builds += 1;
        Ok(built)
    }

    /// All connections made so far, devices' too.
    fn all_connections(&self) -> u64 {
        self.net.as_ref().map_or(0, |net| {
            net.synapse_models()
                .iter()
                .filter_map(|m| net.num_connections(&m.name).ok())
                .sum()
        })
    }

    /// Whether a `Connect` between neurons builds the simulation at once:
    /// when the connections made since the last build are at least an
    /// eighth of all. Scripts of a few large `Connect` calls (NEST's
    /// Brunel examples) so spend their build in `Connect`, as NEST does,
    /// and a value drawn there that Spindle cannot hold fails there; each
    /// build costs the whole network, so thousands of small calls (the
    /// sudoku example's 729) are built together at the next call that
    /// needs the simulation (`Simulate`, `GetConnections`), whose
    /// builds over the calls cost at most eight times the last.
    fn build_at_connect(&self) -> bool {
        let all = self.all_connections();
        all.saturating_sub(self.built_connections) * 8 >= all
    }

    fn write_recorders(&mut self) -> PyResult<()> {
        let sim = self.sim.as_ref().expect("prepared");
        let dir = if self.status.data_path.is_empty() {
            PathBuf::from(".")
        } else {
            PathBuf::from(&self.status.data_path)
        };
        let written = sim
            .write_recorders(
                &dir,
                &self.status.data_prefix,
                self.file_names(),
                self.files_from,
            )
            .map_err(|e| err("IOError", e.to_string()))?;
        let mut written = written;
        let meters: Vec<u32> = self.net.as_ref().map_or(Vec::new(), |net| {
            net.node_runs()
                .iter()
                .filter(
                    |(_, k)| matches!(k, NodeKind::Multimeter(p) if p.record_to == RecordTo::Ascii),
                )
                .map(|(c, _)| c.first())
                .collect()
        });
        for id in meters {
            let Some(path) = self.recorder_file(id)? else {
                continue;
            };
            // The samples since the last Prepare, as NEST's file holds.
            let ev = nest_meter_events(sim, id)?.after(self.files_from);
            spindle::engine::write_meter_dat(&path, &ev)
                .map_err(|e| err("IOError", format!("{}: {e}", path.display())))?;
            written.push(path);
        }
        for p in written {
            if !self.written.contains(&p) {
                self.written.push(p);
            }
        }
        Ok(())
    }

    /// Recorders' files as NEST names them, for this network and kernel.
    fn file_names(&self) -> FileNames {
        FileNames::Nest {
            nodes: self.net.as_ref().map_or(0, |n| n.num_nodes()),
            vps: self.status.local_num_threads,
        }
    }

    /// The folder recorders write into.
    fn data_dir(&self) -> PathBuf {
        if self.status.data_path.is_empty() {
            PathBuf::from(".")
        } else {
            PathBuf::from(&self.status.data_path)
        }
    }

    /// The file recorder or multimeter `id` writes, if it records to
    /// ASCII files (NEST names it by label, or by model without one).
    fn recorder_file(&self, id: u32) -> PyResult<Option<PathBuf>> {
        let model = self.model_name(id)?;
        let label = match self.kind(id)? {
            NodeKind::SpikeRecorder(p) if p.record_to == RecordTo::Ascii => &p.label,
            NodeKind::Multimeter(p) if p.record_to == RecordTo::Ascii => &p.label,
            _ => return Ok(None),
        };
        let label = if label.is_empty() {
            model
        } else {
            label.as_str()
        };
        Ok(Some(spindle::engine::dat_path(
            &self.data_dir(),
            &self.status.data_prefix,
            label,
            id,
            self.file_names(),
        )))
    }

    /// NEST's `filenames` of recorder `id`.
    fn recorder_filenames(&self, id: u32) -> PyResult<Vec<String>> {
        Ok(self
            .recorder_file(id)?
            .map(|p| p.display().to_string())
            .into_iter()
            .collect())
    }

    /// NEST refuses to overwrite a recorder's file unless overwrite_files.
    fn check_files(&self) -> PyResult<()> {
        if self.status.overwrite_files {
            return Ok(());
        }
        let Some(net) = &self.net else { return Ok(()) };
        for (c, kind) in net.node_runs() {
            if !matches!(kind, NodeKind::SpikeRecorder(_) | NodeKind::Multimeter(_)) {
                continue;
            }
            if let Some(path) = self.recorder_file(c.first())?
                && path.exists()
                && !self.written.contains(&path)
            {
                return Err(err(
                    "IOError",
                    format!(
                        "{} exists; set nest.overwrite_files = True to overwrite it",
                        path.display()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The value of `key` on node `id` (of kind `kind`), or `None` if the
    /// node has no such parameter.
    fn value<'py>(
        &self,
        py: Python<'py>,
        id: u32,
        kind: &NodeKind,
        key: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let model = self.model_name(id)?;
        match key {
            "model" => return Ok(Some(py_any(py, model)?)),
            "global_id" => return Ok(Some(py_any(py, id)?)),
            "element_type" => return Ok(Some(py_any(py, element_type(model))?)),
            "local" => return Ok(Some(py_any(py, true)?)),
            "model_id" => return Ok(Some(py_any(py, self.node_model_id(model))?)),
            // Spindle updates every node, without waveform relaxation.
            "frozen" | "node_uses_wfr" => return Ok(Some(py_any(py, false)?)),
            "thread_local_id" => return Ok(Some(py_any(py, self.thread_local_id(id)?)?)),
            _ => {}
        }
        let net = self.net.as_ref().expect("a node exists");
        if matches!(key, "vp" | "thread") {
            // The shard owning a neuron (one rank: virtual process =
            // thread); devices answer for thread 0, as NEST's replica
            // there does.
            let shard = match kind {
                NodeKind::Neuron { .. } => net
                    .partition(self.status.local_num_threads.max(1))
                    .locate(id)
                    .map_or(0, |(s, _)| s),
                _ => 0,
            };
            return Ok(Some(py_any(py, shard)?));
        }
        Ok(Some(match kind {
            NodeKind::Neuron { model, .. } => {
                let p = net.neuron_params(id).expect("a neuron");
                if key == "recordables" {
                    return Ok(Some(PyList::new(py, recordables(p))?.into_any()));
                }
                if key == "t_spike" {
                    let t = self.sim.as_ref().and_then(|s| s.last_spike(id));
                    return Ok(Some(py_any(py, t.unwrap_or(-1.0))?));
                }
                if key == "archiver_length" {
                    let n = self.sim.as_ref().map_or(0, |s| s.archiver_length(id));
                    return Ok(Some(py_any(py, n)?));
                }
                if let Some(v) = list_value(py, p, key)? {
                    return Ok(Some(v));
                }
                let Ok(v) = p.get(key) else { return Ok(None) };
                // State variables as they are now, once simulated.
                let now = self
                    .sim
                    .as_ref()
                    .filter(|s| s.time() > 0.0 && model.state_params().contains(&key))
                    .and_then(|s| s.recordable(id, key));
                py_any(py, now.unwrap_or(v))?
            }
            NodeKind::CorrelationDetector(_)
                if matches!(
                    key,
                    "n_events" | "histogram" | "histogram_correction" | "count_histogram"
                ) =>
            {
                let h = match &self.sim {
                    Some(sim) => sim.correlation(id).map_err(engine_err)?,
                    None => Default::default(),
                };
                // NEST gives numpy arrays.
                let array = py.import("numpy")?.getattr("array")?;
                match key {
                    "n_events" => array.call1((PyList::new(py, h.n_events)?,))?,
                    "histogram" => array.call1((PyList::new(py, &h.histogram)?,))?,
                    "histogram_correction" => {
                        array.call1((PyList::new(py, &h.histogram_correction)?,))?
                    }
                    _ => array.call1((PyList::new(py, &h.count_histogram)?,))?,
                }
            }
            NodeKind::SpikeRecorder(_) | NodeKind::Multimeter(_) if key == "filenames" => {
                PyList::new(py, self.recorder_filenames(id)?)?.into_any()
            }
            NodeKind::SpikeRecorder(_) | NodeKind::Multimeter(_) | NodeKind::WeightRecorder(_)
                if matches!(key, "n_events" | "events") =>
            {
                match key {
                    "n_events" => py_any(py, self.n_events(id)?)?,
                    _ => self.events(py, id)?.into_any(),
                }
            }
            _ => {
                let items = self.device_of(id)?.items(py, self.status.resolution)?;
                match items.into_iter().find(|(k, _)| *k == key) {
                    Some((_, v)) => v,
                    None => return Ok(None),
                }
            }
        }))
    }

    /// The keys `value` answers for a node of kind `kind`.
    fn keys(kind: &NodeKind) -> Vec<&'static str> {
        let mut keys = vec![
            "model",
            "model_id",
            "global_id",
            "element_type",
            "local",
            "thread",
            "vp",
            "frozen",
            "node_uses_wfr",
            "thread_local_id",
        ];
        match kind {
            NodeKind::Neuron { model, .. } => {
                keys.extend(model.params().iter().map(|p| p.name));
                keys.extend(ARCHIVE_PARAMS.iter().map(|p| p.name));
                keys.extend(model.lists().iter().flat_map(|l| [l.name, l.count]));
                keys.extend(["recordables", "t_spike"]);
            }
            NodeKind::SpikeRecorder(p) => {
                keys.extend(RECORDER_KEYS);
                // NEST's ASCII backend adds them.
                if p.record_to == RecordTo::Ascii {
                    keys.push("filenames");
                }
            }
            NodeKind::WeightRecorder(_) => {
                keys.extend(RECORDER_KEYS);
                keys.extend(["senders", "targets"]);
            }
            NodeKind::CorrelationDetector(_) => keys.extend([
                "delta_tau",
                "tau_max",
                "Tstart",
                "Tstop",
                "start",
                "stop",
                "origin",
                "n_events",
                "histogram",
                "histogram_correction",
                "count_histogram",
            ]),
            NodeKind::Multimeter(p) => {
                keys.extend(RECORDER_KEYS);
                keys.extend(["interval", "offset", "record_from"]);
                if p.record_to == RecordTo::Ascii {
                    keys.push("filenames");
                }
            }
            NodeKind::PoissonGenerator(_) => keys.extend(["rate", "start", "stop", "origin"]),
            NodeKind::DcGenerator(_) => keys.extend(["amplitude", "start", "stop", "origin"]),
            NodeKind::StepCurrentGenerator(_) => keys.extend([
                "amplitude_times",
                "amplitude_values",
                "allow_offgrid_times",
                "start",
                "stop",
                "origin",
            ]),
            NodeKind::AcGenerator(_) => keys.extend([
                "amplitude",
                "offset",
                "frequency",
                "phase",
                "start",
                "stop",
                "origin",
            ]),
            NodeKind::NoiseGenerator(_) => keys.extend([
                "mean",
                "std",
                "dt",
                "std_mod",
                "frequency",
                "phase",
                "start",
                "stop",
                "origin",
            ]),
            NodeKind::SpikeSource(p) => {
                keys.extend(p.get().into_iter().map(|(k, _)| k));
                if !p.recordables().is_empty() {
                    keys.push("recordables");
                }
            }
            NodeKind::SpikeGenerator(_) => keys.extend([
                "spike_times",
                "spike_weights",
                "spike_multiplicities",
                "precise_times",
                "allow_offgrid_times",
                "shift_now_spikes",
                "start",
                "stop",
                "origin",
            ]),
        }
        keys
    }

    /// NEST's timers, by key (see [`TIMERS`]). NEST gives the timers its
    /// threads keep separately as one value per thread (a list here),
    /// the others as one number. Spindle's shards are NEST's threads;
    /// shard 0 stands for NEST's master thread.
    fn timers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let stats = self.sim.as_ref().map(|s| s.stats());
        let shards: Vec<PhaseTimers> = match &stats {
            Some(s) => s.shard_timers.clone(),
            None => vec![PhaseTimers::default(); self.status.local_num_threads],
        };
        let master = shards.first().copied().unwrap_or_default();
        let d = PyDict::new(py);
        for cpu in [false, true] {
            let suffix = if cpu { "_cpu" } else { "" };
            let pick = |t: PhaseTime| if cpu { t.cpu } else { t.wall }.as_secs_f64();
            let threads = |f: fn(&PhaseTimers) -> PhaseTime| -> Vec<f64> {
                shards.iter().map(|t| pick(f(t))).collect()
            };
            let zeros = vec![0.0; shards.len()];
            for &name in TIMERS {
                let key = format!("{name}{suffix}");
                match name {
                    "time_construction_create" => d.set_item(key, pick(self.timers.create))?,
                    "time_construction_connect" => d.set_item(key, pick(self.timers.connect))?,
                    // Wall: the engine's; CPU: shard 0's in the loop's phases.
                    "time_simulate" => d.set_item(
                        key,
                        match (&stats, cpu) {
                            (Some(s), false) => s.time_simulate.as_secs_f64(),
                            _ => pick(sum_phases(&master)),
                        },
                    )?,
                    // The engine times building the synapses in wall time
                    // only; each thread builds its shard all along.
                    "time_communicate_prepare" => {
                        let t = if cpu {
                            0.0
                        } else {
                            self.timers.prepare.as_secs_f64()
                        };
                        d.set_item(key, vec![t; shards.len()])?
                    }
                    "time_update" => d.set_item(key, threads(|t| t.time_update))?,
                    "time_deliver_spike_data" => {
                        d.set_item(key, threads(|t| t.time_deliver_spike_data))?
                    }
                    "time_omp_synchronization_simulation" => {
                        d.set_item(key, threads(|t| t.time_omp_synchronization_simulation))?
                    }
                    "time_gather_spike_data" => {
                        d.set_item(key, pick(master.time_gather_spike_data))?
                    }
                    "time_mpi_synchronization" => {
                        d.set_item(key, pick(master.time_mpi_synchronization))?
                    }
                    "time_communicate_spike_data" => {
                        d.set_item(key, pick(master.time_communicate_spike_data))?
                    }
                    // Phases Spindle does not have: no target data is
                    // exchanged (each shard builds the synapses it
                    // delivers), no secondary events, no separate barrier
                    // while building, spikes are published straight into
                    // the exchange (no collocation step).
                    "time_gather_target_data"
                    | "time_deliver_secondary_data"
                    | "time_omp_synchronization_construction" => d.set_item(key, &zeros)?,
                    _ => d.set_item(key, 0.0)?,
                }
            }
        }
        Ok(d)
    }
}

/// The connection rules `rule_of` knows, with the parameter each takes.
const RULES: &[(&str, Option<&str>)] = &[
    ("all_to_all", None),
    ("one_to_one", None),
    ("fixed_indegree", Some("indegree")),
    ("fixed_outdegree", Some("outdegree")),
    ("fixed_total_number", Some("N")),
    ("pairwise_bernoulli", Some("p")),
    ("pairwise_poisson", Some("pairwise_avg_num_conns")),
    ("symmetric_pairwise_bernoulli", Some("p")),
];

fn rule_of(conn: Option<&Bound<'_, PyDict>>) -> PyResult<ConnRule> {
    let Some(conn) = conn else {
        return Ok(ConnRule::all_to_all());
    };
    let rule: String = match conn.get_item("rule")? {
        Some(r) => text("rule", &r)?,
        None => "all_to_all".into(),
    };
    let flag = |key: &str| -> PyResult<Option<bool>> {
        conn.get_item(key)?.map(|v| v.extract::<bool>()).transpose()
    };
    let Some(&(_, param)) = RULES.iter().find(|(name, _)| *name == rule) else {
        let names: Vec<&str> = RULES.iter().map(|(n, _)| *n).collect();
        return Err(err(
            "BadProperty",
            format!("unknown connection rule '{rule}' ({})", names.join(", ")),
        ));
    };
    // The rule's parameter: present, and of NEST's type (an integer for
    // the degrees and N, as NEST's `long`).
    let value = |key: &str| -> PyResult<Bound<'_, PyAny>> {
        conn.get_item(key)?
            .ok_or_else(|| err("BadProperty", format!("{rule} needs '{key}'")))
    };
    let integer = |key: &str| -> PyResult<i64> {
        let v = value(key)?;
        v.extract::<i64>().map_err(|_| {
            err(
                "TypeMismatch",
                format!("'{key}' must be an integer (got {})", type_name(&v)),
            )
        })
    };
    let number = |key: &str| -> PyResult<f64> {
        let v = value(key)?;
        v.extract().map_err(|_| {
            err(
                "TypeMismatch",
                format!("'{key}' must be a number (got {})", type_name(&v)),
            )
        })
    };
    let mut r = match rule.as_str() {
        "all_to_all" => ConnRule::all_to_all(),
        "one_to_one" => ConnRule::one_to_one(),
        "fixed_indegree" => {
            let indegree = integer("indegree")?;
            if !(0..=u32::MAX as i64).contains(&indegree) {
                return Err(err(
                    "BadProperty",
                    format!("indegree {indegree} is out of range"),
                ));
            }
            ConnRule::fixed_indegree(indegree as u32)
        }
        "fixed_outdegree" => {
            let outdegree = integer("outdegree")?;
            if outdegree < 0 {
                return Err(err(
                    "BadProperty",
                    format!(
                        "fixed_outdegree: Outdegree cannot be less than zero (outdegree = {outdegree})"
                    ),
                ));
            }
            if outdegree > u32::MAX as i64 {
                return Err(err(
                    "BadProperty",
                    format!("outdegree {outdegree} is out of range"),
                ));
            }
            ConnRule::fixed_outdegree(outdegree as u32)
        }
        "fixed_total_number" => {
            let n = integer("N")?;
            if n < 0 {
                return Err(err(
                    "BadProperty",
                    format!(
                        "fixed_total_number: Total number of connections cannot be negative (N = {n})"
                    ),
                ));
            }
            ConnRule::fixed_total_number(n as u64)
        }
        "pairwise_poisson" => ConnRule::pairwise_poisson(number("pairwise_avg_num_conns")?),
        "symmetric_pairwise_bernoulli" => {
            // NEST's conditions, each a BadProperty.
            let bad = |m: &str| Err(err("BadProperty", m.to_string()));
            if flag("allow_autapses")? != Some(false) {
                return bad("symmetric_pairwise_bernoulli: autapses must be disallowed \
                            (allow_autapses: False)");
            }
            if flag("allow_multapses")? == Some(false) {
                return bad("symmetric_pairwise_bernoulli: multapses must be allowed \
                            (allow_multapses: True)");
            }
            if flag("make_symmetric")? != Some(true) {
                return bad("symmetric_pairwise_bernoulli: requires make_symmetric: True");
            }
            ConnRule::symmetric_pairwise_bernoulli(number("p")?)
        }
        _ => ConnRule::pairwise_bernoulli(number("p")?),
    };
    if let Some(a) = flag("allow_autapses")? {
        r = r.autapses(a);
    }
    if let Some(m) = flag("allow_multapses")? {
        r = r.multapses(m);
    }
    for (k, _) in conn.iter() {
        let key: String = k.extract()?;
        let known = ["rule", "allow_autapses", "allow_multapses"].contains(&key.as_str())
            || Some(key.as_str()) == param
            || key == "make_symmetric";
        if !known {
            return Err(unknown(&format!("conn_spec ({rule})"), &key));
        }
    }
    Ok(r)
}

fn syn_of(syn: Option<&Bound<'_, PyDict>>) -> PyResult<SynSpec> {
    let mut spec = SynSpec::model("static_synapse");
    for (key, v) in items(syn)? {
        match key.as_str() {
            "synapse_model" => spec.model = text(&key, &v)?,
            "weight" | "delay" if v.is_instance_of::<pyo3::types::PyTuple>() => {
                let p = param_of(&v)?;
                spec = match key.as_str() {
                    "weight" => spec.with_random_weight(p),
                    _ => spec.with_random_delay(p),
                };
            }
            "weight" => spec.weight = Some(number("weight", &v)?),
            "delay" => spec.delay = Some(number("delay", &v)?),
            "receptor_type" if v.is_instance_of::<pyo3::types::PyTuple>() => {
                spec = spec.with_random_receptor(param_of(&v)?);
            }
            "receptor_type" => spec = spec.with_receptor(receptor_of(&v)?),
            _ if RULE_PARAMS.contains(&key.as_str()) => {
                spec = spec.with_param(&key, rule_value(&key, &v)?);
            }
            _ => return Err(unknown("syn_spec", &key)),
        }
    }
    Ok(spec)
}

/// A refused `Connect`: NEST's `UnknownSynapseType` for an unknown model.
fn connect_err(e: NetworkError) -> PyErr {
    match e {
        NetworkError::UnknownSynapseModel(m) => err(
            "UnknownSynapseType",
            format!("synapse model '{m}' does not exist"),
        ),
        e => net_err(e),
    }
}

/// What every recording device answers to `get`.
const RECORDER_KEYS: [&str; 8] = [
    "start",
    "stop",
    "origin",
    "label",
    "record_to",
    "time_in_steps",
    "n_events",
    "events",
];

/// A connection as `get_connections` gives it: (source, target, synapse
/// model, delay [ms], weight, projection, index).
/// (source, target, synapse model, delay, weight, projection, index,
/// receptor type: `None` for devices' connections, whose projection has it).
type ConnectionRow = (u32, u32, String, f64, f64, u32, u32, Option<u32>);

/// The projection number `get_connections` gives the connections of
/// device connection `i`: counted down from the largest, far above any
/// `Connect` call's.
fn device_projection(i: usize) -> u32 {
    u32::MAX - i as u32
}

/// The device connection a projection number of `get_connections` is, if
/// one.
/// Spindle holds one weight per device connection.
fn one_device_weight() -> PyErr {
    not_implemented(
        "Spindle holds one weight per poisson_generator connection (Connect call): set all of \
         its connections to the same weight",
    )
}

fn device_connection(projection: u32) -> Option<usize> {
    (projection > u32::MAX / 2).then(|| (u32::MAX - projection) as usize)
}

/// The names of plastic synapse models' parameters a `syn_spec` may set
/// (the network checks them against the model).
const RULE_PARAMS: [&str; 16] = [
    "tau_plus", "lambda", "alpha", "mu_plus", "mu_minus", "Wmax", "mu", "U", "u", "x", "y",
    "tau_rec", "tau_fac", "tau_psc", "n", "a",
];

/// A rule parameter's value: `quantal_stp_synapse`'s site counts `n` and
/// `a` are integers, a float refused (3.0 too) as NEST's dictionary
/// refuses it.
fn rule_value(key: &str, v: &Bound<'_, PyAny>) -> PyResult<f64> {
    if matches!(key, "n" | "a") {
        return match v.extract::<i64>() {
            Ok(i) if !v.is_instance_of::<pyo3::types::PyFloat>() => Ok(i as f64),
            _ => Err(err(
                "TypeMismatch",
                format!(
                    "The dictionary value with key {key} does not hold a numeric integer type."
                ),
            )),
        };
    }
    number(key, v)
}

/// A rule parameter for a dict: an int where the rule's is one.
fn rule_item<'py>(py: Python<'py>, rule: &StdpRule, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let v = rule.get(name).unwrap_or(f64::NAN);
    Ok(if rule.is_integer(name) {
        (v as i64).into_pyobject(py)?.into_any()
    } else {
        v.into_pyobject(py)?.into_any()
    })
}

#[pymethods]
impl Kernel {
    #[new]
    fn new() -> Self {
        Self {
            status: KernelStatus::default(),
            net: None,
            neuron_defaults: Vec::new(),
            devices: DeviceDefaults::default(),
            sim: None,
            stale: None,
            written: Vec::new(),
            voltmeters: Vec::new(),
            node_copies: Vec::new(),
            copied_runs: Vec::new(),
            prepared: false,
            timers: Timers::default(),
            files_from: 0.0,
            built_connections: 0,
            builds: 0,
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
            "use_wfr" => {
                let on = flag(key, value)?;
                // NEST refuses it once nodes exist, even unchanged.
                if locked {
                    return Err(err(
                        "KernelException",
                        "Cannot enable/disable usage of waveform relaxation after nodes have been \
                         created. Please call ResetKernel first.",
                    ));
                }
                self.status.use_wfr = on;
            }
            "wfr_comm_interval" => {
                let ms = number(key, value)?;
                if !self.status.use_wfr {
                    return Err(err(
                        "KernelException",
                        "Cannot set waveform communication interval when usage of waveform \
                         relaxation is disabled. Set use_wfr to true first.",
                    ));
                }
                if ms.is_nan() || ms < self.status.resolution {
                    return Err(err(
                        "KernelException",
                        "Communication interval of the waveform relaxation must be greater or \
                         equal to the resolution of the simulation.",
                    ));
                }
                self.status.wfr_comm_interval = ms;
            }
            "wfr_tol" => self.status.wfr_tol = number(key, value)?,
            "wfr_max_iterations" => {
                let n: i64 = value
                    .extract()
                    .map_err(|_| err("TypeMismatch", "'wfr_max_iterations' must be an integer"))?;
                if n <= 0 {
                    return Err(err(
                        "KernelException",
                        "Maximal number of iterations for the waveform relaxation must be positive.",
                    ));
                }
                self.status.wfr_max_iterations = n;
            }
            "wfr_interpolation_order" => {
                let n: i64 = value.extract().map_err(|_| {
                    err(
                        "TypeMismatch",
                        "'wfr_interpolation_order' must be an integer",
                    )
                })?;
                if !matches!(n, 0 | 1 | 3) {
                    return Err(err(
                        "KernelException",
                        "Interpolation order must be 0, 1, or 3.",
                    ));
                }
                self.status.wfr_interpolation_order = n;
            }
            "overwrite_files" => self.status.overwrite_files = value.extract()?,
            "data_path" => self.status.data_path = value.extract()?,
            "data_prefix" => self.status.data_prefix = value.extract()?,
            // NEST's delay extrema, set by the user: min_delay fixes the
            // communication interval (no connection may be shorter),
            // max_delay is reported as set unless a connection is longer.
            "min_delay" => {
                let ms: f64 = value.extract()?;
                let res = self.resolution()?;
                res.delay_steps("min_delay", ms)
                    .map_err(|e| err("BadDelay", e.to_string()))?;
                if self.net.is_some() {
                    self.changing()?.set_min_delay(ms).map_err(net_err)?;
                }
                self.status.min_delay = Some(ms);
            }
            "max_delay" => {
                let ms: f64 = value.extract()?;
                let res = self.resolution()?;
                res.delay_steps("max_delay", ms)
                    .map_err(|e| err("BadDelay", e.to_string()))?;
                self.status.max_delay = Some(ms);
            }
            "tics_per_ms" => {
                let t = number(key, value)?;
                if t != spindle::core::time::TICS_PER_MS as f64 {
                    return Err(err(
                        "NotImplemented",
                        format!(
                            "Spindle's time grid has {} tics per ms only (got {t})",
                            spindle::core::time::TICS_PER_MS
                        ),
                    ));
                }
            }
            "biological_time" | "network_size" | "num_connections" | "mpi_rank"
            | "num_processes" | "memory_size" | "ms_per_tic" | "tics_per_step" => {
                return Err(err("BadProperty", format!("'{key}' is read-only")));
            }
            _ if TIMERS
                .iter()
                .any(|t| key.strip_suffix("_cpu").unwrap_or(key) == *t) =>
            {
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
            "use_wfr" => s.use_wfr.into_pyobject(py)?.to_owned().into_any(),
            // Without waveform relaxation it follows the resolution.
            "wfr_comm_interval" => if s.use_wfr {
                s.wfr_comm_interval
            } else {
                s.resolution
            }
            .into_pyobject(py)?
            .into_any(),
            "wfr_tol" => s.wfr_tol.into_pyobject(py)?.into_any(),
            "wfr_max_iterations" => s.wfr_max_iterations.into_pyobject(py)?.into_any(),
            "wfr_interpolation_order" => s.wfr_interpolation_order.into_pyobject(py)?.into_any(),
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
                    let set = if key == "max_delay" {
                        s.max_delay
                    } else {
                        s.min_delay
                    };
                    return Ok(set.unwrap_or(1.0).into_pyobject(py)?.into_any());
                };
                let steps = if key == "min_delay" {
                    net.min_delay().map_err(net_err)?
                } else {
                    net.max_delay()
                };
                let ms = net.resolution().ms(steps);
                let ms = match (key, s.max_delay) {
                    ("max_delay", Some(set)) => set.max(ms),
                    _ => ms,
                };
                ms.into_pyobject(py)?.into_any()
            }
            // This module runs in one process; the engine's ranks, were it
            // split over MPI processes, would say which.
            "mpi_rank" => self
                .sim
                .as_ref()
                .and_then(|s| s.ranks())
                .map_or(0, |r| r.rank())
                .into_pyobject(py)?
                .into_any(),
            "num_processes" => self
                .sim
                .as_ref()
                .and_then(|s| s.ranks())
                .map_or(1, |r| r.size())
                .into_pyobject(py)?
                .into_any(),
            "memory_size" => memory_size().into_pyobject(py)?.into_any(),
            // Spindle's grid has NEST's default tic, 1 µs.
            "tics_per_ms" => (spindle::core::time::TICS_PER_MS as f64)
                .into_pyobject(py)?
                .into_any(),
            "ms_per_tic" => (1.0 / spindle::core::time::TICS_PER_MS as f64)
                .into_pyobject(py)?
                .into_any(),
            "tics_per_step" => ((s.resolution * spindle::core::time::TICS_PER_MS as f64).round()
                as i64)
                .into_pyobject(py)?
                .into_any(),
            _ if key.starts_with("time_") => match self.timers(py)?.get_item(key)? {
                Some(v) => v,
                None => {
                    return Err(err(
                        "UnaccessedDictionaryEntry",
                        format!("unknown kernel attribute '{key}'"),
                    ));
                }
            },
            _ => {
                return Err(err(
                    "UnaccessedDictionaryEntry",
                    format!("unknown kernel attribute '{key}'"),
                ));
            }
        })
    }

    /// Every kernel attribute (NEST's GetKernelStatus()), timers read once.
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = self.timers(py)?;
        for key in Self::kernel_keys() {
            if !key.starts_with("time_") {
                d.set_item(&key, self.get_kernel(py, &key)?)?;
            }
        }
        Ok(d)
    }

    /// The kernel attributes `get_kernel` answers.
    #[staticmethod]
    fn kernel_keys() -> Vec<String> {
        let mut keys: Vec<String> = [
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
            "tics_per_ms",
            "ms_per_tic",
            "tics_per_step",
            "max_delay",
            "mpi_rank",
            "num_processes",
            "memory_size",
            "use_wfr",
            "wfr_comm_interval",
            "wfr_tol",
            "wfr_max_iterations",
            "wfr_interpolation_order",
        ]
        .map(String::from)
        .into();
        for t in TIMERS {
            keys.push(t.to_string());
            keys.push(format!("{t}_cpu"));
        }
        keys
    }

    /// The names of the neuron models' list-valued parameters (`tau_syn`).
    #[staticmethod]
    fn list_params() -> Vec<&'static str> {
        let mut names: Vec<&'static str> = spindle::models::MODELS
            .iter()
            .flat_map(|m| m.lists().iter().map(|l| l.name))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The synapse models built in (`CopyModel` copies aside).
    #[staticmethod]
    fn synapse_models() -> Vec<&'static str> {
        spindle::network::plasticity::BUILTIN_SYNAPSES
            .iter()
            .map(|(name, _)| *name)
            .collect()
    }

    /// The node models offered and those `CopyModel` made.
    fn node_model_names(&self) -> Vec<&'static str> {
        let mut names = Self::node_models();
        names.extend(self.node_copies.iter().map(|c| c.name));
        names
    }

    /// The synapse models built in and those `CopyModel` made.
    fn synapse_model_names(&self) -> Vec<String> {
        match &self.net {
            Some(net) => net
                .synapse_models()
                .iter()
                .map(|m| m.name.clone())
                .collect(),
            None => Self::synapse_models()
                .iter()
                .map(|m| m.to_string())
                .collect(),
        }
    }

    /// The node models offered.
    #[staticmethod]
    fn node_models() -> Vec<&'static str> {
        spindle::models::MODELS
            .iter()
            .map(|m| m.name())
            .chain(GENERATOR_MODELS.iter().copied())
            .chain(SOURCE_MODELS.iter().copied())
            .chain(RECORDER_MODELS.iter().copied())
            .collect()
    }

    /// NEST's Create: `runs` is a list of (count, params): each makes
    /// `count` nodes with `params` (a dict or None), in order, so the ids
    /// are contiguous. The neurons are one population of the network,
    /// each run's values set per node where they differ from the first's.
    /// All or nothing: a bad run creates no node. Returns (first id,
    /// count).
    fn create(
        &mut self,
        model: &str,
        runs: Vec<(i64, Option<Bound<'_, PyDict>>)>,
    ) -> PyResult<(u32, u32)> {
        let watch = Watch::start();
        for (n, _) in &runs {
            match *n {
                0 => {
                    return Err(err("BadParameterValue", "Create: n must be > 0 (got 0)"));
                }
                n if n < 0 => {
                    return Err(err(
                        "BadProperty",
                        format!("Create: n must be > 0 (got {n})"),
                    ));
                }
                _ => {}
            }
        }
        let total: i64 = runs.iter().map(|(n, _)| *n).sum();
        if runs.is_empty() || total > u32::MAX as i64 {
            return Err(err(
                "BadProperty",
                format!("Create: n must be in [1, 2^32 - 1] (got {total})"),
            ));
        }
        enum Made {
            Neurons(NeuronParams),
            Device(Device),
        }
        let res = self.resolution()?;
        let mut made = Vec::with_capacity(runs.len());
        for (n, params) in &runs {
            let m = if let Some((neuron, defaults)) = self.neuron_defaults(model) {
                let p = neuron_params(&defaults, &neuron_values(neuron, params.as_ref())?)?;
                p.validate()
                    .map_err(|e| err("BadProperty", format!("{model}: {e}")))?;
                Made::Neurons(p)
            } else if let Some(d) = self.device_defaults(model) {
                let now = self.sim.as_ref().map_or(0.0, |s| s.time());
                let d = d.with_at(params.as_ref(), res, true, now)?;
                d.validate()?;
                Made::Device(d)
            } else {
                return Err(err(
                    "UnknownModelName",
                    format!(
                        "{model} is not a known model name (Spindle offers {})",
                        self.node_model_names().join(", ")
                    ),
                ));
            };
            made.push((*n as usize, m));
        }
        let first = self.changing()?.num_nodes() as u32 + 1;
        // Several runs: on a copy, kept only if every run succeeds.
        let mut copy = (made.len() > 1).then(|| self.net.clone().expect("made"));
        let net = match copy.as_mut() {
            Some(c) => c,
            None => self.net.as_mut().expect("made"),
        };
        let mut voltmeters = Vec::new();
        // Neurons of one call are one population of the network, their
        // values per node where they differ (the engine runs neurons of
        // equal values together, and differing V_m alone costs nothing).
        let mut population: Option<(NodeCollection, NeuronParams)> = None;
        let mut at = 0;
        for (n, m) in made {
            match m {
                Made::Neurons(p) => {
                    match &population {
                        None => {
                            let c = net
                                .create_neurons(total as usize, p.clone())
                                .map_err(net_err)?;
                            population = Some((c, p));
                        }
                        Some((c, base)) if p != *base => {
                            let part = NodeCollection::from_range(c.first() + at, n as u32)
                                .expect("within the population");
                            net.set_neuron_params(&part, |_| Ok(p.clone()))
                                .map_err(net_err)?;
                        }
                        Some(_) => {}
                    }
                    at += n as u32;
                }
                Made::Device(d) => {
                    for _ in 0..n {
                        let c = d.create(net).map_err(net_err)?;
                        if matches!(d, Device::Meter(_, true)) {
                            voltmeters.push(c.first());
                        }
                    }
                }
            }
        }
        if let Some(c) = copy {
            self.net = Some(c);
        }
        self.voltmeters.extend(voltmeters);
        if let Some(c) = self.node_copies.iter().find(|c| c.name == model) {
            self.copied_runs.push((first, total as u32, c.name));
        }
        self.timers.create += watch.elapsed();
        Ok((first, total as u32))
    }

    /// The model name of node `id`.
    fn model_of(&self, id: u32) -> PyResult<&'static str> {
        self.model_name(id)
    }

    /// The nodes `first..first + n` as (model, first, count) runs of one
    /// model each (NEST prints a collection so).
    fn model_runs(&self, first: u32, n: u32) -> PyResult<Vec<(&'static str, u32, u32)>> {
        let c = self.collection(first, n)?;
        let mut out: Vec<(&'static str, u32, u32)> = Vec::new();
        for (part, _) in self.parts(c) {
            let name = self.model_name(part.first())?;
            match out.last_mut() {
                Some((m, f, len)) if *m == name && *f + *len == part.first() => {
                    *len += part.len() as u32
                }
                _ => out.push((name, part.first(), part.len() as u32)),
            }
        }
        Ok(out)
    }

    /// NEST's `nodes.set(...)`: `runs` is a list of (first id, count,
    /// params), each setting `params` on its nodes, per node. Before the
    /// first Simulate anything may change; after it, the simulation takes
    /// the new parameters of devices and neurons (a neuron's parameters
    /// but for `V_m` alike on all neurons simulated together) and `V_m` per
    /// node. `n_events = 0` empties a recorder. All or nothing.
    fn set(&mut self, runs: Vec<(u32, u32, Bound<'_, PyDict>)>) -> PyResult<()> {
        let res = self.resolution()?;
        let running = self.sim.as_ref().is_some_and(|s| s.time() > 0.0);
        // Changes go to a copy of the description, kept if all succeed.
        let mut net = None;
        let mut states: Vec<(u32, String, f64)> = Vec::new();
        let mut clears: Vec<u32> = Vec::new();
        for (first, n, d) in &runs {
            // Every node is updated: frozen stays False.
            let d = &d.copy()?;
            if let Some(v) = d.get_item("frozen")? {
                if flag("frozen", &v)? {
                    return Err(not_implemented("Spindle does not freeze nodes (frozen)"));
                }
                d.del_item("frozen")?;
            }
            if d.is_empty() {
                continue;
            }
            let c = self.collection(*first, *n)?;
            let net = net.get_or_insert_with(|| self.net.clone().expect("a node exists"));
            for (part, kind) in self.parts(c) {
                if let NodeKind::Neuron { model, .. } = kind {
                    let values = neuron_values(*model, Some(d))?;
                    let given = given_lists(&values);
                    net.set_neuron_params(&part, |p| {
                        let mut q = p.clone();
                        for (k, v) in &values {
                            set_value(&mut q, k, v)?;
                        }
                        p.model().check_lists(p.values(), q.values(), &given)?;
                        Ok(q)
                    })
                    .map_err(net_err)?;
                    for (k, v) in &values {
                        if let (true, Value::Scalar(v)) =
                            (model.state_params().contains(&k.as_str()), v)
                        {
                            states.extend(part.iter().map(|id| (id, k.clone(), *v)));
                        }
                    }
                    continue;
                }
                let d = d.copy()?;
                if let NodeKind::Multimeter(_) = kind
                    && d.contains("offset")?
                    && net.device_connections().iter().any(|c| {
                        matches!(c, DeviceConnection::Multimeter { meter, .. } if part.contains(*meter))
                    })
                {
                    return Err(err(
                        "BadProperty",
                        "The offset can not be changed after the multimeter has been connected.",
                    ));
                }
                if let Some(v) = d.get_item("n_events")? {
                    if !matches!(
                        kind,
                        NodeKind::SpikeRecorder(_)
                            | NodeKind::Multimeter(_)
                            | NodeKind::WeightRecorder(_)
                            | NodeKind::CorrelationDetector(_)
                    ) {
                        return Err(unknown(kind.model_name(), "n_events"));
                    }
                    if let NodeKind::CorrelationDetector(_) = kind {
                        if v.extract::<Vec<i64>>().ok() != Some(vec![0, 0]) {
                            return Err(err("BadProperty", "/n_events can only be set to [0 0]."));
                        }
                    } else if v.extract::<i64>().ok() != Some(0) {
                        return Err(err(
                            "BadProperty",
                            "Property n_events can only be set to 0 (which clears all stored \
                             events).",
                        ));
                    }
                    d.del_item("n_events")?;
                    clears.extend(part.iter());
                }
                for id in part.iter() {
                    let volt = self.voltmeters.binary_search(&id).is_ok();
                    let kind = net.node(id).expect("a node");
                    let now = self.sim.as_ref().map_or(0.0, |s| s.time());
                    let dev = device_from(kind, volt).with_at(Some(&d), res, true, now)?;
                    dev.validate()?;
                    net.set_device(id, dev.kind()).map_err(net_err)?;
                }
            }
        }
        if let Some(net) = net {
            if running {
                let sim = self.sim.as_mut().expect("running");
                sim.change(net.clone()).map_err(engine_err)?;
                for (id, k, v) in states {
                    sim.set_state(id, &k, v).map_err(engine_err)?;
                }
                self.net = Some(net);
            } else if self.net.as_ref().is_some_and(|old| !same(old, &net)) {
                *self.changing()? = net;
            }
        }
        if let Some(sim) = self.sim.as_mut() {
            for id in clears {
                sim.clear_events(id).map_err(engine_err)?;
            }
        }
        Ok(())
    }

    /// `nodes.set(key=parameter)` (and `Create` with one): each neuron of
    /// the runs (first id, count) gets its own value of the parameter
    /// described by `spec`, drawn by the network from the node's stream.
    fn set_random(
        &mut self,
        runs: Vec<(u32, u32)>,
        key: &str,
        spec: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let param = param_of(spec)?;
        let running = self.sim.as_ref().is_some_and(|s| s.time() > 0.0);
        let mut net = self
            .net
            .clone()
            .ok_or_else(|| err("UnknownNode", "no node exists"))?;
        let mut states: Vec<(u32, f64)> = Vec::new();
        for (first, n) in runs {
            let c = self.collection(first, n)?;
            for (part, kind) in self.parts(c) {
                let NodeKind::Neuron { model, .. } = kind else {
                    return Err(not_implemented(format!(
                        "Spindle draws parameters of neurons only, not of {}",
                        kind.model_name()
                    )));
                };
                if !model.params().iter().any(|p| p.name == key) {
                    return Err(unknown(model.name(), key));
                }
                net.set_neuron_values(&part, key, &param).map_err(net_err)?;
                if model.state_params().contains(&key) {
                    for id in part.iter() {
                        let p = net.neuron_params(id).expect("a neuron");
                        states.push((id, p.get(key).expect("a parameter")));
                    }
                }
            }
        }
        if running {
            let sim = self.sim.as_mut().expect("running");
            sim.change(net.clone()).map_err(engine_err)?;
            for (id, v) in states {
                sim.set_state(id, key, v).map_err(engine_err)?;
            }
            self.net = Some(net);
        } else {
            *self.changing()? = net;
        }
        Ok(())
    }

    /// `Parameter.GetValue()`: one value, from a stream of its own per
    /// call.
    fn sample_parameter(&mut self, spec: &Bound<'_, PyAny>) -> PyResult<f64> {
        let param = param_of(spec)?;
        self.status.samples += 1;
        let rng = spindle::core::rng::stream(
            self.status.rng_seed,
            spindle::core::rng::Purpose::NodeValue,
            0,
            self.status.samples,
        );
        param
            .sample(&mut Draw::new(rng))
            .map_err(|e| err("KernelException", e.to_string()))
    }

    /// NEST's `node.get(key)` for one node.
    fn get<'py>(&self, py: Python<'py>, id: u32, key: &str) -> PyResult<Bound<'py, PyAny>> {
        let kind = self.kind(id)?;
        self.value(py, id, kind, key)?
            .ok_or_else(|| unknown(self.model_name(id).unwrap_or("the node"), key))
    }

    /// NEST's `nodes.get(key)`: one value per node of the runs (first id,
    /// count), None for a node without `key`; NEST's KeyError if no node
    /// has it.
    fn get_values<'py>(
        &self,
        py: Python<'py>,
        runs: Vec<(u32, u32)>,
        key: &str,
    ) -> PyResult<Vec<Option<Bound<'py, PyAny>>>> {
        let mut out = Vec::new();
        let mut models = Vec::new();
        for (first, n) in runs {
            let c = self.collection(first, n)?;
            for (part, kind) in self.parts(c) {
                // One value for all neurons of a Create call, unless set
                // per node or (a state variable) simulated.
                let shared = match kind {
                    NodeKind::Neuron { model, .. } => {
                        let net = self.net.as_ref().expect("a node exists");
                        !matches!(
                            key,
                            "global_id"
                                | "archiver_length"
                                | "t_spike"
                                | "vp"
                                | "thread"
                                | "thread_local_id"
                        ) && net.node_params_in(&part).next().is_none()
                            && !(model.state_params().contains(&key)
                                && self.sim.as_ref().is_some_and(|s| s.time() > 0.0))
                    }
                    _ => false,
                };
                if shared {
                    let v = self.value(py, part.first(), kind, key)?;
                    out.extend(std::iter::repeat_n(v, part.len()));
                } else {
                    for id in part.iter() {
                        out.push(self.value(py, id, kind, key)?);
                    }
                }
                let m = self.model_name(part.first())?;
                if !models.contains(&m) {
                    models.push(m);
                }
            }
        }
        if !out.is_empty() && out.iter().all(Option::is_none) {
            return Err(err(
                "KeyError",
                format!("{} has no parameter '{key}'", models.join(", ")),
            ));
        }
        Ok(out)
    }

    /// The parameter names `get` answers for the nodes of the runs (first
    /// id, count), each once, in order.
    fn keys_of(&self, runs: Vec<(u32, u32)>) -> PyResult<Vec<&'static str>> {
        let mut keys: Vec<&'static str> = Vec::new();
        for (first, n) in runs {
            let c = self.collection(first, n)?;
            for (_, kind) in self.parts(c) {
                for k in Self::keys(kind) {
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
            }
        }
        Ok(keys)
    }

    /// Events recorder `id` has seen (0 before Simulate).
    fn n_events(&self, id: u32) -> PyResult<u64> {
        match (self.kind(id)?, &self.sim) {
            (_, None) => Ok(0),
            // NEST's multimeter records nothing until record_from names
            // something.
            (NodeKind::Multimeter(p), _) if p.record_from.is_empty() => Ok(0),
            (NodeKind::Multimeter(_), Some(sim)) => {
                Ok(nest_meter_events(sim, id)?.senders.len() as u64)
            }
            (NodeKind::WeightRecorder(_), Some(sim)) => {
                Ok(sim.weight_events(id).map_err(engine_err)?.senders.len() as u64)
            }
            (_, Some(sim)) => sim.n_events(id).map_err(engine_err),
        }
    }

    /// The events of a recorder or multimeter as a dict of lists. A
    /// multimeter's recorded quantities appear, as in NEST, once Prepare or
    /// Simulate has run.
    fn events<'py>(&self, py: Python<'py>, id: u32) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        match (self.kind(id)?, &self.sim) {
            (NodeKind::SpikeRecorder(p), Some(sim)) => {
                let ev = sim.spike_events(id).map_err(engine_err)?;
                set_times(&d, ev.times, p.time_in_steps, self.status.resolution)?;
                d.set_item("senders", ev.senders)?;
            }
            (NodeKind::SpikeRecorder(_), None) => return no_events(py),
            (NodeKind::WeightRecorder(_), sim) => {
                let ev = match sim {
                    Some(sim) => sim.weight_events(id).map_err(engine_err)?,
                    None => Default::default(),
                };
                d.set_item("receptors", ev.receptors)?;
                d.set_item("senders", ev.senders)?;
                d.set_item("targets", ev.targets)?;
                d.set_item("times", ev.times)?;
                d.set_item("weights", ev.weights)?;
            }
            (NodeKind::Multimeter(p), sim) => {
                if p.record_from.is_empty() {
                    return no_events(py);
                }
                let ev = match sim {
                    Some(sim) => nest_meter_events(sim, id)?,
                    None => Default::default(),
                };
                if self.prepared {
                    for name in &p.record_from {
                        let values = ev.get(name).unwrap_or(&[]);
                        d.set_item(name, values)?;
                    }
                }
                d.set_item("senders", ev.senders)?;
                set_times(&d, ev.times, p.time_in_steps, self.status.resolution)?;
            }
            (_, _) => {
                return Err(err(
                    "BadProperty",
                    format!("{} has no events", self.model_name(id)?),
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
        let node = match (self.neuron_defaults(old), self.device_defaults(old)) {
            (Some((neuron, defaults)), _) => {
                let p = neuron_params(&defaults, &neuron_values(neuron, params)?)?;
                p.validate()
                    .map_err(|e| err("BadProperty", format!("{new}: {e}")))?;
                Some(CopyDefaults::Neuron(p))
            }
            (None, Some(d)) => {
                let d = d.with(params, self.resolution()?)?;
                d.validate()?;
                Some(CopyDefaults::Device(d))
            }
            (None, None) => None,
        };
        if self.model_exists(new) {
            return Err(err(
                "NewModelNameExists",
                format!("/{new} is the name of an existing model and cannot be re-used."),
            ));
        }
        if let Some(defaults) = node {
            self.node_copies.push(NodeCopy {
                name: intern(new),
                defaults,
            });
            return Ok(());
        }
        let (weight, delay, rule, receptor) = synapse_params(old, params)?;
        let net = self.changing()?;
        net.copy_model(old, new, weight, delay)
            .map_err(|e| match e {
                NetworkError::UnknownSynapseModel(m) => err(
                    "UnknownModelName",
                    format!("'{m}' is not a model Spindle offers"),
                ),
                e => net_err(e),
            })?;
        net.set_synapse_params(new, &rule).map_err(net_err)?;
        if let Some(r) = receptor {
            net.set_synapse_receptor(new, r).map_err(net_err)?;
        }
        Ok(())
    }

    /// The `weight_recorder` of synapse model `model` (a node id, or 0 for
    /// none), as `CopyModel` and `SetDefaults` take it.
    fn set_weight_recorder(&mut self, model: &str, recorder: u32) -> PyResult<()> {
        let net = self.changing()?;
        net.set_weight_recorder(model, (recorder != 0).then_some(recorder))
            .map_err(|e| match e {
                NetworkError::Connect(m) => err("IllegalConnection", m),
                e => net_err(e),
            })
    }

    /// NEST's SetDefaults, on neuron, device and synapse models.
    fn set_defaults(&mut self, model: &str, params: &Bound<'_, PyDict>) -> PyResult<()> {
        let res = self.resolution()?;
        if let Some(c) = self.node_copies.iter_mut().find(|c| c.name == model) {
            c.defaults = match &c.defaults {
                CopyDefaults::Neuron(p) => {
                    let neuron = p.model();
                    let p = neuron_params(p, &neuron_values(neuron, Some(params))?)?;
                    p.validate()
                        .map_err(|e| err("BadProperty", format!("{model}: {e}")))?;
                    CopyDefaults::Neuron(p)
                }
                CopyDefaults::Device(d) => {
                    let d = d.with(Some(params), res)?;
                    d.validate()?;
                    CopyDefaults::Device(d)
                }
            };
            return Ok(());
        }
        if let Some(neuron) = neuron_model(model) {
            let p = neuron_params(
                &self.defaults_of(neuron),
                &neuron_values(neuron, Some(params))?,
            )?;
            p.validate()
                .map_err(|e| err("BadProperty", format!("{model}: {e}")))?;
            self.neuron_defaults.retain(|d| d.model() != neuron);
            self.neuron_defaults.push(p);
            return Ok(());
        }
        if let Some(d) = self.devices.get(model) {
            let res = self.resolution()?;
            let d = d.with(Some(params), res)?;
            d.validate()?;
            // NEST places the amplitude times on the grid when they are set.
            if let Device::StepCurrent(p) = &d {
                p.stamps(res)
                    .map_err(|e| net_err(NetworkError::Device(e)))?;
            }
            self.devices.set(d);
            return Ok(());
        }
        let known = match &self.net {
            Some(net) => net.synapse_models().iter().any(|m| m.name == model),
            None => Network::new(Resolution::new(0.1).expect("a grid"), 1)
                .synapse_kind(model)
                .is_ok(),
        };
        if !known {
            return Err(unknown_component(model));
        }
        let (weight, delay, rule, receptor) = synapse_params(model, Some(params))?;
        let net = self.changing()?;
        net.set_synapse_params(model, &rule).map_err(net_err)?;
        if let Some(r) = receptor {
            net.set_synapse_receptor(model, r).map_err(net_err)?;
        }
        net.set_synapse_defaults(model, weight, delay)
            .map_err(net_err)
    }

    /// NEST's GetDefaults: the model's parameters with NEST's names, and
    /// `model`, `type_id` and `element_type`.
    fn get_defaults<'py>(&self, py: Python<'py>, model: &str) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        if let Some((neuron, p)) = self.neuron_defaults(model) {
            for (spec, value) in neuron.params().iter().zip(p.values()) {
                d.set_item(spec.name, value)?;
            }
            for (spec, value) in ARCHIVE_PARAMS.iter().zip(p.archive()) {
                d.set_item(spec.name, value)?;
            }
            for list in neuron.lists() {
                for key in [list.name, list.count] {
                    d.set_item(key, list_value(py, &p, key)?)?;
                }
            }
            d.set_item("recordables", recordables(&p))?;
        } else if let Some(dev) = self.device_defaults(model) {
            for (k, v) in dev.items(py, self.status.resolution)? {
                d.set_item(k, v)?;
            }
            if let Device::Recorder(_) | Device::Meter(..) | Device::WeightRecorder(_) = dev {
                d.set_item("events", no_events(py)?)?;
                d.set_item("n_events", 0)?;
            }
        } else {
            let fresh;
            let net = match &self.net {
                Some(net) => net,
                None => {
                    fresh = Network::new(self.resolution()?, self.status.rng_seed);
                    &fresh
                }
            };
            let m = net
                .synapse_models()
                .iter()
                .find(|m| m.name == model)
                .cloned()
                .ok_or_else(|| unknown_component(model))?;
            d.set_item("weight", m.weight)?;
            d.set_item("delay", m.delay)?;
            d.set_item("receptor_type", m.receptor_type)?;
            if let SynapseKind::Plastic(rule) = m.kind {
                for name in rule.names() {
                    d.set_item(*name, rule_item(py, &rule, name)?)?;
                }
                // NEST's quantal_stp_synapse has no trace.
                if !matches!(rule, StdpRule::Quantal { .. }) {
                    d.set_item("Kplus", 0.0)?;
                }
            }
            d.set_item("synapse_model", model)?;
            let id = net.synapse_models().iter().position(|m| m.name == model);
            d.set_item("synapse_modelid", id)?;
            d.set_item("element_type", "synapse")?;
            d.set_item("num_connections", self.num_connections(Some(model))?)?;
            return Ok(d);
        }
        d.set_item("model", model)?;
        d.set_item("model_id", self.node_model_id(model))?;
        d.set_item("type_id", model)?;
        d.set_item("element_type", element_type(model))?;
        Ok(d)
    }

    /// NEST's Connect between the nodes `first..first + n` of `pre` and
    /// `post`. Building the simulation is the costly part of a connection
    /// between neurons, so it happens here, as in NEST; `build=False`
    /// leaves it to the last of several calls that make one `Connect`
    /// (arrays of weights become one call per source or pair).
    #[pyo3(signature = (pre, post, conn=None, syn=None, build=true))]
    fn connect(
        &mut self,
        py: Python<'_>,
        pre: (u32, u32),
        post: (u32, u32),
        conn: Option<&Bound<'_, PyDict>>,
        syn: Option<&Bound<'_, PyDict>>,
        build: bool,
    ) -> PyResult<()> {
        let watch = Watch::start();
        let rule = rule_of(conn)?;
        let spec = self.syn_spec(syn)?;
        let (sources, targets) = (
            self.collection(pre.0, pre.1)?,
            self.collection(post.0, post.1)?,
        );
        let between_neurons = self.kind(pre.0)?.is_neuron() && self.kind(post.0)?.is_neuron();
        // make_symmetric with one_to_one: each pair the other way too, with
        // the same values (symmetric_pairwise_bernoulli does it itself).
        let symmetric = match conn
            .map(|c| c.get_item("make_symmetric"))
            .transpose()?
            .flatten()
        {
            Some(v) => flag("make_symmetric", &v)?,
            None => false,
        };
        let reverse = symmetric && matches!(rule, ConnRule::OneToOne { .. });
        if symmetric && !reverse && rule.name() != "symmetric_pairwise_bernoulli" {
            return Err(not_implemented(format!(
                "Spindle makes symmetric connections with one_to_one and \
                 symmetric_pairwise_bernoulli only (not {})",
                rule.name()
            )));
        }
        let drawn = [spec.random_weight.as_ref(), spec.random_delay.as_ref()]
            .into_iter()
            .flatten()
            .any(Param::is_random);
        if reverse && drawn {
            // The way back would draw its own values (NEST refuses too).
            return Err(not_implemented(
                "Symmetric connections require parameters that can be reset.",
            ));
        }
        let net = self.changing()?;
        let mut connect = |from: &NodeCollection, to: &NodeCollection| {
            net.connect(from, to, rule.clone(), &spec)
                .map_err(connect_err)
        };
        connect(&sources, &targets)?;
        if reverse {
            connect(&targets, &sources)?;
        }
        let mut wall = watch.wall.elapsed();
        if between_neurons && build && self.build_at_connect() {
            wall += self.prepare(py)?;
        }
        self.timers.connect += PhaseTime {
            wall,
            cpu: watch.cpu.elapsed(),
        };
        Ok(())
    }

    /// NEST's `Connect` of two arrays of node ids (`one_to_one`):
    /// `pre[i] -> post[i]`, with `values` ((key, one value per connection)
    /// for `weight`, `delay`, `receptor_type`) beside the `syn` dict. Where
    /// every id lies in a span of neurons, one projection of the pairs;
    /// else nothing is made and False returned (the caller connects pair
    /// by pair).
    fn connect_arrays(
        &mut self,
        py: Python<'_>,
        pre: Vec<u32>,
        post: Vec<u32>,
        syn: Option<&Bound<'_, PyDict>>,
        values: Vec<(String, Vec<f64>)>,
        build: bool,
    ) -> PyResult<bool> {
        let watch = Watch::start();
        let neurons = |ids: &[u32]| -> PyResult<bool> {
            let (Some(&lo), Some(&hi)) = (ids.iter().min(), ids.iter().max()) else {
                return Ok(false);
            };
            for id in lo..=hi {
                if !self.kind(id)?.is_neuron() {
                    return Ok(false);
                }
            }
            Ok(true)
        };
        if !(neurons(&pre)? && neurons(&post)?) {
            return Ok(false);
        }
        let mut spec = self.syn_spec(syn)?;
        for (key, v) in values {
            if v.len() != pre.len() {
                return Err(err(
                    "BadProperty",
                    format!(
                        "'{key}' must have one value per connection ({}), not {}",
                        pre.len(),
                        v.len()
                    ),
                ));
            }
            let p = Param::table(v);
            spec = match key.as_str() {
                "weight" => spec.with_random_weight(p),
                "delay" => spec.with_random_delay(p),
                "receptor_type" if p.is_integer() => spec.with_random_receptor(p),
                "receptor_type" => {
                    return Err(err(
                        "TypeMismatch",
                        "The dictionary value with key receptor_type does not hold a numeric \
                         integer type.",
                    ));
                }
                _ => return Err(unknown("syn_spec", &key)),
            };
        }
        let net = self.changing()?;
        net.connect_pairs(&pre, &post, &spec).map_err(connect_err)?;
        let mut wall = watch.wall.elapsed();
        if build && self.build_at_connect() {
            wall += self.prepare(py)?;
        }
        self.timers.connect += PhaseTime {
            wall,
            cpu: watch.cpu.elapsed(),
        };
        Ok(true)
    }

    /// The connections between neurons that the filters select (each a
    /// list of id runs (first, n), or None for any), as rows (source,
    /// target, synapse model, delay, weight, projection, index, receptor
    /// type or None), sorted by
    /// source and target (NEST's `GetConnections`).
    #[pyo3(signature = (sources=None, targets=None, synapse_model=None))]
    fn get_connections(
        &mut self,
        py: Python<'_>,
        sources: Option<Vec<(u32, u32)>>,
        targets: Option<Vec<(u32, u32)>>,
        synapse_model: Option<&str>,
    ) -> PyResult<Vec<ConnectionRow>> {
        if self.net.is_none() {
            return Ok(Vec::new());
        }
        let models: Vec<String> = self
            .net()?
            .synapse_models()
            .iter()
            .map(|m| m.name.clone())
            .collect();
        let model = match synapse_model {
            Some(m) => Some(models.iter().position(|n| n == m).ok_or_else(|| {
                err(
                    "UnknownSynapseType",
                    format!("synapse model '{m}' does not exist"),
                )
            })? as u32),
            None => None,
        };
        self.prepare(py)?;
        let one = |runs: &Option<Vec<(u32, u32)>>| match runs.as_deref() {
            Some([(first, n)]) => NodeCollection::from_range(*first, *n),
            _ => None,
        };
        let filter = ConnectionFilter {
            sources: one(&sources),
            targets: one(&targets),
            synapse_model: model,
        };
        let within = |runs: &Option<Vec<(u32, u32)>>, id: u32| {
            runs.as_ref()
                .is_none_or(|r| r.iter().any(|&(f, n)| id >= f && id < f + n))
        };
        let sim = self.sim.as_ref().expect("prepared");
        let mut rows: Vec<ConnectionRow> = sim
            .connections(&filter)
            .into_iter()
            .filter(|c| within(&sources, c.source) && within(&targets, c.target))
            .map(|c| {
                (
                    c.source,
                    c.target,
                    models[c.synapse_model as usize].clone(),
                    c.delay,
                    c.weight,
                    c.projection,
                    c.index,
                    Some(c.receptor),
                )
            })
            .collect();
        // Connections from and to devices, as NEST lists them beside the
        // others: one per device and neuron.
        let net = self.net.as_ref().expect("prepared");
        let h = net.resolution().ms_per_step();
        for (i, c) in net.device_connections().iter().enumerate() {
            let m = net.device_connection_model(i);
            if model.is_some_and(|want| want != m) {
                continue;
            }
            let defaults = &net.synapse_models()[m as usize];
            let (device, neurons, from_device, weight, delay) = match c {
                DeviceConnection::Poisson {
                    generator,
                    targets,
                    weight,
                    delay,
                    ..
                }
                | DeviceConnection::SpikeGenerator {
                    generator,
                    targets,
                    weight,
                    delay,
                    ..
                }
                | DeviceConnection::Current {
                    generator,
                    targets,
                    weight,
                    delay,
                } => (*generator, targets, true, *weight, *delay as f64 * h),
                DeviceConnection::SpikeRecorder {
                    recorder,
                    sources,
                    delay,
                    weight,
                    ..
                } => (*recorder, sources, false, *weight, *delay as f64 * h),
                DeviceConnection::Multimeter { meter, targets } => {
                    (*meter, targets, true, defaults.weight, defaults.delay)
                }
            };
            for n in neurons.iter() {
                let (s, t) = if from_device {
                    (device, n)
                } else {
                    (n, device)
                };
                if within(&sources, s) && within(&targets, t) {
                    let row = (s, t, models[m as usize].clone(), delay, weight);
                    let at = (device_projection(i), 0, None);
                    rows.push((row.0, row.1, row.2, row.3, row.4, at.0, at.1, at.2));
                }
            }
        }
        rows.sort_by_key(|r| (r.0, r.1, r.5, r.6));
        Ok(rows)
    }

    /// `quantal_stp_synapse`'s state now, (`u`, `a`), of each connection
    /// as `get_connections` gave them (source, target, projection, index);
    /// `None` for other models' connections.
    fn quantal_state(
        &mut self,
        py: Python<'_>,
        keys: Vec<(u32, u32, u32, u32)>,
    ) -> PyResult<Vec<Option<(f64, i32)>>> {
        self.prepare(py)?;
        let net = self.net()?;
        let conns: Vec<spindle::engine::Connection> = keys
            .iter()
            .map(|&(source, target, projection, index)| {
                let synapse_model = net
                    .projections()
                    .get(projection as usize)
                    .map_or(0, |p| p.synapse_model);
                spindle::engine::Connection {
                    source,
                    target,
                    projection,
                    synapse_model,
                    index,
                    delay: 0.0,
                    weight: 0.0,
                    receptor: 0,
                }
            })
            .collect();
        let sim = self.sim.as_ref().expect("prepared");
        Ok(sim.quantal_state(&conns))
    }

    /// Set the weights of connections as `get_connections` gave them
    /// (source, target, projection, index) to `weights`.
    fn set_weights(
        &mut self,
        py: Python<'_>,
        keys: Vec<(u32, u32, u32, u32)>,
        weights: Vec<f64>,
    ) -> PyResult<()> {
        self.prepare(py)?;
        // A device connection holds one weight for all its targets: all of
        // them take the new one, or none.
        let mut devices: Vec<(usize, f64, usize)> = Vec::new();
        for (k, &w) in keys.iter().zip(&weights) {
            if let Some(i) = device_connection(k.2) {
                match devices.iter_mut().find(|d| d.0 == i) {
                    Some(d) if d.1.to_bits() == w.to_bits() => d.2 += 1,
                    Some(_) => return Err(one_device_weight()),
                    None => devices.push((i, w, 1)),
                }
            }
        }
        if !devices.is_empty() {
            let mut net = self.net()?.clone();
            for &(i, w, n) in &devices {
                let targets = match net.device_connections().get(i) {
                    Some(DeviceConnection::Poisson { targets, .. }) => targets.len(),
                    _ => 0,
                };
                if n != targets && targets > 0 {
                    return Err(one_device_weight());
                }
                net.set_poisson_weight(i, w).map_err(net_err)?;
            }
            let sim = self.sim.as_mut().expect("prepared");
            sim.change(net.clone()).map_err(engine_err)?;
            self.net = Some(net);
        }
        let (keys, weights): (Vec<_>, Vec<_>) = keys
            .into_iter()
            .zip(weights)
            .filter(|(k, _)| device_connection(k.2).is_none())
            .unzip();
        if keys.is_empty() {
            return Ok(());
        }
        let net = self.net()?;
        let conns: Vec<spindle::engine::Connection> = keys
            .iter()
            .map(
                |&(source, target, projection, index)| spindle::engine::Connection {
                    source,
                    target,
                    projection,
                    synapse_model: net.projections()[projection as usize].synapse_model,
                    index,
                    delay: 0.0,
                    weight: 0.0,
                    receptor: 0,
                },
            )
            .collect();
        let sim = self.sim.as_mut().expect("prepared");
        sim.set_weights(&conns, &weights).map_err(engine_err)
    }

    /// What a connection of `projection` holds beyond its row: its
    /// receptor type (None where drawn per connection) and its plastic
    /// rule's parameters under NEST's names.
    fn projection_params<'py>(
        &mut self,
        py: Python<'py>,
        projection: u32,
    ) -> PyResult<Bound<'py, PyDict>> {
        if let Some(i) = device_connection(projection) {
            let d = PyDict::new(py);
            let all = self.net()?.device_connections();
            let receptor = match all.get(i) {
                Some(
                    DeviceConnection::Poisson { receptor, .. }
                    | DeviceConnection::SpikeGenerator { receptor, .. },
                ) => receptor.clone(),
                Some(DeviceConnection::SpikeRecorder { port, .. }) => {
                    ReceptorType::Fixed(*port as i64)
                }
                // NEST numbers a node's multimeters 1, 2, ... as they
                // connect.
                Some(DeviceConnection::Multimeter { targets, .. }) => {
                    let earlier = all[..i]
                        .iter()
                        .filter(|c| {
                            matches!(c, DeviceConnection::Multimeter { targets: t, .. }
                                if t.overlap(targets) > 0)
                        })
                        .count();
                    ReceptorType::Fixed(earlier as i64 + 1)
                }
                _ => ReceptorType::Fixed(0),
            };
            match receptor {
                ReceptorType::Fixed(r) => d.set_item("receptor", r)?,
                ReceptorType::Drawn(_) => d.set_item("receptor", py.None())?,
            }
            return Ok(d);
        }
        let p = self
            .net()?
            .projections()
            .get(projection as usize)
            .ok_or_else(|| err("KernelException", format!("no projection {projection}")))?;
        let d = PyDict::new(py);
        match &p.receptor {
            ReceptorType::Fixed(r) => d.set_item("receptor", r)?,
            ReceptorType::Drawn(_) => d.set_item("receptor", py.None())?,
        }
        // A release receptor's rule is the sources' (iaf_tum_2000), not
        // the synapse model's: a static synapse has no such parameters.
        if let Some(rule) = p.plastic.as_ref().filter(|_| !p.from_release) {
            for &name in rule.names() {
                d.set_item(name, rule_item(py, rule, name)?)?;
            }
        }
        Ok(d)
    }

    /// NEST's `thread_local_id`: -1 before the first `Prepare`, then the
    /// node's place among its thread's nodes (its shard's neurons, and a
    /// replica of every device on each thread, as in NEST).
    fn thread_local_id(&self, id: u32) -> PyResult<i64> {
        let Some(sim) = &self.sim else {
            return Ok(-1);
        };
        let net = sim.network();
        let partition = net.partition(self.status.local_num_threads.max(1));
        let Some(below) = NodeCollection::from_range(1, id - 1) else {
            // The first node: nothing before it.
            return Ok(0);
        };
        let devices: usize = net
            .node_runs()
            .iter()
            .filter(|(_, k)| !k.is_neuron())
            .map(|(c, _)| c.overlap(&below))
            .sum();
        // Shard neurons' ids ascend: a neuron's local index counts those
        // before it; a device sits on thread 0.
        let neurons = match partition.locate(id) {
            Some((_, local)) => local as usize,
            None => partition.owned_len(&partition.shards()[0], &below),
        };
        Ok((devices + neurons) as i64)
    }

    /// NEST's `archiver_length` of neuron `id`.
    fn archiver_length(&self, id: u32) -> usize {
        self.sim.as_ref().map_or(0, |s| s.archiver_length(id))
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

    /// The (sources, targets) of every connection between neurons, in
    /// connect order, each projection's connections drawn as a shard
    /// owning all its targets draws them (the network drawn does not
    /// depend on the split). For tests of the rules' statistics.
    fn neuron_edges(&self) -> (Vec<u32>, Vec<u32>) {
        let (mut sources, mut targets) = (Vec::new(), Vec::new());
        let Some(net) = &self.net else {
            return (sources, targets);
        };
        for (k, p) in net.projections().iter().enumerate() {
            let owned: Vec<(u32, u32)> = p.targets.iter().zip(0..).collect();
            spindle::network::for_each_connection(
                &p.rule,
                net.seed(),
                k as u32,
                &p.sources,
                &p.targets,
                &owned,
                &mut Vec::new(),
                |c| {
                    if let Some(local) = c.local {
                        sources.push(c.source);
                        targets.push(p.targets.get(local as usize));
                    }
                },
            );
        }
        (sources, targets)
    }

    /// NEST's count of local nodes (its Prepare and Run messages): each
    /// thread holds its own copy of every device.
    fn num_local_nodes(&self) -> usize {
        let Some(net) = &self.net else { return 0 };
        let neurons = net.num_neurons();
        neurons + (net.num_nodes() - neurons) * self.status.local_num_threads
    }

    /// Check a simulation time as Simulate will; returns whether it is a
    /// multiple of the minimum delay (NEST warns otherwise).
    fn check_simtime(&self, ms: f64) -> PyResult<bool> {
        let res = match &self.net {
            Some(net) => net.resolution(),
            None => self.resolution()?,
        };
        let steps = res
            .steps_on_grid("simulation time", ms)
            .map_err(|e| err("BadParameter", e.to_string()))?;
        let min_delay = match &self.net {
            Some(net) => net.min_delay().map_err(net_err)?,
            None => 1,
        };
        Ok(steps % min_delay.max(1) == 0)
    }

    /// NEST's Prepare.
    fn prepare_run(&mut self, py: Python<'_>) -> PyResult<()> {
        self.check_files()?;
        // NEST opens the recorders' files here, truncating them.
        self.files_from = self.sim.as_ref().map_or(0.0, |s| s.time());
        let built = self.prepare(py)?;
        self.timers.prepare += built;
        self.prepared = true;
        if let Some(sim) = self.sim.as_mut() {
            sim.prepare();
        }
        Ok(())
    }

    /// NEST's Simulate (and Run): advance by `ms`. The GIL is released
    /// while the engine runs; Ctrl-C stops it at the next slice boundary,
    /// writes what was recorded and raises KeyboardInterrupt.
    fn simulate(&mut self, py: Python<'_>, ms: f64) -> PyResult<()> {
        self.check_files()?;
        let built = self.prepare(py)?;
        self.timers.prepare += built;
        self.prepared = true;
        let stop = Arc::new(AtomicBool::new(false));
        let sim = self.sim.as_mut().expect("prepared");
        sim.interrupt_on(stop.clone());
        let mut interrupt = None;
        let result = std::thread::scope(|scope| {
            // NEST's Run: Prepare (`prepare_run`) restarts what restarts.
            // The run says when it ends, so that short runs (a script
            // simulating one step thousands of times) return at once;
            // meanwhile signals are looked at every 10 ms.
            let (done, ended) = std::sync::mpsc::channel();
            let run = scope.spawn(move || {
                let result = sim.run(ms);
                let _ = done.send(());
                result
            });
            let mut ended = ended;
            loop {
                // The receiver travels into the GIL-free wait and back.
                let (waited, back) =
                    py.detach(move || (ended.recv_timeout(Duration::from_millis(10)), ended));
                ended = back;
                if !matches!(waited, Err(RecvTimeoutError::Timeout)) {
                    break;
                }
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

    /// Simulations built since `ResetKernel`: `Connect` defers building
    /// (see `build_at_connect`), which tests check.
    fn builds(&self) -> u64 {
        self.builds
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
