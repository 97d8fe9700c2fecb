//! Set-up shared by the benchmarks.

use spindle::models::PoissonInput;

/// The seed's Poisson drive (17,789 Hz × 0.1 ms, J_ex, 1.5 ms) of `n`
/// neurons, each with its own stream.
pub fn seed_poisson(n: usize) -> PoissonInput {
    PoissonInput::one_generator(n, 1.778_900_771_472_188_4, 20.68, 15, (1, 0))
}
