//! `hh_cond_exp_traub`: Hodgkin-Huxley neuron after Traub and Miles (1991)
//! with exponentially decaying synaptic conductances (NEST 3.10's
//! `models/hh_cond_exp_traub.cpp`), the neuron of Brette et al. (2007)'s
//! HH-COBA benchmark, integrated as NEST does with GSL's adaptive rkf45
//! ([`crate::odeint`], absolute tolerance 1e-3), the step size carried
//! between steps.
//!
//! | Parameter    | Default  | Unit | Description                          |
//! |--------------|----------|------|--------------------------------------|
//! | `g_Na`       | 20000.0  | nS   | Sodium peak conductance              |
//! | `g_K`        | 6000.0   | nS   | Potassium peak conductance           |
//! | `g_L`        | 10.0     | nS   | Leak conductance                     |
//! | `C_m`        | 200.0    | pF   | Membrane capacitance                 |
//! | `E_Na`       | 50.0     | mV   | Sodium reversal potential            |
//! | `E_K`        | -90.0    | mV   | Potassium reversal potential         |
//! | `E_L`        | -60.0    | mV   | Leak reversal potential              |
//! | `V_T`        | -63.0    | mV   | Voltage offset of the rate functions |
//! | `E_ex`       | 0.0      | mV   | Excitatory reversal potential        |
//! | `E_in`       | -80.0    | mV   | Inhibitory reversal potential        |
//! | `tau_syn_ex` | 5.0      | ms   | Excitatory conductance decay time    |
//! | `tau_syn_in` | 10.0     | ms   | Inhibitory conductance decay time    |
//! | `t_ref`      | 2.0      | ms   | Refractory period (no spike is sent) |
//! | `I_e`        | 0.0      | pA   | Constant input current               |
//! | `V_m`        | -60.0    | mV   | Initial membrane potential           |
//!
//! The gating variables start at their equilibrium at -60 mV (NEST's
//! `State_` built from the default `E_L`), whatever the initial `V_m`.
//! Per step, in NEST's order: the ODE is integrated over the step, this
//! step's spikes join the conductances (an inhibitory weight `w < 0` adds
//! `-w` nS), then a refractory neuron counts down, or one at or above
//! `V_T + 30` mV whose potential fell during the step fires and starts its
//! refractory count; nothing is reset.

use spindle_core::Resolution;

use crate::adaptive::{
    Adaptive, GroupStep, OdeNeuron, OdeState, RateModel, adaptive_model, check_finite, param,
    rate_step, rate_step_group, rate_step_pooled, recordable, step_in_groups,
};
use crate::isa::Isa;
use crate::lanes::LanePopulation;
use crate::libm_exp::ExpPath;
use crate::model::{ParamError, ParamSpec, RecordableSpec};
use crate::odeint::Control;

mod simd;

/// The model: `hh_cond_exp_traub` behind the [`NeuronModel`] interface.
#[derive(Debug, Clone, Copy, Default)]
pub struct HhCondExpTraub;

/// The one instance the network and the registry refer to.
pub static HH_COND_EXP_TRAUB: HhCondExpTraub = HhCondExpTraub;

/// A population of `hh_cond_exp_traub` neurons sharing one parameter set.
pub type HhCondExpTraubPopulation = LanePopulation<Adaptive<Neuron>>;

/// The parameters with NEST's names, units and defaults (NEST's
/// `Parameters_::get` order, then the initial `V_m`).
const PARAMS: &[ParamSpec] = &[
    param("g_Na", "nS", 20000.0),
    param("g_K", "nS", 6000.0),
    param("g_L", "nS", 10.0),
    param("C_m", "pF", 200.0),
    param("E_Na", "mV", 50.0),
    param("E_K", "mV", -90.0),
    param("E_L", "mV", -60.0),
    param("V_T", "mV", -63.0),
    param("E_ex", "mV", 0.0),
    param("E_in", "mV", -80.0),
    param("tau_syn_ex", "ms", 5.0),
    param("tau_syn_in", "ms", 10.0),
    param("t_ref", "ms", 2.0),
    param("I_e", "pA", 0.0),
    param("V_m", "mV", -60.0),
    // NEST's `State_`: the gating variables' equilibrium at -60 mV.
    param("Act_m", "", 9.895563096746586e-09),
    param("Inact_h", "", 0.999999999106396),
    param("Act_n", "", 2.551577051602551e-07),
];

/// What a multimeter records (NEST's recordables, in its order).
const RECORDABLES: &[RecordableSpec] = &[
    recordable("V_m", "mV"),
    recordable("g_ex", "nS"),
    recordable("g_in", "nS"),
    recordable("Act_m", ""),
    recordable("Inact_h", ""),
    recordable("Act_n", ""),
];

/// The parameters, NEST's names in snake case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HhCondExpTraubParams {
    /// Sodium peak conductance [nS].
    pub g_na: f64,
    /// Potassium peak conductance [nS].
    pub g_k: f64,
    /// Leak conductance [nS].
    pub g_l: f64,
    /// Membrane capacitance [pF].
    pub c_m: f64,
    /// Sodium reversal potential [mV].
    pub e_na: f64,
    /// Potassium reversal potential [mV].
    pub e_k: f64,
    /// Leak reversal potential [mV].
    pub e_l: f64,
    /// Voltage offset of the rate functions [mV].
    pub v_t: f64,
    /// Excitatory reversal potential [mV].
    pub e_ex: f64,
    /// Inhibitory reversal potential [mV].
    pub e_in: f64,
    /// Excitatory conductance decay time [ms].
    pub tau_syn_ex: f64,
    /// Inhibitory conductance decay time [ms].
    pub tau_syn_in: f64,
    /// Refractory period [ms].
    pub t_ref: f64,
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

impl HhCondExpTraubParams {
    /// The typed view of values in the model's parameter order.
    pub fn from_values(v: &[f64]) -> Self {
        let [
            g_na,
            g_k,
            g_l,
            c_m,
            e_na,
            e_k,
            e_l,
            v_t,
            e_ex,
            e_in,
            tau_syn_ex,
            tau_syn_in,
            t_ref,
            i_e,
            v_m,
            act_m,
            inact_h,
            act_n,
        ] = v
            .try_into()
            .expect("one value per hh_cond_exp_traub parameter");
        Self {
            g_na,
            g_k,
            g_l,
            c_m,
            e_na,
            e_k,
            e_l,
            v_t,
            e_ex,
            e_in,
            tau_syn_ex,
            tau_syn_in,
            t_ref,
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
        if self.tau_syn_ex <= 0.0 || self.tau_syn_in <= 0.0 {
            return nest("All time constants must be strictly positive.");
        }
        if self.t_ref < 0.0 {
            return nest("Refractory time cannot be negative.");
        }
        // NEST's `State_::set`, after the parameters.
        if self.act_m < 0.0 || self.inact_h < 0.0 || self.act_n < 0.0 {
            return nest("All (in)activation variables must be non-negative.");
        }
        Ok(())
    }
}

adaptive_model!(
    HhCondExpTraub,
    "hh_cond_exp_traub",
    PARAMS,
    RECORDABLES,
    Neuron,
    |v| HhCondExpTraubParams::from_values(v).validate(v),
    &["V_m", "Act_m", "Inact_h", "Act_n"]
);

/// What the step reads.
#[derive(Debug, Clone, Copy)]
pub struct Props {
    p: HhCondExpTraubParams,
    refractory_steps: u32,
    h: f64,
    control: Control,
    /// The run's vector unit ([`Isa::detect`]).
    isa: Isa,
    /// The divisors of the eight-lane derivative ([`simd`]), where the
    /// run's vector unit is AVX-512 and `exp` takes its eight-lane path.
    v8: Option<simd::Divisors>,
}

/// Whether the derivative takes eight lanes in AVX-512 registers on vector
/// unit `isa`: where `exp` takes its eight-lane path too.
fn eight_lanes(isa: Isa) -> bool {
    #[cfg(target_arch = "x86_64")]
    return isa == Isa::Avx512 && ExpPath::detect() == ExpPath::Avx512;
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// The rate functions at `v` (`V_m - V_T`): `(alpha_n, beta_n, alpha_m,
/// beta_m, alpha_h, beta_h)`, as NEST spells them.
#[cfg(test)]
fn rates(v: f64) -> [f64; 6] {
    rates_of(v, rate_args(v).map(f64::exp))
}

/// The arguments of the rate functions' exponentials at `v`, in
/// [`rates_of`]'s order.
#[inline(always)]
fn rate_args(v: f64) -> [f64; 6] {
    [
        (15. - v) / 5.,
        (10. - v) / 40.,
        (13. - v) / 4.,
        (v - 40.) / 5.,
        (17. - v) / 18.,
        (40. - v) / 5.,
    ]
}

/// The rate functions at `v` given their exponentials `e`.
#[inline(always)]
fn rates_of(v: f64, e: [f64; 6]) -> [f64; 6] {
    [
        0.032 * (15. - v) / (e[0] - 1.),
        0.5 * e[1],
        0.32 * (13. - v) / (e[2] - 1.),
        0.28 * (v - 40.) / (e[3] - 1.),
        0.128 * e[4],
        4. / (1. + e[5]),
    ]
}

/// NEST's `hh_cond_exp_traub_dynamics`, its expressions in its order, with
/// the rate functions' exponentials `e` (of [`rate_args`] at `V_m - V_T`)
/// given.
#[inline(always)]
fn dynamics(p: &HhCondExpTraubParams, i_stim: f64, y: &[f64; 6], e: [f64; 6]) -> [f64; 6] {
    let [v_m, m, h, n, g_ex, g_in] = *y;
    let i_na = p.g_na * m * m * m * h * (v_m - p.e_na);
    let i_k = p.g_k * n * n * n * n * (v_m - p.e_k);
    let i_l = p.g_l * (v_m - p.e_l);
    let i_syn_exc = g_ex * (v_m - p.e_ex);
    let i_syn_inh = g_in * (v_m - p.e_in);
    let dv = (-i_na - i_k - i_l - i_syn_exc - i_syn_inh + i_stim + p.i_e) / p.c_m;
    let [alpha_n, beta_n, alpha_m, beta_m, alpha_h, beta_h] = rates_of(v_m - p.v_t, e);
    [
        dv,
        alpha_m - (alpha_m + beta_m) * m,
        alpha_h - (alpha_h + beta_h) * h,
        alpha_n - (alpha_n + beta_n) * n,
        -g_ex / p.tau_syn_ex,
        -g_in / p.tau_syn_in,
    ]
}

/// One neuron: NEST's state vector `[V_M, HH_M, HH_H, HH_N, G_EXC,
/// G_INH]`, its refractory count and its integration step.
#[derive(Debug, Clone, Copy)]
pub struct Neuron {
    y: [f64; 6],
    r: u32,
    step: f64,
}

impl OdeNeuron for Neuron {
    type Props = Props;
    type Sample = [f64; 6];

    fn props(values: &[f64], res: Resolution) -> Props {
        let p = HhCondExpTraubParams::from_values(values);
        let isa = Isa::detect();
        Props {
            p,
            refractory_steps: res.steps_up(p.t_ref) as u32,
            h: res.h(),
            control: Control::y(1e-3, 0.0).expect("NEST's tolerances"),
            isa,
            v8: simd::Divisors::new(&p).filter(|_| eight_lanes(isa)),
        }
    }

    fn new(p: &Props) -> Self {
        // The gating variables as the parameters give them: NEST's
        // defaults are their equilibrium at -60 mV, whatever `V_m`.
        Self {
            y: [p.p.v_m, p.p.act_m, p.p.inact_h, p.p.act_n, 0.0, 0.0],
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
        [y[0], y[4], y[5], y[1], y[2], y[3]]
    }
}

impl OdeState<6> for Neuron {
    fn ode(&mut self) -> (&mut [f64; 6], &mut f64) {
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

impl RateModel<6> for Neuron {
    fn control(props: &Props) -> (&Control, f64) {
        (&props.control, props.h)
    }

    #[inline(always)]
    fn rate_args(props: &Props, y: &[f64; 6]) -> [f64; 6] {
        rate_args(y[0] - props.p.v_t)
    }

    #[inline(always)]
    fn dynamics(props: &Props, i_stim: f64, y: &[f64; 6], e: [f64; 6]) -> [f64; 6] {
        dynamics(&props.p, i_stim, y, e)
    }

    #[inline(always)]
    fn isa(props: &Props) -> Isa {
        props.isa
    }

    /// Eight lanes at a time in AVX-512 registers ([`simd`]) where the run
    /// has them.
    #[inline(always)]
    fn dynamics_lanes<const M: usize>(
        props: &Props,
        i_stim: &[f64; M],
        y: &[[f64; M]; 6],
    ) -> Option<[[f64; M]; 6]> {
        #[cfg(target_arch = "x86_64")]
        if let Some(d) = &props.v8
            && M.is_multiple_of(8)
        {
            // SAFETY: `v8` is set only where the run's vector unit is
            // AVX-512 (`Isa::detect`, which checks that the CPU has
            // AVX-512F, AVX2 and FMA).
            #[allow(unsafe_code)]
            return unsafe { simd::v8::derivative(&props.p, d, i_stim, y) };
        }
        None
    }

    /// The rest of NEST's update after the integration (`u_old` the
    /// potential before it): this step's spikes join the conductances,
    /// refractoriness, spike detection.
    #[inline(always)]
    fn after(&mut self, props: &Props, u_old: f64, ex: f64, inh: f64) -> bool {
        let p = &props.p;
        self.y[4] += ex;
        self.y[5] += -inh;
        if self.r > 0 {
            self.r -= 1;
            false
        } else if self.y[0] >= p.v_t + 30. && u_old > self.y[0] {
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
        let [alpha_n, beta_n, alpha_m, beta_m, alpha_h, beta_h] = rates(-60.0);
        let value = |name: &str| PARAMS.iter().find(|p| p.name == name).unwrap().default;
        assert_eq!(value("Act_m"), alpha_m / (alpha_m + beta_m));
        assert_eq!(value("Inact_h"), alpha_h / (alpha_h + beta_h));
        assert_eq!(value("Act_n"), alpha_n / (alpha_n + beta_n));
    }

    /// The lanes give the scalar step's bits, with the library's `exp`
    /// there and this crate's in the lanes: through spikes,
    /// refractoriness, several trial steps per interval and current input.
    #[test]
    fn lanes_match_the_scalar_step() {
        let values: Vec<f64> = PARAMS.iter().map(|p| p.default).collect();
        let p = Neuron::props(&values, Resolution::new(0.1).unwrap());
        // `V_m` 0.37 mV apart: no lane starts where a rate is 0 / 0.
        crate::adaptive::checks::lanes_match_the_scalar_step::<Neuron>(
            &p,
            [30.0, -100.0, 50.0, 10.0, 0.37],
            200,
        );
    }

    #[test]
    fn negative_gating_is_refused() {
        let mut v: Vec<f64> = PARAMS.iter().map(|p| p.default).collect();
        let at = PARAMS.iter().position(|p| p.name == "Inact_h").unwrap();
        v[at] = -0.1;
        assert_eq!(
            HhCondExpTraubParams::from_values(&v).validate(&v),
            Err(ParamError::Invalid(
                "All (in)activation variables must be non-negative.".into()
            ))
        );
    }
}
