//! Spindle: a multithreaded spiking-network simulation engine with NEST's
//! semantics and results that do not change with the thread count.
//!
//! This facade re-exports the workspace's crates:
//! - [`core`]: time grid, ids, units, random streams, spike digests;
//! - [`models`]: `iaf_psc_alpha`, Poisson input, device parameters;
//! - [`network`]: the NEST-like `Network` API and synapse storage;
//! - [`engine`]: shards, the slice loop, recording, phase timers;
//! - [`brunel`]: the seed scenario, `brunel_alpha_nest.py`;
//! - [`microcircuit`]: the PD14 cortical microcircuit, NEST's example;
//! - [`hpc_benchmark`]: NEST's `hpc_benchmark.py`, with STDP;
//! - [`brette2007`]: NEST's Brette et al. (2007) benchmarks.
// Unsafe only where MPI's communicator crosses threads (`mpi`).
#![deny(unsafe_code)]

pub mod args;
#[cfg(feature = "mpi")]
pub mod mpi;

pub use spindle_brette2007 as brette2007;
pub use spindle_brunel as brunel;
pub use spindle_core as core;
pub use spindle_engine as engine;
pub use spindle_hpc_benchmark as hpc_benchmark;
pub use spindle_microcircuit as microcircuit;
pub use spindle_models as models;
pub use spindle_network as network;
