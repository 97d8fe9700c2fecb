//! `aeif_cond_exp`: adaptive exponential integrate-and-fire neuron
//! (Brette & Gerstner 2005) with exponentially decaying synaptic
//! conductances (NEST 3.10's `models/aeif_cond_exp.cpp`): `aeif_cond_alpha`
//! ([`crate::aeif_cond_alpha`]) with its parameters, defaults, recordables,
//! solver and spike handling, but conductances that jump by the weight
//! (nS) and decay with `tau_syn_ex`, `tau_syn_in`. Its checks run in NEST's
//! order for this model (`V_peak >= V_th` first) with its messages.

use spindle_core::Resolution;

use crate::adaptive::{Adaptive, OdeNeuron, adaptive_model};
use crate::aeif_cond_alpha::{AeifParams, AeifProps, PARAMS, RECORDABLES, STATE};
use crate::lanes::LanePopulation;

/// The model: `aeif_cond_exp` behind the [`NeuronModel`] interface.
#[derive(Debug, Clone, Copy, Default)]
pub struct AeifCondExp;

/// The one instance the network and the registry refer to.
pub static AEIF_COND_EXP: AeifCondExp = AeifCondExp;

/// A population of `aeif_cond_exp` neurons sharing one parameter set.
pub type AeifCondExpPopulation = LanePopulation<Adaptive<Neuron>>;

adaptive_model!(
    AeifCondExp,
    "aeif_cond_exp",
    PARAMS,
    RECORDABLES,
    Neuron,
    |v| AeifParams::from_values(v).validate(v, true),
    STATE
);

/// One neuron: NEST's state vector `[V_M, G_EXC, G_INH, W]`, its
/// refractory count and its integration step.
#[derive(Debug, Clone, Copy)]
pub struct Neuron {
    y: [f64; 4],
    r: u32,
    step: f64,
}

impl OdeNeuron for Neuron {
    type Props = AeifProps;
    type Sample = [f64; 4];

    fn props(values: &[f64], res: Resolution) -> AeifProps {
        AeifProps::new(values, res)
    }

    fn new(props: &AeifProps) -> Self {
        let p = &props.p;
        Self {
            y: [p.v_m, p.g_ex, p.g_in, p.w],
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
            "w" => 3,
            _ => return None,
        };
        Some(&mut self.y[i])
    }

    #[inline(always)]
    fn step(&mut self, props: &AeifProps, ex: f64, inh: f64, i_stim: f64) -> bool {
        let p = &props.p;
        // NEST's `aeif_cond_exp_dynamics`.
        let f = |refractory: bool, y: &[f64; 4]| {
            let v = props.v(refractory, y[0]);
            let [dv, dw] = props.dv_dw(refractory, v, [y[1], y[2]], y[3], i_stim);
            [dv, -y[1] / p.tau_syn_ex, -y[2] / p.tau_syn_in, dw]
        };
        let fired = props.integrate::<4, 3, _>(&mut self.y, &mut self.r, &mut self.step, f);
        self.y[1] += ex;
        self.y[2] += -inh;
        fired
    }

    fn sample(&self, _: &AeifProps) -> [f64; 4] {
        self.y
    }
}
