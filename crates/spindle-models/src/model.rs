//! The neuron-model interface: what a model declares and how the engine
//! drives it.
//!
//! A model is one module implementing [`NeuronModel`]: its parameters with
//! NEST's names, units and defaults ([`ParamSpec`]), its validation with
//! NEST's messages, its recordables, and a [`Population`] factory. A
//! population holds one parameter set's neurons as structure of arrays and
//! advances them through a slice with its own lane step and vector paths.
//! The network, storage, engine and Python layer see only these traits, so
//! adding a model is adding a module (and, for lookup by name, a line in
//! [`crate::MODELS`]).
//!
//! Parameters travel as [`NeuronParams`]: the model and one value per
//! declared parameter, in declaration order, then the model's list-valued
//! parameters ([`ListSpec`], NEST's `tau_syn` of the multisynapse models),
//! each as its length and its elements. A model may offer a typed view
//! of them (`IafPscAlphaParams` for `iaf_psc_alpha`, `IafPscDeltaParams`
//! for `iaf_psc_delta`).
//!
//! Input reaches a neuron on channels: a model without input ports
//! ([`NeuronModel::ports`] is `None`) reads two, excitatory and inhibitory,
//! chosen by the weight's sign (NEST's receptor 0); a model with `n` ports
//! reads one channel per port (NEST's receptor types `1..=n`), which the
//! shard's ring holds only when some neuron of the network has ports.

use std::borrow::Cow;

use spindle_core::{Resolution, Step};
use thiserror::Error;

use crate::{CurrentInput, InputRing, Isa, PoissonInput, Release};

/// A parameter set a model refuses, with NEST's message.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ParamError {
    /// `C_m <= 0`.
    #[error("Capacitance must be > 0.")]
    Capacitance,
    /// `tau_m <= 0`.
    #[error("Membrane time constant must be > 0.")]
    TauM,
    /// A synaptic time constant `<= 0`.
    #[error("All synaptic time constants must be > 0.")]
    TauSyn,
    /// `t_ref < 0`.
    #[error("The refractory time t_ref can't be negative.")]
    Refractory,
    /// `V_reset >= V_th`.
    #[error("Reset potential must be smaller than threshold.")]
    Reset,
    /// A parameter is NaN or an infinity where it must be finite.
    #[error("Parameter {0} must be a finite number.")]
    NotFinite(&'static str),
    /// Any other of a model's own checks, with NEST's message.
    #[error("{0}")]
    Invalid(String),
    /// A name the model does not have.
    #[error("the model has no parameter '{0}'")]
    Unknown(String),
}

/// One parameter a model declares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// NEST's name (`C_m`, `tau_m`, `V_m`, ...).
    pub name: &'static str,
    /// NEST's unit (`pF`, `ms`, `mV`, `pA`).
    pub unit: &'static str,
    /// NEST's default.
    pub default: f64,
}

/// A list-valued parameter a model declares (NEST's `tau_syn` of
/// `iaf_psc_exp_multisynapse`, one value per receptor port). Its values
/// follow the scalar parameters in [`NeuronParams::values`]: the list's
/// length, then its elements ([`list_values`] reads them back).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ListSpec {
    /// NEST's name (`tau_syn`).
    pub name: &'static str,
    /// NEST's unit of each element.
    pub unit: &'static str,
    /// NEST's default.
    pub default: &'static [f64],
    /// The read-only parameter NEST gives the list's length under
    /// (`n_synapses`).
    pub count: &'static str,
}

/// List `k` of a model's `values` (as [`NeuronParams::values`] holds them)
/// whose first `scalars` values are its scalar parameters.
pub fn list_values(values: &[f64], scalars: usize, k: usize) -> &[f64] {
    let mut at = scalars;
    for _ in 0..k {
        at += 1 + values[at] as usize;
    }
    let len = values[at] as usize;
    &values[at + 1..at + 1 + len]
}

/// A quantity a multimeter may record, by NEST's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordableSpec {
    /// NEST's name (`V_m`, `I_syn_ex`, ...).
    pub name: &'static str,
    /// Unit.
    pub unit: &'static str,
}

/// A neuron model (NEST's model class, as far as the engine needs it).
pub trait NeuronModel: Sync + 'static {
    /// NEST's model name.
    fn name(&self) -> &'static str;
    /// The parameters, in the order [`NeuronParams`] holds their values.
    /// Initial values of state variables NEST lets `Create` set (`V_m`)
    /// are parameters here too.
    fn params(&self) -> &'static [ParamSpec];
    /// What a multimeter may record, in the order
    /// [`Population::update`] samples them.
    fn recordables(&self) -> &'static [RecordableSpec];
    /// Check a parameter set as NEST's `Parameters_::set` does.
    fn validate(&self, values: &[f64]) -> Result<(), ParamError>;
    /// `len` neurons with parameters `values` (validated), at local
    /// indices `offset..` of their shard, integrated on grid `res`.
    fn population(
        &self,
        values: &[f64],
        res: Resolution,
        offset: u32,
        len: usize,
    ) -> Box<dyn Population>;
    /// Bytes of state per neuron, for memory estimates.
    fn state_bytes_per_neuron(&self) -> usize;
    /// The parameters that are initial values of state variables: set on
    /// one neuron ([`Population::set_state`]), they need no population of
    /// their own. `V_m` by default (a model without it declares none).
    fn state_params(&self) -> &'static [&'static str] {
        &["V_m"]
    }
    /// The list-valued parameters, in the order their values follow the
    /// scalars ([`ListSpec`]); none by default.
    fn lists(&self) -> &'static [ListSpec] {
        &[]
    }
    /// Whether the neuron reads each spike it receives as one, whatever
    /// the connection's weight (`parrot_neuron`): the network then stores
    /// the weights onto it as 1, so that its input sums are counts.
    fn counts_spikes(&self) -> bool {
        false
    }
    /// The input ports of neurons with parameters `values`: `None` (the
    /// default) where spikes arrive on NEST's receptor 0 only and are read
    /// as excitatory or inhibitory by the weight's sign; `Some(n)` where they
    /// arrive on receptor types `1..=n`, receptor `k` read from the ring's
    /// channel `k - 1` ([`InputRing::take_port_lanes`]).
    fn ports(&self, _values: &[f64]) -> Option<usize> {
        None
    }
    /// What a multimeter may record from neurons with parameters `values`,
    /// in the order [`Population::update`] samples them: where it depends
    /// on them (one current per port), else [`recordables`](Self::recordables).
    fn recordables_for(&self, _values: &[f64]) -> Cow<'static, [RecordableSpec]> {
        Cow::Borrowed(self.recordables())
    }
    /// Bytes of state per neuron with parameters `values`, for memory
    /// estimates ([`state_bytes_per_neuron`](Self::state_bytes_per_neuron)
    /// unless it depends on them).
    fn state_bytes_for(&self, _values: &[f64]) -> usize {
        self.state_bytes_per_neuron()
    }
    /// Check a `set` that changes a neuron's values from `old` to `new`
    /// (both in [`NeuronParams::values`]' form) and gives the lists
    /// `given`, where NEST's refusal depends on which lists the call gives
    /// (`aeif_cond_beta_multisynapse`: a new number of ports needs all
    /// three); before [`validate`](Self::validate), as NEST checks it
    /// first. Nothing by default.
    fn check_lists(&self, _old: &[f64], _new: &[f64], _given: &[&str]) -> Result<(), ParamError> {
        Ok(())
    }
    /// NEST's message where the model refuses spikes of negative weight
    /// (`aeif_cond_beta_multisynapse`); `None` (the default) where a
    /// negative weight is inhibition.
    fn refuses_negative_weights(&self) -> Option<&'static str> {
        None
    }
    /// The short-term plasticity neurons with parameters `values` compute
    /// at their own spikes, whose release NEST sends with each spike as
    /// its offset (`iaf_tum_2000`): the rule and the state (`u`, `x`, `y`)
    /// before the first spike. `None` (the default) where the model
    /// sends none.
    fn release(&self, _values: &[f64]) -> Option<(Release, [f64; 3])> {
        None
    }
    /// The receptor type on which the model scales each spike's weight by
    /// the release its sender sends (`iaf_tum_2000`: 1), routed otherwise
    /// as receptor 0 (by the weight's sign); `None` (the default) where it
    /// has none.
    fn release_receptor(&self) -> Option<i64> {
        None
    }
}

impl std::fmt::Debug for dyn NeuronModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl PartialEq for dyn NeuronModel {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

/// A model, as networks hold it.
pub type ModelRef = &'static dyn NeuronModel;

/// The parameters of NEST's `ArchivingNode`, which every neuron model
/// has: the time constants of the postsynaptic traces STDP synapses read
/// (`tau_minus`, `tau_minus_triplet` [ms]).
pub const ARCHIVE_PARAMS: [ParamSpec; 2] = [
    ParamSpec {
        name: "tau_minus",
        unit: "ms",
        default: 20.0,
    },
    ParamSpec {
        name: "tau_minus_triplet",
        unit: "ms",
        default: 110.0,
    },
];

/// One model's parameter values, by its declaration order, and the
/// archive's ([`ARCHIVE_PARAMS`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NeuronParams {
    model: ModelRef,
    values: Vec<f64>,
    archive: [f64; 2],
}

impl NeuronParams {
    /// The model's defaults.
    pub fn defaults(model: ModelRef) -> Self {
        let mut values: Vec<f64> = model.params().iter().map(|p| p.default).collect();
        for list in model.lists() {
            values.push(list.default.len() as f64);
            values.extend_from_slice(list.default);
        }
        Self {
            model,
            values,
            archive: ARCHIVE_PARAMS.map(|p| p.default),
        }
    }

    /// `values` for `model`'s parameters in declaration order, then its
    /// lists, each as its length and its elements (not yet validated).
    pub fn from_values(model: ModelRef, values: Vec<f64>) -> Self {
        let mut end = model.params().len();
        for _ in model.lists() {
            let len = values.get(end).copied().unwrap_or(f64::NAN);
            assert!(
                len >= 0.0 && len.fract() == 0.0,
                "each list's length before its elements"
            );
            end += 1 + len as usize;
        }
        assert_eq!(values.len(), end, "one value per parameter, then each list");
        Self {
            model,
            values,
            archive: ARCHIVE_PARAMS.map(|p| p.default),
        }
    }

    /// The model.
    pub fn model(&self) -> ModelRef {
        self.model
    }

    /// The values in declaration order.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    fn index(&self, name: &str) -> Result<usize, ParamError> {
        self.model
            .params()
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| ParamError::Unknown(name.into()))
    }

    /// The value of parameter `name`.
    pub fn get(&self, name: &str) -> Result<f64, ParamError> {
        if let Some(k) = archive_index(name) {
            return Ok(self.archive[k]);
        }
        Ok(self.values[self.index(name)?])
    }

    /// The archive's parameters (`tau_minus`, `tau_minus_triplet`).
    pub fn archive(&self) -> [f64; 2] {
        self.archive
    }

    /// Set parameter `name` (validate afterwards).
    pub fn set(&mut self, name: &str, value: f64) -> Result<(), ParamError> {
        if let Some(k) = archive_index(name) {
            self.archive[k] = value;
            return Ok(());
        }
        let i = self.index(name)?;
        self.values[i] = value;
        Ok(())
    }

    fn list_index(&self, name: &str) -> Result<usize, ParamError> {
        self.model
            .lists()
            .iter()
            .position(|l| l.name == name)
            .ok_or_else(|| ParamError::Unknown(name.into()))
    }

    /// The values of list parameter `name`.
    pub fn get_list(&self, name: &str) -> Result<&[f64], ParamError> {
        let k = self.list_index(name)?;
        Ok(list_values(&self.values, self.model.params().len(), k))
    }

    /// Set list parameter `name` to `list` (validate afterwards).
    pub fn set_list(&mut self, name: &str, list: &[f64]) -> Result<(), ParamError> {
        let k = self.list_index(name)?;
        let scalars = self.model.params().len();
        let lists: Vec<Vec<f64>> = (0..self.model.lists().len())
            .map(|j| {
                if j == k {
                    list.to_vec()
                } else {
                    list_values(&self.values, scalars, j).to_vec()
                }
            })
            .collect();
        self.values.truncate(scalars);
        for l in lists {
            self.values.push(l.len() as f64);
            self.values.extend(l);
        }
        Ok(())
    }

    /// The model's input ports for these values ([`NeuronModel::ports`]).
    pub fn ports(&self) -> Option<usize> {
        self.model.ports(&self.values)
    }

    /// The model's verdict on these values.
    pub fn validate(&self) -> Result<(), ParamError> {
        // NEST's ArchivingNode (`!(tau > 0)` also refuses NaN).
        if self
            .archive
            .iter()
            .any(|tau| tau.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater))
        {
            return Err(ParamError::Invalid(
                "All time constants must be strictly positive.".into(),
            ));
        }
        self.model.validate(&self.values)
    }
}

/// Which of [`ARCHIVE_PARAMS`] `name` is.
fn archive_index(name: &str) -> Option<usize> {
    ARCHIVE_PARAMS.iter().position(|p| p.name == name)
}

/// Marks a neuron no multimeter records.
pub const NO_PROBE: u32 = u32::MAX;

/// One multimeter sample: the model's recordables of one neuron at the end
/// of step `step`, in `SliceOutput::values[at..at + n]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Probe index (the engine's numbering of (multimeter, neuron) pairs).
    pub probe: u32,
    /// Step sampled (recorded at time `(step + 1) * h`).
    pub step: Step,
    /// Where its values start in [`SliceOutput::values`].
    pub at: u32,
}

/// What populations produce during a slice: spikes and samples.
#[derive(Debug, Clone, Default)]
pub struct SliceOutput {
    /// (local index, lag) of every spike: within each lag, in ascending
    /// local index (the engine sorts by lag, stably).
    pub spikes: Vec<(u32, u32)>,
    /// Multimeter samples, kept across slices until read.
    pub samples: Vec<Sample>,
    /// The samples' values, each sample's recordables in the model's order.
    pub values: Vec<f64>,
}

impl SliceOutput {
    /// Neuron `local` (index within the shard) spiked at `lag`.
    #[inline]
    pub fn spike(&mut self, local: u32, lag: u32) {
        self.spikes.push((local, lag));
    }

    /// Probe `probe` sampled `values` (the model's recordables) at `step`.
    /// Kept out of line: inlined, this rare path changed the register
    /// allocation of the update's hot loop (5 % slower on AVX2).
    #[inline(never)]
    pub fn sample(&mut self, probe: u32, step: Step, values: &[f64]) {
        self.samples.push(Sample {
            probe,
            step,
            at: self.values.len() as u32,
        });
        self.values.extend_from_slice(values);
    }
}

/// The input a population reads in a slice: its shard's ring (spikes
/// delivered by synapses and spike generators), Poisson streams and
/// current generators.
pub struct SliceInput<'a> {
    /// The shard's input ring.
    pub ring: &'a mut InputRing,
    /// The shard's Poisson streams.
    pub poisson: &'a mut PoissonInput,
    /// The shard's current input.
    pub currents: &'a CurrentInput,
}

/// A population of one model's neurons sharing one parameter set, at local
/// indices `offset()..offset() + len()` of its shard.
pub trait Population: Send + Sync {
    /// Number of neurons.
    fn len(&self) -> usize;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Local index of the first neuron in the shard.
    fn offset(&self) -> u32;
    /// Let multimeter probe `probe` sample neuron `i` (index within the
    /// population) every `interval` steps.
    fn attach_probe(&mut self, i: usize, probe: u32, interval: Step);
    /// Advance every neuron through steps `origin + from .. origin + to`
    /// (NEST's `update(origin, from, to)`) with the vector unit `isa`
    /// (available on this CPU): read and clear the input, report spikes and
    /// samples to `out`.
    fn update(
        &mut self,
        isa: Isa,
        origin: Step,
        from: u32,
        to: u32,
        input: &mut SliceInput<'_>,
        out: &mut SliceOutput,
    );
    /// Recordable `r` (the model's order) of neuron `i` now.
    fn recordable(&self, i: usize, r: usize) -> f64;
    /// State variable `name` of neuron `i` now, where it is one of
    /// [`NeuronModel::state_params`] that is not a recordable
    /// (`iaf_tum_2000`'s `x`, `y`, `u`); `None` by default.
    fn state(&self, _i: usize, _name: &str) -> Option<f64> {
        None
    }
    /// Set state variable `name` (one of [`NeuronModel::state_params`]) of
    /// neuron `i`, as NEST's `State_::set` does.
    fn set_state(&mut self, i: usize, name: &str, value: f64) -> Result<(), ParamError>;
    /// Split the population at neuron `at` (`0 < at < len`): this one keeps
    /// neurons `..at`, the one returned holds `at..` with their state,
    /// probes and parameters, at local indices `offset() + at..`.
    fn split_off(&mut self, at: usize) -> Box<dyn Population>;
    /// New parameters `values` (validated) for every neuron, on grid `res`,
    /// as NEST's `set_status` between runs: the state is kept, the membrane
    /// potential moved with `E_L`.
    fn set_params(&mut self, values: &[f64], res: Resolution);
    /// Bytes held.
    fn bytes(&self) -> usize;
}
