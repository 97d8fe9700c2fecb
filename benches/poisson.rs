//! Poisson drawing, per draw: the seed's mean (rate 17,789 Hz × 0.1 ms)
//! and a large mean that uses binary search, one draw at a time; and the
//! seed's mean as the neuron update draws it, a slice of 15 steps per
//! neuron with the stream held in registers.

use std::hint::black_box;

#[path = "common.rs"]
mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spindle::core::rng::{Purpose, stream_state};
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
        // One stream as a single lane, as `PoissonSampler::sample` takes it.
        let mut rng = stream_state(1, Purpose::Poisson, 0, 0).map(|w| [w]);
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
    let neurons = 1000;
    let mut input = common::seed_poisson(neurons);
    let (mut ex, mut inh) = ([0.0; 15], [0.0; 15]);
    let mut origin = 15;
    group.throughput(Throughput::Elements(neurons as u64 * 15));
    group.bench_function("slice_draw_seed_mean_1.78", |b| {
        b.iter(|| {
            for local in 0..neurons {
                input.fill_slice(local, origin, 0, 15, &mut ex, &mut inh, 1);
            }
            origin += 15;
            black_box(ex[3])
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
