//! Spindle's models: pure numerics, no threads, and no unsafe code but the
//! calls of hot loops compiled for a vector unit the CPU has and the
//! AVX-512 intrinsics of the ring's bit planes (`lanes.rs`, `ring/planes.rs`;
//! see [`isa`]), the vector loads, stores and table gathers of glibc's
//! `exp` and `pow` on lanes (`libm_exp.rs`, `libm_pow.rs`), and the vector
//! operations of the rkf45 trials and their calls (`simd.rs`,
//! `odeint.rs`, `iaf_cond_exp/population.rs`, `hh_cond_exp_traub/mod.rs`).
//!
//! - [`model`]: the neuron-model interface the engine drives;
//! - [`iaf_psc_alpha`]: NEST's leaky integrate-and-fire neuron with alpha
//!   shaped synaptic currents, integrated exactly as NEST does;
//! - [`iaf_psc_delta`]: NEST's leaky integrate-and-fire neuron whose input
//!   makes the membrane potential jump, integrated exactly as NEST does;
//! - [`iaf_psc_exp`]: NEST's leaky integrate-and-fire neuron with
//!   exponentially decaying synaptic currents, likewise;
//! - [`iaf_tum_2000`]: `iaf_psc_exp` with Tsodyks' short-term plasticity
//!   computed in the presynaptic neuron ([`Release`]);
//! - [`iaf_psc_exp_multisynapse`], [`iaf_psc_alpha_multisynapse`]: the
//!   same neurons with any number of receptor ports, each with its own
//!   time constant;
//! - [`iaf_cond_exp`], [`iaf_cond_alpha`], [`iaf_cond_exp_sfa_rr`],
//!   [`aeif_cond_alpha`], [`aeif_cond_exp`], [`hh_psc_alpha`],
//!   [`hh_cond_exp_traub`]: NEST's conductance-based integrate-and-fire
//!   neurons and Hodgkin-Huxley neurons, integrated with GSL's adaptive solver as
//!   NEST does ([`odeint`], driven through [`adaptive`]);
//! - [`aeif_cond_beta_multisynapse`]: the adaptive exponential neuron with
//!   beta-shaped conductances on any number of receptor ports, integrated
//!   likewise by a population of its own;
//! - [`ports`]: the driver the models with receptor ports share;
//! - [`lanes`]: the lane driver every model's population shares;
//! - [`numerics`]: NEST's own numerical helpers, for its bits;
//! - [`odeint`]: GSL's adaptive Runge-Kutta-Fehlberg (4, 5) stepper, as
//!   NEST's conductance-based and Hodgkin-Huxley models use it;
//! - [`poisson`]: the Poisson input a `poisson_generator` gives each target;
//! - [`ring`]: the per-shard input ring buffers the neurons read;
//! - [`current`]: the current a `dc_generator` gives each target;
//! - [`correlation`]: the `correlation_detector`'s histograms;
//! - [`devices`]: parameters of the stimulation and recording devices;
//! - [`sources`]: the stochastic and pulse spike generators (sinusoidal,
//!   inhomogeneous Poisson, MIP, pulse packets);
//! - [`isa`]: which vector unit the hot loops run on.
#![deny(unsafe_code)]

pub mod adaptive;
pub mod aeif_cond_alpha;
pub mod aeif_cond_beta_multisynapse;
pub mod aeif_cond_exp;
pub mod correlation;
pub mod current;
pub mod devices;
pub mod hh_cond_exp_traub;
pub mod hh_psc_alpha;
pub mod iaf_cond_alpha;
pub mod iaf_cond_exp;
pub mod iaf_cond_exp_sfa_rr;
pub mod iaf_psc_alpha;
pub mod iaf_psc_alpha_multisynapse;
pub mod iaf_psc_delta;
pub mod iaf_psc_exp;
pub mod iaf_psc_exp_multisynapse;
pub mod iaf_tum_2000;
pub mod isa;
pub mod lanes;
pub mod libm_exp;
pub mod libm_pow;
pub mod model;
pub mod numerics;
pub mod odeint;
pub mod parrot_neuron;
pub mod poisson;
pub mod ports;
pub mod ring;
#[cfg(target_arch = "x86_64")]
pub(crate) mod rkf45_simd;
pub(crate) mod simd;
pub mod sources;

pub use aeif_cond_alpha::AEIF_COND_ALPHA;
pub use aeif_cond_beta_multisynapse::{AEIF_COND_BETA_MULTISYNAPSE, AeifBetaParams};
pub use aeif_cond_exp::AEIF_COND_EXP;
pub use current::{CurrentDrive, CurrentInput};
pub use hh_cond_exp_traub::HH_COND_EXP_TRAUB;
pub use hh_psc_alpha::HH_PSC_ALPHA;
pub use iaf_cond_alpha::IAF_COND_ALPHA;
pub use iaf_cond_exp::IAF_COND_EXP;
pub use iaf_cond_exp_sfa_rr::IAF_COND_EXP_SFA_RR;
pub use iaf_psc_alpha::{IAF_PSC_ALPHA, IafPscAlphaParams, IafPscAlphaPopulation, Propagators};
pub use iaf_psc_alpha_multisynapse::{IAF_PSC_ALPHA_MULTISYNAPSE, IafPscAlphaMultisynapseParams};
pub use iaf_psc_delta::{IAF_PSC_DELTA, IafPscDeltaParams, IafPscDeltaPopulation};
pub use iaf_psc_exp::{IAF_PSC_EXP, IafPscExpParams, IafPscExpPopulation};
pub use iaf_psc_exp_multisynapse::{IAF_PSC_EXP_MULTISYNAPSE, IafPscExpMultisynapseParams};
pub use iaf_tum_2000::{IAF_TUM_2000, IafTum2000Params, Release};
pub use isa::Isa;
pub use model::{
    ARCHIVE_PARAMS, ListSpec, ModelRef, NO_PROBE, NeuronModel, NeuronParams, ParamError, ParamSpec,
    Population, RecordableSpec, Sample, SliceInput, SliceOutput,
};
pub use parrot_neuron::PARROT_NEURON;
pub use poisson::{PoissonDrive, PoissonInput, PoissonSampler};
pub use ring::InputRing;

/// The neuron models Spindle offers by name, as NEST's `node_models` lists
/// them.
pub static MODELS: &[ModelRef] = &[
    &IAF_PSC_ALPHA,
    &IAF_PSC_DELTA,
    &IAF_PSC_EXP,
    &IAF_PSC_EXP_MULTISYNAPSE,
    &IAF_PSC_ALPHA_MULTISYNAPSE,
    &IAF_COND_EXP,
    &IAF_COND_ALPHA,
    &HH_PSC_ALPHA,
    &AEIF_COND_ALPHA,
    &AEIF_COND_EXP,
    &AEIF_COND_BETA_MULTISYNAPSE,
    &HH_COND_EXP_TRAUB,
    &IAF_COND_EXP_SFA_RR,
    &PARROT_NEURON,
    &IAF_TUM_2000,
];

/// The model NEST calls `name`.
pub fn neuron_model(name: &str) -> Option<ModelRef> {
    MODELS.iter().copied().find(|m| m.name() == name)
}
