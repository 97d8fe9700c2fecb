//! `aeif_cond_beta_multisynapse`: adaptive exponential integrate-and-fire
//! neuron (Brette & Gerstner 2005) with beta-shaped synaptic conductances
//! on any number of receptor ports, each with its own reversal potential,
//! rise and decay time (NEST 3.10's
//! `models/aeif_cond_beta_multisynapse.cpp`), integrated as NEST does with
//! GSL's adaptive rkf45 under the control on the derivative
//! (`gsl_odeiv_control_yp_new(gsl_error_tol, gsl_error_tol)`), the step
//! size carried between steps.
//!
//! | Parameter       | Default | Unit | Description                            |
//! |-----------------|---------|------|----------------------------------------|
//! | `C_m`           | 281.0   | pF   | Membrane capacitance                   |
//! | `V_th`          | -50.4   | mV   | Spike initiation threshold             |
//! | `t_ref`         | 0.0     | ms   | Refractory period                      |
//! | `g_L`           | 30.0    | nS   | Leak conductance                       |
//! | `E_L`           | -70.6   | mV   | Leak reversal potential                |
//! | `V_reset`       | -60.0   | mV   | Reset potential                        |
//! | `a`             | 4.0     | nS   | Subthreshold adaptation                |
//! | `b`             | 80.5    | pA   | Spike-triggered adaptation             |
//! | `Delta_T`       | 2.0     | mV   | Slope factor                           |
//! | `tau_w`         | 144.0   | ms   | Adaptation time constant               |
//! | `I_e`           | 0.0     | pA   | Constant input current                 |
//! | `V_peak`        | 0.0     | mV   | Spike detection threshold              |
//! | `gsl_error_tol` | 1e-6    |      | The solver's tolerance                 |
//! | `V_m`           | -70.6   | mV   | Initial membrane potential             |
//! | `w`             | 0.0     | pA   | Initial adaptation current             |
//! | `E_rev`         | [0.0]   | mV   | Each port's reversal potential (list)  |
//! | `tau_rise`      | [2.0]   | ms   | Each port's rise time (list)           |
//! | `tau_decay`     | [20.0]  | ms   | Each port's decay time (list)          |
//!
//! `n_receptors` (read only) is the lists' common length: the neuron has
//! that many receptor ports, NEST's receptor types `1..=n_receptors`. A
//! spike of weight `w` (nS, which must not be negative) on port `k` adds
//! `w * g0_k` to the port's `dg_k`, `g0_k` NEST's
//! `beta_normalization_factor(tau_rise_k, tau_decay_k)` (the peak of the
//! conductance `g_k` is then `w`; `e / tau_decay` where the two times
//! coincide, the alpha function). The multimeter records `V_m`, `w` and
//! `g_1`, `g_2`, ... (one per port).
//!
//! NEST's state vector is `[V_m, w, dg_1, g_1, dg_2, g_2, ...]`; its size
//! depends on the number of ports, so the neuron is integrated with the
//! slice form of the solver ([`crate::odeint::evolve_apply_slice`], the
//! same bits as the array form every other adaptive model uses) by a
//! population of its own ([`population`]), which reads one ring channel
//! per port as the multisynapse models of [`crate::ports`] do.
//!
//! Spikes are detected after each of the solver's steps (NEST's inner
//! loop), as in `aeif_cond_alpha` ([`crate::aeif_cond_alpha`]): a
//! potential at or above `V_peak` (`V_th` where `Delta_T` is 0) is reset
//! to `V_reset`, `b` joins `w`, and the refractory count starts (one more
//! than `t_ref`'s steps, counted down after the loop); while refractory
//! the potential is held at `V_reset`. Then this step's spikes join the
//! `dg_k`. NEST sends one spike per crossing; with `t_ref` 0 two crossings
//! within one step are possible, of which Spindle sends one. NEST's
//! `NumericalInstability` and solver failures stop a simulation; Spindle
//! carries on with the state reached. NEST refuses a spike of negative
//! weight when it arrives (in `Simulate`); Spindle refuses the connection
//! (`Connect`), with NEST's class and message.

use std::borrow::Cow;
use std::sync::Mutex;

use spindle_core::Resolution;

use crate::adaptive::{E, check_finite, param, recordable};
use crate::aeif_cond_alpha::detect_spike;
use crate::model::{
    ListSpec, NeuronModel, NeuronParams, ParamError, ParamSpec, Population, RecordableSpec,
    list_values,
};
use crate::odeint::{Control, SliceWork, evolve_apply_slice};

pub mod population;

pub use population::AeifCondBetaMultisynapsePopulation;

/// The model: `aeif_cond_beta_multisynapse` behind the [`NeuronModel`]
/// interface.
#[derive(Debug, Clone, Copy, Default)]
pub struct AeifCondBetaMultisynapse;

/// The one instance the network and the registry refer to.
pub static AEIF_COND_BETA_MULTISYNAPSE: AeifCondBetaMultisynapse = AeifCondBetaMultisynapse;

/// The scalar parameters with NEST's names, units and defaults (NEST's
/// `Parameters_::get` order, then the initial `V_m` and `w`).
const PARAMS: &[ParamSpec] = &[
    param("C_m", "pF", 281.0),
    param("V_th", "mV", -50.4),
    param("t_ref", "ms", 0.0),
    param("g_L", "nS", 30.0),
    param("E_L", "mV", -70.6),
    param("V_reset", "mV", -60.0),
    param("a", "nS", 4.0),
    param("b", "pA", 80.5),
    param("Delta_T", "mV", 2.0),
    param("tau_w", "ms", 144.0),
    param("I_e", "pA", 0.0),
    param("V_peak", "mV", 0.0),
    param("gsl_error_tol", "", 1e-6),
    param("V_m", "mV", -70.6),
    param("w", "pA", 0.0),
];

/// The lists, one value per port; NEST gives their length as
/// `n_receptors`.
const LISTS: &[ListSpec] = &[
    ListSpec {
        name: "E_rev",
        unit: "mV",
        default: &[0.0],
        count: "n_receptors",
    },
    ListSpec {
        name: "tau_rise",
        unit: "ms",
        default: &[2.0],
        count: "n_receptors",
    },
    ListSpec {
        name: "tau_decay",
        unit: "ms",
        default: &[20.0],
        count: "n_receptors",
    },
];

/// The recordables with the default single port (see
/// [`NeuronModel::recordables_for`] for any other number).
const RECORDABLES: &[RecordableSpec] = &[
    recordable("V_m", "mV"),
    recordable("w", "pA"),
    recordable("g_1", "nS"),
];

/// NEST's name of port `k`'s conductance (0-based `k`): `g_{k + 1}`,
/// made once per name and kept for the program's life (recordables are
/// `'static`).
pub fn conductance_name(k: usize) -> &'static str {
    static NAMES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    while names.len() <= k {
        let name = format!("g_{}", names.len() + 1);
        names.push(Box::leak(name.into_boxed_str()));
    }
    names[k]
}

/// What a multimeter may record from a neuron with `ports` ports, in
/// NEST's order: `V_m`, `w`, `g_1`, ..., `g_{ports}`.
fn recordables(ports: usize) -> Vec<RecordableSpec> {
    let mut out = vec![recordable("V_m", "mV"), recordable("w", "pA")];
    out.extend((0..ports).map(|k| recordable(conductance_name(k), "nS")));
    out
}

/// Bytes of state per neuron with `ports` ports: the state vector, the
/// carried step size, the refractory count and the probe index.
fn state_bytes(ports: usize) -> usize {
    8 * (2 + 2 * ports) + 8 + 4 + 4
}

impl NeuronModel for AeifCondBetaMultisynapse {
    fn name(&self) -> &'static str {
        "aeif_cond_beta_multisynapse"
    }

    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn lists(&self) -> &'static [ListSpec] {
        LISTS
    }

    fn recordables(&self) -> &'static [RecordableSpec] {
        RECORDABLES
    }

    fn recordables_for(&self, values: &[f64]) -> Cow<'static, [RecordableSpec]> {
        Cow::Owned(recordables(list_values(values, PARAMS.len(), 0).len()))
    }

    fn ports(&self, values: &[f64]) -> Option<usize> {
        Some(list_values(values, PARAMS.len(), 0).len())
    }

    fn validate(&self, values: &[f64]) -> Result<(), ParamError> {
        AeifBetaParams::from_values(values).validate(values)
    }

    /// NEST's first check of `set`: a new number of ports needs all three
    /// lists given.
    fn check_lists(&self, old: &[f64], new: &[f64], given: &[&str]) -> Result<(), ParamError> {
        let old_n = list_values(old, PARAMS.len(), 0).len();
        let lens = (0..LISTS.len()).map(|k| list_values(new, PARAMS.len(), k).len());
        let all_given = LISTS.iter().all(|l| given.contains(&l.name));
        if lens.clone().any(|n| n != old_n) && !all_given {
            return Err(ParamError::Invalid(
                "If the number of receptor ports is changed, all three arrays E_rev, tau_rise \
                 and tau_decay must be provided."
                    .into(),
            ));
        }
        Ok(())
    }

    fn population(
        &self,
        values: &[f64],
        res: Resolution,
        offset: u32,
        len: usize,
    ) -> Box<dyn Population> {
        Box::new(AeifCondBetaMultisynapsePopulation::new(
            values, res, offset, len,
        ))
    }

    fn state_bytes_per_neuron(&self) -> usize {
        state_bytes(1)
    }

    fn state_bytes_for(&self, values: &[f64]) -> usize {
        state_bytes(list_values(values, PARAMS.len(), 0).len())
    }

    fn state_params(&self) -> &'static [&'static str] {
        &["V_m", "w"]
    }

    fn refuses_negative_weights(&self) -> Option<&'static str> {
        Some("Synaptic weights for conductance-based multisynapse models must be positive.")
    }
}

/// The parameters of `aeif_cond_beta_multisynapse`, NEST's names in snake
/// case.
#[derive(Debug, Clone, PartialEq)]
pub struct AeifBetaParams {
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
    /// Each port's reversal potential [mV]: port `k` is NEST's receptor
    /// type `k + 1`.
    pub e_rev: Vec<f64>,
    /// Each port's rise time [ms].
    pub tau_rise: Vec<f64>,
    /// Each port's decay time [ms].
    pub tau_decay: Vec<f64>,
}

impl Default for AeifBetaParams {
    fn default() -> Self {
        Self::from_values(NeuronParams::defaults(&AEIF_COND_BETA_MULTISYNAPSE).values())
    }
}

impl From<AeifBetaParams> for NeuronParams {
    fn from(p: AeifBetaParams) -> Self {
        NeuronParams::from_values(&AEIF_COND_BETA_MULTISYNAPSE, p.to_values())
    }
}

impl AeifBetaParams {
    /// The typed view of values in the model's order.
    pub fn from_values(v: &[f64]) -> Self {
        let [
            c_m,
            v_th,
            t_ref,
            g_l,
            e_l,
            v_reset,
            a,
            b,
            delta_t,
            tau_w,
            i_e,
            v_peak,
            gsl_error_tol,
            v_m,
            w,
        ] = v[..PARAMS.len()]
            .try_into()
            .expect("one value per aeif_cond_beta_multisynapse parameter");
        let list = |k| list_values(v, PARAMS.len(), k).to_vec();
        Self {
            c_m,
            v_th,
            t_ref,
            g_l,
            e_l,
            v_reset,
            a,
            b,
            delta_t,
            tau_w,
            i_e,
            v_peak,
            gsl_error_tol,
            v_m,
            w,
            e_rev: list(0),
            tau_rise: list(1),
            tau_decay: list(2),
        }
    }

    /// The values in the model's order: the scalars, then each list's
    /// length and elements.
    pub fn to_values(&self) -> Vec<f64> {
        let mut v = vec![
            self.c_m,
            self.v_th,
            self.t_ref,
            self.g_l,
            self.e_l,
            self.v_reset,
            self.a,
            self.b,
            self.delta_t,
            self.tau_w,
            self.i_e,
            self.v_peak,
            self.gsl_error_tol,
            self.v_m,
            self.w,
        ];
        for list in [&self.e_rev, &self.tau_rise, &self.tau_decay] {
            v.push(list.len() as f64);
            v.extend_from_slice(list);
        }
        v
    }

    /// Check as NEST's `Parameters_::set` does, in its order and with its
    /// messages (every value finite first, Spindle's own check). NEST
    /// checks the lists only when one is set; Spindle checks them always
    /// (values that passed once pass again). The refusal to reduce the
    /// ports of a neuron with connections is the network's.
    pub fn validate(&self, values: &[f64]) -> Result<(), ParamError> {
        check_finite(PARAMS, values)?;
        for (list, spec) in [&self.e_rev, &self.tau_rise, &self.tau_decay]
            .into_iter()
            .zip(LISTS)
        {
            if list.iter().any(|x| !x.is_finite()) {
                return Err(ParamError::NotFinite(spec.name));
            }
        }
        let nest = |msg: &str| Err(ParamError::Invalid(msg.into()));
        let n = self.e_rev.len();
        if self.tau_rise.len() != n || self.tau_decay.len() != n {
            return nest(
                "The reversal potential, synaptic rise time and synaptic decay time arrays \
                 must have the same size.",
            );
        }
        for (&rise, &decay) in self.tau_rise.iter().zip(&self.tau_decay) {
            if rise <= 0.0 || decay <= 0.0 {
                // NEST's message, without a full stop.
                return nest("All synaptic time constants must be strictly positive");
            }
            if decay < rise {
                return nest("Synaptic rise time must be smaller than or equal to decay time.");
            }
        }
        if self.v_peak < self.v_th {
            return nest("V_peak >= V_th required.");
        }
        if self.v_reset >= self.v_peak {
            return nest("Ensure that: V_reset < V_peak .");
        }
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
        if self.c_m <= 0.0 {
            return nest("Capacitance must be strictly positive.");
        }
        if self.t_ref < 0.0 {
            return nest("Refractory time cannot be negative.");
        }
        if self.tau_w <= 0.0 {
            return nest("All time constants must be strictly positive.");
        }
        if self.gsl_error_tol <= 0.0 {
            return nest("The gsl_error_tol must be strictly positive.");
        }
        Ok(())
    }
}

/// NEST's `beta_normalization_factor` (`libnestutil`): the factor that
/// makes a spike of weight 1 peak at a conductance of 1 nS, its
/// expressions in its order; `e / tau_decay` (the alpha function's) where
/// the two times are equal or too close for the beta function's peak.
pub fn beta_normalization_factor(tau_rise: f64, tau_decay: f64) -> f64 {
    let tau_difference = tau_decay - tau_rise;
    let mut peak_value = 0.0;
    if tau_difference.abs() > f64::EPSILON {
        let t_peak = tau_decay * tau_rise * (tau_decay / tau_rise).ln() / tau_difference;
        peak_value = (-t_peak / tau_decay).exp() - (-t_peak / tau_rise).exp();
    }
    if peak_value.abs() < f64::EPSILON {
        E / tau_decay
    } else {
        (1.0 / tau_rise - 1.0 / tau_decay) / peak_value
    }
}

/// What the step reads (NEST's parameters and `Variables_`).
#[derive(Debug, Clone)]
pub struct Props {
    pub(crate) p: AeifBetaParams,
    /// The spike detection threshold (NEST's `V_.V_peak`: `V_peak`, or
    /// `V_th` where `Delta_T` is 0).
    v_peak: f64,
    refractory_steps: u32,
    pub(crate) h: f64,
    control: Control,
    /// Each port's normalisation (NEST's `g0_`).
    g0: Vec<f64>,
}

/// Where `w` is in the state vector; port `k`'s `dg` is at `DG + 2 k`,
/// its `g` one after.
const W: usize = 1;
const DG: usize = 2;

impl Props {
    /// The props of parameters `values` (validated) on grid `res`.
    pub fn new(values: &[f64], res: Resolution) -> Self {
        let p = AeifBetaParams::from_values(values);
        let g0 = p
            .tau_rise
            .iter()
            .zip(&p.tau_decay)
            .map(|(&r, &d)| beta_normalization_factor(r, d))
            .collect();
        Self {
            v_peak: if p.delta_t > 0.0 { p.v_peak } else { p.v_th },
            refractory_steps: res.steps_up(p.t_ref) as u32,
            h: res.h(),
            control: Control::yp(p.gsl_error_tol, p.gsl_error_tol).expect("a positive tolerance"),
            g0,
            p,
        }
    }

    /// Number of ports.
    pub fn ports(&self) -> usize {
        self.g0.len()
    }

    /// Size of the state vector.
    pub fn dim(&self) -> usize {
        2 + 2 * self.ports()
    }

    /// A neuron's initial state vector: `V_m` and `w` from the
    /// parameters, the conductances at rest.
    pub fn initial(&self) -> Vec<f64> {
        let mut y = vec![0.0; self.dim()];
        y[0] = self.p.v_m;
        y[W] = self.p.w;
        y
    }

    /// NEST's `aeif_cond_beta_multisynapse_dynamics` with the refractory
    /// flag and input current of the step: `dydt` at `y`.
    #[inline(always)]
    fn dynamics(&self, refractory: bool, i_stim: f64, y: &[f64], f: &mut [f64]) {
        let p = &self.p;
        // V_reset while refractory, else V_m bounded by the parameter
        // V_peak (`std::min`: `V_peak < V_m ? V_peak : V_m`).
        let v = if refractory {
            p.v_reset
        } else if p.v_peak < y[0] {
            p.v_peak
        } else {
            y[0]
        };
        let w = y[W];
        let mut i_syn = 0.0;
        for (k, &e_rev) in p.e_rev.iter().enumerate() {
            i_syn += y[DG + 2 * k + 1] * (e_rev - v);
        }
        let i_spike = if p.delta_t == 0.0 {
            0.0
        } else {
            p.delta_t * p.g_l * ((v - p.v_th) / p.delta_t).exp()
        };
        f[0] = if refractory {
            0.0
        } else {
            (-p.g_l * (v - p.e_l) + i_spike + i_syn - w + p.i_e + i_stim) / p.c_m
        };
        f[W] = (p.a * (v - p.e_l) - w) / p.tau_w;
        for (k, (&rise, &decay)) in p.tau_rise.iter().zip(&p.tau_decay).enumerate() {
            let j = DG + 2 * k;
            f[j] = -y[j] / rise;
            f[j + 1] = y[j] - y[j + 1] / decay;
        }
    }

    /// One step of NEST's `update` for a neuron with state vector `y`,
    /// refractory count `r` and carried step size `step`: integration with
    /// spike detection after each solver step (input current `i_stim`,
    /// NEST's `B_.I_stim_`), the refractory count down, then this step's
    /// input `input[k]` (summed weights on port `k`; ports past its end
    /// get none) into each `dg_k`. Returns whether the neuron fired.
    #[inline(always)]
    pub fn step(
        &self,
        y: &mut [f64],
        r: &mut u32,
        step: &mut f64,
        input: &[f64],
        i_stim: f64,
        work: &mut SliceWork,
    ) -> bool {
        let mut fired = false;
        let mut t = 0.0;
        while t < self.h {
            let refractory = *r > 0;
            let before = t;
            let f = |y: &[f64], f: &mut [f64]| self.dynamics(refractory, i_stim, y, f);
            if evolve_apply_slice(&self.control, &f, &mut t, self.h, step, y, work).is_err()
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
        for (k, (&x, &g0)) in input.iter().zip(&self.g0).enumerate() {
            y[DG + 2 * k] += x * g0;
        }
        fired
    }

    /// The recordables of state vector `y` into `out`: `V_m`, `w`, each
    /// port's `g`.
    pub fn sample(&self, y: &[f64], out: &mut Vec<f64>) {
        out.clear();
        out.push(y[0]);
        out.push(y[W]);
        out.extend((0..self.ports()).map(|k| y[DG + 2 * k + 1]));
    }
}

#[cfg(test)]
mod tests;
