//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use spindle::brunel::{self, BrunelParams};
use spindle::engine::{Config, Simulation};
use spindle::models::devices::{MultimeterParams, RecordTo, SpikeRecorderParams};
use spindle::network::{ConnRule, Network, NodeCollection, SynSpec};

/// Path of a file in `tests/data/`.
pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Rows of a CSV file in `tests/data/` (header skipped), as numbers.
pub fn csv(name: &str) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(data(name)).expect("reference file");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.parse().expect("a number")).collect())
        .collect()
}

/// Build and run the seed network at `order` for `simtime` ms.
pub fn run_brunel(
    order: usize,
    threads: usize,
    seed: u64,
    simtime: f64,
) -> (brunel::Brunel, Simulation) {
    let p = BrunelParams {
        order,
        seed,
        record_to: RecordTo::Memory,
        ..Default::default()
    };
    let b = brunel::build(&p).expect("valid parameters");
    let mut sim = Simulation::build(b.net.clone(), Config::threads(threads)).expect("builds");
    sim.simulate(simtime).expect("runs");
    (b, sim)
}

/// A multimeter for `recordables`, every step, not yet connected.
pub fn multimeter_unconnected(net: &mut Network, recordables: &[&str]) -> NodeCollection {
    net.create_multimeter(MultimeterParams {
        interval: None,
        record_from: recordables.iter().map(|r| r.to_string()).collect(),
        ..Default::default()
    })
    .expect("a valid multimeter")
}

/// A spike recorder keeping the spikes of `neurons` in memory.
pub fn recorder(net: &mut Network, neurons: &NodeCollection) -> NodeCollection {
    let rec = net
        .create_spike_recorder(SpikeRecorderParams {
            label: String::new(),
            record_to: RecordTo::Memory,
            ..Default::default()
        })
        .expect("a valid recorder");
    net.connect(
        neurons,
        &rec,
        ConnRule::all_to_all(),
        &SynSpec::model("static_synapse"),
    )
    .expect("neurons connect to recorders");
    rec
}

/// A multimeter sampling `recordables` of `neurons` every step.
pub fn multimeter(
    net: &mut Network,
    neurons: &NodeCollection,
    recordables: &[&str],
) -> NodeCollection {
    let mm = multimeter_unconnected(net, recordables);
    net.connect(
        &mm,
        neurons,
        ConnRule::all_to_all(),
        &SynSpec::model("static_synapse"),
    )
    .expect("multimeters connect to neurons");
    mm
}

/// Bad input must fail with one line on stderr that names `needle`, and
/// never with a panic.
pub fn assert_one_line_error(o: &std::process::Output, what: &str, needle: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{what} should fail");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{what}: one line, got {err:?}"
    );
    assert!(
        err.contains(needle),
        "{what}: {err:?} should name {needle:?}"
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
}
