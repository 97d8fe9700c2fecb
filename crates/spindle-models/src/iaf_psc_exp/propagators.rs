//! `iaf_psc_exp`'s propagators: the exact integration's matrix entries for
//! one step, computed as NEST's `iaf_psc_exp::pre_run_hook` computes them.

use spindle_core::Resolution;

use super::IafPscExpParams;
use crate::numerics;

/// The propagator from a synaptic current to `V_m` over `h` (NEST's
/// `P21ex_`/`P21in_`), as NEST's `IAFPropagatorExp::evaluate` computes it
/// (`IAFPropagator::evaluate_P32_`, `libnestutil/iaf_propagator.cpp`):
/// the regular form
/// `tau_syn tau_m / (C_m (tau_m - tau_syn)) * exp(-h/tau_syn) * expm1(h (tau_m - tau_syn) / (tau_syn tau_m))`
/// (with NEST's `expm1`, [`numerics::expm1`])
/// where it is a positive normal number, else its limit for
/// `tau_m == tau_syn`, `h / C_m * exp(-h/tau_m)`. At `tau_m == tau_syn`
/// the regular form is `inf * x * 0 = NaN`, so the limit applies; close
/// to it the regular form stays in use, as in NEST.
pub(crate) fn exp_propagator(tau_syn: f64, tau_m: f64, c_m: f64, h: f64) -> f64 {
    let beta = tau_syn * tau_m / (tau_m - tau_syn); // inf when tau_m == tau_syn
    let gamma = beta / c_m;
    let inv_tau_syn = 1.0 / tau_syn;
    let inv_tau_m = 1.0 / tau_m;
    let inv_c_m = 1.0 / c_m;
    let inv_beta = (tau_m - tau_syn) / (tau_syn * tau_m); // explicit: 0 when equal

    let exp_h_tau_syn = (-h * inv_tau_syn).exp();
    // NEST's `numerics::expm1` (its series, not the C library's).
    let expm1_h_tau = numerics::expm1(h * inv_beta);
    let p32 = gamma * exp_h_tau_syn * expm1_h_tau;
    if p32.is_normal() && p32 > 0.0 {
        p32
    } else {
        let exp_h_tau = (-h * inv_tau_m).exp();
        h * inv_c_m * exp_h_tau
    }
}

/// `t_ref` in steps as NEST 3.10 converts it (`Resolution::steps_up`:
/// 1.51 ms at 0.1 ms is 16 steps, not 15).
pub(super) fn refractory_steps(t_ref: f64, res: Resolution) -> u32 {
    res.steps_up(t_ref) as u32
}

/// Everything derived from the parameters and `h`, once per run (NEST's
/// `Variables_`, computed in `pre_run_hook`). Potentials relative to `E_L`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Propagators {
    /// `exp(-h/tau_syn_ex)`: decay of the excitatory current (`P11ex_`).
    pub p11_ex: f64,
    /// `exp(-h/tau_syn_in)` (`P11in_`).
    pub p11_in: f64,
    /// `exp(-h/tau_m)`: decay of `V_m` (`P22_`).
    pub p22: f64,
    /// Propagator from `I_syn_ex` to `V_m` (`P21ex_`).
    pub p21_ex: f64,
    /// Propagator from `I_syn_in` to `V_m` (`P21in_`).
    pub p21_in: f64,
    /// Propagator from a constant current to `V_m`:
    /// `tau_m / C_m * (1 - P22)` (`P20_`).
    pub p20: f64,
    /// The constant current's contribution to a step of `V_m`:
    /// `(I_e + i_0) * P20` with NEST's current-port input `i_0`, always 0
    /// in Spindle.
    pub p20_i_e: f64,
    /// Refractory period in steps.
    pub refractory_steps: u32,
    /// Threshold relative to `E_L` (`Theta_`).
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
    pub fn new(p: &IafPscExpParams, res: Resolution) -> Self {
        let h = res.h();
        let p22 = (-h / p.tau_m).exp();
        let p20 = p.tau_m / p.c_m * (1.0 - p22);
        // NEST: `( P_.I_e_ + S_.i_0_ ) * V_.P20_`, with `i_0_` = 0.
        let i_0 = 0.0;
        Self {
            p11_ex: (-h / p.tau_syn_ex).exp(),
            p11_in: (-h / p.tau_syn_in).exp(),
            p22,
            p21_ex: exp_propagator(p.tau_syn_ex, p.tau_m, p.c_m, h),
            p21_in: exp_propagator(p.tau_syn_in, p.tau_m, p.c_m, h),
            p20,
            p20_i_e: (p.i_e + i_0) * p20,
            refractory_steps: refractory_steps(p.t_ref, res),
            theta: p.v_th - p.e_l,
            v_reset: p.v_reset - p.e_l,
            i_e: p.i_e,
            e_l: p.e_l,
        }
    }
}
