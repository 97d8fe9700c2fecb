//! The slice loop each shard runs, phase by phase.
//!
//! The schedule of slice k, covering steps [o_k, o_k + M):
//!
//! - **D(k-1) deliver**: write the spikes every shard emitted in slice
//!   k-1 into this shard's input ring, then inject spike-generator events
//!   of slice k;
//! - **U(k) update**: advance this shard's neurons through slice k;
//! - **P(k) publish**: hand this shard's slice-k spikes to the exchange
//!   (the leader also says whether to stop after slice k); the first
//!   shard done digests slice k-1's spikes;
//! - **B(k) sync**: after the barrier every shard's slice-k spikes are
//!   readable, and so is the leader's stop answer, which all obey;
//! - **X(k) trade**, with MPI ranks only, inside the sync: the rank's
//!   first thread sends its shards' spikes and stop flag to every rank and
//!   receives theirs, then the rank's threads meet at a second barrier.
//!
//! D(k-1) precedes U(k): a spike from the last step of slice k-1 with the
//! shortest delay M is felt in the first step of slice k. B(k) precedes
//! D(k), so D(k) sees every shard's spikes. Every shard finishes D(k-1)
//! before it enters B(k), so nobody overwrites slice k-1's spikes in
//! P(k+1) while they are still read (`exchange::Port` keeps the parities).
//! The spikes of the last slice are delivered before returning, so a later
//! `simulate` call starts with nothing in flight.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use spindle_core::{SpikeDigest, Step};

use crate::EngineError;
use crate::exchange::{Port, for_each_in_order};
use crate::shard::Shard;
use crate::timers::{Laps, Phase};

/// What every shard's loop of one `simulate` call shares.
pub(super) struct Run<'a> {
    /// First step of the call.
    pub t0: Step,
    /// Step to stop at.
    pub end: Step,
    /// Slice length in steps.
    pub min_delay: Step,
    /// Stop at the next slice boundary once set (Ctrl-C).
    pub interrupt: Option<&'a AtomicBool>,
    /// The spike digest, fed slice by slice in slice order.
    pub digest: &'a Mutex<SpikeDigest>,
    /// Slices of this call digested so far.
    pub digested: &'a AtomicU64,
    /// Print NEST's progress line.
    pub progress: bool,
    /// Resolution [ms].
    pub h: f64,
    /// Wall-clock start of the call.
    pub start: Instant,
}

/// State only the leader (the rank's first shard) touches: the slice count
/// and the progress line.
pub(super) struct Leader<'a> {
    pub slices: &'a mut u64,
    pub progress_at: Instant,
    /// Writing the progress line failed (stderr closed): stop the run.
    pub stderr_closed: &'a mut bool,
}

/// One shard's loop over the slices of a `simulate` call.
pub(super) struct SliceLoop<'r, 'a> {
    run: &'r Run<'a>,
    shard: &'a mut Shard,
    port: Port<'a>,
    leader: Option<Leader<'a>>,
    /// First step of the slice being computed.
    origin: Step,
    /// First step of the last slice synced, whose spikes are in flight.
    last: Option<Step>,
    /// Slices synced by this loop; slice `n - 1` is `last`.
    n: u64,
    /// Every shard stops after the slice in flight.
    stopping: bool,
}

impl<'r, 'a> SliceLoop<'r, 'a> {
    pub(super) fn new(
        run: &'r Run<'a>,
        shard: &'a mut Shard,
        port: Port<'a>,
        leader: Option<Leader<'a>>,
    ) -> Self {
        Self {
            run,
            shard,
            port,
            leader,
            origin: run.t0,
            last: None,
            n: 0,
            stopping: false,
        }
    }

    /// Run slices until the end or a stop; returns the step reached (the
    /// same on every shard).
    pub(super) fn run(mut self) -> Result<Step, EngineError> {
        let mut laps = Laps::start();
        loop {
            self.deliver();
            if self.origin >= self.run.end || self.stopping {
                self.digest_last();
                let deliver = laps.lap();
                laps.charge(&mut self.shard.times, Phase::Deliver, deliver);
                laps.settle(&mut self.shard.times, true);
                return Ok(self.origin);
            }
            let len = self.slice_len();
            if self.shard.plastic_due(self.origin) {
                self.shard.deliver_plastic();
            }
            self.shard.inject(self.origin + len);
            let deliver = laps.lap();
            laps.charge(&mut self.shard.times, Phase::Deliver, deliver);

            self.shard.update(self.origin, len as u32);
            let update = laps.lap();
            laps.charge(&mut self.shard.times, Phase::Update, update);

            self.publish();
            let publish = laps.lap();
            self.sync()?;
            let sync = laps.lap();
            laps.charge(&mut self.shard.times, Phase::Sync, sync);
            laps.charge(&mut self.shard.times, Phase::Gather, publish + sync);
            laps.settle(&mut self.shard.times, false);

            self.advance(len);
        }
    }

    /// The length of the slice starting at `origin`: `min_delay`, or what
    /// is left of the run; with plastic synapses, up to the next multiple
    /// of `min_delay` (NEST's grid of slices, by which they are delivered).
    fn slice_len(&self) -> Step {
        let md = self.run.min_delay.max(1);
        let left = self.run.end - self.origin;
        if !self.shard.plastic {
            left.min(md)
        } else {
            left.min(md - self.origin % md)
        }
    }

    /// D(k-1): the spikes of the slice in flight into this shard's ring.
    fn deliver(&mut self) {
        if let Some(origin) = self.last {
            self.shard.deliver(origin, &self.port.received());
        }
    }

    /// P(k): this slice's spikes to the exchange, the leader's stop
    /// request, and the digest of the slice before.
    fn publish(&mut self) {
        self.port.publish(&mut self.shard.out);
        if let Some(l) = &self.leader {
            let interrupted = self
                .run
                .interrupt
                .is_some_and(|f| f.load(Ordering::Relaxed));
            self.port.request_stop(*l.stderr_closed || interrupted);
        }
        // Slice k - 1's spikes stay readable until B(k).
        self.digest_last();
    }

    /// B(k), and X(k) with ranks.
    fn sync(&mut self) -> Result<(), EngineError> {
        let synced = self.port.sync().ok_or(EngineError::Aborted)?;
        // Zero but on a trading leader.
        self.shard.times.charge(Phase::MpiSync, synced.mpi_sync);
        self.shard
            .times
            .charge(Phase::Communicate, synced.communicate);
        self.stopping = synced.stop;
        Ok(())
    }

    /// The slice is done: the next one starts, and the leader counts it and
    /// shows progress.
    fn advance(&mut self, len: Step) {
        self.last = Some(self.origin);
        self.n += 1;
        self.origin += len;
        let run = self.run;
        let (origin, stopping) = (self.origin, self.stopping);
        if let Some(l) = self.leader.as_mut() {
            *l.slices += 1;
            if run.progress
                && (l.progress_at.elapsed() >= Duration::from_millis(200)
                    || origin == run.end
                    || stopping)
            {
                l.progress_at = Instant::now();
                let wall = run.start.elapsed();
                if print_progress(origin - run.t0, run.end - run.t0, run.h, wall).is_err() {
                    *l.stderr_closed = true;
                }
            }
        }
    }

    /// Digest the slice in flight if no other shard has taken it: the
    /// first shard done with the slice after does it, so that no shard
    /// waits for one that digests at every barrier.
    fn digest_last(&self) {
        let Some(origin) = self.last else {
            return;
        };
        let n = self.n;
        if self
            .run
            .digested
            .compare_exchange(n - 1, n, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            let mut d = self.run.digest.lock().unwrap_or_else(|e| e.into_inner());
            // A spike is digested by its emission step.
            for_each_in_order(&self.port.received(), |sp| {
                d.push(origin + sp.lag as Step, sp.id as u64)
            });
        }
    }
}

/// NEST's `print_time` line, rewritten in place.
pub(super) fn print_progress(
    done: Step,
    total: Step,
    h: f64,
    wall: Duration,
) -> std::io::Result<()> {
    let model_ms = done as f64 * h;
    let rtf = if model_ms > 0.0 {
        wall.as_secs_f64() * 1000.0 / model_ms
    } else {
        0.0
    };
    let mut err = std::io::stderr().lock();
    write!(
        err,
        "\r[ {:>3}% ] Model time: {:.1} ms, Real-time factor: {:.4}",
        done * 100 / total.max(1),
        model_ms,
        rtf
    )?;
    err.flush()
}
