//! The printed summary and the JSON record of a run.

use std::time::Duration;

use anyhow::Result;
use serde_json::{Map, Value, json};
use spindle::brunel::Brunel;
use spindle::engine::{PhaseTimers, Ranks, RunStats, Simulation, SliceHistogram};
use spindle_bench::machine;
use spindle_bench::record::RECORD_VERSION;

use spindle::args::RunConfig;

/// Wall and CPU time of a stretch of the main thread's work (CPU summed
/// over all of the process's threads).
#[derive(Debug, Clone, Copy, Default)]
pub struct Span {
    pub wall: Duration,
    pub cpu: Duration,
}

impl Span {
    /// Time `f`.
    pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Span) {
        let (wall, cpu) = (std::time::Instant::now(), cpu_time::ProcessTime::now());
        let out = f();
        (
            out,
            Span {
                wall: wall.elapsed(),
                cpu: cpu.elapsed(),
            },
        )
    }
}

/// What the run measured outside the engine.
pub struct Measured {
    pub create: Span,
    pub connect: Span,
    pub simulate: Span,
    /// Whether Ctrl-C stopped the simulation before --simtime.
    pub interrupted: bool,
}

/// Every figure of one run.
pub struct Report {
    json: Value,
    summary: String,
    timer_table: String,
}

impl Report {
    pub fn new(cfg: &RunConfig, b: &Brunel, sim: &Simulation, m: &Measured) -> Result<Self> {
        let d = &b.derived;
        // Rates are over the model time simulated, which is less than
        // --simtime after an interrupt.
        let simtime = if m.interrupted {
            sim.time()
        } else {
            cfg.simtime
        };
        let per_s = |x: f64| {
            if simtime > 0.0 {
                x * 1000.0 / simtime
            } else {
                0.0
            }
        };
        let n_rec = cfg.params.n_rec;
        let num_ex = sim.num_connections("excitatory")?;
        let num_in = sim.num_connections("inhibitory")?;
        let events_ex = sim.n_events(b.espikes.first())?;
        let events_in = sim.n_events(b.ispikes.first())?;
        // The seed's rates: recorded events / simtime / N_rec, in Hz.
        let rate = |events: u64| {
            if n_rec == 0 {
                0.0
            } else {
                per_s(events as f64) / n_rec as f64
            }
        };
        let (rate_ex, rate_in) = (rate(events_ex), rate(events_in));
        let all_rate = |nodes: &spindle::network::NodeCollection| {
            per_s(sim.spike_total(nodes) as f64) / nodes.len() as f64
        };
        let stats = sim.stats();
        let n_neurons = d.ne + d.ni;
        let build_time = m.create.wall + m.connect.wall;
        let sim_time = m.simulate.wall;
        let summary = format!(
            "Brunel network simulation (Spindle)\n\
             Number of neurons : {n_neurons}\n\
             Number of synapses: {}\n\
             \x20      Excitatory : {num_ex}\n\
             \x20      Inhibitory : {num_in}\n\
             Excitatory rate   : {rate_ex:.2} Hz\n\
             Inhibitory rate   : {rate_in:.2} Hz\n\
             Building time     : {:.2} s\n\
             Simulation time   : {:.2} s\n",
            num_ex + num_in,
            build_time.as_secs_f64(),
            sim_time.as_secs_f64(),
        );

        let secs = |d: Duration| d.as_secs_f64();
        let model_s = (simtime / 1000.0).max(1e-12);
        let mut rec = Map::new();
        let mut put = |k: &str, v: Value| {
            rec.insert(k.to_string(), v);
        };
        // Identity.
        put("record_version", json!(RECORD_VERSION));
        put("system", json!("spindle"));
        put("spindle_version", json!(env!("CARGO_PKG_VERSION")));
        put("git_commit", json!(env!("SPINDLE_GIT_COMMIT")));
        put("rustc_version", json!(env!("SPINDLE_RUSTC_VERSION")));
        put("cpu_model", json!(machine::cpu_model()));
        put("cpu", json!(machine::cpu_detail()));
        put("cores", json!(machine::cores()));
        put("host", json!(machine::hostname()));
        put("threads", json!(cfg.threads));
        put("pin", json!(cfg.pin));
        put("order", json!(cfg.params.order));
        put("scaling", json!(cfg.params.scaling.name()));
        put("seed", json!(cfg.params.seed));
        put("simtime", json!(cfg.simtime));
        put("simtime_reached", json!(simtime));
        put("interrupted", json!(m.interrupted));
        put("dt", json!(cfg.params.dt));
        put("min_delay_steps", json!(sim.min_delay()));
        put("spike_digest", json!(stats.digest));
        // The seed's summary.
        put("num_neurons", json!(n_neurons));
        put("num_synapses", json!(num_ex + num_in));
        put("num_synapses_ex", json!(num_ex));
        put("num_synapses_in", json!(num_in));
        put("n_rec", json!(n_rec));
        put("events_ex", json!(events_ex));
        put("events_in", json!(events_in));
        put("rate_ex", json!(rate_ex));
        put("rate_in", json!(rate_in));
        put("rate_ex_all", json!(all_rate(&b.nodes_ex)));
        put("rate_in_all", json!(all_rate(&b.nodes_in)));
        put("build_time", json!(secs(build_time)));
        put("sim_time", json!(secs(sim_time)));
        // Timers (NEST's names; wall = mean over shards, _max = slowest
        // shard, _cpu = CPU seconds summed over shards).
        put("time_construction_create", json!(secs(m.create.wall)));
        put("time_construction_create_cpu", json!(secs(m.create.cpu)));
        put("time_construction_connect", json!(secs(m.connect.wall)));
        put("time_construction_connect_cpu", json!(secs(m.connect.cpu)));
        put("time_simulate", json!(secs(stats.time_simulate)));
        put("time_simulate_cpu", json!(secs(m.simulate.cpu)));
        let shards = stats.shard_timers.len().max(1) as f64;
        for (i, (name, total)) in stats.timers.phases().into_iter().enumerate() {
            let per: Vec<f64> = stats
                .shard_timers
                .iter()
                .map(|t| secs(t.phases()[i].1.wall))
                .collect();
            let max = per.iter().cloned().fold(0.0, f64::max);
            // The MPI phases run on each rank's first thread only: report
            // that thread's time, not a mean over threads that skip them.
            let mean = if name.starts_with("time_mpi") || name.starts_with("time_communicate") {
                max
            } else {
                secs(total.wall) / shards
            };
            put(name, json!(mean));
            put(&format!("{name}_max"), json!(max));
            put(&format!("{name}_cpu"), json!(secs(total.cpu)));
            put(
                &format!("imbalance_{}", short(name)),
                json!(if mean > 0.0 { max / mean } else { 1.0 }),
            );
        }
        put(
            "real_time_factor",
            json!(secs(stats.time_simulate) / model_s),
        );
        put("sim_factor", json!(secs(stats.time_simulate) / model_s));
        // Per-slice percentiles, over all shards' slices.
        let merged = |get: fn(&spindle::engine::SliceHistograms) -> &SliceHistogram| {
            let mut h = SliceHistogram::default();
            for s in &stats.shard_histograms {
                h.add(get(s));
            }
            h.percentiles()
        };
        for (name, p) in [
            ("update", merged(|h| &h.update)),
            ("deliver", merged(|h| &h.deliver)),
            ("sync", merged(|h| &h.sync)),
        ] {
            put(&format!("slice_{name}_p50"), json!(p.p50));
            put(&format!("slice_{name}_p90"), json!(p.p90));
            put(&format!("slice_{name}_p99"), json!(p.p99));
            put(&format!("slice_{name}_max"), json!(p.max));
        }
        // Counts and throughput.
        put("slices", json!(stats.slices));
        put("spikes_total", json!(stats.spikes));
        put("synaptic_events", json!(stats.synaptic_events));
        put("poisson_draws", json!(stats.poisson_draws));
        put("synapses_stored", json!(stats.synapses_stored));
        let events = stats.synaptic_events.max(1) as f64;
        put(
            "synaptic_events_per_second",
            json!(events / secs(stats.time_simulate).max(1e-12)),
        );
        put(
            "ns_per_synaptic_event_per_core",
            json!(secs(stats.time_simulate) * cfg.threads as f64 * 1e9 / events),
        );
        put(
            "ns_per_synaptic_event_delivered",
            json!(secs(stats.timers.time_deliver_spike_data.cpu) * 1e9 / events),
        );
        // Memory.
        put("peak_rss_bytes", json!(machine::peak_rss_bytes()));
        put("synapse_bytes", json!(stats.synapse_bytes));
        put("neuron_bytes", json!(stats.neuron_bytes));
        put(
            "bytes_per_synapse",
            json!(stats.synapse_bytes as f64 / stats.synapses_stored.max(1) as f64),
        );
        put(
            "bytes_per_neuron",
            json!(stats.neuron_bytes as f64 / stats.neurons.max(1) as f64),
        );
        put(
            "derived",
            json!({
                "NE": d.ne, "NI": d.ni, "CE": d.ce, "CI": d.ci,
                "J_ex": d.j_ex, "J_in": d.j_in, "p_rate": d.p_rate,
            }),
        );
        Ok(Self {
            json: Value::Object(rec),
            summary,
            timer_table: timer_table(&stats),
        })
    }

    /// The seed's summary block.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// The `--timers` table.
    pub fn timer_table(&self) -> &str {
        &self.timer_table
    }

    /// The JSON record.
    pub fn json(&self) -> &Value {
        &self.json
    }

    /// Under MPI (a collective call): the run's shape, each rank's phase
    /// timers (wall seconds summed over its threads) and peak RSS, and the
    /// imbalance between ranks (slowest / mean).
    pub fn add_ranks(&mut self, ranks: &dyn Ranks, threads: usize, stats: &RunStats) {
        let phases = stats.timers.phases();
        let mut mine: Vec<u64> = phases
            .iter()
            .map(|(_, t)| t.wall.as_nanos() as u64)
            .collect();
        mine.push(machine::peak_rss_bytes().unwrap_or(0));
        let all = spindle::engine::ranks::gather(ranks, &mine);
        let Value::Object(rec) = &mut self.json else {
            unreachable!("the record is an object")
        };
        rec.insert("ranks".into(), json!(ranks.size()));
        rec.insert("threads_per_rank".into(), json!(threads));
        let mut per_rank = Map::new();
        for (i, (name, _)) in phases.iter().enumerate() {
            let secs: Vec<f64> = all.iter().map(|r| r[i] as f64 * 1e-9).collect();
            let mean = secs.iter().sum::<f64>() / secs.len() as f64;
            let max = secs.iter().cloned().fold(0.0, f64::max);
            rec.insert(
                format!("imbalance_ranks_{}", short(name)),
                json!(if mean > 0.0 { max / mean } else { 1.0 }),
            );
            per_rank.insert((*name).to_string(), json!(secs));
        }
        let rss: Vec<u64> = all.iter().map(|r| r[phases.len()]).collect();
        rec.insert("rank_peak_rss_bytes".into(), json!(rss));
        rec.insert(
            "peak_rss_bytes".into(),
            json!(rss.iter().copied().max().unwrap_or(0)),
        );
        rec.insert("rank_timers".into(), Value::Object(per_rank));
    }
}

fn short(name: &str) -> &str {
    match name {
        "time_update" => "update",
        "time_deliver_spike_data" => "deliver",
        "time_gather_spike_data" => "gather",
        "time_mpi_synchronization" => "mpi_sync",
        "time_communicate_spike_data" => "communicate",
        _ => "sync",
    }
}

/// Phase timers per shard (mean and slowest, wall s), CPU seconds summed
/// over shards, and the slowest shard's share of `time_simulate`; then the
/// per-slice percentiles.
fn timer_table(stats: &RunStats) -> String {
    let total = stats.time_simulate.as_secs_f64().max(f64::MIN_POSITIVE);
    let shards = stats.shard_timers.len().max(1) as f64;
    let mut out = format!(
        "{:<38}{:>9}{:>9}{:>9}{:>8}\n",
        "phase", "mean s", "max s", "cpu s", "max %"
    );
    for (i, (name, sum)) in stats.timers.phases().into_iter().enumerate() {
        let max = stats
            .shard_timers
            .iter()
            .map(|t: &PhaseTimers| t.phases()[i].1.wall.as_secs_f64())
            .fold(0.0, f64::max);
        out += &format!(
            "{name:<38}{:>9.3}{max:>9.3}{:>9.3}{:>7.1}%\n",
            sum.wall.as_secs_f64() / shards,
            sum.cpu.as_secs_f64(),
            100.0 * max / total
        );
    }
    out += &format!("{:<38}{total:>9.3}\n", "time_simulate");
    out += &format!(
        "{:<38}{:>9}{:>9}{:>9}{:>9}\n",
        "per slice (ms)", "p50", "p90", "p99", "max"
    );
    for (name, get) in [
        (
            "update",
            (|h| &h.update) as fn(&spindle::engine::SliceHistograms) -> &SliceHistogram,
        ),
        ("deliver", |h| &h.deliver),
        ("sync", |h| &h.sync),
    ] {
        let mut h = SliceHistogram::default();
        for s in &stats.shard_histograms {
            h.add(get(s));
        }
        let p = h.percentiles();
        out += &format!(
            "{name:<38}{:>9.3}{:>9.3}{:>9.3}{:>9.3}\n",
            p.p50 * 1e3,
            p.p90 * 1e3,
            p.p99 * 1e3,
            p.max * 1e3
        );
    }
    out
}
