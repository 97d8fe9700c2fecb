//! The benchmarks of the simulator review of Brette et al. (2007), as
//! NEST 3.10's examples build them (`doc/examples/pynest/brette_et_al_2007`):
//! `brette_et_al_2007_benchmark.py`'s `build_network` with the parameters
//! of `coba.py` (Benchmark 1, `iaf_cond_exp`), `hh_coba.py` (Benchmark 3,
//! `hh_cond_exp_traub`) or `cuba.py` (Benchmark 2, `iaf_psc_exp`): 3200
//! excitatory and 800 inhibitory neurons, fixed in-degrees of 2 % of each
//! population, a Poisson stimulus onto the first 50 excitatory neurons
//! during the first 50 ms, after which the activity sustains itself.
//!
//! [`Brette2007Params`] holds a script's `params` under its names, and
//! [`build`] makes `build_network`'s calls in its order, so that at the
//! same seed a run gives the spikes of the script run on `spindle.nest`.
//! (`cuba_ps.py`, Benchmark 4, needs precise spike times, which Spindle
//! does not have.)
#![forbid(unsafe_code)]

use spindle_core::Resolution;
use spindle_models::devices::{PoissonGeneratorParams, RecordTo, SpikeRecorderParams};
use spindle_models::{HH_COND_EXP_TRAUB, IAF_COND_EXP, IAF_PSC_EXP, ModelRef, NeuronParams};
use spindle_network::{ConnRule, Network, NetworkError, NodeCollection, SynSpec};

/// NEST's default `rng_seed`, which the scripts keep.
pub const NEST_DEFAULT_SEED: u64 = 143_202_461;

/// Which of the scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Benchmark {
    /// `coba.py`: conductance-based `iaf_cond_exp`.
    Coba,
    /// `hh_coba.py`: Hodgkin-Huxley `hh_cond_exp_traub`.
    HhCoba,
    /// `cuba.py`: current-based `iaf_psc_exp`.
    Cuba,
}

impl Benchmark {
    /// All of them.
    pub const ALL: [Benchmark; 3] = [Self::Coba, Self::HhCoba, Self::Cuba];

    /// The script's name without `.py`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Coba => "coba",
            Self::HhCoba => "hh_coba",
            Self::Cuba => "cuba",
        }
    }

    /// The benchmark a script is called.
    pub fn from_name(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|b| b.name() == name)
            .ok_or_else(|| {
                let hint = if name == "cuba_ps" {
                    " (cuba_ps needs precise spike times, which Spindle does not have)"
                } else {
                    ""
                };
                format!("unknown benchmark '{name}' (coba, hh_coba, cuba){hint}")
            })
    }

    /// The neuron model.
    pub fn model(self) -> ModelRef {
        match self {
            Self::Coba => &IAF_COND_EXP,
            Self::HhCoba => &HH_COND_EXP_TRAUB,
            Self::Cuba => &IAF_PSC_EXP,
        }
    }
}

impl std::fmt::Display for Benchmark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A script's `params`.
#[derive(Debug, Clone, PartialEq)]
pub struct Brette2007Params {
    /// Which script.
    pub benchmark: Benchmark,
    /// `model_params`: the neuron model's defaults set, by NEST's names,
    /// in the script's order.
    pub model_params: Vec<(&'static str, f64)>,
    /// `delay` [ms].
    pub delay: f64,
    /// `E_synapse_params["weight"]` (nS, or pA for cuba).
    pub e_weight: f64,
    /// `I_synapse_params["weight"]`.
    pub i_weight: f64,
    /// `stimulus_params`.
    pub stimulus: PoissonGeneratorParams,
    /// `recorder_params["label"]`.
    pub label: String,
    /// `recorder_params["record_to"]` (the scripts': "ascii").
    pub record_to: RecordTo,
    /// `Nrec`: neurons recorded per population.
    pub nrec: usize,
    /// `Nstim`: excitatory neurons stimulated.
    pub nstim: usize,
    /// `simtime` [ms].
    pub simtime: f64,
    /// `dt` [ms].
    pub dt: f64,
    /// `NE`.
    pub ne: usize,
    /// `NI`.
    pub ni: usize,
    /// `epsilon`: connection probability.
    pub epsilon: f64,
    /// `nest.rng_seed` (the scripts keep NEST's default).
    pub rng_seed: u64,
}

impl Brette2007Params {
    /// The script's parameters.
    pub fn of(benchmark: Benchmark) -> Self {
        let (model_params, e_weight, i_weight, simtime): (Vec<(&'static str, f64)>, f64, f64, f64) =
            match benchmark {
                Benchmark::Coba => (
                    vec![
                        ("E_L", -60.0),
                        ("V_th", -50.0),
                        ("V_reset", -60.0),
                        ("t_ref", 5.0),
                        ("E_ex", 0.0),
                        ("E_in", -80.0),
                        ("C_m", 200.0),
                        ("g_L", 10.0),
                        ("tau_syn_ex", 5.0),
                        ("tau_syn_in", 10.0),
                    ],
                    6.0,
                    -67.0,
                    1000.0,
                ),
                Benchmark::HhCoba => (
                    vec![
                        ("g_Na", 20000.0),
                        ("g_K", 6000.0),
                        ("g_L", 10.0),
                        ("C_m", 200.0),
                        ("E_Na", 50.0),
                        ("E_K", -90.0),
                        ("E_L", -60.0),
                        ("E_ex", 0.0),
                        ("E_in", -80.0),
                        ("tau_syn_ex", 5.0),
                        ("tau_syn_in", 10.0),
                    ],
                    6.0,
                    -67.0,
                    1000.0,
                ),
                Benchmark::Cuba => (
                    vec![
                        ("E_L", -49.0),
                        ("V_m", -49.0),
                        ("V_th", -50.0),
                        ("V_reset", -60.0),
                        ("C_m", 200.0),
                        ("tau_m", 20.0),
                        ("tau_syn_ex", 5.0),
                        ("tau_syn_in", 10.0),
                        ("t_ref", 5.0),
                    ],
                    16.2,
                    -139.5,
                    10000.0,
                ),
            };
        Self {
            benchmark,
            model_params,
            delay: 0.1,
            e_weight,
            i_weight,
            stimulus: PoissonGeneratorParams {
                rate: 300.0,
                start: 1.0,
                stop: 51.0,
                origin: 0.0,
            },
            label: benchmark.name().into(),
            record_to: RecordTo::Ascii,
            nrec: 500,
            nstim: 50,
            simtime,
            dt: 0.1,
            ne: 3200,
            ni: 800,
            epsilon: 0.02,
            rng_seed: NEST_DEFAULT_SEED,
        }
    }

    /// `CE = int(NE * epsilon)`.
    pub fn ce(&self) -> usize {
        (self.ne as f64 * self.epsilon) as usize
    }

    /// `CI = int(NI * epsilon)`.
    pub fn ci(&self) -> usize {
        (self.ni as f64 * self.epsilon) as usize
    }

    /// The script's `Nsyn`: `(CE + CI) * N + 2 Nrec + Nstim`.
    pub fn nsyn(&self) -> u64 {
        ((self.ce() + self.ci()) * (self.ne + self.ni) + 2 * self.nrec + self.nstim) as u64
    }

    /// The neurons' parameters: the model's defaults with `model_params`.
    pub fn neuron(&self) -> Result<NeuronParams, Brette2007Error> {
        let mut n = NeuronParams::defaults(self.benchmark.model());
        for &(name, v) in &self.model_params {
            n.set(name, v)
                .map_err(|e| Brette2007Error::Params(format!("model_params: {name}: {e}")))?;
        }
        n.validate()
            .map_err(|e| Brette2007Error::Params(format!("model_params: {e}")))?;
        Ok(n)
    }

    /// Check what `build` needs.
    pub fn validate(&self) -> Result<(), Brette2007Error> {
        let bad = |m: String| Err(Brette2007Error::Params(m));
        if self.ne == 0 || self.ni == 0 {
            return bad("NE and NI must be > 0".into());
        }
        if self.nrec > self.ne.min(self.ni) || self.nstim > self.ne {
            return bad(format!(
                "Nrec {} and Nstim {} must not exceed the populations ({} and {})",
                self.nrec, self.nstim, self.ne, self.ni
            ));
        }
        if !(self.epsilon > 0.0 && self.epsilon <= 1.0) {
            return bad(format!("epsilon must be in (0, 1] (got {})", self.epsilon));
        }
        self.neuron().map(|_| ())
    }
}

/// Why the network cannot be built.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum Brette2007Error {
    /// Parameters the script cannot use.
    #[error("{0}")]
    Params(String),
    /// The network refused a call.
    #[error(transparent)]
    Network(#[from] NetworkError),
}

/// The built network and the handles the script keeps.
#[derive(Debug, Clone)]
pub struct Brette2007 {
    /// The network.
    pub net: Network,
    /// `E_neurons`.
    pub e_neurons: NodeCollection,
    /// `I_neurons`.
    pub i_neurons: NodeCollection,
    /// `E_stimulus`.
    pub stimulus: NodeCollection,
    /// `E_recorder`: the first `Nrec` excitatory neurons' spikes.
    pub e_recorder: NodeCollection,
    /// `I_recorder`: the first `Nrec` inhibitory neurons' spikes.
    pub i_recorder: NodeCollection,
}

/// Describe the network exactly as `build_network` does.
pub fn build(p: &Brette2007Params) -> Result<Brette2007, Brette2007Error> {
    p.validate()?;
    let res = Resolution::new(p.dt).map_err(NetworkError::from)?;
    let mut net = Network::new(res, p.rng_seed);
    // SetDefaults(model, model_params), then Create(model, NE) and NI.
    let neuron = p.neuron()?;
    let e_neurons = net.create_neurons(p.ne, neuron.clone())?;
    let i_neurons = net.create_neurons(p.ni, neuron)?;
    let stimulus = net.create_poisson_generator(p.stimulus)?;
    let recorder = || SpikeRecorderParams {
        label: p.label.clone(),
        record_to: p.record_to,
        ..Default::default()
    };
    let e_recorder = net.create_spike_recorder(recorder())?;
    let i_recorder = net.create_spike_recorder(recorder())?;
    let (ce, ci) = (p.ce() as u32, p.ci() as u32);
    net.copy_model("static_synapse", "syn_ex", Some(p.e_weight), None)?;
    net.copy_model("static_synapse", "syn_in", Some(p.i_weight), None)?;
    net.set_synapse_defaults("syn_ex", None, Some(p.delay))?;
    net.set_synapse_defaults("syn_in", None, Some(p.delay))?;
    let (syn_ex, syn_in) = (SynSpec::model("syn_ex"), SynSpec::model("syn_in"));
    let indegree = ConnRule::fixed_indegree;
    net.connect(&e_neurons, &e_neurons, indegree(ce), &syn_ex)?;
    net.connect(&i_neurons, &e_neurons, indegree(ci), &syn_in)?;
    net.connect(&e_neurons, &i_neurons, indegree(ce), &syn_ex)?;
    net.connect(&i_neurons, &i_neurons, indegree(ci), &syn_in)?;
    let first = |c: &NodeCollection, n: usize| {
        c.slice(0..n)
            .ok_or_else(|| Brette2007Error::Params("Nrec/Nstim: no such neurons".into()))
    };
    net.connect(
        &stimulus,
        &first(&e_neurons, p.nstim)?,
        ConnRule::all_to_all(),
        &syn_ex,
    )?;
    let plain = SynSpec::model("static_synapse");
    net.connect(
        &first(&e_neurons, p.nrec)?,
        &e_recorder,
        ConnRule::all_to_all(),
        &plain,
    )?;
    net.connect(
        &first(&i_neurons, p.nrec)?,
        &i_recorder,
        ConnRule::all_to_all(),
        &plain,
    )?;
    Ok(Brette2007 {
        net,
        e_neurons,
        i_neurons,
        stimulus,
        e_recorder,
        i_recorder,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_script_builds_its_network() {
        for b in Benchmark::ALL {
            let p = Brette2007Params {
                record_to: RecordTo::Memory,
                ..Brette2007Params::of(b)
            };
            assert_eq!((p.ce(), p.ci()), (64, 16));
            assert_eq!(p.nsyn(), 321_050);
            let net = build(&p).unwrap();
            assert_eq!(net.net.num_nodes(), 4003);
            assert_eq!(net.net.num_connections("syn_ex").unwrap(), 4000 * 64 + 50);
            assert_eq!(net.net.num_connections("syn_in").unwrap(), 4000 * 16);
            assert_eq!(net.net.num_connections("static_synapse").unwrap(), 1000);
            assert_eq!(Benchmark::from_name(b.name()), Ok(b));
        }
        assert_eq!(Brette2007Params::of(Benchmark::Cuba).simtime, 10000.0);
        let e = Benchmark::from_name("cuba_ps").unwrap_err();
        assert!(e.contains("precise spike times"), "{e}");
    }
}
