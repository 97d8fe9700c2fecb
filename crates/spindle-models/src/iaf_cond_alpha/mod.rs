//! `iaf_cond_alpha`: leaky integrate-and-fire neuron with alpha-shaped
//! synaptic conductances (NEST 3.10's `models/iaf_cond_alpha.cpp`),
//! integrated as NEST does with GSL's adaptive rkf45 ([`crate::odeint`],
//! absolute tolerance 1e-3), the step size carried between steps.
//!
//! Its parameters, defaults and checks are `iaf_cond_exp`'s
//! ([`crate::iaf_cond_exp`]); `tau_syn_ex`, `tau_syn_in` are the rise
//! times of the alpha functions, whose peak is the weight (nS).
//!
//! Per step, in NEST's order (which differs from `iaf_cond_exp`'s): the ODE
//! is integrated over the step, then a refractory neuron counts down and
//! is held at `V_reset`, or one at or above `V_th` fires, is reset and
//! starts its refractory count, and only then this step's spikes join the
//! conductances' derivatives (`e / tau_syn` per nS, an inhibitory weight
//! `w < 0` as `-w`).

use spindle_core::Resolution;

use crate::adaptive::{Adaptive, E, OdeNeuron, adaptive_model, recordable};
use crate::iaf_cond_exp::{ALPHA_PARAMS, IafCondExpParams};
use crate::lanes::LanePopulation;
use crate::model::RecordableSpec;
use crate::odeint::{Control, integrate_one};

/// The model: `iaf_cond_alpha` behind the [`NeuronModel`] interface.
#[derive(Debug, Clone, Copy, Default)]
pub struct IafCondAlpha;

/// The one instance the network and the registry refer to.
pub static IAF_COND_ALPHA: IafCondAlpha = IafCondAlpha;

/// A population of `iaf_cond_alpha` neurons sharing one parameter set.
pub type IafCondAlphaPopulation = LanePopulation<Adaptive<Neuron>>;

/// What a multimeter records (NEST's recordables, in its order).
const RECORDABLES: &[RecordableSpec] = &[
    recordable("V_m", "mV"),
    recordable("g_ex", "nS"),
    recordable("g_in", "nS"),
    recordable("t_ref_remaining", "ms"),
];

adaptive_model!(
    IafCondAlpha,
    "iaf_cond_alpha",
    ALPHA_PARAMS,
    RECORDABLES,
    Neuron,
    |v| IafCondExpParams::from_values(v).validate(v),
    &["V_m", "g_ex", "g_in", "dg_ex", "dg_in"]
);

/// Where conductance variable `name` lies in the state vector NEST's
/// alpha-conductance models share, `[V_M, DG_EXC, G_EXC, DG_INH, G_INH,
/// ...]` (`aeif_cond_alpha`'s too).
pub(crate) fn alpha_conductance(name: &str) -> Option<usize> {
    match name {
        "dg_ex" => Some(1),
        "g_ex" => Some(2),
        "dg_in" => Some(3),
        "g_in" => Some(4),
        _ => None,
    }
}

/// What the step reads.
#[derive(Debug, Clone, Copy)]
pub struct Props {
    p: IafCondExpParams,
    refractory_steps: u32,
    h: f64,
    control: Control,
    /// `e / tau_syn_ex` (NEST's `PSConInit_E`).
    ps_con_init_e: f64,
    /// `e / tau_syn_in` (`PSConInit_I`).
    ps_con_init_i: f64,
}

/// One neuron: NEST's state vector `[V_M, DG_EXC, G_EXC, DG_INH, G_INH]`,
/// its refractory count and its integration step.
#[derive(Debug, Clone, Copy)]
pub struct Neuron {
    y: [f64; 5],
    r: u32,
    step: f64,
}

impl OdeNeuron for Neuron {
    type Props = Props;
    type Sample = [f64; 4];

    fn props(values: &[f64], res: Resolution) -> Props {
        let p = IafCondExpParams::from_values(values);
        Props {
            p,
            refractory_steps: res.steps_up(p.t_ref) as u32,
            h: res.h(),
            control: Control::y(1e-3, 0.0).expect("NEST's tolerances"),
            ps_con_init_e: 1.0 * E / p.tau_syn_ex,
            ps_con_init_i: 1.0 * E / p.tau_syn_in,
        }
    }

    fn new(props: &Props) -> Self {
        let p = &props.p;
        Self {
            y: [p.v_m, p.dg_ex, p.g_ex, p.dg_in, p.g_in],
            r: 0,
            step: props.h,
        }
    }

    fn v_m(&mut self) -> &mut f64 {
        &mut self.y[0]
    }

    fn state_mut(&mut self, name: &str) -> Option<&mut f64> {
        Some(&mut self.y[alpha_conductance(name)?])
    }

    #[inline(always)]
    fn step(&mut self, props: &Props, ex: f64, inh: f64, i_stim: f64) -> bool {
        let p = &props.p;
        let refractory = self.r > 0;
        // NEST's `iaf_cond_alpha_dynamics`, its expressions in its order.
        let f = |y: &[f64; 5]| {
            let v = if refractory {
                p.v_reset
            } else if p.v_th < y[0] {
                p.v_th
            } else {
                y[0]
            };
            let i_syn_exc = y[2] * (v - p.e_ex);
            let i_syn_inh = y[4] * (v - p.e_in);
            let i_leak = p.g_l * (v - p.e_l);
            let dv = if refractory {
                0.0
            } else {
                (-i_leak - i_syn_exc - i_syn_inh + i_stim + p.i_e) / p.c_m
            };
            [
                dv,
                -y[1] / p.tau_syn_ex,
                y[1] - (y[2] / p.tau_syn_ex),
                -y[3] / p.tau_syn_in,
                y[3] - (y[4] / p.tau_syn_in),
            ]
        };
        // A step too small to advance (NEST: GSLSolverFailure) leaves the
        // state where the solver stopped.
        let _ = integrate_one(&props.control, &f, props.h, &mut self.step, &mut self.y);
        let fired = if self.r > 0 {
            self.r -= 1;
            self.y[0] = p.v_reset;
            false
        } else if self.y[0] >= p.v_th {
            self.r = props.refractory_steps;
            self.y[0] = p.v_reset;
            true
        } else {
            false
        };
        self.y[1] += ex * props.ps_con_init_e;
        self.y[3] += -inh * props.ps_con_init_i;
        fired
    }

    fn sample(&self, props: &Props) -> [f64; 4] {
        // NEST's `get_r_`: resolution times the count.
        [self.y[0], self.y[2], self.y[4], props.h * f64::from(self.r)]
    }
}
