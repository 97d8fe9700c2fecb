//! `iaf_psc_delta`: leaky integrate-and-fire neuron whose input makes the
//! membrane potential jump by the synaptic weight (in mV), integrated
//! exactly in the same floating-point form as NEST's
//! `models/iaf_psc_delta.cpp` (3.10), so that its traces match NEST's to
//! the last bits.
//!
//! | Parameter          | Default   | Unit | Description                                   |
//! |--------------------|-----------|------|-----------------------------------------------|
//! | `c_m`              | 250.0     | pF   | Capacitance of the membrane (`C_m`)           |
//! | `tau_m`            | 10.0      | ms   | Membrane time constant                        |
//! | `t_ref`            | 2.0       | ms   | Duration of the refractory period             |
//! | `e_l`              | -70.0     | mV   | Resting membrane potential (`E_L`)            |
//! | `v_reset`          | -70.0     | mV   | Reset potential (`V_reset`)                   |
//! | `v_th`             | -55.0     | mV   | Spike threshold (`V_th`)                      |
//! | `v_min`            | -f64::MAX | mV   | Lower bound of the membrane potential         |
//! | `i_e`              | 0.0       | pA   | Constant input current (`I_e`)                |
//! | `v_m`              | -70.0     | mV   | Initial membrane potential (`V_m`)            |
//! | `refractory_input` | false     |      | Keep input arriving while refractory          |
//! | `ignore_and_spike` | false     |      | Spike at fixed times, ignoring the threshold  |
//! | `ignore_and_spike_offset` | 1.0 | ms  | Time of the first forced spike after `Create` |
//! | `ignore_and_spike_interval` | 100.0 | ms | Interval between forced spikes             |
//!
//! NEST's `V_min` default is `-DBL_MAX` for this model (`-inf` for
//! `iaf_psc_alpha`); `GetDefaults` reports `-1.7976931348623157e308`.
//! `refractory_input` is a boolean in NEST; in the model's `f64` parameter
//! list ([`NeuronParams`]) it is `0.0` (false) or `1.0` (true), and any
//! other value is refused.
//!
//! State is held relative to `E_L`, as in NEST. Per step, in this order:
//! if not refractory, `V_m` is propagated and this step's input (the summed
//! weights of the spikes arriving, excitatory and inhibitory alike) is
//! added, then, with `refractory_input`, the input kept from the refractory
//! period, and `V_m` is bounded below by `V_min`; if refractory, `V_m`
//! stays, the input is dropped or (with `refractory_input`) kept,
//! discounted by `exp(-r h / tau_m)` for the `r` refractory steps left, and
//! the refractory count goes down. Then the threshold is checked; a spike
//! resets `V_m`, starts the refractory count and is stamped at the end of
//! the step.
//!
//! With NEST's `ignore_and_spike` (its `IgnoreAndSpikeMechanism`), the
//! threshold is not checked: a per-neuron count of steps, started at
//! `ignore_and_spike_offset` (in steps, as NEST's `Time` converts it) when
//! the neuron is created, goes down every step and the neuron fires (reset
//! and refractory as ever) where it reaches zero, then restarts at
//! `ignore_and_spike_interval`. NEST restarts the count whenever a `set`
//! names `ignore_and_spike_offset`; Spindle does where the value changes.

use spindle_core::Resolution;

use crate::model::{NeuronModel, NeuronParams, ParamError, ParamSpec, Population, RecordableSpec};

mod population;
mod propagators;

pub use population::IafPscDeltaPopulation;
pub use propagators::{Propagators, refractory_steps};

/// The model: `iaf_psc_delta` behind the [`NeuronModel`] interface.
#[derive(Debug, Clone, Copy, Default)]
pub struct IafPscDelta;

/// The one instance the network and the registry refer to.
pub static IAF_PSC_DELTA: IafPscDelta = IafPscDelta;

/// NEST's message for a negative `t_ref` (it differs from
/// `iaf_psc_alpha`'s, [`ParamError::Refractory`]).
pub const REFRACTORY_MESSAGE: &str = "Refractory time must not be negative.";

/// NEST takes only a boolean for `refractory_input`.
pub const REFRACTORY_INPUT_MESSAGE: &str =
    "refractory_input must be a boolean (0.0 for false, 1.0 for true).";

/// NEST's `IgnoreAndSpikeMechanism::set_status` messages.
pub const IGNORE_AND_SPIKE_OFFSET_MESSAGE: &str = "ignore_and_spike_offset > 0 required.";
/// See [`IGNORE_AND_SPIKE_OFFSET_MESSAGE`].
pub const IGNORE_AND_SPIKE_INTERVAL_MESSAGE: &str = "ignore_and_spike_interval > 0 required.";

/// The parameters with NEST's names, units and defaults, in the order of
/// [`IafPscDeltaParams::to_values`].
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
        name: "V_min",
        unit: "mV",
        default: -f64::MAX,
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
    ParamSpec {
        name: "refractory_input",
        unit: "",
        default: 0.0,
    },
    ParamSpec {
        name: "ignore_and_spike",
        unit: "",
        default: 0.0,
    },
    ParamSpec {
        name: "ignore_and_spike_offset",
        unit: "ms",
        default: 1.0,
    },
    ParamSpec {
        name: "ignore_and_spike_interval",
        unit: "ms",
        default: 100.0,
    },
];

/// What a multimeter records (NEST's `iaf_psc_delta` records only `V_m`).
const RECORDABLES: &[RecordableSpec] = &[RecordableSpec {
    name: "V_m",
    unit: "mV",
}];

impl NeuronModel for IafPscDelta {
    fn name(&self) -> &'static str {
        "iaf_psc_delta"
    }

    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn recordables(&self) -> &'static [RecordableSpec] {
        RECORDABLES
    }

    fn validate(&self, values: &[f64]) -> Result<(), ParamError> {
        validate_values(values)
    }

    fn population(
        &self,
        values: &[f64],
        res: Resolution,
        offset: u32,
        len: usize,
    ) -> Box<dyn Population> {
        let params = IafPscDeltaParams::from_values(values);
        Box::new(IafPscDeltaPopulation::new(&params, res, offset, len))
    }

    fn state_bytes_per_neuron(&self) -> usize {
        IafPscDeltaPopulation::STATE_BYTES_PER_NEURON
    }
}

/// User parameters of `iaf_psc_delta`, NEST's names in snake case, absolute
/// potentials (the model converts to `E_L`-relative values itself).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IafPscDeltaParams {
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
    /// Lower bound of the membrane potential [mV] (default: `-f64::MAX`,
    /// NEST's `-DBL_MAX`).
    pub v_min: f64,
    /// Constant input current [pA] (default: 0).
    pub i_e: f64,
    /// Initial membrane potential [mV] (default: -70).
    pub v_m: f64,
    /// Whether input arriving during the refractory period is added after
    /// it, discounted for the decay it missed (default: false). `1.0` /
    /// `0.0` in the parameter list.
    pub refractory_input: bool,
    /// Whether the neuron fires at fixed times instead of at the threshold
    /// (default: false), NEST's `ignore_and_spike`.
    pub ignore_and_spike: bool,
    /// Time of the first forced spike after creation [ms] (default: 1).
    pub ignore_and_spike_offset: f64,
    /// Interval between forced spikes [ms] (default: 100).
    pub ignore_and_spike_interval: f64,
}

impl Default for IafPscDeltaParams {
    fn default() -> Self {
        Self::from_values(&PARAMS.iter().map(|p| p.default).collect::<Vec<_>>())
    }
}

impl From<IafPscDeltaParams> for NeuronParams {
    fn from(p: IafPscDeltaParams) -> Self {
        NeuronParams::from_values(&IAF_PSC_DELTA, p.to_values())
    }
}

impl IafPscDeltaParams {
    /// The values in the order of the model's parameter list
    /// (`refractory_input` as `0.0` or `1.0`).
    pub fn to_values(&self) -> Vec<f64> {
        vec![
            self.c_m,
            self.tau_m,
            self.t_ref,
            self.e_l,
            self.v_reset,
            self.v_th,
            self.v_min,
            self.i_e,
            self.v_m,
            f64::from(u8::from(self.refractory_input)),
            f64::from(u8::from(self.ignore_and_spike)),
            self.ignore_and_spike_offset,
            self.ignore_and_spike_interval,
        ]
    }

    /// The typed view of values in the model's parameter order
    /// (`refractory_input` is true for any value but `0.0`; the model's
    /// [`NeuronModel::validate`] refuses all but `0.0` and `1.0`).
    pub fn from_values(v: &[f64]) -> Self {
        let [
            c_m,
            tau_m,
            t_ref,
            e_l,
            v_reset,
            v_th,
            v_min,
            i_e,
            v_m,
            refractory_input,
            ignore_and_spike,
            ignore_and_spike_offset,
            ignore_and_spike_interval,
        ] = v.try_into().expect("one value per iaf_psc_delta parameter");
        Self {
            c_m,
            tau_m,
            t_ref,
            e_l,
            v_reset,
            v_th,
            v_min,
            i_e,
            v_m,
            refractory_input: refractory_input != 0.0,
            ignore_and_spike: ignore_and_spike != 0.0,
            ignore_and_spike_offset,
            ignore_and_spike_interval,
        }
    }

    /// Check the parameters the way NEST's `Parameters_::set` does, in its
    /// order (reset, capacitance, refractory time, membrane time constant),
    /// after Spindle's own check that numbers are finite.
    pub fn validate(&self) -> Result<(), ParamError> {
        let finite = [
            ("C_m", self.c_m),
            ("tau_m", self.tau_m),
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
        if self.v_reset - self.e_l >= self.v_th - self.e_l {
            return Err(ParamError::Reset);
        }
        if self.c_m <= 0.0 {
            return Err(ParamError::Capacitance);
        }
        if self.t_ref < 0.0 {
            return Err(ParamError::Invalid(REFRACTORY_MESSAGE.into()));
        }
        if self.tau_m <= 0.0 {
            return Err(ParamError::TauM);
        }
        // NEST's archiving node checks these after the model's own.
        if !(self.ignore_and_spike_offset > 0.0 && self.ignore_and_spike_offset.is_finite()) {
            return Err(ParamError::Invalid(IGNORE_AND_SPIKE_OFFSET_MESSAGE.into()));
        }
        if !(self.ignore_and_spike_interval > 0.0 && self.ignore_and_spike_interval.is_finite()) {
            return Err(ParamError::Invalid(
                IGNORE_AND_SPIKE_INTERVAL_MESSAGE.into(),
            ));
        }
        Ok(())
    }
}

/// Check a value list: the typed view's checks, then `refractory_input`
/// and `ignore_and_spike`, which the typed view holds as `bool`s: they
/// must be `0.0` or `1.0`.
fn validate_values(values: &[f64]) -> Result<(), ParamError> {
    IafPscDeltaParams::from_values(values).validate()?;
    let flag = |name: &str| values[PARAMS.iter().position(|p| p.name == name).expect(name)];
    if !matches!(flag("refractory_input"), 0.0 | 1.0) {
        return Err(ParamError::Invalid(REFRACTORY_INPUT_MESSAGE.into()));
    }
    if !matches!(flag("ignore_and_spike"), 0.0 | 1.0) {
        return Err(ParamError::Invalid(
            "ignore_and_spike must be a boolean (0.0 for false, 1.0 for true).".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
