//! The seed scenario: NEST's `brunel_alpha_nest.py`, Brunel's (2000) sparse
//! balanced network of `iaf_psc_alpha` neurons, built through Spindle's
//! NEST-like API exactly as the script builds it: the same populations,
//! synapse models, connection calls and recorders, in the same order.
//!
//! Its variants ([`Model`]) follow NEST's other scripts of the same network:
//! `brunel_delta_nest.py` with `iaf_psc_delta`, and, for `iaf_psc_exp`
//! (which has no NEST example), `brunel_alpha_nest.py` with the model
//! swapped and the PSC amplitude and threshold rate derived for an
//! exponential current (see [`compute_psp_norm_exp`]).
#![forbid(unsafe_code)]

use spindle_core::Resolution;
use spindle_models::devices::{PoissonGeneratorParams, RecordTo, SpikeRecorderParams};
use spindle_models::{
    IAF_PSC_ALPHA, IAF_PSC_DELTA, IAF_PSC_EXP, IafPscAlphaParams, IafPscDeltaParams,
    IafPscExpParams, ModelRef, NeuronParams,
};
use spindle_network::{ConnRule, Network, NetworkError, NodeCollection, SynSpec};

/// The script's parameters (its defaults in `Default`).
#[derive(Debug, Clone, PartialEq)]
pub struct BrunelParams {
    /// Network size: NE = 4 order, NI = order (default 2500).
    pub order: usize,
    /// Resolution [ms] (default 0.1).
    pub dt: f64,
    /// Synaptic delay [ms] (default 1.5).
    pub delay: f64,
    /// Ratio of inhibitory to excitatory weight (default 5).
    pub g: f64,
    /// External rate relative to threshold rate (default 2).
    pub eta: f64,
    /// Connection probability (default 0.1).
    pub epsilon: f64,
    /// PSP amplitude [mV] (default 0.1).
    pub j: f64,
    /// Neurons recorded per population (default 50).
    pub n_rec: usize,
    /// Which script's network: its neuron model and how the weights and
    /// the external rate follow from `j` (default `iaf_psc_alpha`).
    pub model: Model,
    /// Neuron parameters, of `model`'s neuron model (the script's, from
    /// [`Model::neuron`]; for the default: C_m 250 pF, tau_m 20 ms,
    /// tau_syn 0.5 ms, t_ref 2 ms, E_L = V_reset = V_m = 0, V_th 20 mV).
    pub neuron: NeuronParams,
    /// Master seed.
    pub seed: u64,
    /// Where the spike recorders write.
    pub record_to: RecordTo,
    /// Recorder labels (the script's "brunel-py-ex", "brunel-py-in").
    pub labels: (String, String),
    /// How the in-degrees follow the order.
    pub scaling: Scaling,
}

/// How the in-degrees grow with the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scaling {
    /// The seed's: `CE = int(epsilon * NE)`, `CI = int(epsilon * NI)`, so
    /// synapses grow as order².
    #[default]
    Seed,
    /// Fixed in-degrees of the order-2500 network (`CE = 1000`,
    /// `CI = 250`) at every order, as NEST's hpc_benchmark keeps them:
    /// synapses grow as order, for weak scaling.
    Indegree,
}

impl Scaling {
    /// The name used on the command line and in result files.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Seed => "seed",
            Self::Indegree => "indegree",
        }
    }
}

/// The variants of the scenario: one per neuron model, each following the
/// NEST script of that model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Model {
    /// `brunel_alpha_nest.py` (the seed).
    #[default]
    IafPscAlpha,
    /// `brunel_delta_nest.py`: `J` is the jump of V_m itself [mV], so the
    /// weights are `J` and `-g J` with no PSP normalisation, and the
    /// threshold rate is `theta / (J CE tau_m)`.
    IafPscDelta,
    /// `brunel_alpha_nest.py` with `iaf_psc_exp` (NEST has no example of
    /// its own): the same neuron parameters, the weight that gives a PSP
    /// peak of `J` for an exponential current ([`compute_psp_norm_exp`]),
    /// and the threshold rate for its charge `J_ex tau_syn` per spike
    /// (`theta C_m / (J_ex CE tau_m tau_syn)`; the alpha script's has a
    /// factor e for the alpha current's charge `e J_ex tau_syn`).
    IafPscExp,
}

impl Model {
    /// Every variant.
    pub const ALL: [Model; 3] = [Self::IafPscAlpha, Self::IafPscDelta, Self::IafPscExp];

    /// NEST's name of the neuron model.
    pub fn name(self) -> &'static str {
        self.neuron_model().name()
    }

    /// The variant of the neuron model NEST calls `name`; the error says
    /// which names there are.
    pub fn from_name(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|m| m.name()).collect();
                format!("unknown model '{name}' (one of {})", names.join(", "))
            })
    }

    /// The neuron model.
    pub fn neuron_model(self) -> ModelRef {
        match self {
            Self::IafPscAlpha => &IAF_PSC_ALPHA,
            Self::IafPscDelta => &IAF_PSC_DELTA,
            Self::IafPscExp => &IAF_PSC_EXP,
        }
    }

    /// The NEST script the variant follows.
    pub fn script(self) -> &'static str {
        match self {
            Self::IafPscAlpha => "brunel_alpha_nest.py",
            Self::IafPscDelta => "brunel_delta_nest.py",
            Self::IafPscExp => "brunel_alpha_nest.py with iaf_psc_exp",
        }
    }

    /// Whether the neuron has synaptic time constants (`tau_syn_ex`,
    /// `tau_syn_in`).
    pub fn has_tau_syn(self) -> bool {
        self != Self::IafPscDelta
    }

    /// The script's neuron parameters.
    pub fn neuron(self) -> NeuronParams {
        match self {
            Self::IafPscAlpha => seed_neuron().into(),
            Self::IafPscDelta => delta_neuron().into(),
            Self::IafPscExp => exp_neuron().into(),
        }
    }
}

impl std::fmt::Display for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Default for BrunelParams {
    fn default() -> Self {
        Self {
            order: 2500,
            dt: 0.1,
            delay: 1.5,
            g: 5.0,
            eta: 2.0,
            epsilon: 0.1,
            j: 0.1,
            n_rec: 50,
            model: Model::IafPscAlpha,
            neuron: seed_neuron().into(),
            seed: 1,
            record_to: RecordTo::Ascii,
            labels: ("brunel-py-ex".into(), "brunel-py-in".into()),
            scaling: Scaling::Seed,
        }
    }
}

/// The script's neuron parameters.
pub fn seed_neuron() -> IafPscAlphaParams {
    IafPscAlphaParams {
        c_m: 250.0,
        tau_m: 20.0,
        tau_syn_ex: 0.5,
        tau_syn_in: 0.5,
        t_ref: 2.0,
        e_l: 0.0,
        v_reset: 0.0,
        v_m: 0.0,
        v_th: 20.0,
        ..IafPscAlphaParams::default()
    }
}

/// `brunel_delta_nest.py`'s neuron parameters.
pub fn delta_neuron() -> IafPscDeltaParams {
    IafPscDeltaParams {
        c_m: 1.0,
        tau_m: 20.0,
        t_ref: 2.0,
        e_l: 0.0,
        v_reset: 0.0,
        v_m: 0.0,
        v_th: 20.0,
        ..IafPscDeltaParams::default()
    }
}

/// The seed's neuron parameters for `iaf_psc_exp` (its model's defaults
/// otherwise: no escape noise).
pub fn exp_neuron() -> IafPscExpParams {
    let a = seed_neuron();
    IafPscExpParams {
        c_m: a.c_m,
        tau_m: a.tau_m,
        tau_syn_ex: a.tau_syn_ex,
        tau_syn_in: a.tau_syn_in,
        t_ref: a.t_ref,
        e_l: a.e_l,
        v_reset: a.v_reset,
        v_m: a.v_m,
        v_th: a.v_th,
        ..IafPscExpParams::default()
    }
}

/// The constants the script derives from its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Derived {
    /// Excitatory neurons.
    pub ne: usize,
    /// Inhibitory neurons.
    pub ni: usize,
    /// Excitatory in-degree `int(epsilon * NE)`.
    pub ce: usize,
    /// Inhibitory in-degree `int(epsilon * NI)`.
    pub ci: usize,
    /// Time of the PSP maximum [ms] (0 for `iaf_psc_delta`, whose PSP is
    /// a jump).
    pub t_max: f64,
    /// PSP peak per unit of weight [mV/pA] (1 for `iaf_psc_delta`, whose
    /// weight is the jump in mV).
    pub j_unit: f64,
    /// Excitatory weight [pA; mV for `iaf_psc_delta`].
    pub j_ex: f64,
    /// Inhibitory weight [pA; mV for `iaf_psc_delta`].
    pub j_in: f64,
    /// Threshold rate [1/ms].
    pub nu_th: f64,
    /// External rate per synapse [1/ms].
    pub nu_ex: f64,
    /// Poisson generator rate [Hz].
    pub p_rate: f64,
}

/// Lambert W, branch -1 (x in [-1/e, 0)), polished by Halley's method to
/// full double precision, as scipy's `lambertw(x, k=-1)`.
pub fn lambert_wm1(x: f64) -> f64 {
    let mut w = lambert_w::lambert_wm1(x);
    for _ in 0..3 {
        let ew = w.exp();
        let f = w * ew - x;
        if f == 0.0 {
            break;
        }
        let next = w - f / (ew * (w + 1.0) - (w + 2.0) * f / (2.0 * w + 2.0));
        if !next.is_finite() {
            break;
        }
        w = next;
    }
    w
}

/// The script's `ComputePSPnorm`: time of the PSP maximum and the maximum
/// of the PSP for a unit (1 pA) current amplitude.
pub fn compute_psp_norm(tau_m: f64, c_m: f64, tau_syn: f64) -> (f64, f64) {
    let a = tau_m / tau_syn;
    let b = 1.0 / tau_syn - 1.0 / tau_m;
    let t_max = 1.0 / b * (-lambert_wm1(-(-1.0 / a).exp() / a) - 1.0 / a);
    let e = std::f64::consts::E;
    let peak = e / (tau_syn * c_m * b)
        * (((-t_max / tau_m).exp() - (-t_max / tau_syn).exp()) / b
            - t_max * (-t_max / tau_syn).exp());
    (t_max, peak)
}

/// For an exponential current `I(t) = exp(-t / tau_syn)` [pA] (what
/// `iaf_psc_exp` makes of a unit weight), the analogue of the script's
/// `ComputePSPnorm`: the time of the PSP maximum and the maximum [mV].
///
/// With `b = 1/tau_syn - 1/tau_m` the PSP is
/// `V(t) = (exp(-t/tau_m) - exp(-t/tau_syn)) / (C_m b)`; `V'(t) = 0` at
/// `t_max = ln(tau_m / tau_syn) / b`. When `tau_m == tau_syn` (b = 0) it is
/// the limit `V(t) = t exp(-t/tau) / C_m`, peaking at `t_max = tau` with
/// `tau / (e C_m)`.
pub fn compute_psp_norm_exp(tau_m: f64, c_m: f64, tau_syn: f64) -> (f64, f64) {
    if tau_m == tau_syn {
        return (tau_m, tau_m / (std::f64::consts::E * c_m));
    }
    let b = 1.0 / tau_syn - 1.0 / tau_m;
    let t_max = (tau_m / tau_syn).ln() / b;
    let peak = ((-t_max / tau_m).exp() - (-t_max / tau_syn).exp()) / (c_m * b);
    (t_max, peak)
}

impl BrunelParams {
    /// The script's parameters for `model` (the seed's with that model's
    /// neuron parameters; every variant's script shares the rest).
    pub fn for_model(model: Model) -> Self {
        Self {
            model,
            neuron: model.neuron(),
            ..Self::default()
        }
    }

    /// The derived constants, computed as the script computes them.
    pub fn derive(&self) -> Derived {
        let ne = 4 * self.order;
        let ni = self.order;
        let (ce, ci) = match self.scaling {
            Scaling::Seed => (
                (self.epsilon * ne as f64) as usize,
                (self.epsilon * ni as f64) as usize,
            ),
            Scaling::Indegree => (1000, 250),
        };
        // NaN for a parameter the model lacks (`build` refuses such a set).
        let get = |name| self.neuron.get(name).unwrap_or(f64::NAN);
        let (c_m, tau_m) = (get("C_m"), get("tau_m"));
        let theta = get("V_th") - get("E_L");
        let e = std::f64::consts::E;
        let (t_max, j_unit, j_ex, nu_th) = match self.model {
            Model::IafPscAlpha => {
                let tau_syn = get("tau_syn_ex");
                let (t_max, j_unit) = compute_psp_norm(tau_m, c_m, tau_syn);
                let j_ex = self.j / j_unit;
                let nu_th = (theta * c_m) / (j_ex * ce as f64 * e * tau_m * tau_syn);
                (t_max, j_unit, j_ex, nu_th)
            }
            Model::IafPscExp => {
                let tau_syn = get("tau_syn_ex");
                let (t_max, j_unit) = compute_psp_norm_exp(tau_m, c_m, tau_syn);
                let j_ex = self.j / j_unit;
                let nu_th = (theta * c_m) / (j_ex * ce as f64 * tau_m * tau_syn);
                (t_max, j_unit, j_ex, nu_th)
            }
            Model::IafPscDelta => (0.0, 1.0, self.j, theta / (self.j * ce as f64 * tau_m)),
        };
        let j_in = -self.g * j_ex;
        let nu_ex = self.eta * nu_th;
        let p_rate = 1000.0 * nu_ex * ce as f64;
        Derived {
            ne,
            ni,
            ce,
            ci,
            t_max,
            j_unit,
            j_ex,
            j_in,
            nu_th,
            nu_ex,
            p_rate,
        }
    }
}

/// The built description and the handles the script keeps.
#[derive(Debug, Clone)]
pub struct Brunel {
    /// The network.
    pub net: Network,
    /// Excitatory neurons.
    pub nodes_ex: NodeCollection,
    /// Inhibitory neurons.
    pub nodes_in: NodeCollection,
    /// The Poisson generator.
    pub noise: NodeCollection,
    /// Recorder of the first `n_rec` excitatory neurons.
    pub espikes: NodeCollection,
    /// Recorder of the first `n_rec` inhibitory neurons.
    pub ispikes: NodeCollection,
    /// Derived constants.
    pub derived: Derived,
}

/// Why the scenario cannot be built.
pub type BrunelError = NetworkError;

/// Describe the network exactly as the script does.
pub fn build(p: &BrunelParams) -> Result<Brunel, BrunelError> {
    let res = Resolution::new(p.dt)?;
    let d = p.derive();
    if p.order == 0 {
        return Err(NetworkError::EmptyCreate(p.model.name()));
    }
    if p.neuron.model().name() != p.model.name() {
        return Err(NetworkError::Param {
            model: p.neuron.model().name(),
            error: spindle_models::ParamError::Invalid(format!(
                "the {} scenario needs {} neurons",
                p.model.script(),
                p.model.name()
            )),
        });
    }
    if d.ce == 0 {
        // The script divides by CE to get the external rate.
        return Err(NetworkError::Connect(format!(
            "the excitatory in-degree int(epsilon * NE) = int({} * {}) is 0, so the external \
             rate is undefined; raise --order or --epsilon",
            p.epsilon, d.ne
        )));
    }
    if p.n_rec > d.ni {
        return Err(NetworkError::Connect(format!(
            "n_rec {} is larger than the inhibitory population ({} neurons)",
            p.n_rec, d.ni
        )));
    }
    let mut net = Network::new(res, p.seed);
    let nodes_ex = net.create_neurons(d.ne, p.neuron.clone())?;
    let nodes_in = net.create_neurons(d.ni, p.neuron.clone())?;
    let noise = net.create_poisson_generator(PoissonGeneratorParams::with_rate(d.p_rate))?;
    let espikes = net.create_spike_recorder(SpikeRecorderParams {
        label: p.labels.0.clone(),
        record_to: p.record_to,
        ..Default::default()
    })?;
    let ispikes = net.create_spike_recorder(SpikeRecorderParams {
        label: p.labels.1.clone(),
        record_to: p.record_to,
        ..Default::default()
    })?;

    net.copy_model("static_synapse", "excitatory", Some(d.j_ex), Some(p.delay))?;
    net.copy_model("static_synapse", "inhibitory", Some(d.j_in), Some(p.delay))?;
    let ex = SynSpec::model("excitatory");
    let inh = SynSpec::model("inhibitory");

    net.connect(&noise, &nodes_ex, ConnRule::all_to_all(), &ex)?;
    net.connect(&noise, &nodes_in, ConnRule::all_to_all(), &ex)?;
    if p.n_rec > 0 {
        let first = |c: &NodeCollection| c.slice(0..p.n_rec).expect("n_rec checked");
        net.connect(&first(&nodes_ex), &espikes, ConnRule::all_to_all(), &ex)?;
        net.connect(&first(&nodes_in), &ispikes, ConnRule::all_to_all(), &ex)?;
    }
    let all = nodes_ex
        .join(&nodes_in)
        .expect("created one after the other");
    if d.ce > 0 {
        net.connect(&nodes_ex, &all, ConnRule::fixed_indegree(d.ce as u32), &ex)?;
    }
    if d.ci > 0 {
        net.connect(&nodes_in, &all, ConnRule::fixed_indegree(d.ci as u32), &inh)?;
    }
    Ok(Brunel {
        net,
        nodes_ex,
        nodes_in,
        noise,
        espikes,
        ispikes,
        derived: d,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert_w_is_an_inverse() {
        for x in [-0.3, -0.1, -1e-3, -1e-8] {
            let w = lambert_wm1(x);
            assert!(w <= -1.0);
            assert!(
                (w * w.exp() - x).abs() <= 1e-15 * x.abs().max(1e-300) * 4.0,
                "{x} {w}"
            );
        }
    }

    #[test]
    fn seed_counts() {
        let b = build(&BrunelParams {
            order: 250,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(b.net.num_connections("excitatory").unwrap(), 126_350);
        assert_eq!(b.net.num_connections("inhibitory").unwrap(), 31_250);
        let b = build(&BrunelParams {
            order: 2500,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(b.net.num_connections("excitatory").unwrap(), 12_512_600);
        assert_eq!(b.net.num_connections("inhibitory").unwrap(), 3_125_000);
    }

    #[test]
    fn indegree_scaling_keeps_the_order_2500_indegrees() {
        let p = BrunelParams {
            order: 250,
            scaling: Scaling::Indegree,
            ..Default::default()
        };
        let d = p.derive();
        assert_eq!((d.ce, d.ci), (1000, 250));
        let seed = BrunelParams::default().derive();
        assert_eq!(d.p_rate, seed.p_rate);
        let b = build(&p).unwrap();
        assert_eq!(b.net.num_connections("inhibitory").unwrap(), 1250 * 250);
    }

    /// `brunel_delta_nest.py`'s constants, as its own lines compute them
    /// (`J_ex = J`, `nu_th = theta / (J CE tau_m)`, `p_rate = 1000 nu_ex CE`).
    #[test]
    fn delta_constants_are_the_scripts() {
        let p = BrunelParams::for_model(Model::IafPscDelta);
        assert_eq!(p.neuron.model().name(), "iaf_psc_delta");
        for (name, v) in [
            ("C_m", 1.0),
            ("tau_m", 20.0),
            ("t_ref", 2.0),
            ("E_L", 0.0),
            ("V_reset", 0.0),
            ("V_m", 0.0),
            ("V_th", 20.0),
        ] {
            assert_eq!(p.neuron.get(name).unwrap(), v, "{name}");
        }
        let d = p.derive();
        assert_eq!((d.ce, d.ci), (1000, 250));
        assert_eq!((d.j_ex, d.j_in), (0.1, -0.5));
        let nu_th = 20.0 / (0.1 * 1000.0 * 20.0);
        assert_eq!(d.nu_th, nu_th);
        assert_eq!(d.p_rate, 1000.0 * (2.0 * nu_th) * 1000.0);
        let b = build(&BrunelParams {
            order: 20,
            n_rec: 10,
            ..p
        })
        .unwrap();
        assert_eq!(
            b.net.num_connections("excitatory").unwrap(),
            100 * 8 + 100 + 10 + 10
        );
    }

    /// The exponential PSP's peak, against the PSP sampled finely.
    #[test]
    fn exp_psp_norm_is_the_peak_of_the_psp() {
        for (tau_m, c_m, tau_syn) in [(20.0, 250.0, 0.5), (10.0, 1.0, 2.0), (5.0, 100.0, 8.0)] {
            let (t_max, peak) = compute_psp_norm_exp(tau_m, c_m, tau_syn);
            let b: f64 = 1.0 / tau_syn - 1.0 / tau_m;
            let v = |t: f64| ((-t / tau_m).exp() - (-t / tau_syn).exp()) / (c_m * b);
            let (mut best_t, mut best) = (0.0, 0.0);
            for i in 0..200_000 {
                let t = i as f64 * 1e-4;
                if v(t) > best {
                    (best_t, best) = (t, v(t));
                }
            }
            assert!((t_max - best_t).abs() < 2e-4, "{t_max} {best_t}");
            assert!(((peak - best) / best).abs() < 1e-9, "{peak} {best}");
        }
        // tau_m == tau_syn: the limit, and continuous with the general form.
        let (t, peak) = compute_psp_norm_exp(10.0, 250.0, 10.0);
        let (t2, peak2) = compute_psp_norm_exp(10.0, 250.0, 10.0 * (1.0 + 1e-7));
        assert_eq!(t, 10.0);
        assert!((t - t2).abs() < 1e-5 && ((peak - peak2) / peak).abs() < 1e-6);
    }

    /// The exp variant: the seed's neurons as `iaf_psc_exp`, weights for a
    /// 0.1 mV PSP, the threshold rate for an exponential current's charge.
    #[test]
    fn exp_constants() {
        let p = BrunelParams::for_model(Model::IafPscExp);
        assert_eq!(p.neuron.model().name(), "iaf_psc_exp");
        for name in ["C_m", "tau_m", "tau_syn_ex", "tau_syn_in", "t_ref", "V_th"] {
            let seed = NeuronParams::from(seed_neuron()).get(name).unwrap();
            assert_eq!(p.neuron.get(name).unwrap(), seed, "{name}");
        }
        let d = p.derive();
        assert!((d.j_ex * d.j_unit - 0.1).abs() < 1e-15);
        assert!((d.j_ex - 54.96).abs() < 0.01, "{}", d.j_ex);
        // Mean drive at the threshold rate reaches theta:
        // nu_th CE J_ex tau_syn tau_m / C_m = theta.
        let v = d.nu_th * d.ce as f64 * d.j_ex * 0.5 * 20.0 / 250.0;
        assert!((v - 20.0).abs() < 1e-12, "{v}");
        build(&BrunelParams {
            order: 20,
            n_rec: 10,
            ..p
        })
        .unwrap();
    }

    #[test]
    fn models_by_name_and_mismatched_neurons() {
        for m in Model::ALL {
            assert_eq!(Model::from_name(m.name()), Ok(m));
            assert_eq!(m.neuron().model().name(), m.name());
        }
        assert_eq!(Model::default(), Model::IafPscAlpha);
        let err = Model::from_name("iaf_cond_alpha").unwrap_err();
        assert!(err.contains("iaf_psc_delta"), "{err}");
        let p = BrunelParams {
            order: 10,
            model: Model::IafPscDelta,
            ..Default::default()
        };
        let err = build(&p).unwrap_err().to_string();
        assert!(err.contains("needs iaf_psc_delta"), "{err}");
    }

    #[test]
    fn n_rec_must_fit() {
        let p = BrunelParams {
            order: 10,
            n_rec: 11,
            ..Default::default()
        };
        assert!(build(&p).unwrap_err().to_string().contains("n_rec 11"));
    }
}
