//! The network: what to simulate, described through a NEST-like API, and
//! how its synapses are stored.
//!
//! [`Network`] records nodes (`create_*`), synapse models
//! ([`Network::copy_model`]) and connections ([`Network::connect`]); it
//! validates everything at the call, as NEST does. No synapse exists until
//! the engine builds shards: each shard then calls
//! [`storage::ShardSynapses::build`] on its own thread for the neurons it
//! owns, so construction is parallel and each shard's memory is first
//! touched by the thread that will use it.
#![forbid(unsafe_code)]

pub mod archive;
mod estimate;
mod network;
mod nodes;
mod partition;
pub mod plasticity;
pub mod rules;
pub mod storage;
mod synapse;

pub use estimate::{
    MemoryEstimate, PROCESS_BYTES, SHARD_THREAD_BYTES, estimate_bytes, estimate_memory,
};
pub use network::{DeviceConnection, Network, NetworkError, Projection};
pub use nodes::{NodeCollection, NodeKind};
pub use partition::{Partition, ShardRange};
pub use plasticity::{StdpRule, SynapseKind};
pub use rules::{Conn, ConnRule, Symmetric, Totals, for_each_connection};
pub use synapse::{ReceptorType, SynSpec, SynapseModel};
