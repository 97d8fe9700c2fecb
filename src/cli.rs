//! Flags, their validation, and the run.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use spindle::brunel::{self, BrunelParams};
use spindle::engine::{Config, Simulation};
use spindle::models::ParamError;
use spindle::models::devices::RecordTo;

use spindle_bench::io::write_atomically;

use crate::report::{Measured, Report, Span};

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

/// How the in-degrees follow --order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScalingArg {
    /// The seed's: CE = int(epsilon*NE), CI = int(epsilon*NI).
    Seed,
    /// CE = 1000, CI = 250 at every order (weak scaling, as NEST's hpc_benchmark).
    Indegree,
}

/// Flags of a single run of the seed network.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Network size: 4*order excitatory and order inhibitory neurons.
    #[arg(long, default_value_t = 2500)]
    pub order: i64,
    /// Worker threads, one shard each [default: available cores].
    #[arg(long)]
    pub threads: Option<i64>,
    /// Model time to simulate [ms].
    #[arg(long, default_value_t = 1000.0)]
    pub simtime: f64,
    /// Resolution [ms].
    #[arg(long, default_value_t = 0.1)]
    pub dt: f64,
    /// Master seed; the same seed gives the same spikes for any --threads.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Neurons recorded per population.
    #[arg(long, default_value_t = 50)]
    pub n_rec: i64,
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
    #[arg(long, value_name = "PATH")]
    pub plot: Option<PathBuf>,
    /// How the in-degrees follow --order.
    #[arg(long, value_enum, default_value_t = ScalingArg::Seed)]
    pub scaling: ScalingArg,
    /// Run with this many threads but record --threads (only for testing
    /// `spindle compare` against a deliberately slowed run).
    #[arg(long, hide = true)]
    pub actual_threads: Option<usize>,
    /// Write every figure of the run as JSON to this file.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Ratio of inhibitory to excitatory weight.
    #[arg(long, default_value_t = 5.0)]
    pub g: f64,
    /// External rate relative to threshold rate.
    #[arg(long, default_value_t = 2.0)]
    pub eta: f64,
    /// Connection probability.
    #[arg(long, default_value_t = 0.1)]
    pub epsilon: f64,
    /// PSP amplitude [mV].
    #[arg(long = "J", visible_alias = "j", default_value_t = 0.1)]
    pub j: f64,
    /// Synaptic delay [ms].
    #[arg(long, default_value_t = 1.5)]
    pub delay: f64,
    /// Membrane capacitance C_m [pF].
    #[arg(long, default_value_t = 250.0)]
    pub c_m: f64,
    /// Membrane time constant tau_m [ms].
    #[arg(long, default_value_t = 20.0)]
    pub tau_m: f64,
    /// Synaptic time constant tau_syn_ex = tau_syn_in [ms].
    #[arg(long, default_value_t = 0.5)]
    pub tau_syn: f64,
    /// Refractory period t_ref [ms].
    #[arg(long, default_value_t = 2.0)]
    pub t_ref: f64,
    /// Threshold V_th [mV].
    #[arg(long, default_value_t = 20.0)]
    pub v_th: f64,
    /// Reset potential V_reset [mV].
    #[arg(long, default_value_t = 0.0)]
    pub v_reset: f64,
    /// Resting potential E_L (also the initial V_m) [mV].
    #[arg(long, default_value_t = 0.0)]
    pub e_l: f64,
}

/// A validated run.
pub struct RunConfig {
    pub params: BrunelParams,
    pub threads: usize,
    pub simtime: f64,
    pub pin: bool,
    pub quiet: bool,
    pub output_dir: Option<PathBuf>,
    pub label_prefix: String,
    pub json: Option<PathBuf>,
    pub timers: bool,
    pub plot: Option<PathBuf>,
    /// Threads actually used (normally `threads`).
    pub run_threads: usize,
}

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

fn param_flag(e: &ParamError) -> &'static str {
    match e {
        ParamError::Capacitance => "--c-m",
        ParamError::TauM => "--tau-m",
        ParamError::TauSyn => "--tau-syn",
        ParamError::Refractory => "--t-ref",
        ParamError::Reset => "--v-reset/--v-th",
        ParamError::NotFinite(_) => "neuron parameters",
    }
}

impl RunArgs {
    /// Check every flag and derive the run.
    pub fn validate(self) -> Result<RunConfig> {
        if self.order <= 0 {
            bail!("--order must be > 0 (got {})", self.order);
        }
        let threads = match self.threads {
            Some(t) if t <= 0 => bail!("--threads must be > 0 (got {t})"),
            Some(t) if t > 4096 => bail!("--threads must be at most 4096 (got {t})"),
            Some(t) => t as usize,
            None => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
        };
        let dt = positive("--dt", self.dt)?;
        let res = spindle::core::Resolution::new(dt).map_err(|e| anyhow::anyhow!("--dt: {e}"))?;
        let simtime = positive("--simtime", self.simtime)?;
        res.steps_on_grid("--simtime", simtime)?;
        res.delay_steps("--delay", finite("--delay", self.delay)?)?;
        if self.n_rec < 0 {
            bail!("--n-rec must be >= 0 (got {})", self.n_rec);
        }
        let n_rec = self.n_rec as usize;
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
        let neuron = spindle::models::IafPscAlphaParams {
            c_m: self.c_m,
            tau_m: self.tau_m,
            tau_syn_ex: self.tau_syn,
            tau_syn_in: self.tau_syn,
            t_ref: self.t_ref,
            e_l: self.e_l,
            v_reset: self.v_reset,
            v_th: self.v_th,
            v_m: self.e_l,
            ..Default::default()
        };
        if let Err(e) = neuron.validate() {
            bail!("{}: iaf_psc_alpha: {e}", param_flag(&e));
        }
        let record_to = match self.record_to {
            RecordToArg::Ascii => RecordTo::Ascii,
            RecordToArg::Memory => RecordTo::Memory,
            RecordToArg::None => RecordTo::None,
        };
        if let Some(plot) = &self.plot {
            spindle_plot::check_path(plot)?;
            if record_to == RecordTo::None || n_rec == 0 {
                bail!(
                    "--plot needs recorded spikes: use --record-to ascii or memory and --n-rec > 0"
                );
            }
            let parent = plot.parent().filter(|p| !p.as_os_str().is_empty());
            check_writable(parent.unwrap_or(Path::new(".")))
                .with_context(|| format!("--plot {}", plot.display()))?;
        }
        let run_threads = match self.actual_threads {
            Some(0) => bail!("--actual-threads must be > 0"),
            Some(t) => t,
            None => threads,
        };
        let output_dir = (record_to == RecordTo::Ascii).then_some(self.output_dir);
        if let Some(dir) = &output_dir {
            check_writable(dir)?;
        }
        if let Some(json) = &self.json {
            let parent = json.parent().filter(|p| !p.as_os_str().is_empty());
            check_writable(parent.unwrap_or(Path::new(".")))
                .with_context(|| format!("--json {}", json.display()))?;
        }
        Ok(RunConfig {
            params: BrunelParams {
                order: self.order as usize,
                dt,
                delay: self.delay,
                g: self.g,
                eta: self.eta,
                epsilon: self.epsilon,
                j: self.j,
                n_rec,
                neuron,
                seed: self.seed,
                record_to,
                scaling: match self.scaling {
                    ScalingArg::Seed => brunel::Scaling::Seed,
                    ScalingArg::Indegree => brunel::Scaling::Indegree,
                },
                ..Default::default()
            },
            threads,
            simtime,
            pin: self.pin,
            quiet: self.quiet,
            output_dir,
            label_prefix: self.label_prefix,
            json: self.json,
            timers: self.timers,
            plot: self.plot,
            run_threads,
        })
    }
}

/// Fail early, with the directory's name, if files cannot be written there.
fn check_writable(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("--output-dir {} cannot be created", dir.display()))?;
    let probe = dir.join(format!(".spindle-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").with_context(|| format!("{} is not writable", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// Build, simulate, report.
pub fn run(args: RunArgs) -> Result<()> {
    let cfg = args.validate()?;
    let say = |s: &str| {
        if !cfg.quiet {
            println!("{s}");
        }
    };
    say("Building network");
    let (b, create) = Span::measure(|| brunel::build(&cfg.params));
    let b = b?;
    say("Connecting devices");
    say("Connecting network");
    let config = Config {
        threads: cfg.run_threads,
        pin: cfg.pin,
        progress: !cfg.quiet,
        check_memory: true,
    };
    let (sim, connect) = Span::measure(|| Simulation::build(b.net.clone(), config));
    let mut sim = sim?;

    say("Simulating");
    let (done, simulate) = Span::measure(|| sim.simulate(cfg.simtime));
    done?;

    let written = match &cfg.output_dir {
        Some(dir) => sim.write_recorders(dir, &cfg.label_prefix)?,
        None => Vec::new(),
    };
    if let Some(path) = &cfg.plot {
        let events = sim.spike_events(b.espikes.first())?;
        spindle_plot::Raster {
            title: "Brunel network: excitatory neurons",
            senders: &events.senders,
            times: &events.times,
            t_max: cfg.simtime,
            n_neurons: cfg.params.n_rec,
            bin_ms: 5.0,
        }
        .write(path)?;
    }
    let measured = Measured {
        create,
        connect,
        simulate,
    };
    let report = Report::new(&cfg, &b, &sim, &measured)?;
    print!("{}", report.summary());
    if cfg.timers {
        print!("{}", report.timer_table());
    }
    if !cfg.quiet {
        for path in written.iter().chain(cfg.plot.as_ref()) {
            println!("Written: {}", path.display());
        }
    }
    if let Some(path) = &cfg.json {
        let text = serde_json::to_string_pretty(report.json())?;
        write_atomically(path, text.as_bytes())
            .with_context(|| format!("cannot write --json {}", path.display()))?;
    }
    Ok(())
}
