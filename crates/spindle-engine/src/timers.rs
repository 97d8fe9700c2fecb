//! Phase timers, named as NEST's kernel status names them.

use std::time::Duration;

/// Wall time one shard spent in each phase of the simulation loop,
/// accumulated once per slice (never per step).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PhaseTimers {
    /// `time_update`: neuron updates, Poisson input included.
    pub time_update: Duration,
    /// `time_deliver_spike_data`: writing received spikes into the input
    /// ring (and injecting spike-generator events).
    pub time_deliver_spike_data: Duration,
    /// `time_gather_spike_data`: publishing this shard's spikes and waiting
    /// for everyone else's (the exchange, synchronisation included).
    pub time_gather_spike_data: Duration,
    /// `time_omp_synchronization_simulation`: the waiting part of the
    /// exchange, at the slice barrier.
    pub time_omp_synchronization_simulation: Duration,
}

impl PhaseTimers {
    /// Add another shard's or run's timers.
    pub fn add(&mut self, other: &PhaseTimers) {
        self.time_update += other.time_update;
        self.time_deliver_spike_data += other.time_deliver_spike_data;
        self.time_gather_spike_data += other.time_gather_spike_data;
        self.time_omp_synchronization_simulation += other.time_omp_synchronization_simulation;
    }
}
