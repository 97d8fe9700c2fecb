//! Checks of `aeif_cond_beta_multisynapse` beside the model (its traces
//! against NEST's are in `tests/python/test_aeif_cond_beta_multisynapse.py`).

use spindle_core::{Resolution, Step};

use super::*;
use crate::aeif_cond_alpha::{AEIF_COND_ALPHA, AeifParams};
use crate::model::{SliceInput, SliceOutput};
use crate::{CurrentInput, InputRing, Isa, PoissonInput};

fn res() -> Resolution {
    Resolution::new(0.1).unwrap()
}

/// The example's neuron (NEST's `aeif_cond_beta_multisynapse.py`).
fn example() -> AeifBetaParams {
    AeifBetaParams {
        e_rev: vec![0.0, 0.0, 0.0, -85.0],
        tau_decay: vec![50.0, 20.0, 20.0, 20.0],
        tau_rise: vec![10.0, 10.0, 1.0, 1.0],
        ..Default::default()
    }
}

#[test]
fn defaults_are_nests() {
    let p = AeifBetaParams::default();
    assert_eq!(
        (p.c_m, p.g_l, p.e_l, p.v_m, p.w),
        (281.0, 30.0, -70.6, -70.6, 0.0)
    );
    assert_eq!(
        (p.e_rev, p.tau_rise, p.tau_decay),
        (vec![0.0], vec![2.0], vec![20.0])
    );
    let m = &AEIF_COND_BETA_MULTISYNAPSE;
    let values = example().to_values();
    assert_eq!(m.ports(&values), Some(4));
    let names: Vec<_> = m.recordables_for(&values).iter().map(|r| r.name).collect();
    assert_eq!(names, ["V_m", "w", "g_1", "g_2", "g_3", "g_4"]);
    assert_eq!(conductance_name(11), "g_12");
}

/// NEST's factor, computed by hand from its expressions, and the alpha
/// function's where the times coincide.
#[test]
fn normalization_is_nests() {
    let (r, d) = (10.0f64, 50.0f64);
    let t_peak = d * r * (d / r).ln() / (d - r);
    let want = (1.0 / r - 1.0 / d) / ((-t_peak / d).exp() - (-t_peak / r).exp());
    assert_eq!(beta_normalization_factor(r, d).to_bits(), want.to_bits());
    assert_eq!(beta_normalization_factor(2.0, 2.0), E / 2.0);
    assert_eq!(
        beta_normalization_factor(2.0, 2.0 + 1e-17),
        E / (2.0 + 1e-17)
    );
    // The peak of a unit spike's conductance is 1 nS.
    let p = Props::new(
        &AeifBetaParams {
            tau_rise: vec![r],
            tau_decay: vec![d],
            ..Default::default()
        }
        .to_values(),
        res(),
    );
    let (mut y, mut rr, mut h, mut work) = (p.initial(), 0, p.h, SliceWork::new(4));
    p.step(&mut y, &mut rr, &mut h, &[1.0], 0.0, &mut work);
    let mut peak: f64 = 0.0;
    for _ in 0..1000 {
        p.step(&mut y, &mut rr, &mut h, &[], 0.0, &mut work);
        peak = peak.max(y[3]);
    }
    assert!((peak - 1.0).abs() < 1e-4, "{peak}");
}

/// Checks in NEST's order, with its messages.
#[test]
fn validation_is_nests() {
    let check = |f: &dyn Fn(&mut AeifBetaParams)| {
        let mut p = example();
        f(&mut p);
        match p.validate(&p.to_values()) {
            Ok(()) => String::new(),
            Err(e) => e.to_string(),
        }
    };
    assert_eq!(check(&|_| {}), "");
    assert!(check(&|p| p.tau_rise.push(1.0)).contains("must have the same size"));
    assert_eq!(
        check(&|p| p.tau_rise[0] = 0.0),
        "All synaptic time constants must be strictly positive"
    );
    assert_eq!(
        check(&|p| p.tau_rise[1] = 30.0),
        "Synaptic rise time must be smaller than or equal to decay time."
    );
    assert_eq!(check(&|p| p.tau_rise[1] = 20.0), "");
    assert_eq!(
        check(&|p| {
            p.v_peak = -60.0;
            p.c_m = 0.0;
        }),
        "V_peak >= V_th required."
    );
    assert_eq!(
        check(&|p| p.v_reset = 0.0),
        "Ensure that: V_reset < V_peak ."
    );
    assert_eq!(check(&|p| p.delta_t = -1.0), "Delta_T must be positive.");
    assert!(check(&|p| p.delta_t = 1e-3).contains("numerical overflow"));
    assert_eq!(
        check(&|p| p.c_m = 0.0),
        "Capacitance must be strictly positive."
    );
    assert_eq!(
        check(&|p| p.t_ref = -1.0),
        "Refractory time cannot be negative."
    );
    assert_eq!(
        check(&|p| p.tau_w = 0.0),
        "All time constants must be strictly positive."
    );
    assert_eq!(
        check(&|p| p.gsl_error_tol = 0.0),
        "The gsl_error_tol must be strictly positive."
    );
    assert!(check(&|p| p.e_rev[2] = f64::NAN).contains("E_rev"));
    // A new number of ports needs all three lists.
    let m = &AEIF_COND_BETA_MULTISYNAPSE;
    let old = AeifBetaParams::default().to_values();
    let new = example().to_values();
    assert!(
        m.check_lists(&old, &new, &["E_rev", "tau_rise", "tau_decay"])
            .is_ok()
    );
    let e = m
        .check_lists(&old, &new, &["E_rev", "tau_rise"])
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("If the number of receptor ports is changed")
    );
    assert!(m.check_lists(&new, &new, &["E_rev"]).is_ok());
}

/// With one port whose conductance has the shape of `aeif_cond_alpha`'s
/// (rise equal to decay: the alpha function's normalisation and
/// equations), the neuron follows `aeif_cond_alpha`'s trace to the bit
/// (the state vectors differ only in order, which no operation sees).
#[test]
fn one_alpha_port_is_aeif_cond_alpha() {
    let tau = 2.0;
    let beta = AeifBetaParams {
        e_rev: vec![0.0],
        tau_rise: vec![tau],
        tau_decay: vec![tau],
        i_e: 500.0,
        ..Default::default()
    };
    let alpha_values: Vec<f64> = {
        let mut v = NeuronParams::defaults(&AEIF_COND_ALPHA).values().to_vec();
        let p = AeifParams::from_values(&v);
        assert_eq!(p.e_ex, 0.0);
        v[8] = tau; // tau_syn_ex
        v[14] = 500.0; // I_e
        v
    };
    let mut a = AEIF_COND_ALPHA.population(&alpha_values, res(), 0, 1);
    let mut b = AEIF_COND_BETA_MULTISYNAPSE.population(&beta.to_values(), res(), 0, 1);
    let mut ring_a = InputRing::new(1, 32);
    let mut ring_b = InputRing::new(1, 32).with_ports(1);
    let (mut pa, mut pb) = (PoissonInput::empty(1), PoissonInput::empty(1));
    let currents = CurrentInput::empty(1);
    let (mut out_a, mut out_b) = (SliceOutput::default(), SliceOutput::default());
    for s in 0..100u32 {
        let origin = Step::from(s * 10);
        for lag in [2u32, 7] {
            let w = 3.0 + f64::from(s % 5);
            ring_a.add(origin + Step::from(lag), 0, w);
            ring_b.add_port(origin + Step::from(lag), 0, 0, w);
        }
        let mut ia = SliceInput {
            ring: &mut ring_a,
            poisson: &mut pa,
            currents: &currents,
        };
        a.update(Isa::Portable, origin, 0, 10, &mut ia, &mut out_a);
        let mut ib = SliceInput {
            ring: &mut ring_b,
            poisson: &mut pb,
            currents: &currents,
        };
        b.update(Isa::Portable, origin, 0, 10, &mut ib, &mut out_b);
        // V_m, g, w.
        for (ra, rb) in [(0, 0), (1, 2), (3, 1)] {
            assert_eq!(
                a.recordable(0, ra).to_bits(),
                b.recordable(0, rb).to_bits(),
                "slice {s}, recordable {ra}"
            );
        }
    }
    assert!(out_a.spikes.len() > 5);
    assert_eq!(out_a.spikes, out_b.spikes);
}

/// A population gives each neuron the trace of the neuron stepped alone;
/// split, it goes on alike; new ports keep the first ports' state; `w`
/// and `V_m` are set.
#[test]
fn population_steps_each_neuron() {
    let values = example().to_values();
    let p = Props::new(&values, res());
    let mut pop = AeifCondBetaMultisynapsePopulation::new(&values, res(), 2, 3);
    pop.set_state(1, "w", 50.0).unwrap();
    pop.set_state(2, "V_m", -55.0).unwrap();
    assert!(pop.set_state(0, "g", 1.0).is_err());
    pop.attach_probe(1, 4, 1);
    let mut ring = InputRing::new(5, 32).with_ports(4);
    let (mut poisson, currents) = (PoissonInput::empty(5), CurrentInput::empty(5));
    let mut singles: Vec<(Vec<f64>, u32, f64)> = (0..3).map(|_| (p.initial(), 0, p.h)).collect();
    singles[1].0[1] = 50.0;
    singles[2].0[0] = -55.0;
    let mut work = SliceWork::default();
    let mut out = SliceOutput::default();
    let mut fired = 0;
    for s in 0..30u32 {
        let origin = Step::from(s * 10);
        let mut input = vec![[0.0; 4]; 30];
        for i in 0..3 {
            for lag in 0..10 {
                let k = (i + lag + s as usize) % 5;
                if k < 4 {
                    let w = 20.0 * (i + 1) as f64;
                    ring.add_port(origin + lag as Step, 2 + i, k, w);
                    input[i * 10 + lag][k] += w;
                }
            }
        }
        out.spikes.clear();
        let mut si = SliceInput {
            ring: &mut ring,
            poisson: &mut poisson,
            currents: &currents,
        };
        pop.update(Isa::detect(), origin, 0, 10, &mut si, &mut out);
        let mut want = Vec::new();
        for (i, (y, r, h)) in singles.iter_mut().enumerate() {
            for lag in 0..10 {
                if p.step(y, r, h, &input[i * 10 + lag], 0.0, &mut work) {
                    want.push((2 + i as u32, lag as u32));
                }
            }
            let mut sample = Vec::new();
            p.sample(y, &mut sample);
            assert_eq!(pop.sample(i), sample, "neuron {i}, slice {s}");
        }
        assert_eq!(out.spikes, want);
        fired += want.len();
    }
    assert!(fired > 3, "{fired} spikes");
    assert_eq!(out.samples.len(), 300);
    assert_eq!(out.values.len(), 300 * 6);
    let before: Vec<Vec<f64>> = (0..3).map(|i| pop.sample(i)).collect();
    let tail = pop.split_off(1);
    assert_eq!((pop.len(), tail.len(), tail.offset()), (1, 2, 3));
    assert_eq!(tail.recordable(1, 5), before[2][5]);
    let mut more = example();
    more.e_rev.push(-70.0);
    more.tau_rise.push(1.0);
    more.tau_decay.push(3.0);
    pop.set_params(&more.to_values(), res());
    assert_eq!(pop.sample(0)[..6], before[0][..]);
    assert_eq!(pop.sample(0)[6], 0.0);
}
