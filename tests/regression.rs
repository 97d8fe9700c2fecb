//! One test per bug fixed.

mod common;

use spindle::brunel::seed_neuron;
use spindle::core::Resolution;
use spindle::engine::{Config, Simulation};
use spindle::models::devices::SpikeGeneratorParams;
use spindle::models::{IafPscAlphaParams, IafPscAlphaPopulation};
use spindle::network::{ConnRule, Network, SynSpec};

/// While the performance work was under way, neurons updated one at a time
/// (those after the last full block of lanes, and sampled ones) read only
/// the weight rows of the input ring and missed the counted synapses, so
/// they never felt spikes from other neurons. Here one driver neuron feeds
/// identical targets (two blocks of lanes, whatever their width, then
/// three left over, the last sampled) through a counted projection: every
/// target must fire exactly as the others do.
#[test]
fn every_target_feels_counted_synapses() {
    let mut net = Network::new(Resolution::new(0.1).unwrap(), 1);
    let driver = net
        .create_neurons(
            1,
            IafPscAlphaParams {
                i_e: 600.0,
                ..seed_neuron()
            },
        )
        .unwrap();
    let n = 2 * IafPscAlphaPopulation::LANES + 3;
    let targets = net.create_neurons(n, seed_neuron()).unwrap();
    net.connect(
        &driver,
        &targets,
        ConnRule::all_to_all(),
        &SynSpec::static_synapse(5000.0, 1.0),
    )
    .unwrap();
    // A spike generator reaches the targets through the weight rows too.
    let sg = net
        .create_spike_generator(SpikeGeneratorParams {
            spike_times: vec![5.0],
            ..Default::default()
        })
        .unwrap();
    net.connect(
        &sg,
        &targets,
        ConnRule::all_to_all(),
        &SynSpec::static_synapse(10.0, 1.0),
    )
    .unwrap();
    let _mm = common::multimeter(&mut net, &targets.slice(n - 1..n).unwrap(), &[]);
    let mut sim = Simulation::build(net, Config::threads(1)).unwrap();
    sim.simulate(200.0).unwrap();
    let counts: Vec<u32> = targets
        .iter()
        .map(|id| sim.spike_count(id).unwrap())
        .collect();
    assert!(counts[0] > 0, "the targets must fire: {counts:?}");
    assert!(counts.iter().all(|&c| c == counts[0]), "{counts:?}");
}
