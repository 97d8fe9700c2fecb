//! `iaf_psc_exp_multisynapse`: leaky integrate-and-fire neuron with
//! exponentially decaying postsynaptic currents on any number of receptor
//! ports, each with its own time constant, integrated exactly in the same
//! floating-point form as NEST 3.10's `models/iaf_psc_exp_multisynapse.cpp`.
//!
//! | Parameter    | Default  | Unit | Description                              |
//! |--------------|----------|------|------------------------------------------|
//! | `C_m`        | 250.0    | pF   | Capacitance of the membrane              |
//! | `tau_m`      | 10.0     | ms   | Membrane time constant                   |
//! | `t_ref`      | 2.0      | ms   | Duration of the refractory period        |
//! | `E_L`        | -70.0    | mV   | Resting membrane potential               |
//! | `V_reset`    | -70.0    | mV   | Reset potential                          |
//! | `V_th`       | -55.0    | mV   | Spike threshold                          |
//! | `I_e`        | 0.0      | pA   | Constant input current                   |
//! | `V_m`        | -70.0    | mV   | Initial membrane potential               |
//! | `tau_syn`    | [2.0]    | ms   | Decay time of each port's current (list) |
//!
//! `n_synapses` (read only) is the length of `tau_syn`: the neuron has that
//! many receptor ports, NEST's receptor types `1..=n_synapses`; a spike
//! arriving on port `k` adds its weight to the port's current `I_syn_k`,
//! whatever its sign. Receptor 0 takes a `dc_generator`'s current only.
//!
//! State is held relative to `E_L`, as in NEST. Per step, in this order:
//! unless refractory (when only the refractory count goes down) the
//! membrane potential is propagated, `V_m * P22 + (I_e + I_const) * P20`,
//! then each port's `P21_k * I_syn_k` is added in port order; each port's
//! current decays and this step's input joins it; a crossing of the
//! threshold resets `V_m` and starts the refractory count. `I_const`, the
//! current of a `dc_generator`, is read at the end of the step.

use std::borrow::Cow;

use spindle_core::Resolution;

use crate::model::{
    ListSpec, NeuronModel, NeuronParams, ParamError, ParamSpec, Population, RecordableSpec,
    list_values,
};
use crate::ports::{self, PortPopulation};

mod population;
mod propagators;

pub use propagators::Propagators;

/// The model: `iaf_psc_exp_multisynapse` behind the [`NeuronModel`]
/// interface.
#[derive(Debug, Clone, Copy, Default)]
pub struct IafPscExpMultisynapse;

/// The one instance the network and the registry refer to.
pub static IAF_PSC_EXP_MULTISYNAPSE: IafPscExpMultisynapse = IafPscExpMultisynapse;

/// A population of `iaf_psc_exp_multisynapse` neurons sharing one
/// parameter set.
pub type IafPscExpMultisynapsePopulation = PortPopulation<IafPscExpMultisynapse>;

/// The scalar parameters with NEST's names, units and defaults, in the
/// order of [`IafPscExpMultisynapseParams::to_values`].
const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "C_m",
        unit: "pF",
        default: 250.0,
    },
    ParamSpec {
        name: "tau_m",
        unit: "ms",
        default: 10.0,
    },
    ParamSpec {
        name: "t_ref",
        unit: "ms",
        default: 2.0,
    },
    ParamSpec {
        name: "E_L",
        unit: "mV",
        default: -70.0,
    },
    ParamSpec {
        name: "V_reset",
        unit: "mV",
        default: -70.0,
    },
    ParamSpec {
        name: "V_th",
        unit: "mV",
        default: -55.0,
    },
    ParamSpec {
        name: "I_e",
        unit: "pA",
        default: 0.0,
    },
    ParamSpec {
        name: "V_m",
        unit: "mV",
        default: -70.0,
    },
];

/// The list parameter: one time constant per port.
const LISTS: &[ListSpec] = &[ListSpec {
    name: "tau_syn",
    unit: "ms",
    default: &[2.0],
    count: "n_synapses",
}];

/// Ports' recordables with none: `V_m` and `I_syn` (see
/// [`NeuronModel::recordables_for`] for the ports' own).
const RECORDABLES: &[RecordableSpec] = &[
    RecordableSpec {
        name: "V_m",
        unit: "mV",
    },
    RecordableSpec {
        name: "I_syn",
        unit: "pA",
    },
];

impl NeuronModel for IafPscExpMultisynapse {
    fn name(&self) -> &'static str {
        "iaf_psc_exp_multisynapse"
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
        ports::recordables(tau_syn(values).len())
    }

    fn ports(&self, values: &[f64]) -> Option<usize> {
        Some(tau_syn(values).len())
    }

    fn validate(&self, values: &[f64]) -> Result<(), ParamError> {
        IafPscExpMultisynapseParams::from_values(values).validate()
    }

    fn population(
        &self,
        values: &[f64],
        res: Resolution,
        offset: u32,
        len: usize,
    ) -> Box<dyn Population> {
        let v_m = IafPscExpMultisynapseParams::from_values(values).v_m;
        Box::new(IafPscExpMultisynapsePopulation::new(
            values, v_m, res, offset, len,
        ))
    }

    fn state_bytes_per_neuron(&self) -> usize {
        ports::state_bytes(1, LISTS[0].default.len())
    }

    fn state_bytes_for(&self, values: &[f64]) -> usize {
        ports::state_bytes(1, tau_syn(values).len())
    }
}

/// The time constants in the model's `values`.
fn tau_syn(values: &[f64]) -> &[f64] {
    list_values(values, PARAMS.len(), 0)
}

/// User parameters of `iaf_psc_exp_multisynapse`, NEST's names in snake
/// case, absolute potentials.
#[derive(Debug, Clone, PartialEq)]
pub struct IafPscExpMultisynapseParams {
    /// Membrane capacitance [pF] (default: 250).
    pub c_m: f64,
    /// Membrane time constant [ms] (default: 10).
    pub tau_m: f64,
    /// Absolute refractory period [ms] (default: 2).
    pub t_ref: f64,
    /// Resting potential [mV] (default: -70).
    pub e_l: f64,
    /// Reset potential [mV] (default: -70).
    pub v_reset: f64,
    /// Threshold [mV] (default: -55).
    pub v_th: f64,
    /// Constant input current [pA] (default: 0).
    pub i_e: f64,
    /// Initial membrane potential [mV] (default: -70).
    pub v_m: f64,
    /// Decay time of each port's current [ms] (default: `[2.0]`): port
    /// `k` is NEST's receptor type `k + 1`.
    pub tau_syn: Vec<f64>,
}

impl Default for IafPscExpMultisynapseParams {
    fn default() -> Self {
        Self::from_values(NeuronParams::defaults(&IAF_PSC_EXP_MULTISYNAPSE).values())
    }
}

impl From<IafPscExpMultisynapseParams> for NeuronParams {
    fn from(p: IafPscExpMultisynapseParams) -> Self {
        NeuronParams::from_values(&IAF_PSC_EXP_MULTISYNAPSE, p.to_values())
    }
}

impl IafPscExpMultisynapseParams {
    /// The values in the model's order: the scalars, then `tau_syn`'s
    /// length and elements.
    pub fn to_values(&self) -> Vec<f64> {
        let mut v = vec![
            self.c_m,
            self.tau_m,
            self.t_ref,
            self.e_l,
            self.v_reset,
            self.v_th,
            self.i_e,
            self.v_m,
            self.tau_syn.len() as f64,
        ];
        v.extend_from_slice(&self.tau_syn);
        v
    }

    /// The typed view of values in the model's order.
    pub fn from_values(v: &[f64]) -> Self {
        let [c_m, tau_m, t_ref, e_l, v_reset, v_th, i_e, v_m] = v[..PARAMS.len()]
            .try_into()
            .expect("one value per iaf_psc_exp_multisynapse parameter");
        Self {
            c_m,
            tau_m,
            t_ref,
            e_l,
            v_reset,
            v_th,
            i_e,
            v_m,
            tau_syn: tau_syn(v).to_vec(),
        }
    }

    /// Check the parameters the way NEST's `Parameters_::set` does, in its
    /// order and with its messages (every value must be finite first, a
    /// check of Spindle's). NEST checks `tau_syn` only when it is set;
    /// Spindle checks it always, so a `tau_m` set equal to a port's time
    /// constant is refused too.
    pub fn validate(&self) -> Result<(), ParamError> {
        let finite = [
            ("C_m", self.c_m),
            ("tau_m", self.tau_m),
            ("t_ref", self.t_ref),
            ("E_L", self.e_l),
            ("V_reset", self.v_reset),
            ("V_th", self.v_th),
            ("I_e", self.i_e),
            ("V_m", self.v_m),
        ];
        for (name, value) in finite {
            if !value.is_finite() {
                return Err(ParamError::NotFinite(name));
            }
        }
        if self.tau_syn.iter().any(|t| !t.is_finite()) {
            return Err(ParamError::NotFinite("tau_syn"));
        }
        let nest = |msg: &str| Err(ParamError::Invalid(msg.into()));
        if self.c_m <= 0.0 {
            return Err(ParamError::Capacitance);
        }
        if self.tau_m <= 0.0 {
            return nest("Membrane time constant must be strictly positive.");
        }
        for &tau in &self.tau_syn {
            if tau <= 0.0 {
                return nest("All synaptic time constants must be strictly positive.");
            }
            if tau == self.tau_m {
                return nest(
                    "Membrane and synapse time constant(s) must differ. See note in documentation.",
                );
            }
        }
        if self.t_ref < 0.0 {
            return nest("Refractory time must not be negative.");
        }
        // NEST compares the potentials relative to E_L.
        if self.v_reset - self.e_l >= self.v_th - self.e_l {
            return Err(ParamError::Reset);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
