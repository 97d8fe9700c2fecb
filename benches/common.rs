//! Set-up shared by the benchmarks.

use spindle::core::rng::{Purpose, stream_state};
use spindle::models::{PoissonDrive, PoissonInput, PoissonSampler};

/// The seed's Poisson drive (17,789 Hz × 0.1 ms, J_ex, 1.5 ms) of `n`
/// neurons, each with its own stream.
pub fn seed_poisson(n: usize) -> PoissonInput {
    let drive = PoissonDrive {
        sampler: PoissonSampler::new(1.778_900_771_472_188_4),
        weight: 20.68,
        delay: 15,
        t_min: 0,
        t_max: u64::MAX,
    };
    let per = (0..n)
        .map(|i| vec![(0, stream_state(1, Purpose::Poisson, 0, i as u64))])
        .collect();
    PoissonInput::new(vec![drive], per)
}
