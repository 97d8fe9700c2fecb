//! `iaf_psc_alpha` update, per neuron-step: 10,000 seed neurons advanced
//! through one 15-step slice, without and with the seed's Poisson drive.

#[path = "common.rs"]
mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spindle::brunel::seed_neuron;
use spindle::core::Resolution;
use spindle::models::{IafPscAlphaPopulation, InputRing, Isa, PoissonInput, SliceOutput};

const N: usize = 10_000;
const SLICE: u32 = 15;

fn bench(c: &mut Criterion) {
    let res = Resolution::new(0.1).unwrap();
    let mut group = c.benchmark_group("iaf_psc_alpha");
    group.throughput(Throughput::Elements((N as u64) * SLICE as u64));
    for poisson in [false, true] {
        let mut pop = IafPscAlphaPopulation::new(&seed_neuron(), res, 0, N);
        let mut ring = InputRing::new(N, 30);
        let mut input = if poisson {
            common::seed_poisson(N)
        } else {
            PoissonInput::empty(N)
        };
        let mut origin = 15;
        let mut out = SliceOutput::default();
        let isa = Isa::detect();
        let name = if poisson {
            "update_with_poisson_per_neuron_step"
        } else {
            "update_per_neuron_step"
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                out.spikes.clear();
                pop.update_on(isa, origin, 0, SLICE, &mut ring, &mut input, &mut out);
                origin += SLICE as u64;
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
