//! The flags of a run (the seed network, Brunel's, the PD14
//! microcircuit, NEST's hpc_benchmark or the Brette et al. 2007
//! benchmarks) and their validation into a [`RunConfig`]: numbers only,
//! no file is touched, so the `spindle` command, the property tests and
//! the fuzz targets share one layer. Any combination of values gives a
//! configuration or a one-line error.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};

use crate::brette2007::{Benchmark, Brette2007Params};
use crate::brunel::{self, BrunelParams};
use crate::hpc_benchmark::HpcBenchmarkParams;
use crate::microcircuit::{Drive, MicrocircuitParams};
use crate::models::ParamError;
use crate::models::devices::RecordTo;

/// Where the spike recorders' events go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RecordToArg {
    /// NEST ASCII `.dat` files in --output-dir (the seed's choice).
    Ascii,
    /// Kept in memory only.
    Memory,
    /// Only counted.
    None,
}

/// Which network a run simulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum NetworkArg {
    /// Brunel (2000), as NEST's brunel_alpha_nest.py and its variants (--model).
    #[default]
    Brunel,
    /// The cortical microcircuit of Potjans & Diesmann (2014), as NEST's PD14 example.
    Microcircuit,
    /// NEST's hpc_benchmark.py: a balanced network with STDP, 11,250 neurons per --scale.
    #[value(name = "hpc_benchmark")]
    HpcBenchmark,
    /// NEST's brette_et_al_2007 benchmarks (--model coba, hh_coba or cuba).
    Brette2007,
}

impl NetworkArg {
    /// The name in result records.
    pub fn name(self) -> &'static str {
        match self {
            Self::Brunel => "brunel",
            Self::Microcircuit => "microcircuit",
            Self::HpcBenchmark => "hpc_benchmark",
            Self::Brette2007 => "brette2007",
        }
    }

    /// Every network.
    pub const ALL: [NetworkArg; 4] = [
        Self::Brunel,
        Self::Microcircuit,
        Self::HpcBenchmark,
        Self::Brette2007,
    ];
}

/// The microcircuit's background input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DriveArg {
    /// Poisson generators, bg_rate * K_ext spikes/s onto each neuron.
    Poisson,
    /// The constant current with the Poisson input's mean (I_e).
    Dc,
}

/// How the in-degrees follow --order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScalingArg {
    /// The seed's: CE = int(epsilon*NE), CI = int(epsilon*NI).
    Seed,
    /// CE = 1000, CI = 250 at every order (weak scaling, as NEST's hpc_benchmark).
    Indegree,
}

/// The help heading of the flags of the Brunel network only.
const BRUNEL: &str = "Brunel network (--network brunel)";
/// The help heading of the flags of the microcircuit only.
const MICROCIRCUIT: &str = "Microcircuit (--network microcircuit)";
/// The help heading of the flags of sized networks.
const SCALED: &str = "Microcircuit and hpc_benchmark (--network microcircuit, hpc_benchmark)";

/// Flags of a single run.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The network: brunel (NEST's brunel_alpha_nest.py and its variants),
    /// microcircuit (Potjans & Diesmann 2014, NEST's PD14 example),
    /// hpc_benchmark (NEST's hpc_benchmark.py) or brette2007 (NEST's
    /// brette_et_al_2007 coba.py, hh_coba.py, cuba.py). Flags of one
    /// network are refused for the others.
    #[arg(long, value_enum, default_value_t = NetworkArg::Brunel)]
    pub network: NetworkArg,
    /// Microcircuit: neurons and in-degrees relative to the full model
    /// (N_scaling = K_scaling; weights and DC are adjusted as the example
    /// does). The default, 1, is the full model of the published
    /// benchmark: 77,169 neurons, 0.3 billion synapses (about 2 GB); 0.1
    /// runs in seconds. hpc_benchmark: the script's scale, 11,250 neurons
    /// per unit at an in-degree of 11,250 (1.27e8 synapses per unit)
    /// [default: 1].
    #[arg(long, help_heading = SCALED, value_name = "S")]
    pub scale: Option<f64>,
    /// Background input [default: poisson, as the published benchmark;
    /// the example's file defaults to dc, which leaves most populations
    /// silent below scale 1].
    #[arg(long, value_enum, help_heading = MICROCIRCUIT)]
    pub drive: Option<DriveArg>,
    /// Model time simulated before --simtime and left out of the rates
    /// (the example's t_presim; hpc_benchmark.py's presimtime) [ms]
    /// [default: 500; hpc_benchmark: 50].
    #[arg(long, help_heading = SCALED, value_name = "MS")]
    pub presim: Option<f64>,
    /// Brunel: the neuron model, and with it NEST's script of the network:
    /// iaf_psc_alpha (brunel_alpha_nest.py), iaf_psc_delta
    /// (brunel_delta_nest.py) or iaf_psc_exp (brunel_alpha_nest.py with
    /// exponential currents); the neuron flags default to that script's
    /// values. brette2007: the benchmark, coba (iaf_cond_exp), hh_coba
    /// (hh_cond_exp_traub) or cuba (iaf_psc_exp) [default: iaf_psc_alpha;
    /// brette2007: coba].
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Network size: 4*order excitatory and order inhibitory neurons.
    #[arg(long, default_value_t = 2500, help_heading = BRUNEL)]
    pub order: i64,
    /// Worker threads, one shard each [default: available cores].
    #[arg(long)]
    pub threads: Option<i64>,
    /// Model time to simulate [ms] (the microcircuit and hpc_benchmark:
    /// after --presim) [default: 1000; hpc_benchmark: 250; brette2007: the
    /// script's, 1000, cuba 10000].
    #[arg(long)]
    pub simtime: Option<f64>,
    /// Resolution [ms].
    #[arg(long, default_value_t = 0.1)]
    pub dt: f64,
    /// Master seed; the same seed gives the same spikes for any --threads
    /// [default: 1; microcircuit: 55, the example's rng_seed;
    /// hpc_benchmark and brette2007: 143202461, NEST's default, which
    /// their scripts keep].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Neurons recorded per population [default: 50; hpc_benchmark: 1000,
    /// the script's Nrec (excitatory only); brette2007: 500].
    #[arg(long)]
    pub n_rec: Option<i64>,
    /// Where recorded spikes go.
    #[arg(long, value_enum, default_value_t = RecordToArg::Ascii)]
    pub record_to: RecordToArg,
    /// Directory for .dat files (created if missing).
    #[arg(long, default_value = "spindle-out")]
    pub output_dir: PathBuf,
    /// Prefix of the .dat file names.
    #[arg(long, default_value = "")]
    pub label_prefix: String,
    /// Pin worker threads to cores.
    #[arg(long)]
    pub pin: bool,
    /// No progress output.
    #[arg(long)]
    pub quiet: bool,
    /// Print a table of the phase timers and per-slice percentiles.
    #[arg(long)]
    pub timers: bool,
    /// Write the seed's figure (raster of the recorded excitatory neurons
    /// with the population rate below) to this .png or .svg file.
    #[arg(long, value_name = "PATH", help_heading = BRUNEL)]
    pub plot: Option<PathBuf>,
    /// How the in-degrees follow --order.
    #[arg(long, value_enum, default_value_t = ScalingArg::Seed, help_heading = BRUNEL)]
    pub scaling: ScalingArg,
    /// Run with this many threads but record --threads (only for testing
    /// `spindle compare` against a deliberately slowed run).
    #[arg(long, hide = true)]
    pub actual_threads: Option<usize>,
    /// Write every figure of the run as JSON to this file.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// After the run, write every connection between neurons (source,
    /// target, synapse model, delay, weight; plastic synapses' learned
    /// weights) to this file, one per line (under MPI, one file per
    /// rank, `PATH.<rank>`).
    #[arg(long, value_name = "PATH")]
    pub dump_weights: Option<PathBuf>,
    /// Ratio of inhibitory to excitatory weight.
    #[arg(long, default_value_t = 5.0, help_heading = BRUNEL)]
    pub g: f64,
    /// External rate relative to threshold rate.
    #[arg(long, default_value_t = 2.0, help_heading = BRUNEL)]
    pub eta: f64,
    /// Connection probability.
    #[arg(long, default_value_t = 0.1, help_heading = BRUNEL)]
    pub epsilon: f64,
    /// PSP amplitude [mV].
    #[arg(long = "J", visible_alias = "j", default_value_t = 0.1, help_heading = BRUNEL)]
    pub j: f64,
    /// Synaptic delay [ms].
    #[arg(long, default_value_t = 1.5, help_heading = BRUNEL)]
    pub delay: f64,
    /// Membrane capacitance C_m [pF] [default: 250; iaf_psc_delta: 1].
    #[arg(long, help_heading = BRUNEL)]
    pub c_m: Option<f64>,
    /// Membrane time constant tau_m [ms] [default: 20].
    #[arg(long, help_heading = BRUNEL)]
    pub tau_m: Option<f64>,
    /// Synaptic time constant tau_syn_ex = tau_syn_in [ms] [default: 0.5;
    /// iaf_psc_delta has none].
    #[arg(long, help_heading = BRUNEL)]
    pub tau_syn: Option<f64>,
    /// Refractory period t_ref [ms] [default: 2].
    #[arg(long, help_heading = BRUNEL)]
    pub t_ref: Option<f64>,
    /// Threshold V_th [mV] [default: 20].
    #[arg(long, help_heading = BRUNEL)]
    pub v_th: Option<f64>,
    /// Reset potential V_reset [mV] [default: 0].
    #[arg(long, help_heading = BRUNEL)]
    pub v_reset: Option<f64>,
    /// Resting potential E_L (also the initial V_m) [mV] [default: 0].
    #[arg(long, help_heading = BRUNEL)]
    pub e_l: Option<f64>,
    /// The flags given on the command line (clap's ids), which `main`
    /// fills in: flags of the other network are refused.
    #[arg(skip)]
    pub given: Vec<String>,
}

/// A validated run.
pub struct RunConfig {
    /// The Brunel network (its defaults, unused, for the microcircuit).
    pub params: BrunelParams,
    /// The microcircuit, for `--network microcircuit`.
    pub microcircuit: Option<MicrocircuitRun>,
    /// hpc_benchmark.py, for `--network hpc_benchmark`.
    pub hpc_benchmark: Option<HpcBenchmarkRun>,
    /// A Brette et al. (2007) benchmark, for `--network brette2007`.
    pub brette2007: Option<Brette2007Params>,
    /// Threads as requested (and recorded).
    pub threads: usize,
    /// Model time [ms].
    pub simtime: f64,
    /// Pin shard threads to cores.
    pub pin: bool,
    /// No progress or stage lines.
    pub quiet: bool,
    /// Where `.dat` files go (`None` unless `--record-to ascii`).
    pub output_dir: Option<PathBuf>,
    /// Prefix of the `.dat` file names.
    pub label_prefix: String,
    /// Where the JSON record goes.
    pub json: Option<PathBuf>,
    /// Where the connections go (`--dump-weights`).
    pub dump_weights: Option<PathBuf>,
    /// Print the timer table.
    pub timers: bool,
    /// Where the raster plot goes.
    pub plot: Option<PathBuf>,
    /// Threads actually used (normally `threads`).
    pub run_threads: usize,
}

/// A run of the microcircuit.
#[derive(Debug, Clone, PartialEq)]
pub struct MicrocircuitRun {
    /// The example's parameters with the flags in.
    pub params: MicrocircuitParams,
    /// `--scale` (N_scaling = K_scaling).
    pub scale: f64,
    /// `--presim` [ms]: simulated before `--simtime`, outside the rates.
    pub presim: f64,
}

/// A run of hpc_benchmark.py.
#[derive(Debug, Clone, PartialEq)]
pub struct HpcBenchmarkRun {
    /// The script's parameters with the flags in (`num_processes` is set
    /// once the MPI ranks are known).
    pub params: HpcBenchmarkParams,
}

impl RunConfig {
    /// The network's name in records ("brunel", "microcircuit", ...).
    pub fn network(&self) -> NetworkArg {
        if self.microcircuit.is_some() {
            NetworkArg::Microcircuit
        } else if self.hpc_benchmark.is_some() {
            NetworkArg::HpcBenchmark
        } else if self.brette2007.is_some() {
            NetworkArg::Brette2007
        } else {
            NetworkArg::Brunel
        }
    }

    /// The labels of the spike recorders (their `.dat` files start so).
    pub fn labels(&self) -> Vec<&str> {
        if let Some(m) = &self.microcircuit {
            vec![m.params.label.as_str()]
        } else if let Some(h) = &self.hpc_benchmark {
            vec![h.params.label.as_str()]
        } else if let Some(b) = &self.brette2007 {
            vec![b.label.as_str()]
        } else {
            vec![self.params.labels.0.as_str(), self.params.labels.1.as_str()]
        }
    }
}

/// Which networks take a flag that not all of them take.
type Takers = &'static [NetworkArg];

const BRUNEL_ONLY: Takers = &[NetworkArg::Brunel];

/// Flags of some networks only: clap's id, the flag, the networks that
/// take it.
const NETWORK_FLAGS: [(&str, &str, Takers); 20] = [
    (
        "model",
        "--model",
        &[NetworkArg::Brunel, NetworkArg::Brette2007],
    ),
    (
        "n_rec",
        "--n-rec",
        &[
            NetworkArg::Brunel,
            NetworkArg::HpcBenchmark,
            NetworkArg::Brette2007,
        ],
    ),
    (
        "scale",
        "--scale",
        &[NetworkArg::Microcircuit, NetworkArg::HpcBenchmark],
    ),
    (
        "presim",
        "--presim",
        &[NetworkArg::Microcircuit, NetworkArg::HpcBenchmark],
    ),
    ("drive", "--drive", &[NetworkArg::Microcircuit]),
    ("order", "--order", BRUNEL_ONLY),
    ("scaling", "--scaling", BRUNEL_ONLY),
    ("plot", "--plot", BRUNEL_ONLY),
    ("g", "--g", BRUNEL_ONLY),
    ("eta", "--eta", BRUNEL_ONLY),
    ("epsilon", "--epsilon", BRUNEL_ONLY),
    ("j", "--J", BRUNEL_ONLY),
    ("delay", "--delay", BRUNEL_ONLY),
    ("c_m", "--c-m", BRUNEL_ONLY),
    ("tau_m", "--tau-m", BRUNEL_ONLY),
    ("tau_syn", "--tau-syn", BRUNEL_ONLY),
    ("t_ref", "--t-ref", BRUNEL_ONLY),
    ("v_th", "--v-th", BRUNEL_ONLY),
    ("v_reset", "--v-reset", BRUNEL_ONLY),
    ("e_l", "--e-l", BRUNEL_ONLY),
];

/// "--network a only", "--network a and --network b only".
fn takers_text(takers: Takers) -> String {
    let names: Vec<String> = takers
        .iter()
        .map(|n| format!("--network {}", n.name()))
        .collect();
    format!("{} only", list_text(&names))
}

/// "a", "a and b", "a, b and c".
pub fn list_text(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The microcircuit's label of its spike recorders (the example's).
pub const MICROCIRCUIT_LABEL: &str = "spike_recorder";

fn positive(flag: &str, v: f64) -> Result<f64> {
    if !v.is_finite() || v <= 0.0 {
        bail!("{flag} must be a positive number (got {v})");
    }
    Ok(v)
}

fn finite(flag: &str, v: f64) -> Result<f64> {
    if !v.is_finite() {
        bail!("{flag} must be a finite number (got {v})");
    }
    Ok(v)
}

/// The neuron flags: flag, NEST's parameter names it sets.
const NEURON_FLAGS: [(&str, &[&str]); 7] = [
    ("--c-m", &["C_m"]),
    ("--tau-m", &["tau_m"]),
    ("--tau-syn", &["tau_syn_ex", "tau_syn_in"]),
    ("--t-ref", &["t_ref"]),
    ("--v-th", &["V_th"]),
    ("--v-reset", &["V_reset"]),
    ("--e-l", &["E_L", "V_m"]),
];

fn param_flag(e: &ParamError) -> &'static str {
    match e {
        ParamError::Capacitance => "--c-m",
        ParamError::TauM => "--tau-m",
        ParamError::TauSyn => "--tau-syn",
        ParamError::Refractory => "--t-ref",
        ParamError::Reset => "--v-reset/--v-th",
        ParamError::NotFinite(name) => NEURON_FLAGS
            .iter()
            .find(|(_, names)| names.contains(name))
            .map_or("neuron parameters", |(flag, _)| flag),
        ParamError::Invalid(_) | ParamError::Unknown(_) => "neuron parameters",
    }
}

impl RunArgs {
    /// The neuron flags' values, in [`NEURON_FLAGS`]' order.
    fn neuron_flags(&self) -> [Option<f64>; 7] {
        [
            self.c_m,
            self.tau_m,
            self.tau_syn,
            self.t_ref,
            self.v_th,
            self.v_reset,
            self.e_l,
        ]
    }

    /// The model's script's neuron parameters with the flags given.
    fn neuron(&self, model: brunel::Model) -> Result<crate::models::NeuronParams> {
        let mut neuron = model.neuron();
        for ((flag, names), value) in NEURON_FLAGS.iter().zip(self.neuron_flags()) {
            let Some(value) = value else { continue };
            for name in *names {
                neuron
                    .set(name, value)
                    .map_err(|_| anyhow::anyhow!("{flag}: {model} has no parameter {name}"))?;
            }
        }
        if let Err(e) = neuron.validate() {
            bail!("{}: {model}: {e}", param_flag(&e));
        }
        Ok(neuron)
    }
}

/// The largest order whose 5 * order neurons and the devices fit in 31-bit
/// node ids.
pub const MAX_ORDER: i64 = (i32::MAX as i64 - 16) / 5;

impl RunArgs {
    /// Whether flag `id` (clap's id) was given: on the command line (as
    /// `main` records in `given`) or, for a flag without a default, set.
    fn given(&self, id: &str) -> bool {
        self.given.iter().any(|g| g == id)
            || match id {
                "model" => self.model.is_some(),
                "n_rec" => self.n_rec.is_some(),
                "scale" => self.scale.is_some(),
                "drive" => self.drive.is_some(),
                "presim" => self.presim.is_some(),
                "plot" => self.plot.is_some(),
                _ => NEURON_FLAGS
                    .iter()
                    .zip(self.neuron_flags())
                    .any(|((flag, _), v)| v.is_some() && flag[2..].replace('-', "_") == id),
            }
    }

    /// Check every flag and derive the run.
    pub fn validate(self) -> Result<RunConfig> {
        let network = self.network;
        if let Some((_, flag, takers)) = NETWORK_FLAGS
            .iter()
            .find(|(id, _, takers)| !takers.contains(&network) && self.given(id))
        {
            bail!(
                "{flag} applies to {}, not to --network {}",
                takers_text(takers),
                network.name()
            );
        }
        match network {
            NetworkArg::Brunel => self.validate_brunel(),
            NetworkArg::Microcircuit => self.validate_microcircuit(),
            NetworkArg::HpcBenchmark => self.validate_hpc_benchmark(),
            NetworkArg::Brette2007 => self.validate_brette2007(),
        }
    }

    /// The flags both networks share.
    fn common(&self, default_simtime: f64) -> Result<Common> {
        let threads = match self.threads {
            Some(t) if t <= 0 => bail!("--threads must be > 0 (got {t})"),
            Some(t) if t > 4096 => bail!("--threads must be at most 4096 (got {t})"),
            Some(t) => t as usize,
            None => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
        };
        let dt = positive("--dt", self.dt)?;
        let res = crate::core::Resolution::new(dt).map_err(|e| anyhow::anyhow!("--dt: {e}"))?;
        let simtime = positive("--simtime", self.simtime.unwrap_or(default_simtime))?;
        res.steps_on_grid("--simtime", simtime)?;
        let record_to = match self.record_to {
            RecordToArg::Ascii => RecordTo::Ascii,
            RecordToArg::Memory => RecordTo::Memory,
            RecordToArg::None => RecordTo::None,
        };
        let run_threads = match self.actual_threads {
            Some(0) => bail!("--actual-threads must be > 0"),
            Some(t) => t,
            None => threads,
        };
        Ok(Common {
            threads,
            run_threads,
            dt,
            res,
            simtime,
            record_to,
        })
    }

    fn config(self, c: &Common, params: BrunelParams, mc: Option<MicrocircuitRun>) -> RunConfig {
        let output_dir = (c.record_to == RecordTo::Ascii).then_some(self.output_dir);
        RunConfig {
            params,
            microcircuit: mc,
            hpc_benchmark: None,
            brette2007: None,
            threads: c.threads,
            simtime: c.simtime,
            pin: self.pin,
            quiet: self.quiet,
            output_dir,
            label_prefix: self.label_prefix,
            json: self.json,
            dump_weights: self.dump_weights,
            timers: self.timers,
            plot: self.plot,
            run_threads: c.run_threads,
        }
    }

    /// The Brunel parameters' defaults for a network that is not Brunel's
    /// (unused but for the resolution, seed and recording).
    fn unused_brunel(c: &Common, seed: u64) -> BrunelParams {
        BrunelParams {
            dt: c.dt,
            seed,
            record_to: c.record_to,
            ..Default::default()
        }
    }

    /// `--presim`: a number >= 0 on the grid.
    fn presim(&self, c: &Common, default: f64) -> Result<f64> {
        let presim = self.presim.unwrap_or(default);
        if !(presim.is_finite() && presim >= 0.0) {
            bail!("--presim must be a number >= 0 (got {presim})");
        }
        if presim > 0.0 {
            c.res.steps_on_grid("--presim", presim)?;
        }
        Ok(presim)
    }

    /// `--n-rec` as a count, or `default`.
    fn n_rec_or(&self, default: usize) -> Result<usize> {
        match self.n_rec {
            Some(n) if n < 0 => bail!("--n-rec must be >= 0 (got {n})"),
            Some(n) => Ok(n as usize),
            None => Ok(default),
        }
    }

    fn validate_hpc_benchmark(self) -> Result<RunConfig> {
        let defaults = HpcBenchmarkParams::default();
        let c = self.common(defaults.simtime)?;
        let scale = self.scale.unwrap_or(defaults.scale);
        if !(scale.is_finite() && scale > 0.0) {
            bail!("--scale must be a positive number (got {scale})");
        }
        let presim = self.presim(&c, defaults.presimtime)?;
        let nrec = self.n_rec_or(defaults.nrec)?;
        let seed = self.seed.unwrap_or(defaults.rng_seed);
        let params = HpcBenchmarkParams {
            num_threads: c.threads,
            scale,
            simtime: c.simtime,
            presimtime: presim,
            dt: c.dt,
            record_spikes: nrec > 0,
            record_to: c.record_to,
            rng_seed: seed,
            nrec,
            ..defaults
        };
        params.validate().map_err(|e| {
            let e = e.to_string().replace("Nrec", "--n-rec");
            anyhow::anyhow!("--scale {scale}: {e}")
        })?;
        let brunel = Self::unused_brunel(&c, seed);
        let mut cfg = self.config(&c, brunel, None);
        cfg.hpc_benchmark = Some(HpcBenchmarkRun { params });
        Ok(cfg)
    }

    fn validate_brette2007(self) -> Result<RunConfig> {
        let benchmark = Benchmark::from_name(self.model.as_deref().unwrap_or("coba"))
            .map_err(|e| anyhow::anyhow!("--model: {e}"))?;
        let script = Brette2007Params::of(benchmark);
        let c = self.common(script.simtime)?;
        let nrec = self.n_rec_or(script.nrec)?;
        let seed = self.seed.unwrap_or(script.rng_seed);
        let params = Brette2007Params {
            simtime: c.simtime,
            dt: c.dt,
            record_to: c.record_to,
            rng_seed: seed,
            nrec,
            ..script
        };
        params
            .validate()
            .map_err(|e| anyhow::anyhow!("{}", e.to_string().replace("Nrec", "--n-rec")))?;
        let brunel = Self::unused_brunel(&c, seed);
        let mut cfg = self.config(&c, brunel, None);
        cfg.brette2007 = Some(params);
        Ok(cfg)
    }

    fn validate_microcircuit(self) -> Result<RunConfig> {
        let c = self.common(1000.0)?;
        let scale = self.scale.unwrap_or(1.0);
        if !(scale.is_finite() && scale > 0.0) {
            bail!("--scale must be a positive number (got {scale})");
        }
        let presim = self.presim(&c, 500.0)?;
        let drive = match self.drive.unwrap_or(DriveArg::Poisson) {
            DriveArg::Poisson => Drive::Poisson,
            DriveArg::Dc => Drive::Dc,
        };
        let seed = self.seed.unwrap_or(MicrocircuitParams::default().rng_seed);
        let params = MicrocircuitParams {
            sim_resolution: c.dt,
            rng_seed: seed,
            record_to: c.record_to,
            label: MICROCIRCUIT_LABEL.into(),
            ..MicrocircuitParams::at_scale(scale, drive)
        };
        params
            .validate()
            .map_err(|e| anyhow::anyhow!("--scale {scale}: {e}"))?;
        let brunel = BrunelParams {
            dt: c.dt,
            seed,
            record_to: c.record_to,
            ..Default::default()
        };
        let mc = MicrocircuitRun {
            params,
            scale,
            presim,
        };
        Ok(self.config(&c, brunel, Some(mc)))
    }

    fn validate_brunel(self) -> Result<RunConfig> {
        if self.order <= 0 {
            bail!("--order must be > 0 (got {})", self.order);
        }
        if self.order > MAX_ORDER {
            bail!(
                "--order must be at most {MAX_ORDER}: 5 * order neurons must fit NEST's 2^31 node ids (got {})",
                self.order
            );
        }
        let c = self.common(1000.0)?;
        c.res
            .delay_steps("--delay", finite("--delay", self.delay)?)?;
        let n_rec = self.n_rec_or(50)?;
        if n_rec > self.order as usize {
            bail!(
                "--n-rec {n_rec} is larger than the inhibitory population ({} neurons)",
                self.order
            );
        }
        for (flag, v) in [("--g", self.g), ("--eta", self.eta), ("--J", self.j)] {
            finite(flag, v)?;
        }
        if !(self.epsilon > 0.0 && self.epsilon <= 1.0) {
            bail!("--epsilon must be in (0, 1] (got {})", self.epsilon);
        }
        let model = brunel::Model::from_name(self.model.as_deref().unwrap_or("iaf_psc_alpha"))
            .map_err(|e| anyhow::anyhow!("--model: {e}"))?;
        let neuron = self.neuron(model)?;
        if let Some(plot) = &self.plot {
            spindle_plot::check_path(plot)?;
            if c.record_to == RecordTo::None || n_rec == 0 {
                bail!(
                    "--plot needs recorded spikes: use --record-to ascii or memory and --n-rec > 0"
                );
            }
        }
        let params = BrunelParams {
            order: self.order as usize,
            dt: c.dt,
            delay: self.delay,
            g: self.g,
            eta: self.eta,
            epsilon: self.epsilon,
            j: self.j,
            n_rec,
            model,
            neuron,
            seed: self.seed.unwrap_or(1),
            record_to: c.record_to,
            scaling: match self.scaling {
                ScalingArg::Seed => brunel::Scaling::Seed,
                ScalingArg::Indegree => brunel::Scaling::Indegree,
            },
            ..Default::default()
        };
        Ok(self.config(&c, params, None))
    }
}

/// What [`RunArgs::common`] checked.
struct Common {
    threads: usize,
    run_threads: usize,
    dt: f64,
    res: crate::core::Resolution,
    simtime: f64,
    record_to: RecordTo,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Config, Simulation};
    use proptest::prelude::*;

    /// Numbers a user might type, and some nobody should.
    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![
            prop::sample::select(vec![
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                0.0,
                -0.0,
                -1.0,
                f64::MAX,
                f64::MIN_POSITIVE,
                1e300,
                1e20,
                0.05,
                0.1,
                0.1234,
                1.5,
                2.0,
                20.0,
                250.0,
            ]),
            any::<f64>(),
            -1e3..1e3f64,
        ]
    }

    /// Mostly the seed's value, so that many cases get past validation
    /// and build; else any number.
    fn near(seed: f64) -> BoxedStrategy<f64> {
        prop_oneof![9 => Just(seed), 1 => number()].boxed()
    }

    fn count() -> impl Strategy<Value = i64> {
        prop_oneof![
            prop::sample::select(vec![
                0,
                -1,
                1,
                2,
                i64::MAX,
                i64::MIN,
                MAX_ORDER,
                MAX_ORDER + 1
            ]),
            1..40i64,
            any::<i64>(),
        ]
    }

    /// A neuron flag: mostly left out (the script's value) or the seed's
    /// value; else any number.
    fn flag(seed: f64) -> BoxedStrategy<Option<f64>> {
        prop_oneof![6 => Just(None), 3 => Just(Some(seed)), 1 => number().prop_map(Some)].boxed()
    }

    fn args(
        model: &str,
        ints: (i64, i64, i64),
        run: [f64; 8],
        neuron: [Option<f64>; 7],
    ) -> RunArgs {
        let [simtime, dt, g, eta, epsilon, j, delay, _] = run;
        let [c_m, tau_m, tau_syn, t_ref, v_th, v_reset, e_l] = neuron;
        RunArgs {
            network: NetworkArg::Brunel,
            scale: None,
            drive: None,
            presim: None,
            given: Vec::new(),
            model: Some(model.into()),
            order: ints.0,
            threads: Some(ints.1),
            simtime: Some(simtime),
            dt,
            seed: Some(1),
            n_rec: Some(ints.2),
            record_to: RecordToArg::Memory,
            output_dir: PathBuf::from("unused"),
            label_prefix: String::new(),
            pin: false,
            quiet: true,
            timers: false,
            plot: None,
            scaling: ScalingArg::Seed,
            actual_threads: None,
            json: None,
            dump_weights: None,
            g,
            eta,
            epsilon,
            j,
            delay,
            c_m,
            tau_m,
            tau_syn,
            t_ref,
            v_th,
            v_reset,
            e_l,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Flags -> configuration -> network description -> (when small)
        /// a built and stepped simulation: never a panic, and every refusal
        /// is one line.
        #[test]
        fn any_numbers_give_a_run_or_a_one_line_error(
            ints in (
                prop_oneof![4 => 1..40i64, 1 => count()],
                prop_oneof![4 => 1..5i64, 1 => count()],
                prop_oneof![4 => 0..5i64, 1 => count()],
            ),
            run in (near(20.0), near(0.1), near(5.0), near(2.0), near(0.1), near(0.1), near(1.5)),
            neuron in (flag(250.0), flag(20.0), flag(0.5), flag(2.0), flag(20.0), flag(0.0), flag(0.0)),
            model in prop::sample::select(vec!["iaf_psc_alpha", "iaf_psc_delta", "iaf_psc_exp", "iaf_x"]),
        ) {
            let run = [run.0, run.1, run.2, run.3, run.4, run.5, run.6, 0.0];
            let neuron = [neuron.0, neuron.1, neuron.2, neuron.3, neuron.4, neuron.5, neuron.6];
            let one_line = |e: &dyn std::fmt::Display| {
                let text = format!("{e:#}");
                assert!(!text.is_empty() && !text.contains('\n'), "{text:?}");
            };
            let cfg = match args(model, ints, run, neuron).validate() {
                Ok(cfg) => cfg,
                Err(e) => return { one_line(&e); Ok(()) },
            };
            let b = match brunel::build(&cfg.params) {
                Ok(b) => b,
                Err(e) => return { one_line(&e); Ok(()) },
            };
            match crate::network::estimate_bytes(&b.net, cfg.threads) {
                Err(e) => one_line(&e),
                Ok(bytes) if bytes < 64 << 20 && cfg.threads <= 8 => {
                    match Simulation::build(b.net.clone(), Config::threads(cfg.threads)) {
                        Ok(mut sim) => {
                            let h = b.net.resolution().h();
                            if let Err(e) = sim.simulate(2.0 * h) {
                                one_line(&e);
                            }
                        }
                        Err(e) => one_line(&e),
                    }
                }
                Ok(_) => {}
            }
        }
    }

    const SEED_RUN: [f64; 8] = [1000.0, 0.1, 5.0, 2.0, 0.1, 0.1, 1.5, 0.0];

    #[test]
    fn the_seed_flags_are_valid() {
        let seed = args(
            "iaf_psc_alpha",
            (2500, 2, 50),
            SEED_RUN,
            [250.0, 20.0, 0.5, 2.0, 20.0, 0.0, 0.0].map(Some),
        );
        let cfg = seed.validate().unwrap();
        assert_eq!(cfg.params.order, 2500);
        assert_eq!(cfg.threads, 2);
        // The flags' values are the script's: the same parameters.
        let plain = args("iaf_psc_alpha", (2500, 2, 50), SEED_RUN, [None; 7]);
        assert_eq!(plain.validate().unwrap().params, cfg.params);
        assert_eq!(
            cfg.params,
            BrunelParams {
                seed: 1,
                record_to: RecordTo::Memory,
                ..Default::default()
            }
        );
    }

    /// `--network microcircuit`: the example's parameters with the flags
    /// in (its seed, 55, by default), and the other network's flags
    /// refused whether given on the command line (`given`) or set.
    #[test]
    fn microcircuit_flags_make_the_examples_parameters() {
        let base = || RunArgs {
            network: NetworkArg::Microcircuit,
            seed: None,
            scale: Some(0.1),
            model: None,
            n_rec: None,
            ..args("iaf_psc_alpha", (2500, 2, 50), SEED_RUN, [None; 7])
        };
        let cfg = base().validate().unwrap();
        let run = cfg.microcircuit.as_ref().unwrap();
        assert_eq!(cfg.network(), NetworkArg::Microcircuit);
        assert_eq!((run.scale, run.presim), (0.1, 500.0));
        assert_eq!(
            run.params,
            MicrocircuitParams {
                sim_resolution: 0.1,
                rng_seed: 55,
                record_to: RecordTo::Memory,
                label: MICROCIRCUIT_LABEL.into(),
                ..MicrocircuitParams::at_scale(0.1, Drive::Poisson)
            }
        );
        assert_eq!(cfg.labels(), ["spike_recorder"]);
        let dc = RunArgs {
            drive: Some(DriveArg::Dc),
            presim: Some(0.0),
            seed: Some(9),
            ..base()
        }
        .validate()
        .unwrap();
        let run = dc.microcircuit.unwrap();
        assert_eq!(
            (run.params.bg_input_type, run.presim, run.params.rng_seed),
            (Drive::Dc, 0.0, 9)
        );
        // The seed's default stays the Brunel network's.
        let brunel = args("iaf_psc_alpha", (250, 1, 50), SEED_RUN, [None; 7]);
        let brunel = RunArgs {
            seed: None,
            ..brunel
        }
        .validate()
        .unwrap();
        assert_eq!(
            (brunel.params.seed, brunel.network()),
            (1, NetworkArg::Brunel)
        );
        let refused = |a: RunArgs| a.validate().err().map(|e| e.to_string());
        let given = RunArgs {
            given: vec!["order".into()],
            ..base()
        };
        assert_eq!(
            refused(given).unwrap(),
            "--order applies to --network brunel only, not to --network microcircuit"
        );
        let mut neuron = [None; 7];
        neuron[1] = Some(10.0);
        let set = RunArgs {
            network: NetworkArg::Microcircuit,
            model: None,
            n_rec: None,
            ..args("iaf_psc_alpha", (250, 1, 50), SEED_RUN, neuron)
        };
        assert!(refused(set).unwrap().starts_with("--tau-m applies"));
        let scale = RunArgs {
            scale: Some(0.5),
            ..args("iaf_psc_alpha", (250, 1, 50), SEED_RUN, [None; 7])
        };
        assert!(
            refused(scale)
                .unwrap()
                .starts_with("--scale applies to --network microcircuit")
        );
    }

    #[test]
    fn each_model_gets_its_scripts_neurons() {
        for model in brunel::Model::ALL {
            let cfg = args(model.name(), (250, 1, 50), SEED_RUN, [None; 7])
                .validate()
                .unwrap();
            assert_eq!(cfg.params.model, model);
            assert_eq!(cfg.params.neuron, model.neuron());
        }
        let mut flags = [None; 7];
        flags[6] = Some(-70.0);
        flags[4] = Some(-50.0);
        flags[5] = Some(-70.0);
        let cfg = args("iaf_psc_delta", (250, 1, 50), SEED_RUN, flags)
            .validate()
            .unwrap();
        assert_eq!(cfg.params.neuron.get("V_m").unwrap(), -70.0);
        assert_eq!(cfg.params.neuron.get("C_m").unwrap(), 1.0);
        let refused =
            |model: &str, flags: [Option<f64>; 7]| match args(model, (250, 1, 50), SEED_RUN, flags)
                .validate()
            {
                Ok(_) => panic!("{model} {flags:?} accepted"),
                Err(e) => e.to_string(),
            };
        let mut tau_syn = [None; 7];
        tau_syn[2] = Some(1.0);
        assert_eq!(
            refused("iaf_psc_delta", tau_syn),
            "--tau-syn: iaf_psc_delta has no parameter tau_syn_ex"
        );
        let err = refused("iaf_psc_gamma", [None; 7]);
        assert!(
            err.starts_with("--model: unknown model 'iaf_psc_gamma'"),
            "{err}"
        );
        let mut c_m = [None; 7];
        c_m[0] = Some(f64::NAN);
        assert!(refused("iaf_psc_exp", c_m).starts_with("--c-m: iaf_psc_exp"));
    }
}
