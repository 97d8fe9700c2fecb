//! Per-node parameters, the `dc_generator` and changes between runs give
//! the same spikes and traces for any number of threads: a network of
//! `iaf_psc_exp` neurons with per-node `V_m` and `I_e`, Poisson, current
//! and spike-generator input, run, changed (generators' parameters, a
//! population's `tau_m`, single neurons' `V_m`, a recorder emptied) and run
//! again.

mod common;

use spindle::core::Resolution;
use spindle::engine::{Config, Simulation};
use spindle::models::IafPscExpParams;
use spindle::models::devices::{DcGeneratorParams, PoissonGeneratorParams, SpikeGeneratorParams};
use spindle::network::{ConnRule, Network, NodeKind, SynSpec};

type Outcome = (Vec<(u32, f64)>, Vec<f64>, u64);

fn run(threads: usize) -> Outcome {
    let mut net = Network::new(Resolution::new(0.1).unwrap(), 5);
    let ex = net.create_neurons(300, IafPscExpParams::default()).unwrap();
    let inh = net.create_neurons(75, IafPscExpParams::default()).unwrap();
    let all = ex.join(&inh).unwrap();
    // Per node: V_m spread (state only) and I_e on every tenth neuron
    // (splitting the population).
    for (i, id) in all.iter().enumerate() {
        let one = spindle::network::NodeCollection::from_range(id, 1).unwrap();
        net.set_neuron_params(&one, |p| {
            let mut q = p.clone();
            q.set("V_m", -70.0 + (i % 17) as f64)?;
            if i % 10 == 0 {
                q.set("I_e", 200.0)?;
            }
            Ok(q)
        })
        .unwrap();
    }
    let pg = net
        .create_poisson_generator(PoissonGeneratorParams::with_rate(9000.0))
        .unwrap();
    let dc = net
        .create_dc_generator(DcGeneratorParams {
            amplitude: 150.0,
            start: 20.0,
            stop: 150.0,
            ..Default::default()
        })
        .unwrap();
    let sg = net
        .create_spike_generator(SpikeGeneratorParams {
            spike_times: vec![10.0, 30.0, 55.5],
            ..Default::default()
        })
        .unwrap();
    let syn = |w, d| SynSpec::static_synapse(w, d);
    net.connect(&pg, &all, ConnRule::all_to_all(), &syn(30.0, 1.5))
        .unwrap();
    net.connect(
        &dc,
        &ex.slice(0..100).unwrap(),
        ConnRule::all_to_all(),
        &syn(1.0, 1.0),
    )
    .unwrap();
    net.connect(&sg, &inh, ConnRule::all_to_all(), &syn(400.0, 1.0))
        .unwrap();
    net.connect(&ex, &all, ConnRule::fixed_indegree(30), &syn(40.0, 1.5))
        .unwrap();
    net.connect(&inh, &all, ConnRule::fixed_indegree(8), &syn(-160.0, 2.0))
        .unwrap();
    let sr = common::recorder(&mut net, &all);
    let probed = ex.slice(95..105).unwrap();
    let mm = common::multimeter(&mut net, &probed, &["V_m", "I_syn_ex"]);
    let mut sim = Simulation::build(net.clone(), Config::threads(threads)).unwrap();
    sim.simulate(100.0).unwrap();

    // Between runs: generators, a population's parameter, states.
    let mut changed = net.clone();
    let set = |net: &mut Network, id, kind| net.set_device(id, kind).unwrap();
    set(
        &mut changed,
        pg.first(),
        NodeKind::PoissonGenerator(PoissonGeneratorParams {
            rate: 6000.0,
            origin: 100.0,
            stop: 60.0,
            ..PoissonGeneratorParams::with_rate(0.0)
        }),
    );
    set(
        &mut changed,
        dc.first(),
        NodeKind::DcGenerator(DcGeneratorParams {
            amplitude: -50.0,
            start: 0.0,
            stop: 180.0,
            ..Default::default()
        }),
    );
    set(
        &mut changed,
        sg.first(),
        NodeKind::SpikeGenerator(SpikeGeneratorParams {
            spike_times: vec![120.0, 150.5],
            ..Default::default()
        }),
    );
    changed
        .set_neuron_params(&inh, |p| {
            let mut q = p.clone();
            q.set("tau_m", 15.0)?;
            Ok(q)
        })
        .unwrap();
    // Some neurons of a population apart from the others.
    changed
        .set_neuron_params(&ex.slice(40..60).unwrap(), |p| {
            let mut q = p.clone();
            q.set("I_e", 120.0)?;
            Ok(q)
        })
        .unwrap();
    sim.change(changed).unwrap();
    for id in ex.slice(0..50).unwrap().iter() {
        sim.set_state(id, "V_m", -55.0).unwrap();
    }
    let before = sim.n_events(sr.first()).unwrap();
    sim.clear_events(sr.first()).unwrap();
    sim.simulate(100.0).unwrap();

    let events = sim.spike_events(sr.first()).unwrap();
    let spikes = events.senders.into_iter().zip(events.times).collect();
    let v = sim.multimeter_events(mm.first()).unwrap();
    let mut trace = v.get("V_m").unwrap().to_vec();
    trace.extend_from_slice(v.get("I_syn_ex").unwrap());
    (spikes, trace, before)
}

#[test]
fn per_node_values_currents_and_changes_are_identical_for_any_thread_count() {
    let one = run(1);
    assert!(one.2 > 100, "the first run spikes ({})", one.2);
    assert!(one.0.len() > 100, "the second run spikes ({})", one.0.len());
    assert!(
        one.0.iter().all(|&(_, t)| t > 100.0),
        "the recorder was emptied"
    );
    for threads in [2, 3, 4] {
        let other = run(threads);
        assert_eq!(one.2, other.2, "first-run spike count, {threads} threads");
        assert_eq!(one.0, other.0, "spikes, {threads} threads");
        assert_eq!(one.1, other.1, "traces, {threads} threads");
    }
}

#[test]
fn structural_changes_after_a_run_are_refused() {
    let mut net = Network::new(Resolution::new(0.1).unwrap(), 1);
    let n = net.create_neurons(4, IafPscExpParams::default()).unwrap();
    let mut sim = Simulation::build(net.clone(), Config::threads(2)).unwrap();
    sim.simulate(5.0).unwrap();
    let mut more = net.clone();
    more.create_neurons(1, IafPscExpParams::default()).unwrap();
    let e = sim.change(more).unwrap_err().to_string();
    assert!(e.contains("cannot create nodes after Simulate"), "{e}");
    // Part of a simulated population changes alone.
    let mut part = net.clone();
    part.set_neuron_params(&n.slice(1..2).unwrap(), |p| {
        let mut q = p.clone();
        q.set("I_e", 500.0)?;
        Ok(q)
    })
    .unwrap();
    sim.change(part).unwrap();
    sim.simulate(50.0).unwrap();
    let v: Vec<f64> = n
        .iter()
        .map(|id| sim.recordable(id, "V_m").unwrap())
        .collect();
    assert!(v[0] == v[2] && v[2] == v[3] && v[1] != v[0], "{v:?}");
}
