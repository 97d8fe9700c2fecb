//! Drive one `iaf_psc_alpha` neuron with a spike generator and a DC
//! current, and record its membrane potential, through the library API.
//!
//! Run with `cargo run --release --example single_neuron`.

use spindle::brunel::seed_neuron;
use spindle::core::Resolution;
use spindle::engine::{Config, Simulation};
use spindle::models::IafPscAlphaParams;
use spindle::models::devices::{MultimeterParams, SpikeGeneratorParams};
use spindle::network::{ConnRule, Network, SynSpec};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut net = Network::new(Resolution::new(0.1)?, 1);
    // DC input is the neuron's I_e (pA).
    let params = IafPscAlphaParams {
        i_e: 300.0,
        ..seed_neuron()
    };
    let neuron = net.create_neurons(1, params)?;

    let sg = net.create_spike_generator(SpikeGeneratorParams {
        spike_times: vec![10.0, 20.0],
        ..Default::default()
    })?;
    net.connect(
        &sg,
        &neuron,
        ConnRule::all_to_all(),
        &SynSpec::static_synapse(200.0, 1.5),
    )?;

    let mm = net.create_multimeter(MultimeterParams {
        interval: None,
        record_from: vec!["V_m".into()],
        ..Default::default()
    })?;
    net.connect(
        &mm,
        &neuron,
        ConnRule::all_to_all(),
        &SynSpec::model("static_synapse"),
    )?;

    let mut sim = Simulation::build(net, Config::threads(1))?;
    sim.simulate(50.0)?;
    let trace = sim.multimeter_events(mm.first())?;
    for (t, v) in trace
        .times
        .iter()
        .zip(trace.get("V_m").expect("recorded"))
        .step_by(25)
    {
        println!("{t:6.1} ms  V_m = {v:8.4} mV");
    }
    Ok(())
}
