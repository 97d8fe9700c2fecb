//! MPI ranks for the engine (rsmpi), with the `mpi` feature: `spindle`
//! under `mpirun -np R` splits the run over R processes.

use mpi::Count;
use mpi::datatype::PartitionMut;
use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use crate::engine::Ranks;

/// MPI_COMM_WORLD, initialised for calls from one thread at a time.
pub struct MpiRanks {
    world: SimpleCommunicator,
    rank: usize,
    size: usize,
    // Finalises MPI when dropped, after the world.
    _universe: Universe,
}

impl MpiRanks {
    /// Initialise MPI; `None` if it cannot give MPI_THREAD_SERIALIZED.
    pub fn init() -> Option<Self> {
        let (universe, level) = mpi::initialize_with_threading(mpi::Threading::Serialized)?;
        if level < mpi::Threading::Serialized {
            return None;
        }
        let world = universe.world();
        Some(Self {
            rank: world.rank() as usize,
            size: world.size() as usize,
            world,
            _universe: universe,
        })
    }
}

// SAFETY: MPI was initialised with MPI_THREAD_SERIALIZED, under which any
// thread may call MPI as long as no two calls overlap. The engine makes its
// collectives from one thread at a time (the rank's first shard thread
// during a slice, the main thread outside `simulate`, which waits for the
// shard threads meanwhile), and the communicator handle itself is an
// immutable pointer-sized value.
#[allow(unsafe_code)]
unsafe impl Send for MpiRanks {}
// SAFETY: as for Send: shared references only ever make serialised calls.
#[allow(unsafe_code)]
unsafe impl Sync for MpiRanks {}

impl Ranks for MpiRanks {
    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.size
    }

    fn all_gather(&self, mine: u64) -> Vec<u64> {
        let mut out = vec![0u64; self.size];
        self.world.all_gather_into(&mine, &mut out[..]);
        out
    }

    fn all_gather_varcount(&self, mine: &[u64], counts: &[u64]) -> Vec<u64> {
        let counts: Vec<Count> = counts.iter().map(|&c| c as Count).collect();
        let displs: Vec<Count> = counts
            .iter()
            .scan(0, |at, &c| {
                let d = *at;
                *at += c;
                Some(d)
            })
            .collect();
        let total = counts.iter().map(|&c| c as usize).sum();
        let mut out = vec![0u64; total];
        let mut part = PartitionMut::new(&mut out[..], counts, &displs[..]);
        self.world.all_gather_varcount_into(mine, &mut part);
        out
    }

    fn abort(&self, code: i32) -> ! {
        self.world.abort(code)
    }
}
