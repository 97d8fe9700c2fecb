//! The spike exchange between shards (and, with MPI, between ranks): the
//! engine's only unsafe code.
//!
//! Every shard publishes the spikes it emitted in a slice into its own slot,
//! then all shards meet at one barrier, then every shard reads every slot.
//! Slots are double-buffered by slice parity, so the one barrier per slice
//! is the only synchronisation: no mutex, no condition variable. With MPI
//! ranks, the rank's first thread trades the slice's spikes with the other
//! ranks after the barrier, and the rank's threads meet at a second one.
//!
//! Shards reach the slots only through a [`Port`], which keeps the parity
//! bookkeeping: `publish` this slice's spikes, `sync`, read `received`.
//! The borrow checker then enforces the protocol's one rule that the types
//! can see (no list read in one slice is held across the next `sync`); the
//! rest, one port per shard and every shard calling `sync` once per slice,
//! is how `Simulation` drives the ports.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crossbeam_utils::{Backoff, CachePadded};
use spindle_core::NodeId;

use crate::ranks::Ranks;
use crate::timers::{PhaseTime, Stamp};

/// One spike on the wire: the sender and the step within the slice
/// (NEST's `lag`). Kept at 8 bytes, like NEST's `SpikeData`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(C)]
pub struct Spike {
    /// Step within the slice.
    pub lag: u32,
    /// Sender node id.
    pub id: NodeId,
}

const _: () = assert!(size_of::<Spike>() == 8);

/// Visit the spikes of one slice from every shard's list (each sorted by
/// (lag, id)) in global (lag, id) order. Shards own ascending id ranges, so
/// taking each lag from the shards in shard order is enough. This order
/// does not depend on the number of shards, which makes every sum the
/// delivery forms, and so every spike, independent of it.
#[inline]
pub(crate) fn for_each_in_order(lists: &[&[Spike]], mut f: impl FnMut(&Spike)) {
    let mut cursors = [0usize; 64];
    let mut cursors_heap;
    let cursors: &mut [usize] = if lists.len() <= 64 {
        &mut cursors[..lists.len()]
    } else {
        cursors_heap = vec![0usize; lists.len()];
        &mut cursors_heap
    };
    let mut lag = lists.iter().filter_map(|l| l.first()).map(|s| s.lag).min();
    while let Some(current) = lag {
        let mut next: Option<u32> = None;
        for (list, cursor) in lists.iter().zip(cursors.iter_mut()) {
            while let Some(sp) = list.get(*cursor).filter(|sp| sp.lag == current) {
                f(sp);
                *cursor += 1;
            }
            if let Some(sp) = list.get(*cursor) {
                next = Some(next.map_or(sp.lag, |n: u32| n.min(sp.lag)));
            }
        }
        lag = next;
    }
}

/// Per-shard, double-buffered spike slots and the barrier that orders them.
///
/// # Contract
/// Slice `k` uses parity `k % 2`. During slice `k` shard `s` publishes into
/// its slot of parity `k % 2` once, then enters the barrier (with ranks:
/// both barriers); after that and until it enters the barrier of slice
/// `k + 1`, any shard may read the slots (and the remote lists) of parity
/// `k % 2`. Shards never publish into another shard's slot. [`Port`]
/// keeps this contract for one shard.
pub(crate) struct SpikeExchange {
    slots: Vec<CachePadded<[UnsafeCell<Vec<Spike>>; 2]>>,
    /// Per parity: shard 0 asks every shard to stop after this slice. Set
    /// before the barrier and read after it, like the slots, so all shards
    /// see the same answer for the same slice.
    stop: [AtomicBool; 2],
    /// Per parity, with MPI ranks: the spikes of every shard of the other
    /// ranks, by global shard index (empty for this rank's own). Written
    /// by the rank's first thread between the slice barrier and a second
    /// one, read by all after that, like the slots.
    remote: [UnsafeCell<Vec<Vec<Spike>>>; 2],
    barrier: SpinBarrier,
}

// SAFETY: the slots and remote lists are only reached through `Port`,
// which gives each slot a single writer (its shard) and the remote lists a
// single writer (the rank's first thread), and separates every write from
// every read of the same parity by a barrier, which is a release/acquire
// pair between all shards.
unsafe impl Sync for SpikeExchange {}

impl SpikeExchange {
    pub(crate) fn new(shards: usize) -> Self {
        Self {
            slots: (0..shards)
                .map(|_| {
                    CachePadded::new([UnsafeCell::new(Vec::new()), UnsafeCell::new(Vec::new())])
                })
                .collect(),
            stop: [AtomicBool::new(false), AtomicBool::new(false)],
            remote: [UnsafeCell::new(Vec::new()), UnsafeCell::new(Vec::new())],
            barrier: SpinBarrier::new(shards),
        }
    }

    /// One port per local shard, shard 0's the leader (it asks to stop and,
    /// with `ranks`, trades with the other ranks). This rank's shards are
    /// global shards `first_shard..` of `total_shards`. Taking `&mut self`
    /// makes the ports the only way to the slots while they live; the
    /// [`Abort`] handle releases them from a failing shard.
    pub(crate) fn ports<'a>(
        &'a mut self,
        ranks: Option<&'a dyn Ranks>,
        first_shard: usize,
        total_shards: usize,
    ) -> (Vec<Port<'a>>, Abort<'a>) {
        let exchange: &'a Self = self;
        let ports = (0..exchange.slots.len())
            .map(|shard| Port {
                exchange,
                shard,
                ranks,
                first_shard,
                total_shards,
                parity: 0,
                received: None,
            })
            .collect();
        (ports, Abort(exchange))
    }

    /// Wait for every shard; `None` if another shard failed and the run is
    /// being abandoned.
    fn sync(&self) -> Option<()> {
        self.barrier.wait()
    }

    /// Release every shard waiting or about to wait; used when one fails.
    fn abort(&self) {
        self.barrier.poison();
    }
}

/// Releases every shard from the barrier, from a shard that failed.
#[derive(Clone, Copy)]
pub(crate) struct Abort<'a>(&'a SpikeExchange);

impl Abort<'_> {
    /// Poison the barrier: every shard waiting or about to wait returns.
    pub(crate) fn abort(&self) {
        self.0.abort();
    }
}

/// What a slice's `sync` brought besides the spikes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Synced {
    /// Every shard stops after this slice (the leader's, or with ranks
    /// any rank's, request).
    pub stop: bool,
    /// With ranks, on the leader: the count exchange, where ranks wait
    /// for each other (`time_mpi_synchronization`).
    pub mpi_sync: PhaseTime,
    /// With ranks, on the leader: the spike collective
    /// (`time_communicate_spike_data`).
    pub communicate: PhaseTime,
}

/// One shard's access to the exchange, with the parity bookkeeping.
pub(crate) struct Port<'a> {
    exchange: &'a SpikeExchange,
    /// Local shard index.
    shard: usize,
    ranks: Option<&'a dyn Ranks>,
    first_shard: usize,
    total_shards: usize,
    /// Parity of the slice being computed.
    parity: usize,
    /// Parity of the last slice synced, whose spikes are readable.
    received: Option<usize>,
}

impl<'a> Port<'a> {
    /// Whether this is the rank's first shard, which decides when to stop
    /// and trades with the other ranks.
    pub(crate) fn is_leader(&self) -> bool {
        self.shard == 0
    }

    /// Swap this slice's `spikes` (sorted by (lag, id)) into the shard's
    /// slot; `spikes` comes back holding the slot's previous, consumed
    /// contents, cleared. Once per slice, before `sync`.
    pub(crate) fn publish(&mut self, spikes: &mut Vec<Spike>) {
        // SAFETY: this port is the slot's only writer, and it writes the
        // parity of the slice being computed; that parity's readers (two
        // slices ago) finished before the last barrier, which this shard
        // passed, and the next readers start after the next one.
        let slot = unsafe { &mut *self.exchange.slots[self.shard][self.parity].get() };
        std::mem::swap(slot, spikes);
        spikes.clear();
    }

    /// The leader, before `sync`: whether every shard should stop after
    /// this slice (ignored on other shards).
    pub(crate) fn request_stop(&self, stop: bool) {
        if self.is_leader() {
            // Relaxed: the barrier orders this store before every read.
            self.exchange.stop[self.parity].store(stop, Ordering::Relaxed);
        }
    }

    /// End the slice: meet every shard at the barrier (with ranks, the
    /// leader then trades with the other ranks and the rank's shards meet
    /// again). Afterwards `received` gives this slice's spikes of every
    /// shard. `None` if another shard failed.
    pub(crate) fn sync(&mut self) -> Option<Synced> {
        let mut synced = Synced::default();
        self.exchange.sync()?;
        if let Some(ranks) = self.ranks {
            if self.is_leader() {
                (synced.mpi_sync, synced.communicate) = self.trade(ranks);
            }
            self.exchange.sync()?;
        }
        synced.stop = self.exchange.stop[self.parity].load(Ordering::Relaxed);
        self.received = Some(self.parity);
        self.parity = 1 - self.parity;
        Some(synced)
    }

    /// Every shard's spikes of the last slice synced, by global shard
    /// (empty before the first `sync`).
    pub(crate) fn received(&self) -> Vec<&[Spike]> {
        let Some(parity) = self.received else {
            return Vec::new();
        };
        let local = self.exchange.slots.len();
        // SAFETY: after the barrier(s) of the slice of `parity` and before
        // this port's next `sync` (which takes `&mut self`, so these
        // borrows end first). The slots and remote lists of `parity` are
        // written again only in the slice after next, after the next
        // barrier, which this shard has not entered.
        let remote: &Vec<Vec<Spike>> = unsafe { &*self.exchange.remote[parity].get() };
        (0..self.total_shards)
            .map(|g| match g.checked_sub(self.first_shard) {
                // SAFETY: as above, for this rank's own shards' slots.
                Some(l) if l < local => unsafe {
                    (*self.exchange.slots[l][parity].get()).as_slice()
                },
                _ => remote.get(g).map_or(&[][..], |v| v.as_slice()),
            })
            .collect()
    }

    /// X(k) on the leader: send this rank's shards' slice spikes and its
    /// stop flag to every rank, receive theirs into the remote lists, and
    /// set the common stop answer (any rank's flag). Returns the time of
    /// the count exchange and of the spike collective.
    fn trade(&self, ranks: &dyn Ranks) -> (PhaseTime, PhaseTime) {
        let (exchange, parity) = (self.exchange, self.parity);
        // One word for the flag, then per local shard its length and spikes.
        let local = exchange.slots.len();
        let mut mine = vec![u64::from(exchange.stop[parity].load(Ordering::Relaxed))];
        for l in 0..local {
            // SAFETY: between the slice barrier and the second one: every
            // local shard published before the first, and none writes
            // this parity again before the next slice's barrier.
            let spikes = unsafe { &*exchange.slots[l][parity].get() };
            mine.push(spikes.len() as u64);
            mine.extend(
                spikes
                    .iter()
                    .map(|sp| (u64::from(sp.lag) << 32) | u64::from(sp.id)),
            );
        }
        let t0 = Stamp::now();
        let counts = ranks.all_gather(mine.len() as u64);
        let t1 = Stamp::now();
        let all = ranks.all_gather_varcount(&mine, &counts);
        let t2 = Stamp::now();
        // SAFETY: only the leader writes the remote lists, and only here,
        // between the slice barrier and the second one: their readers of
        // this parity finished before the slice barrier (two slices ago),
        // the next ones start after the second barrier.
        let remote = unsafe { &mut *exchange.remote[parity].get() };
        remote.resize_with(self.total_shards, Vec::new);
        let mut stop = false;
        let mut at = 0;
        for (r, &count) in counts.iter().enumerate() {
            let end = at + count as usize;
            stop |= all[at] != 0;
            at += 1;
            for l in 0..local {
                let g = r * local + l;
                let n = all[at] as usize;
                at += 1;
                let list = &mut remote[g];
                list.clear();
                if g < self.first_shard || g >= self.first_shard + local {
                    list.extend(all[at..at + n].iter().map(|&w| Spike {
                        lag: (w >> 32) as u32,
                        id: w as u32,
                    }));
                }
                at += n;
            }
            debug_assert_eq!(at, end);
        }
        // Relaxed: the second barrier orders it before every read.
        exchange.stop[parity].store(stop, Ordering::Relaxed);
        (t0.until(&t1), t1.until(&t2))
    }
}

/// A sense-reversing spinning barrier with backoff (spin, then yield), so
/// that more threads than cores still make progress. Where the threads
/// outnumber the cores, a waiter yields at once: its spinning would only
/// hold a core a thread still on its way to the barrier needs.
struct SpinBarrier {
    n: usize,
    count: CachePadded<AtomicUsize>,
    generation: CachePadded<AtomicUsize>,
    poisoned: AtomicBool,
    oversubscribed: bool,
}

impl SpinBarrier {
    fn new(n: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        Self {
            n,
            count: CachePadded::new(AtomicUsize::new(0)),
            generation: CachePadded::new(AtomicUsize::new(0)),
            poisoned: AtomicBool::new(false),
            oversubscribed: n > cores,
        }
    }

    // Out of line, so that the slice loop's code does not change with
    // the barrier's.
    #[inline(never)]
    fn wait(&self) -> Option<()> {
        let generation = self.generation.load(Ordering::Acquire);
        if self.count.fetch_add(1, Ordering::AcqRel) + 1 == self.n {
            // Last to arrive: reset for the next round, then release all.
            self.count.store(0, Ordering::Relaxed);
            self.generation.fetch_add(1, Ordering::Release);
        } else if self.oversubscribed {
            self.yield_until_released(generation)?;
        } else {
            let backoff = Backoff::new();
            while self.generation.load(Ordering::Acquire) == generation {
                if self.poisoned.load(Ordering::Relaxed) {
                    return None;
                }
                backoff.snooze();
            }
        }
        (!self.poisoned.load(Ordering::Relaxed)).then_some(())
    }

    /// Wait until round `generation` ends (`None` if poisoned meanwhile),
    /// yielding the core at once each time.
    #[cold]
    #[inline(never)]
    fn yield_until_released(&self, generation: usize) -> Option<()> {
        while self.generation.load(Ordering::Acquire) == generation {
            if self.poisoned.load(Ordering::Relaxed) {
                return None;
            }
            std::thread::yield_now();
        }
        Some(())
    }

    fn poison(&self) {
        self.poisoned.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_order_merges_lags_across_shards() {
        let sp = |lag, id| Spike { lag, id };
        let a = [sp(0, 1), sp(0, 2), sp(3, 1)];
        let b = [sp(1, 7), sp(3, 5)];
        let mut seen = Vec::new();
        for_each_in_order(&[&a, &[], &b], |s| seen.push(*s));
        assert_eq!(seen, vec![sp(0, 1), sp(0, 2), sp(1, 7), sp(3, 1), sp(3, 5)]);
    }

    #[test]
    fn every_shard_sees_every_slice() {
        let shards = 4;
        let mut ex = SpikeExchange::new(shards);
        let slices = 200u32;
        let (ports, _) = ex.ports(None, 0, shards);
        std::thread::scope(|scope| {
            for (s, mut port) in ports.into_iter().enumerate() {
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for k in 0..slices {
                        out.push(Spike {
                            lag: k,
                            id: s as NodeId,
                        });
                        port.publish(&mut out);
                        port.request_stop(k == slices - 1);
                        let synced = port.sync().unwrap();
                        assert_eq!(synced.stop, k == slices - 1);
                        let got = port.received();
                        assert_eq!(got.len(), shards);
                        for (other, list) in got.iter().enumerate() {
                            let want = Spike {
                                lag: k,
                                id: other as NodeId,
                            };
                            assert_eq!(*list, &[want]);
                        }
                    }
                });
            }
        });
    }
}
