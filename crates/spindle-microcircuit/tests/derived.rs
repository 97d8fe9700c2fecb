//! Every derived number against what the vendored example's own Python
//! computes (`tests/data/microcircuit/derived.json`, written by
//! `scripts/nest_reference/microcircuit_derived.py` with numpy), at scales
//! 0.1 and 1 and both drives: integers equal, floats equal to the bit.

use serde_json::Value;
use spindle_microcircuit::{Drive, MicrocircuitParams, NUM_POPS};

const DERIVED: &str = include_str!("../../../tests/data/microcircuit/derived.json");

fn bits(v: &Value) -> Vec<u64> {
    match v {
        Value::Array(a) => a.iter().flat_map(bits).collect(),
        Value::Number(n) => vec![n.as_u64().expect("bits are u64")],
        _ => panic!("not bits: {v}"),
    }
}

fn ints(v: &Value) -> Vec<u64> {
    match v {
        Value::Array(a) => a.iter().flat_map(ints).collect(),
        Value::Number(n) => vec![n.as_u64().expect("a count")],
        _ => panic!("not a count: {v}"),
    }
}

/// `ours` equals the example's `name` to the bit.
fn same(case: &Value, name: &str, ours: &[f64]) {
    let theirs = bits(&case[format!("{name}_bits")]);
    assert_eq!(theirs.len(), ours.len(), "{name}: length");
    for (k, (&t, &o)) in theirs.iter().zip(ours).enumerate() {
        assert_eq!(
            o.to_bits(),
            t,
            "{name}[{k}] at scale {} {}: ours {o:e}, the example's {:e}",
            case["scale"],
            case["drive"],
            f64::from_bits(t)
        );
    }
}

#[test]
fn every_derived_number_is_the_examples() {
    let doc: Value = serde_json::from_str(DERIVED).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4, "scales 0.1 and 1, both drives");
    for case in cases {
        let scale = case["scale"].as_f64().unwrap();
        let drive = Drive::from_name(case["drive"].as_str().unwrap()).unwrap();
        let d = MicrocircuitParams::at_scale(scale, drive).derive();
        let flat =
            |m: &[[f64; NUM_POPS]; NUM_POPS]| m.iter().flatten().copied().collect::<Vec<_>>();
        assert_eq!(d.num_neurons.to_vec(), ints(&case["num_neurons"]));
        assert_eq!(
            d.num_synapses.iter().flatten().copied().collect::<Vec<_>>(),
            ints(&case["num_synapses"])
        );
        assert_eq!(d.ext_indegrees.to_vec(), ints(&case["ext_indegrees"]));
        same(case, "full_num_synapses", &flat(&d.full_num_synapses));
        same(case, "PSC_over_PSP", &[d.psc_over_psp]);
        same(case, "weight_matrix_mean", &flat(&d.weight_matrix_mean));
        same(case, "weight_ext", &[d.weight_ext]);
        same(case, "DC_amp", &d.dc_amp);
        same(case, "poisson_rates", &d.poisson_rates);
        same(case, "rheobase", &[d.rheobase]);
        same(case, "delay_matrix_mean", &flat(&d.delay_matrix_mean));
        same(case, "delay_min", &[d.delay_min]);
        assert_eq!(
            d.sub_threshold.len() as u64,
            case["sub_threshold_warnings"].as_u64().unwrap()
        );
    }
}
