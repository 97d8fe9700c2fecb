//! `iaf_psc_alpha`'s propagators: the exact integration's matrix entries
//! for one step, computed as NEST computes them.

use spindle_core::Resolution;

use super::IafPscAlphaParams;

/// `P31` and `P32` for one synaptic time constant, as NEST's
/// `IAFPropagatorAlpha::evaluate` computes them, including its treatment of
/// the singular case `tau_m == tau_syn` (`libnestutil/iaf_propagator.cpp`).
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
    let expm1_h_tau = (h * inv_beta).exp_m1();
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
/// `Variables_`, computed in `pre_run_hook`). Potentials relative to `E_L`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Propagators {
    /// `exp(-h/tau_syn_ex)`: P11 and P22 of the excitatory current.
    pub p11_ex: f64,
    /// `exp(-h/tau_syn_in)`.
    pub p11_in: f64,
    /// `h * P11_ex`.
    pub p21_ex: f64,
    /// `h * P11_in`.
    pub p21_in: f64,
    /// Propagator from `dI_ex` to `V_m`.
    pub p31_ex: f64,
    /// Propagator from `I_ex` to `V_m`.
    pub p32_ex: f64,
    /// Propagator from `dI_in` to `V_m`.
    pub p31_in: f64,
    /// Propagator from `I_in` to `V_m`.
    pub p32_in: f64,
    /// Propagator from a constant current to `V_m`: `-tau_m/C_m * expm1(-h/tau_m)`.
    pub p30: f64,
    /// `expm1(-h/tau_m)`; `V_m` is propagated as `expm1_tau_m * V + V`.
    pub expm1_tau_m: f64,
    /// Jump of `dI_ex` per pA of weight: `e / tau_syn_ex`.
    pub epsc_initial: f64,
    /// Jump of `dI_in` per pA of weight: `e / tau_syn_in`.
    pub ipsc_initial: f64,
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
    pub fn new(p: &IafPscAlphaParams, res: Resolution) -> Self {
        let h = res.h();
        let p11_ex = (-h / p.tau_syn_ex).exp();
        let p11_in = (-h / p.tau_syn_in).exp();
        let expm1_tau_m = (-h / p.tau_m).exp_m1();
        let p30 = -p.tau_m / p.c_m * (-h / p.tau_m).exp_m1();
        let (p31_ex, p32_ex) = alpha_propagator(p.tau_syn_ex, p.tau_m, p.c_m, h);
        let (p31_in, p32_in) = alpha_propagator(p.tau_syn_in, p.tau_m, p.c_m, h);
        Self {
            p11_ex,
            p11_in,
            p21_ex: h * p11_ex,
            p21_in: h * p11_in,
            p31_ex,
            p32_ex,
            p31_in,
            p32_in,
            p30,
            expm1_tau_m,
            epsc_initial: 1.0 * std::f64::consts::E / p.tau_syn_ex,
            ipsc_initial: 1.0 * std::f64::consts::E / p.tau_syn_in,
            refractory_steps: res.steps_up(p.t_ref) as u32,
            theta: p.v_th - p.e_l,
            v_reset: p.v_reset - p.e_l,
            lower_bound: p.v_min - p.e_l,
            i_e: p.i_e,
            e_l: p.e_l,
        }
    }
}
