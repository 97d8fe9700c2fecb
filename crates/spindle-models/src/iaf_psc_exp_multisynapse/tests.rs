//! Unit tests of `iaf_psc_exp_multisynapse` (its traces against NEST's:
//! `tests/nest_reference_multisynapse.rs`; its lanes: `ports.rs`).

use super::*;

#[test]
fn nest_names_defaults_and_a_current_per_port() {
    let m = &IAF_PSC_EXP_MULTISYNAPSE;
    let names: Vec<_> = m.params().iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        [
            "C_m", "tau_m", "t_ref", "E_L", "V_reset", "V_th", "I_e", "V_m"
        ]
    );
    assert_eq!(m.lists()[0].name, "tau_syn");
    assert_eq!(m.lists()[0].count, "n_synapses");
    let mut p = NeuronParams::defaults(m);
    assert_eq!(p.get_list("tau_syn").unwrap(), [2.0]);
    assert_eq!(p.ports(), Some(1));
    assert_eq!(IafPscExpMultisynapseParams::default().tau_syn, [2.0]);
    p.set_list("tau_syn", &[0.5, 1.0, 5.0]).unwrap();
    p.set("I_e", 3.0).unwrap();
    assert_eq!(p.get_list("tau_syn").unwrap(), [0.5, 1.0, 5.0]);
    assert_eq!((p.get("I_e").unwrap(), p.ports()), (3.0, Some(3)));
    let typed = IafPscExpMultisynapseParams::from_values(p.values());
    assert_eq!(NeuronParams::from(typed.clone()), p);
    let names: Vec<_> = m
        .recordables_for(p.values())
        .iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["V_m", "I_syn", "I_syn_1", "I_syn_2", "I_syn_3"]);
    assert_eq!(m.state_bytes_for(p.values()), 16 + 3 * 8);
    // No ports at all is a parameter set NEST takes.
    p.set_list("tau_syn", &[]).unwrap();
    assert_eq!((p.ports(), p.validate()), (Some(0), Ok(())));
    assert!(p.set("tau_syn", 1.0).is_err());
}

#[test]
fn validation_follows_nest() {
    let check = |f: &dyn Fn(&mut IafPscExpMultisynapseParams)| {
        let mut p = IafPscExpMultisynapseParams::default();
        f(&mut p);
        p.validate().map_err(|e| e.to_string())
    };
    assert_eq!(check(&|_| {}), Ok(()));
    let err = |msg: &str| Err(msg.to_string());
    assert_eq!(check(&|p| p.c_m = 0.0), err("Capacitance must be > 0."));
    assert_eq!(
        check(&|p| p.tau_m = -1.0),
        err("Membrane time constant must be strictly positive.")
    );
    assert_eq!(
        check(&|p| p.tau_syn = vec![1.0, 0.0]),
        err("All synaptic time constants must be strictly positive.")
    );
    assert_eq!(
        check(&|p| p.tau_syn = vec![1.0, 10.0]),
        err("Membrane and synapse time constant(s) must differ. See note in documentation.")
    );
    assert_eq!(
        check(&|p| p.t_ref = -0.1),
        err("Refractory time must not be negative.")
    );
    assert_eq!(
        check(&|p| p.v_reset = -50.0),
        err("Reset potential must be smaller than threshold.")
    );
    assert_eq!(
        check(&|p| p.tau_syn = vec![f64::NAN]),
        err("Parameter tau_syn must be a finite number.")
    );
}

#[test]
fn propagators_are_nests_forms() {
    let p = IafPscExpMultisynapseParams {
        tau_syn: vec![0.5, 2.0],
        i_e: 10.0,
        ..Default::default()
    };
    let res = Resolution::new(0.1).unwrap();
    let v = Propagators::new(&p, res);
    assert_eq!(v.p22, (-0.1f64 / 10.0).exp());
    assert_eq!(v.p20, 10.0 / 250.0 * (1.0 - v.p22));
    assert_eq!(v.p11, [(-0.1f64 / 0.5).exp(), (-0.1f64 / 2.0).exp()]);
    // The exact propagator of iaf_psc_exp's excitatory current.
    let exp = crate::IafPscExpParams {
        tau_syn_ex: 2.0,
        ..Default::default()
    };
    let q = crate::iaf_psc_exp::Propagators::new(&exp, res);
    assert_eq!(v.p21[1], q.p21_ex);
    assert_eq!(v.refractory_steps, 20);
}
