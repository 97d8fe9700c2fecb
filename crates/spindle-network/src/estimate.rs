//! How much memory a network will take, from its description alone.
//!
//! The estimate adds up what each part's own type says it will hold, per
//! shard: the synapse stores in the form the build would choose
//! ([`ShardSynapses::estimate`]), the input ring from its layout
//! ([`InputRing::estimate_bytes`]), the neurons' state from their models,
//! the Poisson streams ([`PoissonInput::estimate_bytes`]), and what the
//! engine keeps per neuron; then what building holds at its peak beyond
//! that, and the process itself. It is computed from the description's
//! sizes (populations, projections, device connections, shards), never
//! per neuron or per synapse, so an absurd network is refused at once.

use spindle_core::NodeId;
use spindle_models::{InputRing, PoissonInput};

use crate::storage::ShardSynapses;
use crate::{DeviceConnection, Network, NetworkError};

/// Resident bytes of the process apart from its shards: the binary and its
/// libraries, the main thread, the runtime, the network's description and
/// the run's report. Measured from the peak RSS (the record's
/// `peak_rss_bytes`, `VmHWM`) of
/// `spindle --order 10 --n-rec 1 --threads T --simtime 100 --record-to none`
/// (release build, glibc 2.36 malloc, Linux 6.18, AMD EPYC), median of five
/// runs for each T = 1..4: 6.01, 7.61, 9.21 and 10.77 MiB. This is the
/// least-squares line through them at no threads (4,534 KiB), less the
/// estimate of the order-10 network itself (24 KiB).
pub const PROCESS_BYTES: u64 = 4_510 << 10;

/// Resident bytes each shard thread adds whatever its network: its three
/// per-slice histograms (1 ns to an hour at 3 significant figures, 268 KiB
/// each, all written when they are made) and their copy in the run's
/// statistics, its stack and its malloc arena. Measured with
/// [`PROCESS_BYTES`], as the slope of that line (1,628 KiB per thread).
pub const SHARD_THREAD_BYTES: u64 = 1_628 << 10;

/// An estimate of the memory a network takes once built, in parts [bytes].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// The process and its shard threads ([`PROCESS_BYTES`],
    /// [`SHARD_THREAD_BYTES`]).
    pub process: u64,
    /// Neuron state (the models'), and per neuron its id, spike count and
    /// list of recorders.
    pub neurons: u64,
    /// Input rings.
    pub ring: u64,
    /// Poisson streams.
    pub poisson: u64,
    /// Synapse stores.
    pub synapses: u64,
    /// What building holds at its peak beyond the parts above: the
    /// per-neuron Poisson lists the streams are made from, and the working
    /// memory of the projection being drawn.
    pub build: u64,
    /// Synapses stored.
    pub synapse_count: u64,
    /// Projection stores held as bitmaps, over all shards.
    pub bitmaps: usize,
}

impl MemoryEstimate {
    /// The peak: every part together.
    pub fn total(&self) -> u64 {
        [
            self.process,
            self.neurons,
            self.ring,
            self.poisson,
            self.synapses,
            self.build,
        ]
        .into_iter()
        .fold(0, u64::saturating_add)
    }
}

/// Estimate of the peak bytes the process holds building and running `net`
/// with `threads` shards (see [`estimate_memory`]).
pub fn estimate_bytes(net: &Network, threads: usize) -> Result<u64, NetworkError> {
    Ok(estimate_memory(net, threads)?.total())
}

/// Estimate, in parts, of the memory building and running `net` with
/// `threads` shards takes. Recorded spikes are not included: they grow
/// with the time simulated, which the network does not know.
pub fn estimate_memory(net: &Network, threads: usize) -> Result<MemoryEstimate, NetworkError> {
    let threads = threads.max(1);
    let partition = net.partition(threads);
    // As the engine sizes the ring: input arrives up to max_delay steps
    // after the slice being delivered, which spans min_delay steps.
    let ring_len = net.max_delay().saturating_add(net.min_delay()?);
    let shards = partition.shards();

    // What reaches each shard from devices.
    let (mut poisson_pairs, mut recorder_pairs) = (vec![0u64; threads], vec![0u64; threads]);
    let mut injected = vec![false; threads];
    for c in net.device_connections() {
        let (targets, counts) = match c {
            DeviceConnection::Poisson { targets, .. } => (targets, &mut poisson_pairs),
            DeviceConnection::SpikeRecorder { sources, .. } => (sources, &mut recorder_pairs),
            DeviceConnection::SpikeGenerator { targets, .. } => {
                for (sh, _) in partition.shares(targets) {
                    injected[sh.index] = true;
                }
                continue;
            }
            // A few bytes per pair: negligible beside the neurons' state.
            DeviceConnection::Multimeter { .. } | DeviceConnection::Current { .. } => continue,
        };
        for (sh, n) in partition.shares(targets) {
            counts[sh.index] = counts[sh.index].saturating_add(n as u64);
        }
    }

    // Per neuron, besides its model's state: its id, its spike count and
    // its (mostly empty) list of recorders, as `Shard` holds them.
    let per_neuron = (size_of::<NodeId>() + size_of::<u32>() + size_of::<Vec<u32>>()) as u64;
    let mut est = MemoryEstimate {
        process: PROCESS_BYTES.saturating_add(SHARD_THREAD_BYTES.saturating_mul(threads as u64)),
        ..Default::default()
    };
    for shard in shards {
        let n = shard.len() as u64;
        let state: u64 = net
            .populations()
            .iter()
            .map(|(nodes, params)| {
                (partition.owned_len(shard, nodes) as u64)
                    .saturating_mul(params.model().state_bytes_for(params.values()) as u64)
            })
            .fold(0, u64::saturating_add);
        let neurons = state
            .saturating_add(n.saturating_mul(per_neuron))
            .saturating_add(recorder_pairs[shard.index].saturating_mul(size_of::<u32>() as u64));
        let pairs = poisson_pairs[shard.index];
        let poisson = PoissonInput::estimate_bytes(n, pairs);
        let poisson_lists = PoissonInput::estimate_build_bytes(n, pairs);
        let syn = ShardSynapses::estimate(net, &partition, shard);
        // Port rows for the most ports of a neuron of the shard, as the
        // engine sizes them.
        let ports = net
            .populations()
            .iter()
            .filter(|(nodes, _)| partition.owned_len(shard, nodes) > 0)
            .filter_map(|(_, params)| params.ports())
            .max()
            .unwrap_or(0);
        let ring = InputRing::estimate_bytes(
            n,
            ring_len,
            &syn.plane_depths,
            syn.weights || injected[shard.index],
        )
        .saturating_add(InputRing::estimate_port_bytes(n, ring_len, ports as u64));
        // A shard builds its neuron state and per-neuron Poisson lists,
        // then its synapses projection by projection, then its ring and
        // streams (freeing the lists only then): its peak is the larger of
        // the synapses' own peak and the end.
        let after = syn.bytes.saturating_add(ring).saturating_add(poisson);
        let build = syn.build_peak.max(after) - after;
        est.neurons = est.neurons.saturating_add(neurons);
        est.ring = est.ring.saturating_add(ring);
        est.poisson = est.poisson.saturating_add(poisson);
        est.synapses = est.synapses.saturating_add(syn.bytes);
        est.build = est
            .build
            .saturating_add(poisson_lists)
            .saturating_add(build);
        est.synapse_count = est.synapse_count.saturating_add(syn.synapses);
        est.bitmaps += syn.bitmaps;
    }
    Ok(est)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConnRule, SynSpec};
    use spindle_core::Resolution;
    use spindle_models::IafPscAlphaParams;
    use spindle_models::devices::SpikeGeneratorParams;

    fn net(n: usize) -> Network {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 1);
        let a = net.create_neurons(n, IafPscAlphaParams::default()).unwrap();
        let s = SynSpec::static_synapse(1.0, 1.0);
        net.connect(&a, &a, ConnRule::fixed_indegree(20), &s)
            .unwrap();
        let s = SynSpec::static_synapse(-1.0, 2.0);
        net.connect(&a, &a, ConnRule::all_to_all(), &s).unwrap();
        net
    }

    #[test]
    fn parts_add_up_and_follow_the_shards() {
        let one = estimate_memory(&net(1000), 1).unwrap();
        let four = estimate_memory(&net(1000), 4).unwrap();
        assert_eq!(one.synapse_count, 1000 * 20 + 1000 * 1000);
        assert_eq!(four.synapse_count, one.synapse_count);
        assert_eq!(four.neurons, one.neurons);
        assert_eq!(four.process - one.process, 3 * SHARD_THREAD_BYTES);
        assert_eq!(
            one.total(),
            one.process + one.neurons + one.ring + one.poisson + one.synapses + one.build
        );
        assert_eq!(estimate_bytes(&net(1000), 1).unwrap(), one.total());
    }

    #[test]
    fn weight_rows_count_where_weights_are_added() {
        // Two count groups...
        let counted = estimate_memory(&net(1000), 1).unwrap();
        // ...or a projection whose 1000 sources per target overflow its
        // 16-bit cells alongside 70,000 more: it adds its weight per event.
        let mut heavy = net(1000);
        let more = heavy
            .create_neurons(70_000, IafPscAlphaParams::default())
            .unwrap();
        let first = heavy.populations()[0].0;
        heavy
            .connect(
                &more,
                &first,
                ConnRule::all_to_all(),
                &SynSpec::static_synapse(-1.0, 1.0),
            )
            .unwrap();
        let weighted = estimate_memory(&heavy, 1).unwrap();
        let slots = 32; // 20 + 10 steps, rounded up
        let rows = 2 * 71_000 * slots * 8;
        assert!(weighted.ring > counted.ring + rows, "{weighted:?}");
        // A spike generator adds weights too.
        let mut injected = net(1000);
        let g = injected
            .create_spike_generator(SpikeGeneratorParams {
                spike_times: vec![1.0],
                ..Default::default()
            })
            .unwrap();
        let all = injected.populations()[0].0;
        injected
            .connect(
                &g,
                &all,
                ConnRule::all_to_all(),
                &SynSpec::static_synapse(1.0, 1.0),
            )
            .unwrap();
        let est = estimate_memory(&injected, 1).unwrap();
        assert_eq!(est.ring, counted.ring + 2 * 1000 * slots * 8);
    }

    #[test]
    fn absurd_sizes_saturate_at_once() {
        let mut net = Network::new(Resolution::new(0.1).unwrap(), 1);
        let a = net
            .create_neurons(1 << 30, IafPscAlphaParams::default())
            .unwrap();
        // 2^60 synapses per call: sixteen calls pass u64.
        let s = SynSpec::static_synapse(1.0, 1.0);
        for _ in 0..20 {
            net.connect(&a, &a, ConnRule::all_to_all(), &s).unwrap();
        }
        let start = std::time::Instant::now();
        for threads in [1, 3, 64] {
            let parts = estimate_memory(&net, threads).unwrap();
            assert_eq!(parts.synapse_count, u64::MAX);
            assert_eq!(parts.total(), u64::MAX);
            assert_eq!(estimate_bytes(&net, threads).unwrap(), u64::MAX);
        }
        assert!(start.elapsed().as_millis() < 100);
    }
}
