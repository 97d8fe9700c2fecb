//! STDP synapses against NEST 3.10's own weights: presynaptic and
//! postsynaptic `iaf_psc_delta` neurons made to fire at chosen times,
//! connected by `stdp_synapse` (additive, multiplicative, NEST's
//! defaults, pairings at offsets of exactly the delay), and
//! `stdp_pl_synapse_hom` with its common properties set by `SetDefaults`
//! and `CopyModel`, its `_hpc` twin, beside `stdp_synapse` and
//! `static_synapse_hpc` onto the same neurons; several delays, rates and
//! resolutions, runs split into chunks (some not multiples of the minimum
//! delay). `tests/data/stdp/cases.json`, written by
//! `scripts/nest_reference/stdp_traces.py`, says how each case is built
//! and holds NEST's weights and archive lengths after each chunk: every
//! weight must match to 1e-12 relative, the archives' lengths exactly, and
//! so must the spikes; and 1 and 3 threads give the same bits.

mod common;

use serde_json::Value;
use spindle::core::Resolution;
use spindle::engine::{Config, ConnectionFilter, Simulation};
use spindle::models::devices::SpikeGeneratorParams;
use spindle::models::{NeuronParams, neuron_model};
use spindle::network::{ConnRule, Network, NodeCollection, SynSpec};

fn cases() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(common::data("stdp/cases.json")).expect("cases");
    let meta: Value = serde_json::from_str(&text).expect("JSON");
    assert!(meta["nest_version"].as_str().unwrap().starts_with("3.10"));
    meta["cases"].as_object().expect("cases").clone()
}

fn num(v: &Value) -> f64 {
    v.as_f64().expect("a number")
}

fn params(v: &Value) -> Vec<(String, f64)> {
    v.as_object()
        .map(|o| o.iter().map(|(k, x)| (k.clone(), num(x))).collect())
        .unwrap_or_default()
}

/// What one run gives after each chunk: (source index, target index,
/// weight) sorted, and each postsynaptic neuron's archive length; and
/// every spike as (time, neuron index, pre before post).
type Chunks = Vec<(Vec<(u64, u64, f64)>, Vec<usize>)>;

fn run(case: &Value, threads: usize) -> (Chunks, Vec<(f64, u64)>) {
    let res = Resolution::new(num(&case["resolution"])).unwrap();
    let mut net = Network::new(res, 1);
    for (model, p) in params_map(&case["defaults"]) {
        net.set_synapse_params(&model, &params(&p)).unwrap();
    }
    for copy in case["copies"].as_array().into_iter().flatten() {
        let base = copy[0].as_str().unwrap();
        let new = copy[1].as_str().unwrap();
        net.copy_model(base, new, None, None).unwrap();
        net.set_synapse_params(new, &params(&copy[2])).unwrap();
    }
    let delta = NeuronParams::defaults(neuron_model("iaf_psc_delta").unwrap());
    let n_pre = case["pre"].as_array().unwrap().len();
    let n_post = case["post"].as_array().unwrap().len();
    let pre = net.create_neurons(n_pre, delta.clone()).unwrap();
    let post = net.create_neurons(n_post, delta).unwrap();
    for (i, tm) in case["tau_minus"].as_array().unwrap().iter().enumerate() {
        let one = post.slice(i..i + 1).unwrap();
        net.set_neuron_params(&one, |p| {
            let mut q = p.clone();
            q.set("tau_minus", num(tm))?;
            Ok(q)
        })
        .unwrap();
    }
    let drive = SynSpec::static_synapse(100.0, 1.0);
    for (nodes, trains) in [(pre, &case["pre"]), (post, &case["post"])] {
        for (i, times) in trains.as_array().unwrap().iter().enumerate() {
            let spike_times = times.as_array().unwrap().iter().map(num).collect();
            let sg = net
                .create_spike_generator(SpikeGeneratorParams {
                    spike_times,
                    ..Default::default()
                })
                .unwrap();
            let one = nodes.slice(i..i + 1).unwrap();
            net.connect(&sg, &one, ConnRule::all_to_all(), &drive)
                .unwrap();
        }
    }
    let pick = |c: &NodeCollection, v: &Value| -> Vec<NodeCollection> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let i = i.as_u64().unwrap() as usize;
                c.slice(i..i + 1).unwrap()
            })
            .collect()
    };
    for conn in case["connections"].as_array().unwrap() {
        let mut syn = SynSpec::model(conn["synapse_model"].as_str().unwrap());
        for (k, v) in params(&conn["syn_spec"]) {
            syn = match k.as_str() {
                "weight" => syn.with_weight(v),
                "delay" => syn.with_delay(v),
                _ => syn.with_param(&k, v),
            };
        }
        // One Connect per presynaptic neuron: all_to_all onto the chosen
        // postsynaptic neurons, which are consecutive in every case.
        let targets = pick(&post, &conn["post"]);
        let first = targets[0].first();
        let tgt = NodeCollection::from_range(first, targets.len() as u32).unwrap();
        for src in pick(&pre, &conn["pre"]) {
            net.connect(&src, &tgt, ConnRule::all_to_all(), &syn)
                .unwrap();
        }
    }
    let all = pre.join(&post).unwrap();
    let rec = common::recorder(&mut net, &all);
    let mut sim = Simulation::build(net, Config::threads(threads)).unwrap();
    let filter = ConnectionFilter {
        sources: Some(pre),
        targets: Some(post),
        synapse_model: None,
    };
    let mut chunks = Vec::new();
    for ms in case["chunks"].as_array().unwrap() {
        sim.simulate(num(ms)).unwrap();
        let mut weights: Vec<(u64, u64, f64)> = sim
            .connections(&filter)
            .iter()
            .map(|c| {
                (
                    (c.source - pre.first()) as u64,
                    (c.target - post.first()) as u64,
                    c.weight,
                )
            })
            .collect();
        weights.sort_by_key(|a| (a.0, a.1));
        let lengths = post.iter().map(|id| sim.archiver_length(id)).collect();
        chunks.push((weights, lengths));
    }
    let ev = sim.spike_events(rec.first()).unwrap();
    let mut spikes: Vec<(f64, u64)> = ev
        .times
        .iter()
        .zip(&ev.senders)
        .map(|(&t, &s)| (t, (s - pre.first()) as u64))
        .collect();
    spikes.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (chunks, spikes)
}

fn params_map(v: &Value) -> Vec<(String, Value)> {
    v.as_object()
        .map(|o| o.iter().map(|(k, x)| (k.clone(), x.clone())).collect())
        .unwrap_or_default()
}

#[test]
fn weights_and_archives_match_nest() {
    let cases = cases();
    assert!(cases.len() >= 5);
    for (name, case) in &cases {
        let (chunks, spikes) = run(case, 1);
        let nest = &case["nest"];
        let want_spikes: Vec<(f64, u64)> = nest["spikes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (num(&s[0]), s[1].as_u64().unwrap()))
            .collect();
        // NEST's recorder and Spindle's may round a time's last bit apart.
        let grid = |v: &[(f64, u64)]| {
            v.iter()
                .map(|&(t, i)| ((t * 1e6).round() as i64, i))
                .collect::<Vec<_>>()
        };
        assert_eq!(grid(&spikes), grid(&want_spikes), "{name}: spikes");
        let (mut worst, mut identical, mut total) = (0.0f64, 0, 0);
        for (k, (chunk, want)) in chunks
            .iter()
            .zip(nest["chunks"].as_array().unwrap())
            .enumerate()
        {
            let want_w = want["weights"].as_array().unwrap();
            assert_eq!(chunk.0.len(), want_w.len(), "{name}: connections");
            for ((s, t, w), row) in chunk.0.iter().zip(want_w) {
                let (ws, wt, ww) = (
                    row[0].as_u64().unwrap(),
                    row[1].as_u64().unwrap(),
                    num(&row[2]),
                );
                assert_eq!((*s, *t), (ws, wt), "{name}: chunk {k}");
                let rel = (w - ww).abs() / ww.abs().max(f64::MIN_POSITIVE);
                worst = worst.max(rel);
                identical += usize::from(w.to_bits() == ww.to_bits());
                total += 1;
                assert!(
                    rel <= 1e-12,
                    "{name}: chunk {k}, {s} -> {t}: spindle {w}, NEST {ww}"
                );
            }
            let lengths: Vec<usize> = want["archiver_length"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as usize)
                .collect();
            assert_eq!(chunk.1, lengths, "{name}: chunk {k}: archiver_length");
        }
        // Three threads: the same bits.
        let (three, spikes3) = run(case, 3);
        assert_eq!(spikes3, spikes, "{name}: spikes on 3 threads");
        for (a, b) in chunks.iter().zip(&three) {
            assert_eq!(a.1, b.1, "{name}: archives on 3 threads");
            let bits = |c: &[(u64, u64, f64)]| {
                c.iter()
                    .map(|x| (x.0, x.1, x.2.to_bits()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(bits(&a.0), bits(&b.0), "{name}: weights on 3 threads");
        }
        println!(
            "{name}: {total} weights over {} chunks, {identical} bit-identical to NEST, \
             max relative difference {worst:e}; {} spikes",
            chunks.len(),
            spikes.len()
        );
    }
}
