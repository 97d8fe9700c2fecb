//! Spike delivery, per synaptic event: spikes of random sources of the
//! order-1000 seed network (CE = 400, CI = 100, 2.5 M synapses) written into
//! the input ring of one shard holding all neurons.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spindle::brunel::{self, BrunelParams};
use spindle::core::rng::{Purpose, below, stream};
use spindle::models::InputRing;
use spindle::network::storage::ShardSynapses;

fn bench(c: &mut Criterion) {
    let b = brunel::build(&BrunelParams {
        order: 1000,
        ..Default::default()
    })
    .unwrap();
    let partition = b.net.partition(1);
    let shard = &partition.shards()[0];
    let synapses = ShardSynapses::build(&b.net, &partition, shard).unwrap();
    let mut ring = InputRing::with_planes(
        shard.len(),
        30,
        &synapses.count_weights,
        &synapses.plane_depths,
        spindle::models::Isa::detect(),
    );
    // 1,000 spikes from random neurons, as in one slice of a busy network.
    let mut rng = stream(9, Purpose::Connect, 0, 0);
    let n = b.net.num_neurons() as u64;
    let spikes: Vec<(u64, u32)> = (0..1000)
        .map(|i| (i % 15, 1 + below(&mut rng, n) as u32))
        .collect();
    let events: u64 = spikes
        .iter()
        .map(|&(s, id)| synapses.deliver(&mut ring, s, id))
        .sum();

    let mut group = c.benchmark_group("delivery");
    group.throughput(Throughput::Elements(events));
    group.bench_function("deliver_per_synaptic_event", |bch| {
        bch.iter(|| {
            for &(step, id) in &spikes {
                synapses.deliver(&mut ring, step, id);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
