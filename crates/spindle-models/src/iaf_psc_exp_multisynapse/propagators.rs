//! `iaf_psc_exp_multisynapse`'s propagators, computed as NEST's
//! `iaf_psc_exp_multisynapse::pre_run_hook` computes them.

use spindle_core::Resolution;

use super::IafPscExpMultisynapseParams;
use crate::iaf_psc_exp::propagators::exp_propagator;

/// Everything derived from the parameters and `h`, once per run (NEST's
/// `Variables_`). Potentials relative to `E_L`.
#[derive(Debug, Clone, PartialEq)]
pub struct Propagators {
    /// `exp(-h/tau_m)`: decay of `V_m` (`P22_`).
    pub p22: f64,
    /// `tau_m / C_m * (1 - P22)`: from a constant current to `V_m` (`P20_`).
    pub p20: f64,
    /// `(I_e + 0) * P20`: a step's constant drive without current input.
    pub p20_i_e: f64,
    /// Per port, `exp(-h/tau_syn_k)`: decay of its current (`P11_syn_`).
    pub p11: Vec<f64>,
    /// Per port, the propagator from its current to `V_m` (`P21_syn_`,
    /// NEST's `IAFPropagatorExp`).
    pub p21: Vec<f64>,
    /// Refractory period in steps.
    pub refractory_steps: u32,
    /// Threshold relative to `E_L`.
    pub theta: f64,
    /// Reset relative to `E_L`.
    pub v_reset: f64,
    /// `I_e`.
    pub i_e: f64,
    /// `E_L`, to report absolute potentials.
    pub e_l: f64,
}

impl Propagators {
    /// Derive the propagators for resolution `res`.
    pub fn new(p: &IafPscExpMultisynapseParams, res: Resolution) -> Self {
        let h = res.h();
        let p22 = (-h / p.tau_m).exp();
        let p20 = p.tau_m / p.c_m * (1.0 - p22);
        Self {
            p22,
            p20,
            p20_i_e: (p.i_e + 0.0) * p20,
            p11: p.tau_syn.iter().map(|&tau| (-h / tau).exp()).collect(),
            p21: p
                .tau_syn
                .iter()
                .map(|&tau| exp_propagator(tau, p.tau_m, p.c_m, h))
                .collect(),
            refractory_steps: res.steps_up(p.t_ref) as u32,
            theta: p.v_th - p.e_l,
            v_reset: p.v_reset - p.e_l,
            i_e: p.i_e,
            e_l: p.e_l,
        }
    }
}
