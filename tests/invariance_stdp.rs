//! A recurrent network with plastic synapses (the hpc_benchmark's kind in
//! small: `stdp_pl_synapse_hom` between excitatory neurons with drawn
//! initial weights and multapses, `stdp_synapse` onto the inhibitory
//! ones, static inhibition, Poisson drive) gives the same spikes and the
//! same final weights, bit for bit, for 1, 2 and 3 threads, over runs
//! split into chunks that are not multiples of the minimum delay.

use spindle::core::Resolution;
use spindle::core::param::Param;
use spindle::engine::{Config, ConnectionFilter, Simulation};
use spindle::models::IafPscAlphaParams;
use spindle::models::devices::PoissonGeneratorParams;
use spindle::network::{ConnRule, Network, SynSpec};

/// (digest, spikes, weights as bits by (source, target, projection,
/// index), archive lengths).
type Outcome = (String, u64, Vec<(u32, u32, u32, u32, u64)>, Vec<usize>);

fn run(threads: usize) -> Outcome {
    let mut net = Network::new(Resolution::new(0.1).unwrap(), 5);
    net.set_synapse_params(
        "stdp_pl_synapse_hom_hpc",
        &[("alpha".into(), 0.0513), ("tau_plus".into(), 15.0)],
    )
    .unwrap();
    let neuron = IafPscAlphaParams::default();
    let ex = net.create_neurons(160, neuron).unwrap();
    let inh = net.create_neurons(40, neuron).unwrap();
    let all = ex.join(&inh).unwrap();
    net.set_neuron_params(&ex, |p| {
        let mut q = p.clone();
        q.set("tau_minus", 15.0)?;
        Ok(q)
    })
    .unwrap();
    let pg = net
        .create_poisson_generator(PoissonGeneratorParams::with_rate(9_000.0))
        .unwrap();
    net.connect(
        &pg,
        &all,
        ConnRule::all_to_all(),
        &SynSpec::static_synapse(87.8, 1.5),
    )
    .unwrap();
    let weight = Param::Uniform {
        min: 30.0,
        max: 60.0,
    };
    net.connect(
        &ex,
        &ex,
        ConnRule::fixed_indegree(20),
        &SynSpec::model("stdp_pl_synapse_hom_hpc")
            .with_delay(1.5)
            .with_random_weight(weight),
    )
    .unwrap();
    net.connect(
        &ex,
        &inh,
        ConnRule::fixed_indegree(20),
        &SynSpec::model("stdp_synapse")
            .with_weight(40.0)
            .with_delay(2.0)
            .with_param("Wmax", 80.0)
            .with_param("mu_plus", 0.0),
    )
    .unwrap();
    net.connect(
        &inh,
        &all,
        ConnRule::fixed_indegree(5),
        &SynSpec::model("static_synapse_hpc")
            .with_weight(-200.0)
            .with_delay(1.5),
    )
    .unwrap();
    let mut sim = Simulation::build(net, Config::threads(threads)).unwrap();
    for ms in [100.0, 33.3, 66.7] {
        sim.simulate(ms).unwrap();
    }
    let stats = sim.stats();
    let weights = sim
        .connections(&ConnectionFilter::default())
        .iter()
        .map(|c| {
            (
                c.source,
                c.target,
                c.projection,
                c.index,
                c.weight.to_bits(),
            )
        })
        .collect();
    let lengths = all.iter().map(|id| sim.archiver_length(id)).collect();
    (stats.digest, stats.spikes, weights, lengths)
}

#[test]
fn spikes_and_weights_do_not_depend_on_threads() {
    let one = run(1);
    assert!(one.1 > 500, "the network fires ({} spikes)", one.1);
    assert_eq!(one.2.len(), 160 * 20 + 40 * 20 + 200 * 5);
    // The plastic weights moved.
    let initial = 40f64.to_bits();
    assert!(one.2.iter().any(|w| w.2 == 1 && w.4 != initial));
    for threads in [2, 3] {
        let other = run(threads);
        assert_eq!(other.0, one.0, "digest on {threads} threads");
        assert_eq!(other.2, one.2, "weights on {threads} threads");
        assert_eq!(other.3, one.3, "archives on {threads} threads");
    }
}
