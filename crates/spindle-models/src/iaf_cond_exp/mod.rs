//! `iaf_cond_exp`: leaky integrate-and-fire neuron with exponentially
//! decaying synaptic conductances (NEST 3.10's `models/iaf_cond_exp.cpp`),
//! integrated as NEST does with GSL's adaptive rkf45 ([`crate::odeint`],
//! absolute tolerance 1e-3, no relative one), the step size carried from
//! one simulation step to the next.
//!
//! | Parameter    | Default  | Unit | Description                          |
//! |--------------|----------|------|--------------------------------------|
//! | `V_th`       | -55.0    | mV   | Spike threshold                      |
//! | `V_reset`    | -60.0    | mV   | Reset potential                      |
//! | `t_ref`      | 2.0      | ms   | Refractory period                    |
//! | `g_L`        | 16.6667  | nS   | Leak conductance                     |
//! | `E_L`        | -70.0    | mV   | Leak reversal potential              |
//! | `E_ex`       | 0.0      | mV   | Excitatory reversal potential        |
//! | `E_in`       | -85.0    | mV   | Inhibitory reversal potential        |
//! | `C_m`        | 250.0    | pF   | Membrane capacitance                 |
//! | `tau_syn_ex` | 0.2      | ms   | Excitatory conductance decay time    |
//! | `tau_syn_in` | 2.0      | ms   | Inhibitory conductance decay time    |
//! | `I_e`        | 0.0      | pA   | Constant input current               |
//! | `V_m`        | -70.0    | mV   | Initial membrane potential           |
//!
//! Per step, in NEST's order: the ODE is integrated over the step (while
//! refractory, `V_m` is clamped to `V_reset` in the dynamics and does not
//! move; otherwise the potential the currents see is bounded by `V_th`),
//! this step's spikes join the conductances (an inhibitory weight `w < 0`
//! adds `-w` nS), then a refractory neuron counts down and is held at
//! `V_reset`, or one at or above `V_th` fires, is reset and starts its
//! refractory count. Spikes are stamped at the end of the step.

use spindle_core::Resolution;

use crate::adaptive::{adaptive_model, check_finite, param, recordable};
use crate::isa::Isa;
use crate::lanes::LanePopulation;
use crate::model::{ParamError, ParamSpec, RecordableSpec};
use crate::odeint::{Control, LaneDerivative};

/// The model: `iaf_cond_exp` behind the [`NeuronModel`] interface.
#[derive(Debug, Clone, Copy, Default)]
pub struct IafCondExp;

/// The one instance the network and the registry refer to.
pub static IAF_COND_EXP: IafCondExp = IafCondExp;

/// A population of `iaf_cond_exp` neurons sharing one parameter set.
pub type IafCondExpPopulation = LanePopulation<population::CondExp>;

/// The parameters with NEST's names, units and defaults (NEST's
/// `Parameters_::get` order), then the state `set` reaches (NEST's
/// `State_`: `V_m` and the conductances), ending with `$extra`.
macro_rules! cond_params {
    ($($extra:expr),* $(,)?) => {
        &[
            param("V_th", "mV", -55.0),
            param("V_reset", "mV", -60.0),
            param("t_ref", "ms", 2.0),
            param("g_L", "nS", 16.6667),
            param("E_L", "mV", -70.0),
            param("E_ex", "mV", 0.0),
            param("E_in", "mV", -85.0),
            param("C_m", "pF", 250.0),
            param("tau_syn_ex", "ms", 0.2),
            param("tau_syn_in", "ms", 2.0),
            param("I_e", "pA", 0.0),
            param("V_m", "mV", -70.0),
            param("g_ex", "nS", 0.0),
            param("g_in", "nS", 0.0),
            $($extra),*
        ]
    };
}

/// `iaf_cond_exp`'s parameters and state.
pub(crate) const PARAMS: &[ParamSpec] = cond_params!();

/// `iaf_cond_alpha`'s: `iaf_cond_exp`'s and the conductances' slopes.
pub(crate) const ALPHA_PARAMS: &[ParamSpec] =
    cond_params!(param("dg_ex", "nS/ms", 0.0), param("dg_in", "nS/ms", 0.0));

/// What a multimeter records (NEST's recordables, in its order).
const RECORDABLES: &[RecordableSpec] = &[
    recordable("V_m", "mV"),
    recordable("g_ex", "nS"),
    recordable("g_in", "nS"),
];

/// The parameters, NEST's names in snake case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IafCondExpParams {
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
    /// Initial membrane potential [mV].
    pub v_m: f64,
    /// Initial excitatory conductance [nS].
    pub g_ex: f64,
    /// Initial inhibitory conductance [nS].
    pub g_in: f64,
    /// Initial slope of the excitatory conductance [nS/ms]
    /// (`iaf_cond_alpha`; 0 for `iaf_cond_exp`).
    pub dg_ex: f64,
    /// Initial slope of the inhibitory conductance [nS/ms].
    pub dg_in: f64,
}

impl IafCondExpParams {
    /// The typed view of values in the model's parameter order
    /// (`iaf_cond_exp`'s, or `iaf_cond_alpha`'s with the slopes).
    pub fn from_values(v: &[f64]) -> Self {
        let (v, slopes) = v.split_at(PARAMS.len().min(v.len()));
        let [dg_ex, dg_in] = slopes.try_into().unwrap_or([0.0; 2]);
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
            v_m,
            g_ex,
            g_in,
        ] = v.try_into().expect("one value per iaf_cond_exp parameter");
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
            v_m,
            g_ex,
            g_in,
            dg_ex,
            dg_in,
        }
    }

    /// Check as NEST's `Parameters_::set` does, in its order and with its
    /// messages (every value finite first, Spindle's own check).
    pub fn validate(&self, values: &[f64]) -> Result<(), ParamError> {
        // Both models' names: `iaf_cond_exp`'s values are the first.
        check_finite(ALPHA_PARAMS, values)?;
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
        if self.tau_syn_ex <= 0.0 || self.tau_syn_in <= 0.0 {
            return nest("All time constants must be strictly positive.");
        }
        Ok(())
    }
}

adaptive_model!(
    IafCondExp,
    "iaf_cond_exp",
    PARAMS,
    RECORDABLES,
    |v| IafCondExpParams::from_values(v).validate(v),
    &["V_m", "g_ex", "g_in"],
    population: population::population,
    bytes: <population::CondExp as crate::lanes::LaneModel>::STATE_BYTES_PER_NEURON
);

/// What the step reads: the parameters, the refractory period in steps,
/// the simulation step and the solver's control.
#[derive(Debug, Clone, Copy)]
pub struct Props {
    p: IafCondExpParams,
    refractory_steps: u32,
    h: f64,
    control: Control,
    /// The vector kernel the step takes where it can ([`simd`]).
    kernel: Kernel,
}

/// The vector kernel of a run: for its vector unit ([`Isa::detect`]), and
/// none where a divisor lies outside [`crate::simd::Divisor`]'s range.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kernel {
    Scalar,
    V4(simd::Divisors),
    V8(simd::Divisors),
}

impl Kernel {
    /// The kernel on `isa` (available) for parameters `p`.
    fn on(isa: Isa, p: &IafCondExpParams) -> Self {
        match (isa, simd::Divisors::new(p)) {
            (Isa::Avx512, Some(d)) => Kernel::V8(d),
            (Isa::Avx2, Some(d)) => Kernel::V4(d),
            _ => Kernel::Scalar,
        }
    }
}

impl Props {
    /// The props of parameters `values` (validated, in the model's
    /// order) on grid `res`.
    fn new(values: &[f64], res: Resolution) -> Self {
        let p = IafCondExpParams::from_values(values);
        Self {
            p,
            refractory_steps: res.steps_up(p.t_ref) as u32,
            h: res.h(),
            control: Control::y(1e-3, 0.0).expect("NEST's tolerances"),
            kernel: Kernel::on(Isa::detect(), &p),
        }
    }
}

/// The dynamics of `M` lanes, each refractory or not and with its own
/// current input.
struct Lanes<'a, const M: usize> {
    p: &'a IafCondExpParams,
    refractory: [bool; M],
    i_stim: [f64; M],
}

impl<const M: usize> LaneDerivative<3, M> for Lanes<'_, M> {
    /// NEST's `iaf_cond_exp_dynamics` lane by lane, its expressions in
    /// its order, one operation over all lanes at a time (the form the
    /// compiler vectorises); both sides of each `refractory` choice are
    /// computed and one is picked (the bits of NEST's branches).
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    fn eval(&self, y: &[[f64; M]; 3]) -> [[f64; M]; 3] {
        let p = self.p;
        let mut v = [0.0; M];
        for l in 0..M {
            let v_min = if p.v_th < y[0][l] { p.v_th } else { y[0][l] };
            v[l] = if self.refractory[l] { p.v_reset } else { v_min };
        }
        let mut dv = [0.0; M];
        for l in 0..M {
            let i_syn_exc = y[1][l] * (v[l] - p.e_ex);
            let i_syn_inh = y[2][l] * (v[l] - p.e_in);
            let i_l = p.g_l * (v[l] - p.e_l);
            dv[l] = (-i_l + self.i_stim[l] + p.i_e - i_syn_exc - i_syn_inh) / p.c_m;
        }
        for l in 0..M {
            dv[l] = if self.refractory[l] { 0.0 } else { dv[l] };
        }
        let (mut dg_ex, mut dg_in) = ([0.0; M], [0.0; M]);
        for l in 0..M {
            dg_ex[l] = -y[1][l] / p.tau_syn_ex;
            dg_in[l] = -y[2][l] / p.tau_syn_in;
        }
        [dv, dg_ex, dg_in]
    }
}

mod population;
mod simd;
#[cfg(test)]
mod tests;
