//! NEST's `hpc_benchmark.py` (NEST 3.10, `doc/examples/pynest`), built
//! through Spindle's NEST-like API exactly as the script builds it: a
//! balanced random network of `scale * 11250` `iaf_psc_alpha` neurons
//! (9000 excitatory, 2250 inhibitory per scale unit) with a fixed
//! in-degree of 11,250 whatever the scale, `stdp_pl_synapse_hom_hpc`
//! between excitatory neurons and `static_synapse_hpc` otherwise, one
//! Poisson generator driving every neuron, the membrane potentials drawn
//! from `nest.random.normal`.
//!
//! [`HpcBenchmarkParams`] holds the script's `params` and `brunel_params`
//! under its names, [`Derived`] what `build_network` computes from them,
//! and [`build`] makes the script's calls in the script's order, so that
//! at the same seed a run gives the same spikes and the same final
//! weights as the script run on `spindle.nest` (whose default seed,
//! NEST's, is [`NEST_DEFAULT_SEED`]).
#![forbid(unsafe_code)]

use spindle_core::Resolution;
use spindle_core::param::Param;
use spindle_models::devices::{PoissonGeneratorParams, RecordTo, SpikeRecorderParams};
use spindle_models::{IAF_PSC_ALPHA, NeuronParams};
use spindle_network::{ConnRule, Network, NetworkError, NodeCollection, SynSpec};

/// NEST's default `rng_seed`, which the script keeps.
pub const NEST_DEFAULT_SEED: u64 = 143_202_461;

/// The script's `tau_syn` [ms] (both synaptic time constants).
pub const TAU_SYN: f64 = 0.325_827_224_037_228_4;

/// The script's plastic synapse model (excitatory onto excitatory).
pub const STDP_MODEL: &str = "stdp_pl_synapse_hom_hpc";

/// The script's static synapse model, from which `syn_ex` and `syn_in`
/// are copied.
pub const STATIC_MODEL: &str = "static_synapse_hpc";

/// `brunel_params["model_params"]`: the `iaf_psc_alpha` parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelParams {
    /// `E_L` [mV].
    pub e_l: f64,
    /// `C_m` [pF].
    pub c_m: f64,
    /// `tau_m` [ms].
    pub tau_m: f64,
    /// `t_ref` [ms].
    pub t_ref: f64,
    /// `V_th` [mV].
    pub v_th: f64,
    /// `V_reset` [mV].
    pub v_reset: f64,
    /// `tau_syn_ex` [ms].
    pub tau_syn_ex: f64,
    /// `tau_syn_in` [ms].
    pub tau_syn_in: f64,
    /// `tau_minus` [ms]: the postsynaptic trace of STDP.
    pub tau_minus: f64,
    /// `V_m` [mV] (before the draws of `randomize_Vm`).
    pub v_m: f64,
}

impl Default for ModelParams {
    fn default() -> Self {
        Self {
            e_l: 0.0,
            c_m: 250.0,
            tau_m: 10.0,
            t_ref: 0.5,
            v_th: 20.0,
            v_reset: 0.0,
            tau_syn_ex: TAU_SYN,
            tau_syn_in: TAU_SYN,
            tau_minus: 30.0,
            v_m: 5.7,
        }
    }
}

impl ModelParams {
    /// By NEST's names, in the script's order.
    pub fn items(&self) -> [(&'static str, f64); 10] {
        [
            ("E_L", self.e_l),
            ("C_m", self.c_m),
            ("tau_m", self.tau_m),
            ("t_ref", self.t_ref),
            ("V_th", self.v_th),
            ("V_reset", self.v_reset),
            ("tau_syn_ex", self.tau_syn_ex),
            ("tau_syn_in", self.tau_syn_in),
            ("tau_minus", self.tau_minus),
            ("V_m", self.v_m),
        ]
    }
}

/// `brunel_params["stdp_params"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct StdpParams {
    /// `delay` [ms].
    pub delay: f64,
    /// `alpha`: depression relative to potentiation.
    pub alpha: f64,
    /// `lambda`: the step size.
    pub lambda: f64,
    /// `mu`: the weight dependence exponent of potentiation.
    pub mu: f64,
    /// `tau_plus` [ms].
    pub tau_plus: f64,
}

impl Default for StdpParams {
    fn default() -> Self {
        Self {
            delay: 1.5,
            alpha: 0.0513,
            lambda: 0.1,
            mu: 0.4,
            tau_plus: 15.0,
        }
    }
}

/// The script's `params` and `brunel_params`, its defaults in `Default`
/// (`num_threads` aside: the script's 4 is the caller's choice).
#[derive(Debug, Clone, PartialEq)]
pub struct HpcBenchmarkParams {
    /// `params["num_threads"]`: threads per process (it decides whether
    /// `Nrec` grows with the processes).
    pub num_threads: usize,
    /// `nest.num_processes`: MPI processes.
    pub num_processes: usize,
    /// `params["scale"]`: `scale * 11250` neurons (default 1).
    pub scale: f64,
    /// `params["simtime"]` [ms] (default 250).
    pub simtime: f64,
    /// `params["presimtime"]` [ms] (default 50).
    pub presimtime: f64,
    /// `params["dt"]` [ms] (default 0.1).
    pub dt: f64,
    /// `params["record_spikes"]` (default true).
    pub record_spikes: bool,
    /// The spike recorder's label (the script's:
    /// `<path_name>/alpha_<alpha>_spikes`).
    pub label: String,
    /// Where the recorder's events go (the script's: "ascii").
    pub record_to: RecordTo,
    /// `nest.rng_seed` (the script keeps NEST's default).
    pub rng_seed: u64,
    /// `brunel_params["Nrec"]`: excitatory neurons recorded (default 1000).
    pub nrec: usize,
    /// `brunel_params["model_params"]`.
    pub model_params: ModelParams,
    /// `brunel_params["randomize_Vm"]` (default true).
    pub randomize_vm: bool,
    /// `brunel_params["mean_potential"]` [mV].
    pub mean_potential: f64,
    /// `brunel_params["sigma_potential"]` [mV].
    pub sigma_potential: f64,
    /// `brunel_params["delay"]` [ms]: every static connection's.
    pub delay: f64,
    /// `brunel_params["JE"]` [mV]: the EPSP peak.
    pub je: f64,
    /// `brunel_params["g"]`: inhibitory weight relative to excitatory.
    pub g: f64,
    /// `brunel_params["stdp_params"]`.
    pub stdp: StdpParams,
    /// `brunel_params["eta"]`: the external rate relative to threshold.
    pub eta: f64,
}

impl Default for HpcBenchmarkParams {
    fn default() -> Self {
        let stdp = StdpParams::default();
        Self {
            num_threads: 4,
            num_processes: 1,
            scale: 1.0,
            simtime: 250.0,
            presimtime: 50.0,
            dt: 0.1,
            record_spikes: true,
            label: format!("alpha_{}_spikes", stdp.alpha),
            record_to: RecordTo::Ascii,
            rng_seed: NEST_DEFAULT_SEED,
            nrec: 1000,
            model_params: ModelParams::default(),
            randomize_vm: true,
            mean_potential: 5.7,
            sigma_potential: 7.2,
            delay: 1.5,
            je: 0.14,
            g: -5.0,
            stdp,
            eta: 1.685,
        }
    }
}

/// Why the network cannot be built.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum HpcBenchmarkError {
    /// Parameters the script cannot use.
    #[error("{0}")]
    Params(String),
    /// The network refused a call.
    #[error(transparent)]
    Network(#[from] NetworkError),
}

/// What `build_network` computes from the parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    /// `NE = int(9000 * scale)`.
    pub ne: usize,
    /// `NI = int(2250 * scale)`.
    pub ni: usize,
    /// `CE = int(1.0 * NE / scale)`: excitatory in-degree.
    pub ce: usize,
    /// `CI = int(1.0 * NI / scale)`: inhibitory in-degree.
    pub ci: usize,
    /// `convert_synapse_weight(tau_m, tau_syn_ex, C_m)` [pA/mV].
    pub conversion_factor: f64,
    /// `JE_pA` [pA]: the excitatory weight.
    pub je_pa: f64,
    /// `nu_thresh` [1/ms].
    pub nu_thresh: f64,
    /// `nu_ext = nu_thresh * eta` [1/ms].
    pub nu_ext: f64,
    /// The Poisson generator's rate, `nu_ext * CE * 1000` [spikes/s].
    pub stimulus_rate: f64,
    /// Neurons recorded: `Nrec`, times the processes when the threads
    /// per process are not 1 (the script keeps that "for historic
    /// reasons").
    pub nrec: usize,
}

impl Derived {
    /// Neurons in all.
    pub fn neurons(&self) -> usize {
        self.ne + self.ni
    }

    /// Connections between neurons: every neuron's `CE + CI`.
    pub fn recurrent_synapses(&self) -> u64 {
        (self.neurons() as u64) * (self.ce + self.ci) as u64
    }

    /// Of them, the plastic ones (excitatory onto excitatory).
    pub fn plastic_synapses(&self) -> u64 {
        self.ne as u64 * self.ce as u64
    }
}

/// scipy's `lambertw(x, k=-1).real` for real `x` in `[-1/e, 0)`, its
/// steps to the bit (scipy's `lambertw_scalar`: the guess `log(-x)`, then
/// Halley's iteration until two iterates agree to scipy's default
/// tolerance, 1e-8; its complex arithmetic has zero imaginary parts
/// here). A more exact W (polished to the last bit) differs from scipy's
/// by an ulp at the script's argument, and the weight with it.
pub fn scipy_lambert_wm1(x: f64) -> f64 {
    const TOL: f64 = 1e-8;
    let mut w = (-x).ln();
    for _ in 0..100 {
        let ew = w.exp();
        let wew = w * ew;
        let wewz = wew - x;
        let wn = w - wewz / (wew + ew - (w + 2.0) * wewz / (2.0 * w + 2.0));
        if (wn - w).abs() <= TOL * wn.abs() {
            return wn;
        }
        w = wn;
    }
    w
}

/// The script's `convert_synapse_weight`: the PSC amplitude [pA] per mV
/// of PSP peak for an alpha-shaped current (the script's operations, its
/// Lambert W as scipy's).
pub fn convert_synapse_weight(tau_m: f64, tau_syn: f64, c_m: f64) -> f64 {
    let a = tau_m / tau_syn;
    let b = 1.0 / tau_syn - 1.0 / tau_m;
    let t_rise = 1.0 / b * (-scipy_lambert_wm1(-(-1.0 / a).exp() / a) - 1.0 / a);
    let e = std::f64::consts::E;
    let v_max = e / (tau_syn * c_m * b)
        * (((-t_rise / tau_m).exp() - (-t_rise / tau_syn).exp()) / b
            - t_rise * (-t_rise / tau_syn).exp());
    1.0 / v_max
}

impl HpcBenchmarkParams {
    /// The script's parameters at `scale`.
    pub fn at_scale(scale: f64) -> Self {
        Self {
            scale,
            ..Self::default()
        }
    }

    /// Check what the derivation and `build` need.
    pub fn validate(&self) -> Result<(), HpcBenchmarkError> {
        let bad = |m: String| Err(HpcBenchmarkError::Params(m));
        if !(self.scale.is_finite() && self.scale > 0.0) {
            return bad(format!(
                "scale must be a positive number (got {})",
                self.scale
            ));
        }
        if self.num_threads == 0 || self.num_processes == 0 {
            return bad("num_threads and num_processes must be > 0".into());
        }
        let d = self.derive();
        if d.ne < 2 || d.ni < 2 {
            return bad(format!(
                "scale {} gives {} excitatory and {} inhibitory neurons; fixed_indegree \
                 without autapses needs at least 2 of each",
                self.scale, d.ne, d.ni
            ));
        }
        if d.neurons() as u64 + 2 >= u32::MAX as u64 / 2 {
            return bad(format!(
                "scale {} gives {} neurons, more than node ids can number (2^31)",
                self.scale,
                d.neurons()
            ));
        }
        if d.ce > u32::MAX as usize || d.ci > u32::MAX as usize {
            return bad(format!("scale {}: in-degree too large", self.scale));
        }
        if self.record_spikes && d.ne < d.nrec {
            // The script aborts here too (M_ERROR, exit(1)).
            return bad(format!(
                "Nrec {} is more than the {} excitatory neurons at scale {}: spikes can only \
                 be recorded from that many",
                d.nrec, d.ne, self.scale
            ));
        }
        Ok(())
    }

    /// The derived quantities, computed as the script computes them.
    pub fn derive(&self) -> Derived {
        let m = &self.model_params;
        // Python's int() truncates.
        let ne = (9000.0 * self.scale) as usize;
        let ni = (2250.0 * self.scale) as usize;
        let ce = (1.0 * ne as f64 / self.scale) as usize;
        let ci = (1.0 * ni as f64 / self.scale) as usize;
        let conversion_factor = convert_synapse_weight(m.tau_m, m.tau_syn_ex, m.c_m);
        let je_pa = conversion_factor * self.je;
        let nu_thresh =
            m.v_th / (ce as f64 * m.tau_m / m.c_m * je_pa * std::f64::consts::E * TAU_SYN);
        let nu_ext = nu_thresh * self.eta;
        let nrec = if self.num_threads != 1 {
            self.nrec * self.num_processes
        } else {
            self.nrec
        };
        Derived {
            ne,
            ni,
            ce,
            ci,
            conversion_factor,
            je_pa,
            nu_thresh,
            nu_ext,
            stimulus_rate: nu_ext * ce as f64 * 1000.0,
            nrec,
        }
    }
}

/// The built network and the handles the script keeps.
#[derive(Debug, Clone)]
pub struct HpcBenchmark {
    /// The network.
    pub net: Network,
    /// `E_neurons`.
    pub e_neurons: NodeCollection,
    /// `I_neurons`.
    pub i_neurons: NodeCollection,
    /// `E_stimulus`: the Poisson generator.
    pub stimulus: NodeCollection,
    /// `E_recorder` (`None` without `record_spikes`).
    pub recorder: Option<NodeCollection>,
    /// The derived quantities.
    pub derived: Derived,
}

/// Describe the network exactly as the script's `build_network` does.
pub fn build(p: &HpcBenchmarkParams) -> Result<HpcBenchmark, HpcBenchmarkError> {
    build_network(p, true)
}

fn build_network(p: &HpcBenchmarkParams, draw_vm: bool) -> Result<HpcBenchmark, HpcBenchmarkError> {
    p.validate()?;
    let d = p.derive();
    let res = Resolution::new(p.dt).map_err(NetworkError::from)?;
    let mut net = Network::new(res, p.rng_seed);

    let mut neuron = NeuronParams::defaults(&IAF_PSC_ALPHA);
    for (name, v) in p.model_params.items() {
        neuron
            .set(name, v)
            .map_err(|e| HpcBenchmarkError::Params(format!("model_params: {name}: {e}")))?;
    }
    neuron
        .validate()
        .map_err(|e| HpcBenchmarkError::Params(format!("model_params: {e}")))?;
    let e_neurons = net.create_neurons(d.ne, neuron.clone())?;
    let i_neurons = net.create_neurons(d.ni, neuron)?;
    if p.randomize_vm && draw_vm {
        let random_vm = Param::Normal {
            mean: p.mean_potential,
            std: p.sigma_potential,
        };
        net.set_neuron_values(&e_neurons, "V_m", &random_vm)?;
        net.set_neuron_values(&i_neurons, "V_m", &random_vm)?;
    }

    let stimulus =
        net.create_poisson_generator(PoissonGeneratorParams::with_rate(d.stimulus_rate))?;
    let recorder = match p.record_spikes {
        true => Some(net.create_spike_recorder(SpikeRecorderParams {
            label: p.label.clone(),
            record_to: p.record_to,
            ..Default::default()
        })?),
        false => None,
    };

    net.set_synapse_defaults(STATIC_MODEL, None, Some(p.delay))?;
    net.copy_model(STATIC_MODEL, "syn_ex", Some(d.je_pa), None)?;
    net.copy_model(STATIC_MODEL, "syn_in", Some(p.g * d.je_pa), None)?;
    // SetDefaults(stdp_pl_synapse_hom_hpc, stdp_params with the weight):
    // the rule's parameters, then weight and delay, as spindle.nest does.
    let s = &p.stdp;
    let rule: Vec<(String, f64)> = [
        ("alpha", s.alpha),
        ("lambda", s.lambda),
        ("mu", s.mu),
        ("tau_plus", s.tau_plus),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), *v))
    .collect();
    net.set_synapse_params(STDP_MODEL, &rule)?;
    net.set_synapse_defaults(STDP_MODEL, Some(d.je_pa), Some(s.delay))?;

    let syn_ex = SynSpec::model("syn_ex");
    let syn_in = SynSpec::model("syn_in");
    net.connect(&stimulus, &e_neurons, ConnRule::all_to_all(), &syn_ex)?;
    net.connect(&stimulus, &i_neurons, ConnRule::all_to_all(), &syn_ex)?;
    let indegree = |k: usize| {
        ConnRule::fixed_indegree(k as u32)
            .autapses(false)
            .multapses(true)
    };
    net.connect(
        &e_neurons,
        &e_neurons,
        indegree(d.ce),
        &SynSpec::model(STDP_MODEL),
    )?;
    net.connect(&i_neurons, &e_neurons, indegree(d.ci), &syn_in)?;
    net.connect(&e_neurons, &i_neurons, indegree(d.ce), &syn_ex)?;
    net.connect(&i_neurons, &i_neurons, indegree(d.ci), &syn_in)?;
    if let Some(rec) = &recorder {
        let recorded = e_neurons
            .slice(0..d.nrec)
            .ok_or_else(|| HpcBenchmarkError::Params("Nrec: no such neurons".into()))?;
        net.connect(
            &recorded,
            rec,
            ConnRule::all_to_all(),
            &SynSpec::model(STATIC_MODEL),
        )?;
    }
    Ok(HpcBenchmark {
        net,
        e_neurons,
        i_neurons,
        stimulus,
        recorder,
        derived: d,
    })
}

/// Bytes the description holds per neuron whose `V_m` was drawn.
const PER_NODE_PARAMS_BYTES: u64 = (size_of::<NeuronParams>() + 16 * size_of::<f64>() + 64) as u64;

/// A lower bound of the memory [bytes] the network takes, immediate at
/// any scale: every plastic synapse holds at least its `f64` weight.
pub fn min_bytes(p: &HpcBenchmarkParams) -> Result<u64, HpcBenchmarkError> {
    p.validate()?;
    Ok(p.derive()
        .plastic_synapses()
        .saturating_mul(size_of::<f64>() as u64))
}

/// An estimate of the peak memory [bytes] of building and running the
/// network with `threads` shards, made before the membrane potentials are
/// drawn (`spindle_network::estimate_bytes` of the description, plus what
/// the drawn values take).
pub fn estimate_bytes(p: &HpcBenchmarkParams, threads: usize) -> Result<u64, HpcBenchmarkError> {
    let b = build_network(p, false)?;
    let engine = spindle_network::estimate_bytes(&b.net, threads)?;
    Ok(engine.saturating_add((b.derived.neurons() as u64).saturating_mul(PER_NODE_PARAMS_BYTES)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert_w_is_scipys() {
        // scipy.special.lambertw(x, k=-1).real, printed with repr().
        let tau_syn = TAU_SYN;
        let a = 10.0 / tau_syn;
        let x = -(-1.0 / a).exp() / a;
        assert_eq!(x, -0.03153819773998817);
        assert_eq!(scipy_lambert_wm1(x), -5.08232459560716);
    }

    #[test]
    fn the_scripts_numbers() {
        let d = HpcBenchmarkParams::default().derive();
        assert_eq!((d.ne, d.ni, d.ce, d.ci), (9000, 2250, 9000, 2250));
        assert_eq!(d.recurrent_synapses(), 126_562_500);
        // The script's figures (numpy and scipy), to the bit.
        assert_eq!(d.conversion_factor, 325.78285940386394);
        assert_eq!(d.je_pa, 45.609600316540956);
        assert_eq!(d.stimulus_rate, 20856.037200898867);
        let small = HpcBenchmarkParams {
            nrec: 100,
            ..HpcBenchmarkParams::at_scale(0.05)
        }
        .derive();
        assert_eq!(
            (small.ne, small.ni, small.ce, small.ci),
            (450, 112, 9000, 2240)
        );
        // Nrec grows with the processes unless one thread per process.
        let p = HpcBenchmarkParams {
            num_processes: 2,
            ..Default::default()
        };
        assert_eq!(p.derive().nrec, 2000);
        let p = HpcBenchmarkParams {
            num_threads: 1,
            ..p
        };
        assert_eq!(p.derive().nrec, 1000);
    }

    #[test]
    fn build_makes_the_scripts_nodes_and_connections() {
        let p = HpcBenchmarkParams {
            nrec: 50,
            record_to: RecordTo::Memory,
            ..HpcBenchmarkParams::at_scale(0.02)
        };
        let b = build(&p).unwrap();
        let d = &b.derived;
        assert_eq!((d.ne, d.ni), (180, 45));
        assert_eq!(b.net.num_nodes(), d.neurons() + 2);
        assert_eq!(
            b.net.num_connections(STDP_MODEL).unwrap(),
            d.plastic_synapses()
        );
        assert_eq!(
            b.net.num_connections("syn_ex").unwrap(),
            d.ni as u64 * d.ce as u64 + d.neurons() as u64
        );
        assert_eq!(b.net.num_connections(STATIC_MODEL).unwrap(), 50);
        let a = b.net.neuron_params(1).unwrap();
        let c = b.net.neuron_params(2).unwrap();
        assert_ne!(a.get("V_m").unwrap(), c.get("V_m").unwrap());
        assert_eq!(a.get("tau_minus").unwrap(), 30.0);
        assert!(estimate_bytes(&p, 2).unwrap() > min_bytes(&p).unwrap());
    }

    #[test]
    fn bad_scales_and_too_many_recorded_are_refused() {
        for scale in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let e = build(&HpcBenchmarkParams::at_scale(scale)).unwrap_err();
            assert!(e.to_string().contains("positive number"), "{e}");
        }
        let e = HpcBenchmarkParams::at_scale(1e-4).validate().unwrap_err();
        assert!(e.to_string().contains("at least 2"), "{e}");
        let e = HpcBenchmarkParams::at_scale(0.1).validate().unwrap_err();
        assert!(e.to_string().contains("Nrec 1000"), "{e}");
        let e = HpcBenchmarkParams::at_scale(1e6).validate().unwrap_err();
        assert!(e.to_string().contains("node ids"), "{e}");
    }
}
