//! `hh_psc_alpha`: Hodgkin-Huxley neuron with alpha-shaped synaptic
//! currents (NEST 3.10's `models/hh_psc_alpha.cpp`), integrated as NEST does
//! with GSL's adaptive rkf45 ([`crate::odeint`], absolute tolerance 1e-3),
//! the step size carried between steps.
//!
//! | Parameter    | Default  | Unit | Description                          |
//! |--------------|----------|------|--------------------------------------|
//! | `t_ref`      | 2.0      | ms   | Refractory period (no spike is sent) |
//! | `g_Na`       | 12000.0  | nS   | Sodium peak conductance              |
//! | `g_K`        | 3600.0   | nS   | Potassium peak conductance           |
//! | `g_L`        | 30.0     | nS   | Leak conductance                     |
//! | `E_Na`       | 50.0     | mV   | Sodium reversal potential            |
//! | `E_K`        | -77.0    | mV   | Potassium reversal potential         |
//! | `E_L`        | -54.402  | mV   | Leak reversal potential              |
//! | `C_m`        | 100.0    | pF   | Membrane capacitance                 |
//! | `tau_syn_ex` | 0.2      | ms   | Rise time of the excitatory current  |
//! | `tau_syn_in` | 2.0      | ms   | Rise time of the inhibitory current  |
//! | `I_e`        | 0.0      | pA   | Constant input current               |
//! | `V_m`        | -65.0    | mV   | Initial membrane potential           |
//!
//! The gating variables start at their equilibrium at -65 mV whatever the
//! initial `V_m` (NEST's `State_` constructor). Per step, in NEST's order:
//! the ODE is integrated over the step, this step's spikes join the
//! currents' derivatives (`e / tau_syn` per pA), then a refractory neuron
//! counts down, or one at or above 0 mV whose potential fell during the
//! step (a maximum passed) fires and starts its refractory count; nothing
//! is reset.

use spindle_core::Resolution;

use crate::adaptive::{
    Adaptive, E, GroupStep, OdeNeuron, OdeState, RateModel, adaptive_model, check_finite, param,
    rate_step, rate_step_group, rate_step_pooled, recordable, step_in_groups,
};
use crate::lanes::LanePopulation;
use crate::model::{ParamError, ParamSpec, RecordableSpec};
use crate::odeint::Control;

/// The model: `hh_psc_alpha` behind the [`NeuronModel`] interface.
#[derive(Debug, Clone, Copy, Default)]
pub struct HhPscAlpha;

/// The one instance the network and the registry refer to.
pub static HH_PSC_ALPHA: HhPscAlpha = HhPscAlpha;

/// A population of `hh_psc_alpha` neurons sharing one parameter set.
pub type HhPscAlphaPopulation = LanePopulation<Adaptive<Neuron>>;

/// The parameters with NEST's names, units and defaults (NEST's
/// `Parameters_::get` order, then the initial `V_m`).
const PARAMS: &[ParamSpec] = &[
    param("t_ref", "ms", 2.0),
    param("g_Na", "nS", 12000.0),
    param("g_K", "nS", 3600.0),
    param("g_L", "nS", 30.0),
    param("E_Na", "mV", 50.0),
    param("E_K", "mV", -77.0),
    param("E_L", "mV", -54.402),
    param("C_m", "pF", 100.0),
    param("tau_syn_ex", "ms", 0.2),
    param("tau_syn_in", "ms", 2.0),
    param("I_e", "pA", 0.0),
    param("V_m", "mV", -65.0),
    // NEST's `State_`: the gating variables' equilibrium at -65 mV.
    param("Act_m", "", 0.05293248525724958),
    param("Inact_h", "", 0.5961207535084603),
    param("Act_n", "", 0.3176769140606974),
];

/// What a multimeter records (NEST's recordables, in its order).
const RECORDABLES: &[RecordableSpec] = &[
    recordable("V_m", "mV"),
    recordable("I_syn_ex", "pA"),
    recordable("I_syn_in", "pA"),
    recordable("Act_m", ""),
    recordable("Inact_h", ""),
    recordable("Act_n", ""),
];

/// The parameters, NEST's names in snake case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HhPscAlphaParams {
    /// Refractory period [ms].
    pub t_ref: f64,
    /// Sodium peak conductance [nS].
    pub g_na: f64,
    /// Potassium peak conductance [nS].
    pub g_k: f64,
    /// Leak conductance [nS].
    pub g_l: f64,
    /// Sodium reversal potential [mV].
    pub e_na: f64,
    /// Potassium reversal potential [mV].
    pub e_k: f64,
    /// Leak reversal potential [mV].
    pub e_l: f64,
    /// Membrane capacitance [pF].
    pub c_m: f64,
    /// Excitatory rise time [ms].
    pub tau_syn_ex: f64,
    /// Inhibitory rise time [ms].
    pub tau_syn_in: f64,
    /// Constant input current [pA].
    pub i_e: f64,
    /// Initial membrane potential [mV].
    pub v_m: f64,
    /// Initial sodium activation `m` (NEST's `Act_m`).
    pub act_m: f64,
    /// Initial sodium inactivation `h` (`Inact_h`).
    pub inact_h: f64,
    /// Initial potassium activation `n` (`Act_n`).
    pub act_n: f64,
}

impl HhPscAlphaParams {
    /// The typed view of values in the model's parameter order.
    pub fn from_values(v: &[f64]) -> Self {
        let [
            t_ref,
            g_na,
            g_k,
            g_l,
            e_na,
            e_k,
            e_l,
            c_m,
            tau_syn_ex,
            tau_syn_in,
            i_e,
            v_m,
            act_m,
            inact_h,
            act_n,
        ] = v.try_into().expect("one value per hh_psc_alpha parameter");
        Self {
            t_ref,
            g_na,
            g_k,
            g_l,
            e_na,
            e_k,
            e_l,
            c_m,
            tau_syn_ex,
            tau_syn_in,
            i_e,
            v_m,
            act_m,
            inact_h,
            act_n,
        }
    }

    /// Check as NEST's `Parameters_::set` does, in its order and with its
    /// messages (every value finite first, Spindle's own check).
    pub fn validate(&self, values: &[f64]) -> Result<(), ParamError> {
        check_finite(PARAMS, values)?;
        let nest = |msg: &str| Err(ParamError::Invalid(msg.into()));
        if self.c_m <= 0.0 {
            return nest("Capacitance must be strictly positive.");
        }
        if self.t_ref < 0.0 {
            return nest("Refractory time cannot be negative.");
        }
        if self.tau_syn_ex <= 0.0 || self.tau_syn_in <= 0.0 {
            return nest("All time constants must be strictly positive.");
        }
        if self.g_k < 0.0 || self.g_na < 0.0 || self.g_l < 0.0 {
            return nest("All conductances must be non-negative.");
        }
        // NEST's `State_::set`, after the parameters.
        if self.act_m < 0.0 || self.inact_h < 0.0 || self.act_n < 0.0 {
            return nest("All (in)activation variables must be non-negative.");
        }
        Ok(())
    }
}

adaptive_model!(
    HhPscAlpha,
    "hh_psc_alpha",
    PARAMS,
    RECORDABLES,
    Neuron,
    |v| HhPscAlphaParams::from_values(v).validate(v),
    &["V_m", "Act_m", "Inact_h", "Act_n"]
);

/// What the step reads.
#[derive(Debug, Clone, Copy)]
pub struct Props {
    p: HhPscAlphaParams,
    refractory_steps: u32,
    h: f64,
    control: Control,
    /// `e / tau_syn_ex` (NEST's `PSCurrInit_E_`).
    ps_curr_init_e: f64,
    /// `e / tau_syn_in` (`PSCurrInit_I_`).
    ps_curr_init_i: f64,
}

/// The rate functions at `v`: `(alpha_n, beta_n, alpha_m, beta_m,
/// alpha_h, beta_h)`, as NEST spells them.
#[cfg(test)]
fn rates(v: f64) -> [f64; 6] {
    rates_of(v, rate_args(v).map(f64::exp))
}

/// The arguments of the rate functions' exponentials at `v`, in
/// [`rates_of`]'s order.
#[inline(always)]
fn rate_args(v: f64) -> [f64; 6] {
    [
        -(v + 55.) / 10.,
        -(v + 65.) / 80.,
        -(v + 40.) / 10.,
        -(v + 65.) / 18.,
        -(v + 65.) / 20.,
        -(v + 35.) / 10.,
    ]
}

/// The rate functions at `v` given their exponentials `e`.
#[inline(always)]
fn rates_of(v: f64, e: [f64; 6]) -> [f64; 6] {
    [
        (0.01 * (v + 55.)) / (1. - e[0]),
        0.125 * e[1],
        (0.1 * (v + 40.)) / (1. - e[2]),
        4. * e[3],
        0.07 * e[4],
        1. / (1. + e[5]),
    ]
}

/// NEST's `hh_psc_alpha_dynamics`, its expressions in its order, with the
/// rate functions' exponentials `e` (of [`rate_args`] at `V_m`) given.
#[inline(always)]
fn dynamics(p: &HhPscAlphaParams, i_stim: f64, y: &[f64; 8], e: [f64; 6]) -> [f64; 8] {
    let [v, m, h, n, di_ex, i_ex, di_in, i_in] = *y;
    let [alpha_n, beta_n, alpha_m, beta_m, alpha_h, beta_h] = rates_of(v, e);
    let i_na = p.g_na * m * m * m * h * (v - p.e_na);
    let i_k = p.g_k * n * n * n * n * (v - p.e_k);
    let i_l = p.g_l * (v - p.e_l);
    [
        (-(i_na + i_k + i_l) + i_stim + p.i_e + i_ex + i_in) / p.c_m,
        alpha_m * (1. - m) - beta_m * m,
        alpha_h * (1. - h) - beta_h * h,
        alpha_n * (1. - n) - beta_n * n,
        -di_ex / p.tau_syn_ex,
        di_ex - (i_ex / p.tau_syn_ex),
        -di_in / p.tau_syn_in,
        di_in - (i_in / p.tau_syn_in),
    ]
}

/// One neuron: NEST's state vector `[V_M, HH_M, HH_H, HH_N, DI_EXC,
/// I_EXC, DI_INH, I_INH]`, its refractory count and its integration step.
#[derive(Debug, Clone, Copy)]
pub struct Neuron {
    y: [f64; 8],
    r: u32,
    step: f64,
}

impl OdeNeuron for Neuron {
    type Props = Props;
    type Sample = [f64; 6];

    fn props(values: &[f64], res: Resolution) -> Props {
        let p = HhPscAlphaParams::from_values(values);
        Props {
            p,
            refractory_steps: res.steps_up(p.t_ref) as u32,
            h: res.h(),
            control: Control::y(1e-3, 0.0).expect("NEST's tolerances"),
            ps_curr_init_e: 1.0 * E / p.tau_syn_ex,
            ps_curr_init_i: 1.0 * E / p.tau_syn_in,
        }
    }

    fn new(p: &Props) -> Self {
        // The gating variables as the parameters give them: NEST's
        // defaults are their equilibrium at -65 mV, whatever `V_m`.
        Self {
            y: [
                p.p.v_m,
                p.p.act_m,
                p.p.inact_h,
                p.p.act_n,
                0.0,
                0.0,
                0.0,
                0.0,
            ],
            r: 0,
            step: p.h,
        }
    }

    fn v_m(&mut self) -> &mut f64 {
        &mut self.y[0]
    }

    fn state_mut(&mut self, name: &str) -> Option<&mut f64> {
        match name {
            "Act_m" => Some(&mut self.y[1]),
            "Inact_h" => Some(&mut self.y[2]),
            "Act_n" => Some(&mut self.y[3]),
            _ => None,
        }
    }

    #[inline(always)]
    fn step(&mut self, props: &Props, ex: f64, inh: f64, i_stim: f64) -> bool {
        rate_step(self, props, ex, inh, i_stim)
    }

    /// The lanes integrated together in groups ([`GroupStep`]).
    #[inline(always)]
    fn step_lanes<const M: usize>(
        lanes: &mut [Self; M],
        props: &Props,
        ex: &[f64],
        inh: &[f64],
        i_stim: Option<&[f64]>,
    ) -> u32 {
        step_in_groups(lanes, props, ex, inh, i_stim)
    }

    const POOLED: bool = true;

    /// The population's lanes pooled ([`rate_step_pooled`]).
    #[inline(always)]
    fn step_pooled(
        neurons: &mut [Self],
        v: &mut [f64],
        props: &Props,
        ex: &[f64],
        inh: &[f64],
        fired: &mut Vec<u32>,
    ) {
        rate_step_pooled(neurons, v, props, ex, inh, fired);
    }

    fn sample(&self, _: &Props) -> [f64; 6] {
        let y = &self.y;
        [y[0], y[5], y[7], y[1], y[2], y[3]]
    }
}

impl OdeState<8> for Neuron {
    fn ode(&mut self) -> (&mut [f64; 8], &mut f64) {
        (&mut self.y, &mut self.step)
    }
}

impl GroupStep for Neuron {
    #[inline(always)]
    fn step_group<const K: usize>(
        lanes: &mut [Self; K],
        props: &Props,
        ex: &[f64],
        inh: &[f64],
        i_stim: Option<&[f64]>,
    ) -> u32 {
        rate_step_group(lanes, props, ex, inh, i_stim)
    }
}

impl RateModel<8> for Neuron {
    fn control(props: &Props) -> (&Control, f64) {
        (&props.control, props.h)
    }

    #[inline(always)]
    fn rate_args(_: &Props, y: &[f64; 8]) -> [f64; 6] {
        rate_args(y[0])
    }

    #[inline(always)]
    fn dynamics(props: &Props, i_stim: f64, y: &[f64; 8], e: [f64; 6]) -> [f64; 8] {
        dynamics(&props.p, i_stim, y, e)
    }

    /// The rest of NEST's update after the integration (`u_old` the
    /// potential before it): this step's spikes join the currents,
    /// refractoriness, spike detection.
    #[inline(always)]
    fn after(&mut self, props: &Props, u_old: f64, ex: f64, inh: f64) -> bool {
        // Inhibitory currents are negative: the weights as they are.
        self.y[4] += ex * props.ps_curr_init_e;
        self.y[6] += inh * props.ps_curr_init_i;
        if self.r > 0 {
            self.r -= 1;
            false
        } else if self.y[0] >= 0.0 && u_old > self.y[0] {
            self.r = props.refractory_steps;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gating variables' defaults are NEST's equilibrium, computed as
    /// NEST's `State_` computes it, to the bit.
    #[test]
    fn gating_defaults_are_the_equilibrium() {
        let [alpha_n, beta_n, alpha_m, beta_m, alpha_h, beta_h] = rates(-65.0);
        let value = |name: &str| PARAMS.iter().find(|p| p.name == name).unwrap().default;
        assert_eq!(value("Act_m"), alpha_m / (alpha_m + beta_m));
        assert_eq!(value("Inact_h"), alpha_h / (alpha_h + beta_h));
        assert_eq!(value("Act_n"), alpha_n / (alpha_n + beta_n));
    }

    /// The lanes give the scalar step's bits (see `hh_cond_exp_traub`).
    #[test]
    fn lanes_match_the_scalar_step() {
        let values: Vec<f64> = PARAMS.iter().map(|p| p.default).collect();
        let p = Neuron::props(&values, Resolution::new(0.1).unwrap());
        crate::adaptive::checks::lanes_match_the_scalar_step::<Neuron>(
            &p,
            [400.0, -200.0, 600.0, 60.0, 0.37],
            150,
        );
    }

    #[test]
    fn negative_gating_is_refused() {
        let mut v: Vec<f64> = PARAMS.iter().map(|p| p.default).collect();
        let at = PARAMS.iter().position(|p| p.name == "Inact_h").unwrap();
        v[at] = -0.1;
        assert_eq!(
            HhPscAlphaParams::from_values(&v).validate(&v),
            Err(ParamError::Invalid(
                "All (in)activation variables must be non-negative.".into()
            ))
        );
    }
}
