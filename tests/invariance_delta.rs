//! A network of `iaf_psc_delta` neurons gives the same spikes and traces
//! for any number of threads (as `tests/invariance.rs` checks for the seed
//! network of `iaf_psc_alpha` neurons).

mod common;

use spindle::core::Resolution;
use spindle::engine::{Config, Simulation};
use spindle::models::IafPscDeltaParams;
use spindle::models::devices::PoissonGeneratorParams;
use spindle::network::{ConnRule, Network, SynSpec};

/// 400 excitatory neurons (input while refractory dropped) and 100
/// inhibitory ones (input while refractory kept), Poisson-driven, randomly
/// coupled; spikes (sender, time) of all and V_m of 20 neurons of both populations, after
/// 200 ms on `threads` threads.
fn run(threads: usize) -> (Vec<(u32, f64)>, Vec<f64>) {
    let mut net = Network::new(Resolution::new(0.1).unwrap(), 9);
    let neuron = IafPscDeltaParams {
        tau_m: 20.0,
        e_l: 0.0,
        v_reset: 10.0,
        v_th: 20.0,
        v_m: 0.0,
        ..Default::default()
    };
    let ex = net.create_neurons(400, neuron).unwrap();
    let inh = net
        .create_neurons(
            100,
            IafPscDeltaParams {
                refractory_input: true,
                v_min: -10.0,
                ..neuron
            },
        )
        .unwrap();
    let all = ex.join(&inh).unwrap();
    let pg = net
        .create_poisson_generator(PoissonGeneratorParams::with_rate(6000.0))
        .unwrap();
    net.connect(
        &pg,
        &all,
        ConnRule::all_to_all(),
        &SynSpec::static_synapse(0.2, 1.5),
    )
    .unwrap();
    net.connect(
        &ex,
        &all,
        ConnRule::fixed_indegree(40),
        &SynSpec::static_synapse(0.3, 1.5),
    )
    .unwrap();
    net.connect(
        &inh,
        &all,
        ConnRule::fixed_indegree(10),
        &SynSpec::static_synapse(-1.5, 2.0),
    )
    .unwrap();
    let sr = common::recorder(&mut net, &all);
    // The last 10 excitatory and first 10 inhibitory neurons.
    let probed = ex
        .slice(390..400)
        .unwrap()
        .join(&inh.slice(0..10).unwrap())
        .unwrap();
    let mm = common::multimeter(&mut net, &probed, &["V_m"]);
    let mut sim = Simulation::build(net, Config::threads(threads)).unwrap();
    sim.simulate(200.0).unwrap();
    let events = sim.spike_events(sr.first()).unwrap();
    let spikes = events.senders.into_iter().zip(events.times).collect();
    let v = sim.multimeter_events(mm.first()).unwrap();
    (spikes, v.get("V_m").unwrap().to_vec())
}

#[test]
fn delta_network_spikes_are_identical_for_any_thread_count() {
    let reference = run(1);
    assert!(
        reference.0.len() > 2_000,
        "the network fires: {} spikes",
        reference.0.len()
    );
    assert_eq!(reference.1.len(), 20 * 2000);
    for threads in [2, 3] {
        let got = run(threads);
        assert_eq!(got.0.len(), reference.0.len(), "{threads} threads");
        assert!(got.0 == reference.0, "{threads} threads: other spikes");
        assert!(got.1 == reference.1, "{threads} threads: other V_m traces");
    }
}
