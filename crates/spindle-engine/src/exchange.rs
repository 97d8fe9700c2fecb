//! The spike exchange between shards: the engine's only unsafe code.
//!
//! Every shard publishes the spikes it emitted in a slice into its own slot,
//! then all shards meet at one barrier, then every shard reads every slot.
//! Slots are double-buffered by slice parity, so the one barrier per slice
//! is the only synchronisation: no mutex, no condition variable.
//!
//! This type is the narrow interface an exchange between processes (MPI)
//! would replace: `publish` this slice's spikes, `sync`, read `spikes_of`
//! every shard.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crossbeam_utils::{Backoff, CachePadded};
use spindle_core::NodeId;

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
/// Slice `k` uses parity `k % 2`. During slice `k` shard `s` calls
/// `publish(s, k % 2, ..)` once, then `sync()`; after that `sync` returns
/// and until it enters the `sync` of slice `k + 1`, any shard may call
/// `spikes_of(_, k % 2)`. Shards never publish into another shard's slot.
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

// SAFETY: the slots are only reached through `publish` and `spikes_of`,
// whose contract (see the type's docs) gives each slot a single writer and
// separates its write from every read of it by a barrier, which is a
// release/acquire pair between all shards.
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

    /// Shard 0, before the barrier of a slice of parity `parity`: whether
    /// every shard should stop after it.
    pub(crate) fn request_stop(&self, parity: usize, stop: bool) {
        // Relaxed: the barrier orders this store before every read of it.
        self.stop[parity].store(stop, Ordering::Relaxed);
    }

    /// After the barrier of a slice of parity `parity`: whether shard 0
    /// asked to stop after it.
    pub(crate) fn stop_requested(&self, parity: usize) -> bool {
        self.stop[parity].load(Ordering::Relaxed)
    }

    /// Swap `spikes` into shard `shard`'s slot of `parity`; `spikes` comes
    /// back holding the slot's previous (already consumed) contents, cleared.
    ///
    /// # Safety
    /// Only shard `shard` may call this, during the update of a slice of
    /// parity `parity`, per the type's contract.
    pub(crate) unsafe fn publish(&self, shard: usize, parity: usize, spikes: &mut Vec<Spike>) {
        // SAFETY: by the caller's promise no other thread reads or writes
        // this slot now: readers of `parity` finished before the previous
        // barrier, and the next readers start after the next one.
        let slot = unsafe { &mut *self.slots[shard][parity].get() };
        std::mem::swap(slot, spikes);
        spikes.clear();
    }

    /// The spikes shard `shard` published for `parity`.
    ///
    /// # Safety
    /// Call only between the barrier that ends a slice of parity `parity`
    /// and the next barrier, per the type's contract.
    pub(crate) unsafe fn spikes_of(&self, shard: usize, parity: usize) -> &[Spike] {
        // SAFETY: by the caller's promise the slot's writer finished before
        // the barrier we passed and will not write again before the next
        // one, which we have not entered.
        unsafe { (*self.slots[shard][parity].get()).as_slice() }
    }

    /// The other ranks' spikes of `parity`, to fill.
    ///
    /// # Safety
    /// Only the rank's first thread may call this, between the barrier that
    /// ends a slice of parity `parity` and the second barrier after it; no
    /// reference it returned may outlive that second barrier.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn remote_mut(&self, parity: usize) -> &mut Vec<Vec<Spike>> {
        // SAFETY: by the caller's promise nobody else touches this parity
        // now: its readers finished before the slice barrier we passed,
        // and the next ones start after the second barrier.
        unsafe { &mut *self.remote[parity].get() }
    }

    /// The spikes global shard `shard` (on another rank) emitted in the
    /// slice of parity `parity`.
    ///
    /// # Safety
    /// Call only between the second barrier of a slice of parity `parity`
    /// and the next slice barrier.
    pub(crate) unsafe fn remote_of(&self, shard: usize, parity: usize) -> &[Spike] {
        // SAFETY: by the caller's promise the writer finished before the
        // second barrier we passed and will not write this parity again
        // before the next slice barrier, which we have not entered.
        let lists: &Vec<Vec<Spike>> = unsafe { &*self.remote[parity].get() };
        lists.get(shard).map_or(&[][..], |v| v.as_slice())
    }

    /// Wait for every shard; `None` if another shard failed and the run is
    /// being abandoned.
    pub(crate) fn sync(&self) -> Option<()> {
        self.barrier.wait()
    }

    /// Release every shard waiting or about to wait; used when one fails.
    pub(crate) fn abort(&self) {
        self.barrier.poison();
    }

    /// Number of shards.
    pub(crate) fn shards(&self) -> usize {
        self.slots.len()
    }
}

/// A sense-reversing spinning barrier with backoff (spin, then yield), so
/// that more threads than cores still make progress.
struct SpinBarrier {
    n: usize,
    count: CachePadded<AtomicUsize>,
    generation: CachePadded<AtomicUsize>,
    poisoned: AtomicBool,
}

impl SpinBarrier {
    fn new(n: usize) -> Self {
        Self {
            n,
            count: CachePadded::new(AtomicUsize::new(0)),
            generation: CachePadded::new(AtomicUsize::new(0)),
            poisoned: AtomicBool::new(false),
        }
    }

    fn wait(&self) -> Option<()> {
        let generation = self.generation.load(Ordering::Acquire);
        if self.count.fetch_add(1, Ordering::AcqRel) + 1 == self.n {
            // Last to arrive: reset for the next round, then release all.
            self.count.store(0, Ordering::Relaxed);
            self.generation.fetch_add(1, Ordering::Release);
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
        let ex = SpikeExchange::new(shards);
        let slices = 200u32;
        std::thread::scope(|scope| {
            for s in 0..shards {
                let ex = &ex;
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for k in 0..slices {
                        let parity = (k % 2) as usize;
                        out.push(Spike {
                            lag: k,
                            id: s as NodeId,
                        });
                        // SAFETY: shard s publishes its own slot for slice k's parity.
                        unsafe { ex.publish(s, parity, &mut out) };
                        ex.sync().unwrap();
                        for other in 0..shards {
                            // SAFETY: between the barrier of slice k and the next.
                            let got = unsafe { ex.spikes_of(other, parity) };
                            assert_eq!(
                                got,
                                &[Spike {
                                    lag: k,
                                    id: other as NodeId
                                }]
                            );
                        }
                    }
                });
            }
        });
    }
}
