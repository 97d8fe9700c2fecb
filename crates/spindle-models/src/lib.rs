//! Spindle's models: pure numerics, no threads, and no unsafe code but the
//! call of the neuron update compiled for a vector unit the CPU has.
//!
//! - [`iaf_psc_alpha`]: NEST's leaky integrate-and-fire neuron with alpha
//!   shaped synaptic currents, integrated exactly as NEST does;
//! - [`poisson`]: the Poisson input a `poisson_generator` gives each target;
//! - [`ring`]: the per-shard input ring buffers the neurons read;
//! - [`devices`]: parameters of the stimulation and recording devices.
#![deny(unsafe_code)]

pub mod devices;
pub mod iaf_psc_alpha;
pub mod poisson;
pub mod ring;

pub use iaf_psc_alpha::{IafPscAlphaParams, IafPscAlphaPopulation, Isa, ParamError, Propagators};
pub use poisson::{PoissonDrive, PoissonInput, PoissonSampler};
pub use ring::InputRing;

/// Receives what a population produces during an update.
pub trait UpdateSink {
    /// Neuron `local` (index within the shard) spiked at `lag` of the slice.
    fn spike(&mut self, local: u32, lag: u32);
    /// A multimeter sample of probe `probe` for step `step`
    /// (recorded at the end of the step, time `(step + 1) * h`).
    fn sample(&mut self, probe: u32, step: u64, v_m: f64, i_syn_ex: f64, i_syn_in: f64);
}
