//! Phase timers, named as NEST's kernel status names them, and per-slice
//! histograms of the phases that load balance depends on.
//!
//! The slice loop reads the wall clock once per phase per slice (never per
//! step; about 30 ns a reading). The thread's CPU clock is a system call
//! (about 0.8 us on a VM, and a network with a minimum delay of one step
//! has 10,000 slices per model second), so the loop reads it at most once
//! a millisecond and splits the CPU time in between over the phases by
//! their wall times ([`Laps`]).

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

impl PhaseTimers {
    /// The timer of `phase`.
    fn of_mut(&mut self, phase: Phase) -> &mut PhaseTime {
        match phase {
            Phase::Deliver => &mut self.time_deliver_spike_data,
            Phase::Update => &mut self.time_update,
            Phase::Gather => &mut self.time_gather_spike_data,
            Phase::Sync => &mut self.time_omp_synchronization_simulation,
            Phase::MpiSync => &mut self.time_mpi_synchronization,
            Phase::Communicate => &mut self.time_communicate_spike_data,
        }
    }
}

impl ShardTimes {
    /// Add `t` to `phase` (and its histogram, if it has one).
    pub(crate) fn charge(&mut self, phase: Phase, t: PhaseTime) {
        *self.timers.of_mut(phase) += t;
        let h = &mut self.histograms;
        let histogram = match phase {
            Phase::Deliver => Some(&mut h.deliver),
            Phase::Update => Some(&mut h.update),
            Phase::Sync => Some(&mut h.sync),
            Phase::Gather | Phase::MpiSync | Phase::Communicate => None,
        };
        if let Some(histogram) = histogram {
            histogram.record(t.wall);
        }
    }

    /// Add CPU time `cpu` to `phase` (no histogram: they hold wall times).
    fn add_cpu(&mut self, phase: Phase, cpu: Duration) {
        self.timers.of_mut(phase).cpu += cpu;
    }
}

/// The slice loop's phases, in the order [`Laps`] keeps their wall times.
const LOOP_PHASES: [Phase; 4] = [Phase::Deliver, Phase::Update, Phase::Gather, Phase::Sync];

/// How often the slice loop reads the thread's CPU clock, at most.
const CPU_READ_EVERY: Duration = Duration::from_millis(1);

/// The slice loop's stopwatch: each [`lap`](Self::lap) is the wall time
/// since the last, [`charge`](Self::charge)d to a phase at once. The
/// thread's CPU time is read by [`settle`](Self::settle), at most once per
/// [`CPU_READ_EVERY`] of wall time, and what was used since the last
/// reading is split over the phases charged since by their wall times.
/// The CPU time in all is measured; its split over the phases is the
/// estimate (a phase that waits without spinning gets a little more than
/// it used).
pub(crate) struct Laps {
    /// The last reading of both clocks.
    read: Stamp,
    last: Instant,
    /// Wall time charged to each of [`LOOP_PHASES`] since `read`.
    pending: [Duration; LOOP_PHASES.len()],
}

impl Laps {
    pub(crate) fn start() -> Self {
        let read = Stamp::now();
        Self {
            read,
            last: read.wall,
            pending: [Duration::ZERO; LOOP_PHASES.len()],
        }
    }

    /// Wall time since the start or the previous lap.
    pub(crate) fn lap(&mut self) -> Duration {
        let now = Instant::now();
        let t = now.duration_since(self.last);
        self.last = now;
        t
    }

    /// Charge wall time `wall` to `phase` (one of the loop's); its CPU
    /// time comes with the next [`settle`](Self::settle).
    pub(crate) fn charge(&mut self, times: &mut ShardTimes, phase: Phase, wall: Duration) {
        let at = LOOP_PHASES
            .iter()
            .position(|&p| p == phase)
            .expect("a phase of the slice loop");
        self.pending[at] += wall;
        times.charge(
            phase,
            PhaseTime {
                wall,
                cpu: Duration::ZERO,
            },
        );
    }

    /// Where the last CPU reading is [`CPU_READ_EVERY`] old (by the last
    /// lap), or `now`: read the CPU clock and give the CPU time since the
    /// last reading to the phases charged since, by their wall times.
    pub(crate) fn settle(&mut self, times: &mut ShardTimes, now: bool) {
        if !now && self.last.duration_since(self.read.wall) < CPU_READ_EVERY {
            return;
        }
        let read = Stamp::now();
        let span = self.read.until(&read);
        let total = span.wall.as_nanos().max(1);
        for (phase, wall) in LOOP_PHASES.iter().zip(&mut self.pending) {
            times.add_cpu(*phase, cpu_share(span.cpu, wall.as_nanos(), total));
            *wall = Duration::ZERO;
        }
        self.read = read;
        self.last = read.wall;
    }
}

/// `cpu * part / total` (`part <= total`, `total > 0`), in whole nanoseconds.
fn cpu_share(cpu: Duration, part: u128, total: u128) -> Duration {
    let ns = cpu.as_nanos() * part.min(total) / total;
    Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slice_cpu_time_is_split_by_wall_time() {
        let cpu = Duration::from_micros(900);
        assert_eq!(cpu_share(cpu, 1, 3), Duration::from_micros(300));
        assert_eq!(cpu_share(cpu, 3, 3), cpu);
        // A lap longer than the slice (clock granularity) gets all of it.
        assert_eq!(cpu_share(cpu, 5, 3), cpu);
        assert_eq!(cpu_share(cpu, 0, 3), Duration::ZERO);
    }

    #[test]
    fn laps_give_out_the_cpu_time_by_wall_time_when_settled() {
        let spin = |n: u64| {
            let mut x = 0u64;
            for i in 0..n {
                x = x.wrapping_mul(31).wrapping_add(std::hint::black_box(i));
            }
            std::hint::black_box(x);
        };
        let mut times = ShardTimes::default();
        let mut laps = Laps::start();
        let before = laps.read;
        spin(200_000);
        let a = laps.lap();
        laps.charge(&mut times, Phase::Update, a);
        spin(100_000);
        let b = laps.lap();
        laps.charge(&mut times, Phase::Deliver, b);
        let t = times.timers;
        assert_eq!((t.time_update.wall, t.time_deliver_spike_data.wall), (a, b));
        assert_eq!(
            t.time_update.cpu,
            Duration::ZERO,
            "no CPU time before settling"
        );
        laps.settle(&mut times, true);
        let span = before.until(&laps.read);
        let t = times.timers;
        assert!(t.time_update.cpu + t.time_deliver_spike_data.cpu <= span.cpu);
        assert_eq!(
            t.time_update.cpu,
            cpu_share(span.cpu, a.as_nanos(), span.wall.as_nanos())
        );
        assert_eq!(laps.pending, [Duration::ZERO; 4]);
        // Not due again at once.
        let read = laps.read.wall;
        laps.settle(&mut times, false);
        assert_eq!(laps.read.wall, read);
    }
}
