//! A small network of the models on GSL's adaptive solver (COBA in small,
//! Brette et al. 2007: `iaf_cond_exp` with conductance jumps, beside
//! `hh_cond_exp_traub` and `aeif_cond_alpha` populations): each neuron
//! carries its own integration step, so the split over threads must not
//! change it; the same spikes and traces for 1, 2 and 3 threads.

mod common;

use spindle::core::Resolution;
use spindle::engine::{Config, Simulation};
use spindle::models::devices::PoissonGeneratorParams;
use spindle::models::{AEIF_COND_ALPHA, HH_COND_EXP_TRAUB, IAF_COND_EXP, NeuronParams};
use spindle::network::{ConnRule, Network, SynSpec};

fn params(model: spindle::models::ModelRef, values: &[(&str, f64)]) -> NeuronParams {
    let mut p = NeuronParams::defaults(model);
    for &(name, value) in values {
        p.set(name, value).unwrap();
    }
    p
}

/// 320 excitatory and 80 inhibitory COBA neurons, 40 HH and 40 aeif ones,
/// Poisson drive; spikes of all and (`sampled`) traces of a few after
/// 200 ms.
fn run(threads: usize, sampled: bool) -> (Vec<(u32, f64)>, Vec<Vec<f64>>) {
    let mut net = Network::new(Resolution::new(0.1).unwrap(), 5);
    let coba = params(
        &IAF_COND_EXP,
        &[
            ("E_L", -60.0),
            ("V_th", -50.0),
            ("V_reset", -60.0),
            ("t_ref", 5.0),
            ("E_in", -80.0),
            ("C_m", 200.0),
            ("g_L", 10.0),
            ("tau_syn_ex", 5.0),
            ("tau_syn_in", 10.0),
            ("V_m", -55.0),
        ],
    );
    let ex = net.create_neurons(320, coba.clone()).unwrap();
    let inh = net.create_neurons(80, coba).unwrap();
    let hh = net
        .create_neurons(40, params(&HH_COND_EXP_TRAUB, &[("V_m", -65.0)]))
        .unwrap();
    let aeif = net
        .create_neurons(40, params(&AEIF_COND_ALPHA, &[("I_e", 1000.0)]))
        .unwrap();
    let all = ex
        .join(&inh)
        .unwrap()
        .join(&hh)
        .unwrap()
        .join(&aeif)
        .unwrap();
    let pg = net
        .create_poisson_generator(PoissonGeneratorParams::with_rate(2_000.0))
        .unwrap();
    net.connect(
        &pg,
        &all,
        ConnRule::all_to_all(),
        &SynSpec::static_synapse(2.0, 1.0),
    )
    .unwrap();
    net.connect(
        &ex,
        &all,
        ConnRule::fixed_indegree(20),
        &SynSpec::static_synapse(3.0, 0.5),
    )
    .unwrap();
    net.connect(
        &inh,
        &all,
        ConnRule::fixed_indegree(5),
        &SynSpec::static_synapse(-20.0, 0.5),
    )
    .unwrap();
    let sr = common::recorder(&mut net, &all);
    let names = ["V_m", "g_ex", "g_in"];
    let mut probes = vec![
        ex.slice(310..320).unwrap(),
        hh.slice(0..3).unwrap(),
        aeif.slice(0..3).unwrap(),
    ];
    if !sampled {
        probes.clear();
    }
    let mms: Vec<_> = probes
        .iter()
        .map(|p| common::multimeter(&mut net, p, &names))
        .collect();
    let mut sim = Simulation::build(net, Config::threads(threads)).unwrap();
    sim.simulate(200.0).unwrap();
    let events = sim.spike_events(sr.first()).unwrap();
    let spikes = events.senders.into_iter().zip(events.times).collect();
    let traces = mms
        .iter()
        .flat_map(|mm| {
            let t = sim.multimeter_events(mm.first()).unwrap();
            names
                .iter()
                .map(move |r| t.get(r).unwrap().to_vec())
                .collect::<Vec<_>>()
        })
        .collect();
    (spikes, traces)
}

#[test]
fn adaptive_models_give_the_same_spikes_for_any_thread_count() {
    let reference = run(1, true);
    let fired = |lo: u32, hi: u32| {
        reference
            .0
            .iter()
            .filter(|(s, _)| (lo..hi).contains(s))
            .count()
    };
    println!(
        "{} COBA, {} HH, {} aeif spikes",
        fired(1, 401),
        fired(401, 441),
        fired(441, 481)
    );
    assert!(fired(1, 401) > 100 && fired(401, 441) > 10 && fired(441, 481) > 5);
    for threads in [2, 3] {
        let got = run(threads, true);
        assert!(got.0 == reference.0, "{threads} threads: other spikes");
        assert!(got.1 == reference.1, "{threads} threads: other traces");
    }
}

/// Without a multimeter the HH population steps all its neurons at once,
/// its lanes pooled (`LaneModel::step_pooled`), over slices of five steps
/// with Poisson input; with one, block by block. The same spikes.
#[test]
fn pooled_steps_give_the_spikes_of_the_blocks() {
    let (reference, _) = run(1, true);
    for threads in [1, 3] {
        let (got, traces) = run(threads, false);
        assert!(traces.is_empty());
        assert!(got == reference, "{threads} threads: other spikes");
    }
}
