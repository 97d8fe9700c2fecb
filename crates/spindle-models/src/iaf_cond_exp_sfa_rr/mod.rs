//! `iaf_cond_exp_sfa_rr`: `iaf_cond_exp` with spike-frequency adaptation
//! and relative refractoriness, two conductances each spike raises by
//! `q_sfa`, `q_rr` and which decay with `tau_sfa`, `tau_rr` towards
//! reversal potentials `E_sfa`, `E_rr` (Dayan & Abbott 2001; NEST 3.10's
//! `models/iaf_cond_exp_sfa_rr.cpp`), integrated as NEST does with GSL's
//! adaptive rkf45 ([`crate::odeint`], absolute tolerance 1e-3).
//!
//! | Parameter    | Default  | Unit | Description                          |
//! |--------------|----------|------|--------------------------------------|
//! | `V_th`       | -57.0    | mV   | Spike threshold                      |
//! | `V_reset`    | -70.0    | mV   | Reset potential                      |
//! | `t_ref`      | 0.5      | ms   | Refractory period                    |
//! | `g_L`        | 28.95    | nS   | Leak conductance                     |
//! | `E_L`        | -70.0    | mV   | Leak reversal potential              |
//! | `E_ex`       | 0.0      | mV   | Excitatory reversal potential        |
//! | `E_in`       | -75.0    | mV   | Inhibitory reversal potential        |
//! | `C_m`        | 289.5    | pF   | Membrane capacitance                 |
//! | `tau_syn_ex` | 1.5      | ms   | Excitatory conductance decay time    |
//! | `tau_syn_in` | 10.0     | ms   | Inhibitory conductance decay time    |
//! | `I_e`        | 0.0      | pA   | Constant input current               |
//! | `tau_sfa`    | 110.0    | ms   | Adaptation conductance decay time    |
//! | `tau_rr`     | 1.97     | ms   | Relative-refractory decay time       |
//! | `E_sfa`      | -70.0    | mV   | Adaptation reversal potential        |
//! | `E_rr`       | -70.0    | mV   | Relative-refractory reversal         |
//! | `q_sfa`      | 14.48    | nS   | Adaptation jump per spike            |
//! | `q_rr`       | 3214.0   | nS   | Relative-refractory jump per spike   |
//! | `V_m`        | -70.0    | mV   | Initial membrane potential           |
//!
//! Per step, in NEST's order: `iaf_cond_exp`'s ([`crate::iaf_cond_exp`]),
//! a spike also adding `q_sfa` and `q_rr` to their conductances.

use spindle_core::Resolution;

use crate::adaptive::{Adaptive, OdeNeuron, adaptive_model, check_finite, param, recordable};
use crate::lanes::LanePopulation;
use crate::model::{ParamError, ParamSpec, RecordableSpec};
use crate::odeint::{Control, integrate_one};

/// The model: `iaf_cond_exp_sfa_rr` behind the [`NeuronModel`] interface.
#[derive(Debug, Clone, Copy, Default)]
pub struct IafCondExpSfaRr;

/// The one instance the network and the registry refer to.
pub static IAF_COND_EXP_SFA_RR: IafCondExpSfaRr = IafCondExpSfaRr;

/// A population of `iaf_cond_exp_sfa_rr` neurons sharing one parameter set.
pub type IafCondExpSfaRrPopulation = LanePopulation<Adaptive<Neuron>>;

/// The parameters with NEST's names, units and defaults (NEST's
/// `Parameters_::get` order, then the initial `V_m`).
const PARAMS: &[ParamSpec] = &[
    param("V_th", "mV", -57.0),
    param("V_reset", "mV", -70.0),
    param("t_ref", "ms", 0.5),
    param("g_L", "nS", 28.95),
    param("E_L", "mV", -70.0),
    param("E_ex", "mV", 0.0),
    param("E_in", "mV", -75.0),
    param("C_m", "pF", 289.5),
    param("tau_syn_ex", "ms", 1.5),
    param("tau_syn_in", "ms", 10.0),
    param("I_e", "pA", 0.0),
    param("tau_sfa", "ms", 110.0),
    param("tau_rr", "ms", 1.97),
    param("E_sfa", "mV", -70.0),
    param("E_rr", "mV", -70.0),
    param("q_sfa", "nS", 14.48),
    param("q_rr", "nS", 3214.0),
    param("V_m", "mV", -70.0),
    // NEST's `State_` besides `V_m`: the conductances.
    param("g_ex", "nS", 0.0),
    param("g_in", "nS", 0.0),
    param("g_sfa", "nS", 0.0),
    param("g_rr", "nS", 0.0),
];

/// What a multimeter records (NEST's recordables, in its order).
const RECORDABLES: &[RecordableSpec] = &[
    recordable("V_m", "mV"),
    recordable("g_ex", "nS"),
    recordable("g_in", "nS"),
    recordable("g_sfa", "nS"),
    recordable("g_rr", "nS"),
];

/// The parameters, NEST's names in snake case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IafCondExpSfaRrParams {
    /// Threshold [mV].
    pub v_th: f64,
    /// Reset potential [mV].
    pub v_reset: f64,
    /// Refractory period [ms].
    pub t_ref: f64,
    /// Leak conductance [nS].
    pub g_l: f64,
    /// Leak reversal potential [mV].
    pub e_l: f64,
    /// Excitatory reversal potential [mV].
    pub e_ex: f64,
    /// Inhibitory reversal potential [mV].
    pub e_in: f64,
    /// Membrane capacitance [pF].
    pub c_m: f64,
    /// Excitatory conductance decay time [ms].
    pub tau_syn_ex: f64,
    /// Inhibitory conductance decay time [ms].
    pub tau_syn_in: f64,
    /// Constant input current [pA].
    pub i_e: f64,
    /// Adaptation conductance decay time [ms].
    pub tau_sfa: f64,
    /// Relative-refractory conductance decay time [ms].
    pub tau_rr: f64,
    /// Adaptation reversal potential [mV].
    pub e_sfa: f64,
    /// Relative-refractory reversal potential [mV].
    pub e_rr: f64,
    /// Adaptation jump per spike [nS].
    pub q_sfa: f64,
    /// Relative-refractory jump per spike [nS].
    pub q_rr: f64,
    /// Initial membrane potential [mV].
    pub v_m: f64,
    /// Initial conductances [nS]: excitatory, inhibitory, adaptation,
    /// relative refractoriness.
    pub g_ex: f64,
    /// See `g_ex`.
    pub g_in: f64,
    /// See `g_ex`.
    pub g_sfa: f64,
    /// See `g_ex`.
    pub g_rr: f64,
}

impl IafCondExpSfaRrParams {
    /// The typed view of values in the model's parameter order.
    pub fn from_values(v: &[f64]) -> Self {
        let [
            v_th,
            v_reset,
            t_ref,
            g_l,
            e_l,
            e_ex,
            e_in,
            c_m,
            tau_syn_ex,
            tau_syn_in,
            i_e,
            tau_sfa,
            tau_rr,
            e_sfa,
            e_rr,
            q_sfa,
            q_rr,
            v_m,
            g_ex,
            g_in,
            g_sfa,
            g_rr,
        ] = v
            .try_into()
            .expect("one value per iaf_cond_exp_sfa_rr parameter");
        Self {
            v_th,
            v_reset,
            t_ref,
            g_l,
            e_l,
            e_ex,
            e_in,
            c_m,
            tau_syn_ex,
            tau_syn_in,
            i_e,
            tau_sfa,
            tau_rr,
            e_sfa,
            e_rr,
            q_sfa,
            q_rr,
            v_m,
            g_ex,
            g_in,
            g_sfa,
            g_rr,
        }
    }

    /// Check as NEST's `Parameters_::set` does, in its order and with its
    /// messages (every value finite first, Spindle's own check).
    pub fn validate(&self, values: &[f64]) -> Result<(), ParamError> {
        check_finite(PARAMS, values)?;
        if self.v_reset >= self.v_th {
            return Err(ParamError::Reset);
        }
        let nest = |msg: &str| Err(ParamError::Invalid(msg.into()));
        if self.c_m <= 0.0 {
            return nest("Capacitance must be strictly positive.");
        }
        if self.t_ref < 0.0 {
            return nest("Refractory time cannot be negative.");
        }
        if self.tau_syn_ex <= 0.0
            || self.tau_syn_in <= 0.0
            || self.tau_sfa <= 0.0
            || self.tau_rr <= 0.0
        {
            return nest("All time constants must be strictly positive.");
        }
        Ok(())
    }
}

adaptive_model!(
    IafCondExpSfaRr,
    "iaf_cond_exp_sfa_rr",
    PARAMS,
    RECORDABLES,
    Neuron,
    |v| IafCondExpSfaRrParams::from_values(v).validate(v),
    &["V_m", "g_ex", "g_in", "g_sfa", "g_rr"]
);

/// What the step reads.
#[derive(Debug, Clone, Copy)]
pub struct Props {
    p: IafCondExpSfaRrParams,
    refractory_steps: u32,
    h: f64,
    control: Control,
}

/// One neuron: NEST's state vector `[V_M, G_EXC, G_INH, G_SFA, G_RR]`, its
/// refractory count and its integration step.
#[derive(Debug, Clone, Copy)]
pub struct Neuron {
    y: [f64; 5],
    r: u32,
    step: f64,
}

impl OdeNeuron for Neuron {
    type Props = Props;
    type Sample = [f64; 5];

    fn props(values: &[f64], res: Resolution) -> Props {
        let p = IafCondExpSfaRrParams::from_values(values);
        Props {
            p,
            refractory_steps: res.steps_up(p.t_ref) as u32,
            h: res.h(),
            control: Control::y(1e-3, 0.0).expect("NEST's tolerances"),
        }
    }

    fn new(props: &Props) -> Self {
        let p = &props.p;
        Self {
            y: [p.v_m, p.g_ex, p.g_in, p.g_sfa, p.g_rr],
            r: 0,
            step: props.h,
        }
    }

    fn v_m(&mut self) -> &mut f64 {
        &mut self.y[0]
    }

    fn state_mut(&mut self, name: &str) -> Option<&mut f64> {
        let i = match name {
            "g_ex" => 1,
            "g_in" => 2,
            "g_sfa" => 3,
            "g_rr" => 4,
            _ => return None,
        };
        Some(&mut self.y[i])
    }

    #[inline(always)]
    fn step(&mut self, props: &Props, ex: f64, inh: f64, i_stim: f64) -> bool {
        let p = &props.p;
        let refractory = self.r > 0;
        // NEST's `iaf_cond_exp_sfa_rr_dynamics`, its expressions in its order.
        let f = |y: &[f64; 5]| {
            let v = if refractory {
                p.v_reset
            } else if p.v_th < y[0] {
                p.v_th
            } else {
                y[0]
            };
            let i_syn_exc = y[1] * (v - p.e_ex);
            let i_syn_inh = y[2] * (v - p.e_in);
            let i_l = p.g_l * (v - p.e_l);
            let i_sfa = y[3] * (v - p.e_sfa);
            let i_rr = y[4] * (v - p.e_rr);
            let dv = if refractory {
                0.0
            } else {
                (-i_l + i_stim + p.i_e - i_syn_exc - i_syn_inh - i_sfa - i_rr) / p.c_m
            };
            [
                dv,
                -y[1] / p.tau_syn_ex,
                -y[2] / p.tau_syn_in,
                -y[3] / p.tau_sfa,
                -y[4] / p.tau_rr,
            ]
        };
        // A step too small to advance (NEST: GSLSolverFailure) leaves the
        // state where the solver stopped.
        let _ = integrate_one(&props.control, &f, props.h, &mut self.step, &mut self.y);
        self.y[1] += ex;
        self.y[2] += -inh;
        if self.r > 0 {
            self.r -= 1;
            self.y[0] = p.v_reset;
            false
        } else if self.y[0] >= p.v_th {
            self.r = props.refractory_steps;
            self.y[0] = p.v_reset;
            self.y[3] += p.q_sfa;
            self.y[4] += p.q_rr;
            true
        } else {
            false
        }
    }

    fn sample(&self, _: &Props) -> [f64; 5] {
        self.y
    }
}
