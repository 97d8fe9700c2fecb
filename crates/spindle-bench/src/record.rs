//! One run's result, [`RunRecord`]: what `spindle --json` and the peers'
//! scripts (`scripts/peers/common.py`) write, and what sweeps store one per
//! line in `raw.jsonl` (with the main columns in `raw.csv`).
//!
//! Format version 2: every field is present in every record. `null` means
//! the value does not exist for that run, and each field's doc says when
//! that is (mostly: a peer does not measure Spindle's engine figures).
//! Version 1 records (committed result sets) are still read: they are
//! converted on reading, and fields version 1 did not record are `null`.
//! `model` came later within version 2: a record without it ran the seed,
//! `iaf_psc_alpha`, and is read so; `network`, `scale` and `microcircuit`
//! later still: a record without them ran the Brunel network; `isa` last:
//! null where a record lacks it. The first records, written by
//! `spindle --json` before the format had a version (the engine-core set),
//! are read as version 1 records of Spindle with no machine recorded.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::BenchError;
use crate::grid::Mode;
use crate::machine::CpuDetail;

/// The record format written now.
pub const FORMAT_VERSION: u32 = 2;

/// The older format still read (flat, keyed by `record_version`).
pub const V1: u64 = 1;

/// The model of records that do not name one: every run before `model`
/// was recorded ran the seed, `brunel_alpha_nest.py`.
pub const SEED_MODEL: &str = "iaf_psc_alpha";

/// The network of records that do not name one: the Brunel network, the
/// only one before the microcircuit.
pub const SEED_NETWORK: &str = "brunel";

/// The microcircuit's network name.
pub const MICROCIRCUIT: &str = "microcircuit";

/// NEST's hpc_benchmark.py's network name: sized by `scale`, with a
/// presimulation (in `microcircuit`, with its two populations).
pub const HPC_BENCHMARK: &str = "hpc_benchmark";

/// The Brette et al. (2007) benchmarks' network name (`model` names the
/// script: coba, hh_coba, cuba).
pub const BRETTE2007: &str = "brette2007";

/// One run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunRecord {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// "spindle", "nest" or "brian2".
    pub system: String,
    /// That system's version.
    pub system_version: String,
    /// Spindle's git commit (`-dirty` with local changes); null for peers.
    pub git_commit: Option<String>,
    /// The compiler that built Spindle; null for peers.
    pub rustc_version: Option<String>,
    /// The vector path the hot loops ran (`portable`, `avx2`, `avx512`);
    /// null for peers and in records written before the field.
    pub isa: Option<String>,
    /// Host name.
    pub host: String,
    /// CPU model name.
    pub cpu_model: String,
    /// What tells two CPUs of that name apart (empty in records read from
    /// version 1 that lack it).
    pub cpu: CpuDetail,
    /// Cores the process could use.
    pub cores: u64,
    /// Where the run sits in a sweep; null for a run outside `spindle bench`.
    pub sweep: Option<SweepTag>,

    /// The network: "brunel" (NEST's Brunel scripts, `model` says which),
    /// "microcircuit" (Potjans & Diesmann 2014, NEST's PD14 example),
    /// "hpc_benchmark" (NEST's hpc_benchmark.py) or "brette2007" (NEST's
    /// brette_et_al_2007 scripts, `model` says which).
    /// [`SEED_NETWORK`] in records written before the field.
    pub network: String,
    /// The microcircuit's scale (`N_scaling = K_scaling`), or
    /// hpc_benchmark.py's `scale`; null for the other networks.
    pub scale: Option<f64>,
    /// The microcircuit's drive, presimulation and per-population rates;
    /// for hpc_benchmark its presimulation and two populations (E, I; the
    /// drive empty); null for the other networks.
    pub microcircuit: Option<MicrocircuitRecord>,
    /// The scenario's neuron model, naming the NEST script it follows:
    /// "iaf_psc_alpha" (`brunel_alpha_nest.py`, the seed), "iaf_psc_delta"
    /// (`brunel_delta_nest.py`) or "iaf_psc_exp" (`brunel_alpha_nest.py`
    /// with `iaf_psc_exp`); the microcircuit's, `iaf_psc_exp`.
    /// [`SEED_MODEL`] in records written before the field.
    pub model: String,
    /// Network order (0 for the microcircuit, whose size is `scale`).
    pub order: u64,
    /// "seed" or "indegree" ("" for the microcircuit).
    pub scaling: String,
    /// Master seed.
    pub seed: u64,
    /// Model time asked for [ms] (the microcircuit: after its
    /// presimulation, the example's `t_sim`).
    pub simtime: f64,
    /// Model time simulated [ms]: less than `simtime` after Ctrl-C.
    pub simtime_reached: f64,
    /// Whether Ctrl-C stopped the run early.
    pub interrupted: bool,
    /// Resolution [ms].
    pub dt: f64,
    /// Whether threads were pinned to cores.
    pub pin: bool,
    /// MPI ranks (1 for one process).
    pub ranks: u64,
    /// Threads per rank (the configuration's thread count).
    pub threads: u64,
    /// The same as `threads`, under the name multi-rank tools look for.
    pub threads_per_rank: u64,
    /// Shortest delay in steps (null only in records read from version 1).
    pub min_delay_steps: Option<u64>,

    /// Neurons.
    pub num_neurons: u64,
    /// Connections, devices' included (as NEST counts them).
    pub num_synapses: u64,
    /// Excitatory connections.
    pub num_synapses_ex: u64,
    /// Inhibitory connections.
    pub num_synapses_in: u64,
    /// Neurons recorded per population (null in records read from version
    /// 1 and for the microcircuit, which records every neuron).
    pub n_rec: Option<u64>,
    /// The script's derived constants (null in records read from version 1
    /// and for the microcircuit; the weights are in mV for `iaf_psc_delta`).
    pub derived: Option<Derived>,
    /// Spikes of the recorded excitatory neurons (the microcircuit: of the
    /// excitatory populations after the presimulation; null only in records
    /// read from version 1).
    pub events_ex: Option<u64>,
    /// Spikes of the recorded inhibitory neurons (as `events_ex`).
    pub events_in: Option<u64>,
    /// The seed's excitatory rate, over the recorded neurons [Hz] (the
    /// microcircuit: over the excitatory populations after the
    /// presimulation; hpc_benchmark: the script's `average rate`, the
    /// recorder's events, the presimulation's included, per recorded
    /// neuron and second of `simtime`; brette2007: the script's
    /// `compute_rate`).
    pub rate_ex: f64,
    /// The seed's inhibitory rate, over the recorded neurons [Hz] (as
    /// `rate_ex`).
    pub rate_in: f64,
    /// Excitatory rate over all excitatory neurons [Hz] (the microcircuit:
    /// `rate_ex`).
    pub rate_ex_all: f64,
    /// Inhibitory rate over all inhibitory neurons [Hz] (the microcircuit:
    /// `rate_in`).
    pub rate_in_all: f64,
    /// Spikes of all neurons.
    pub spikes_total: u64,
    /// Spindle's spike digest (FNV-1a over the sorted (step, sender)
    /// pairs); null for peers, which do not compute it.
    pub spike_digest: Option<String>,

    /// Building time of the seed's summary [s].
    pub build_time: f64,
    /// Simulation time of the seed's summary: wall time around the
    /// simulate call [s].
    pub sim_time: f64,
    /// Code generation and compilation [s] (Brian2); null for systems that
    /// compile nothing per run.
    pub compile_time: Option<f64>,
    /// Creating the nodes, wall [s]; null where the system does not say
    /// (Brian2).
    pub time_construction_create: Option<f64>,
    /// The same, CPU seconds over all threads; null for peers.
    pub time_construction_create_cpu: Option<f64>,
    /// Connecting, wall [s]; null where the system does not say (Brian2).
    pub time_construction_connect: Option<f64>,
    /// The same, CPU seconds over all threads; null for peers.
    pub time_construction_connect_cpu: Option<f64>,
    /// The simulator's own simulation time [s].
    pub time_simulate: f64,
    /// The same, CPU seconds over all threads; null for peers.
    pub time_simulate_cpu: Option<f64>,
    /// `time_simulate` / model seconds simulated (the microcircuit's
    /// presimulation included): NEST's real-time factor, and what beNNch
    /// calls `sim_factor` (version 1 wrote both).
    pub real_time_factor: f64,
    /// The phase timers under NEST's names, at the top level as in NEST's
    /// kernel status: wall seconds, mean over threads (the MPI phases: the
    /// rank's first thread, which runs them). Null for peers.
    #[serde(flatten)]
    pub timers: Phases<Option<f64>>,
    /// Each phase's slowest thread, CPU time and imbalance; null for peers.
    pub phases: Option<Phases<PhaseDetail>>,
    /// Each phase per rank: wall seconds summed over the rank's threads,
    /// one entry per rank. Null for peers and in records read from version
    /// 1 of one process.
    pub rank_timers: Option<Phases<Vec<f64>>>,
    /// Each phase's slowest rank / mean over ranks (1 on one process). Null
    /// for peers and in records read from version 1 of one process.
    pub imbalance_ranks: Option<Phases<f64>>,
    /// Each phase per thread of the rank that writes the record (rank 0):
    /// wall seconds, one entry per thread, which shows which thread's
    /// share of the network is the slow one. Null for peers and in records
    /// from before it.
    pub thread_timers: Option<Phases<Vec<f64>>>,
    /// Peak RSS of each rank [bytes].
    pub rank_peak_rss_bytes: Vec<u64>,

    /// Slices run (min-delay intervals); null for peers.
    pub slices: Option<u64>,
    /// Per-slice times over all threads' slices; null for peers.
    pub slice_times: Option<SliceTimes>,
    /// Synaptic events delivered; null for peers.
    pub synaptic_events: Option<u64>,
    /// Poisson counts drawn; null for peers.
    pub poisson_draws: Option<u64>,
    /// Synapses stored between neurons; null for peers.
    pub synapses_stored: Option<u64>,
    /// Synaptic events per wall second of `time_simulate`; null for peers.
    pub synaptic_events_per_second: Option<f64>,
    /// `time_simulate` × threads per synaptic event [ns]; null for peers.
    pub ns_per_synaptic_event_per_core: Option<f64>,
    /// Delivery CPU time per synaptic event [ns]; null for peers.
    pub ns_per_synaptic_event_delivered: Option<f64>,

    /// Peak RSS [bytes] (the largest rank's).
    pub peak_rss_bytes: u64,
    /// Bytes of synapse storage; null for peers.
    pub synapse_bytes: Option<u64>,
    /// Bytes of neuron state, input rings and Poisson streams; null for peers.
    pub neuron_bytes: Option<u64>,
    /// `synapse_bytes` per stored synapse; null for peers.
    pub bytes_per_synapse: Option<f64>,
    /// `neuron_bytes` per neuron; null for peers.
    pub bytes_per_neuron: Option<f64>,
}

/// What a microcircuit run records beyond the common fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MicrocircuitRecord {
    /// The background drive: "poisson" or "dc" (the example's
    /// `bg_input_type`).
    pub drive: String,
    /// Model time simulated before `simtime`, outside the rates [ms] (the
    /// example's `t_presim`).
    pub presim: f64,
    /// Synapses between neurons (the recurrent connections, devices'
    /// left out).
    pub recurrent_synapses: u64,
    /// Each population's figures, in the example's order.
    pub populations: Vec<PopulationRecord>,
}

/// One population of the microcircuit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationRecord {
    /// The example's name ("L23E", ...).
    pub name: String,
    /// Neurons.
    pub neurons: u64,
    /// Spikes after the presimulation.
    pub spikes: u64,
    /// Mean rate over the neurons after the presimulation [spikes/s] (the
    /// example's `Mean rates`).
    pub rate: f64,
    /// Standard deviation of the neurons' rates [spikes/s] (the example's
    /// `Standard deviation of rates`); null where not measured (peers,
    /// several MPI ranks).
    pub rate_std: Option<f64>,
}

/// What a sweep adds to each of its runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepTag {
    /// `spindle bench --label`.
    pub label: String,
    /// Repeat number (0-based).
    pub repeat: u32,
    /// Strong or weak scaling.
    pub mode: Mode,
}

/// The seed script's derived constants, under its names.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Derived {
    /// Excitatory neurons.
    #[serde(rename = "NE")]
    pub ne: u64,
    /// Inhibitory neurons.
    #[serde(rename = "NI")]
    pub ni: u64,
    /// Excitatory in-degree.
    #[serde(rename = "CE")]
    pub ce: u64,
    /// Inhibitory in-degree.
    #[serde(rename = "CI")]
    pub ci: u64,
    /// Excitatory weight [pA].
    #[serde(rename = "J_ex")]
    pub j_ex: f64,
    /// Inhibitory weight [pA].
    #[serde(rename = "J_in")]
    pub j_in: f64,
    /// Poisson generator rate [Hz].
    pub p_rate: f64,
}

/// One value per phase of the slice loop, under NEST's timer names.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Phases<T> {
    /// Neuron updates, Poisson input included.
    pub time_update: T,
    /// Writing received spikes into the input rings.
    pub time_deliver_spike_data: T,
    /// The spike exchange between threads, its barrier wait included.
    pub time_gather_spike_data: T,
    /// The barrier wait of the exchange.
    pub time_omp_synchronization_simulation: T,
    /// The MPI collective that carries the spikes (0 on one process).
    pub time_communicate_spike_data: T,
    /// The MPI exchange of spike counts, where ranks wait for the slowest
    /// (0 on one process).
    pub time_mpi_synchronization: T,
}

/// The phases' NEST names, in [`Phases`]' order.
pub const PHASE_NAMES: [&str; 6] = [
    "time_update",
    "time_deliver_spike_data",
    "time_gather_spike_data",
    "time_omp_synchronization_simulation",
    "time_communicate_spike_data",
    "time_mpi_synchronization",
];

impl<T> Phases<T> {
    /// From values in [`PHASE_NAMES`]' order.
    pub fn from_array([a, b, c, d, e, f]: [T; 6]) -> Self {
        Self {
            time_update: a,
            time_deliver_spike_data: b,
            time_gather_spike_data: c,
            time_omp_synchronization_simulation: d,
            time_communicate_spike_data: e,
            time_mpi_synchronization: f,
        }
    }

    /// The values in [`PHASE_NAMES`]' order.
    pub fn into_array(self) -> [T; 6] {
        [
            self.time_update,
            self.time_deliver_spike_data,
            self.time_gather_spike_data,
            self.time_omp_synchronization_simulation,
            self.time_communicate_spike_data,
            self.time_mpi_synchronization,
        ]
    }

    /// One value per phase from its NEST name.
    pub fn from_fn(f: impl FnMut(&'static str) -> T) -> Self {
        Self::from_array(PHASE_NAMES.map(f))
    }
}

/// One phase across threads.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PhaseDetail {
    /// The slowest thread's wall seconds.
    pub max: f64,
    /// CPU seconds summed over threads (the threads' CPU time, read at
    /// most once a millisecond, split over the phases by wall time).
    pub cpu: f64,
    /// Slowest thread / mean (1 when the phase took no time).
    pub imbalance: f64,
}

/// Per-slice time percentiles [s] of each part of a slice.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct SliceTimes {
    /// The update.
    pub update: Quantiles,
    /// The delivery.
    pub deliver: Quantiles,
    /// The barrier wait.
    pub sync: Quantiles,
}

/// Percentiles of a duration [s].
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Quantiles {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Maximum.
    pub max: f64,
}

/// A figure of a record, for summaries and comparisons.
pub type Figure = fn(&RunRecord) -> Option<f64>;

/// A column of `raw.csv`: its name and how to read it from a record.
pub type Column = (&'static str, fn(&RunRecord) -> Value);

/// Columns of `raw.csv`, in order (version 1's names).
pub const CSV_COLUMNS: &[Column] = &[
    ("system", |r| json!(r.system)),
    ("model", |r| json!(r.model)),
    ("label", |r| json!(r.sweep.as_ref().map(|s| &s.label))),
    ("order", |r| json!(r.order)),
    ("scaling", |r| json!(r.scaling)),
    ("ranks", |r| json!(r.ranks)),
    ("threads", |r| json!(r.threads)),
    ("seed", |r| json!(r.seed)),
    ("repeat", |r| json!(r.sweep.as_ref().map(|s| s.repeat))),
    ("simtime", |r| json!(r.simtime)),
    ("num_neurons", |r| json!(r.num_neurons)),
    ("num_synapses", |r| json!(r.num_synapses)),
    ("build_time", |r| json!(r.build_time)),
    ("sim_time", |r| json!(r.sim_time)),
    ("real_time_factor", |r| json!(r.real_time_factor)),
    ("time_construction_create", |r| {
        json!(r.time_construction_create)
    }),
    ("time_construction_connect", |r| {
        json!(r.time_construction_connect)
    }),
    ("time_simulate", |r| json!(r.time_simulate)),
    ("time_update", |r| json!(r.timers.time_update)),
    ("time_deliver_spike_data", |r| {
        json!(r.timers.time_deliver_spike_data)
    }),
    ("time_gather_spike_data", |r| {
        json!(r.timers.time_gather_spike_data)
    }),
    ("time_omp_synchronization_simulation", |r| {
        json!(r.timers.time_omp_synchronization_simulation)
    }),
    ("time_update_cpu", |r| {
        json!(r.phases.as_ref().map(|p| p.time_update.cpu))
    }),
    ("time_deliver_spike_data_cpu", |r| {
        json!(r.phases.as_ref().map(|p| p.time_deliver_spike_data.cpu))
    }),
    ("imbalance_update", |r| {
        json!(r.phases.as_ref().map(|p| p.time_update.imbalance))
    }),
    ("slice_update_p50", |r| {
        json!(r.slice_times.map(|s| s.update.p50))
    }),
    ("slice_update_p99", |r| {
        json!(r.slice_times.map(|s| s.update.p99))
    }),
    ("slice_sync_p99", |r| {
        json!(r.slice_times.map(|s| s.sync.p99))
    }),
    ("rate_ex_all", |r| json!(r.rate_ex_all)),
    ("rate_in_all", |r| json!(r.rate_in_all)),
    ("spikes_total", |r| json!(r.spikes_total)),
    ("synaptic_events", |r| json!(r.synaptic_events)),
    ("ns_per_synaptic_event_per_core", |r| {
        json!(r.ns_per_synaptic_event_per_core)
    }),
    ("peak_rss_bytes", |r| json!(r.peak_rss_bytes)),
    ("bytes_per_synapse", |r| json!(r.bytes_per_synapse)),
    ("spike_digest", |r| json!(r.spike_digest)),
    ("git_commit", |r| json!(r.git_commit)),
    ("network", |r| json!(r.network)),
    ("scale", |r| json!(r.scale)),
    ("drive", |r| {
        json!(r.microcircuit.as_ref().map(|m| &m.drive))
    }),
    ("presim", |r| {
        json!(r.microcircuit.as_ref().map(|m| m.presim))
    }),
];

/// What identifies a configuration across result sets.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConfigKey {
    /// "spindle", "brian2", "nest".
    pub system: String,
    /// "brunel" or "microcircuit".
    pub network: String,
    /// The microcircuit's scale, as text to keep it exact ("" for Brunel).
    pub scale: String,
    /// The microcircuit's drive ("" for Brunel).
    pub drive: String,
    /// The microcircuit's presimulation [ms], as text ("" for Brunel).
    pub presim: String,
    /// The neuron model (the scenario's variant).
    pub model: String,
    /// Network order.
    pub order: u64,
    /// "seed" or "indegree".
    pub scaling: String,
    /// MPI ranks (1 without MPI).
    pub ranks: u64,
    /// Threads (per rank).
    pub threads: u64,
    /// Model time [ms], as text to keep it exact.
    pub simtime: String,
}

impl std::fmt::Display for ConfigKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ranks = if self.ranks > 1 {
            format!(" ranks={}", self.ranks)
        } else {
            String::new()
        };
        if self.network == MICROCIRCUIT {
            return write!(
                f,
                "{} microcircuit scale={} {}{ranks} threads={} {}+{}ms",
                self.system, self.scale, self.drive, self.threads, self.presim, self.simtime
            );
        }
        if self.network == HPC_BENCHMARK {
            return write!(
                f,
                "{} hpc_benchmark scale={}{ranks} threads={} {}+{}ms",
                self.system, self.scale, self.threads, self.presim, self.simtime
            );
        }
        if self.network == BRETTE2007 {
            return write!(
                f,
                "{} brette2007 {}{ranks} threads={} {}ms",
                self.system, self.model, self.threads, self.simtime
            );
        }
        // The seed's model is left out, as older sets printed it.
        let model = if self.model == SEED_MODEL {
            String::new()
        } else {
            format!(" {}", self.model)
        };
        write!(
            f,
            "{}{model} order={} {}{ranks} threads={} {}ms",
            self.system, self.order, self.scaling, self.threads, self.simtime
        )
    }
}

/// The keys every version 2 record holds: those of a default record, whose
/// objects (`cpu`) are walked too. Nested records that are null by default
/// have no optional fields, so serde itself requires their keys.
static REQUIRED: LazyLock<Value> =
    LazyLock::new(|| serde_json::to_value(RunRecord::default()).expect("a record serialises"));

/// The keys of `template` that `value` lacks, as dotted paths.
fn missing_keys(template: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    let (Value::Object(t), Value::Object(v)) = (template, value) else {
        return;
    };
    for (key, sub) in t {
        let name = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match v.get(key) {
            None => out.push(name),
            Some(inner) => missing_keys(sub, inner, &name, out),
        }
    }
}

impl ConfigKey {
    /// Whether the configuration is the microcircuit's.
    pub fn is_microcircuit(&self) -> bool {
        self.network == MICROCIRCUIT
    }

    /// Whether the network is sized by a scale (the microcircuit,
    /// hpc_benchmark), not an order.
    pub fn is_scaled(&self) -> bool {
        !self.scale.is_empty()
    }

    /// The network's size: its order, or its scale (0 for the Brette
    /// et al. benchmarks, which have one size).
    pub fn size(&self) -> f64 {
        if self.is_scaled() {
            self.scale.parse().unwrap_or(0.0)
        } else {
            self.order as f64
        }
    }

    /// The size as text: "order 250", "scale 0.1", or the Brette et al.
    /// benchmark's name.
    pub fn size_label(&self) -> String {
        if self.is_scaled() {
            format!("scale {}", self.scale)
        } else if self.network == BRETTE2007 {
            self.model.clone()
        } else {
            format!("order {}", self.order)
        }
    }

    /// Model seconds a run simulates (the presimulation included).
    pub fn model_seconds(&self) -> f64 {
        let ms = |s: &str| s.parse::<f64>().ok();
        (ms(&self.simtime).unwrap_or(1000.0) + ms(&self.presim).unwrap_or(0.0)) / 1000.0
    }
}

impl RunRecord {
    /// Parse one JSON object: format version 2, every field present; or
    /// version 1, converted.
    pub fn parse(text: &str, origin: &str) -> Result<Self, BenchError> {
        let bad = |why: String| BenchError::Parse(format!("{origin}: {why}"));
        let value: Value =
            serde_json::from_str(text).map_err(|e| bad(format!("not a JSON record ({e})")))?;
        let Value::Object(map) = value else {
            return Err(bad("not a JSON object".into()));
        };
        let version = |key| map.get(key).map(|v| v.as_u64().ok_or(v.to_string()));
        let rec: Self = match (version("format_version"), version("record_version")) {
            (Some(Ok(v)), _) if v == u64::from(FORMAT_VERSION) => {
                let mut map = map;
                map.entry("model").or_insert_with(|| json!(SEED_MODEL));
                map.entry("network").or_insert_with(|| json!(SEED_NETWORK));
                map.entry("scale").or_insert(Value::Null);
                map.entry("microcircuit").or_insert(Value::Null);
                map.entry("isa").or_insert(Value::Null);
                map.entry("thread_timers").or_insert(Value::Null);
                let value = Value::Object(map);
                let mut missing = Vec::new();
                missing_keys(&REQUIRED, &value, "", &mut missing);
                if !missing.is_empty() {
                    return Err(bad(format!("the record lacks {}", missing.join(", "))));
                }
                decode(&value).map_err(bad)?
            }
            (None, Some(Ok(V1))) => decode(&Value::Object(upgrade_v1(map)))
                .map_err(|e| bad(format!("version 1 record: {e}")))?,
            (Some(v), _) | (None, Some(v)) => {
                let v = v.map_or_else(|text| text, |n| n.to_string());
                return Err(bad(format!(
                    "record version {v} is incompatible with this spindle (it reads versions {V1} and {FORMAT_VERSION})"
                )));
            }
            (None, None) if map.contains_key("spindle_version") => {
                decode(&Value::Object(upgrade_v1(upgrade_v0(map))))
                    .map_err(|e| bad(format!("record without a version: {e}")))?
            }
            (None, None) => return Err(bad("no format_version field".into())),
        };
        for (key, v) in [("simtime", rec.simtime), ("sim_time", rec.sim_time)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(bad(format!("'{key}' is not a number >= 0")));
            }
        }
        Ok(rec)
    }

    /// The configuration this run belongs to.
    pub fn key(&self) -> ConfigKey {
        let text = |v: f64| serde_json::to_string(&v).unwrap_or_default();
        let mc = self.microcircuit.as_ref();
        ConfigKey {
            system: self.system.clone(),
            network: self.network.clone(),
            scale: self.scale.map(text).unwrap_or_default(),
            drive: mc.map(|m| m.drive.clone()).unwrap_or_default(),
            presim: mc.map(|m| text(m.presim)).unwrap_or_default(),
            model: self.model.clone(),
            order: self.order,
            scaling: self.scaling.clone(),
            ranks: self.ranks.max(1),
            threads: self.threads,
            simtime: serde_json::to_string(&self.simtime).unwrap_or_default(),
        }
    }

    /// The sweep's mode, if the run was part of one.
    pub fn mode(&self) -> Option<Mode> {
        self.sweep.as_ref().map(|s| s.mode)
    }

    /// The CSV header line.
    pub fn csv_header() -> String {
        CSV_COLUMNS
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// This record as a CSV line (null fields empty).
    pub fn csv_line(&self) -> String {
        CSV_COLUMNS
            .iter()
            .map(|(_, get)| match get(self) {
                Value::Null => String::new(),
                Value::String(s) => csv_escape(&s),
                v => v.to_string(),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The record as one JSON line.
    pub fn json_line(&self) -> String {
        serde_json::to_string(self).expect("a record serialises")
    }
}

/// `value` as a record; an error names the top-level field at fault (serde
/// does not, through the flattened timers).
fn decode(value: &Value) -> Result<RunRecord, String> {
    RunRecord::deserialize(value).map_err(|e| {
        let culprit = value.as_object().and_then(|map| {
            map.iter().find_map(|(key, v)| {
                let mut alone = REQUIRED.clone();
                alone[key.as_str()] = v.clone();
                RunRecord::deserialize(&alone).is_err().then_some(key)
            })
        });
        match culprit {
            Some(key) => format!("'{key}': {e}"),
            None => e.to_string(),
        }
    })
}

/// A record of `spindle --json` from before version 1 (flat, Spindle's
/// only): version 1's layout without the system, commit or machine, which
/// it did not record. They stay empty: such runs form a machine of their
/// own, "not recorded".
fn upgrade_v0(mut v0: Map<String, Value>) -> Map<String, Value> {
    for (key, value) in [
        ("system", json!("spindle")),
        ("host", json!("")),
        ("cpu_model", json!("")),
        ("cores", json!(0)),
        ("git_commit", Value::Null),
        // The only scaling then.
        ("scaling", json!("seed")),
    ] {
        v0.entry(key).or_insert(value);
    }
    v0
}

/// A version 1 record (flat; `ranks`, `threads_per_rank` and the rank
/// timers only under MPI; `sim_factor` beside `real_time_factor`) in
/// version 2's layout. What version 1 did not record stays missing: serde
/// makes optional fields null and refuses the record if a required one is
/// absent.
fn upgrade_v1(mut v1: Map<String, Value>) -> Map<String, Value> {
    v1.remove("record_version");
    v1.remove("sim_factor");
    let mut take = |key: &str| v1.remove(key);
    let mut out = Map::new();
    let mut put = |key: &str, value: Value| {
        out.insert(key.to_string(), value);
    };
    put("format_version", json!(FORMAT_VERSION));
    put("model", json!(SEED_MODEL));
    put("network", json!(SEED_NETWORK));
    put("scale", Value::Null);
    put("microcircuit", Value::Null);
    put("isa", Value::Null);
    let version = ["spindle_version", "nest_version", "brian2_version"]
        .into_iter()
        .find_map(&mut take);
    if let Some(v) = version {
        put("system_version", v);
    }
    let (label, repeat, mode) = (take("label"), take("repeat"), take("mode"));
    if label.is_some() || repeat.is_some() || mode.is_some() {
        put(
            "sweep",
            json!({
                "label": label.unwrap_or(json!("")),
                "repeat": repeat.unwrap_or(json!(0)),
                "mode": mode.unwrap_or(json!("strong")),
            }),
        );
    }
    // Builds before MPI had no MPI phases: they took no time.
    let spindle = v1.contains_key("time_update_max");
    let short = |name: &str| match name {
        "time_update" => "update",
        "time_deliver_spike_data" => "deliver",
        "time_gather_spike_data" => "gather",
        "time_mpi_synchronization" => "mpi_sync",
        "time_communicate_spike_data" => "communicate",
        _ => "sync",
    };
    let mpi_phase =
        |name: &str| name.starts_with("time_mpi") || name.starts_with("time_communicate");
    let mut detail = Map::new();
    let mut imbalance_ranks = Map::new();
    for name in PHASE_NAMES {
        let filler = |zero: f64| (spindle && mpi_phase(name)).then(|| json!(zero));
        if let Some(mean) = v1.remove(name).or_else(|| filler(0.0)) {
            put(name, mean);
        }
        let max = v1.remove(&format!("{name}_max")).or_else(|| filler(0.0));
        let cpu = v1.remove(&format!("{name}_cpu")).or_else(|| filler(0.0));
        let imb = v1
            .remove(&format!("imbalance_{}", short(name)))
            .or_else(|| filler(1.0));
        if let (Some(max), Some(cpu), Some(imbalance)) = (max, cpu, imb) {
            detail.insert(
                name.to_string(),
                json!({"max": max, "cpu": cpu, "imbalance": imbalance}),
            );
        }
        if let Some(i) = v1.remove(&format!("imbalance_ranks_{}", short(name))) {
            imbalance_ranks.insert(name.to_string(), i);
        }
    }
    if detail.len() == 6 {
        put("phases", Value::Object(detail));
    }
    if imbalance_ranks.len() == 6 {
        put("imbalance_ranks", Value::Object(imbalance_ranks));
    }
    let mut slices = Map::new();
    for part in ["update", "deliver", "sync"] {
        let q: Option<Map<String, Value>> = ["p50", "p90", "p99", "max"]
            .into_iter()
            .map(|p| Some((p.to_string(), v1.remove(&format!("slice_{part}_{p}"))?)))
            .collect();
        if let Some(q) = q {
            slices.insert(part.to_string(), Value::Object(q));
        }
    }
    if slices.len() == 3 {
        put("slice_times", Value::Object(slices));
    }
    if !v1.contains_key("cpu") {
        put("cpu", json!(CpuDetail::default()));
    }
    let ranks = v1.get("ranks").cloned().unwrap_or(json!(1));
    if !v1.contains_key("threads_per_rank")
        && let Some(t) = v1.get("threads")
    {
        put("threads_per_rank", t.clone());
    }
    if !v1.contains_key("rank_peak_rss_bytes")
        && ranks == json!(1)
        && let Some(rss) = v1.get("peak_rss_bytes")
    {
        put("rank_peak_rss_bytes", json!([rss]));
    }
    put("ranks", ranks);
    if !v1.contains_key("simtime_reached")
        && let Some(t) = v1.get("simtime")
    {
        put("simtime_reached", t.clone());
    }
    if !v1.contains_key("interrupted") {
        put("interrupted", json!(false));
    }
    for (k, v) in v1 {
        out.entry(k).or_insert(v);
    }
    out
}

fn csv_escape(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into()
    }
}

/// A result set as read: its good records, and why each bad line was
/// skipped (file and line named).
#[derive(Debug, Default)]
pub struct ResultSet {
    /// The records that parsed.
    pub records: Vec<RunRecord>,
    /// One message per line that did not.
    pub skipped: Vec<String>,
}

/// Read a result set: a directory holding `raw.jsonl`, or a `.jsonl` file.
/// A truncated or corrupt line (a run cut short, a hand edit) is skipped
/// and reported; the set fails only when it cannot be read or holds no
/// good record.
pub fn read_set(path: &Path) -> Result<ResultSet, BenchError> {
    let file: PathBuf = if path.is_dir() {
        path.join("raw.jsonl")
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file)
        .map_err(|e| BenchError::Io(format!("cannot read result set {}: {e}", file.display())))?;
    parse_set(&bytes, &file.display().to_string())
}

/// Parse the lines of a result set read from `origin` (see [`read_set`]).
pub fn parse_set(bytes: &[u8], origin: &str) -> Result<ResultSet, BenchError> {
    // Lossy: a line cut inside a UTF-8 sequence is one bad line, not a bad set.
    let text = String::from_utf8_lossy(bytes);
    let mut set = ResultSet::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match RunRecord::parse(line, &format!("{origin} line {}", i + 1)) {
            Ok(r) => set.records.push(r),
            Err(e) => set.skipped.push(e.to_string()),
        }
    }
    if set.records.is_empty() {
        let why = set
            .skipped
            .first()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        return Err(BenchError::Parse(format!(
            "{origin}: no usable records{why}"
        )));
    }
    Ok(set)
}

/// A complete Spindle record with made-up figures, for tests.
#[cfg(test)]
pub(crate) fn sample(order: u64, threads: u64, sim_time: f64) -> RunRecord {
    fn phase<T: Clone>(v: T) -> Phases<T> {
        Phases::from_fn(|_| v.clone())
    }
    RunRecord {
        format_version: FORMAT_VERSION,
        system: "spindle".into(),
        system_version: "0.1.0".into(),
        git_commit: Some("abc".into()),
        rustc_version: Some("rustc".into()),
        isa: Some("avx2".into()),
        host: "h".into(),
        cpu_model: "cpu".into(),
        cpu: CpuDetail::default(),
        cores: 2,
        sweep: None,
        network: SEED_NETWORK.into(),
        scale: None,
        microcircuit: None,
        model: SEED_MODEL.into(),
        order,
        scaling: "seed".into(),
        seed: 1,
        simtime: 1000.0,
        simtime_reached: 1000.0,
        interrupted: false,
        dt: 0.1,
        pin: false,
        ranks: 1,
        threads,
        threads_per_rank: threads,
        min_delay_steps: Some(15),
        num_neurons: 5 * order,
        num_synapses: 10,
        num_synapses_ex: 8,
        num_synapses_in: 2,
        n_rec: Some(50),
        derived: Some(Derived::default()),
        events_ex: Some(1),
        events_in: Some(1),
        rate_ex: 1.0,
        rate_in: 1.0,
        rate_ex_all: 1.0,
        rate_in_all: 1.0,
        spikes_total: 5,
        spike_digest: Some("0011223344556677".into()),
        build_time: 0.1,
        sim_time,
        compile_time: None,
        time_construction_create: Some(0.01),
        time_construction_create_cpu: Some(0.01),
        time_construction_connect: Some(0.09),
        time_construction_connect_cpu: Some(0.09),
        time_simulate: sim_time,
        time_simulate_cpu: Some(sim_time),
        real_time_factor: sim_time,
        timers: phase(Some(sim_time / 4.0)),
        phases: Some(phase(PhaseDetail {
            max: sim_time / 4.0,
            cpu: sim_time / 4.0,
            imbalance: 1.0,
        })),
        rank_timers: Some(phase(vec![sim_time / 4.0])),
        imbalance_ranks: Some(phase(1.0)),
        thread_timers: Some(phase(vec![sim_time / 4.0])),
        rank_peak_rss_bytes: vec![1 << 20],
        slices: Some(667),
        slice_times: Some(SliceTimes::default()),
        synaptic_events: Some(100),
        poisson_draws: Some(100),
        synapses_stored: Some(10),
        synaptic_events_per_second: Some(100.0 / sim_time),
        ns_per_synaptic_event_per_core: Some(1.0),
        ns_per_synaptic_event_delivered: Some(1.0),
        peak_rss_bytes: 1 << 20,
        synapse_bytes: Some(20),
        neuron_bytes: Some(20),
        bytes_per_synapse: Some(2.0),
        bytes_per_neuron: Some(4.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real version 1 lines from the committed result sets: Spindle on one
    /// process (results/baseline), on 2 MPI ranks (2026-11-25-mpi), NEST and
    /// Brian2 (2026-11-26-three-systems-huge).
    const V1_LINES: &str = include_str!("../tests/data/records_v1.jsonl");
    /// What `scripts/peers/common.py` writes for NEST (version 2).
    const V2_PEER: &str = include_str!("../tests/data/record_v2_nest.json");

    fn v1(i: usize) -> RunRecord {
        RunRecord::parse(V1_LINES.lines().nth(i).unwrap(), "v1").unwrap()
    }

    #[test]
    fn version_1_records_are_converted() {
        let one = v1(0);
        assert_eq!(one.format_version, FORMAT_VERSION);
        assert_eq!((one.ranks, one.threads, one.threads_per_rank), (1, 1, 1));
        assert_eq!(one.system_version, "0.1.0");
        assert_eq!(one.rank_peak_rss_bytes, vec![one.peak_rss_bytes]);
        assert_eq!(one.simtime_reached, one.simtime);
        assert!(!one.interrupted);
        assert_eq!(one.sweep.as_ref().unwrap().label, "baseline");
        assert_eq!(one.mode(), Some(Mode::Strong));
        assert_eq!(one.spike_digest.as_deref(), Some("def476d6c7287e1a"));
        let p = one.phases.as_ref().unwrap();
        assert_eq!(p.time_update.max, 0.075560903);
        assert_eq!(p.time_mpi_synchronization.imbalance, 1.0);
        assert_eq!(one.timers.time_mpi_synchronization, Some(0.0));
        assert_eq!(one.slice_times.unwrap().update.p50, 0.000111871);
        assert!(one.rank_timers.is_none() && one.imbalance_ranks.is_none());
        assert_eq!(
            one.key().to_string(),
            "spindle order=250 seed threads=1 1000.0ms"
        );

        let two = v1(1);
        assert_eq!((two.ranks, two.threads_per_rank), (2, 1));
        assert_eq!(two.rank_timers.unwrap().time_update.len(), 2);
        assert!(two.imbalance_ranks.unwrap().time_update > 1.0);
        assert_eq!(two.rank_peak_rss_bytes.len(), 2);

        for (i, system) in [(2, "nest"), (3, "brian2")] {
            let peer = v1(i);
            assert_eq!(peer.system, system);
            assert_eq!((peer.ranks, peer.threads_per_rank), (1, peer.threads));
            assert!(!peer.system_version.is_empty());
            assert!(peer.phases.is_none() && peer.spike_digest.is_none());
            assert!(peer.timers.time_update.is_none());
        }
        assert!(v1(3).compile_time.unwrap() > 0.0);
        for i in 0..4 {
            assert_eq!(v1(i).model, SEED_MODEL, "every version 1 run is the seed's");
        }
        assert!(v1(3).time_construction_create.is_none());
    }

    #[test]
    fn version_2_round_trips_with_every_field() {
        let mut r = sample(250, 2, 0.5);
        r.sweep = Some(SweepTag {
            label: "a,b".into(),
            repeat: 2,
            mode: Mode::Weak,
        });
        let line = r.json_line();
        assert_eq!(RunRecord::parse(&line, "t").unwrap(), r);
        let value: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["format_version"], 2);
        assert!(value.get("sim_factor").is_none());
        assert_eq!(value["time_update"], 0.125, "NEST's names at the top");
        assert_eq!(value["rank_timers"]["time_update"], json!([0.125]));
        // The CSV: one cell per column, the label quoted.
        assert!(r.csv_line().contains("\"a,b\""));
        assert_eq!(
            r.csv_line().split(',').count(),
            RunRecord::csv_header().split(',').count() + 1
        );
        // A writer that forgets a field, even an optional one, is refused.
        for key in ["spike_digest", "time_mpi_synchronization", "ranks"] {
            let mut v = value.clone();
            v.as_object_mut().unwrap().remove(key);
            let err = RunRecord::parse(&v.to_string(), "t")
                .unwrap_err()
                .to_string();
            assert!(err.contains(&format!("lacks {key}")), "{err}");
        }
        let mut v = value.clone();
        v["cpu"].as_object_mut().unwrap().remove("l3_bytes");
        let err = RunRecord::parse(&v.to_string(), "t")
            .unwrap_err()
            .to_string();
        assert!(err.contains("lacks cpu.l3_bytes"), "{err}");
    }

    #[test]
    fn peer_records_are_read() {
        let r = RunRecord::parse(V2_PEER, "peer").unwrap();
        assert_eq!(r.system, "nest");
        // Written before `model` was: the seed's.
        let top: Value = serde_json::from_str(V2_PEER).unwrap();
        assert!(top.get("model").is_none());
        assert_eq!(r.model, SEED_MODEL);
        assert_eq!((r.ranks, r.threads, r.threads_per_rank), (1, 2, 2));
        assert_eq!(r.rank_peak_rss_bytes, vec![r.peak_rss_bytes]);
        assert!(r.spike_digest.is_none() && r.phases.is_none() && r.slices.is_none());
        assert!((r.real_time_factor - r.time_simulate).abs() < 1e-12);
        assert_eq!(r.derived.unwrap().ne, 1000);
        assert!(!r.csv_line().is_empty());
    }

    #[test]
    fn the_model_keeps_variants_apart() {
        let alpha = sample(250, 2, 0.5);
        let delta = RunRecord {
            model: "iaf_psc_delta".into(),
            ..alpha.clone()
        };
        let line = delta.json_line();
        assert!(line.contains(r#""model":"iaf_psc_delta""#), "{line}");
        assert_eq!(RunRecord::parse(&line, "t").unwrap(), delta);
        assert_ne!(alpha.key(), delta.key());
        assert_eq!(
            delta.key().to_string(),
            "spindle iaf_psc_delta order=250 seed threads=2 1000.0ms"
        );
        assert_eq!(
            alpha.key().to_string(),
            "spindle order=250 seed threads=2 1000.0ms"
        );
        assert!(delta.csv_line().starts_with("spindle,iaf_psc_delta,"));
        assert!(RunRecord::csv_header().starts_with("system,model,"));
        // A version 2 line without the field reads as the seed's model.
        let mut v: Value = serde_json::from_str(&line).unwrap();
        v.as_object_mut().unwrap().remove("model");
        assert_eq!(
            RunRecord::parse(&v.to_string(), "t").unwrap().model,
            SEED_MODEL
        );
        let err = RunRecord::parse(
            &line.replace(r#""model":"iaf_psc_delta""#, r#""model":3"#),
            "t",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("'model'"), "{err}");
    }

    #[test]
    fn microcircuit_records_key_by_scale_and_old_ones_read_as_brunel() {
        let brunel = sample(250, 2, 0.5);
        let mc = RunRecord {
            network: MICROCIRCUIT.into(),
            scale: Some(0.1),
            microcircuit: Some(MicrocircuitRecord {
                drive: "poisson".into(),
                presim: 500.0,
                recurrent_synapses: 8,
                populations: vec![PopulationRecord {
                    name: "L23E".into(),
                    neurons: 2068,
                    spikes: 2000,
                    rate: 0.967,
                    rate_std: None,
                }],
            }),
            model: "iaf_psc_exp".into(),
            order: 0,
            scaling: String::new(),
            ..brunel.clone()
        };
        let line = mc.json_line();
        assert_eq!(RunRecord::parse(&line, "t").unwrap(), mc);
        let key = mc.key();
        assert_eq!(
            key.to_string(),
            "spindle microcircuit scale=0.1 poisson threads=2 500.0+1000.0ms"
        );
        assert!(key.is_microcircuit() && !brunel.key().is_microcircuit());
        assert_eq!((key.size(), key.model_seconds()), (0.1, 1.5));
        assert_eq!(key.size_label(), "scale 0.1");
        assert_eq!(brunel.key().size_label(), "order 250");
        let bigger = RunRecord {
            scale: Some(0.2),
            ..mc.clone()
        };
        assert_ne!(bigger.key(), key);
        assert!(mc.csv_line().ends_with(",microcircuit,0.1,poisson,500.0"));
        assert!(brunel.csv_line().ends_with(",brunel,,,"));
        // Records written before the fields: the Brunel network's.
        let mut v: Value = serde_json::from_str(&brunel.json_line()).unwrap();
        for k in ["network", "scale", "microcircuit"] {
            v.as_object_mut().unwrap().remove(k);
        }
        let old = RunRecord::parse(&v.to_string(), "old").unwrap();
        assert_eq!(old, brunel);
        assert_eq!(old.network, SEED_NETWORK);
        for i in 0..4 {
            assert_eq!(v1(i).network, SEED_NETWORK);
            assert!(v1(i).scale.is_none() && v1(i).microcircuit.is_none());
        }
        assert_eq!(
            RunRecord::parse(V2_PEER, "peer").unwrap().network,
            SEED_NETWORK
        );
    }

    #[test]
    fn bad_records_are_refused() {
        let line = sample(250, 2, 0.5).json_line();
        let cases = [
            ("{\"format_version\":2".to_string(), "not a JSON"),
            ("[1]".to_string(), "not a JSON object"),
            (
                line.replace("\"format_version\":2", "\"format_version\":3"),
                "incompatible",
            ),
            (
                line.replace("\"format_version\":2", "\"format_version\":\"2\""),
                "incompatible",
            ),
            (
                line.replace("\"format_version\":2", "\"record_version\":0"),
                "incompatible",
            ),
            (
                line.replace("\"format_version\":2", "\"version\":2"),
                "no format_version",
            ),
            (
                line.replace("\"order\":250", "\"order\":\"x\""),
                "'order': invalid type",
            ),
            (
                line.replace("\"sim_time\":0.5", "\"sim_time\":-1.0"),
                "sim_time",
            ),
            (
                "{\"record_version\":1}".to_string(),
                "version 1 record: missing field",
            ),
            (
                line.replace("\"cpu\":{\"family\":\"\"", "\"cpu\":{\"family\":7"),
                "'cpu': invalid type",
            ),
        ];
        for (text, needle) in cases {
            let err = RunRecord::parse(&text, "t").unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn truncated_sets_name_the_line() {
        let good = sample(250, 2, 0.5).json_line();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("raw.jsonl");
        std::fs::write(&p, format!("{good}\n{}\n{good}", &good[..20])).unwrap();
        let set = read_set(dir.path()).unwrap();
        assert_eq!(set.records.len(), 2, "the good rows are kept");
        assert_eq!(set.skipped.len(), 1);
        assert!(
            set.skipped[0].contains("raw.jsonl line 2"),
            "{:?}",
            set.skipped
        );
        std::fs::write(&p, &good[..20]).unwrap();
        let err = read_set(dir.path()).unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
        assert!(read_set(&dir.path().join("missing")).is_err());
        // Both versions in one set.
        std::fs::write(&p, format!("{good}\n{V1_LINES}")).unwrap();
        assert_eq!(read_set(dir.path()).unwrap().records.len(), 5);
    }

    proptest::proptest! {
        /// Cut a good set anywhere and flip any byte: the reader keeps
        /// every line that is still a whole record, names each bad line,
        /// and never panics.
        #[test]
        fn damaged_sets_keep_their_good_rows(
            cut in 0usize..6000,
            flip in proptest::option::of((0usize..6000, proptest::num::u8::ANY)),
        ) {
            let good = sample(250, 2, 0.5).json_line();
            let mut bytes = format!("{good}\n{good}\n{good}\n").into_bytes();
            if let Some((at, byte)) = flip {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
            bytes.truncate(cut.min(bytes.len()));
            let lines = String::from_utf8_lossy(&bytes).lines().filter(|l| !l.trim().is_empty()).count();
            let whole = String::from_utf8_lossy(&bytes)
                .lines()
                .filter(|l| *l == good)
                .count();
            match parse_set(&bytes, "set.jsonl") {
                Ok(set) => {
                    proptest::prop_assert!(set.records.len() >= whole);
                    proptest::prop_assert_eq!(set.records.len() + set.skipped.len(), lines);
                    for why in &set.skipped {
                        proptest::prop_assert!(why.starts_with("set.jsonl line "), "{}", why);
                    }
                }
                Err(e) => {
                    proptest::prop_assert_eq!(whole, 0);
                    proptest::prop_assert!(e.to_string().contains("set.jsonl"));
                }
            }
        }
    }
}
