//! Spindle's simulation kernel.
//!
//! [`Simulation::build`] splits a [`spindle_network::Network`] into shards,
//! one per thread, each built on its own thread; [`Simulation::simulate`]
//! runs the slice loop (deliver, update, publish, sync; see
//! `simulation/schedule.rs`) with one barrier per slice. This is the only
//! crate that uses threads, and its only unsafe code is the spike exchange
//! (`exchange.rs`, behind its `Port`).

mod exchange;
pub mod ranks;
mod recording;
mod shard;
mod simulation;
mod threads;
mod timers;

pub use ranks::Ranks;
pub use recording::{
    FileNames, MultimeterEvents, SpikeEvents, WeightEvents, dat_path, write_dat, write_meter_dat,
};
pub use simulation::{Connection, ConnectionFilter, RunStats, Simulation};
pub use timers::{Percentiles, PhaseTime, PhaseTimers, SliceHistogram, SliceHistograms};

use spindle_core::TimeError;
pub use spindle_models::Isa;
use spindle_network::NetworkError;
use thiserror::Error;

/// How to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Shards, one thread each.
    pub threads: usize,
    /// Pin shard threads to cores (round robin).
    pub pin: bool,
    /// Print NEST's `print_time` progress line on stderr.
    pub progress: bool,
    /// Refuse to build a network whose estimated memory exceeds what the
    /// machine has available.
    pub check_memory: bool,
    /// The vector unit every hot loop runs on (chosen once per run).
    pub isa: Isa,
}

impl Config {
    /// `threads` shards, no pinning, no progress, memory checked, the
    /// vector unit [`Isa::detect`] picks (`SPINDLE_ISA` or the widest).
    pub fn threads(threads: usize) -> Self {
        Self {
            threads,
            pin: false,
            progress: false,
            check_memory: true,
            isa: Isa::detect(),
        }
    }
}

/// Why a simulation could not be built or run.
#[derive(Debug, Error)]
pub enum EngineError {
    /// The network description is invalid.
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// A time that does not fit the grid.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// A configuration error.
    #[error("{0}")]
    Config(String),
    /// Writing a file failed.
    #[error("cannot write {0}: {1}")]
    Io(String, String),
    /// A shard thread panicked (a bug).
    #[error("internal error: shard {0} panicked: {1}")]
    Panicked(usize, String),
    /// `simulate` stopped early at a slice boundary because the flag given
    /// to `interrupt_on` was set; the state is whole at `time_ms`.
    #[error("interrupted at {time_ms} ms of model time")]
    Interrupted {
        /// Model time reached [ms].
        time_ms: f64,
    },
    /// The progress line could not be written (stderr was closed), so the
    /// run stopped at a slice boundary, as after an interrupt.
    #[error("stderr was closed")]
    StderrClosed,
    /// The run was abandoned because a shard failed.
    #[error("the run was abandoned because a shard failed")]
    Aborted,
}
