//! Unit tests of `iaf_psc_exp`.

use super::propagators::{exp_propagator, refractory_steps};
use super::*;
use crate::{InputRing, Isa, PoissonInput, SliceOutput};
use spindle_core::Step;

fn h01() -> Resolution {
    Resolution::new(0.1).unwrap()
}

#[test]
fn defaults_are_nests() {
    // NEST 3.10: nest.GetDefaults("iaf_psc_exp").
    let p = IafPscExpParams::default();
    assert_eq!(
        (p.c_m, p.tau_m, p.tau_syn_ex, p.tau_syn_in, p.t_ref),
        (250.0, 10.0, 2.0, 2.0, 2.0)
    );
    assert_eq!(
        (p.e_l, p.v_reset, p.v_th, p.i_e, p.v_m),
        (-70.0, -70.0, -55.0, 0.0, -70.0)
    );
    assert_eq!((p.rho, p.delta), (0.01, 0.0));
    assert!(p.validate().is_ok());
    assert_eq!(IAF_PSC_EXP.name(), "iaf_psc_exp");
    let names: Vec<_> = IAF_PSC_EXP.recordables().iter().map(|r| r.name).collect();
    assert_eq!(names, ["V_m", "I_syn_ex", "I_syn_in"]);
    assert!(
        IAF_PSC_EXP.params().iter().all(|p| p.name != "V_min"),
        "NEST's iaf_psc_exp has no V_min"
    );
    assert_eq!(crate::neuron_model("iaf_psc_exp"), Some(&IAF_PSC_EXP as _));
}

#[test]
fn validation_messages_are_nests() {
    let bad = |f: fn(&mut IafPscExpParams)| {
        let mut p = IafPscExpParams::default();
        f(&mut p);
        p.validate().unwrap_err().to_string()
    };
    // NEST 3.10's messages, in its order of checks.
    assert_eq!(
        bad(|p| p.v_reset = -55.0),
        "Reset potential must be smaller than threshold."
    );
    assert_eq!(
        bad(|p| {
            p.v_reset = -50.0;
            p.c_m = 0.0;
        }),
        "Reset potential must be smaller than threshold."
    );
    assert_eq!(
        bad(|p| p.c_m = 0.0),
        "Capacitance must be strictly positive."
    );
    let tau = "Membrane and synapse time constants must be strictly positive.";
    assert_eq!(bad(|p| p.tau_m = -1.0), tau);
    assert_eq!(bad(|p| p.tau_syn_ex = 0.0), tau);
    assert_eq!(bad(|p| p.tau_syn_in = 0.0), tau);
    assert_eq!(
        bad(|p| p.t_ref = -0.1),
        "Refractory time must not be negative."
    );
    assert_eq!(
        bad(|p| p.rho = -1.0),
        "Stochastic firing intensity must not be negative."
    );
    assert_eq!(
        bad(|p| p.delta = -1.0),
        "Width of threshold region must not be negative."
    );
    // Spindle's own: finite values, and no escape noise.
    assert_eq!(
        bad(|p| p.c_m = f64::NAN),
        "Parameter C_m must be a finite number."
    );
    assert_eq!(
        bad(|p| p.delta = f64::INFINITY),
        "Parameter delta must be a finite number."
    );
    let noisy = bad(|p| p.delta = 0.5);
    assert!(noisy.contains("not implemented"), "{noisy}");
    // NEST's update takes delta < 1e-10 for the hard threshold.
    for ok in [
        IafPscExpParams {
            t_ref: 0.0,
            ..Default::default()
        },
        IafPscExpParams {
            delta: 1e-11,
            rho: 5.0,
            ..Default::default()
        },
    ] {
        assert!(ok.validate().is_ok(), "{ok:?}");
    }
    assert!(
        IafPscExpParams {
            delta: 1e-10,
            ..Default::default()
        }
        .validate()
        .is_err()
    );
}

#[test]
fn propagators_match_the_closed_forms() {
    let p = Propagators::new(&IafPscExpParams::default(), h01());
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-14 * b.abs();
    // tau_s tau_m / (C (tau_m - tau_s)) (exp(-h/tau_m) - exp(-h/tau_s)).
    assert!(close(p.p21_ex, 0.000_388_204_092_484_540_9), "{}", p.p21_ex);
    assert_eq!(p.p21_ex, p.p21_in);
    assert!(close(p.p20, 0.000_398_006_650_033_275_75), "{}", p.p20);
    assert_eq!(p.p11_ex, (-0.1f64 / 2.0).exp());
    assert_eq!(p.p22, (-0.1f64 / 10.0).exp());
    assert_eq!(p.refractory_steps, 20);
    assert_eq!((p.theta, p.v_reset), (15.0, 0.0));
}

#[test]
fn singular_case_is_the_limit() {
    let h = 0.1;
    // tau_m == tau_syn: the regular form is NaN, NEST's limit applies.
    let sing = exp_propagator(5.0, 5.0, 250.0, h);
    assert_eq!(sing, h * (1.0 / 250.0) * (-h * (1.0 / 5.0)).exp());
    assert!((sing - 0.000_392_079_469_322_702_1).abs() < 1e-18);
    // Nearby the regular form is in use and tends to it continuously.
    for eps in [1e-3, 1e-6, 1e-9] {
        let near = exp_propagator(5.0 + eps, 5.0, 250.0, h);
        assert!(near.is_normal() && near > 0.0);
        assert!((near - sing).abs() < 2.0 * eps * sing, "{eps}: {near}");
    }
    let p = Propagators::new(
        &IafPscExpParams {
            tau_m: 5.0,
            tau_syn_ex: 5.0,
            tau_syn_in: 5.0,
            ..Default::default()
        },
        h01(),
    );
    assert_eq!((p.p21_ex, p.p21_in), (sing, sing));
}

#[test]
fn refractory_time_rounds_up_to_steps_as_nest() {
    // NEST 3.10: Time(Time::ms(t_ref)).get_steps() rounds up (measured:
    // t_ref 1.51 ms and 1.55 ms give the same intervals as 1.6 ms).
    let r = h01();
    assert_eq!(refractory_steps(2.0, r), 20);
    assert_eq!(refractory_steps(1.5, r), 15);
    assert_eq!(refractory_steps(1.51, r), 16);
    assert_eq!(refractory_steps(1.55, r), 16);
    assert_eq!(refractory_steps(1.5004, r), 15, "rounded to a tic first");
    assert_eq!(refractory_steps(0.0, r), 0);
    let r = Resolution::new(0.125).unwrap();
    assert_eq!(refractory_steps(1.3, r), 11);
    assert_eq!(refractory_steps(1.5, r), 12);
}

#[test]
fn dc_input_fires_regularly_and_respects_refractoriness() {
    let params = IafPscExpParams {
        i_e: 600.0,
        ..Default::default()
    };
    let mut pop = IafPscExpPopulation::new(&params, h01(), 0, 1);
    let mut ring = InputRing::new(1, 4);
    let mut poisson = PoissonInput::empty(1);
    let mut out = SliceOutput::default();
    let mut spikes = Vec::new();
    for slice in 0..100u64 {
        out.spikes.clear();
        pop.update_on(
            Isa::Portable,
            slice * 20,
            0,
            20,
            &mut ring,
            &mut poisson,
            &mut out,
        );
        spikes.extend(
            out.spikes
                .iter()
                .map(|&(_, lag)| slice * 20 + lag as u64 + 1),
        );
    }
    // NEST 3.10: first spike at 9.9 ms, then every 11.9 ms (2 ms of it
    // refractory).
    assert_eq!(spikes[0], 99);
    assert!(spikes.windows(2).all(|w| w[1] - w[0] == 119), "{spikes:?}");
}

#[test]
fn a_spike_jumps_the_current_and_decays() {
    let mut pop = IafPscExpPopulation::new(&IafPscExpParams::default(), h01(), 0, 1);
    let mut ring = InputRing::new(1, 8);
    let mut poisson = PoissonInput::empty(1);
    let mut out = SliceOutput::default();
    ring.add(2, 0, 100.0);
    ring.add(2, 0, -40.0);
    pop.update_on(Isa::Portable, 0, 0, 3, &mut ring, &mut poisson, &mut out);
    // Arriving in step 2, the weights are the currents at its end; V_m
    // feels them from the next step on.
    assert_eq!((pop.recordable(0, 1), pop.recordable(0, 2)), (100.0, -40.0));
    assert_eq!(pop.recordable(0, 0), -70.0);
    pop.update_on(Isa::Portable, 3, 0, 1, &mut ring, &mut poisson, &mut out);
    let p = *pop.propagators();
    assert_eq!(pop.recordable(0, 1), 100.0 * p.p11_ex);
    assert_eq!(
        pop.recordable(0, 0),
        100.0 * p.p21_ex + -40.0 * p.p21_in + -70.0
    );
}

/// Every vector unit's copy of the update gives the same bits: 40
/// Poisson-driven neurons (two 16-lane blocks and a remainder) with
/// recurrent-like ring input, 200 slices, spikes and the whole state
/// compared.
#[test]
fn every_vector_path_gives_the_same_bits() {
    let params = IafPscExpParams {
        tau_m: 20.0,
        tau_syn_ex: 0.5,
        tau_syn_in: 1.5,
        e_l: 0.0,
        v_reset: 0.0,
        v_m: 0.0,
        v_th: 20.0,
        ..Default::default()
    };
    let run = |isa: Isa, counts_only: bool| {
        let n = 40;
        let mut pop = IafPscExpPopulation::new(&params, h01(), 0, n);
        let mut ring = InputRing::with_counts(n, 40, &[-120.0]);
        let mut poisson = PoissonInput::one_generator(n, 1.78, 87.8, 15, (7, 1));
        let mut out = SliceOutput::default();
        for slice in 0..200u64 {
            let origin = slice * 15;
            for i in 0..n {
                let step = origin + 15 + (i as u64 % 15);
                if counts_only {
                    ring.count_row_mut(0, step)[i] += (i % 3) as u16;
                } else {
                    ring.add(step, i, -120.0 * (i % 3) as f64);
                }
            }
            pop.update_on(isa, origin, 0, 15, &mut ring, &mut poisson, &mut out);
        }
        let state: Vec<[u64; 3]> = (0..n)
            .map(|i| [0, 1, 2].map(|r| pop.recordable(i, r).to_bits()))
            .collect();
        (out.spikes, state)
    };
    for counts_only in [false, true] {
        let portable = run(Isa::Portable, counts_only);
        assert!(
            portable.0.len() > 100,
            "the neurons fire: {}",
            portable.0.len()
        );
        for isa in [Isa::Avx2, Isa::Avx512] {
            if isa.available() {
                assert_eq!(run(isa, counts_only), portable, "{isa:?}");
            }
        }
    }
}

/// A sampled neuron goes the single-neuron path, its neighbours the
/// 16-lane one: the same bits either way.
#[test]
fn sampled_and_block_neurons_agree() {
    use crate::poisson::{PoissonDrive, PoissonSampler};
    use spindle_core::rng::{Purpose, stream_state};

    let n = 32;
    let run = |probe: bool| {
        let mut pop = IafPscExpPopulation::new(&IafPscExpParams::default(), h01(), 0, n);
        if probe {
            pop.attach_probe(3, 0, 1);
        }
        let mut ring = InputRing::new(n, 32);
        let drive = PoissonDrive {
            sampler: PoissonSampler::new(2.0),
            weight: 300.0,
            delay: 10,
            t_min: 0,
            t_max: Step::MAX,
        };
        // Every neuron the same stream: the same trajectory.
        let per_neuron = (0..n)
            .map(|_| vec![(0, stream_state(3, Purpose::Poisson, 1, 0))])
            .collect();
        let mut poisson = PoissonInput::new(vec![drive], per_neuron);
        let mut out = SliceOutput::default();
        for slice in 0..100u64 {
            pop.update_on(
                Isa::widest(),
                slice * 10,
                0,
                10,
                &mut ring,
                &mut poisson,
                &mut out,
            );
        }
        (pop, out)
    };
    let (sampled, out) = run(true);
    let (plain, _) = run(false);
    assert_eq!(out.samples.len(), 1000);
    let last = out.samples.last().unwrap();
    for r in 0..3 {
        assert_eq!(
            out.values[last.at as usize + r].to_bits(),
            sampled.recordable(3, r).to_bits()
        );
        for i in 0..n {
            assert_eq!(
                sampled.recordable(i, r).to_bits(),
                plain.recordable(3, r).to_bits(),
                "neuron {i}, recordable {r}"
            );
        }
    }
}

#[test]
fn parameters_by_name_follow_the_typed_view() {
    let p = IafPscExpParams {
        tau_m: 20.0,
        v_th: 20.0,
        ..Default::default()
    };
    let mut named = NeuronParams::from(p);
    assert_eq!(named.get("tau_m"), Ok(20.0));
    assert_eq!(named.get("rho"), Ok(0.01));
    named.set("C_m", 0.0).unwrap();
    assert_eq!(
        named.validate(),
        Err(ParamError::Invalid(
            "Capacitance must be strictly positive.".into()
        ))
    );
    assert!(named.set("V_min", 1.0).is_err());
    let defaults = NeuronParams::defaults(&IAF_PSC_EXP);
    assert_eq!(defaults, NeuronParams::from(IafPscExpParams::default()));
    assert_eq!(
        IafPscExpParams::from_values(&p.to_values()),
        p,
        "the value order round-trips"
    );
}

#[test]
fn an_infinite_threshold_is_taken_and_never_fires() {
    // NEST's test_iaf_singularity sets V_th = inf to keep the neuron silent.
    let params = IafPscExpParams {
        v_th: f64::INFINITY,
        i_e: 1000.0,
        ..IafPscExpParams::default()
    };
    assert!(params.validate().is_ok());
    for bad in [f64::NEG_INFINITY, f64::NAN] {
        assert!(
            IafPscExpParams {
                v_th: bad,
                ..params
            }
            .validate()
            .is_err()
        );
    }
    let mut pop = IafPscExpPopulation::new(&params, h01(), 0, 1);
    let mut ring = InputRing::new(1, 4);
    let mut poisson = PoissonInput::empty(1);
    let mut out = SliceOutput::default();
    for slice in 0..50u64 {
        pop.update_on(
            Isa::Portable,
            slice * 20,
            0,
            20,
            &mut ring,
            &mut poisson,
            &mut out,
        );
    }
    assert!(out.spikes.is_empty());
}
