//! Spindle against NEST 3.10's own output (`tests/data/`, copied from the
//! project's reference set): single-neuron traces that must match to 1e-9,
//! Poisson-driven statistics, and the seed's derived constants.

mod common;

use common::csv;
use spindle::brunel::{BrunelParams, seed_neuron};
use spindle::core::Resolution;
use spindle::engine::{Config, MultimeterEvents, Simulation};
use spindle::models::IafPscAlphaParams;
use spindle::models::devices::{PoissonGeneratorParams, SpikeGeneratorParams};
use spindle::network::{ConnRule, Network, SynSpec};

const J_EX: f64 = 20.68015524367846;

/// One seed neuron with the given spike-generator inputs (times, weight),
/// recorded by a multimeter and a spike recorder.
fn single_neuron(
    params: IafPscAlphaParams,
    inputs: &[(Vec<f64>, f64)],
    simtime: f64,
) -> (MultimeterEvents, Vec<f64>) {
    let mut net = Network::new(Resolution::new(0.1).unwrap(), 1);
    let neuron = net.create_neurons(1, params).unwrap();
    for (times, weight) in inputs {
        let sg = net
            .create_spike_generator(SpikeGeneratorParams {
                spike_times: times.clone(),
                ..Default::default()
            })
            .unwrap();
        let syn = SynSpec::static_synapse(*weight, 1.5);
        net.connect(&sg, &neuron, ConnRule::all_to_all(), &syn)
            .unwrap();
    }
    let mm = common::multimeter(&mut net, &neuron, &["V_m", "I_syn_ex", "I_syn_in"]);
    let sr = net.create_spike_recorder(Default::default()).unwrap();
    net.connect(
        &neuron,
        &sr,
        ConnRule::all_to_all(),
        &SynSpec::model("static_synapse"),
    )
    .unwrap();
    let mut sim = Simulation::build(net, Config::threads(1)).unwrap();
    sim.simulate(simtime).unwrap();
    (
        sim.multimeter_events(mm.first()).unwrap(),
        sim.spike_events(sr.first()).unwrap().times,
    )
}

fn compare(case: &str, trace: &MultimeterEvents, spikes: &[f64]) {
    let reference = csv(&format!("{case}.csv"));
    assert_eq!(
        trace.times.len(),
        reference.len(),
        "{case}: number of samples"
    );
    for (i, row) in reference.iter().enumerate() {
        assert!(
            (trace.times[i] - row[0]).abs() < 1e-9,
            "{case}: time of sample {i}"
        );
        let got = [
            trace.get("V_m").unwrap()[i],
            trace.get("I_syn_ex").unwrap()[i],
            trace.get("I_syn_in").unwrap()[i],
        ];
        for (name, (g, want)) in ["V_m", "I_syn_ex", "I_syn_in"]
            .iter()
            .zip(got.iter().zip(&row[1..]))
        {
            assert!(
                (g - want).abs() <= 1e-9,
                "{case}: {name} at {} ms: spindle {g}, NEST {want}",
                row[0]
            );
        }
    }
    let want: Vec<f64> = csv(&format!("{case}_spikes.csv"))
        .iter()
        .map(|r| r[0])
        .collect();
    assert_eq!(spikes.len(), want.len(), "{case}: spike count");
    for (g, w) in spikes.iter().zip(&want) {
        assert!((g - w).abs() < 1e-9, "{case}: spike at {g}, NEST {w}");
    }
}

#[test]
fn case_a_single_excitatory_spike() {
    let (trace, spikes) = single_neuron(seed_neuron(), &[(vec![10.0], J_EX)], 100.0);
    compare("case_a_single_exc_spike", &trace, &spikes);
    // The seed's calibration: the PSP peaks at J = 0.1 mV.
    let peak = trace
        .get("V_m")
        .unwrap()
        .iter()
        .cloned()
        .fold(f64::MIN, f64::max);
    assert!((peak - 0.09999246190370051).abs() < 1e-12);
}

#[test]
fn case_b_dense_train_with_resets() {
    let exc: Vec<f64> = (0..111).map(|i| (50 + 5 * i) as f64 / 10.0).collect();
    let inh = vec![15.0, 32.3, 32.3, 47.7];
    let (trace, spikes) = single_neuron(
        seed_neuron(),
        &[(exc, 15.0 * J_EX), (inh, -5.0 * J_EX)],
        100.0,
    );
    compare("case_b_dense_train", &trace, &spikes);
}

#[test]
fn case_c_constant_current() {
    let params = IafPscAlphaParams {
        i_e: 600.0,
        ..seed_neuron()
    };
    let (trace, spikes) = single_neuron(params, &[], 200.0);
    compare("case_c_constant_Ie600", &trace, &spikes);
}

#[test]
fn case_d_poisson_drive_statistics() {
    // NEST: 20 seeds, 500 ms: 30.75 +- 0.64 spikes, mean V_m 9.657 +- 0.074 mV.
    let (mut counts, mut means) = (Vec::new(), Vec::new());
    for seed in 1..=20 {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), seed);
        let neuron = net.create_neurons(1, seed_neuron()).unwrap();
        let pg = net
            .create_poisson_generator(PoissonGeneratorParams::with_rate(17789.007714721884))
            .unwrap();
        net.connect(
            &pg,
            &neuron,
            ConnRule::all_to_all(),
            &SynSpec::static_synapse(J_EX, 1.5),
        )
        .unwrap();
        let mm = common::multimeter(&mut net, &neuron, &["V_m"]);
        let mut sim = Simulation::build(net, Config::threads(1)).unwrap();
        sim.simulate(500.0).unwrap();
        let v = sim
            .multimeter_events(mm.first())
            .unwrap()
            .get("V_m")
            .unwrap()
            .to_vec();
        assert_eq!(v.len(), 5000);
        counts.push(sim.spike_count(neuron.first()).unwrap() as f64);
        means.push(v.iter().sum::<f64>() / v.len() as f64);
    }
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    // Standard errors of a 20-seed mean: 0.14 spikes, 0.017 mV; allow ~4.
    assert!(
        (mean(&counts) - 30.75).abs() < 0.6,
        "spike count {}",
        mean(&counts)
    );
    assert!(
        (mean(&means) - 9.657).abs() < 0.07,
        "mean V_m {}",
        mean(&means)
    );
}

#[test]
fn seed_constants_match_the_script() {
    for row in csv("seed_constants.csv") {
        let p = BrunelParams {
            order: row[0] as usize,
            ..Default::default()
        };
        let d = p.derive();
        assert_eq!(
            (d.ne, d.ni, d.ce, d.ci),
            (
                row[1] as usize,
                row[2] as usize,
                row[3] as usize,
                row[4] as usize
            )
        );
        let got = [
            d.t_max, d.j_unit, d.j_ex, d.j_in, d.nu_th, d.nu_ex, d.p_rate,
        ];
        for (g, want) in got.iter().zip(&row[5..]) {
            assert!(
                ((g - want) / want).abs() <= 1e-12,
                "order {}: {g} vs {want}",
                row[0]
            );
        }
    }
}
