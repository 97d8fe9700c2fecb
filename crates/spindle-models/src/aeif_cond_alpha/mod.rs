//! `aeif_cond_alpha`: adaptive exponential integrate-and-fire neuron
//! (Brette & Gerstner 2005) with alpha-shaped synaptic conductances (NEST
//! 3.10's `models/aeif_cond_alpha.cpp`), integrated as NEST does with GSL's
//! adaptive rkf45 ([`crate::odeint`]) under the control on the derivative
//! (`gsl_odeiv_control_yp_new(gsl_error_tol, gsl_error_tol)`), the step
//! size carried between steps.
//!
//! | Parameter       | Default | Unit | Description                         |
//! |-----------------|---------|------|-------------------------------------|
//! | `C_m`           | 281.0   | pF   | Membrane capacitance                |
//! | `V_th`          | -50.4   | mV   | Spike initiation threshold          |
//! | `t_ref`         | 0.0     | ms   | Refractory period                   |
//! | `g_L`           | 30.0    | nS   | Leak conductance                    |
//! | `E_L`           | -70.6   | mV   | Leak reversal potential             |
//! | `V_reset`       | -60.0   | mV   | Reset potential                     |
//! | `E_ex`          | 0.0     | mV   | Excitatory reversal potential       |
//! | `E_in`          | -85.0   | mV   | Inhibitory reversal potential       |
//! | `tau_syn_ex`    | 0.2     | ms   | Excitatory rise time                |
//! | `tau_syn_in`    | 2.0     | ms   | Inhibitory rise time                |
//! | `a`             | 4.0     | nS   | Subthreshold adaptation             |
//! | `b`             | 80.5    | pA   | Spike-triggered adaptation          |
//! | `Delta_T`       | 2.0     | mV   | Slope factor                        |
//! | `tau_w`         | 144.0   | ms   | Adaptation time constant            |
//! | `I_e`           | 0.0     | pA   | Constant input current              |
//! | `V_peak`        | 0.0     | mV   | Spike detection threshold           |
//! | `gsl_error_tol` | 1e-6    |      | The solver's tolerance              |
//! | `V_m`           | -70.6   | mV   | Initial membrane potential          |
//!
//! Spikes are detected inside the step, after each of the solver's steps
//! (NEST's inner loop): a potential at or above `V_peak` (`V_th` where
//! `Delta_T` is 0) is reset to `V_reset`, `b` joins `w`, and the refractory
//! count starts (one more than `t_ref`'s steps, counted down after the
//! loop); while refractory the potential is held at `V_reset`. Then this
//! step's spikes join the conductances' derivatives (`e / tau_syn` per nS).
//! NEST sends one spike per crossing; with `t_ref` 0 two crossings within
//! one step are possible, of which Spindle sends one. NEST's
//! `NumericalInstability` (`V_m < -1e3` or `|w| > 1e6`) and solver failures
//! stop a simulation; Spindle carries on with the state reached.

use spindle_core::Resolution;

use crate::adaptive::{Adaptive, E, OdeNeuron, adaptive_model, check_finite, param, recordable};
use crate::lanes::LanePopulation;
use crate::model::{ParamError, ParamSpec, RecordableSpec};
use crate::odeint::{Control, evolve_apply};

/// The model: `aeif_cond_alpha` behind the [`NeuronModel`] interface.
#[derive(Debug, Clone, Copy, Default)]
pub struct AeifCondAlpha;

/// The one instance the network and the registry refer to.
pub static AEIF_COND_ALPHA: AeifCondAlpha = AeifCondAlpha;

/// A population of `aeif_cond_alpha` neurons sharing one parameter set.
pub type AeifCondAlphaPopulation = LanePopulation<Adaptive<Neuron>>;

/// The parameters with NEST's names, units and defaults (NEST's
/// `Parameters_::get` order), then the state `set` reaches (NEST's
/// `State_`: `V_m`, `w`, the conductances), ending with `$extra`.
macro_rules! aeif_params {
    ($($extra:expr),* $(,)?) => {
        &[
            param("C_m", "pF", 281.0),
            param("V_th", "mV", -50.4),
            param("t_ref", "ms", 0.0),
            param("g_L", "nS", 30.0),
            param("E_L", "mV", -70.6),
            param("V_reset", "mV", -60.0),
            param("E_ex", "mV", 0.0),
            param("E_in", "mV", -85.0),
            param("tau_syn_ex", "ms", 0.2),
            param("tau_syn_in", "ms", 2.0),
            param("a", "nS", 4.0),
            param("b", "pA", 80.5),
            param("Delta_T", "mV", 2.0),
            param("tau_w", "ms", 144.0),
            param("I_e", "pA", 0.0),
            param("V_peak", "mV", 0.0),
            param("gsl_error_tol", "", 1e-6),
            param("V_m", "mV", -70.6),
            param("w", "pA", 0.0),
            param("g_ex", "nS", 0.0),
            param("g_in", "nS", 0.0),
            $($extra),*
        ]
    };
}

/// `aeif_cond_exp`'s parameters and state.
pub(crate) const PARAMS: &[ParamSpec] = aeif_params!();

/// `aeif_cond_alpha`'s: `aeif_cond_exp`'s and the conductances' slopes.
const ALPHA_PARAMS: &[ParamSpec] =
    aeif_params!(param("dg_ex", "nS/ms", 0.0), param("dg_in", "nS/ms", 0.0));

/// The state variables `set` reaches once simulated, by the models.
pub(crate) const STATE: &[&str] = &["V_m", "w", "g_ex", "g_in"];
const ALPHA_STATE: &[&str] = &["V_m", "w", "g_ex", "g_in", "dg_ex", "dg_in"];

/// What a multimeter records (NEST's recordables, in its order); the
/// same for `aeif_cond_exp`.
pub(crate) const RECORDABLES: &[RecordableSpec] = &[
    recordable("V_m", "mV"),
    recordable("g_ex", "nS"),
    recordable("g_in", "nS"),
    recordable("w", "pA"),
];

/// The parameters of `aeif_cond_alpha` and `aeif_cond_exp`, NEST's names
/// in snake case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AeifParams {
    /// Membrane capacitance [pF].
    pub c_m: f64,
    /// Spike initiation threshold [mV].
    pub v_th: f64,
    /// Refractory period [ms].
    pub t_ref: f64,
    /// Leak conductance [nS].
    pub g_l: f64,
    /// Leak reversal potential [mV].
    pub e_l: f64,
    /// Reset potential [mV].
    pub v_reset: f64,
    /// Excitatory reversal potential [mV].
    pub e_ex: f64,
    /// Inhibitory reversal potential [mV].
    pub e_in: f64,
    /// Excitatory synaptic time constant [ms].
    pub tau_syn_ex: f64,
    /// Inhibitory synaptic time constant [ms].
    pub tau_syn_in: f64,
    /// Subthreshold adaptation [nS].
    pub a: f64,
    /// Spike-triggered adaptation [pA].
    pub b: f64,
    /// Slope factor [mV].
    pub delta_t: f64,
    /// Adaptation time constant [ms].
    pub tau_w: f64,
    /// Constant input current [pA].
    pub i_e: f64,
    /// Spike detection threshold [mV].
    pub v_peak: f64,
    /// The solver's absolute and relative tolerance.
    pub gsl_error_tol: f64,
    /// Initial membrane potential [mV].
    pub v_m: f64,
    /// Initial adaptation current [pA].
    pub w: f64,
    /// Initial excitatory conductance [nS].
    pub g_ex: f64,
    /// Initial inhibitory conductance [nS].
    pub g_in: f64,
    /// Initial slope of the excitatory conductance [nS/ms]
    /// (`aeif_cond_alpha`; 0 for `aeif_cond_exp`).
    pub dg_ex: f64,
    /// Initial slope of the inhibitory conductance [nS/ms].
    pub dg_in: f64,
}

impl AeifParams {
    /// The typed view of values in the models' parameter order
    /// (`aeif_cond_exp`'s, or `aeif_cond_alpha`'s with the slopes).
    pub fn from_values(v: &[f64]) -> Self {
        let (v, slopes) = v.split_at(PARAMS.len().min(v.len()));
        let [dg_ex, dg_in] = slopes.try_into().unwrap_or([0.0; 2]);
        let [
            c_m,
            v_th,
            t_ref,
            g_l,
            e_l,
            v_reset,
            e_ex,
            e_in,
            tau_syn_ex,
            tau_syn_in,
            a,
            b,
            delta_t,
            tau_w,
            i_e,
            v_peak,
            gsl_error_tol,
            v_m,
            w,
            g_ex,
            g_in,
        ] = v.try_into().expect("one value per aeif parameter");
        Self {
            c_m,
            v_th,
            t_ref,
            g_l,
            e_l,
            v_reset,
            e_ex,
            e_in,
            tau_syn_ex,
            tau_syn_in,
            a,
            b,
            delta_t,
            tau_w,
            i_e,
            v_peak,
            gsl_error_tol,
            v_m,
            w,
            g_ex,
            g_in,
            dg_ex,
            dg_in,
        }
    }

    /// Check as NEST's `Parameters_::set` does, with its messages (every
    /// value finite first, Spindle's own check). `aeif_cond_exp` checks
    /// `V_peak >= V_th` first and `V_reset < V_peak` after `Delta_T`
    /// (`exp_order`), and words the capacitance's message its own way.
    pub(crate) fn validate(&self, values: &[f64], exp_order: bool) -> Result<(), ParamError> {
        // Both models' names: `aeif_cond_exp`'s values are the first.
        check_finite(ALPHA_PARAMS, values)?;
        let nest = |msg: &str| Err(ParamError::Invalid(msg.into()));
        let reset = || {
            if self.v_reset >= self.v_peak {
                return nest("Ensure that: V_reset < V_peak .");
            }
            Ok(())
        };
        let peak = || {
            if self.v_peak < self.v_th {
                return nest("V_peak >= V_th required.");
            }
            Ok(())
        };
        if exp_order { peak() } else { reset() }?;
        if self.delta_t < 0.0 {
            return nest("Delta_T must be positive.");
        } else if self.delta_t > 0.0 {
            // Room for exp() at spike time, with NEST's margin of 1e20.
            let max_exp_arg = (f64::MAX / 1e20).ln();
            if (self.v_peak - self.v_th) / self.delta_t >= max_exp_arg {
                return nest(
                    "The current combination of V_peak, V_th and Delta_T\
                     will lead to numerical overflow at spike time; try\
                     for instance to increase Delta_T or to reduce V_peak\
                     to avoid this problem.",
                );
            }
        }
        if exp_order { reset() } else { peak() }?;
        if self.c_m <= 0.0 {
            return nest(if exp_order {
                "Ensure that C_m >0"
            } else {
                "Capacitance must be strictly positive."
            });
        }
        if self.t_ref < 0.0 {
            return nest("Refractory time cannot be negative.");
        }
        if self.tau_syn_ex <= 0.0 || self.tau_syn_in <= 0.0 || self.tau_w <= 0.0 {
            return nest("All time constants must be strictly positive.");
        }
        if self.gsl_error_tol <= 0.0 {
            return nest("The gsl_error_tol must be strictly positive.");
        }
        // NEST's `State_::set`, after the parameters.
        if self.g_ex < 0.0 || self.g_in < 0.0 {
            return nest("Conductances must not be negative.");
        }
        Ok(())
    }
}

/// What the steps of both `aeif` models read.
#[derive(Debug, Clone, Copy)]
pub struct AeifProps {
    pub(crate) p: AeifParams,
    /// The spike detection threshold (NEST's `V_.V_peak`: `V_peak`, or
    /// `V_th` where `Delta_T` is 0).
    v_peak: f64,
    refractory_steps: u32,
    pub(crate) h: f64,
    control: Control,
    /// `e / tau_syn_ex` (NEST's `g0_ex_`; `aeif_cond_alpha` only).
    g0_ex: f64,
    /// `e / tau_syn_in` (`g0_in_`).
    g0_in: f64,
}

impl AeifProps {
    pub(crate) fn new(values: &[f64], res: Resolution) -> Self {
        let p = AeifParams::from_values(values);
        Self {
            p,
            v_peak: if p.delta_t > 0.0 { p.v_peak } else { p.v_th },
            refractory_steps: res.steps_up(p.t_ref) as u32,
            h: res.h(),
            control: Control::yp(p.gsl_error_tol, p.gsl_error_tol).expect("a positive tolerance"),
            g0_ex: 1.0 * E / p.tau_syn_ex,
            g0_in: 1.0 * E / p.tau_syn_in,
        }
    }

    /// The membrane potential the currents see: `V_reset` while
    /// refractory, else `V_m` bounded by `V_peak` (`std::min`: `V_peak <
    /// V_m ? V_peak : V_m`; NEST's parameter, not `V_.V_peak`).
    #[inline(always)]
    pub(crate) fn v(&self, refractory: bool, v_m: f64) -> f64 {
        let p = &self.p;
        if refractory {
            p.v_reset
        } else if p.v_peak < v_m {
            p.v_peak
        } else {
            v_m
        }
    }

    /// `dV/dt` and `dw/dt` at potential `v` (from [`Self::v`]) with
    /// conductances `g_ex`, `g_in`, adaptation `w` and input current
    /// `i_stim`: NEST's expressions in its order.
    #[inline(always)]
    pub(crate) fn dv_dw(
        &self,
        refractory: bool,
        v: f64,
        g: [f64; 2],
        w: f64,
        i_stim: f64,
    ) -> [f64; 2] {
        let p = &self.p;
        let i_syn_exc = g[0] * (v - p.e_ex);
        let i_syn_inh = g[1] * (v - p.e_in);
        let i_spike = if p.delta_t == 0.0 {
            0.0
        } else {
            p.g_l * p.delta_t * ((v - p.v_th) / p.delta_t).exp()
        };
        let dv = if refractory {
            0.0
        } else {
            (-p.g_l * (v - p.e_l) + i_spike - i_syn_exc - i_syn_inh - w + p.i_e + i_stim) / p.c_m
        };
        [dv, (p.a * (v - p.e_l) - w) / p.tau_w]
    }

    /// NEST's integration over one step with spike detection after each
    /// solver step, for a state `y` with `V_m` at 0 and `w` at `W`; then
    /// the refractory count goes down. Returns whether the neuron fired.
    #[inline(always)]
    pub(crate) fn integrate<const N: usize, const W: usize, F>(
        &self,
        y: &mut [f64; N],
        r: &mut u32,
        step: &mut f64,
        f: F,
    ) -> bool
    where
        F: Fn(bool, &[f64; N]) -> [f64; N],
    {
        let mut fired = false;
        let mut t = 0.0;
        while t < self.h {
            let refractory = *r > 0;
            let before = t;
            let dynamics = |y: &[f64; N]| f(refractory, y);
            if evolve_apply(&self.control, &dynamics, &mut t, self.h, step, y).is_err()
                || t <= before
            {
                break;
            }
            let [v, w] = y.get_disjoint_mut([0, W]).expect("V_m and w apart");
            fired |= detect_spike(
                v,
                w,
                r,
                self.v_peak,
                self.p.v_reset,
                self.p.b,
                self.refractory_steps,
            );
        }
        if *r > 0 {
            *r -= 1;
        }
        fired
    }
}

adaptive_model!(
    AeifCondAlpha,
    "aeif_cond_alpha",
    ALPHA_PARAMS,
    RECORDABLES,
    Neuron,
    |v| AeifParams::from_values(v).validate(v, false),
    ALPHA_STATE
);

/// NEST's aeif check after each solver step: a refractory neuron's `V_m`
/// is held at `V_reset`; one at `V_peak` is reset, `w` jumps by `b`, and
/// it is refractory for `t_ref`'s steps plus one (counted down after the
/// step's loop). Returns whether it fired.
#[inline(always)]
pub(crate) fn detect_spike(
    v: &mut f64,
    w: &mut f64,
    r: &mut u32,
    v_peak: f64,
    v_reset: f64,
    b: f64,
    refractory_steps: u32,
) -> bool {
    if *r > 0 {
        *v = v_reset;
        false
    } else if *v >= v_peak {
        *v = v_reset;
        *w += b;
        *r = if refractory_steps > 0 {
            refractory_steps + 1
        } else {
            0
        };
        true
    } else {
        false
    }
}

/// One neuron: NEST's state vector `[V_M, DG_EXC, G_EXC, DG_INH, G_INH,
/// W]`, its refractory count and its integration step.
#[derive(Debug, Clone, Copy)]
pub struct Neuron {
    y: [f64; 6],
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
            y: [p.v_m, p.dg_ex, p.g_ex, p.dg_in, p.g_in, p.w],
            r: 0,
            step: props.h,
        }
    }

    fn v_m(&mut self) -> &mut f64 {
        &mut self.y[0]
    }

    fn state_mut(&mut self, name: &str) -> Option<&mut f64> {
        let i = match name {
            "w" => 5,
            _ => crate::iaf_cond_alpha::alpha_conductance(name)?,
        };
        Some(&mut self.y[i])
    }

    #[inline(always)]
    fn step(&mut self, props: &AeifProps, ex: f64, inh: f64, i_stim: f64) -> bool {
        let p = &props.p;
        // NEST's `aeif_cond_alpha_dynamics`.
        let f = |refractory: bool, y: &[f64; 6]| {
            let v = props.v(refractory, y[0]);
            let [dv, dw] = props.dv_dw(refractory, v, [y[2], y[4]], y[5], i_stim);
            [
                dv,
                -y[1] / p.tau_syn_ex,
                y[1] - y[2] / p.tau_syn_ex,
                -y[3] / p.tau_syn_in,
                y[3] - y[4] / p.tau_syn_in,
                dw,
            ]
        };
        let fired = props.integrate::<6, 5, _>(&mut self.y, &mut self.r, &mut self.step, f);
        self.y[1] += ex * props.g0_ex;
        self.y[3] += -inh * props.g0_in;
        fired
    }

    fn sample(&self, _: &AeifProps) -> [f64; 4] {
        [self.y[0], self.y[2], self.y[4], self.y[5]]
    }
}
