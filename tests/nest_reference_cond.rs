//! The models NEST integrates with GSL's adaptive rkf45 (`iaf_cond_exp`,
//! `iaf_cond_alpha`, `hh_psc_alpha`, ...) against NEST 3.10's own output:
//! single neurons driven by Poisson-like spike trains (excitatory and
//! inhibitory), a current step and `I_e` (`tests/data/cond/`, written by
//! `scripts/nest_reference/cond_traces.py`, whose `cases.json` says how
//! each case is built). Every recorded state variable must match to 1e-9
//! at every step, and the spikes must fall in the same steps: Spindle's
//! stepper ([`spindle::models::odeint`]) takes GSL's steps, so the traces
//! agree to the last bits.

mod common;

use serde_json::Value;
use spindle::core::Resolution;
use spindle::engine::{Config, Simulation};
use spindle::models::devices::{DcGeneratorParams, SpikeGeneratorParams};
use spindle::models::{NeuronParams, neuron_model};
use spindle::network::{ConnRule, Network, SynSpec};

fn cases() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(common::data("cond/cases.json")).expect("cases");
    let meta: Value = serde_json::from_str(&text).expect("JSON");
    assert!(meta["nest_version"].as_str().unwrap().starts_with("3.10"));
    meta["cases"].as_object().expect("cases").clone()
}

fn num(v: &Value) -> f64 {
    v.as_f64().expect("a number")
}

/// Spindle's run of one case: the recordables per step, and spike times.
fn run(case: &Value) -> (Vec<f64>, Vec<Vec<f64>>, Vec<f64>) {
    let res = Resolution::new(num(&case["resolution"])).unwrap();
    let mut net = Network::new(res, 1);
    let model = case["model"].as_str().unwrap();
    let mut params = NeuronParams::defaults(neuron_model(model).expect("a model"));
    for (name, value) in case["params"].as_object().unwrap() {
        params.set(name, num(value)).unwrap();
    }
    let neuron = net.create_neurons(1, params).unwrap();
    for input in case["inputs"].as_array().unwrap() {
        let all = ConnRule::all_to_all();
        let syn = SynSpec::static_synapse(num(&input["weight"]), num(&input["delay"]));
        if let Some(times) = input["spike_times"].as_array() {
            let spike_times = times.iter().map(num).collect();
            let sg = net
                .create_spike_generator(SpikeGeneratorParams {
                    spike_times,
                    ..Default::default()
                })
                .unwrap();
            net.connect(&sg, &neuron, all, &syn).unwrap();
        } else {
            let dc = net
                .create_dc_generator(DcGeneratorParams {
                    amplitude: num(&input["dc"]),
                    start: num(&input["start"]),
                    stop: num(&input["stop"]),
                    ..Default::default()
                })
                .unwrap();
            net.connect(&dc, &neuron, all, &syn).unwrap();
        }
    }
    let names: Vec<&str> = case["record"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mm = common::multimeter(&mut net, &neuron, &names);
    let sr = common::recorder(&mut net, &neuron);
    let mut sim = Simulation::build(net, Config::threads(1)).unwrap();
    sim.simulate(num(&case["simtime"])).unwrap();
    let trace = sim.multimeter_events(mm.first()).unwrap();
    let values = (0..trace.times.len())
        .map(|i| names.iter().map(|r| trace.get(r).unwrap()[i]).collect())
        .collect();
    let spikes = sim.spike_events(sr.first()).unwrap().times;
    (trace.times, values, spikes)
}

/// Every case of `model` matches NEST's trace and spikes.
fn check(model: &str) {
    let cases = cases();
    let mut seen = 0;
    for (name, case) in cases.iter().filter(|(_, c)| c["model"] == model) {
        seen += 1;
        let (times, values, spikes) = run(case);
        let reference = common::csv(&format!("cond/{name}.csv"));
        let names = case["record"].as_array().unwrap();
        assert_eq!(times.len(), reference.len(), "{name}: number of samples");
        let mut max_diff = 0.0f64;
        let mut identical = 0;
        for (i, row) in reference.iter().enumerate() {
            assert!(
                (times[i] - row[0]).abs() < 1e-9,
                "{name}: time of sample {i}"
            );
            identical += usize::from(
                (0..names.len()).all(|r| values[i][r].to_bits() == row[1 + r].to_bits()),
            );
            for (r, recordable) in names.iter().enumerate() {
                let (got, want) = (values[i][r], row[1 + r]);
                let diff = (got - want).abs();
                max_diff = max_diff.max(diff);
                assert!(
                    diff <= 1e-9,
                    "{name}: {recordable} at {} ms: spindle {got}, NEST {want}",
                    row[0]
                );
            }
        }
        let want: Vec<f64> = common::csv(&format!("cond/{name}_spikes.csv"))
            .iter()
            .map(|r| r[0])
            .collect();
        assert_eq!(spikes, want, "{name}: spike times");
        assert!(!spikes.is_empty(), "{name}: the case must fire");
        println!(
            "{name}: {} samples ({identical} bit-identical), {} spikes; max |spindle - NEST| {max_diff:e}",
            times.len(),
            spikes.len(),
        );
    }
    assert!(seen > 0, "no case of {model}");
}

#[test]
fn iaf_cond_exp_matches_nest() {
    check("iaf_cond_exp");
}

#[test]
fn iaf_cond_alpha_matches_nest() {
    check("iaf_cond_alpha");
}

#[test]
fn hh_psc_alpha_matches_nest() {
    check("hh_psc_alpha");
}

#[test]
fn aeif_cond_alpha_matches_nest() {
    check("aeif_cond_alpha");
}

#[test]
fn aeif_cond_exp_matches_nest() {
    check("aeif_cond_exp");
}

#[test]
fn hh_cond_exp_traub_matches_nest() {
    check("hh_cond_exp_traub");
}

#[test]
fn iaf_cond_exp_sfa_rr_matches_nest() {
    check("iaf_cond_exp_sfa_rr");
}
