//! Unit tests of `iaf_psc_alpha_multisynapse` (its traces against NEST's:
//! `tests/nest_reference_multisynapse.rs`; its lanes: `ports.rs`).

use super::*;

#[test]
fn nest_names_defaults_and_a_current_per_port() {
    let m = &IAF_PSC_ALPHA_MULTISYNAPSE;
    let names: Vec<_> = m.params().iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        [
            "C_m", "tau_m", "t_ref", "E_L", "V_reset", "V_th", "V_min", "I_e", "V_m"
        ]
    );
    let mut p = NeuronParams::defaults(m);
    assert_eq!(p.get("V_min").unwrap(), f64::NEG_INFINITY);
    assert_eq!(
        (p.get_list("tau_syn").unwrap(), p.ports()),
        (&[2.0][..], Some(1))
    );
    p.set_list("tau_syn", &[0.5, 10.0]).unwrap();
    // tau_syn == tau_m is allowed here (the singular propagators).
    assert_eq!(p.validate(), Ok(()));
    let names: Vec<_> = m
        .recordables_for(p.values())
        .iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["V_m", "I_syn", "I_syn_1", "I_syn_2"]);
    assert_eq!(m.state_bytes_for(p.values()), 16 + 2 * 2 * 8);
}

#[test]
fn validation_follows_nest() {
    let check = |f: &dyn Fn(&mut IafPscAlphaMultisynapseParams)| {
        let mut p = IafPscAlphaMultisynapseParams::default();
        f(&mut p);
        p.validate().map_err(|e| e.to_string())
    };
    let err = |msg: &str| Err(msg.to_string());
    assert_eq!(check(&|_| {}), Ok(()));
    assert_eq!(
        check(&|p| p.c_m = 0.0),
        err("Capacitance must be strictly positive.")
    );
    assert_eq!(
        check(&|p| p.tau_m = 0.0),
        err("Membrane time constant must be strictly positive.")
    );
    assert_eq!(
        check(&|p| p.tau_syn = vec![-1.0]),
        err("All synaptic time constants must be strictly positive.")
    );
    assert_eq!(
        check(&|p| p.t_ref = -1.0),
        err("Refractory time must not be negative.")
    );
    assert_eq!(
        check(&|p| p.v_th = -80.0),
        err("Reset potential must be smaller than threshold.")
    );
    assert_eq!(
        check(&|p| p.v_min = f64::INFINITY),
        err("Parameter V_min must be a finite number.")
    );
}

#[test]
fn propagators_are_nests_forms() {
    let p = IafPscAlphaMultisynapseParams {
        tau_syn: vec![0.5, 10.0],
        ..Default::default()
    };
    let v = Propagators::new(&p, Resolution::new(0.1).unwrap());
    assert_eq!(v.p33, (-0.1f64 / 10.0).exp());
    assert_eq!(v.p30, 1.0 / 250.0 * (1.0 - v.p33) * 10.0);
    assert_eq!(v.p21[0], 0.1 * v.p11[0]);
    assert_eq!(v.psc_initial[1], std::f64::consts::E / 10.0);
    // tau_syn == tau_m: the singular forms, finite.
    assert!(v.p31[1].is_finite() && v.p32[1] > 0.0);
    assert_eq!(v.lower_bound, f64::NEG_INFINITY);
}
