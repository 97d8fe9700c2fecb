//! A network of neurons with receptor ports (NEST's
//! `brunel_exp_multisynapse_nest.py` in small, with an
//! `iaf_psc_alpha_multisynapse` population beside it): receptor types
//! drawn per synapse and per Poisson target, one receptor type for a whole
//! projection, a spike generator on a port and a current on receptor 0
//! give the same spikes and traces for 1, 2 and 3 threads.

mod common;

use spindle::core::Resolution;
use spindle::core::param::{BinOp, Param};
use spindle::engine::{Config, Simulation};
use spindle::models::devices::{DcGeneratorParams, PoissonGeneratorParams, SpikeGeneratorParams};
use spindle::models::{IAF_PSC_ALPHA_MULTISYNAPSE, IAF_PSC_EXP_MULTISYNAPSE, NeuronParams};
use spindle::network::{ConnRule, Network, SynSpec};

/// `uniform_int(n) + 1`: one of ports 1..=n.
fn any_port(n: u64) -> Param {
    Param::Bin(
        BinOp::Add,
        Box::new(Param::UniformInt { max: n }),
        Box::new(Param::Const(1.0)),
    )
}

/// 400 excitatory and 100 inhibitory `iaf_psc_exp_multisynapse` neurons
/// with 10 ports (Brunel's parameters, `tau_syn` 0.1 .. 1 ms) and 40
/// `iaf_psc_alpha_multisynapse` neurons with 3; spikes of all and the
/// traces of 12 after 200 ms.
pub fn run(threads: usize) -> (Vec<(u32, f64)>, Vec<Vec<f64>>) {
    let mut net = Network::new(Resolution::new(0.1).unwrap(), 5);
    let mut neuron = NeuronParams::defaults(&IAF_PSC_EXP_MULTISYNAPSE);
    for (name, value) in [
        ("C_m", 1.0),
        ("tau_m", 20.0),
        ("t_ref", 2.0),
        ("E_L", 0.0),
        ("V_reset", 0.0),
        ("V_m", 0.0),
        ("V_th", 20.0),
    ] {
        neuron.set(name, value).unwrap();
    }
    let tau_syn: Vec<f64> = (0..10).map(|i| 0.1 + 0.1 * i as f64).collect();
    neuron.set_list("tau_syn", &tau_syn).unwrap();
    let ex = net.create_neurons(400, neuron.clone()).unwrap();
    let inh = net.create_neurons(100, neuron).unwrap();
    let mut alpha = NeuronParams::defaults(&IAF_PSC_ALPHA_MULTISYNAPSE);
    alpha.set_list("tau_syn", &[0.5, 2.0, 5.0]).unwrap();
    alpha.set("I_e", 200.0).unwrap();
    let other = net.create_neurons(40, alpha).unwrap();
    let all = ex.join(&inh).unwrap();

    let (j, g, delay) = (2.0, 5.0, 1.5);
    let pg = net
        .create_poisson_generator(PoissonGeneratorParams::with_rate(9_000.0))
        .unwrap();
    let drive = SynSpec::static_synapse(j, delay).with_random_receptor(any_port(10));
    net.connect(&pg, &all, ConnRule::all_to_all(), &drive)
        .unwrap();
    let ex_syn = SynSpec::static_synapse(j, delay).with_random_receptor(any_port(10));
    net.connect(&ex, &all, ConnRule::fixed_indegree(40), &ex_syn)
        .unwrap();
    let in_syn = SynSpec::static_synapse(-g * j, delay).with_random_receptor(any_port(10));
    net.connect(&inh, &all, ConnRule::fixed_indegree(10), &in_syn)
        .unwrap();
    // Drawn weights and receptor types onto the alpha neurons, and one
    // receptor type for a whole projection back.
    let mixed = SynSpec::static_synapse(0.0, 1.0)
        .with_random_weight(Param::Uniform {
            min: 50.0,
            max: 150.0,
        })
        .with_random_receptor(any_port(3));
    net.connect(&ex, &other, ConnRule::fixed_indegree(20), &mixed)
        .unwrap();
    let back = SynSpec::static_synapse(1.0, 0.8).with_receptor(7);
    net.connect(&other, &all, ConnRule::fixed_indegree(2), &back)
        .unwrap();
    let sg = net
        .create_spike_generator(SpikeGeneratorParams {
            spike_times: (1..40).map(|k| k as f64 * 5.0).collect(),
            ..Default::default()
        })
        .unwrap();
    let kick = SynSpec::static_synapse(-400.0, 1.0).with_receptor(2);
    net.connect(&sg, &other, ConnRule::all_to_all(), &kick)
        .unwrap();
    let dc = net
        .create_dc_generator(DcGeneratorParams {
            amplitude: 100.0,
            start: 50.0,
            stop: 150.0,
            ..Default::default()
        })
        .unwrap();
    net.connect(
        &dc,
        &other,
        ConnRule::all_to_all(),
        &SynSpec::model("static_synapse"),
    )
    .unwrap();

    let everyone = all.join(&other).unwrap();
    let sr = common::recorder(&mut net, &everyone);
    let probed_exp = ex.slice(390..400).unwrap();
    let mm = common::multimeter(
        &mut net,
        &probed_exp,
        &["V_m", "I_syn", "I_syn_1", "I_syn_10"],
    );
    let probed_alpha = other.slice(0..2).unwrap();
    let mm_alpha = common::multimeter(&mut net, &probed_alpha, &["V_m", "I_syn_2"]);
    let mut sim = Simulation::build(net, Config::threads(threads)).unwrap();
    sim.simulate(200.0).unwrap();
    let events = sim.spike_events(sr.first()).unwrap();
    let spikes = events.senders.into_iter().zip(events.times).collect();
    let v = sim.multimeter_events(mm.first()).unwrap();
    let w = sim.multimeter_events(mm_alpha.first()).unwrap();
    let traces = ["V_m", "I_syn", "I_syn_1", "I_syn_10"]
        .iter()
        .map(|r| v.get(r).unwrap().to_vec())
        .chain(
            ["V_m", "I_syn_2"]
                .iter()
                .map(|r| w.get(r).unwrap().to_vec()),
        )
        .collect();
    (spikes, traces)
}

#[test]
fn drawn_receptor_types_give_the_same_spikes_for_any_thread_count() {
    let reference = run(1);
    let fired = |lo: u32, hi: u32| {
        reference
            .0
            .iter()
            .filter(|(s, _)| (lo..hi).contains(s))
            .count()
    };
    println!("{} and {} spikes", fired(1, 501), fired(501, 541));
    // Both models fire (ids 1..=500 and 501..=540).
    assert!(fired(1, 501) > 1_000, "{} spikes", fired(1, 501));
    assert!(fired(501, 541) > 40, "{} spikes", fired(501, 541));
    assert_eq!(reference.1[0].len(), 10 * 2000);
    assert!(reference.1[3].iter().any(|&i| i != 0.0));
    for threads in [2, 3] {
        let got = run(threads);
        assert_eq!(got.0.len(), reference.0.len(), "{threads} threads");
        assert!(got.0 == reference.0, "{threads} threads: other spikes");
        assert!(got.1 == reference.1, "{threads} threads: other traces");
    }
}
