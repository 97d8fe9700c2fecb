//! `iaf_psc_delta`'s propagators: what NEST's `pre_run_hook` derives from
//! the parameters and `h`, computed as NEST computes it.

use spindle_core::Resolution;

use super::IafPscDeltaParams;

/// Everything derived from the parameters and `h`, once per run (NEST's
/// `Variables_`, and its parameters relative to `E_L`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Propagators {
    /// `exp(-h/tau_m)`: NEST's `P33_`.
    pub p33: f64,
    /// `1/C_m * (1 - P33) * tau_m`: NEST's `P30_`, from a current to `V_m`.
    pub p30: f64,
    /// `P30 * (0 + I_e)`: NEST's `P30_ * (y0_ + I_e_)` with the current
    /// input `y0_` always 0 here.
    pub p30_i_e: f64,
    /// `I_e` [pA], for steps with an input current.
    pub i_e: f64,
    /// Refractory period in steps.
    pub refractory_steps: u32,
    /// Threshold relative to `E_L`.
    pub theta: f64,
    /// Reset relative to `E_L`.
    pub v_reset: f64,
    /// Lower bound relative to `E_L`.
    pub lower_bound: f64,
    /// `E_L`, to report absolute potentials.
    pub e_l: f64,
    /// Whether input arriving while refractory is kept.
    pub refractory_input: bool,
    /// `h` [ms] and `tau_m` [ms], for the refractory discount past the
    /// table ([`Propagators::decay`]).
    pub h: f64,
    /// See `h`.
    pub tau_m: f64,
    /// Whether the neuron fires at fixed times (NEST's `ignore_and_spike`).
    pub ignore_and_spike: bool,
    /// `ignore_and_spike_offset` in steps, where a neuron's count starts.
    pub forced_offset: i64,
    /// `ignore_and_spike_interval` in steps, where the count restarts.
    pub forced_interval: i64,
}

/// Refractory discounts kept in a table at most (a `t_ref` of hours would
/// otherwise ask for gigabytes); beyond it they are computed.
const DECAY_TABLE_MAX: u32 = 1 << 16;

/// `t_ref` in steps as NEST 3.10 converts it (`Resolution::steps_up`).
pub fn refractory_steps(t_ref: f64, res: Resolution) -> u32 {
    res.steps_up(t_ref) as u32
}

impl Propagators {
    /// Derive the propagators for resolution `res`.
    pub fn new(p: &IafPscDeltaParams, res: Resolution) -> Self {
        let h = res.h();
        let p33 = (-h / p.tau_m).exp();
        let p30 = 1.0 / p.c_m * (1.0 - p33) * p.tau_m;
        Self {
            p33,
            p30,
            p30_i_e: p30 * (0.0 + p.i_e),
            i_e: p.i_e,
            refractory_steps: refractory_steps(p.t_ref, res),
            theta: p.v_th - p.e_l,
            v_reset: p.v_reset - p.e_l,
            lower_bound: p.v_min - p.e_l,
            e_l: p.e_l,
            refractory_input: p.refractory_input,
            h,
            tau_m: p.tau_m,
            ignore_and_spike: p.ignore_and_spike,
            forced_offset: res.steps_up(p.ignore_and_spike_offset) as i64,
            forced_interval: res.steps_up(p.ignore_and_spike_interval) as i64,
        }
    }

    /// The discount of input arriving with `r` refractory steps left:
    /// NEST's `exp(-r_ * h / tau_m_)`, with `r_` an `int` (negated, then
    /// converted).
    #[inline]
    pub fn decay(&self, r: u32) -> f64 {
        (-f64::from(r) * self.h / self.tau_m).exp()
    }

    /// [`decay`](Self::decay) for `r` in `0..=refractory_steps` (at most
    /// [`DECAY_TABLE_MAX`] of them), where `refractory_input` reads it;
    /// empty where it does not.
    pub fn refractory_decay(&self) -> Vec<f64> {
        if !self.refractory_input {
            return Vec::new();
        }
        (0..=self.refractory_steps.min(DECAY_TABLE_MAX))
            .map(|r| self.decay(r))
            .collect()
    }
}
