//! `iaf_psc_delta` against NEST 3.10's own output
//! (`tests/data/iaf_psc_delta/`, written by
//! `scripts/nest_reference/iaf_psc_delta.py`): single-neuron traces, at
//! resolutions 0.1 and 0.125 ms, that must match to 1e-9 with the same
//! spike times. The cases repeat the script's `CASES`.

mod common;

use common::csv;
use spindle::core::Resolution;
use spindle::engine::{Config, Simulation};
use spindle::models::IafPscDeltaParams;
use spindle::models::devices::SpikeGeneratorParams;
use spindle::network::{ConnRule, Network, SynSpec};

/// The script's connection delay [ms].
const DELAY: f64 = 1.0;

/// One neuron with `params`, driven by spike generators (times, weight in
/// mV), recorded every step; the V_m trace (time, value) and spike times.
fn run(
    h: f64,
    params: IafPscDeltaParams,
    inputs: &[(&[f64], f64)],
    simtime: f64,
) -> (Vec<(f64, f64)>, Vec<f64>) {
    let mut net = Network::new(Resolution::new(h).unwrap(), 1);
    let neuron = net.create_neurons(1, params).unwrap();
    for (times, weight) in inputs {
        let sg = net
            .create_spike_generator(SpikeGeneratorParams {
                spike_times: times.to_vec(),
                ..Default::default()
            })
            .unwrap();
        net.connect(
            &sg,
            &neuron,
            ConnRule::all_to_all(),
            &SynSpec::static_synapse(*weight, DELAY),
        )
        .unwrap();
    }
    let mm = common::multimeter(&mut net, &neuron, &["V_m"]);
    let sr = common::recorder(&mut net, &neuron);
    let mut sim = Simulation::build(net, Config::threads(1)).unwrap();
    sim.simulate(simtime).unwrap();
    let events = sim.multimeter_events(mm.first()).unwrap();
    let v = events.get("V_m").unwrap();
    let trace = events
        .times
        .iter()
        .copied()
        .zip(v.iter().copied())
        .collect();
    (trace, sim.spike_events(sr.first()).unwrap().times)
}

/// Run `case` at both resolutions and compare with NEST; returns the
/// largest |V_m difference| per resolution.
fn check(
    case: &str,
    params: IafPscDeltaParams,
    inputs: &[(&[f64], f64)],
    simtime: f64,
) -> [f64; 2] {
    let mut worst = [0.0; 2];
    for (k, (tag, h)) in [("0.1", 0.1), ("0.125", 0.125)].into_iter().enumerate() {
        let name = format!("iaf_psc_delta/{case}_h{tag}");
        let (trace, spikes) = run(h, params, inputs, simtime);
        let reference = csv(&format!("{name}.csv"));
        assert_eq!(trace.len(), reference.len(), "{name}: number of samples");
        for ((t, v), row) in trace.iter().zip(&reference) {
            assert!(
                (t - row[0]).abs() < 1e-9,
                "{name}: sample at {t}, NEST {}",
                row[0]
            );
            let d = (v - row[1]).abs();
            assert!(
                d <= 1e-9,
                "{name}: V_m at {t} ms: spindle {v}, NEST {}",
                row[1]
            );
            worst[k] = f64::max(worst[k], d);
        }
        let want: Vec<f64> = csv(&format!("{name}_spikes.csv"))
            .iter()
            .map(|r| r[0])
            .collect();
        assert_eq!(
            spikes.len(),
            want.len(),
            "{name}: spikes {spikes:?}, NEST {want:?}"
        );
        for (g, w) in spikes.iter().zip(&want) {
            assert_eq!(
                (g / h).round(),
                (w / h).round(),
                "{name}: spike at {g}, NEST {w}"
            );
        }
        eprintln!(
            "{name}: {} samples, {} spikes, max |dV_m| {:e}",
            trace.len(),
            spikes.len(),
            worst[k]
        );
    }
    worst
}

#[test]
fn excitatory_jumps_sum_to_threshold() {
    let worst = check(
        "exc",
        IafPscDeltaParams::default(),
        &[
            (&[5.0, 5.5, 6.0, 20.0], 6.0),
            (&[30.0, 40.0, 40.5, 41.0], 5.5),
            (&[30.0], 4.0),
        ],
        60.0,
    );
    // One input per step, or two of one sign: NEST's sums, to the bit.
    assert_eq!(worst, [0.0; 2]);
}

#[test]
fn inhibitory_jumps_alone_and_with_excitatory_ones() {
    let params = IafPscDeltaParams {
        e_l: -65.0,
        v_m: -60.0,
        tau_m: 15.0,
        ..Default::default()
    };
    let worst = check(
        "inh",
        params,
        &[
            (&[5.0, 10.0, 10.5, 30.0], -3.5),
            (&[10.0, 30.0, 35.0], 2.25),
        ],
        60.0,
    );
    assert_eq!(worst, [0.0; 2]);
}

#[test]
fn constant_current_fires_regularly() {
    let params = IafPscDeltaParams {
        i_e: 420.0,
        c_m: 200.0,
        t_ref: 2.3,
        v_reset: -68.0,
        v_m: -75.0,
        ..Default::default()
    };
    let worst = check("dc", params, &[], 100.0);
    assert_eq!(worst, [0.0; 2]);
}

const REFRACTORY_INPUTS: &[(&[f64], f64)] = &[
    (&[10.0], 20.0),
    (&[10.5, 11.0, 11.5, 12.0], 4.0),
    (&[11.0, 11.5], -1.5),
    (&[25.0], 20.0),
];

#[test]
fn input_during_refractoriness_is_dropped() {
    let params = IafPscDeltaParams {
        i_e: 300.0,
        refractory_input: false,
        ..Default::default()
    };
    let worst = check("refr_input_false", params, REFRACTORY_INPUTS, 50.0);
    assert_eq!(worst, [0.0; 2]);
}

#[test]
fn input_during_refractoriness_is_kept_with_refractory_input() {
    let params = IafPscDeltaParams {
        i_e: 300.0,
        refractory_input: true,
        ..Default::default()
    };
    let worst = check("refr_input_true", params, REFRACTORY_INPUTS, 50.0);
    assert_eq!(worst, [0.0; 2]);
}

#[test]
fn potential_is_bounded_by_v_min() {
    let params = IafPscDeltaParams {
        v_min: -74.5,
        i_e: -50.0,
        ..Default::default()
    };
    let worst = check(
        "v_min",
        params,
        &[
            (&[2.0, 3.0, 4.0, 5.0, 6.0, 20.0], -3.0),
            (&[25.0, 25.5, 26.0, 26.5], 6.0),
        ],
        50.0,
    );
    assert_eq!(worst, [0.0; 2]);
}

#[test]
fn mixed_inputs_in_one_step_match_to_1e_9() {
    // NEST adds a step's inputs in arrival order, Spindle the excitatory
    // and the inhibitory ones apart, then the two sums: the last bits of
    // the jump may differ, within the 1e-9 `check` requires.
    let times: &[f64] = &[5.0, 10.0, 15.0, 20.0, 25.0];
    let worst = check(
        "mixed_same_step",
        IafPscDeltaParams::default(),
        &[(times, 0.1), (times, -0.3), (times, 0.7), (times, -0.45)],
        40.0,
    );
    assert!(worst.iter().all(|&d| d < 1e-12), "{worst:?}");
}
