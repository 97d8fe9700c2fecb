//! The seed network at order 250: exact connection counts and rates within
//! 2 % of NEST's (55.47-55.65 Hz over 5 seeds, `rates_by_order.csv`).

mod common;

use common::run_brunel;

#[test]
fn order_250_counts_and_rates_match_nest() {
    let (b, sim) = run_brunel(250, 2, 1, 1000.0);
    let ex = sim.num_connections("excitatory").unwrap();
    let inh = sim.num_connections("inhibitory").unwrap();
    assert_eq!((ex, inh, ex + inh), (126_350, 31_250, 157_600));
    // stored neuron-to-neuron synapses: 1250 * (100 + 25)
    assert_eq!(sim.stats().synapses_stored, 156_250);

    let rate = |nodes: &spindle::network::NodeCollection| {
        let spikes: u64 = nodes
            .iter()
            .map(|id| sim.spike_count(id).unwrap() as u64)
            .sum();
        spikes as f64 / nodes.len() as f64
    };
    let (rate_ex, rate_in) = (rate(&b.nodes_ex), rate(&b.nodes_in));
    assert!(
        (54.4..=56.7).contains(&rate_ex),
        "excitatory rate {rate_ex} Hz"
    );
    assert!(
        (54.4..=56.7).contains(&rate_in),
        "inhibitory rate {rate_in} Hz"
    );
    // The recorders saw exactly the spikes of the first 50 neurons.
    let first50: u64 = b
        .nodes_ex
        .iter()
        .take(50)
        .map(|id| sim.spike_count(id).unwrap() as u64)
        .sum();
    assert_eq!(sim.n_events(b.espikes.first()).unwrap(), first50);
    assert_eq!(
        sim.spike_events(b.espikes.first()).unwrap().len() as u64,
        first50
    );
}
