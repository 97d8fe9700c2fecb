//! A neuron model defined here, outside the workspace's crates, runs
//! through the network, storage, engine and multimeter unchanged: the
//! model interface is all a model needs.

mod common;

use spindle::brunel::seed_neuron;
use spindle::core::{Resolution, Step};
use spindle::engine::{Config, Simulation};
use spindle::models::{
    Isa, NeuronModel, NeuronParams, ParamError, ParamSpec, Population, RecordableSpec, SliceInput,
    SliceOutput,
};
use spindle::network::{ConnRule, Network, SynSpec};

/// A test model: `V_m` climbs by `drive` mV per step plus its input (the
/// summed weights, read as mV), fires at `V_th` and restarts at 0.
struct Climber;

static CLIMBER: Climber = Climber;

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "drive",
        unit: "mV",
        default: 1.0,
    },
    ParamSpec {
        name: "V_th",
        unit: "mV",
        default: 10.0,
    },
];

impl NeuronModel for Climber {
    fn name(&self) -> &'static str {
        "climber"
    }

    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn recordables(&self) -> &'static [RecordableSpec] {
        &[RecordableSpec {
            name: "V_m",
            unit: "mV",
        }]
    }

    fn validate(&self, values: &[f64]) -> Result<(), ParamError> {
        if values[1] > 0.0 {
            Ok(())
        } else {
            Err(ParamError::Invalid("V_th must be > 0.".into()))
        }
    }

    fn population(
        &self,
        values: &[f64],
        _res: Resolution,
        offset: u32,
        len: usize,
    ) -> Box<dyn Population> {
        Box::new(Climbers {
            drive: values[0],
            v_th: values[1],
            offset,
            v_m: vec![0.0; len],
            probe: vec![None; len],
        })
    }

    fn state_bytes_per_neuron(&self) -> usize {
        8
    }
}

struct Climbers {
    drive: f64,
    v_th: f64,
    offset: u32,
    v_m: Vec<f64>,
    probe: Vec<Option<(u32, Step)>>,
}

impl Population for Climbers {
    fn len(&self) -> usize {
        self.v_m.len()
    }

    fn offset(&self) -> u32 {
        self.offset
    }

    fn attach_probe(&mut self, i: usize, probe: u32, interval: Step) {
        self.probe[i] = Some((probe, interval));
    }

    fn update(
        &mut self,
        _isa: Isa,
        origin: Step,
        from: u32,
        to: u32,
        input: &mut SliceInput<'_>,
        out: &mut SliceOutput,
    ) {
        // Lag-major, so that each lag's spikes come in ascending index.
        for lag in from..to {
            let step = origin + Step::from(lag);
            for (i, v) in self.v_m.iter_mut().enumerate() {
                let local = self.offset + i as u32;
                let (ex, inh) = input.ring.take(step, local as usize);
                *v += self.drive + ex + inh;
                if *v >= self.v_th {
                    *v = 0.0;
                    out.spike(local, lag);
                }
                if let Some((probe, interval)) = self.probe[i]
                    && (step + 1) % interval == 0
                {
                    out.sample(probe, step, &[*v]);
                }
            }
        }
    }

    fn recordable(&self, i: usize, _r: usize) -> f64 {
        self.v_m[i]
    }

    fn set_state(&mut self, i: usize, name: &str, value: f64) -> Result<(), ParamError> {
        match name {
            "V_m" => {
                self.v_m[i] = value;
                Ok(())
            }
            _ => Err(ParamError::Unknown(name.into())),
        }
    }

    fn split_off(&mut self, at: usize) -> Box<dyn Population> {
        Box::new(Climbers {
            drive: self.drive,
            v_th: self.v_th,
            offset: self.offset + at as u32,
            v_m: self.v_m.split_off(at),
            probe: self.probe.split_off(at),
        })
    }

    fn set_params(&mut self, values: &[f64], _res: Resolution) {
        self.drive = values[0];
        self.v_th = values[1];
    }

    fn bytes(&self) -> usize {
        self.v_m.len() * 8
    }
}

/// Climbers driving iaf_psc_alpha neurons and each other: spikes, counts
/// and a multimeter trace, for `threads` shards.
fn run(threads: usize) -> (String, Vec<u32>, Vec<f64>) {
    let mut net = Network::new(Resolution::new(0.1).unwrap(), 3);
    let mut fast = NeuronParams::defaults(&CLIMBER);
    fast.set("drive", 0.5).unwrap();
    let climbers = net.create_neurons(20, fast).unwrap();
    let iaf = net.create_neurons(30, seed_neuron()).unwrap();
    net.connect(
        &climbers,
        &iaf,
        ConnRule::fixed_indegree(5),
        &SynSpec::static_synapse(400.0, 1.5),
    )
    .unwrap();
    net.connect(
        &iaf,
        &climbers,
        ConnRule::fixed_indegree(3),
        &SynSpec::static_synapse(-0.5, 1.0),
    )
    .unwrap();
    let rec = common::recorder(&mut net, &iaf);
    let mm = common::multimeter(&mut net, &climbers.slice(0..1).unwrap(), &["V_m"]);
    let mut sim = Simulation::build(net, Config::threads(threads)).unwrap();
    sim.simulate(100.0).unwrap();
    let counts = climbers
        .iter()
        .map(|id| sim.spike_count(id).unwrap())
        .collect();
    let trace = sim.multimeter_events(mm.first()).unwrap();
    assert!(
        sim.n_events(rec.first()).unwrap() > 0,
        "the iaf neurons fire"
    );
    (
        sim.stats().digest,
        counts,
        trace.get("V_m").unwrap().to_vec(),
    )
}

#[test]
fn a_model_from_outside_runs_through_every_layer() {
    let one = run(1);
    // Undisturbed, a climber fires every 20 steps (2 ms); inhibition from
    // the iaf neurons can only delay it.
    assert!(one.1.iter().all(|&c| (1..=50).contains(&c)), "{:?}", one.1);
    assert_eq!(one.2.len(), 1000, "a sample per step");
    assert_eq!(one.2[0], 0.5);
    for threads in [2, 3] {
        assert_eq!(run(threads), one, "{threads} threads");
    }
}

#[test]
fn its_validation_and_names_reach_the_network() {
    let mut net = Network::new(Resolution::new(0.1).unwrap(), 3);
    let mut bad = NeuronParams::defaults(&CLIMBER);
    bad.set("V_th", -1.0).unwrap();
    assert_eq!(
        net.create_neurons(2, bad).unwrap_err().to_string(),
        "climber: V_th must be > 0."
    );
    let ok = net
        .create_neurons(2, NeuronParams::defaults(&CLIMBER))
        .unwrap();
    assert_eq!(net.node(ok.first()).unwrap().model_name(), "climber");
    let mm = common::multimeter_unconnected(&mut net, &["I_syn_ex"]);
    let err = net
        .connect(
            &mm,
            &ok,
            ConnRule::all_to_all(),
            &SynSpec::model("static_synapse"),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Creation of connection is not possible because: Cannot connect with unknown recordable \
         I_syn_ex (climber records V_m)"
    );
}
