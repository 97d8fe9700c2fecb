//! Unit tests of `iaf_psc_delta`.

use super::*;
use crate::{InputRing, Isa, PoissonInput, SliceOutput};
use spindle_core::Step;

fn params() -> IafPscDeltaParams {
    IafPscDeltaParams {
        tau_m: 20.0,
        e_l: 0.0,
        v_reset: 10.0,
        v_m: 0.0,
        v_th: 20.0,
        ..Default::default()
    }
}

/// Run one neuron through `steps` steps in slices of 10, with `inputs`
/// (step of arrival, weight in mV) in the ring; spikes as step numbers
/// (stamped at the end of the step) and V_m after each step.
fn run_one(p: &IafPscDeltaParams, inputs: &[(Step, f64)], steps: u64) -> (Vec<u64>, Vec<f64>) {
    let res = Resolution::new(0.1).unwrap();
    let mut pop = IafPscDeltaPopulation::new(p, res, 0, 1);
    pop.attach_probe(0, 0, 1);
    let mut ring = InputRing::new(1, 64);
    let mut poisson = PoissonInput::empty(1);
    let mut out = SliceOutput::default();
    let mut spikes = Vec::new();
    for slice in 0..steps / 10 {
        let origin = slice * 10;
        for &(step, w) in inputs {
            if (origin..origin + 10).contains(&step) {
                ring.add(step, 0, w);
            }
        }
        out.spikes.clear();
        pop.update_on(
            Isa::Portable,
            origin,
            0,
            10,
            &mut ring,
            &mut poisson,
            &mut out,
        );
        spikes.extend(out.spikes.iter().map(|&(_, lag)| origin + lag as u64 + 1));
    }
    (spikes, out.values)
}

#[test]
fn defaults_are_nests() {
    let p = IafPscDeltaParams::default();
    assert_eq!(
        (
            p.c_m, p.tau_m, p.t_ref, p.e_l, p.v_reset, p.v_th, p.i_e, p.v_m
        ),
        (250.0, 10.0, 2.0, -70.0, -70.0, -55.0, 0.0, -70.0)
    );
    // NEST 3.10's GetDefaults: V_min -1.7976931348623157e308, not -inf.
    assert_eq!(p.v_min, -1.797_693_134_862_315_7e308);
    assert!(!p.refractory_input);
    assert!(p.validate().is_ok());
    let names: Vec<_> = IAF_PSC_DELTA.params().iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        [
            "C_m",
            "tau_m",
            "t_ref",
            "E_L",
            "V_reset",
            "V_th",
            "V_min",
            "I_e",
            "V_m",
            "refractory_input",
            "ignore_and_spike",
            "ignore_and_spike_offset",
            "ignore_and_spike_interval"
        ]
    );
    assert!(!p.ignore_and_spike);
    assert_eq!(
        (p.ignore_and_spike_offset, p.ignore_and_spike_interval),
        (1.0, 100.0)
    );
    let recordables: Vec<_> = IAF_PSC_DELTA.recordables().iter().map(|r| r.name).collect();
    assert_eq!(recordables, ["V_m"]);
    assert_eq!(
        crate::neuron_model("iaf_psc_delta"),
        Some(&IAF_PSC_DELTA as _)
    );
}

#[test]
fn validation_messages_are_nests() {
    let bad = |f: fn(&mut IafPscDeltaParams)| {
        let mut p = IafPscDeltaParams::default();
        f(&mut p);
        IAF_PSC_DELTA
            .validate(&p.to_values())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(bad(|p| p.c_m = 0.0), "Capacitance must be > 0.");
    assert_eq!(
        bad(|p| p.tau_m = -1.0),
        "Membrane time constant must be > 0."
    );
    assert_eq!(
        bad(|p| p.t_ref = -0.1),
        "Refractory time must not be negative."
    );
    assert_eq!(
        bad(|p| p.v_reset = -55.0),
        "Reset potential must be smaller than threshold."
    );
    // NEST checks the reset first.
    assert_eq!(
        bad(|p| {
            p.v_reset = -50.0;
            p.c_m = -1.0;
        }),
        "Reset potential must be smaller than threshold."
    );
    // An infinite threshold keeps the neuron silent, as in NEST; NaN
    // and minus infinity are refused.
    assert_eq!(
        bad(|p| p.v_th = f64::NAN),
        "Parameter V_th must be a finite number."
    );
    assert_eq!(
        bad(|p| p.v_th = f64::NEG_INFINITY),
        "Parameter V_th must be a finite number."
    );
    let silent = IafPscDeltaParams {
        v_th: f64::INFINITY,
        ..Default::default()
    };
    assert!(IAF_PSC_DELTA.validate(&silent.to_values()).is_ok());
    assert_eq!(
        bad(|p| p.v_min = f64::NAN),
        "Parameter V_min must be a finite number."
    );
    let mut named = NeuronParams::defaults(&IAF_PSC_DELTA);
    named.set("refractory_input", 0.5).unwrap();
    assert_eq!(
        named.validate().unwrap_err().to_string(),
        REFRACTORY_INPUT_MESSAGE
    );
    named.set("refractory_input", 1.0).unwrap();
    assert!(named.validate().is_ok());
    let ok = IafPscDeltaParams {
        t_ref: 0.0,
        v_min: f64::NEG_INFINITY,
        ..Default::default()
    };
    assert!(ok.validate().is_ok());
}

#[test]
fn propagators_are_nests() {
    let res = Resolution::new(0.1).unwrap();
    let p = Propagators::new(&IafPscDeltaParams::default(), res);
    let h = res.h();
    assert_eq!(p.p33, (-h / 10.0f64).exp());
    assert_eq!(p.p30, 1.0 / 250.0 * (1.0 - p.p33) * 10.0);
    assert_eq!(p.refractory_steps, 20);
    assert_eq!(p.lower_bound, -f64::MAX);
    let odd = IafPscDeltaParams {
        t_ref: 2.3,
        refractory_input: true,
        ..Default::default()
    };
    let p = Propagators::new(&odd, Resolution::new(0.125).unwrap());
    assert_eq!(
        p.refractory_steps, 19,
        "2.3 ms rounded up to 0.125 ms steps"
    );
    let decay = p.refractory_decay();
    assert_eq!(decay.len(), 20);
    assert_eq!(decay[0], 1.0);
    assert_eq!(decay[19], (-19.0 * 0.125 / 10.0f64).exp());
    assert_eq!(decay[19], p.decay(19));
    // Without refractory_input nothing reads it; a t_ref of hours keeps a
    // bounded table (regression: 16 GB asked for) and computes the rest.
    let off = Propagators::new(&IafPscDeltaParams::default(), Resolution::new(0.1).unwrap());
    assert!(off.refractory_decay().is_empty());
    let long = Propagators::new(
        &IafPscDeltaParams {
            t_ref: 1e9,
            refractory_input: true,
            ..Default::default()
        },
        Resolution::new(0.1).unwrap(),
    );
    assert_eq!(long.refractory_decay().len(), (1 << 16) + 1);
    // As NEST 3.10 counts them (measured: V_m stays at V_reset that long).
    let r = |t: f64, h: f64| refractory_steps(t, Resolution::new(h).unwrap());
    assert_eq!(
        (r(2.0, 0.1), r(2.05, 0.1), r(2.3, 0.125), r(0.0, 0.1)),
        (20, 21, 19, 0)
    );
    assert_eq!((r(2.0004, 0.1), r(2.0006, 0.1), r(0.1, 0.1)), (20, 21, 1));
}

#[test]
fn a_spike_is_a_jump_of_the_weight() {
    let p = params();
    let (spikes, v) = run_one(&p, &[(5, 3.5), (5, -1.25), (30, -2.0)], 60);
    assert!(spikes.is_empty());
    assert_eq!(&v[..5], &[0.0; 5]);
    assert_eq!(v[5], 2.25, "ex and inh of one step both add");
    let p33 = Propagators::new(&p, Resolution::new(0.1).unwrap()).p33;
    assert_eq!(v[6], p33 * 2.25 + 0.0);
}

#[test]
fn dc_input_fires_regularly_and_respects_refractoriness() {
    let p = IafPscDeltaParams {
        i_e: 600.0,
        ..params()
    };
    let (spikes, v) = run_one(&p, &[], 2000);
    assert!(spikes.len() > 5);
    let isi = spikes[1] - spikes[0];
    assert!(spikes.windows(2).all(|w| w[1] - w[0] == isi), "{spikes:?}");
    // V_m sits at V_reset for the 20 refractory steps after each spike.
    let s = spikes[0] as usize; // sample s - 1 is the spike's step
    assert!(v[s - 1..s + 20].iter().all(|&x| x == 10.0));
    assert!(v[s + 20] > 10.0);
}

#[test]
fn refractory_input_is_kept_discounted_or_dropped() {
    // A 25 mV jump fires at step 3; 4 mV arrives with 10 steps left.
    let inputs = [(3, 25.0), (13, 4.0)];
    let dropped = run_one(&params(), &inputs, 40);
    let kept_params = IafPscDeltaParams {
        refractory_input: true,
        ..params()
    };
    let kept = run_one(&kept_params, &inputs, 40);
    assert_eq!(dropped.0, vec![4]);
    assert_eq!(kept.0, vec![4]);
    // Refractory: steps 4..=23; step 24 integrates.
    assert_eq!(dropped.1[23], 10.0);
    assert_eq!(kept.1[23], 10.0);
    let res = Resolution::new(0.1).unwrap();
    let pr = Propagators::new(&params(), res);
    let v = pr.p30_i_e + pr.p33 * 10.0 + 0.0;
    assert_eq!(dropped.1[24], v);
    // Step 13 is the 10th refractory step: 11 steps were left before it.
    let discount = (-11.0 * res.h() / 20.0f64).exp();
    assert_eq!(kept.1[24], v + (0.0 + 4.0 * discount));
}

#[test]
fn potential_is_clamped_at_v_min() {
    let p = IafPscDeltaParams {
        i_e: -1000.0,
        v_min: -5.0,
        ..params()
    };
    let (_, v) = run_one(&p, &[(50, -30.0)], 100);
    assert!(v[40..].iter().all(|&x| x == -5.0));
    let (_, v) = run_one(&params(), &[(50, -30.0)], 60);
    assert_eq!(v[50], -30.0, "no bound by default");
}

/// Every vector unit's copy of the update gives the same bits: 40
/// Poisson-driven neurons (two blocks of 16 and a remainder of 8, one
/// sampled) with ring input, for both `refractory_input` settings; spikes,
/// samples and the whole state compared.
#[test]
fn every_vector_path_gives_the_same_bits() {
    let res = Resolution::new(0.1).unwrap();
    let run = |isa: Isa, refractory_input: bool, ring_weights: bool| {
        let n = 40;
        let p = IafPscDeltaParams {
            refractory_input,
            v_min: -15.0,
            ..params()
        };
        let mut pop = IafPscDeltaPopulation::new(&p, res, 0, n);
        pop.attach_probe(17, 0, 1);
        // Counts only (the lane path with the Poisson draws in registers)
        // or weights too.
        let mut ring = InputRing::with_counts(n, 40, &[-1.5]);
        let mut poisson = PoissonInput::one_generator(n, 0.9, 0.8, 15, (7, 1));
        let mut out = SliceOutput::default();
        for slice in 0..200u64 {
            let origin = slice * 15;
            for i in 0..n {
                let step = origin + 15 + (i as u64 % 15);
                ring.count_row_mut(0, step)[i] += (i % 3) as u16;
                if ring_weights && i % 4 == 0 {
                    ring.add(step, i, 2.5);
                }
            }
            pop.update_on(isa, origin, 0, 15, &mut ring, &mut poisson, &mut out);
        }
        let state: Vec<[u64; 3]> = (0..n)
            .map(|i| {
                [
                    pop.v_m(i).to_bits(),
                    pop.refractory_buffer(i).to_bits(),
                    u64::from(pop.state.r[i]),
                ]
            })
            .collect();
        let values: Vec<u64> = out.values.iter().map(|v| v.to_bits()).collect();
        (out.spikes, values, state)
    };
    for refractory_input in [false, true] {
        for ring_weights in [false, true] {
            let portable = run(Isa::Portable, refractory_input, ring_weights);
            assert!(
                portable.0.len() > 100,
                "the neurons fire: {}",
                portable.0.len()
            );
            if refractory_input {
                assert!(portable.2.iter().any(|s| s[1] != 0), "some input is kept");
            }
            for isa in [Isa::Avx2, Isa::Avx512] {
                if isa.available() {
                    assert_eq!(
                        run(isa, refractory_input, ring_weights),
                        portable,
                        "{isa:?}, refractory_input {refractory_input}, weights {ring_weights}"
                    );
                }
            }
        }
    }
}

#[test]
fn parameters_by_name_follow_the_typed_view() {
    let p = IafPscDeltaParams {
        tau_m: 20.0,
        refractory_input: true,
        ..Default::default()
    };
    let mut named = NeuronParams::from(p);
    assert_eq!(named.get("tau_m"), Ok(20.0));
    assert_eq!(named.get("refractory_input"), Ok(1.0));
    named.set("C_m", 0.0).unwrap();
    assert_eq!(named.validate(), Err(ParamError::Capacitance));
    assert!(named.set("tau_syn_ex", 1.0).is_err());
    let defaults = NeuronParams::defaults(&IAF_PSC_DELTA);
    assert_eq!(defaults, NeuronParams::from(IafPscDeltaParams::default()));
    assert_eq!(
        IafPscDeltaParams::from_values(&p.to_values()),
        p,
        "the value order round-trips"
    );
}

/// NEST's `ignore_and_spike`: spikes at the offset and every interval
/// after it (5 ms, 15 ms, ... at 0.1 ms: stamped at steps 50, 150, ...),
/// whatever the input; reset and refractoriness as for any spike.
#[test]
fn ignore_and_spike_fires_at_fixed_times() {
    let forced = IafPscDeltaParams {
        ignore_and_spike: true,
        ignore_and_spike_offset: 5.0,
        ignore_and_spike_interval: 10.0,
        ..params()
    };
    // A jump far above threshold at step 20 fires nothing.
    let (spikes, v) = run_one(&forced, &[(20, 100.0)], 400);
    assert_eq!(spikes, vec![50, 150, 250, 350]);
    assert_eq!(v[49], 10.0, "reset at the forced spike");
    let bad = IafPscDeltaParams {
        ignore_and_spike_interval: 0.0,
        ..forced
    };
    assert_eq!(
        bad.validate(),
        Err(ParamError::Invalid(
            IGNORE_AND_SPIKE_INTERVAL_MESSAGE.into()
        ))
    );
}
