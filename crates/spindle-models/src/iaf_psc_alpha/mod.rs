//! `iaf_psc_alpha`: leaky integrate-and-fire neuron with alpha-shaped
//! postsynaptic currents, integrated exactly (Rotter & Diesmann 1999) in the
//! same floating-point form as NEST's `models/iaf_psc_alpha.cpp`, so that its
//! traces match NEST's to the last bits.
//!
//! | Parameter    | Default  | Unit | Description                              |
//! |--------------|----------|------|------------------------------------------|
//! | `c_m`        | 250.0    | pF   | Capacitance of the membrane (`C_m`)      |
//! | `tau_m`      | 10.0     | ms   | Membrane time constant                   |
//! | `tau_syn_ex` | 2.0      | ms   | Rise time of the excitatory current      |
//! | `tau_syn_in` | 2.0      | ms   | Rise time of the inhibitory current      |
//! | `t_ref`      | 2.0      | ms   | Duration of the refractory period        |
//! | `e_l`        | -70.0    | mV   | Resting membrane potential (`E_L`)       |
//! | `v_reset`    | -70.0    | mV   | Reset potential (`V_reset`)              |
//! | `v_th`       | -55.0    | mV   | Spike threshold (`V_th`)                 |
//! | `v_min`      | -inf     | mV   | Lower bound of the membrane potential    |
//! | `i_e`        | 0.0      | pA   | Constant input current (`I_e`)           |
//! | `v_m`        | -70.0    | mV   | Initial membrane potential (`V_m`)       |
//!
//! State is held relative to `E_L`, as in NEST. Per step, in this order:
//! the membrane potential is propagated with the currents of the previous
//! step (unless refractory, when only the refractory count goes down), the
//! alpha currents are propagated, this step's input is added to their
//! derivatives, and the threshold is checked; a spike resets `V_m`, starts
//! the refractory count and is stamped at the end of the step.

use spindle_core::Resolution;

use crate::model::{NeuronModel, NeuronParams, ParamError, ParamSpec, Population, RecordableSpec};

mod population;
mod propagators;

pub use population::IafPscAlphaPopulation;
pub use propagators::Propagators;

/// The model: `iaf_psc_alpha` behind the [`NeuronModel`] interface.
#[derive(Debug, Clone, Copy, Default)]
pub struct IafPscAlpha;

/// The one instance the network and the registry refer to.
pub static IAF_PSC_ALPHA: IafPscAlpha = IafPscAlpha;

/// The parameters with NEST's names, units and defaults, in the order of
/// [`IafPscAlphaParams::to_values`].
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
        name: "tau_syn_ex",
        unit: "ms",
        default: 2.0,
    },
    ParamSpec {
        name: "tau_syn_in",
        unit: "ms",
        default: 2.0,
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
        name: "V_min",
        unit: "mV",
        default: f64::NEG_INFINITY,
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

/// What a multimeter records, in the order the population samples them.
const RECORDABLES: &[RecordableSpec] = &[
    RecordableSpec {
        name: "V_m",
        unit: "mV",
    },
    RecordableSpec {
        name: "I_syn_ex",
        unit: "pA",
    },
    RecordableSpec {
        name: "I_syn_in",
        unit: "pA",
    },
];

impl NeuronModel for IafPscAlpha {
    fn name(&self) -> &'static str {
        "iaf_psc_alpha"
    }

    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn recordables(&self) -> &'static [RecordableSpec] {
        RECORDABLES
    }

    fn validate(&self, values: &[f64]) -> Result<(), ParamError> {
        IafPscAlphaParams::from_values(values).validate()
    }

    fn population(
        &self,
        values: &[f64],
        res: Resolution,
        offset: u32,
        len: usize,
    ) -> Box<dyn Population> {
        let params = IafPscAlphaParams::from_values(values);
        Box::new(IafPscAlphaPopulation::new(&params, res, offset, len))
    }

    fn state_bytes_per_neuron(&self) -> usize {
        IafPscAlphaPopulation::STATE_BYTES_PER_NEURON
    }
}

/// User parameters of `iaf_psc_alpha`, NEST's names in snake case, absolute
/// potentials (the model converts to `E_L`-relative values itself).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IafPscAlphaParams {
    /// Membrane capacitance [pF] (default: 250).
    pub c_m: f64,
    /// Membrane time constant [ms] (default: 10).
    pub tau_m: f64,
    /// Excitatory synaptic time constant [ms] (default: 2).
    pub tau_syn_ex: f64,
    /// Inhibitory synaptic time constant [ms] (default: 2).
    pub tau_syn_in: f64,
    /// Absolute refractory period [ms] (default: 2).
    pub t_ref: f64,
    /// Resting potential [mV] (default: -70).
    pub e_l: f64,
    /// Reset potential [mV] (default: -70).
    pub v_reset: f64,
    /// Threshold [mV] (default: -55).
    pub v_th: f64,
    /// Lower bound of the membrane potential [mV] (default: -inf).
    pub v_min: f64,
    /// Constant input current [pA] (default: 0).
    pub i_e: f64,
    /// Initial membrane potential [mV] (default: -70).
    pub v_m: f64,
}

impl Default for IafPscAlphaParams {
    fn default() -> Self {
        Self::from_values(&PARAMS.iter().map(|p| p.default).collect::<Vec<_>>())
    }
}

impl From<IafPscAlphaParams> for NeuronParams {
    fn from(p: IafPscAlphaParams) -> Self {
        NeuronParams::from_values(&IAF_PSC_ALPHA, p.to_values())
    }
}

impl IafPscAlphaParams {
    /// The values in the order of the model's parameter list.
    pub fn to_values(&self) -> Vec<f64> {
        vec![
            self.c_m,
            self.tau_m,
            self.tau_syn_ex,
            self.tau_syn_in,
            self.t_ref,
            self.e_l,
            self.v_reset,
            self.v_th,
            self.v_min,
            self.i_e,
            self.v_m,
        ]
    }

    /// The typed view of values in the model's parameter order.
    pub fn from_values(v: &[f64]) -> Self {
        let [
            c_m,
            tau_m,
            tau_syn_ex,
            tau_syn_in,
            t_ref,
            e_l,
            v_reset,
            v_th,
            v_min,
            i_e,
            v_m,
        ] = v.try_into().expect("one value per iaf_psc_alpha parameter");
        Self {
            c_m,
            tau_m,
            tau_syn_ex,
            tau_syn_in,
            t_ref,
            e_l,
            v_reset,
            v_th,
            v_min,
            i_e,
            v_m,
        }
    }

    /// Check the parameters the way NEST's `Parameters_::set` does.
    pub fn validate(&self) -> Result<(), ParamError> {
        let finite = [
            ("C_m", self.c_m),
            ("tau_m", self.tau_m),
            ("tau_syn_ex", self.tau_syn_ex),
            ("tau_syn_in", self.tau_syn_in),
            ("t_ref", self.t_ref),
            ("E_L", self.e_l),
            ("V_reset", self.v_reset),
            ("I_e", self.i_e),
            ("V_m", self.v_m),
        ];
        for (name, value) in finite {
            if !value.is_finite() {
                return Err(ParamError::NotFinite(name));
            }
        }
        // An infinite threshold is NEST's way to keep a neuron from firing.
        if self.v_th.is_nan() || self.v_th == f64::NEG_INFINITY {
            return Err(ParamError::NotFinite("V_th"));
        }
        if self.v_min.is_nan() || self.v_min == f64::INFINITY {
            return Err(ParamError::NotFinite("V_min"));
        }
        if self.c_m <= 0.0 {
            return Err(ParamError::Capacitance);
        }
        if self.tau_m <= 0.0 {
            return Err(ParamError::TauM);
        }
        if self.tau_syn_ex <= 0.0 || self.tau_syn_in <= 0.0 {
            return Err(ParamError::TauSyn);
        }
        if self.t_ref < 0.0 {
            return Err(ParamError::Refractory);
        }
        if self.v_reset - self.e_l >= self.v_th - self.e_l {
            return Err(ParamError::Reset);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
