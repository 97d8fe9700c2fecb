//! `iaf_psc_exp_multisynapse` and `iaf_psc_alpha_multisynapse` against
//! NEST 3.10's own output: single neurons with several receptor ports
//! driven by spike generators on chosen receptor types, by another neuron
//! through a connection on a receptor type and by a current
//! (`tests/data/multisynapse/`, written by
//! `scripts/nest_reference/multisynapse_traces.py`, whose `cases.json`
//! says how each case is built). `V_m`, `I_syn` and every port's `I_syn_k`
//! must match to 1e-9 at every step, and the spikes must fall in the same
//! steps.

mod common;

use serde_json::Value;
use spindle::core::Resolution;
use spindle::engine::{Config, Simulation};
use spindle::models::devices::{DcGeneratorParams, SpikeGeneratorParams};
use spindle::models::{NeuronParams, neuron_model};
use spindle::network::{ConnRule, Network, SynSpec};

fn cases() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(common::data("multisynapse/cases.json")).expect("cases");
    let meta: Value = serde_json::from_str(&text).expect("JSON");
    assert!(meta["nest_version"].as_str().unwrap().starts_with("3.10"));
    meta["cases"].as_object().expect("cases").clone()
}

fn num(v: &Value) -> f64 {
    v.as_f64().expect("a number")
}

/// The parameters of model `model` with `params` (NEST's names) set.
fn params(model: &str, params: &Value) -> NeuronParams {
    let mut p = NeuronParams::defaults(neuron_model(model).expect("a model"));
    for (name, value) in params.as_object().unwrap() {
        match value.as_array() {
            Some(list) => p.set_list(name, &list.iter().map(num).collect::<Vec<_>>()),
            None => p.set(name, num(value)),
        }
        .unwrap();
    }
    p
}

/// The recorded names of a case: `V_m`, `I_syn`, `I_syn_1..n`.
fn recordables(case: &Value) -> Vec<String> {
    let n = case["params"]["tau_syn"].as_array().unwrap().len();
    let mut names = vec!["V_m".to_string(), "I_syn".to_string()];
    names.extend((1..=n).map(|k| format!("I_syn_{k}")));
    names
}

/// Spindle's run of one case: the recordables per step, and spike times.
fn run(case: &Value, threads: usize) -> (Vec<f64>, Vec<Vec<f64>>, Vec<f64>) {
    let res = Resolution::new(num(&case["resolution"])).unwrap();
    let mut net = Network::new(res, 1);
    let model = case["model"].as_str().unwrap();
    let neuron = net
        .create_neurons(1, params(model, &case["params"]))
        .unwrap();
    for input in case["inputs"].as_array().unwrap() {
        let all = ConnRule::all_to_all();
        let syn = SynSpec::static_synapse(num(&input["weight"]), num(&input["delay"]));
        let syn = match input["receptor_type"].as_i64() {
            Some(r) => syn.with_receptor(r),
            None => syn,
        };
        if let Some(times) = input["spike_times"].as_array() {
            let spike_times = times.iter().map(num).collect();
            let sg = net
                .create_spike_generator(SpikeGeneratorParams {
                    spike_times,
                    ..Default::default()
                })
                .unwrap();
            net.connect(&sg, &neuron, all, &syn).unwrap();
        } else if let Some(source) = input["source"].as_str() {
            let src = net
                .create_neurons(1, params(source, &input["source_params"]))
                .unwrap();
            net.connect(&src, &neuron, all, &syn).unwrap();
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
    let names = recordables(case);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mm = common::multimeter(&mut net, &neuron, &names);
    let sr = common::recorder(&mut net, &neuron);
    let mut sim = Simulation::build(net, Config::threads(threads)).unwrap();
    sim.simulate(num(&case["simtime"])).unwrap();
    let trace = sim.multimeter_events(mm.first()).unwrap();
    let values = (0..trace.times.len())
        .map(|i| names.iter().map(|r| trace.get(r).unwrap()[i]).collect())
        .collect();
    let spikes = sim
        .spike_events(sr.first())
        .unwrap()
        .times
        .into_iter()
        .zip(sim.spike_events(sr.first()).unwrap().senders)
        .filter(|&(_, s)| s == neuron.first())
        .map(|(t, _)| t)
        .collect();
    (trace.times, values, spikes)
}

#[test]
fn traces_and_spikes_match_nest() {
    let cases = cases();
    assert!(cases.len() >= 6);
    for (name, case) in &cases {
        // Two threads put the source neuron of the cases that have one in
        // another shard than its target.
        for threads in [1, 2] {
            let (times, values, spikes) = run(case, threads);
            let reference = common::csv(&format!("multisynapse/{name}.csv"));
            let names = recordables(case);
            assert_eq!(times.len(), reference.len(), "{name}: number of samples");
            let mut max_diff = vec![0.0f64; names.len()];
            let mut identical = 0;
            for (i, row) in reference.iter().enumerate() {
                assert!(
                    (times[i] - row[0]).abs() < 1e-9,
                    "{name}: time of sample {i}: {} vs NEST {}",
                    times[i],
                    row[0]
                );
                identical += usize::from(
                    (0..names.len()).all(|r| values[i][r].to_bits() == row[1 + r].to_bits()),
                );
                for (r, recordable) in names.iter().enumerate() {
                    let (got, want) = (values[i][r], row[1 + r]);
                    let diff = (got - want).abs();
                    max_diff[r] = max_diff[r].max(diff);
                    assert!(
                        diff <= 1e-9,
                        "{name}: {recordable} at {} ms: spindle {got}, NEST {want}",
                        row[0]
                    );
                }
            }
            let want: Vec<f64> = common::csv(&format!("multisynapse/{name}_spikes.csv"))
                .iter()
                .map(|r| r[0])
                .collect();
            assert_eq!(spikes, want, "{name}: spike times");
            println!(
                "{name} ({threads} threads): {} samples ({identical} bit-identical), {} spikes; \
                 max |spindle - NEST| over V_m, I_syn, I_syn_k: {:e}",
                times.len(),
                spikes.len(),
                max_diff.iter().copied().fold(0.0, f64::max),
            );
        }
    }
}

#[test]
fn every_case_fires_and_the_set_covers_what_it_claims() {
    let cases = cases();
    let resolutions: Vec<f64> = cases.values().map(|c| num(&c["resolution"])).collect();
    assert!(resolutions.contains(&0.1) && resolutions.contains(&0.125));
    for model in ["iaf_psc_exp_multisynapse", "iaf_psc_alpha_multisynapse"] {
        let of_model = || cases.values().filter(move |c| c["model"] == model);
        assert!(of_model().count() >= 3, "{model}");
        // Inhibitory and excitatory weights, a neuron's spikes, a current.
        let inputs: Vec<&Value> = of_model()
            .flat_map(|c| c["inputs"].as_array().unwrap())
            .collect();
        assert!(inputs.iter().any(|i| num(&i["weight"]) < 0.0));
        assert!(inputs.iter().any(|i| i["source"].is_string()));
        assert!(inputs.iter().any(|i| i["dc"].is_number()));
    }
    for name in cases.keys() {
        let spikes = common::csv(&format!("multisynapse/{name}_spikes.csv"));
        assert!(spikes.len() >= 3, "{name}: NEST fired {}", spikes.len());
    }
}
