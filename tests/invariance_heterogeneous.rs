//! A heterogeneous network (initial `V_m`, weights and delays drawn per
//! node and synapse from `nest.random`-like parameters, a minimum delay of
//! one step) gives the same spikes and traces for any number of threads.

mod common;

use spindle::core::Resolution;
use spindle::core::param::{Param, Param::Const};
use spindle::engine::{Config, Simulation};
use spindle::models::IafPscExpParams;
use spindle::models::devices::PoissonGeneratorParams;
use spindle::network::{ConnRule, Network, SynSpec};

fn normal(mean: f64, std: f64) -> Box<Param> {
    Box::new(Param::Normal { mean, std })
}

fn redraw(param: Box<Param>, min: f64, max: f64) -> Param {
    Param::Redraw { param, min, max }
}

/// The microcircuit's kind of network in small: 400 excitatory and 100
/// inhibitory `iaf_psc_exp` neurons with normal initial `V_m`, normal
/// weights kept to their sign and normal delays kept above half a step,
/// Poisson-driven; spikes of all and `V_m` of 20 neurons after 200 ms.
pub fn run(threads: usize) -> (Vec<(u32, f64)>, Vec<f64>) {
    let mut net = Network::new(Resolution::new(0.1).unwrap(), 11);
    let neuron = IafPscExpParams {
        tau_syn_ex: 0.5,
        tau_syn_in: 0.5,
        ..Default::default()
    };
    let ex = net.create_neurons(400, neuron).unwrap();
    let inh = net.create_neurons(100, neuron).unwrap();
    let all = ex.join(&inh).unwrap();
    net.set_neuron_values(
        &all,
        "V_m",
        &Param::Normal {
            mean: -58.0,
            std: 5.0,
        },
    )
    .unwrap();
    let pg = net
        .create_poisson_generator(PoissonGeneratorParams::with_rate(12_000.0))
        .unwrap();
    net.connect(
        &pg,
        &all,
        ConnRule::all_to_all(),
        &SynSpec::static_synapse(87.8, 1.5),
    )
    .unwrap();
    let delay_ex = redraw(normal(1.5, 0.75), 0.05, f64::INFINITY);
    net.connect(
        &ex,
        &all,
        ConnRule::fixed_indegree(40),
        &SynSpec::model("static_synapse")
            .with_random_weight(redraw(normal(87.8, 8.78), 0.0, f64::INFINITY))
            .with_random_delay(delay_ex),
    )
    .unwrap();
    // Drawn weights with one delay, and one weight with drawn delays.
    net.connect(
        &inh,
        &ex,
        ConnRule::fixed_indegree(10),
        &SynSpec::static_synapse(0.0, 0.8).with_random_weight(redraw(
            Box::new(Param::Bin(
                spindle::core::param::BinOp::Mul,
                normal(87.8, 8.78),
                Box::new(Const(-4.0)),
            )),
            f64::NEG_INFINITY,
            0.0,
        )),
    )
    .unwrap();
    net.connect(
        &inh,
        &inh,
        ConnRule::fixed_indegree(10),
        &SynSpec::static_synapse(-351.2, 0.0).with_random_delay(redraw(
            normal(0.75, 0.375),
            0.05,
            f64::INFINITY,
        )),
    )
    .unwrap();
    let sr = common::recorder(&mut net, &all);
    let probed = ex
        .slice(390..400)
        .unwrap()
        .join(&inh.slice(0..10).unwrap())
        .unwrap();
    let mm = common::multimeter(&mut net, &probed, &["V_m"]);
    let mut sim = Simulation::build(net, Config::threads(threads)).unwrap();
    assert_eq!(sim.min_delay(), 1);
    sim.simulate(200.0).unwrap();
    let events = sim.spike_events(sr.first()).unwrap();
    let spikes = events.senders.into_iter().zip(events.times).collect();
    let v = sim.multimeter_events(mm.first()).unwrap();
    (spikes, v.get("V_m").unwrap().to_vec())
}

#[test]
fn heterogeneous_network_spikes_are_identical_for_any_thread_count() {
    let reference = run(1);
    assert!(
        reference.0.len() > 1_000,
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
