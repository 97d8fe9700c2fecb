//! Spindle's foundations: the time grid, node ids, units and the derivation
//! of random streams. Everything else in the workspace builds on these.
//!
//! # Units
//! Spindle uses NEST's units throughout and converts nowhere else:
//! time in ms, membrane potential in mV, capacitance in pF, current and
//! synaptic weight in pA, rates in Hz (spikes per second). Time on the
//! simulation grid is counted in integer steps ([`Step`]) so that ms and
//! steps are never mixed by accident, the bug NEST's `Time` class exists to
//! prevent.
#![deny(unsafe_code)]

pub mod cache;
pub mod digest;
pub mod param;
pub mod rng;
pub mod time;

pub use digest::SpikeDigest;
pub use time::{Resolution, Step, TimeError};

/// Global node id, NEST style: 1-based, in creation order over neurons and
/// devices alike.
pub type NodeId = u32;
