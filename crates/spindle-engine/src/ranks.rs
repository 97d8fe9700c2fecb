//! The processes a run is split over (MPI ranks, NEST's MPI processes), as
//! the engine needs them: a handful of collectives. The engine knows no
//! MPI; the `spindle` command implements this trait with rsmpi when built
//! with its `mpi` feature.
//!
//! Every rank calls every collective in the same order, from one thread at
//! a time (MPI_THREAD_SERIALIZED is enough).

/// A communicator among ranks.
pub trait Ranks: Send + Sync {
    /// This process's rank.
    fn rank(&self) -> usize;
    /// Number of ranks.
    fn size(&self) -> usize;
    /// Every rank's `mine`, in rank order (MPI_Allgather).
    fn all_gather(&self, mine: u64) -> Vec<u64>;
    /// Every rank's `mine` concatenated in rank order, where rank `r`
    /// sends `counts[r]` words (MPI_Allgatherv).
    fn all_gather_varcount(&self, mine: &[u64], counts: &[u64]) -> Vec<u64>;
    /// End every rank of the run at once (MPI_Abort): a rank that fails
    /// must not leave the others waiting in a collective.
    fn abort(&self, code: i32) -> !;
}

/// Element-wise sums of `mine` over all ranks.
pub fn sum(ranks: &dyn Ranks, mine: &[u64]) -> Vec<u64> {
    let all = gather(ranks, mine);
    let mut out = vec![0u64; mine.len()];
    for part in all {
        for (o, v) in out.iter_mut().zip(part) {
            *o += v;
        }
    }
    out
}

/// Every rank's `mine`, one vector per rank.
pub fn gather(ranks: &dyn Ranks, mine: &[u64]) -> Vec<Vec<u64>> {
    let counts = ranks.all_gather(mine.len() as u64);
    let flat = ranks.all_gather_varcount(mine, &counts);
    let mut out = Vec::with_capacity(counts.len());
    let mut at = 0;
    for c in counts {
        out.push(flat[at..at + c as usize].to_vec());
        at += c as usize;
    }
    out
}
