//! `iaf_tum_2000`: NEST's `iaf_psc_exp` with Tsodyks' short-term
//! plasticity computed in the presynaptic neuron (Tsodyks, Uziel &
//! Markram 2000), as NEST 3.10's `models/iaf_tum_2000.cpp`.
//!
//! | Parameter    | Default  | Unit | Description                                  |
//! |--------------|----------|------|----------------------------------------------|
//! | `C_m`        | 250.0    | pF   | Capacitance of the membrane                  |
//! | `tau_m`      | 10.0     | ms   | Membrane time constant                       |
//! | `tau_syn_ex` | 2.0      | ms   | Decay time of the excitatory current         |
//! | `tau_syn_in` | 2.0      | ms   | Decay time of the inhibitory current         |
//! | `t_ref`      | 2.0      | ms   | Duration of the refractory period            |
//! | `E_L`        | -70.0    | mV   | Resting membrane potential                   |
//! | `V_reset`    | -70.0    | mV   | Reset potential                              |
//! | `V_th`       | -55.0    | mV   | Spike threshold                              |
//! | `I_e`        | 0.0      | pA   | Constant input current                       |
//! | `rho`        | 0.01     | 1/s  | Escape-noise rate at threshold               |
//! | `delta`      | 0.0      | mV   | Escape-noise width (0: hard threshold)       |
//! | `V_m`        | -70.0    | mV   | Initial membrane potential                   |
//! | `U`          | 0.5      |      | Increment of `u` at a spike, in [0, 1]       |
//! | `tau_fac`    | 1000.0   | ms   | Decay of `u` (0: no facilitation)            |
//! | `tau_psc`    | 2.0      | ms   | Decay of the active fraction `y`             |
//! | `tau_rec`    | 400.0    | ms   | Recovery from depression                     |
//! | `x`          | 0.0      |      | Initial fraction of resources available      |
//! | `y`          | 0.0      |      | Initial fraction of resources active         |
//! | `u`          | 0.0      |      | Initial release probability, in [0, 1]       |
//!
//! The membrane is `iaf_psc_exp`'s, bit for bit (NEST's update of the two
//! models differs only in the spike's bookkeeping below), so the
//! population wraps an `iaf_psc_exp` population, its lane step and its
//! current port included, rather than copying it. After each update it
//! walks the spikes that population reported and, per spike, advances the
//! neuron's (`u`, `x`, `y`) from its last spike (0 ms before the first,
//! as NEST) with `tsodyks_synapse`'s expressions ([`Release`]); NEST
//! sends the release `u x` with the spike as its offset, and a receiving
//! `iaf_tum_2000` multiplies the weight by it on receptor 1.
//!
//! The release depends only on the neuron's own spike times, so the
//! network does not carry it with the spikes: a connection onto
//! receptor 1 is held as a `tsodyks_synapse` projection with the source
//! neurons' parameters and initial state
//! ([`NeuronModel::release`]), whose state per source is the neuron's at
//! every spike, and whose weights scaled by it are NEST's bit for bit.
//!
//! NEST's escape noise (`delta > 1e-10`, drawn from the thread's
//! generator) is not implemented: [`NeuronModel::validate`] refuses such
//! a `delta`, as `iaf_psc_exp` does.

use spindle_core::Resolution;

use crate::iaf_psc_exp;
use crate::model::{NeuronModel, NeuronParams, ParamError, ParamSpec, Population, RecordableSpec};

mod population;
mod release;

pub use population::IafTum2000Population;
pub use release::Release;

/// The model: `iaf_tum_2000` behind the [`NeuronModel`] interface.
#[derive(Debug, Clone, Copy, Default)]
pub struct IafTum2000;

/// The one instance the network and the registry refer to.
pub static IAF_TUM_2000: IafTum2000 = IafTum2000;

/// How many of the parameters are `iaf_psc_exp`'s (they come first, in
/// its order, so that its population takes `values[..MEMBRANE]`).
const MEMBRANE: usize = 12;

/// The short-term plasticity's parameters and initial state, after the
/// membrane's.
const RELEASE: [ParamSpec; 7] = [
    ParamSpec {
        name: "U",
        unit: "",
        default: 0.5,
    },
    ParamSpec {
        name: "tau_fac",
        unit: "ms",
        default: 1000.0,
    },
    ParamSpec {
        name: "tau_psc",
        unit: "ms",
        default: 2.0,
    },
    ParamSpec {
        name: "tau_rec",
        unit: "ms",
        default: 400.0,
    },
    ParamSpec {
        name: "x",
        unit: "",
        default: 0.0,
    },
    ParamSpec {
        name: "y",
        unit: "",
        default: 0.0,
    },
    ParamSpec {
        name: "u",
        unit: "",
        default: 0.0,
    },
];

/// `iaf_psc_exp`'s parameters, then [`RELEASE`].
const PARAMS: [ParamSpec; MEMBRANE + 7] = {
    let mut out = [RELEASE[0]; MEMBRANE + 7];
    let mut i = 0;
    while i < MEMBRANE {
        out[i] = iaf_psc_exp::PARAMS[i];
        i += 1;
    }
    while i < MEMBRANE + 7 {
        out[i] = RELEASE[i - MEMBRANE];
        i += 1;
    }
    out
};

/// What a multimeter records: `iaf_psc_exp`'s.
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

/// NEST's receptor type for spikes scaled by the sender's release.
const RELEASE_RECEPTOR: i64 = 1;

impl NeuronModel for IafTum2000 {
    fn name(&self) -> &'static str {
        "iaf_tum_2000"
    }

    fn params(&self) -> &'static [ParamSpec] {
        &PARAMS
    }

    fn recordables(&self) -> &'static [RecordableSpec] {
        RECORDABLES
    }

    fn validate(&self, values: &[f64]) -> Result<(), ParamError> {
        IafTum2000Params::from_values(values).validate()
    }

    fn population(
        &self,
        values: &[f64],
        res: Resolution,
        offset: u32,
        len: usize,
    ) -> Box<dyn Population> {
        Box::new(IafTum2000Population::new(values, res, offset, len))
    }

    fn state_bytes_per_neuron(&self) -> usize {
        IafTum2000Population::STATE_BYTES_PER_NEURON
    }

    fn state_params(&self) -> &'static [&'static str] {
        &["V_m", "x", "y", "u"]
    }

    fn release(&self, values: &[f64]) -> Option<(Release, [f64; 3])> {
        let p = IafTum2000Params::from_values(values);
        Some((p.release(), [p.u, p.x, p.y]))
    }

    fn release_receptor(&self) -> Option<i64> {
        Some(RELEASE_RECEPTOR)
    }
}

/// User parameters of `iaf_tum_2000`: `iaf_psc_exp`'s, then the
/// short-term plasticity's, NEST's names in snake case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IafTum2000Params {
    /// The membrane's parameters (`delta` 0: the only kind implemented).
    pub membrane: iaf_psc_exp::IafPscExpParams,
    /// `U`: increment of `u` at a spike (default: 0.5).
    pub u0: f64,
    /// `tau_fac` [ms] (default: 1000; 0: no facilitation).
    pub tau_fac: f64,
    /// `tau_psc` [ms] (default: 2).
    pub tau_psc: f64,
    /// `tau_rec` [ms] (default: 400).
    pub tau_rec: f64,
    /// Initial fraction of resources available (default: 0).
    pub x: f64,
    /// Initial fraction of resources active (default: 0).
    pub y: f64,
    /// Initial release probability (default: 0).
    pub u: f64,
}

impl Default for IafTum2000Params {
    fn default() -> Self {
        Self::from_values(&PARAMS.iter().map(|p| p.default).collect::<Vec<_>>())
    }
}

impl From<IafTum2000Params> for NeuronParams {
    fn from(p: IafTum2000Params) -> Self {
        NeuronParams::from_values(&IAF_TUM_2000, p.to_values())
    }
}

impl IafTum2000Params {
    /// The values in the order of the model's parameter list.
    pub fn to_values(&self) -> Vec<f64> {
        let mut v = self.membrane.to_values();
        v.extend([
            self.u0,
            self.tau_fac,
            self.tau_psc,
            self.tau_rec,
            self.x,
            self.y,
            self.u,
        ]);
        v
    }

    /// The typed view of values in the model's parameter order.
    pub fn from_values(v: &[f64]) -> Self {
        let [u0, tau_fac, tau_psc, tau_rec, x, y, u] = v[MEMBRANE..]
            .try_into()
            .expect("one value per iaf_tum_2000 parameter");
        Self {
            membrane: iaf_psc_exp::IafPscExpParams::from_values(&v[..MEMBRANE]),
            u0,
            tau_fac,
            tau_psc,
            tau_rec,
            x,
            y,
            u,
        }
    }

    /// The short-term plasticity's rule.
    pub fn release(&self) -> Release {
        Release {
            u0: self.u0,
            tau_psc: self.tau_psc,
            tau_rec: self.tau_rec,
            tau_fac: self.tau_fac,
        }
    }

    /// Check the parameters the way NEST's `Parameters_::set` and then
    /// `State_::set` do, in their order and with their messages. Spindle
    /// adds, as for `iaf_psc_exp`, that every value be finite (first;
    /// `V_th` may be `+inf`) and that `delta` select the hard threshold.
    pub fn validate(&self) -> Result<(), ParamError> {
        let m = &self.membrane;
        let finite = [
            ("C_m", m.c_m),
            ("tau_m", m.tau_m),
            ("tau_syn_ex", m.tau_syn_ex),
            ("tau_syn_in", m.tau_syn_in),
            ("t_ref", m.t_ref),
            ("E_L", m.e_l),
            ("V_reset", m.v_reset),
            ("I_e", m.i_e),
            ("rho", m.rho),
            ("delta", m.delta),
            ("V_m", m.v_m),
            ("U", self.u0),
            ("tau_fac", self.tau_fac),
            ("tau_psc", self.tau_psc),
            ("tau_rec", self.tau_rec),
            ("x", self.x),
            ("y", self.y),
            ("u", self.u),
        ];
        for (name, value) in finite {
            if !value.is_finite() {
                return Err(ParamError::NotFinite(name));
            }
        }
        // An infinite threshold is NEST's way to keep a neuron from firing.
        if m.v_th.is_nan() || m.v_th == f64::NEG_INFINITY {
            return Err(ParamError::NotFinite("V_th"));
        }
        // NEST compares the potentials relative to E_L.
        if m.v_reset - m.e_l >= m.v_th - m.e_l {
            return Err(ParamError::Reset);
        }
        let nest = |msg: &str| Err(ParamError::Invalid(msg.into()));
        if m.c_m <= 0.0 {
            return nest("Capacitance must be strictly positive.");
        }
        if m.tau_m <= 0.0
            || m.tau_syn_ex <= 0.0
            || m.tau_syn_in <= 0.0
            || self.tau_psc <= 0.0
            || self.tau_rec <= 0.0
        {
            return nest("Membrane and synapse time constants must be strictly positive.");
        }
        if self.tau_fac < 0.0 {
            return nest("'tau_fac' must be >= 0.");
        }
        if m.t_ref < 0.0 {
            return nest("Refractory time must not be negative.");
        }
        if !(0.0..=1.0).contains(&self.u0) {
            return nest("'U' must be in [0,1].");
        }
        if m.rho < 0.0 {
            return nest("Stochastic firing intensity must not be negative.");
        }
        if m.delta < 0.0 {
            return nest("Width of threshold region must not be negative.");
        }
        // NEST's update takes `delta < 1e-10` as the hard threshold.
        if m.delta >= 1e-10 {
            return Err(ParamError::Invalid(format!(
                "stochastic spiking (delta = {} mV > 0) is not implemented; only the hard \
                 threshold, delta = 0, is.",
                m.delta
            )));
        }
        if self.x + self.y > 1.0 {
            return nest("x + y must be <= 1.0.");
        }
        if !(0.0..=1.0).contains(&self.u) {
            return nest("'u' must be in [0,1].");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
