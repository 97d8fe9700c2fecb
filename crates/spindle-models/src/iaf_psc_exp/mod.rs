//! `iaf_psc_exp`: leaky integrate-and-fire neuron with exponentially
//! decaying postsynaptic currents, integrated exactly (Rotter & Diesmann
//! 1999) in the same floating-point form as NEST 3.10's
//! `models/iaf_psc_exp.cpp`, so that its traces match NEST's to the last
//! bits.
//!
//! | Parameter    | Default  | Unit | Description                              |
//! |--------------|----------|------|------------------------------------------|
//! | `C_m`        | 250.0    | pF   | Capacitance of the membrane              |
//! | `tau_m`      | 10.0     | ms   | Membrane time constant                   |
//! | `tau_syn_ex` | 2.0      | ms   | Decay time of the excitatory current     |
//! | `tau_syn_in` | 2.0      | ms   | Decay time of the inhibitory current     |
//! | `t_ref`      | 2.0      | ms   | Duration of the refractory period        |
//! | `E_L`        | -70.0    | mV   | Resting membrane potential               |
//! | `V_reset`    | -70.0    | mV   | Reset potential                          |
//! | `V_th`       | -55.0    | mV   | Spike threshold                          |
//! | `I_e`        | 0.0      | pA   | Constant input current                   |
//! | `rho`        | 0.01     | 1/s  | Escape-noise rate at threshold           |
//! | `delta`      | 0.0      | mV   | Escape-noise width (0: hard threshold)   |
//! | `V_m`        | -70.0    | mV   | Initial membrane potential               |
//!
//! NEST's model has no `V_min`. Its escape noise (stochastic spiking when
//! `delta > 1e-10`) is not implemented: [`IafPscExpParams::validate`]
//! refuses such a `delta`; `rho` is kept and checked as NEST does, and has
//! no effect on the hard threshold.
//!
//! State is held relative to `E_L`, as in NEST. Per step, in this order:
//! the membrane potential is propagated with the currents of the previous
//! step and `I_e` (unless refractory, when only the refractory count goes
//! down), the currents decay, this step's input is added to them, and the
//! threshold is checked; a spike resets `V_m`, starts the refractory count
//! and is stamped at the end of the step.
//!
//! NEST's current port (`CurrentEvent`s on receptor 0, a step-wise constant
//! current `i_0` added to `I_e`, and on receptor 1, a current `i_1` filtered
//! into `I_syn_ex`) has no source in Spindle: the model interface delivers
//! spikes only, so `i_0` and `i_1` are always 0 and the update leaves out
//! their terms (each adds +0.0, which changes no value the state can hold).

use spindle_core::Resolution;

use crate::model::{NeuronModel, NeuronParams, ParamError, ParamSpec, Population, RecordableSpec};

mod population;
pub(crate) mod propagators;

pub use population::IafPscExpPopulation;
pub use propagators::Propagators;

/// The model: `iaf_psc_exp` behind the [`NeuronModel`] interface.
#[derive(Debug, Clone, Copy, Default)]
pub struct IafPscExp;

/// The one instance the network and the registry refer to.
pub static IAF_PSC_EXP: IafPscExp = IafPscExp;

/// The parameters with NEST's names, units and defaults, in the order of
/// [`IafPscExpParams::to_values`].
pub(crate) const PARAMS: &[ParamSpec] = &[
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
        name: "I_e",
        unit: "pA",
        default: 0.0,
    },
    ParamSpec {
        name: "rho",
        unit: "1/s",
        default: 0.01,
    },
    ParamSpec {
        name: "delta",
        unit: "mV",
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

/// The largest `delta` NEST treats as a hard threshold: NEST's update
/// checks `delta < 1e-10` for the deterministic crossing and
/// `delta > 1e-10` for escape noise.
const DETERMINISTIC_DELTA: f64 = 1e-10;

impl NeuronModel for IafPscExp {
    fn name(&self) -> &'static str {
        "iaf_psc_exp"
    }

    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn recordables(&self) -> &'static [RecordableSpec] {
        RECORDABLES
    }

    fn validate(&self, values: &[f64]) -> Result<(), ParamError> {
        IafPscExpParams::from_values(values).validate()
    }

    fn population(
        &self,
        values: &[f64],
        res: Resolution,
        offset: u32,
        len: usize,
    ) -> Box<dyn Population> {
        let params = IafPscExpParams::from_values(values);
        Box::new(IafPscExpPopulation::new(&params, res, offset, len))
    }

    fn state_bytes_per_neuron(&self) -> usize {
        IafPscExpPopulation::STATE_BYTES_PER_NEURON
    }
}

/// User parameters of `iaf_psc_exp`, NEST's names in snake case, absolute
/// potentials (the model converts to `E_L`-relative values itself).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IafPscExpParams {
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
    /// Constant input current [pA] (default: 0).
    pub i_e: f64,
    /// Escape-noise rate at threshold [1/s] (default: 0.01; no effect
    /// while `delta` is 0).
    pub rho: f64,
    /// Escape-noise width [mV] (default: 0, a hard threshold; the only
    /// kind Spindle implements).
    pub delta: f64,
    /// Initial membrane potential [mV] (default: -70).
    pub v_m: f64,
}

impl Default for IafPscExpParams {
    fn default() -> Self {
        Self::from_values(&PARAMS.iter().map(|p| p.default).collect::<Vec<_>>())
    }
}

impl From<IafPscExpParams> for NeuronParams {
    fn from(p: IafPscExpParams) -> Self {
        NeuronParams::from_values(&IAF_PSC_EXP, p.to_values())
    }
}

impl IafPscExpParams {
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
            self.i_e,
            self.rho,
            self.delta,
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
            i_e,
            rho,
            delta,
            v_m,
        ] = v.try_into().expect("one value per iaf_psc_exp parameter");
        Self {
            c_m,
            tau_m,
            tau_syn_ex,
            tau_syn_in,
            t_ref,
            e_l,
            v_reset,
            v_th,
            i_e,
            rho,
            delta,
            v_m,
        }
    }

    /// Check the parameters the way NEST's `Parameters_::set` does, in its
    /// order and with its messages. Spindle adds two checks of its own:
    /// every value must be finite (first), and `delta` must select NEST's
    /// hard threshold (last).
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
            ("rho", self.rho),
            ("delta", self.delta),
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
        // NEST compares the potentials relative to E_L.
        if self.v_reset - self.e_l >= self.v_th - self.e_l {
            return Err(ParamError::Reset);
        }
        let nest = |msg: &str| Err(ParamError::Invalid(msg.into()));
        if self.c_m <= 0.0 {
            return nest("Capacitance must be strictly positive.");
        }
        if self.tau_m <= 0.0 || self.tau_syn_ex <= 0.0 || self.tau_syn_in <= 0.0 {
            return nest("Membrane and synapse time constants must be strictly positive.");
        }
        if self.t_ref < 0.0 {
            return nest("Refractory time must not be negative.");
        }
        if self.rho < 0.0 {
            return nest("Stochastic firing intensity must not be negative.");
        }
        if self.delta < 0.0 {
            return nest("Width of threshold region must not be negative.");
        }
        if self.delta >= DETERMINISTIC_DELTA {
            return Err(ParamError::Invalid(format!(
                "iaf_psc_exp: stochastic spiking (delta = {} mV > 0) is not implemented; \
                 only the hard threshold, delta = 0, is.",
                self.delta
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
