//! Phase timers, named as NEST's kernel status names them, and per-slice
//! histograms of the phases that load balance depends on.
//!
//! Timers are read once per phase per slice (never per step): a wall clock
//! and the thread's CPU clock, a few tens of nanoseconds per reading, about
//! 700 slices per model second in the seed network.

use std::time::{Duration, Instant};

use cpu_time::ThreadTime;
use hdrhistogram::Histogram;

/// Wall and CPU time spent in one phase.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PhaseTime {
    /// Wall-clock time.
    pub wall: Duration,
    /// CPU time of the thread(s) (NEST's `_cpu` twins).
    pub cpu: Duration,
}

impl std::ops::AddAssign for PhaseTime {
    fn add_assign(&mut self, other: Self) {
        self.wall += other.wall;
        self.cpu += other.cpu;
    }
}

/// Time one shard (or all, summed) spent in each phase of the loop.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PhaseTimers {
    /// `time_update`: neuron updates, Poisson input included.
    pub time_update: PhaseTime,
    /// `time_deliver_spike_data`: writing received spikes into the input
    /// ring (and injecting spike-generator events).
    pub time_deliver_spike_data: PhaseTime,
    /// `time_gather_spike_data`: publishing this shard's spikes and waiting
    /// for everyone else's (the exchange, synchronisation included).
    pub time_gather_spike_data: PhaseTime,
    /// `time_omp_synchronization_simulation`: the waiting part of the
    /// exchange, at the slice barrier.
    pub time_omp_synchronization_simulation: PhaseTime,
    /// `time_mpi_synchronization`: with MPI ranks, the exchange of each
    /// rank's spike count, where a rank waits for the slowest (the first
    /// thread of each rank only).
    pub time_mpi_synchronization: PhaseTime,
    /// `time_communicate_spike_data`: with MPI ranks, the collective that
    /// carries the spikes (the first thread of each rank only).
    pub time_communicate_spike_data: PhaseTime,
}

impl PhaseTimers {
    /// Add another shard's timers.
    pub fn add(&mut self, other: &PhaseTimers) {
        self.time_update += other.time_update;
        self.time_deliver_spike_data += other.time_deliver_spike_data;
        self.time_gather_spike_data += other.time_gather_spike_data;
        self.time_omp_synchronization_simulation += other.time_omp_synchronization_simulation;
        self.time_mpi_synchronization += other.time_mpi_synchronization;
        self.time_communicate_spike_data += other.time_communicate_spike_data;
    }

    /// The phases by NEST name.
    pub fn phases(&self) -> [(&'static str, PhaseTime); 6] {
        [
            ("time_update", self.time_update),
            ("time_deliver_spike_data", self.time_deliver_spike_data),
            ("time_gather_spike_data", self.time_gather_spike_data),
            (
                "time_omp_synchronization_simulation",
                self.time_omp_synchronization_simulation,
            ),
            ("time_mpi_synchronization", self.time_mpi_synchronization),
            (
                "time_communicate_spike_data",
                self.time_communicate_spike_data,
            ),
        ]
    }
}

/// The phases a shard's slice loop charges time to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// `time_deliver_spike_data`, with a per-slice histogram.
    Deliver,
    /// `time_update`, with a per-slice histogram.
    Update,
    /// `time_gather_spike_data`: publishing and the barrier(s).
    Gather,
    /// `time_omp_synchronization_simulation`: the barrier(s), with a
    /// per-slice histogram.
    Sync,
    /// `time_mpi_synchronization`.
    MpiSync,
    /// `time_communicate_spike_data`.
    Communicate,
}

/// One shard's phase timers and per-slice histograms.
#[derive(Debug, Clone, Default)]
pub(crate) struct ShardTimes {
    pub timers: PhaseTimers,
    pub histograms: SliceHistograms,
}

impl ShardTimes {
    /// Add `t` to `phase` (and its histogram, if it has one).
    pub(crate) fn charge(&mut self, phase: Phase, t: PhaseTime) {
        let (timers, h) = (&mut self.timers, &mut self.histograms);
        let (timer, histogram) = match phase {
            Phase::Deliver => (&mut timers.time_deliver_spike_data, Some(&mut h.deliver)),
            Phase::Update => (&mut timers.time_update, Some(&mut h.update)),
            Phase::Gather => (&mut timers.time_gather_spike_data, None),
            Phase::Sync => (
                &mut timers.time_omp_synchronization_simulation,
                Some(&mut h.sync),
            ),
            Phase::MpiSync => (&mut timers.time_mpi_synchronization, None),
            Phase::Communicate => (&mut timers.time_communicate_spike_data, None),
        };
        *timer += t;
        if let Some(histogram) = histogram {
            histogram.record(t.wall);
        }
    }
}

/// The slice loop's stopwatch: each `lap` is the time since the last.
pub(crate) struct Laps(Stamp);

impl Laps {
    pub(crate) fn start() -> Self {
        Self(Stamp::now())
    }

    /// Time since the start or the previous lap.
    pub(crate) fn lap(&mut self) -> PhaseTime {
        let now = Stamp::now();
        let t = self.0.until(&now);
        self.0 = now;
        t
    }
}

/// A reading of the wall clock and the calling thread's CPU clock.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamp {
    wall: Instant,
    cpu: ThreadTime,
}

impl Stamp {
    pub(crate) fn now() -> Self {
        Self {
            wall: Instant::now(),
            cpu: ThreadTime::now(),
        }
    }

    /// Time from `self` to `later`.
    pub(crate) fn until(&self, later: &Stamp) -> PhaseTime {
        PhaseTime {
            wall: later.wall.duration_since(self.wall),
            cpu: later
                .cpu
                .as_duration()
                .saturating_sub(self.cpu.as_duration()),
        }
    }
}

/// Distribution of a phase's wall time over slices [ns].
#[derive(Debug, Clone)]
pub struct SliceHistogram(Histogram<u64>);

impl Default for SliceHistogram {
    fn default() -> Self {
        // 1 ns .. 1 hour, 3 significant digits.
        Self(Histogram::new_with_bounds(1, 3_600_000_000_000, 3).expect("valid bounds"))
    }
}

/// Percentiles of a phase's time per slice [s].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Maximum.
    pub max: f64,
}

impl SliceHistogram {
    pub(crate) fn record(&mut self, d: Duration) {
        self.0.saturating_record(d.as_nanos().max(1) as u64);
    }

    /// Merge another histogram into this one.
    pub fn add(&mut self, other: &SliceHistogram) {
        self.0.add(&other.0).expect("same bounds");
    }

    /// Slices recorded.
    pub fn len(&self) -> u64 {
        self.0.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// p50, p90, p99 and max, in seconds.
    pub fn percentiles(&self) -> Percentiles {
        let q = |q: f64| self.0.value_at_quantile(q) as f64 * 1e-9;
        Percentiles {
            p50: q(0.5),
            p90: q(0.9),
            p99: q(0.99),
            max: self.0.max() as f64 * 1e-9,
        }
    }
}

/// Per-slice histograms of one shard.
#[derive(Debug, Clone, Default)]
pub struct SliceHistograms {
    /// Update time per slice.
    pub update: SliceHistogram,
    /// Delivery time per slice.
    pub deliver: SliceHistogram,
    /// Barrier wait per slice.
    pub sync: SliceHistogram,
}
