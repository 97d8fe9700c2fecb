//! Poisson drawing, per draw: the seed's mean (rate 17,789 Hz × 0.1 ms)
//! and a large mean that uses binary search.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spindle::core::rng::{Purpose, stream};
use spindle::models::PoissonSampler;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("poisson");
    const DRAWS: u64 = 10_000;
    group.throughput(Throughput::Elements(DRAWS));
    for (name, mean) in [
        ("draw_seed_mean_1.78", 1.778_900_771_472_188_4),
        ("draw_mean_100", 100.0),
    ] {
        let sampler = PoissonSampler::new(mean);
        let mut rng = stream(1, Purpose::Poisson, 0, 0);
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut total = 0;
                for _ in 0..DRAWS {
                    total += sampler.sample(&mut rng);
                }
                black_box(total)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
