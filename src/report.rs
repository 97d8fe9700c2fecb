//! The printed summary and the JSON record of a run.

use std::time::Duration;

use anyhow::Result;
use spindle::brunel::Brunel;
use spindle::engine::{
    PhaseTime, PhaseTimers, Ranks, RunStats, Simulation, SliceHistogram, SliceHistograms,
};
use spindle::microcircuit::{Microcircuit, NUM_POPS, POPULATIONS};
use spindle_bench::machine;
use spindle_bench::record::{
    Derived, FORMAT_VERSION, MICROCIRCUIT, MicrocircuitRecord, PhaseDetail, Phases,
    PopulationRecord, Quantiles, RunRecord, SliceTimes,
};

use spindle::args::{MicrocircuitRun, RunConfig};
use spindle::brette2007::{Brette2007, Brette2007Params};
use spindle::hpc_benchmark::{HpcBenchmark, HpcBenchmarkParams, STDP_MODEL};
use spindle_bench::record::{BRETTE2007, HPC_BENCHMARK};

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
    /// Both simulate calls of the microcircuit.
    pub simulate: Span,
    /// The microcircuit's presimulation (part of `simulate`).
    pub presimulate: Option<Span>,
    /// Whether Ctrl-C stopped the simulation before --simtime.
    pub interrupted: bool,
}

/// Every figure of one run.
pub struct Report {
    record: RunRecord,
    summary: String,
    timer_table: String,
}

/// What the microcircuit's run counted at the end of its presimulation,
/// to take from the final counts: the rates are over the simulation
/// after it, as the example's are.
pub struct Presimulated {
    /// Spikes of each population so far.
    pub totals: Vec<u64>,
    /// Spikes of each neuron so far, by population (none under MPI, where
    /// a rank sees its own neurons only).
    pub per_neuron: Option<Vec<Vec<u32>>>,
}

impl Presimulated {
    /// Count the spikes of `m`'s populations so far.
    pub fn count(m: &Microcircuit, sim: &Simulation) -> Self {
        let totals = m.populations.iter().map(|p| sim.spike_total(p)).collect();
        let per_neuron = sim.ranks().is_none().then(|| {
            m.populations
                .iter()
                .map(|p| {
                    p.iter()
                        .map(|id| sim.spike_count(id).unwrap_or(0))
                        .collect()
                })
                .collect()
        });
        Self { totals, per_neuron }
    }
}

impl Report {
    /// The Brunel network's report.
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
        let stats = sim.stats();
        let record = RunRecord {
            model: cfg.params.model.name().into(),
            order: cfg.params.order as u64,
            scaling: cfg.params.scaling.name().into(),
            seed: cfg.params.seed,
            simtime: cfg.simtime,
            simtime_reached: simtime,
            dt: cfg.params.dt,
            num_neurons: n_neurons as u64,
            num_synapses: num_ex + num_in,
            num_synapses_ex: num_ex,
            num_synapses_in: num_in,
            n_rec: Some(n_rec as u64),
            derived: Some(Derived {
                ne: d.ne as u64,
                ni: d.ni as u64,
                ce: d.ce as u64,
                ci: d.ci as u64,
                j_ex: d.j_ex,
                j_in: d.j_in,
                p_rate: d.p_rate,
            }),
            events_ex: Some(events_ex),
            events_in: Some(events_in),
            rate_ex,
            rate_in,
            rate_ex_all: all_rate(&b.nodes_ex),
            rate_in_all: all_rate(&b.nodes_in),
            ..engine_record(cfg, sim, &stats, m, simtime)
        };
        Ok(Self {
            record,
            summary,
            timer_table: timer_table(&stats),
        })
    }

    /// The microcircuit's report: rates over the simulation after the
    /// presimulation (`pre`), per population, as the example evaluates
    /// them.
    pub fn microcircuit(
        cfg: &RunConfig,
        run: &MicrocircuitRun,
        mc: &Microcircuit,
        sim: &Simulation,
        m: &Measured,
        pre: &Presimulated,
    ) -> Result<Self> {
        let d = &mc.derived;
        // The model time after the presimulation (less than --simtime after
        // an interrupt).
        let window = (sim.time() - run.presim).max(0.0);
        let rate_of = |spikes: f64, n: usize| {
            if window > 0.0 && n > 0 {
                spikes * 1000.0 / window / n as f64
            } else {
                0.0
            }
        };
        let mut populations = Vec::with_capacity(NUM_POPS);
        for (i, pop) in mc.populations.iter().enumerate() {
            let spikes = sim.spike_total(pop) - pre.totals[i];
            let rate_std = pre.per_neuron.as_ref().map(|before| {
                let rates: Vec<f64> = pop
                    .iter()
                    .zip(&before[i])
                    .map(|(id, &b)| rate_of((sim.spike_count(id).unwrap_or(0) - b) as f64, 1))
                    .collect();
                let mean = rates.iter().sum::<f64>() / rates.len() as f64;
                (rates.iter().map(|r| (r - mean) * (r - mean)).sum::<f64>() / rates.len() as f64)
                    .sqrt()
            });
            populations.push(PopulationRecord {
                name: POPULATIONS[i].into(),
                neurons: pop.len() as u64,
                spikes,
                rate: rate_of(spikes as f64, pop.len()),
                rate_std,
            });
        }
        // Excitatory populations are the even ones.
        let sum = |parity: usize, f: &dyn Fn(&PopulationRecord) -> u64| -> u64 {
            populations.iter().skip(parity).step_by(2).map(f).sum()
        };
        let (events_ex, events_in) = (sum(0, &|p| p.spikes), sum(1, &|p| p.spikes));
        let (n_ex, n_in) = (sum(0, &|p| p.neurons), sum(1, &|p| p.neurons));
        let rate_ex = rate_of(events_ex as f64, n_ex as usize);
        let rate_in = rate_of(events_in as f64, n_in as usize);
        let from = |parity: usize| -> u64 {
            d.num_synapses
                .iter()
                .map(|row| row.iter().skip(parity).step_by(2).sum::<u64>())
                .sum()
        };
        let recurrent = d.total_synapses();
        let connections = sim.num_connections("static_synapse")?;
        let presim = m.presimulate.unwrap_or_default();
        let build_time = m.create.wall + m.connect.wall;
        let mut summary = format!(
            "Microcircuit simulation (Spindle): Potjans & Diesmann (2014), scale {}, {} drive\n\
             Number of neurons : {}\n\
             Number of synapses: {recurrent} (and {} to and from devices)\n\
             Rates over ({}, {}] ms:\n\
             \x20 population neurons  mean (spikes/s)  std (spikes/s)\n",
            run.scale,
            run.params.bg_input_type,
            d.total_neurons(),
            connections - recurrent,
            run.presim,
            run.presim + window,
        );
        for p in &populations {
            let std = p.rate_std.map_or("-".into(), |s| format!("{s:.3}"));
            summary += &format!(
                "  {:<10} {:>7}  {:>15.3}  {std:>14}\n",
                p.name, p.neurons, p.rate
            );
        }
        summary += &format!(
            "Building time     : {:.2} s\n\
             Presimulation time: {:.2} s\n\
             Simulation time   : {:.2} s\n",
            build_time.as_secs_f64(),
            presim.wall.as_secs_f64(),
            m.simulate.wall.saturating_sub(presim.wall).as_secs_f64(),
        );
        let stats = sim.stats();
        let record = RunRecord {
            network: MICROCIRCUIT.into(),
            scale: Some(run.scale),
            microcircuit: Some(MicrocircuitRecord {
                drive: run.params.bg_input_type.name().into(),
                presim: run.presim,
                recurrent_synapses: recurrent,
                populations,
            }),
            model: mc.net.populations()[0].1.model().name().into(),
            order: 0,
            scaling: String::new(),
            seed: run.params.rng_seed,
            simtime: cfg.simtime,
            simtime_reached: window,
            dt: run.params.sim_resolution,
            num_neurons: d.total_neurons(),
            num_synapses: connections,
            num_synapses_ex: from(0),
            num_synapses_in: from(1),
            n_rec: None,
            derived: None,
            events_ex: Some(events_ex),
            events_in: Some(events_in),
            rate_ex,
            rate_in,
            rate_ex_all: rate_ex,
            rate_in_all: rate_in,
            ..engine_record(cfg, sim, &stats, m, run.presim + window)
        };
        Ok(Self {
            record,
            summary,
            timer_table: timer_table(&stats),
        })
    }

    /// hpc_benchmark.py's report: the script's average rate (its
    /// recorder's events, the presimulation's included, per recorded
    /// neuron per second of --simtime: `compute_rate`), and each
    /// population's rate after the presimulation. `before` holds the
    /// populations' spikes at the end of the presimulation.
    pub fn hpc_benchmark(
        cfg: &RunConfig,
        p: &HpcBenchmarkParams,
        b: &HpcBenchmark,
        sim: &Simulation,
        m: &Measured,
        before: &[u64],
    ) -> Result<Self> {
        let d = &b.derived;
        let window = (sim.time() - p.presimtime).max(0.0);
        let rate_of = |spikes: u64, n: usize| {
            if window > 0.0 && n > 0 {
                spikes as f64 * 1000.0 / window / n as f64
            } else {
                0.0
            }
        };
        let pops = [("E", &b.e_neurons), ("I", &b.i_neurons)];
        let populations: Vec<PopulationRecord> = pops
            .iter()
            .zip(before)
            .map(|((name, nodes), &pre)| {
                let spikes = sim.spike_total(nodes) - pre;
                PopulationRecord {
                    name: (*name).into(),
                    neurons: nodes.len() as u64,
                    spikes,
                    rate: rate_of(spikes, nodes.len()),
                    rate_std: None,
                }
            })
            .collect();
        let recorded = match &b.recorder {
            Some(r) => sim.n_events(r.first())?,
            None => 0,
        };
        // compute_rate: over Nrec (not the Nrec scaled with the processes)
        // and --simtime alone.
        let average_rate = if p.nrec > 0 && cfg.simtime > 0.0 {
            recorded as f64 / (p.nrec as f64 * cfg.simtime) * 1e3
        } else {
            0.0
        };
        let plastic = sim.num_connections(STDP_MODEL)?;
        let num_ex = plastic + sim.num_connections("syn_ex")?;
        let num_in = sim.num_connections("syn_in")?;
        let connections = num_ex + num_in + sim.num_connections("static_synapse_hpc")?;
        let recurrent = d.recurrent_synapses();
        let presim = m.presimulate.unwrap_or_default();
        let build_time = m.create.wall + m.connect.wall;
        let peak = machine::peak_rss_bytes().unwrap_or(0);
        let summary = format!(
            "HPC benchmark (Spindle): NEST's hpc_benchmark.py, scale {}\n\
             Number of neurons : {}\n\
             Number of synapses: {recurrent} ({} plastic; and {} to and from devices)\n\
             Average rate      : {average_rate:.3} spikes/s ({} recorded neurons)\n\
             Rates over ({}, {}] ms: E {:.3}, I {:.3} spikes/s\n\
             Building time     : {:.2} s\n\
             Presimulation time: {:.2} s\n\
             Simulation time   : {:.2} s\n\
             Peak RSS          : {:.0} MiB\n",
            p.scale,
            d.neurons(),
            d.plastic_synapses(),
            connections - recurrent,
            p.nrec,
            p.presimtime,
            p.presimtime + window,
            populations[0].rate,
            populations[1].rate,
            build_time.as_secs_f64(),
            presim.wall.as_secs_f64(),
            m.simulate.wall.saturating_sub(presim.wall).as_secs_f64(),
            peak as f64 / (1u64 << 20) as f64,
        );
        let stats = sim.stats();
        let record = RunRecord {
            network: HPC_BENCHMARK.into(),
            scale: Some(p.scale),
            microcircuit: Some(MicrocircuitRecord {
                drive: String::new(),
                presim: p.presimtime,
                recurrent_synapses: recurrent,
                populations: populations.clone(),
            }),
            model: "iaf_psc_alpha".into(),
            order: 0,
            scaling: String::new(),
            seed: p.rng_seed,
            simtime: cfg.simtime,
            simtime_reached: window,
            dt: p.dt,
            num_neurons: d.neurons() as u64,
            num_synapses: connections,
            num_synapses_ex: num_ex,
            num_synapses_in: num_in,
            n_rec: Some(p.nrec as u64),
            derived: Some(Derived {
                ne: d.ne as u64,
                ni: d.ni as u64,
                ce: d.ce as u64,
                ci: d.ci as u64,
                j_ex: d.je_pa,
                j_in: p.g * d.je_pa,
                p_rate: d.stimulus_rate,
            }),
            events_ex: Some(recorded),
            events_in: Some(populations[1].spikes),
            rate_ex: average_rate,
            rate_in: populations[1].rate,
            rate_ex_all: populations[0].rate,
            rate_in_all: populations[1].rate,
            ..engine_record(cfg, sim, &stats, m, p.presimtime + window)
        };
        Ok(Self {
            record,
            summary,
            timer_table: timer_table(&stats),
        })
    }

    /// A Brette et al. (2007) benchmark's report: the script's summary
    /// (`compute_rate` over its recorders).
    pub fn brette2007(
        cfg: &RunConfig,
        p: &Brette2007Params,
        b: &Brette2007,
        sim: &Simulation,
        m: &Measured,
    ) -> Result<Self> {
        let simtime = if m.interrupted {
            sim.time()
        } else {
            cfg.simtime
        };
        let rate = |events: u64| {
            if p.nrec > 0 && simtime > 0.0 {
                events as f64 / (p.nrec as f64 * simtime) * 1000.0
            } else {
                0.0
            }
        };
        let events_ex = sim.n_events(b.e_recorder.first())?;
        let events_in = sim.n_events(b.i_recorder.first())?;
        let all_rate = |nodes: &spindle::network::NodeCollection| {
            if simtime > 0.0 {
                sim.spike_total(nodes) as f64 * 1000.0 / simtime / nodes.len() as f64
            } else {
                0.0
            }
        };
        let n = p.ne + p.ni;
        let (ce, ci) = (p.ce(), p.ci());
        let connections = sim.num_connections("syn_ex")?
            + sim.num_connections("syn_in")?
            + sim.num_connections("static_synapse")?;
        let build_time = m.create.wall + m.connect.wall;
        let bar = "=".repeat(60);
        let summary = format!(
            "\n{bar}\nSimulation summary\n{bar}\n\
             Number of Neurons : {n}\n\
             Number of Synapses: {}\n\
             Excitatory rate   : {:.2} spikes/s\n\
             Inhibitory rate   : {:.2} spikes/s\n\
             Building time     : {:.2} s\n\
             Simulation time   : {:.2} s\n\
             {bar}\n\n",
            p.nsyn(),
            rate(events_ex),
            rate(events_in),
            build_time.as_secs_f64(),
            m.simulate.wall.as_secs_f64(),
        );
        let stats = sim.stats();
        let record = RunRecord {
            network: BRETTE2007.into(),
            model: p.benchmark.name().into(),
            order: 0,
            scaling: String::new(),
            seed: p.rng_seed,
            simtime: cfg.simtime,
            simtime_reached: simtime,
            dt: p.dt,
            num_neurons: n as u64,
            num_synapses: connections,
            num_synapses_ex: (n * ce) as u64,
            num_synapses_in: (n * ci) as u64,
            n_rec: Some(p.nrec as u64),
            derived: Some(Derived {
                ne: p.ne as u64,
                ni: p.ni as u64,
                ce: ce as u64,
                ci: ci as u64,
                j_ex: p.e_weight,
                j_in: p.i_weight,
                p_rate: p.stimulus.rate,
            }),
            events_ex: Some(events_ex),
            events_in: Some(events_in),
            rate_ex: rate(events_ex),
            rate_in: rate(events_in),
            rate_ex_all: all_rate(&b.e_neurons),
            rate_in_all: all_rate(&b.i_neurons),
            ..engine_record(cfg, sim, &stats, m, simtime)
        };
        Ok(Self {
            record,
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

    /// The run's record.
    pub fn record(&self) -> &RunRecord {
        &self.record
    }

    /// Under MPI (a collective call): the run's shape, each rank's phase
    /// timers (wall seconds summed over its threads) and peak RSS, and the
    /// imbalance between ranks (slowest / mean).
    pub fn add_ranks(&mut self, ranks: &dyn Ranks, stats: &RunStats) {
        let wall = phases(|_, get| get(&stats.timers).wall.as_nanos() as u64);
        let mut mine = wall.into_array().to_vec();
        mine.push(machine::peak_rss_bytes().unwrap_or(0));
        let all = spindle::engine::ranks::gather(ranks, &mine);
        let per_rank: [Vec<f64>; 6] =
            std::array::from_fn(|i| all.iter().map(|r| r[i] as f64 * 1e-9).collect());
        let imbalance = per_rank.each_ref().map(|secs| {
            let mean = secs.iter().sum::<f64>() / secs.len().max(1) as f64;
            let max = secs.iter().cloned().fold(0.0, f64::max);
            if mean > 0.0 { max / mean } else { 1.0 }
        });
        let rec = &mut self.record;
        rec.ranks = ranks.size() as u64;
        rec.rank_timers = Some(Phases::from_array(per_rank));
        rec.imbalance_ranks = Some(Phases::from_array(imbalance));
        rec.rank_peak_rss_bytes = all.iter().map(|r| r[6]).collect();
        rec.peak_rss_bytes = rec.rank_peak_rss_bytes.iter().copied().max().unwrap_or(0);
    }
}

/// The record's fields that do not depend on the network: the machine,
/// the run's shape, the engine's figures; `model_ms` is the model time
/// simulated. The network's own fields are left at their defaults.
fn engine_record(
    cfg: &RunConfig,
    sim: &Simulation,
    stats: &RunStats,
    m: &Measured,
    model_ms: f64,
) -> RunRecord {
    let secs = |d: Duration| d.as_secs_f64();
    let model_s = (model_ms / 1000.0).max(1e-12);
    let shards = stats.shard_timers.len().max(1) as f64;
    // Wall seconds of each thread in one phase.
    let per_thread = |get: Phase| -> Vec<f64> {
        stats
            .shard_timers
            .iter()
            .map(|t| secs(get(t).wall))
            .collect()
    };
    let max_of = |v: &[f64]| v.iter().cloned().fold(0.0, f64::max);
    // Mean over threads; the MPI phases run on each rank's first thread
    // only: that thread's time, not a mean over threads that skip them.
    let mean = |name: &str, get: Phase| {
        if name.starts_with("time_mpi") || name.starts_with("time_communicate") {
            max_of(&per_thread(get))
        } else {
            secs(get(&stats.timers).wall) / shards
        }
    };
    let imbalance = |max: f64, mean: f64| if mean > 0.0 { max / mean } else { 1.0 };
    // Per-slice percentiles, over all shards' slices.
    let merged = |get: fn(&SliceHistograms) -> &SliceHistogram| {
        let mut h = SliceHistogram::default();
        for s in &stats.shard_histograms {
            h.add(get(s));
        }
        let p = h.percentiles();
        Quantiles {
            p50: p.p50,
            p90: p.p90,
            p99: p.p99,
            max: p.max,
        }
    };
    let events = stats.synaptic_events.max(1) as f64;
    let peak_rss = machine::peak_rss_bytes().unwrap_or(0);
    let threads = cfg.threads as u64;
    RunRecord {
        format_version: FORMAT_VERSION,
        system: "spindle".into(),
        system_version: env!("CARGO_PKG_VERSION").into(),
        git_commit: Some(env!("SPINDLE_GIT_COMMIT").into()),
        rustc_version: Some(env!("SPINDLE_RUSTC_VERSION").into()),
        isa: Some(spindle::engine::Isa::detect().name().into()),
        host: machine::hostname(),
        cpu_model: machine::cpu_model(),
        cpu: machine::cpu_detail(),
        cores: machine::cores() as u64,
        sweep: None,
        network: cfg.network().name().into(),
        interrupted: m.interrupted,
        pin: cfg.pin,
        // One process; `add_ranks` replaces the rank fields under MPI.
        ranks: 1,
        threads,
        threads_per_rank: threads,
        min_delay_steps: Some(sim.min_delay()),
        spikes_total: stats.spikes,
        spike_digest: Some(stats.digest.clone()),
        build_time: secs(m.create.wall + m.connect.wall),
        sim_time: secs(m.simulate.wall),
        compile_time: None,
        time_construction_create: Some(secs(m.create.wall)),
        time_construction_create_cpu: Some(secs(m.create.cpu)),
        time_construction_connect: Some(secs(m.connect.wall)),
        time_construction_connect_cpu: Some(secs(m.connect.cpu)),
        time_simulate: secs(stats.time_simulate),
        time_simulate_cpu: Some(secs(m.simulate.cpu)),
        real_time_factor: secs(stats.time_simulate) / model_s,
        timers: phases(|name, get| Some(mean(name, get))),
        phases: Some(phases(|name, get| {
            let max = max_of(&per_thread(get));
            PhaseDetail {
                max,
                cpu: secs(get(&stats.timers).cpu),
                imbalance: imbalance(max, mean(name, get)),
            }
        })),
        rank_timers: Some(phases(|_, get| vec![secs(get(&stats.timers).wall)])),
        imbalance_ranks: Some(Phases::from_fn(|_| 1.0)),
        thread_timers: Some(phases(|_, get| per_thread(get))),
        rank_peak_rss_bytes: vec![peak_rss],
        slices: Some(stats.slices),
        slice_times: Some(SliceTimes {
            update: merged(|h| &h.update),
            deliver: merged(|h| &h.deliver),
            sync: merged(|h| &h.sync),
        }),
        synaptic_events: Some(stats.synaptic_events),
        poisson_draws: Some(stats.poisson_draws),
        synapses_stored: Some(stats.synapses_stored),
        synaptic_events_per_second: Some(events / secs(stats.time_simulate).max(1e-12)),
        ns_per_synaptic_event_per_core: Some(
            secs(stats.time_simulate) * cfg.threads as f64 * 1e9 / events,
        ),
        ns_per_synaptic_event_delivered: Some(
            secs(stats.timers.time_deliver_spike_data.cpu) * 1e9 / events,
        ),
        peak_rss_bytes: peak_rss,
        synapse_bytes: Some(stats.synapse_bytes),
        neuron_bytes: Some(stats.neuron_bytes),
        bytes_per_synapse: Some(stats.synapse_bytes as f64 / stats.synapses_stored.max(1) as f64),
        bytes_per_neuron: Some(stats.neuron_bytes as f64 / stats.neurons.max(1) as f64),
        ..Default::default()
    }
}

/// One phase of the engine's timers.
type Phase = fn(&PhaseTimers) -> PhaseTime;

/// A record's [`Phases`] from each phase's NEST name and timer.
fn phases<T>(mut f: impl FnMut(&'static str, Phase) -> T) -> Phases<T> {
    Phases {
        time_update: f("time_update", |t| t.time_update),
        time_deliver_spike_data: f("time_deliver_spike_data", |t| t.time_deliver_spike_data),
        time_gather_spike_data: f("time_gather_spike_data", |t| t.time_gather_spike_data),
        time_omp_synchronization_simulation: f("time_omp_synchronization_simulation", |t| {
            t.time_omp_synchronization_simulation
        }),
        time_communicate_spike_data: f("time_communicate_spike_data", |t| {
            t.time_communicate_spike_data
        }),
        time_mpi_synchronization: f("time_mpi_synchronization", |t| t.time_mpi_synchronization),
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
    // Each thread's share of the loop: the slow thread's phases show what
    // the others wait for.
    out += &format!(
        "{:<38}{:>9}{:>9}{:>9}{:>9}\n",
        "per thread (wall s)", "update", "deliver", "gather", "sync"
    );
    for (i, t) in stats.shard_timers.iter().enumerate() {
        let s = |p: PhaseTime| p.wall.as_secs_f64();
        out += &format!(
            "{:<38}{:>9.3}{:>9.3}{:>9.3}{:>9.3}\n",
            format!("thread {i}"),
            s(t.time_update),
            s(t.time_deliver_spike_data),
            s(t.time_gather_spike_data),
            s(t.time_omp_synchronization_simulation)
        );
    }
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
