//! The run: output paths checked, build, simulate, report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use spindle::args::{HpcBenchmarkRun, MicrocircuitRun, RunArgs, RunConfig};
use spindle::brette2007::Brette2007Params;
use spindle::brunel;
use spindle::engine::{Config, EngineError, FileNames, Ranks, Simulation, dat_path};
use spindle::hpc_benchmark;
use spindle::microcircuit;

use spindle_bench::io::write_atomically;

use crate::report::{Measured, Presimulated, Report, Span};

/// Fail early, with the directory's name, if files cannot be written there;
/// the directory is created if missing (`--output-dir`, `bench --out`).
pub fn check_writable(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("{} cannot be created", dir.display()))?;
    probe_dir(dir)
}

/// A file to be written at `path` (`--json`, `--plot`): its directory must
/// already exist and take files, so a typo in the path is caught before
/// the run, not after it.
pub fn check_file_path(flag: &str, path: &Path) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if path.file_name().is_none() || path.is_dir() {
        bail!("{flag} {}: not a file name", path.display());
    }
    if !dir.is_dir() {
        bail!(
            "{flag} {}: the directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    probe_dir(dir).with_context(|| format!("{flag} {}", path.display()))
}

fn probe_dir(dir: &Path) -> Result<()> {
    let probe = dir.join(format!(".spindle-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").with_context(|| format!("{} is not writable", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// Every file the run will write can be written: checked before building,
/// so a typo never costs a simulation.
fn check_outputs(cfg: &RunConfig) -> Result<()> {
    if let Some(dump) = &cfg.dump_weights {
        check_file_path("--dump-weights", dump)?;
    }
    if let Some(json) = &cfg.json {
        check_file_path("--json", json)?;
    }
    if let Some(plot) = &cfg.plot {
        check_file_path("--plot", plot)?;
    }
    if let Some(dir) = &cfg.output_dir {
        check_writable(dir).context("--output-dir")?;
        check_dat_dirs(cfg, dir)?;
    }
    Ok(())
}

/// The directory each recorder's `.dat` file lands in must exist and take
/// files: `--label-prefix` may lead out of `--output-dir` (`sub/x`,
/// `../x`, `/abs/x`), and the files are written only after the run.
fn check_dat_dirs(cfg: &RunConfig, dir: &Path) -> Result<()> {
    for label in cfg.labels() {
        // The recorder's id only names the file, never its directory.
        let path = dat_path(dir, &cfg.label_prefix, label, 0, FileNames::Spindle);
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let flag = format!("--label-prefix {}", cfg.label_prefix);
        if !parent.is_dir() {
            let why = if parent.exists() {
                "is not a directory"
            } else {
                "does not exist"
            };
            bail!(
                "{flag}: the directory of the .dat files, {}, {why}",
                parent.display()
            );
        }
        probe_dir(parent).with_context(|| flag.clone())?;
    }
    Ok(())
}

/// A failure after the run started (a file that could not be written):
/// exit status 1, where bad input is 2.
#[derive(Debug)]
pub struct RunFailed(pub anyhow::Error);

impl std::fmt::Display for RunFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for RunFailed {}

fn failed(e: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(RunFailed(e.into()))
}

/// The MPI ranks of this run: `Some` only when built with the `mpi`
/// feature and started by `mpirun -np R` with R > 1. The second value
/// keeps MPI initialised until it is dropped (MPI_Finalize), also for a
/// single process.
fn open_ranks() -> Result<(Option<SharedRanks>, Option<SharedRanks>)> {
    #[cfg(feature = "mpi")]
    {
        let ranks: SharedRanks = Arc::new(
            spindle::mpi::MpiRanks::init()
                .context("MPI could not be initialised with MPI_THREAD_SERIALIZED")?,
        );
        let engine = (ranks.size() > 1).then(|| ranks.clone());
        return Ok((engine, Some(ranks)));
    }
    #[allow(unreachable_code)]
    {
        // Started by mpirun or srun on several ranks, a build without MPI
        // would run R independent copies; refuse instead.
        let launched = [
            "OMPI_COMM_WORLD_SIZE",
            "PMI_SIZE",
            "PMIX_SIZE",
            "SLURM_NTASKS",
        ]
        .iter()
        .filter_map(|v| std::env::var(v).ok()?.parse::<u64>().ok())
        .any(|n| n > 1);
        if launched {
            bail!(
                "this spindle was built without MPI but started on several ranks; \
                 build it with `cargo build --release --features mpi`"
            );
        }
        Ok((None, None))
    }
}

type SharedRanks = Arc<dyn Ranks>;

/// Whether every rank's `ok` holds (each rank learns the same answer).
fn all_ranks(ranks: Option<&Arc<dyn Ranks>>, ok: bool) -> bool {
    match ranks {
        Some(r) => r.all_gather(u64::from(ok)).iter().all(|&v| v == 1),
        None => ok,
    }
}

/// Whether this process prints and writes: rank 0, or the only process.
static LEAD: AtomicBool = AtomicBool::new(true);

/// An error already reported on stderr (under MPI, before the ranks left).
static REPORTED: AtomicBool = AtomicBool::new(false);

/// Whether this process still has to report its error (only rank 0 does
/// under MPI, where every rank refuses the same bad input).
pub fn reports_errors() -> bool {
    LEAD.load(Ordering::Relaxed) && !REPORTED.load(Ordering::Relaxed)
}

/// Build, simulate, report. `Ok(true)` when Ctrl-C stopped the run early:
/// what was recorded up to then is written, as whole files. Under MPI each
/// rank runs this; rank 0 prints and writes, and a rank that fails after
/// the run started ends them all (MPI abort).
pub fn run(args: RunArgs) -> Result<bool> {
    let (ranks, _mpi) = open_ranks()?;
    let lead = ranks.as_ref().is_none_or(|r| r.rank() == 0);
    LEAD.store(lead, Ordering::Relaxed);
    let result = validate_and_run(args, ranks.as_ref(), lead);
    match (&result, &ranks) {
        (Err(e), Some(r)) if e.is::<RunFailed>() => {
            let _ = writeln!(std::io::stderr(), "error: rank {}: {e:#}", r.rank());
            r.abort(1)
        }
        (Err(e), Some(r)) => {
            // Bad input, refused alike by every rank. mpirun ends the job
            // when the first rank exits non-zero, so rank 0 says why while
            // the others wait for it (a gather is a barrier).
            if lead {
                let _ = writeln!(std::io::stderr(), "error: {e:#}");
            }
            REPORTED.store(true, Ordering::Relaxed);
            r.all_gather(0);
            result
        }
        _ => result,
    }
}

fn validate_and_run(args: RunArgs, ranks: Option<&Arc<dyn Ranks>>, lead: bool) -> Result<bool> {
    let mut cfg = args.validate()?;
    cfg.quiet |= !lead;
    // Files are rank 0's; the others must learn its verdict.
    let checked = if lead { check_outputs(&cfg) } else { Ok(()) };
    if !all_ranks(ranks, checked.is_ok()) {
        return Err(checked
            .err()
            .unwrap_or_else(|| anyhow::anyhow!("rank 0 refused")));
    }
    run_checked(&cfg, ranks, lead)
}

/// The engine's configuration of a run.
fn engine_config(cfg: &RunConfig) -> Config {
    Config {
        threads: cfg.run_threads,
        pin: cfg.pin,
        progress: !cfg.quiet,
        check_memory: true,
        isa: spindle::engine::Isa::detect(),
    }
}

/// Build the simulation of `net`. A shard that failed while building is
/// this rank's alone: under MPI it must end the others (bad input and the
/// memory check are decided alike on every rank).
fn build_simulation(
    cfg: &RunConfig,
    net: &spindle::network::Network,
    ranks: Option<&Arc<dyn Ranks>>,
) -> (Result<Simulation>, Span) {
    let config = engine_config(cfg);
    let (sim, span) = Span::measure(|| match ranks {
        Some(r) => Simulation::build_on_ranks(net.clone(), config, r.clone()),
        None => Simulation::build(net.clone(), config),
    });
    let sim = sim.map_err(|e| match e {
        EngineError::Panicked(..) | EngineError::Aborted | EngineError::Io(..) => failed(e),
        e => e.into(),
    });
    (sim, span)
}

/// From here Ctrl-C stops `sim` at the next slice boundary instead of
/// killing the process, so what was recorded is still written whole.
fn stop_on_ctrl_c(sim: &mut Simulation) -> Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .context("cannot handle Ctrl-C")?;
    sim.interrupt_on(stop);
    Ok(())
}

/// Simulate `ms` more; `Ok(true)` when Ctrl-C stopped it.
fn simulate(sim: &mut Simulation, ms: f64, lead: bool) -> Result<bool> {
    match sim.simulate(ms) {
        Ok(()) => Ok(false),
        Err(EngineError::Interrupted { time_ms }) => {
            if lead {
                let _ = writeln!(
                    std::io::stderr(),
                    "Interrupted at {time_ms} ms of model time; writing what was recorded"
                );
            }
            Ok(true)
        }
        Err(EngineError::StderrClosed) => Err(EngineError::StderrClosed.into()),
        Err(e) => Err(failed(e)),
    }
}

fn run_checked(cfg: &RunConfig, ranks: Option<&Arc<dyn Ranks>>, lead: bool) -> Result<bool> {
    if let Some(run) = &cfg.microcircuit {
        return run_microcircuit(cfg, run, ranks, lead);
    }
    if let Some(run) = &cfg.hpc_benchmark {
        return run_hpc_benchmark(cfg, run, ranks, lead);
    }
    if let Some(params) = &cfg.brette2007 {
        return run_brette2007(cfg, params, ranks, lead);
    }
    let mut stdout = std::io::stdout().lock();
    let mut say = |s: &str| -> std::io::Result<()> {
        if !cfg.quiet {
            writeln!(stdout, "{s}")?;
        }
        Ok(())
    };
    say("Building network")?;
    let (b, create) = Span::measure(|| brunel::build(&cfg.params));
    let b = b?;
    say("Connecting devices")?;
    say("Connecting network")?;
    let (sim, connect) = build_simulation(cfg, &b.net, ranks);
    let mut sim = sim?;

    say("Simulating")?;
    stop_on_ctrl_c(&mut sim)?;
    let (interrupted, simulate) = Span::measure(|| simulate(&mut sim, cfg.simtime, lead));
    let interrupted = interrupted?;

    // Collective from here under MPI: every rank makes the same calls.
    let written = match &cfg.output_dir {
        Some(dir) => sim
            .write_recorders(dir, &cfg.label_prefix, FileNames::Spindle, 0.0)
            .map_err(failed)?,
        None => Vec::new(),
    };
    if let Some(path) = &cfg.plot {
        let events = sim.spike_events(b.espikes.first()).map_err(failed)?;
        if lead {
            spindle_plot::Raster {
                title: "Brunel network: excitatory neurons",
                senders: &events.senders,
                times: &events.times,
                t_max: sim.time(),
                n_neurons: cfg.params.n_rec,
                bin_ms: 5.0,
            }
            .write(path)
            .map_err(failed)?;
        }
    }
    let measured = Measured {
        create,
        connect,
        simulate,
        presimulate: None,
        interrupted,
    };
    dump_weights(cfg, &sim, ranks)?;
    let mut report = Report::new(cfg, &b, &sim, &measured).map_err(failed)?;
    if let Some(r) = ranks {
        report.add_ranks(r.as_ref(), &sim.stats());
    }
    if !lead {
        return Ok(interrupted);
    }
    if let Some(path) = &cfg.json {
        let text = serde_json::to_string_pretty(report.record())?;
        write_atomically(path, text.as_bytes())
            .with_context(|| format!("cannot write --json {}", path.display()))
            .map_err(failed)?;
    }
    write!(stdout, "{}", report.summary())?;
    if cfg.timers {
        write!(stdout, "{}", report.timer_table())?;
    }
    if !cfg.quiet {
        for path in written.iter().chain(cfg.plot.as_ref()) {
            writeln!(stdout, "Written: {}", path.display())?;
        }
    }
    stdout.flush()?;
    Ok(interrupted)
}

/// `--dump-weights`: this process's connections between neurons, one per
/// line, sorted by source and target (`PATH.<rank>` under MPI).
fn dump_weights(cfg: &RunConfig, sim: &Simulation, ranks: Option<&Arc<dyn Ranks>>) -> Result<()> {
    let Some(path) = &cfg.dump_weights else {
        return Ok(());
    };
    let path = match ranks {
        Some(r) => PathBuf::from(format!("{}.{}", path.display(), r.rank())),
        None => path.clone(),
    };
    let models = sim.network().synapse_models();
    let mut text = String::from("# source target synapse_model delay_ms weight\n");
    for c in sim.connections(&spindle::engine::ConnectionFilter::default()) {
        use std::fmt::Write as _;
        let model = &models[c.synapse_model as usize].name;
        // `{}` of an f64 is its shortest exact decimal: read back, the same
        // bits.
        let _ = writeln!(
            text,
            "{} {} {model} {} {}",
            c.source, c.target, c.delay, c.weight
        );
    }
    write_atomically(&path, text.as_bytes())
        .with_context(|| format!("cannot write --dump-weights {}", path.display()))
        .map_err(failed)
}

/// The microcircuit: its memory estimated before anything per neuron is
/// drawn, built as the example builds it, presimulated and simulated (two
/// calls, as the example's), its recorders' files holding the spikes
/// after the presimulation (as the example's, which NEST truncates at
/// every Simulate), its rates over that time.
fn run_microcircuit(
    cfg: &RunConfig,
    run: &MicrocircuitRun,
    ranks: Option<&Arc<dyn Ranks>>,
    lead: bool,
) -> Result<bool> {
    let mut stdout = std::io::stdout().lock();
    let mut say = |s: &str| -> std::io::Result<()> {
        if !cfg.quiet {
            writeln!(stdout, "{s}")?;
        }
        Ok(())
    };
    if ranks.is_none()
        && let Some(available) = spindle_bench::machine::available_memory()
    {
        let refuse = |needed: u64, what: &str| {
            anyhow::anyhow!(
                "--scale {}: the network needs {what} {} MiB but only {} MiB of memory is available",
                run.scale,
                needed >> 20,
                available >> 20
            )
        };
        // The bound costs nothing; the estimate draws the projections'
        // sizes, which takes long for a network far too large.
        let least = microcircuit::min_bytes(&run.params)?;
        if least > available {
            return Err(refuse(least, "at least"));
        }
        let needed = microcircuit::estimate_bytes(&run.params, cfg.run_threads)?;
        if needed > available {
            return Err(refuse(needed, "an estimated"));
        }
    }
    say("Creating neuronal populations and devices")?;
    let (m, create) = Span::measure(|| microcircuit::build(&run.params));
    let m = m?;
    if lead && !cfg.quiet {
        // As the example warns (network.py): DC below the rheobase.
        for &i in &m.derived.sub_threshold {
            let _ = writeln!(
                std::io::stderr(),
                "warning: population {} is sub-threshold with downscaled DC input amplitude and may not fire",
                microcircuit::POPULATIONS[i]
            );
        }
    }
    say("Connecting neuronal populations")?;
    let (sim, connect) = build_simulation(cfg, &m.net, ranks);
    let mut sim = sim?;
    stop_on_ctrl_c(&mut sim)?;

    say(&format!("Simulating {} ms", run.presim))?;
    let (outcome, simulate) = Span::measure(|| -> Result<(bool, Span, Presimulated)> {
        let (stopped, presimulate) = Span::measure(|| match run.presim > 0.0 {
            true => simulate(&mut sim, run.presim, lead),
            false => Ok(false),
        });
        let stopped = stopped?;
        let pre = Presimulated::count(&m, &sim);
        if stopped {
            return Ok((true, presimulate, pre));
        }
        say(&format!("Simulating {} ms", cfg.simtime))?;
        Ok((simulate(&mut sim, cfg.simtime, lead)?, presimulate, pre))
    });
    let (interrupted, presimulate, pre) = outcome?;

    // Collective from here under MPI: every rank makes the same calls.
    let written = match &cfg.output_dir {
        Some(dir) => sim
            .write_recorders(dir, &cfg.label_prefix, FileNames::Spindle, run.presim)
            .map_err(failed)?,
        None => Vec::new(),
    };
    let measured = Measured {
        create,
        connect,
        simulate,
        presimulate: Some(presimulate),
        interrupted,
    };
    dump_weights(cfg, &sim, ranks)?;
    let mut report = Report::microcircuit(cfg, run, &m, &sim, &measured, &pre).map_err(failed)?;
    if let Some(r) = ranks {
        report.add_ranks(r.as_ref(), &sim.stats());
    }
    if !lead {
        return Ok(interrupted);
    }
    if let Some(path) = &cfg.json {
        let text = serde_json::to_string_pretty(report.record())?;
        write_atomically(path, text.as_bytes())
            .with_context(|| format!("cannot write --json {}", path.display()))
            .map_err(failed)?;
    }
    write!(stdout, "{}", report.summary())?;
    if cfg.timers {
        write!(stdout, "{}", report.timer_table())?;
    }
    if !cfg.quiet {
        for path in &written {
            writeln!(stdout, "Written: {}", path.display())?;
        }
    }
    stdout.flush()?;
    Ok(interrupted)
}

/// Rank 0's output after a run: the JSON record, the summary, the timer
/// table, the files written. Every rank adds its figures first (a
/// collective call under MPI).
fn finish(
    cfg: &RunConfig,
    mut report: Report,
    sim: &Simulation,
    ranks: Option<&Arc<dyn Ranks>>,
    lead: bool,
    written: &[PathBuf],
    interrupted: bool,
) -> Result<bool> {
    if let Some(r) = ranks {
        report.add_ranks(r.as_ref(), &sim.stats());
    }
    if !lead {
        return Ok(interrupted);
    }
    if let Some(path) = &cfg.json {
        let text = serde_json::to_string_pretty(report.record())?;
        write_atomically(path, text.as_bytes())
            .with_context(|| format!("cannot write --json {}", path.display()))
            .map_err(failed)?;
    }
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "{}", report.summary())?;
    if cfg.timers {
        write!(stdout, "{}", report.timer_table())?;
    }
    if !cfg.quiet {
        for path in written {
            writeln!(stdout, "Written: {}", path.display())?;
        }
    }
    stdout.flush()?;
    Ok(interrupted)
}

/// hpc_benchmark.py: its memory estimated before the membrane potentials
/// are drawn (one process), built as the script builds it, presimulated
/// and simulated (the script's two Simulate calls), its log lines (times,
/// memory, the average rate) printed as the script prints them.
fn run_hpc_benchmark(
    cfg: &RunConfig,
    run: &HpcBenchmarkRun,
    ranks: Option<&Arc<dyn Ranks>>,
    lead: bool,
) -> Result<bool> {
    let mut params = run.params.clone();
    params.num_processes = ranks.map_or(1, |r| r.size());
    params.validate().map_err(|e| {
        let e = e.to_string().replace("Nrec", "--n-rec");
        anyhow::anyhow!(
            "--scale {} on {} ranks: {e}",
            params.scale,
            params.num_processes
        )
    })?;
    if ranks.is_none()
        && let Some(available) = spindle_bench::machine::available_memory()
    {
        let refuse = |needed: u64, what: &str| {
            anyhow::anyhow!(
                "--scale {}: the network needs {what} {} MiB but only {} MiB of memory is available",
                params.scale,
                needed >> 20,
                available >> 20
            )
        };
        let least = hpc_benchmark::min_bytes(&params)?;
        if least > available {
            return Err(refuse(least, "at least"));
        }
        let needed = hpc_benchmark::estimate_bytes(&params, cfg.run_threads)?;
        if needed > available {
            return Err(refuse(needed, "an estimated"));
        }
    }
    let mut log = ScriptLog::new(cfg.quiet || !lead);
    log.memory("virt_mem_0")?;
    let (b, create) = Span::measure(|| hpc_benchmark::build(&params));
    let b = b?;
    log.value(create.wall.as_secs_f64(), "build_time_nodes")?;
    log.memory("virt_mem_after_nodes")?;
    let (sim, connect) = build_simulation(cfg, &b.net, ranks);
    let mut sim = sim?;
    log.value(connect.wall.as_secs_f64(), "build_edge_time")?;
    log.memory("virt_mem_after_edges")?;
    stop_on_ctrl_c(&mut sim)?;

    let presim = params.presimtime;
    let (outcome, simulate) = Span::measure(|| -> Result<(bool, Span, Vec<u64>)> {
        let (stopped, presimulate) = Span::measure(|| match presim > 0.0 {
            true => simulate(&mut sim, presim, lead),
            false => Ok(false),
        });
        let stopped = stopped?;
        let before = vec![sim.spike_total(&b.e_neurons), sim.spike_total(&b.i_neurons)];
        if stopped {
            return Ok((true, presimulate, before));
        }
        log.value(presimulate.wall.as_secs_f64(), "presim_time")?;
        log.memory("virt_mem_after_presim")?;
        Ok((simulate(&mut sim, cfg.simtime, lead)?, presimulate, before))
    });
    let (interrupted, presimulate, before) = outcome?;
    let sim_span = simulate.wall.saturating_sub(presimulate.wall);
    if !interrupted {
        log.value(sim_span.as_secs_f64(), "sim_time")?;
        log.memory("virt_mem_after_sim")?;
    }

    // Collective from here under MPI: every rank makes the same calls.
    let written = match &cfg.output_dir {
        Some(dir) => sim
            .write_recorders(dir, &cfg.label_prefix, FileNames::Spindle, presim)
            .map_err(failed)?,
        None => Vec::new(),
    };
    let measured = Measured {
        create,
        connect,
        simulate,
        presimulate: Some(presimulate),
        interrupted,
    };
    dump_weights(cfg, &sim, ranks)?;
    let report =
        Report::hpc_benchmark(cfg, &params, &b, &sim, &measured, &before).map_err(failed)?;
    if let Some(rate) = report
        .record()
        .n_rec
        .filter(|&n| n > 0)
        .map(|_| report.record().rate_ex)
    {
        log.value(rate, "average rate")?;
    }
    finish(cfg, report, &sim, ranks, lead, &written, interrupted)
}

/// hpc_benchmark.py's `Logger` on stdout: `<rank> <value> # <name>`, a
/// blank line after each (the script prints with a newline of its own).
struct ScriptLog {
    quiet: bool,
}

impl ScriptLog {
    fn new(quiet: bool) -> Self {
        Self { quiet }
    }

    fn line(&mut self, value: &str, name: &str) -> std::io::Result<()> {
        if !self.quiet {
            let mut out = std::io::stdout().lock();
            writeln!(out, "0 {value} # {name}\n")?;
        }
        Ok(())
    }

    fn value(&mut self, v: f64, name: &str) -> std::io::Result<()> {
        self.line(&v.to_string(), name)
    }

    /// NEST's `memory_size`: the process's virtual memory [kB].
    fn memory(&mut self, name: &str) -> std::io::Result<()> {
        let kb = spindle_bench::machine::virtual_memory_bytes().unwrap_or(0) / 1024;
        self.line(&kb.to_string(), name)
    }
}

/// A Brette et al. (2007) benchmark: built as `build_network` builds it,
/// one Simulate call, the script's summary.
fn run_brette2007(
    cfg: &RunConfig,
    params: &Brette2007Params,
    ranks: Option<&Arc<dyn Ranks>>,
    lead: bool,
) -> Result<bool> {
    let mut stdout = std::io::stdout().lock();
    let mut say = |s: &str| -> std::io::Result<()> {
        if !cfg.quiet {
            writeln!(stdout, "{s}")?;
        }
        Ok(())
    };
    say("Creating excitatory population ...")?;
    let (b, create) = Span::measure(|| spindle::brette2007::build(params));
    let b = b?;
    say("Connecting excitatory population ...")?;
    let (sim, connect) = build_simulation(cfg, &b.net, ranks);
    let mut sim = sim?;
    say("Simulating ...")?;
    drop(stdout);
    stop_on_ctrl_c(&mut sim)?;
    let (interrupted, simulate) = Span::measure(|| simulate(&mut sim, cfg.simtime, lead));
    let interrupted = interrupted?;
    let written = match &cfg.output_dir {
        Some(dir) => sim
            .write_recorders(dir, &cfg.label_prefix, FileNames::Spindle, 0.0)
            .map_err(failed)?,
        None => Vec::new(),
    };
    let measured = Measured {
        create,
        connect,
        simulate,
        presimulate: None,
        interrupted,
    };
    dump_weights(cfg, &sim, ranks)?;
    let report = Report::brette2007(cfg, params, &b, &sim, &measured).map_err(failed)?;
    finish(cfg, report, &sim, ranks, lead, &written, interrupted)
}
