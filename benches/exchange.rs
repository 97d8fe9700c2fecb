//! The slice exchange, per slice and thread count: a network of one idle
//! neuron per shard, so each slice is almost only the publish and the
//! barrier.

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use spindle::brunel::seed_neuron;
use spindle::core::Resolution;
use spindle::engine::{Config, Simulation};
use spindle::network::Network;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("exchange");
    for threads in [1, 2, 4] {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 1);
        net.create_neurons(threads, seed_neuron()).unwrap();
        net.set_min_delay(1.5).unwrap();
        let mut sim = Simulation::build(net, Config::threads(threads)).unwrap();
        // One iteration is one slice; a simulate call runs them all, so
        // the thread start of the call is spread over many slices.
        group.bench_function(format!("slice_{threads}_threads"), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                sim.simulate(1.5 * iters as f64).unwrap();
                start.elapsed()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
