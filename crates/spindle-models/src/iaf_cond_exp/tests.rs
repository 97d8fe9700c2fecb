use super::*;
use crate::model::{NeuronModel, NeuronParams};

fn defaults() -> Vec<f64> {
    NeuronParams::defaults(&IAF_COND_EXP).values().to_vec()
}

fn set(name: &str, value: f64) -> Vec<f64> {
    let mut p = NeuronParams::defaults(&IAF_COND_EXP);
    p.set(name, value).unwrap();
    p.values().to_vec()
}

#[test]
fn validation_gives_nests_messages() {
    let m = &IAF_COND_EXP;
    assert_eq!(m.validate(&defaults()), Ok(()));
    assert_eq!(m.validate(&set("V_reset", -50.0)), Err(ParamError::Reset));
    let msg = |v: Vec<f64>| m.validate(&v).unwrap_err().to_string();
    assert_eq!(
        msg(set("C_m", 0.0)),
        "Capacitance must be strictly positive."
    );
    assert_eq!(
        msg(set("t_ref", -1.0)),
        "Refractory time cannot be negative."
    );
    assert_eq!(
        msg(set("tau_syn_in", 0.0)),
        "All time constants must be strictly positive."
    );
    assert_eq!(
        m.validate(&set("g_L", f64::NAN)),
        Err(ParamError::NotFinite("g_L"))
    );
}

/// A strong constant current: the neuron fires regularly, is held at
/// `V_reset` for `t_ref`, and relaxes towards `E_L` without input.
#[test]
fn dc_drive_fires_and_refractoriness_holds() {
    let res = Resolution::new(0.1).unwrap();
    let p = Neuron::props(&set("I_e", 1000.0), res);
    let mut n = Neuron::new(&p);
    let mut spikes = vec![];
    for k in 0..1000 {
        if n.step(&p, 0.0, 0.0, 0.0) {
            spikes.push(k);
        }
        if let Some(&last) = spikes.last()
            && k > last
            && k <= last + 20
        {
            assert_eq!(n.y[0], -60.0, "held at V_reset while refractory");
        }
    }
    assert!(spikes.len() > 5, "{spikes:?}");
    let isi: Vec<_> = spikes.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(isi.windows(2).all(|w| w[0] == w[1]), "regular: {isi:?}");
    assert!(isi[0] > 20);

    let p = Neuron::props(&set("V_m", -60.0), res);
    let mut n = Neuron::new(&p);
    for _ in 0..2000 {
        assert!(!n.step(&p, 0.0, 0.0, 0.0));
    }
    assert!((n.y[0] + 70.0).abs() < 1e-3, "{}", n.y[0]);
}

/// Spikes join the conductances after the step; an inhibitory weight
/// (negative) raises `g_in`.
#[test]
fn spikes_join_conductances() {
    let res = Resolution::new(0.1).unwrap();
    let p = Neuron::props(&defaults(), res);
    let mut n = Neuron::new(&p);
    n.step(&p, 2.0, -3.0, 0.0);
    assert_eq!(n.sample(&p), [-70.0, 2.0, 3.0]);
    n.step(&p, 0.0, 0.0, 0.0);
    let [v, g_ex, g_in] = n.sample(&p);
    assert!(
        v > -70.0,
        "excitation wins first (tau_syn_ex 0.2 ms, E_ex 0)"
    );
    assert!((g_ex - 2.0 * (-0.5f64).exp()).abs() < 1e-3);
    assert!((g_in - 3.0 * (-0.05f64).exp()).abs() < 1e-4);
}
