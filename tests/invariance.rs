//! Results must not change with the number of threads, nor with the slice
//! length (NEST's test_iaf_psc_alpha_mindelay.py).

mod common;

use common::run_brunel;
use spindle::brunel::{self, BrunelParams, seed_neuron};
use spindle::core::Resolution;
use spindle::engine::{Config, Simulation};
use spindle::models::devices::{PoissonGeneratorParams, RecordTo};
use spindle::network::{ConnRule, Network, SynSpec};

#[test]
fn spikes_are_identical_for_any_thread_count() {
    let reference = run_brunel(250, 1, 7, 1000.0).1.stats();
    assert!(reference.spikes > 50_000);
    for threads in [2, 3, 4, 8] {
        let stats = run_brunel(250, threads, 7, 1000.0).1.stats();
        assert_eq!(stats.digest, reference.digest, "{threads} threads");
        assert_eq!(stats.spikes, reference.spikes, "{threads} threads");
        assert_eq!(
            stats.synaptic_events, reference.synaptic_events,
            "{threads} threads"
        );
    }
}

#[test]
fn same_seed_same_spikes_other_seed_other_spikes() {
    let a = run_brunel(250, 2, 11, 300.0).1.stats().digest;
    let b = run_brunel(250, 2, 11, 300.0).1.stats().digest;
    let c = run_brunel(250, 2, 12, 300.0).1.stats().digest;
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn simulating_in_pieces_equals_one_run() {
    let whole = run_brunel(250, 3, 5, 400.0).1.stats().digest;
    let p = spindle::brunel::BrunelParams {
        order: 250,
        seed: 5,
        record_to: spindle::models::devices::RecordTo::Memory,
        ..Default::default()
    };
    let b = spindle::brunel::build(&p).unwrap();
    let mut sim = Simulation::build(b.net, Config::threads(2)).unwrap();
    // 0.7 ms is not a multiple of the 1.5 ms slice: a partial slice in between.
    sim.simulate(100.7).unwrap();
    sim.simulate(299.3).unwrap();
    assert_eq!(sim.stats().digest, whole);
}

/// V_m of neuron B, driven through neuron A (delay 2 ms) and by its own
/// Poisson input, with the slice length fixed to `min_delay`.
fn trace_with_min_delay(min_delay: f64) -> Vec<f64> {
    let mut net = Network::new(Resolution::new(0.1).unwrap(), 3);
    net.set_min_delay(min_delay).unwrap();
    let a = net.create_neurons(1, seed_neuron()).unwrap();
    let b = net.create_neurons(1, seed_neuron()).unwrap();
    let pg = net
        .create_poisson_generator(PoissonGeneratorParams::with_rate(25_000.0))
        .unwrap();
    let drive = SynSpec::static_synapse(20.68, 1.0);
    net.connect(&pg, &a.join(&b).unwrap(), ConnRule::all_to_all(), &drive)
        .unwrap();
    net.connect(
        &a,
        &b,
        ConnRule::all_to_all(),
        &SynSpec::static_synapse(150.0, 2.0),
    )
    .unwrap();
    let mm = common::multimeter(&mut net, &b, &["V_m"]);
    let mut sim = Simulation::build(net, Config::threads(2)).unwrap();
    assert_eq!(sim.min_delay() as f64 * 0.1, min_delay);
    sim.simulate(300.0).unwrap();
    assert!(
        sim.spike_count(a.first()).unwrap() > 5,
        "A must spike for the test to mean anything"
    );
    sim.multimeter_events(mm.first())
        .unwrap()
        .get("V_m")
        .unwrap()
        .to_vec()
}

#[test]
fn v_m_trace_does_not_depend_on_min_delay() {
    let reference = trace_with_min_delay(2.0);
    assert_eq!(reference.len(), 3000);
    for md in [0.1, 0.5, 1.0] {
        assert_eq!(trace_with_min_delay(md), reference, "min_delay {md} ms");
    }
}

/// `rebuild` after a `connect` keeps the synapses already drawn and draws
/// only the new ones: the same spikes as building the whole network at
/// once, for any thread count.
#[test]
fn rebuilding_after_a_connect_gives_the_same_spikes() {
    let b = brunel::build(&BrunelParams {
        order: 250,
        record_to: RecordTo::Memory,
        ..Default::default()
    })
    .unwrap();
    let mut whole = Simulation::build(b.net.clone(), Config::threads(2)).unwrap();
    whole.simulate(100.0).unwrap();

    let mut net = Network::new(Resolution::new(0.1).unwrap(), 1);
    let ex = net.create_neurons(1000, seed_neuron()).unwrap();
    let inh = net.create_neurons(250, seed_neuron()).unwrap();
    let all = ex.join(&inh).unwrap();
    let d = &b.derived;
    let noise = net
        .create_poisson_generator(PoissonGeneratorParams::with_rate(d.p_rate))
        .unwrap();
    net.create_spike_recorder(Default::default()).unwrap();
    net.create_spike_recorder(Default::default()).unwrap();
    net.copy_model("static_synapse", "excitatory", Some(d.j_ex), Some(1.5))
        .unwrap();
    net.copy_model("static_synapse", "inhibitory", Some(d.j_in), Some(1.5))
        .unwrap();
    let exs = SynSpec::model("excitatory");
    net.connect(&noise, &ex, ConnRule::all_to_all(), &exs)
        .unwrap();
    net.connect(&noise, &inh, ConnRule::all_to_all(), &exs)
        .unwrap();
    net.connect(&ex, &all, ConnRule::fixed_indegree(d.ce as u32), &exs)
        .unwrap();
    let first = Simulation::build(net.clone(), Config::threads(2)).unwrap();
    net.connect(
        &inh,
        &all,
        ConnRule::fixed_indegree(d.ci as u32),
        &SynSpec::model("inhibitory"),
    )
    .unwrap();
    let mut rebuilt = first.rebuild(net, Config::threads(2)).unwrap();
    rebuilt.simulate(100.0).unwrap();
    assert_eq!(
        rebuilt.stats().synapses_stored,
        whole.stats().synapses_stored
    );
    assert_eq!(rebuilt.stats().digest, whole.stats().digest);
}

/// Regression: where STDP synapses reach some neurons the shards' blocks
/// follow the delivery work, so a `connect` can move them. `rebuild` then
/// draws every projection again: a projection kept from the old blocks
/// lost its synapses onto neurons that changed shard (a weight recorder on
/// 3 threads saw none onto the last neuron of shard 0).
#[test]
fn rebuilding_after_a_connect_that_moves_the_blocks_keeps_every_synapse() {
    let make = |second: bool| {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 5);
        let ex = net.create_neurons(200, seed_neuron()).unwrap();
        let inh = net.create_neurons(50, seed_neuron()).unwrap();
        let all = ex.join(&inh).unwrap();
        let noise = net
            .create_poisson_generator(PoissonGeneratorParams::with_rate(20_000.0))
            .unwrap();
        net.create_spike_recorder(Default::default()).unwrap();
        let drive = SynSpec::model("static_synapse").with_weight(90.0);
        net.connect(&noise, &all, ConnRule::all_to_all(), &drive)
            .unwrap();
        let stdp = SynSpec::model("stdp_synapse").with_weight(20.0);
        net.connect(&ex, &ex, ConnRule::fixed_indegree(20), &stdp)
            .unwrap();
        if second {
            let inhibitory = SynSpec::model("static_synapse").with_weight(-100.0);
            net.connect(&inh, &all, ConnRule::fixed_indegree(40), &inhibitory)
                .unwrap();
        }
        net
    };
    let threads = 3;
    let (before, after) = (make(false), make(true));
    assert_ne!(
        before.partition(threads).shards(),
        after.partition(threads).shards(),
        "the second connect moves the blocks"
    );
    let mut whole = Simulation::build(after.clone(), Config::threads(threads)).unwrap();
    whole.simulate(100.0).unwrap();
    let first = Simulation::build(before, Config::threads(threads)).unwrap();
    let mut rebuilt = first.rebuild(after, Config::threads(threads)).unwrap();
    rebuilt.simulate(100.0).unwrap();
    let stored = whole.stats().synapses_stored;
    assert_eq!(stored, 200 * 20 + 250 * 40);
    assert!(
        whole.stats().spikes > 1000,
        "{} spikes",
        whole.stats().spikes
    );
    assert_eq!(rebuilt.stats().synapses_stored, stored);
    assert_eq!(rebuilt.stats().digest, whole.stats().digest);
}

/// A recurrent network of `iaf_psc_exp` neurons (400 excitatory, 100
/// inhibitory, fixed in-degrees) driven by a `poisson_generator`, with two
/// neurons sampled by a multimeter: its spikes, and the sampled traces.
fn exp_network(threads: usize) -> (spindle::engine::RunStats, Vec<f64>) {
    use spindle::models::IafPscExpParams;

    let mut net = Network::new(Resolution::new(0.1).unwrap(), 13);
    let params = IafPscExpParams {
        tau_m: 20.0,
        tau_syn_ex: 0.5,
        tau_syn_in: 1.0,
        e_l: 0.0,
        v_reset: 10.0,
        v_m: 5.0,
        v_th: 20.0,
        ..Default::default()
    };
    let ex = net.create_neurons(400, params).unwrap();
    let inh = net.create_neurons(100, params).unwrap();
    let all = ex.join(&inh).unwrap();
    let noise = net
        .create_poisson_generator(PoissonGeneratorParams::with_rate(6000.0))
        .unwrap();
    let j = 100.0;
    net.connect(
        &noise,
        &all,
        ConnRule::all_to_all(),
        &SynSpec::static_synapse(j, 1.5),
    )
    .unwrap();
    net.connect(
        &ex,
        &all,
        ConnRule::fixed_indegree(40),
        &SynSpec::static_synapse(j, 1.5),
    )
    .unwrap();
    net.connect(
        &inh,
        &all,
        ConnRule::fixed_indegree(10),
        &SynSpec::static_synapse(-5.0 * j, 1.5),
    )
    .unwrap();
    let mm = common::multimeter_unconnected(&mut net, &["V_m", "I_syn_ex", "I_syn_in"]);
    for i in [3, 417] {
        net.connect(
            &mm,
            &all.slice(i..i + 1).unwrap(),
            ConnRule::all_to_all(),
            &SynSpec::model("static_synapse"),
        )
        .unwrap();
    }
    let mut sim = Simulation::build(net, Config::threads(threads)).unwrap();
    sim.simulate(300.0).unwrap();
    let events = sim.multimeter_events(mm.first()).unwrap();
    let mut trace = events.times.clone();
    for (_, values) in &events.values {
        trace.extend(values);
    }
    (sim.stats(), trace)
}

#[test]
fn iaf_psc_exp_network_spikes_are_identical_for_any_thread_count() {
    let (reference, trace) = exp_network(1);
    println!(
        "iaf_psc_exp network: {} spikes, {} synaptic events",
        reference.spikes, reference.synaptic_events
    );
    assert!(
        reference.spikes > 2_000,
        "the network fires: {}",
        reference.spikes
    );
    assert_eq!(trace.len(), 2 * 3000 * 4);
    for threads in [2, 3] {
        let (stats, t) = exp_network(threads);
        assert_eq!(stats.digest, reference.digest, "{threads} threads");
        assert_eq!(stats.spikes, reference.spikes, "{threads} threads");
        assert_eq!(
            stats.synaptic_events, reference.synaptic_events,
            "{threads} threads"
        );
        assert_eq!(t, trace, "{threads} threads: sampled traces");
    }
}
