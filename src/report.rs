//! The printed summary and the JSON record of a run.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use serde_json::{Value, json};
use spindle::brunel::Brunel;
use spindle::engine::{PhaseTimers, RunStats, Simulation};

use crate::cli::RunConfig;

/// Every figure of one run.
pub struct Report {
    json: Value,
    summary: String,
}

impl Report {
    pub fn new(
        cfg: &RunConfig,
        b: &Brunel,
        sim: &Simulation,
        build_time: Duration,
        sim_time: Duration,
        peak_rss: Option<u64>,
    ) -> Result<Self> {
        let d = &b.derived;
        let simtime = cfg.simtime;
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
                events as f64 / simtime * 1000.0 / n_rec as f64
            }
        };
        let (rate_ex, rate_in) = (rate(events_ex), rate(events_in));
        let all_rate = |nodes: &spindle::network::NodeCollection| {
            let spikes: u64 = nodes
                .iter()
                .map(|id| sim.spike_count(id).unwrap_or(0) as u64)
                .sum();
            spikes as f64 / (nodes.len() as f64 * simtime / 1000.0)
        };
        let (rate_ex_all, rate_in_all) = (all_rate(&b.nodes_ex), all_rate(&b.nodes_in));
        let stats = sim.stats();
        let n_neurons = d.ne + d.ni;
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
        let t = &stats.timers;
        let json = json!({
            "spindle_version": env!("CARGO_PKG_VERSION"),
            "order": cfg.params.order,
            "threads": cfg.threads,
            "pin": cfg.pin,
            "seed": cfg.params.seed,
            "dt": cfg.params.dt,
            "simtime": simtime,
            "min_delay_steps": sim.min_delay(),
            "num_neurons": n_neurons,
            "num_synapses": num_ex + num_in,
            "num_synapses_ex": num_ex,
            "num_synapses_in": num_in,
            "n_rec": n_rec,
            "events_ex": events_ex,
            "events_in": events_in,
            "rate_ex": rate_ex,
            "rate_in": rate_in,
            "rate_ex_all": rate_ex_all,
            "rate_in_all": rate_in_all,
            "spikes_total": stats.spikes,
            "spike_digest": stats.digest,
            "build_time": secs(build_time),
            "sim_time": secs(sim_time),
            "real_time_factor": secs(sim_time) * 1000.0 / simtime,
            "time_construction_connect": secs(stats.time_construction_connect),
            "time_simulate": secs(stats.time_simulate),
            "time_update": secs(t.time_update),
            "time_deliver_spike_data": secs(t.time_deliver_spike_data),
            "time_gather_spike_data": secs(t.time_gather_spike_data),
            "time_omp_synchronization_simulation": secs(t.time_omp_synchronization_simulation),
            "synaptic_events": stats.synaptic_events,
            "poisson_draws": stats.poisson_draws,
            "synapses_stored": stats.synapses_stored,
            "synapse_bytes": stats.synapse_bytes,
            "neuron_bytes": stats.neuron_bytes,
            "bytes_per_synapse": stats.synapse_bytes as f64 / stats.synapses_stored.max(1) as f64,
            "peak_rss_bytes": peak_rss,
            "derived": {
                "NE": d.ne, "NI": d.ni, "CE": d.ce, "CI": d.ci,
                "J_ex": d.j_ex, "J_in": d.j_in, "p_rate": d.p_rate,
            },
        });
        Ok(Self { json, summary })
    }

    /// The seed's summary block.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// Phase timers per shard (wall seconds), with the share of
    /// `time_simulate` each phase takes on the slowest shard.
    pub fn timer_table(&self, stats: &RunStats) -> String {
        let total = stats.time_simulate.as_secs_f64().max(f64::MIN_POSITIVE);
        let per_shard = |get: fn(&PhaseTimers) -> Duration| -> Vec<f64> {
            stats
                .shard_timers
                .iter()
                .map(|t| get(t).as_secs_f64())
                .collect()
        };
        let phases = [
            ("time_update", per_shard(|t| t.time_update)),
            (
                "time_deliver_spike_data",
                per_shard(|t| t.time_deliver_spike_data),
            ),
            (
                "time_gather_spike_data",
                per_shard(|t| t.time_gather_spike_data),
            ),
            (
                "time_omp_synchronization_simulation",
                per_shard(|t| t.time_omp_synchronization_simulation),
            ),
        ];
        let mut out = format!(
            "{:<38}{:>10}{:>10}{:>8}\n",
            "phase (wall s)", "mean", "max", "max %"
        );
        for (name, per) in phases {
            let mean = per.iter().sum::<f64>() / per.len().max(1) as f64;
            let max = per.iter().cloned().fold(0.0, f64::max);
            out += &format!(
                "{name:<38}{mean:>10.3}{max:>10.3}{:>7.1}%\n",
                100.0 * max / total
            );
        }
        out += &format!("{:<38}{total:>10.3}\n", "time_simulate");
        out
    }

    /// The JSON record.
    pub fn json(&self) -> &Value {
        &self.json
    }
}

/// Peak resident set size of this process (VmHWM), if the OS tells.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Write a file completely or not at all (write beside it, then rename).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}
