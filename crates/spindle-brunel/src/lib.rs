//! The seed scenario: NEST's `brunel_alpha_nest.py`, Brunel's (2000) sparse
//! balanced network of `iaf_psc_alpha` neurons, built through Spindle's
//! NEST-like API exactly as the script builds it: the same populations,
//! synapse models, connection calls and recorders, in the same order.
#![forbid(unsafe_code)]

use spindle_core::Resolution;
use spindle_models::IafPscAlphaParams;
use spindle_models::devices::{PoissonGeneratorParams, RecordTo, SpikeRecorderParams};
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
    /// Neuron parameters (the script's: C_m 250 pF, tau_m 20 ms,
    /// tau_syn 0.5 ms, t_ref 2 ms, E_L = V_reset = V_m = 0, V_th 20 mV).
    pub neuron: IafPscAlphaParams,
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
            neuron: seed_neuron(),
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
    /// Time of the PSP maximum [ms].
    pub t_max: f64,
    /// PSP peak per pA of current amplitude [mV/pA].
    pub j_unit: f64,
    /// Excitatory weight [pA].
    pub j_ex: f64,
    /// Inhibitory weight [pA].
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

impl BrunelParams {
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
        let n = &self.neuron;
        let tau_syn = n.tau_syn_ex;
        let theta = n.v_th - n.e_l;
        let (t_max, j_unit) = compute_psp_norm(n.tau_m, n.c_m, tau_syn);
        let j_ex = self.j / j_unit;
        let j_in = -self.g * j_ex;
        let e = std::f64::consts::E;
        let nu_th = (theta * n.c_m) / (j_ex * ce as f64 * e * n.tau_m * tau_syn);
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
        return Err(NetworkError::EmptyCreate("iaf_psc_alpha"));
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
    let nodes_ex = net.create_neurons(d.ne, p.neuron)?;
    let nodes_in = net.create_neurons(d.ni, p.neuron)?;
    let noise = net.create_poisson_generator(PoissonGeneratorParams::with_rate(d.p_rate))?;
    let espikes = net.create_spike_recorder(SpikeRecorderParams {
        label: p.labels.0.clone(),
        record_to: p.record_to,
    })?;
    let ispikes = net.create_spike_recorder(SpikeRecorderParams {
        label: p.labels.1.clone(),
        record_to: p.record_to,
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
