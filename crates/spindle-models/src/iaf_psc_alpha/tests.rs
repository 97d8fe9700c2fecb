//! Unit tests of `iaf_psc_alpha`.

use super::*;
use crate::{InputRing, Isa, PoissonInput, SliceOutput};
use spindle_core::Step;

fn seed_params() -> IafPscAlphaParams {
    IafPscAlphaParams {
        tau_m: 20.0,
        tau_syn_ex: 0.5,
        tau_syn_in: 0.5,
        e_l: 0.0,
        v_reset: 0.0,
        v_m: 0.0,
        v_th: 20.0,
        ..Default::default()
    }
}

#[test]
fn defaults_are_nests() {
    let p = IafPscAlphaParams::default();
    assert_eq!(
        (p.c_m, p.tau_m, p.t_ref, p.e_l, p.v_th),
        (250.0, 10.0, 2.0, -70.0, -55.0)
    );
    assert_eq!(p.v_min, f64::NEG_INFINITY);
    assert!(p.validate().is_ok());
}

#[test]
fn validation_messages_are_nests() {
    let bad = |f: fn(&mut IafPscAlphaParams)| {
        let mut p = IafPscAlphaParams::default();
        f(&mut p);
        p.validate().unwrap_err().to_string()
    };
    assert_eq!(bad(|p| p.c_m = 0.0), "Capacitance must be > 0.");
    assert_eq!(
        bad(|p| p.tau_m = -1.0),
        "Membrane time constant must be > 0."
    );
    assert_eq!(
        bad(|p| p.tau_syn_in = 0.0),
        "All synaptic time constants must be > 0."
    );
    assert_eq!(
        bad(|p| p.tau_syn_ex = 0.0),
        "All synaptic time constants must be > 0."
    );
    assert_eq!(
        bad(|p| p.t_ref = -0.1),
        "The refractory time t_ref can't be negative."
    );
    assert_eq!(
        bad(|p| p.v_reset = -55.0),
        "Reset potential must be smaller than threshold."
    );
    assert_eq!(
        bad(|p| p.c_m = f64::NAN),
        "Parameter C_m must be a finite number."
    );
    let ok = IafPscAlphaParams {
        t_ref: 0.0,
        ..Default::default()
    };
    assert!(ok.validate().is_ok());
}

#[test]
fn propagators_match_derived_values() {
    let p = Propagators::new(&seed_params(), Resolution::new(0.1).unwrap());
    assert!((p.p11_ex - 0.818_730_753_077_981_9).abs() < 1e-15);
    assert!((p.p30 - 3.990_025e-4).abs() < 1e-9);
    assert!((p.p32_ex - 3.616_04e-4).abs() < 1e-9);
    assert!((p.p31_ex - 1.749_29e-5).abs() < 1e-10);
    assert_eq!(p.refractory_steps, 20);
}

/// NEST 3.10 counts a `t_ref` off the grid up to whole steps (checked with
/// the wheel: 2.05 ms at 0.1 ms is 21 steps of silence after a spike).
#[test]
fn refractory_time_rounds_up_to_steps_as_nests() {
    let res = Resolution::new(0.1).unwrap();
    let p = |t_ref: f64| {
        Propagators::new(
            &IafPscAlphaParams {
                t_ref,
                ..seed_params()
            },
            res,
        )
    };
    assert_eq!(p(2.0).refractory_steps, 20);
    assert_eq!(p(2.05).refractory_steps, 21);
    assert_eq!(p(0.0).refractory_steps, 0);
}

#[test]
fn singular_case_is_finite_and_continuous() {
    let res = Resolution::new(0.1).unwrap();
    let mut sing = seed_params();
    sing.tau_m = 0.5;
    let near = IafPscAlphaParams {
        tau_m: 0.5 + 1e-6,
        ..sing
    };
    let a = Propagators::new(&sing, res);
    let b = Propagators::new(&near, res);
    assert!(a.p31_ex.is_finite() && a.p32_ex.is_finite());
    assert!((a.p31_ex - b.p31_ex).abs() < 1e-5 * a.p31_ex);
    assert!((a.p32_ex - b.p32_ex).abs() < 1e-6 * a.p32_ex);
}

#[test]
fn dc_input_fires_regularly_and_respects_refractoriness() {
    let res = Resolution::new(0.1).unwrap();
    let params = IafPscAlphaParams {
        i_e: 600.0,
        ..seed_params()
    };
    let mut pop = IafPscAlphaPopulation::new(&params, res, 0, 1);
    let mut ring = InputRing::new(1, 4);
    let mut poisson = PoissonInput::empty(1);
    let mut out = SliceOutput::default();
    let mut spikes = Vec::new();
    for slice in 0..100u64 {
        out.spikes.clear();
        let isa = Isa::Portable;
        pop.update_on(isa, slice * 20, 0, 20, &mut ring, &mut poisson, &mut out);
        spikes.extend(
            out.spikes
                .iter()
                .map(|&(_, lag)| slice * 20 + lag as u64 + 1),
        );
    }
    // NEST: first spike at 10.8 ms, then every 12.8 ms.
    assert_eq!(spikes[0], 108);
    assert!(spikes.windows(2).all(|w| w[1] - w[0] == 128), "{spikes:?}");
}

/// NEST keeps a neuron from firing with `V_th = inf` (`pulsepacket.py`).
#[test]
fn an_infinite_threshold_never_fires() {
    let res = Resolution::new(0.1).unwrap();
    let params = IafPscAlphaParams {
        i_e: 600.0,
        v_th: f64::INFINITY,
        ..seed_params()
    };
    assert!(params.validate().is_ok());
    for bad in [f64::NEG_INFINITY, f64::NAN] {
        let p = IafPscAlphaParams {
            v_th: bad,
            ..params
        };
        assert!(p.validate().is_err());
    }
    let mut pop = IafPscAlphaPopulation::new(&params, res, 0, 1);
    let mut ring = InputRing::new(1, 4);
    let mut poisson = PoissonInput::empty(1);
    let mut out = SliceOutput::default();
    for slice in 0..100u64 {
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
    // V_m approaches E_L + I_e tau_m / C_m = 48 mV (within exp(-10)).
    assert!((pop.v_m(0) - 48.0).abs() < 0.01, "{}", pop.v_m(0));
}

/// Every vector unit's copy of the update gives the same bits: 20
/// Poisson-driven seed neurons with recurrent-like ring input, 200
/// slices, spikes and the whole state compared.
#[test]
fn every_vector_path_gives_the_same_bits() {
    let res = Resolution::new(0.1).unwrap();
    let run = |isa: Isa| {
        let n = 20;
        let mut pop = IafPscAlphaPopulation::new(&seed_params(), res, 0, n);
        let mut ring = InputRing::new(n, 40);
        let mut poisson = PoissonInput::one_generator(n, 1.78, 20.68, 15, (7, 1));
        let mut out = SliceOutput::default();
        for slice in 0..200u64 {
            let origin = slice * 15;
            for i in 0..n {
                ring.add(origin + 15 + (i as u64 % 15), i, -30.0 * (i % 3) as f64);
            }
            pop.update_on(isa, origin, 0, 15, &mut ring, &mut poisson, &mut out);
        }
        let state: Vec<u64> = (0..n).map(|i| pop.v_m(i).to_bits()).collect();
        (out.spikes, state)
    };
    let portable = run(Isa::Portable);
    assert!(
        portable.0.len() > 100,
        "the neurons fire: {}",
        portable.0.len()
    );
    for isa in [Isa::Avx2, Isa::Avx512] {
        if isa.available() {
            assert_eq!(run(isa), portable, "{isa:?}");
        }
    }
}

/// Current generators on the lanes: every vector unit gives the bits of
/// the one-neuron current path (`update_with_currents`). One generator
/// reaches the neurons for a few steps only (the slices it leaves silent
/// take the lanes without currents), one for the whole run, with a step
/// waveform.
#[test]
fn currents_on_the_lanes_give_the_same_bits() {
    use crate::current::{CurrentDrive, CurrentInput, Waveform};
    use crate::model::{Population, SliceInput};
    let res = Resolution::new(0.1).unwrap();
    // `isa`: through `update` on it; none: the one-neuron current path.
    // `always`: the generator of the whole run, else the brief one.
    let run = |isa: Option<Isa>, always: bool, connected: bool| {
        let n = 21;
        let mut pop = IafPscAlphaPopulation::new(&seed_params(), res, 0, n);
        // Neuron 18 sampled: the one-neuron path with a probe.
        pop.attach_probe(18, 0, 1);
        let mut ring = InputRing::new(n, 40);
        let mut poisson = PoissonInput::one_generator(n, 1.78, 20.68, 15, (7, 1));
        let dc = if always {
            CurrentDrive {
                generator: 3,
                wave: Waveform::Steps {
                    stamps: (1..40).map(|k| k * 70).collect(),
                    values: (1..40).map(|k| 100.0 - 60.0 * (k % 5) as f64).collect(),
                    initial: 150.0,
                    from: 0,
                },
                weight: 1.0,
                delay: 7,
                t_min: 0,
                t_max: Step::MAX,
                earlier: Vec::new(),
            }
        } else {
            // Sent in steps 1000..1004, arriving 20 steps later: slices 68
            // and 69 carry it; all others are silent.
            CurrentDrive {
                generator: 3,
                wave: Waveform::Constant(-1e5),
                weight: 1.0,
                delay: 20,
                t_min: 1001,
                t_max: 1006,
                earlier: Vec::new(),
            }
        };
        let reached = if connected { vec![0] } else { Vec::new() };
        let currents = CurrentInput::new(vec![dc], vec![reached; n]);
        let mut out = SliceOutput::default();
        // (step, neuron): the order the shard sorts each slice's spikes in.
        let mut spikes = Vec::new();
        for slice in 0..200u64 {
            let origin = slice * 15;
            out.spikes.clear();
            for i in 0..n {
                ring.add(origin + 15 + (i as u64 % 15), i, -30.0 * (i % 3) as f64);
            }
            if let Some(isa) = isa {
                let mut input = SliceInput {
                    ring: &mut ring,
                    poisson: &mut poisson,
                    currents: &currents,
                };
                pop.update(isa, origin, 0, 15, &mut input, &mut out);
            } else {
                pop.update_with_currents(
                    origin,
                    0,
                    15,
                    &mut ring,
                    &mut poisson,
                    &currents,
                    &mut out,
                );
            }
            let mut these: Vec<(u64, u32)> = out
                .spikes
                .iter()
                .map(|&(i, lag)| (origin + lag as u64, i))
                .collect();
            these.sort_unstable();
            spikes.extend(these);
        }
        let state: Vec<u64> = (0..n).map(|i| pop.v_m(i).to_bits()).collect();
        let values: Vec<u64> = out.values.iter().map(|v| v.to_bits()).collect();
        (spikes, state, values)
    };
    for always in [false, true] {
        let single = run(None, always, true);
        assert!(single.0.len() > 100, "the neurons fire: {}", single.0.len());
        assert_eq!(single.2.len(), 200 * 15 * 3, "every step sampled");
        for isa in [Isa::Portable, Isa::Avx2, Isa::Avx512] {
            if isa.available() {
                assert_eq!(
                    run(Some(isa), always, true),
                    single,
                    "{isa:?}, always {always}"
                );
            }
        }
        // The current arrived: without it the neurons fire otherwise.
        assert_ne!(run(Some(Isa::Portable), always, false), single);
    }
}

#[test]
fn potential_is_clamped_at_v_min() {
    let res = Resolution::new(0.1).unwrap();
    let params = IafPscAlphaParams {
        i_e: -1000.0,
        v_min: -5.0,
        ..seed_params()
    };
    let mut pop = IafPscAlphaPopulation::new(&params, res, 0, 1);
    let mut ring = InputRing::new(1, 4);
    let mut poisson = PoissonInput::empty(1);
    let mut out = SliceOutput::default();
    pop.update_on(Isa::Portable, 0, 0, 1000, &mut ring, &mut poisson, &mut out);
    assert_eq!(pop.v_m(0), -5.0);
}

#[test]
fn parameters_by_name_follow_the_typed_view() {
    let p = IafPscAlphaParams {
        tau_m: 20.0,
        v_th: 20.0,
        ..Default::default()
    };
    let mut named = NeuronParams::from(p);
    assert_eq!(named.get("tau_m"), Ok(20.0));
    assert_eq!(named.get("V_min"), Ok(f64::NEG_INFINITY));
    named.set("C_m", 0.0).unwrap();
    assert_eq!(named.validate(), Err(ParamError::Capacitance));
    assert!(named.set("g_L", 1.0).is_err());
    let defaults = NeuronParams::defaults(&IAF_PSC_ALPHA);
    assert_eq!(defaults, NeuronParams::from(IafPscAlphaParams::default()));
    assert_eq!(
        IafPscAlphaParams::from_values(&p.to_values()),
        p,
        "the value order round-trips"
    );
}
