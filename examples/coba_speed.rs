//! The Brette et al. 2007 COBA benchmark (4,000 `iaf_cond_exp` neurons,
//! Vogels & Abbott parameters) through the library API, timed: a quick
//! measure of the adaptive solver's speed without the Python front.
//!
//! Run with `cargo run --release --example coba_speed -- [threads] [seed]
//! [model]` (model `iaf_cond_exp` or `hh_cond_exp_traub`).

use std::time::Instant;

use spindle::core::Resolution;
use spindle::engine::{Config, Simulation};
use spindle::models::devices::{PoissonGeneratorParams, RecordTo, SpikeRecorderParams};
use spindle::models::{HH_COND_EXP_TRAUB, IAF_COND_EXP, NeuronParams};
use spindle::network::{ConnRule, Network, SynSpec};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().map_or(Ok(1), |a| a.parse())?;
    let seed: u64 = args.next().map_or(Ok(4), |a| a.parse())?;
    let hh = args.next().is_some_and(|m| m == "hh_cond_exp_traub");
    let mut net = Network::new(Resolution::new(0.1)?, seed);
    let (params, w_ex, w_in) = if hh {
        let mut p = NeuronParams::defaults(&HH_COND_EXP_TRAUB);
        for (name, value) in [
            ("g_Na", 20000.0),
            ("g_K", 6000.0),
            ("g_L", 10.0),
            ("E_L", -60.0),
            ("C_m", 200.0),
            ("tau_syn_ex", 5.0),
            ("tau_syn_in", 10.0),
        ] {
            p.set(name, value)?;
        }
        (p, 6.0, -67.0)
    } else {
        let mut p = NeuronParams::defaults(&IAF_COND_EXP);
        for (name, value) in [
            ("E_L", -60.0),
            ("V_th", -50.0),
            ("V_reset", -60.0),
            ("t_ref", 5.0),
            ("E_ex", 0.0),
            ("E_in", -80.0),
            ("C_m", 200.0),
            ("g_L", 10.0),
            ("tau_syn_ex", 5.0),
            ("tau_syn_in", 10.0),
        ] {
            p.set(name, value)?;
        }
        (p, 6.0, -67.0)
    };
    let ex = net.create_neurons(3200, params.clone())?;
    let inh = net.create_neurons(800, params)?;
    let pg = net.create_poisson_generator(PoissonGeneratorParams {
        rate: 300.0,
        start: 1.0,
        stop: 51.0,
        origin: 0.0,
    })?;
    let (syn_ex, syn_in) = (
        SynSpec::static_synapse(w_ex, 0.1),
        SynSpec::static_synapse(w_in, 0.1),
    );
    net.connect(&ex, &ex, ConnRule::fixed_indegree(64), &syn_ex)?;
    net.connect(&inh, &ex, ConnRule::fixed_indegree(16), &syn_in)?;
    net.connect(&ex, &inh, ConnRule::fixed_indegree(64), &syn_ex)?;
    net.connect(&inh, &inh, ConnRule::fixed_indegree(16), &syn_in)?;
    net.connect(
        &pg,
        &ex.slice(0..50).ok_or("50 neurons")?,
        ConnRule::all_to_all(),
        &syn_ex,
    )?;
    let all = ex.join(&inh).ok_or("contiguous")?;
    let sr = net.create_spike_recorder(SpikeRecorderParams {
        label: String::new(),
        record_to: RecordTo::Memory,
        ..Default::default()
    })?;
    net.connect(
        &all,
        &sr,
        ConnRule::all_to_all(),
        &SynSpec::model("static_synapse"),
    )?;
    let mut sim = Simulation::build(net, Config::threads(threads))?;
    let (start, cpu) = (Instant::now(), cpu_seconds());
    sim.simulate(1000.0)?;
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let events = sim.spike_events(sr.first())?;
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    for (s, t) in events.senders.iter().zip(&events.times) {
        for b in u64::from(*s)
            .to_le_bytes()
            .into_iter()
            .chain(t.to_bits().to_le_bytes())
        {
            digest = (digest ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!(
        "threads {threads} seed {seed}: {} spikes ({:.2} /s per neuron), digest {digest:016x}, simulate {secs:.3} s (cpu {cpu:.2} s)",
        events.senders.len(),
        events.senders.len() as f64 / 4000.0,
    );
    Ok(())
}

/// The process's user and system time [s] (Linux), the measure a busy
/// machine disturbs least.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}
