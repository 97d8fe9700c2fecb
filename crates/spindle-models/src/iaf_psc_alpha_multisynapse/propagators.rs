//! `iaf_psc_alpha_multisynapse`'s propagators, computed as NEST's
//! `iaf_psc_alpha_multisynapse::pre_run_hook` computes them.

use spindle_core::Resolution;

use super::IafPscAlphaMultisynapseParams;
use crate::numerics;

/// `P31` and `P32` for one synaptic time constant, as NEST's
/// `IAFPropagatorAlpha::evaluate` computes them
/// (`libnestutil/iaf_propagator.cpp`, with NEST's `expm1`,
/// [`numerics::expm1`]): the regular forms where they are usable, else
/// their limits for `tau_m == tau_syn`.
pub(super) fn alpha_propagator(tau_syn: f64, tau_m: f64, c_m: f64, h: f64) -> (f64, f64) {
    // Regular P31 only if h > 1e-7 * tau_m^2 / |tau_m - tau_syn|.
    let h_min_regular = 1e-7 * tau_m * tau_m / (tau_m - tau_syn).abs();
    let beta = tau_syn * tau_m / (tau_m - tau_syn); // inf when tau_m == tau_syn
    let gamma = beta / c_m;
    let inv_tau_syn = 1.0 / tau_syn;
    let inv_tau_m = 1.0 / tau_m;
    let inv_c_m = 1.0 / c_m;
    let inv_beta = (tau_m - tau_syn) / (tau_syn * tau_m);

    let exp_h_tau_syn = (-h * inv_tau_syn).exp();
    let expm1_h_tau = numerics::expm1(h * inv_beta);
    let p32_regular = gamma * exp_h_tau_syn * expm1_h_tau;
    let mut exp_h_tau = f64::NAN;
    let p32 = if p32_regular.is_normal() && p32_regular > 0.0 {
        p32_regular
    } else {
        exp_h_tau = (-h * inv_tau_m).exp();
        h * inv_c_m * exp_h_tau
    };
    if h > h_min_regular {
        return (gamma * exp_h_tau_syn * (beta * expm1_h_tau - h), p32);
    }
    if exp_h_tau.is_nan() {
        exp_h_tau = (-h * inv_tau_m).exp();
    }
    (0.5 * h * h * inv_c_m * exp_h_tau, p32)
}

/// Everything derived from the parameters and `h`, once per run (NEST's
/// `Variables_`). Potentials relative to `E_L`.
#[derive(Debug, Clone, PartialEq)]
pub struct Propagators {
    /// `exp(-h/tau_m)`: decay of `V_m` (`P33_`).
    pub p33: f64,
    /// `1 / C_m * (1 - P33) * tau_m`: from a constant current to `V_m`
    /// (`P30_`).
    pub p30: f64,
    /// `P30 * (0 + I_e)`: a step's constant drive without current input.
    pub p30_i_e: f64,
    /// Per port, `exp(-h/tau_syn_k)`: `P11_syn_` and `P22_syn_`.
    pub p11: Vec<f64>,
    /// Per port, `h * P11` (`P21_syn_`).
    pub p21: Vec<f64>,
    /// Per port, the propagator from the current's derivative to `V_m`
    /// (`P31_syn_`).
    pub p31: Vec<f64>,
    /// Per port, the propagator from the current to `V_m` (`P32_syn_`).
    pub p32: Vec<f64>,
    /// Per port, the derivative's jump per pA of weight, `e / tau_syn_k`
    /// (`PSCInitialValues_`).
    pub psc_initial: Vec<f64>,
    /// Refractory period in steps.
    pub refractory_steps: u32,
    /// Threshold relative to `E_L`.
    pub theta: f64,
    /// Reset relative to `E_L`.
    pub v_reset: f64,
    /// Lower bound relative to `E_L`.
    pub lower_bound: f64,
    /// `I_e`.
    pub i_e: f64,
    /// `E_L`, to report absolute potentials.
    pub e_l: f64,
}

impl Propagators {
    /// Derive the propagators for resolution `res`.
    pub fn new(p: &IafPscAlphaMultisynapseParams, res: Resolution) -> Self {
        let h = res.h();
        let p33 = (-h / p.tau_m).exp();
        let p30 = 1.0 / p.c_m * (1.0 - p33) * p.tau_m;
        let p11: Vec<f64> = p.tau_syn.iter().map(|&tau| (-h / tau).exp()).collect();
        let (p31, p32) = p
            .tau_syn
            .iter()
            .map(|&tau| alpha_propagator(tau, p.tau_m, p.c_m, h))
            .unzip();
        Self {
            p33,
            p30,
            p30_i_e: p30 * (0.0 + p.i_e),
            p21: p11.iter().map(|&x| h * x).collect(),
            p11,
            p31,
            p32,
            psc_initial: p
                .tau_syn
                .iter()
                .map(|&tau| 1.0 * std::f64::consts::E / tau)
                .collect(),
            refractory_steps: res.steps_up(p.t_ref) as u32,
            theta: p.v_th - p.e_l,
            v_reset: p.v_reset - p.e_l,
            lower_bound: p.v_min - p.e_l,
            i_e: p.i_e,
            e_l: p.e_l,
        }
    }
}
