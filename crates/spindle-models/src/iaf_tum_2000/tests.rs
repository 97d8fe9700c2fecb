//! Unit tests of `iaf_tum_2000`.

use super::*;
use crate::{CurrentInput, IafPscExpParams, InputRing, Isa, PoissonInput, SliceInput, SliceOutput};
use spindle_core::Step;

fn h01() -> Resolution {
    Resolution::new(0.1).unwrap()
}

#[test]
fn defaults_are_nests() {
    // NEST 3.10: nest.GetDefaults("iaf_tum_2000").
    let p = IafTum2000Params::default();
    assert_eq!(p.membrane, IafPscExpParams::default());
    assert_eq!(
        (p.u0, p.tau_fac, p.tau_psc, p.tau_rec, p.x, p.y, p.u),
        (0.5, 1000.0, 2.0, 400.0, 0.0, 0.0, 0.0)
    );
    assert!(p.validate().is_ok());
    assert_eq!(IAF_TUM_2000.name(), "iaf_tum_2000");
    let names: Vec<_> = IAF_TUM_2000.recordables().iter().map(|r| r.name).collect();
    assert_eq!(names, ["V_m", "I_syn_ex", "I_syn_in"]);
    assert_eq!(
        crate::neuron_model("iaf_tum_2000"),
        Some(&IAF_TUM_2000 as _)
    );
    assert_eq!(IAF_TUM_2000.release_receptor(), Some(1));
    let (release, start) = IAF_TUM_2000.release(&p.to_values()).unwrap();
    assert_eq!((release, start), (p.release(), [0.0, 0.0, 0.0]));
    // A model that sends no release.
    assert_eq!(
        crate::IAF_PSC_EXP.release(&IafPscExpParams::default().to_values()),
        None
    );
}

#[test]
fn validation_messages_are_nests() {
    let bad = |f: fn(&mut IafTum2000Params)| {
        let mut p = IafTum2000Params::default();
        f(&mut p);
        p.validate().unwrap_err().to_string()
    };
    // NEST 3.10's messages, in its order of checks.
    assert_eq!(
        bad(|p| p.membrane.v_reset = -55.0),
        "Reset potential must be smaller than threshold."
    );
    assert_eq!(
        bad(|p| p.membrane.c_m = 0.0),
        "Capacitance must be strictly positive."
    );
    let tau = "Membrane and synapse time constants must be strictly positive.";
    assert_eq!(bad(|p| p.tau_psc = 0.0), tau);
    assert_eq!(bad(|p| p.tau_rec = -1.0), tau);
    assert_eq!(bad(|p| p.membrane.tau_m = 0.0), tau);
    assert_eq!(bad(|p| p.tau_fac = -1.0), "'tau_fac' must be >= 0.");
    assert_eq!(
        bad(|p| {
            p.tau_fac = -1.0;
            p.membrane.t_ref = -1.0;
        }),
        "'tau_fac' must be >= 0."
    );
    assert_eq!(
        bad(|p| p.membrane.t_ref = -0.1),
        "Refractory time must not be negative."
    );
    assert_eq!(bad(|p| p.u0 = 1.5), "'U' must be in [0,1].");
    assert_eq!(
        bad(|p| p.membrane.rho = -1.0),
        "Stochastic firing intensity must not be negative."
    );
    assert_eq!(
        bad(|p| p.membrane.delta = -1.0),
        "Width of threshold region must not be negative."
    );
    assert_eq!(
        bad(|p| {
            p.x = 0.7;
            p.y = 0.5;
        }),
        "x + y must be <= 1.0."
    );
    assert_eq!(bad(|p| p.u = 2.0), "'u' must be in [0,1].");
    // Spindle's own: finite values, and no escape noise.
    assert_eq!(
        bad(|p| p.x = f64::NAN),
        "Parameter x must be a finite number."
    );
    assert!(bad(|p| p.membrane.delta = 0.5).contains("not implemented"));
    let mut p = IafTum2000Params::default();
    p.membrane.v_th = f64::INFINITY;
    assert!(p.validate().is_ok());
}

/// NEST's `iaf_tum_2000::update` at a spike, written out as in
/// `models/iaf_tum_2000.cpp`.
fn nest_spike(p: &IafTum2000Params, s: &mut [f64; 3], h: f64) -> f64 {
    let [u, x, y] = s;
    let puu = if p.tau_fac == 0.0 {
        0.0
    } else {
        (-h / p.tau_fac).exp()
    };
    let pyy = (-h / p.tau_psc).exp();
    let pzz = (-h / p.tau_rec).exp_m1();
    let pxy = (pzz * p.tau_rec - (pyy - 1.0) * p.tau_psc) / (p.tau_psc - p.tau_rec);
    let z = 1.0 - *x - *y;
    *u *= puu;
    *x += pxy * *y - pzz * z;
    *y *= pyy;
    *u += p.u0 * (1.0 - *u);
    let d = *u * *x;
    *x -= d;
    *y += d;
    d
}

/// Run `pop` (one shard of `n` neurons) for `slices` slices of 10 steps.
fn run(pop: &mut dyn Population, n: usize, slices: u64) -> Vec<(u32, Step)> {
    let mut ring = InputRing::new(n, 16);
    let mut poisson = PoissonInput::empty(n);
    let currents = CurrentInput::empty(n);
    let mut out = SliceOutput::default();
    let mut spikes = Vec::new();
    for slice in 0..slices {
        out.spikes.clear();
        let mut input = SliceInput {
            ring: &mut ring,
            poisson: &mut poisson,
            currents: &currents,
        };
        pop.update(Isa::Portable, slice * 10, 0, 10, &mut input, &mut out);
        spikes.extend(
            out.spikes
                .iter()
                .map(|&(local, lag)| (local, slice * 10 + Step::from(lag))),
        );
    }
    spikes
}

#[test]
fn the_membrane_is_iaf_psc_exps_and_each_spike_advances_the_release() {
    let mut p = IafTum2000Params {
        u0: 0.2,
        tau_fac: 300.0,
        tau_psc: 3.0,
        tau_rec: 500.0,
        x: 1.0,
        ..Default::default()
    };
    p.membrane.i_e = 600.0;
    let values = p.to_values();
    let mut tum = IAF_TUM_2000.population(&values, h01(), 0, 2);
    let mut exp = crate::IAF_PSC_EXP.population(&p.membrane.to_values(), h01(), 0, 2);
    // Neuron 1 starts elsewhere: its own train.
    tum.set_state(1, "V_m", -60.0).unwrap();
    exp.set_state(1, "V_m", -60.0).unwrap();
    let spikes = run(tum.as_mut(), 2, 300);
    assert_eq!(spikes, run(exp.as_mut(), 2, 300));
    assert!(spikes.len() > 40, "{}", spikes.len());
    for r in 0..3 {
        for i in 0..2 {
            assert_eq!(
                tum.recordable(i, r).to_bits(),
                exp.recordable(i, r).to_bits()
            );
        }
    }
    // NEST's release, spike by spike from a last spike at 0 ms.
    for i in 0..2u32 {
        let mut s = [p.u, p.x, p.y];
        let mut t_last = 0.0;
        for &(_, step) in spikes.iter().filter(|(l, _)| *l == i) {
            let t = h01().ms(step + 1);
            nest_spike(&p, &mut s, t - t_last);
            t_last = t;
        }
        let got = ["u", "x", "y"].map(|k| tum.state(i as usize, k).unwrap());
        assert_eq!(got.map(f64::to_bits), s.map(f64::to_bits), "neuron {i}");
    }
    assert_eq!(tum.state(0, "V_m"), None);
}

#[test]
fn release_is_nests_expression() {
    let p = IafTum2000Params {
        u0: 0.03,
        tau_fac: 530.0,
        tau_psc: 1.5,
        tau_rec: 130.0,
        x: 1.0,
        ..Default::default()
    };
    let (mut a, mut b) = ([0.0, 1.0, 0.0], [0.0, 1.0, 0.0]);
    for h in [59.9, 48.3, 48.3, 0.1, 1000.0] {
        let got = p.release().send(&mut a, h);
        assert_eq!(got.to_bits(), nest_spike(&p, &mut b, h).to_bits());
        assert_eq!(a, b);
    }
    // No facilitation: `u` is `U` at every spike.
    let q = IafTum2000Params { tau_fac: 0.0, ..p };
    let mut s = [0.7, 1.0, 0.0];
    q.release().send(&mut s, 10.0);
    assert_eq!(s[0], 0.03);
}

#[test]
fn state_survives_a_split_and_new_parameters() {
    let mut p = IafTum2000Params {
        x: 1.0,
        ..Default::default()
    };
    p.membrane.i_e = 600.0;
    let values = p.to_values();
    let mut whole = IAF_TUM_2000.population(&values, h01(), 0, 4);
    run(whole.as_mut(), 4, 30);
    let mut left = IAF_TUM_2000.population(&values, h01(), 0, 4);
    run(left.as_mut(), 4, 30);
    let right = left.split_off(2);
    assert_eq!(right.offset(), 2);
    for k in ["u", "x", "y"] {
        assert_eq!(right.state(1, k), whole.state(3, k));
        assert_eq!(left.state(1, k), whole.state(1, k));
    }
    // New parameters keep the state (NEST's set_status between runs).
    let before = whole.state(0, "x");
    let mut q = p;
    q.u0 = 0.9;
    whole.set_params(&q.to_values(), h01());
    assert_eq!(whole.state(0, "x"), before);
    whole.set_state(0, "x", 0.25).unwrap();
    assert_eq!(whole.state(0, "x"), Some(0.25));
    assert!(whole.set_state(0, "w", 0.25).is_err());
    let _ = NeuronParams::from(p);
}
