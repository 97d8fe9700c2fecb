//! The cortical microcircuit of Potjans & Diesmann (2014), "PD14", built
//! through Spindle's NEST-like API exactly as NEST's PyNEST example builds
//! it (vendored in `tests/data/microcircuit/pd14`, described in
//! `tests/data/microcircuit/API.md`): eight `iaf_psc_exp` populations of
//! layers 2/3, 4, 5 and 6, connected by `fixed_total_number` projections
//! with weights and delays drawn per synapse, driven by Poisson input or
//! the DC current that replaces it.
//!
//! [`MicrocircuitParams`] holds the example's parameters under its names
//! (`network_params.py`, `sim_params.py`); [`MicrocircuitParams::derive`]
//! computes what `Network.__derive_parameters` derives from them, with
//! the helpers of `helpers.py` written out in Rust below, operation for
//! operation, so that the numbers are the example's to the last bit; and
//! [`build`] makes the same calls in the same order as the example's
//! `create()` and `connect()`, so that at the same seed and thread count a
//! run gives the same spikes as the example run on `spindle.nest`.
#![forbid(unsafe_code)]

use spindle_core::Resolution;
use spindle_core::param::Param;
use spindle_models::devices::{PoissonGeneratorParams, RecordTo, SpikeRecorderParams};
use spindle_models::{IAF_PSC_EXP, NeuronParams};
use spindle_network::{ConnRule, Network, NetworkError, NodeCollection, SynSpec};

/// Number of populations.
pub const NUM_POPS: usize = 8;

/// One value per population.
pub type PerPop<T> = [T; NUM_POPS];

/// One value per (target, source) pair of populations: `m[i][j]` is from
/// population `j` onto population `i`, as in the example's matrices.
pub type Matrix<T> = [[T; NUM_POPS]; NUM_POPS];

/// The populations, in the example's order (`net_dict["populations"]`):
/// excitatory and inhibitory of layers 2/3, 4, 5 and 6.
pub const POPULATIONS: PerPop<&str> = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"];

/// How the background input reaches the neurons (`bg_input_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Drive {
    /// One Poisson generator per population, `bg_rate * K_ext` spikes/s,
    /// each target its own train.
    Poisson,
    /// A constant current (`I_e`) with the Poisson input's mean; the
    /// example's default.
    #[default]
    Dc,
}

impl Drive {
    /// Both drives.
    pub const ALL: [Drive; 2] = [Drive::Poisson, Drive::Dc];

    /// The example's name ("poisson", "dc").
    pub fn name(self) -> &'static str {
        match self {
            Self::Poisson => "poisson",
            Self::Dc => "dc",
        }
    }

    /// The drive the example calls `name`.
    pub fn from_name(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .ok_or_else(|| format!("unknown drive '{name}' (poisson, dc)"))
    }
}

impl std::fmt::Display for Drive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How the initial membrane potentials are drawn (`V0_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum V0Type {
    /// A normal distribution per population (`V0_mean["optimized"]`,
    /// `V0_std["optimized"]`); the example's default.
    #[default]
    Optimized,
    /// One normal distribution for all (`V0_mean["original"]`,
    /// `V0_std["original"]`).
    Original,
}

/// The example's `net_dict["neuron_params"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct NeuronSettings {
    /// `V0_mean["optimized"]` [mV].
    pub v0_mean_optimized: PerPop<f64>,
    /// `V0_std["optimized"]` [mV].
    pub v0_std_optimized: PerPop<f64>,
    /// `V0_mean["original"]` [mV].
    pub v0_mean_original: f64,
    /// `V0_std["original"]` [mV].
    pub v0_std_original: f64,
    /// `E_L` [mV].
    pub e_l: f64,
    /// `V_th` [mV].
    pub v_th: f64,
    /// `V_reset` [mV].
    pub v_reset: f64,
    /// `C_m` [pF]: used to convert PSPs into PSCs; the neurons keep the
    /// model's default (250 pF, the same value), as in the example.
    pub c_m: f64,
    /// `tau_m` [ms]: as `c_m` (the model's default is 10 ms).
    pub tau_m: f64,
    /// `tau_syn` [ms]: `tau_syn_ex` and `tau_syn_in`.
    pub tau_syn: f64,
    /// `t_ref` [ms].
    pub t_ref: f64,
}

impl Default for NeuronSettings {
    fn default() -> Self {
        Self {
            v0_mean_optimized: [
                -68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43,
            ],
            v0_std_optimized: [5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48],
            v0_mean_original: -58.0,
            v0_std_original: 10.0,
            e_l: -65.0,
            v_th: -50.0,
            v_reset: -65.0,
            c_m: 250.0,
            tau_m: 10.0,
            tau_syn: 0.5,
            t_ref: 2.0,
        }
    }
}

/// The example's parameters (`network_params.py` and the parts of
/// `sim_params.py` that shape the network), its defaults in `Default`.
#[derive(Debug, Clone, PartialEq)]
pub struct MicrocircuitParams {
    /// `N_scaling`: neurons per population relative to the full model
    /// (default 1).
    pub n_scaling: f64,
    /// `K_scaling`: in-degrees relative to the full model (default 1);
    /// weights and DC input are adjusted to compensate when it is not 1.
    pub k_scaling: f64,
    /// `full_num_neurons`.
    pub full_num_neurons: PerPop<u64>,
    /// `full_mean_rates` [spikes/s]: the full model's rates, for the
    /// compensating DC input.
    pub full_mean_rates: PerPop<f64>,
    /// `conn_probs[target][source]`.
    pub conn_probs: Matrix<f64>,
    /// `PSP_exc_mean` [mV] (L4E -> L23E: twice that).
    pub psp_exc_mean: f64,
    /// `weight_rel_std`.
    pub weight_rel_std: f64,
    /// `g`: inhibitory PSP relative to excitatory.
    pub g: f64,
    /// `delay_exc_mean` [ms].
    pub delay_exc_mean: f64,
    /// `delay_inh_mean` [ms].
    pub delay_inh_mean: f64,
    /// `delay_rel_std` (0: every delay is the mean).
    pub delay_rel_std: f64,
    /// `bg_input_type` (default "dc").
    pub bg_input_type: Drive,
    /// `K_ext`: external in-degrees of the full model.
    pub k_ext: PerPop<f64>,
    /// `bg_rate` [spikes/s] per external input.
    pub bg_rate: f64,
    /// `delay_poisson` [ms].
    pub delay_poisson: f64,
    /// `V0_type`.
    pub v0_type: V0Type,
    /// `neuron_params`.
    pub neuron: NeuronSettings,
    /// `sim_resolution` [ms] (default 0.1).
    pub sim_resolution: f64,
    /// `rng_seed` (default 55).
    pub rng_seed: u64,
    /// Where the spike recorders' events go (the example: "ascii").
    pub record_to: RecordTo,
    /// The spike recorders' label (the example's: `<data_path>/spike_recorder`).
    pub label: String,
}

impl Default for MicrocircuitParams {
    fn default() -> Self {
        Self {
            n_scaling: 1.0,
            k_scaling: 1.0,
            full_num_neurons: [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948],
            full_mean_rates: [0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829],
            conn_probs: [
                [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
                [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
                [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
                [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
                [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
                [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
                [
                    0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252,
                ],
                [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443],
            ],
            psp_exc_mean: 0.15,
            weight_rel_std: 0.1,
            g: -4.0,
            delay_exc_mean: 1.5,
            delay_inh_mean: 0.75,
            delay_rel_std: 0.5,
            bg_input_type: Drive::Dc,
            k_ext: [
                1600.0, 1500.0, 2100.0, 1900.0, 2000.0, 1900.0, 2900.0, 2100.0,
            ],
            bg_rate: 8.0,
            delay_poisson: 1.5,
            v0_type: V0Type::Optimized,
            neuron: NeuronSettings::default(),
            sim_resolution: 0.1,
            rng_seed: 55,
            record_to: RecordTo::Ascii,
            label: "spike_recorder".into(),
        }
    }
}

/// The example's `get_exc_inh_matrix`: `exc` in the columns of excitatory
/// sources (even), `inh` in those of inhibitory ones.
pub fn exc_inh_matrix(exc: f64, inh: f64) -> Matrix<f64> {
    std::array::from_fn(|_| std::array::from_fn(|j| if j % 2 == 0 { exc } else { inh }))
}

/// `helpers.num_synapses_from_conn_probs`: the synapses between two
/// populations that give connection probability `p` when each is drawn
/// uniformly among all pairs (`log(1 - p) / log((n1 n2 - 1) / (n1 n2))`).
pub fn num_synapses_from_conn_probs(
    conn_probs: &Matrix<f64>,
    popsize1: &PerPop<u64>,
    popsize2: &PerPop<u64>,
) -> Matrix<f64> {
    std::array::from_fn(|i| {
        std::array::from_fn(|j| {
            // numpy: an integer outer product, then float arithmetic.
            let prod = (popsize1[i] * popsize2[j]) as f64;
            (1.0 - conn_probs[i][j]).ln() / ((prod - 1.0) / prod).ln()
        })
    })
}

/// `helpers.postsynaptic_potential_to_current`: the PSC amplitude [pA]
/// per mV of PSP peak for an exponential current.
pub fn postsynaptic_potential_to_current(c_m: f64, tau_m: f64, tau_syn: f64) -> f64 {
    let sub = 1.0 / (tau_syn - tau_m);
    let pre = tau_m * tau_syn / c_m * sub;
    let frac = (tau_m / tau_syn).powf(sub);
    1.0 / (pre * (frac.powf(tau_m) - frac.powf(tau_syn)))
}

/// `helpers.dc_input_compensating_poisson`: the DC [pA] with the mean of
/// the Poisson input.
pub fn dc_input_compensating_poisson(
    bg_rate: f64,
    k_ext: &PerPop<f64>,
    tau_syn: f64,
    psc_ext: f64,
) -> PerPop<f64> {
    k_ext.map(|k| bg_rate * k * psc_ext * tau_syn * 0.001)
}

/// `helpers.compute_rheo_base_current` [pA].
pub fn compute_rheo_base_current(v_th: f64, e_l: f64, c_m: f64, tau_m: f64) -> f64 {
    c_m * (v_th - e_l) / tau_m
}

/// numpy's sum of eight float64 (`np.sum(..., axis=1)` of a row of eight):
/// pairwise, as its reduction loop adds blocks of eight.
fn numpy_sum8(a: &PerPop<f64>) -> f64 {
    ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
}

/// What `helpers.adjust_weights_and_input_to_synapse_scaling` returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjusted {
    /// Recurrent PSC amplitudes [pA].
    pub psc_matrix: Matrix<f64>,
    /// External PSC amplitude [pA].
    pub psc_ext: f64,
    /// DC input [pA].
    pub dc_amp: PerPop<f64>,
}

/// `helpers.adjust_weights_and_input_to_synapse_scaling`: weights scaled
/// by `1 / sqrt(K_scaling)`, and DC added for the mean input the scaled
/// in-degrees lose (recurrent input at the full model's rates, and for
/// Poisson drive the external input).
#[allow(clippy::too_many_arguments)]
pub fn adjust_weights_and_input_to_synapse_scaling(
    full_num_neurons: &PerPop<u64>,
    full_num_synapses: &Matrix<f64>,
    k_scaling: f64,
    mean_psc_matrix: &Matrix<f64>,
    psc_ext: f64,
    tau_syn: f64,
    full_mean_rates: &PerPop<f64>,
    dc_amp: &PerPop<f64>,
    bg_input_type: Drive,
    bg_rate: f64,
    k_ext: &PerPop<f64>,
) -> Adjusted {
    let sqrt_k = k_scaling.sqrt();
    let psc_matrix = mean_psc_matrix.map(|row| row.map(|w| w / sqrt_k));
    let psc_ext_new = psc_ext / sqrt_k;
    let input_rec: PerPop<f64> = std::array::from_fn(|i| {
        let indegree = |j: usize| full_num_synapses[i][j] / full_num_neurons[i] as f64;
        numpy_sum8(&std::array::from_fn(|j| {
            mean_psc_matrix[i][j] * indegree(j) * full_mean_rates[j]
        }))
    });
    // Python evaluates `0.001 * tau_syn * (1.0 - np.sqrt(K))` first.
    let factor = 0.001 * tau_syn * (1.0 - sqrt_k);
    let mut dc = std::array::from_fn(|i| dc_amp[i] + factor * input_rec[i]);
    if bg_input_type == Drive::Poisson {
        for (i, d) in dc.iter_mut().enumerate() {
            let input_ext = psc_ext * k_ext[i] * bg_rate;
            *d += factor * input_ext;
        }
    }
    Adjusted {
        psc_matrix,
        psc_ext: psc_ext_new,
        dc_amp: dc,
    }
}

/// numpy's `np.round`: halves to even.
fn np_round(x: f64) -> u64 {
    // Negative zero and negative values only come from zero probabilities.
    x.round_ties_even().max(0.0) as u64
}

/// What the example derives from its parameters (`Network.__derive_parameters`
/// and `__create_poisson_bg_input`).
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    /// Synapses of the full model (`full_num_synapses`, not rounded).
    pub full_num_synapses: Matrix<f64>,
    /// `num_neurons`: `round(full_num_neurons * N_scaling)`.
    pub num_neurons: PerPop<u64>,
    /// `num_synapses[target][source]`:
    /// `round(full_num_synapses * N_scaling * K_scaling)`.
    pub num_synapses: Matrix<u64>,
    /// `ext_indegrees`: `round(K_ext * K_scaling)`.
    pub ext_indegrees: PerPop<u64>,
    /// `PSC_over_PSP` [pA/mV].
    pub psc_over_psp: f64,
    /// `weight_matrix_mean[target][source]` [pA].
    pub weight_matrix_mean: Matrix<f64>,
    /// `weight_ext` [pA].
    pub weight_ext: f64,
    /// `DC_amp`: each population's `I_e` [pA].
    pub dc_amp: PerPop<f64>,
    /// The Poisson generators' rates, `bg_rate * ext_indegrees` [spikes/s].
    pub poisson_rates: PerPop<f64>,
    /// The rheobase current [pA].
    pub rheobase: f64,
    /// `delay_matrix_mean[target][source]` [ms].
    pub delay_matrix_mean: Matrix<f64>,
    /// The lower bound of the drawn delays, `resolution - 0.5 * resolution`
    /// [ms].
    pub delay_min: f64,
    /// The populations the example warns about: below the rheobase under
    /// DC drive with scaled in-degrees.
    pub sub_threshold: Vec<usize>,
}

impl Derived {
    /// Neurons in all.
    pub fn total_neurons(&self) -> u64 {
        self.num_neurons.iter().sum()
    }

    /// Synapses between neurons in all.
    pub fn total_synapses(&self) -> u64 {
        self.num_synapses.iter().flatten().sum()
    }
}

/// Why the scenario cannot be built.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum MicrocircuitError {
    /// Parameters the example's derivation cannot use.
    #[error("{0}")]
    Params(String),
    /// The network refused a call.
    #[error(transparent)]
    Network(#[from] NetworkError),
}

impl MicrocircuitParams {
    /// The example's parameters at `scale` (`N_scaling = K_scaling = scale`)
    /// with background drive `drive`.
    pub fn at_scale(scale: f64, drive: Drive) -> Self {
        Self {
            n_scaling: scale,
            k_scaling: scale,
            bg_input_type: drive,
            ..Self::default()
        }
    }

    /// `PSP_matrix_mean` [mV] (network_params.py): `PSP_exc_mean` from
    /// excitatory sources, `g` times that from inhibitory ones, twice it
    /// from L4E onto L23E.
    pub fn psp_matrix_mean(&self) -> Matrix<f64> {
        let mut m = exc_inh_matrix(self.psp_exc_mean, self.psp_exc_mean * self.g);
        m[0][2] = 2.0 * self.psp_exc_mean;
        m
    }

    /// `delay_matrix_mean` [ms] (network_params.py).
    pub fn delay_matrix_mean(&self) -> Matrix<f64> {
        exc_inh_matrix(self.delay_exc_mean, self.delay_inh_mean)
    }

    /// Check what the derivation and `build` need.
    pub fn validate(&self) -> Result<(), MicrocircuitError> {
        let bad = |m: String| Err(MicrocircuitError::Params(m));
        for (name, v) in [("N_scaling", self.n_scaling), ("K_scaling", self.k_scaling)] {
            if !(v.is_finite() && v > 0.0) {
                return bad(format!("{name} must be a positive number (got {v})"));
            }
        }
        let d = self.derive();
        if let Some(i) = d.num_neurons.iter().position(|&n| n == 0) {
            return bad(format!(
                "N_scaling {} leaves population {} without neurons (round({} * {}) = 0)",
                self.n_scaling, POPULATIONS[i], self.full_num_neurons[i], self.n_scaling
            ));
        }
        if d.total_neurons() + 2 * NUM_POPS as u64 >= u32::MAX as u64 / 2 {
            return bad(format!(
                "N_scaling {} gives {} neurons, more than node ids can number (2^31)",
                self.n_scaling,
                d.total_neurons()
            ));
        }
        Ok(())
    }

    /// The derived quantities, computed as the example computes them.
    pub fn derive(&self) -> Derived {
        let p = &self.neuron;
        let full_num_synapses = num_synapses_from_conn_probs(
            &self.conn_probs,
            &self.full_num_neurons,
            &self.full_num_neurons,
        );
        let num_neurons = self
            .full_num_neurons
            .map(|n| np_round(n as f64 * self.n_scaling));
        let num_synapses =
            full_num_synapses.map(|row| row.map(|s| np_round(s * self.n_scaling * self.k_scaling)));
        let ext_indegrees = self.k_ext.map(|k| np_round(k * self.k_scaling));

        let psc_over_psp = postsynaptic_potential_to_current(p.c_m, p.tau_m, p.tau_syn);
        let mut psc_matrix = self
            .psp_matrix_mean()
            .map(|row| row.map(|v| v * psc_over_psp));
        let mut psc_ext = self.psp_exc_mean * psc_over_psp;
        let mut dc_amp = match self.bg_input_type {
            Drive::Poisson => [0.0; NUM_POPS],
            Drive::Dc => {
                dc_input_compensating_poisson(self.bg_rate, &self.k_ext, p.tau_syn, psc_ext)
            }
        };
        let rheobase = compute_rheo_base_current(p.v_th, p.e_l, p.c_m, p.tau_m);
        let mut sub_threshold = Vec::new();
        if self.k_scaling != 1.0 {
            let a = adjust_weights_and_input_to_synapse_scaling(
                &self.full_num_neurons,
                &full_num_synapses,
                self.k_scaling,
                &psc_matrix,
                psc_ext,
                p.tau_syn,
                &self.full_mean_rates,
                &dc_amp,
                self.bg_input_type,
                self.bg_rate,
                &self.k_ext,
            );
            (psc_matrix, psc_ext, dc_amp) = (a.psc_matrix, a.psc_ext, a.dc_amp);
            if self.bg_input_type == Drive::Dc {
                sub_threshold = (0..NUM_POPS).filter(|&i| dc_amp[i] < rheobase).collect();
            }
        }
        let poisson_rates = ext_indegrees.map(|k| self.bg_rate * k as f64);
        let res = self.sim_resolution;
        Derived {
            full_num_synapses,
            num_neurons,
            num_synapses,
            ext_indegrees,
            psc_over_psp,
            weight_matrix_mean: psc_matrix,
            weight_ext: psc_ext,
            dc_amp,
            poisson_rates,
            rheobase,
            delay_matrix_mean: self.delay_matrix_mean(),
            delay_min: res - 0.5 * res,
            sub_threshold,
        }
    }

    /// The initial `V_m` distribution of population `i`.
    pub fn v0(&self, i: usize) -> Param {
        let n = &self.neuron;
        match self.v0_type {
            V0Type::Optimized => Param::Normal {
                mean: n.v0_mean_optimized[i],
                std: n.v0_std_optimized[i],
            },
            V0Type::Original => Param::Normal {
                mean: n.v0_mean_original,
                std: n.v0_std_original,
            },
        }
    }

    /// The synapse specification of the projection from population `j`
    /// onto population `i`: `static_synapse` with the weight
    /// `redraw(normal(W, |W weight_rel_std|), 0, inf)` (`(-inf, 0)` for
    /// negative `W`), the delay `redraw(normal(d, d delay_rel_std),
    /// delay_min, inf)` (`d` itself when `delay_rel_std` is 0).
    pub fn recurrent_synapse(&self, d: &Derived, i: usize, j: usize) -> SynSpec {
        let w = d.weight_matrix_mean[i][j];
        let (w_min, w_max) = if w < 0.0 {
            (f64::NEG_INFINITY, 0.0)
        } else {
            (0.0, f64::INFINITY)
        };
        let delay = d.delay_matrix_mean[i][j];
        let spec = SynSpec::model("static_synapse").with_random_weight(Param::Redraw {
            param: Box::new(Param::Normal {
                mean: w,
                std: (w * self.weight_rel_std).abs(),
            }),
            min: w_min,
            max: w_max,
        });
        if self.delay_rel_std == 0.0 {
            spec.with_delay(delay)
        } else {
            spec.with_random_delay(Param::Redraw {
                param: Box::new(Param::Normal {
                    mean: delay,
                    std: delay * self.delay_rel_std,
                }),
                min: d.delay_min,
                max: f64::INFINITY,
            })
        }
    }
}

/// The built network and the handles the example keeps.
#[derive(Debug, Clone)]
pub struct Microcircuit {
    /// The network.
    pub net: Network,
    /// The populations, in order (`self.pops`).
    pub populations: Vec<NodeCollection>,
    /// One spike recorder per population (`self.spike_recorders`).
    pub recorders: Vec<NodeCollection>,
    /// One Poisson generator per population under Poisson drive
    /// (`self.poisson_bg_input`), none under DC drive.
    pub generators: Vec<NodeCollection>,
    /// The derived quantities.
    pub derived: Derived,
}

/// Describe the network exactly as the example does: `create()` (each
/// population created, its parameters set, its `V_m` drawn; the spike
/// recorders; the Poisson generators) then `connect()` (the 64 recurrent
/// projections, target by target and source by source, those with no
/// synapse included; neurons to recorders; generators to neurons).
pub fn build(p: &MicrocircuitParams) -> Result<Microcircuit, MicrocircuitError> {
    build_network(p, true)
}

fn build_network(p: &MicrocircuitParams, draw_v0: bool) -> Result<Microcircuit, MicrocircuitError> {
    p.validate()?;
    let d = p.derive();
    let res = Resolution::new(p.sim_resolution).map_err(NetworkError::from)?;
    let mut net = Network::new(res, p.rng_seed);
    let n = &p.neuron;

    // __create_neuronal_populations
    let mut populations = Vec::with_capacity(NUM_POPS);
    for i in 0..NUM_POPS {
        let pop = net.create_neurons(
            d.num_neurons[i] as usize,
            NeuronParams::defaults(&IAF_PSC_EXP),
        )?;
        let values = [
            ("tau_syn_ex", n.tau_syn),
            ("tau_syn_in", n.tau_syn),
            ("E_L", n.e_l),
            ("V_th", n.v_th),
            ("V_reset", n.v_reset),
            ("t_ref", n.t_ref),
            ("I_e", d.dc_amp[i]),
        ];
        net.set_neuron_params(&pop, |old| {
            let mut q = old.clone();
            for (name, v) in values {
                q.set(name, v)?;
            }
            Ok(q)
        })?;
        if draw_v0 {
            net.set_neuron_values(&pop, "V_m", &p.v0(i))?;
        }
        populations.push(pop);
    }
    // __create_recording_devices
    let mut recorders = Vec::with_capacity(NUM_POPS);
    for _ in 0..NUM_POPS {
        recorders.push(net.create_spike_recorder(SpikeRecorderParams {
            label: p.label.clone(),
            record_to: p.record_to,
            ..Default::default()
        })?);
    }
    // __create_poisson_bg_input
    let mut generators = Vec::new();
    if p.bg_input_type == Drive::Poisson {
        for rate in d.poisson_rates {
            generators.push(net.create_poisson_generator(PoissonGeneratorParams::with_rate(rate))?);
        }
    }

    // __connect_neuronal_populations
    for (i, target) in populations.iter().enumerate() {
        for (j, source) in populations.iter().enumerate() {
            let rule = ConnRule::fixed_total_number(d.num_synapses[i][j]);
            net.connect(source, target, rule, &p.recurrent_synapse(&d, i, j))?;
        }
    }
    // __connect_recording_devices
    for (pop, recorder) in populations.iter().zip(&recorders) {
        net.connect(
            pop,
            recorder,
            ConnRule::all_to_all(),
            &SynSpec::model("static_synapse"),
        )?;
    }
    // __connect_poisson_bg_input
    for (generator, pop) in generators.iter().zip(&populations) {
        let syn = SynSpec::model("static_synapse")
            .with_weight(d.weight_ext)
            .with_delay(p.delay_poisson);
        net.connect(generator, pop, ConnRule::all_to_all(), &syn)?;
    }
    Ok(Microcircuit {
        net,
        populations,
        recorders,
        generators,
        derived: d,
    })
}

/// Bytes the network's description holds per neuron whose parameters are
/// its own (each neuron's drawn `V_m`): its parameters and their map entry.
const PER_NODE_PARAMS_BYTES: u64 = (size_of::<NeuronParams>() + 16 * size_of::<f64>() + 64) as u64;

/// A lower bound of the memory [bytes] the network takes, from the
/// derived sizes alone (nothing is built or drawn, so it is immediate at
/// any scale): every recurrent synapse holds at least its own drawn
/// weight, an `f32`.
pub fn min_bytes(p: &MicrocircuitParams) -> Result<u64, MicrocircuitError> {
    p.validate()?;
    Ok(p.derive()
        .total_synapses()
        .saturating_mul(size_of::<f32>() as u64))
}

/// An estimate of the peak memory [bytes] of building and running the
/// network with `threads` shards, made before anything per neuron is
/// drawn: the network's estimate (`spindle_network::estimate_bytes`) of
/// the description without the initial `V_m` draws, plus what the drawn
/// values take in the description.
pub fn estimate_bytes(p: &MicrocircuitParams, threads: usize) -> Result<u64, MicrocircuitError> {
    let m = build_network(p, false)?;
    let engine = spindle_network::estimate_bytes(&m.net, threads)?;
    Ok(engine.saturating_add(
        m.derived
            .total_neurons()
            .saturating_mul(PER_NODE_PARAMS_BYTES),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_numbers_at_scale_0_1() {
        let d = MicrocircuitParams::at_scale(0.1, Drive::Poisson).derive();
        assert_eq!(d.num_neurons, [2068, 583, 2192, 548, 485, 106, 1440, 295]);
        assert_eq!(d.total_synapses(), 2_988_807);
        assert_eq!(
            d.num_synapses.iter().flatten().filter(|&&n| n == 0).count(),
            9
        );
        assert_eq!(d.ext_indegrees, [160, 150, 210, 190, 200, 190, 290, 210]);
        assert_eq!(d.poisson_rates[6], 2320.0);
        assert!((d.psc_over_psp - 585.39).abs() < 0.01);
        assert!((d.weight_matrix_mean[0][2] - 555.35).abs() < 0.01);
        assert!((d.weight_matrix_mean[0][1] + 1110.70).abs() < 0.01);
        assert!((d.dc_amp[0] - 29.04).abs() < 0.01);
        assert!(d.sub_threshold.is_empty());
        let dc = MicrocircuitParams::at_scale(0.1, Drive::Dc).derive();
        assert!((dc.dc_amp[7] - 386.96).abs() < 0.01);
        assert_eq!(dc.sub_threshold, vec![0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(dc.rheobase, 375.0);
    }

    #[test]
    fn full_scale_has_no_compensation() {
        let d = MicrocircuitParams::at_scale(1.0, Drive::Poisson).derive();
        assert_eq!(d.dc_amp, [0.0; NUM_POPS]);
        assert_eq!(d.total_neurons(), 77_169);
        assert!((d.weight_ext - 87.81).abs() < 0.01);
    }

    #[test]
    fn build_makes_the_examples_nodes_and_connections() {
        let p = MicrocircuitParams {
            record_to: RecordTo::Memory,
            ..MicrocircuitParams::at_scale(0.02, Drive::Poisson)
        };
        let m = build(&p).unwrap();
        let d = &m.derived;
        let neurons = d.total_neurons();
        assert_eq!(m.net.num_nodes() as u64, neurons + 16);
        assert_eq!(m.net.projections().len(), 64);
        assert_eq!(
            m.net.num_connections("static_synapse").unwrap(),
            d.total_synapses() + 2 * neurons
        );
        assert_eq!(m.recorders[0].first() as u64, neurons + 1);
        assert_eq!(m.generators[7].first() as u64, neurons + 16);
        // Each neuron's own V_m, the population's I_e.
        let first = m.populations[3].first();
        let a = m.net.neuron_params(first).unwrap();
        let b = m.net.neuron_params(first + 1).unwrap();
        assert_ne!(a.get("V_m").unwrap(), b.get("V_m").unwrap());
        assert_eq!(a.get("I_e").unwrap(), d.dc_amp[3]);
        assert_eq!(a.get("tau_syn_in").unwrap(), 0.5);
        assert_eq!(a.get("C_m").unwrap(), 250.0);
        let dc = build(&MicrocircuitParams {
            bg_input_type: Drive::Dc,
            ..p
        })
        .unwrap();
        assert!(dc.generators.is_empty());
        assert_eq!(dc.net.num_nodes() as u64, neurons + 8);
    }

    #[test]
    fn too_small_and_bad_scales_are_refused() {
        for scale in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let e = build(&MicrocircuitParams::at_scale(scale, Drive::Dc)).unwrap_err();
            assert!(e.to_string().contains("must be a positive number"), "{e}");
        }
        let e = build(&MicrocircuitParams::at_scale(1e-4, Drive::Dc)).unwrap_err();
        assert!(e.to_string().contains("without neurons"), "{e}");
        let e = MicrocircuitParams::at_scale(1e5, Drive::Dc)
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("node ids"), "{e}");
        assert!(
            estimate_bytes(&MicrocircuitParams::at_scale(0.05, Drive::Poisson), 2).unwrap() > 0
        );
    }

    #[test]
    fn drives_by_name() {
        for d in Drive::ALL {
            assert_eq!(Drive::from_name(d.name()), Ok(d));
        }
        assert!(
            Drive::from_name("thalamic")
                .unwrap_err()
                .contains("poisson, dc")
        );
    }
}
