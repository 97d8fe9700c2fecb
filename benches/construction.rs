//! Network construction, per synapse: drawing and storing the order-500
//! seed network (625,000 synapses) on one thread.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spindle::brunel::{self, BrunelParams};
use spindle::network::storage::ShardSynapses;

fn bench(c: &mut Criterion) {
    let b = brunel::build(&BrunelParams {
        order: 500,
        ..Default::default()
    })
    .unwrap();
    let partition = b.net.partition(1);
    let shard = &partition.shards()[0];
    let synapses = ShardSynapses::build(&b.net, &partition, shard)
        .unwrap()
        .len();
    let mut group = c.benchmark_group("construction");
    group.throughput(Throughput::Elements(synapses));
    group.sample_size(20);
    group.bench_function("build_per_synapse", |bch| {
        bch.iter(|| ShardSynapses::build(&b.net, &partition, shard).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
