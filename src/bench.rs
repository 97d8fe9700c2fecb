//! `spindle bench` and `spindle compare`: flags and output around the
//! `spindle-bench` harness.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use spindle::args::{DriveArg, NetworkArg};
use spindle::brunel::Model;
use spindle_bench::grid::{Mode, Plan, ScalePlan, parse_list, parse_scales};
use spindle_bench::io::write_atomically;
use spindle_bench::record::{RunRecord, read_set};
use spindle_bench::summary::{PHASES, markdown, rows};
use spindle_bench::sweep::System;
use spindle_bench::{compare, history, machine, sweep};
use spindle_plot::{LineChart, Series, StackedBars};

/// How orders and threads combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Every order with every thread count.
    Strong,
    /// Each order is per thread: run at order × threads × ranks
    /// (hpc_benchmark: each scale is per rank, run at scale × ranks).
    Weak,
}

/// Sweep a network (the seed's Brunel network, the microcircuit,
/// hpc_benchmark or the Brette et al. 2007 benchmarks) over sizes, ranks
/// and threads, each run in a fresh process, and write a result set with
/// a summary and plots.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct BenchArgs {
    /// Preset that finishes in a couple of minutes on 2 cores: orders
    /// 250,1000 (microcircuit: scales 0.05,0.1), threads 1..cores, 2 repeats.
    #[arg(long)]
    pub quick: bool,
    /// The network: brunel, microcircuit (Potjans & Diesmann 2014, NEST's
    /// PD14 example; sized by --scales, not --orders), hpc_benchmark
    /// (NEST's hpc_benchmark.py; sized by --scales) or brette2007 (NEST's
    /// brette_et_al_2007 scripts, chosen by --models).
    #[arg(long, value_enum, default_value_t = NetworkArg::Brunel)]
    pub network: NetworkArg,
    /// Neuron models, each with its NEST script's network (list:
    /// iaf_psc_alpha,iaf_psc_delta,iaf_psc_exp; see `spindle --model`)
    /// [default: iaf_psc_alpha]; brette2007: its scripts (list:
    /// coba,hh_coba,cuba) [default: coba].
    #[arg(long, visible_alias = "model")]
    pub models: Option<String>,
    /// Orders (list or range: 250,1000,2500) [default: 250,1000,2500; quick: 250,1000].
    #[arg(long)]
    pub orders: Option<String>,
    /// Scales of the microcircuit or hpc_benchmark (list: 0.1,0.2; in
    /// weak mode per rank) [default: 0.1,0.2; quick: 0.05,0.1;
    /// hpc_benchmark: 0.2].
    #[arg(long, visible_alias = "scale")]
    pub scales: Option<String>,
    /// Microcircuit background input [default: poisson].
    #[arg(long, value_enum)]
    pub drive: Option<DriveArg>,
    /// Presimulation per run of the microcircuit or hpc_benchmark [ms]
    /// [default: 500; hpc_benchmark: 50, the script's].
    #[arg(long)]
    pub presim: Option<f64>,
    /// Thread counts (list or range: 1-4,8) [default: 1..available cores].
    #[arg(long)]
    pub threads: Option<String>,
    /// MPI rank counts (list or range: 1,2,4); runs with more than one
    /// rank start through --launcher and need a build with `--features mpi`.
    #[arg(long, default_value = "1")]
    pub ranks: String,
    /// How to start a run on several ranks; `{ranks}` is replaced by the
    /// rank count (e.g. `srun -n {ranks}`).
    #[arg(
        long,
        default_value = "mpirun --oversubscribe --bind-to none -np {ranks}"
    )]
    pub launcher: String,
    /// Strong (fixed size) or weak (order proportional to threads × ranks;
    /// hpc_benchmark: scale proportional to ranks) scaling.
    #[arg(long, value_enum, default_value_t = ModeArg::Strong)]
    pub mode: ModeArg,
    /// How in-degrees follow the order: seed (epsilon fixed) or indegree
    /// (CE=1000, CI=250 fixed) [default: seed].
    #[arg(long)]
    pub scaling: Option<String>,
    /// Repeats per configuration and seed [default: 3; quick: 2].
    #[arg(long)]
    pub repeats: Option<u32>,
    /// Master seeds (list).
    #[arg(long, default_value = "1")]
    pub seeds: String,
    /// Model time per run [ms] [default: 1000; hpc_benchmark: 250, the
    /// script's].
    #[arg(long)]
    pub simtime: Option<f64>,
    /// Result directory [default: results/<date>-<host>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Label stored in every row.
    #[arg(long, default_value = "")]
    pub label: String,
    /// Pin threads in every run.
    #[arg(long)]
    pub pin: bool,
    /// Run every configuration with this many threads while recording the
    /// requested count: a deliberately slowed build, to check `compare`.
    #[arg(long)]
    pub force_threads: Option<u64>,
    /// Also run these peers on every configuration (brian2, nest), through
    /// `scripts/peers/<name>.sh` (run from the repository root). NEST runs
    /// the microcircuit, hpc_benchmark and brette2007 as their scripts'
    /// own code (NEST's wheel has no MPI: for hpc_benchmark it runs R
    /// ranks × T threads as one process of R × T threads); Brian2 runs
    /// Brunel's network only.
    #[arg(long)]
    pub peers: Option<String>,
}

/// Compare two result sets (directories with raw.jsonl, or .jsonl files).
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct CompareArgs {
    /// The baseline.
    pub old: PathBuf,
    /// The candidate.
    pub new: PathBuf,
    /// A slowdown counts only beyond this many percent (and beyond the
    /// spread of the repeats).
    #[arg(long, default_value_t = 5.0)]
    pub threshold: f64,
    /// Give the absolute-time verdict even when OLD and NEW come from
    /// different machines (without it, `compare` refuses it, exit 2, and
    /// shows only the peer ratios, which carry across machines).
    #[arg(long)]
    pub across_machines: bool,
}

/// Follow the figures over many result sets: `history.md` and
/// `history.html`, steps found, exit 1 when a series' newest set is slower.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct HistoryArgs {
    /// Result sets (folders with raw.jsonl or JSON records, or files) and
    /// folders of them, walked [default: results]
    pub paths: Vec<PathBuf>,
    /// The folder history.md and history.html are written to.
    #[arg(long, default_value = "history")]
    pub out: PathBuf,
    /// A step or slowdown counts only beyond this many percent (and beyond
    /// the spread of the repeats), as in `compare`.
    #[arg(long, default_value_t = 5.0)]
    pub threshold: f64,
}

/// Run a sweep; returns whether it was interrupted.
pub fn bench(args: BenchArgs) -> Result<bool> {
    let cores = machine::cores() as u64;
    let net = args.network;
    let microcircuit = net == NetworkArg::Microcircuit;
    let hpc = net == NetworkArg::HpcBenchmark;
    let brette = net == NetworkArg::Brette2007;
    let scaled = microcircuit || hpc;
    {
        use NetworkArg::*;
        // The flags of some networks only: whether given, who takes them.
        let flags: [(&str, bool, &[NetworkArg]); 6] = [
            (
                "--scales",
                args.scales.is_some(),
                &[Microcircuit, HpcBenchmark],
            ),
            ("--drive", args.drive.is_some(), &[Microcircuit]),
            (
                "--presim",
                args.presim.is_some(),
                &[Microcircuit, HpcBenchmark],
            ),
            ("--orders", args.orders.is_some(), &[Brunel]),
            ("--models", args.models.is_some(), &[Brunel, Brette2007]),
            ("--scaling", args.scaling.is_some(), &[Brunel]),
        ];
        if let Some((flag, _, takers)) = flags
            .iter()
            .find(|(_, given, takers)| *given && !takers.contains(&net))
        {
            let names: Vec<String> = takers
                .iter()
                .map(|n| format!("--network {}", n.name()))
                .collect();
            bail!(
                "{flag} applies to {} only, not to --network {}",
                spindle::args::list_text(&names),
                net.name()
            );
        }
    }
    let orders = parse_list(
        "--orders",
        args.orders.as_deref().unwrap_or(if args.quick {
            "250,1000"
        } else {
            "250,1000,2500"
        }),
    )?;
    let threads = match &args.threads {
        Some(t) => parse_list("--threads", t)?,
        None => (1..=cores).collect(),
    };
    let ranks = parse_list("--ranks", &args.ranks)?;
    let launcher: Vec<String> = args.launcher.split_whitespace().map(String::from).collect();
    if ranks.iter().any(|&r| r > 1) && !launcher.iter().any(|w| w.contains("{ranks}")) {
        bail!("--launcher '{}' must contain {{ranks}}", args.launcher);
    }
    let models: Vec<String> = match net {
        NetworkArg::Microcircuit => vec![Model::IafPscExp.name().into()],
        NetworkArg::HpcBenchmark => vec![Model::IafPscAlpha.name().into()],
        NetworkArg::Brette2007 => parse_benchmarks(args.models.as_deref().unwrap_or("coba"))?,
        NetworkArg::Brunel => parse_models(args.models.as_deref().unwrap_or("iaf_psc_alpha"))?
            .iter()
            .map(|m| m.name().to_string())
            .collect(),
    };
    let default_scales = match (hpc, args.quick) {
        (true, _) => "0.2",
        (false, true) => "0.05,0.1",
        (false, false) => "0.1,0.2",
    };
    let mc = match scaled {
        true => Some(ScalePlan {
            scales: parse_scales("--scales", args.scales.as_deref().unwrap_or(default_scales))?,
            drive: match (microcircuit, args.drive.unwrap_or(DriveArg::Poisson)) {
                (false, _) => String::new(),
                (true, DriveArg::Poisson) => "poisson".into(),
                (true, DriveArg::Dc) => "dc".into(),
            },
            presim: args.presim.unwrap_or(if hpc { 50.0 } else { 500.0 }),
        }),
        false => None,
    };
    let plan = Plan {
        network: net.name().into(),
        models,
        orders: if net == NetworkArg::Brunel {
            orders
        } else {
            Vec::new()
        },
        scaled: mc,
        threads,
        ranks,
        mode: match args.mode {
            ModeArg::Strong => Mode::Strong,
            ModeArg::Weak => Mode::Weak,
        },
        scaling: args.scaling.clone().unwrap_or_else(|| "seed".into()),
        seeds: parse_list("--seeds", &args.seeds)?,
        repeats: args.repeats.unwrap_or(if args.quick { 2 } else { 3 }),
        simtime: args.simtime.unwrap_or(if hpc { 250.0 } else { 1000.0 }),
    };
    plan.validate()?;
    if args.force_threads == Some(0) {
        bail!("--force-threads must be > 0");
    }
    let dir = match &args.out {
        Some(d) => {
            if d.join("raw.jsonl").exists() {
                bail!(
                    "--out {} already holds a result set; choose another directory",
                    d.display()
                );
            }
            d.clone()
        }
        None => fresh_dir(&format!(
            "results/{}-{}",
            machine::today(),
            machine::hostname()
        )),
    };
    let exe = std::env::current_exe().context("cannot find the spindle executable")?;
    let mut extra = Vec::new();
    if args.pin {
        extra.push("--pin".to_string());
    }
    if let Some(t) = args.force_threads {
        extra.extend(["--actual-threads".to_string(), t.to_string()]);
    }
    let mut systems = vec![System {
        name: "spindle".into(),
        program: exe,
        extra,
        launcher: Some(launcher),
        ranks_as_threads: false,
    }];
    for peer in args.peers.iter().flat_map(|p| p.split(',')).map(str::trim) {
        if !["brian2", "nest"].contains(&peer) {
            bail!("--peers: unknown peer '{peer}' (brian2, nest)");
        }
        if net != NetworkArg::Brunel && peer != "nest" {
            let name = match net {
                NetworkArg::Microcircuit => "the microcircuit",
                other => other.name(),
            };
            bail!("--peers: {peer} runs the Brunel network only, not {name}");
        }
        if let Some(m) = plan
            .models
            .iter()
            .find(|m| net == NetworkArg::Brunel && !peer_runs(peer, m))
        {
            bail!("--peers: {peer} runs iaf_psc_alpha only, not {m}");
        }
        let program = PathBuf::from(format!("scripts/peers/{peer}.sh"));
        if !program.exists() {
            bail!(
                "--peers: {} not found; run from the repository root",
                program.display()
            );
        }
        systems.push(System {
            name: peer.into(),
            program,
            extra: Vec::new(),
            launcher: None,
            // NEST's wheel has no MPI (build_info: have_mpi false).
            ranks_as_threads: hpc && peer == "nest",
        });
    }
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("--out {} cannot be created", dir.display()))?;
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    write_atomically(
        &dir.join("SETUP.md"),
        setup_md(&plan, &command, &args).as_bytes(),
    )?;

    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    // A second Ctrl-C while we finish up is ignored; the children have
    // received the signal themselves.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    let total: usize = plan
        .runs()
        .iter()
        .map(|r| systems.iter().filter(|s| s.runs_on(r.ranks)).count())
        .sum();
    // Progress on stderr is best effort: a closed stderr must not stop the
    // sweep between two runs and lose the summary.
    let _ = writeln!(
        std::io::stderr(),
        "Sweep of {total} runs into {}",
        dir.display()
    );
    let outcome = sweep::run_sweep(&plan, &systems, &dir, &args.label, &stop, |p| {
        let eta = p
            .eta
            .map(|d| format!(", about {:.0} s left", d.as_secs_f64()))
            .unwrap_or_default();
        let size = match p.run.scale {
            Some(s) => format!("{} scale {s}", plan.network),
            None if brette => format!("brette2007 {}", p.run.model),
            None => format!("{} order {}", p.run.model, p.run.order),
        };
        let _ = writeln!(
            std::io::stderr(),
            "[{}/{}] {} {size} ranks {} threads {} seed {} repeat {}{eta}",
            p.index,
            p.total,
            p.system,
            p.run.ranks,
            p.run.threads,
            p.run.seed,
            p.run.repeat + 1
        );
    })?;
    if outcome.records.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "Interrupted before any run finished; nothing to summarise."
        );
        return Ok(true);
    }
    let summary = markdown(&outcome.records);
    let note = if outcome.interrupted {
        format!(
            "\n(interrupted after {} of {total} runs)\n",
            outcome.records.len()
        )
    } else {
        String::new()
    };
    write_atomically(
        &dir.join("summary.md"),
        format!("{summary}{note}").as_bytes(),
    )?;
    let plots = write_plots(&dir, &outcome.records)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{summary}{note}")?;
    writeln!(out, "Result set: {}", dir.display())?;
    for p in plots {
        writeln!(out, "Plot: {}", p.display())?;
    }
    Ok(outcome.interrupted)
}

/// `--models`: a comma-separated list of known models.
fn parse_models(text: &str) -> Result<Vec<Model>> {
    text.split(',')
        .map(|name| Model::from_name(name.trim()).map_err(|e| anyhow::anyhow!("--models: {e}")))
        .collect()
}

/// `--models` of brette2007: a comma-separated list of its scripts.
fn parse_benchmarks(text: &str) -> Result<Vec<String>> {
    text.split(',')
        .map(|name| {
            spindle::brette2007::Benchmark::from_name(name.trim())
                .map(|b| b.name().to_string())
                .map_err(|e| anyhow::anyhow!("--models: {e}"))
        })
        .collect()
}

/// Whether a peer has `model`'s network: NEST runs each script, Brian2
/// only the seed's.
fn peer_runs(peer: &str, model: &str) -> bool {
    peer == "nest" || model == Model::IafPscAlpha.name()
}

fn fresh_dir(base: &str) -> PathBuf {
    let mut dir = PathBuf::from(base);
    let mut n = 2;
    while dir.join("raw.jsonl").exists() {
        dir = PathBuf::from(format!("{base}-{n}"));
        n += 1;
    }
    dir
}

fn setup_md(plan: &Plan, command: &str, args: &BenchArgs) -> String {
    format!(
        "# Result set\n\n\
         - Command: `{command}`\n\
         - Spindle {} at commit {} ({})\n\
         - Machine: {} ({}), {} cores usable, {} GiB memory\n\
         - CPU: {}\n\
         - Grid: {} × ranks {:?} × threads {:?} per rank, {} scaling mode, seeds {:?}, {} repeats, {} ms of model time per run{}{}\n\
         - Each run is a fresh `spindle --record-to none --quiet --json` process{}{}; rows in raw.jsonl (all fields) and raw.csv (main columns), summary in summary.md.\n",
        env!("CARGO_PKG_VERSION"),
        env!("SPINDLE_GIT_COMMIT"),
        env!("SPINDLE_RUSTC_VERSION"),
        machine::cpu_model(),
        machine::hostname(),
        machine::cores(),
        machine::total_memory().map(|b| b >> 30).unwrap_or(0),
        machine::cpu_detail().line(),
        match &plan.scaled {
            Some(mc) if plan.network == "hpc_benchmark" => format!(
                "NEST's hpc_benchmark.py at scales {:?}{}, {} ms presimulated",
                mc.scales,
                if plan.mode == Mode::Weak {
                    " per rank"
                } else {
                    ""
                },
                mc.presim
            ),
            Some(mc) => format!(
                "the microcircuit (Potjans & Diesmann 2014, NEST's PD14 example) at scales {:?}, {} drive, {} ms presimulated",
                mc.scales, mc.drive, mc.presim
            ),
            None if plan.network == "brette2007" =>
                format!("NEST's Brette et al. (2007) benchmarks {:?}", plan.models),
            None => format!(
                "models {:?} × orders {:?}, in-degree scaling '{}'",
                plan.models, plan.orders, plan.scaling
            ),
        },
        plan.ranks,
        plan.threads,
        plan.mode.name(),
        plan.seeds,
        plan.repeats,
        plan.simtime,
        if args.pin { ", threads pinned" } else { "" },
        args.force_threads
            .map(|t| format!(", FORCED to {t} threads (a deliberately slowed set)"))
            .unwrap_or_default(),
        if plan.ranks.iter().any(|&r| r > 1) {
            format!(", started on several ranks by `{}`", args.launcher)
        } else {
            String::new()
        },
        args.peers
            .as_ref()
            .map(|p| {
                let no_mpi = if plan.network == "hpc_benchmark"
                    && p.contains("nest")
                    && plan.ranks.iter().any(|&r| r > 1)
                {
                    " (NEST's wheel has no MPI: R ranks × T threads run NEST as one process of R·T threads at the same scale)"
                } else {
                    ""
                };
                format!(", and the same with each peer ({p}) through scripts/peers/{no_mpi}")
            })
            .unwrap_or_default(),
    )
}

/// Strong scaling (time per model second against threads, with the ideal
/// line), size scaling (against order, or the microcircuit's scale) and
/// the phase breakdown of the largest size.
fn write_plots(dir: &Path, records: &[RunRecord]) -> Result<Vec<PathBuf>> {
    let rows = rows(records);
    let per_model_s = |r: &spindle_bench::summary::Row| r.sim.median / r.key.model_seconds();
    let mut written = Vec::new();
    let mut orders: Vec<f64> = rows.iter().map(|r| r.key.size()).collect();
    orders.sort_by(f64::total_cmp);
    orders.dedup();
    // "order 250" or "scale 0.1".
    let size_label = |o: f64| {
        rows.iter()
            .find(|r| r.key.size() == o)
            .map(|r| r.key.size_label())
            .unwrap_or_default()
    };
    let size_axis = if rows.iter().all(|r| r.key.is_scaled()) {
        "scale"
    } else {
        "order"
    };
    let mut threads: Vec<u64> = rows.iter().map(|r| r.key.threads).collect();
    threads.sort();
    threads.dedup();

    // A line per system, and per model when the set has several.
    let several_models = rows.iter().any(|r| r.key.model != rows[0].key.model);
    let line = |key: &spindle_bench::record::ConfigKey| {
        if several_models {
            format!("{} {}", key.system, key.model)
        } else {
            key.system.clone()
        }
    };
    let mut systems: Vec<String> = rows.iter().map(|r| line(&r.key)).collect();
    systems.dedup();
    if threads.len() > 1 {
        let mut series = Vec::new();
        let mut rank_counts: Vec<u64> = rows.iter().map(|r| r.key.ranks).collect();
        rank_counts.sort();
        rank_counts.dedup();
        let mut groups = Vec::new();
        for s in &systems {
            for &o in &orders {
                for &r in &rank_counts {
                    groups.push((s, o, r));
                }
            }
        }
        for (sys, o, ranks) in groups {
            {
                let pts: Vec<(f64, f64)> = rows
                    .iter()
                    .filter(|r| r.key.size() == o && &line(&r.key) == sys && r.key.ranks == ranks)
                    .map(|r| (r.key.threads as f64, per_model_s(r)))
                    .collect();
                let sys = &if ranks > 1 {
                    format!("{sys} {ranks} ranks")
                } else {
                    sys.clone()
                };
                if pts.len() < 2 {
                    continue;
                }
                let (t0, y0) = pts[0];
                series.push(Series {
                    label: format!("ideal, {sys} {}", size_label(o)),
                    points: threads
                        .iter()
                        .map(|&t| (t as f64, y0 * t0 / t as f64))
                        .collect(),
                    reference: true,
                });
                series.push(Series {
                    label: format!("{sys} {}", size_label(o)),
                    points: pts,
                    reference: false,
                });
            }
        }
        if !series.is_empty() {
            let path = dir.join("strong_scaling.png");
            LineChart {
                title: "Strong scaling",
                x_label: "threads",
                y_label: "wall seconds per model second",
                series: &series,
            }
            .write(&path)?;
            written.push(path);
        }
    }
    if orders.len() > 1 {
        let series: Vec<Series> = systems
            .iter()
            .flat_map(|sys| threads.iter().map(move |&t| (sys, t)))
            .map(|(sys, t)| Series {
                label: format!("{sys}, {t} threads"),
                points: rows
                    .iter()
                    .filter(|r| r.key.threads == t && &line(&r.key) == sys)
                    .map(|r| (r.key.size(), per_model_s(r)))
                    .collect(),
                reference: false,
            })
            .filter(|s| s.points.len() > 1)
            .collect();
        if !series.is_empty() {
            let path = dir.join("size_scaling.png");
            LineChart {
                title: "Size scaling",
                x_label: size_axis,
                y_label: "wall seconds per model second",
                series: &series,
            }
            .write(&path)?;
            written.push(path);
        }
    }
    if let Some(&largest) = orders
        .last()
        .filter(|_| rows.iter().any(|r| r.key.system == "spindle"))
    {
        // Only Spindle's runs carry the phase timers.
        let sel: Vec<_> = rows
            .iter()
            .filter(|r| r.key.size() == largest && r.key.system == "spindle")
            .collect();
        let categories: Vec<String> = sel
            .iter()
            .map(|r| match several_models {
                true => format!("{}, {} threads", r.key.model, r.key.threads),
                false => format!("{} threads", r.key.threads),
            })
            .collect();
        // Gather includes the barrier wait; stack the wait separately.
        let layers: Vec<(String, Vec<f64>)> = vec![
            ("update".into(), sel.iter().map(|r| r.phases[0]).collect()),
            ("deliver".into(), sel.iter().map(|r| r.phases[1]).collect()),
            (
                "exchange".into(),
                sel.iter()
                    .map(|r| (r.phases[2] - r.phases[3]).max(0.0))
                    .collect(),
            ),
            (
                "barrier wait".into(),
                sel.iter().map(|r| r.phases[3]).collect(),
            ),
        ];
        debug_assert_eq!(PHASES.len(), 4);
        let path = dir.join("phases.png");
        StackedBars {
            title: &format!("Phases at {} (mean over shards)", size_label(largest)),
            y_label: "wall seconds",
            categories: &categories,
            layers: &layers,
        }
        .write(&path)?;
        written.push(path);
    }
    Ok(written)
}

/// Compare two result sets; returns whether NEW regressed.
pub fn compare(args: CompareArgs) -> Result<bool> {
    if !(args.threshold.is_finite() && args.threshold >= 0.0) {
        bail!(
            "--threshold must be a percentage >= 0 (got {})",
            args.threshold
        );
    }
    let read = |path: &Path| -> Result<Vec<RunRecord>> {
        let set = read_set(path)?;
        for why in &set.skipped {
            let _ = writeln!(std::io::stderr(), "warning: skipped {why}");
        }
        Ok(set.records)
    };
    let (old, new) = (read(&args.old)?, read(&args.new)?);
    let threshold = args.threshold / 100.0;
    let machines = compare::machines(&old, &new);
    let mut out = std::io::stdout();
    writeln!(out, "{}", machines.line)?;
    if !machines.same && !args.across_machines {
        write!(out, "{}", compare::render_ratios(&old, &new))?;
        bail!(
            "absolute times from different machines do not compare ({}); the peer ratios do; --across-machines gives the absolute verdict anyway",
            machines.differences.join("; ")
        );
    }
    let report = compare::compare(&old, &new, threshold);
    if report.comparisons.is_empty() {
        bail!("the two result sets share no configuration");
    }
    write!(out, "{}", report.render(threshold))?;
    if !machines.same {
        write!(out, "{}", compare::render_ratios(&old, &new))?;
    }
    Ok(report.regressed())
}

/// The repository's commits (`git log --all` run where `dir` is), to date
/// the records; none, with a warning, where git cannot say.
fn git_commits(dir: &Path) -> history::Commits {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["log", "--all", "--format=%H%x09%ct%x09%cI%x09%s"])
        .stderr(std::process::Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() => {
            history::Commits::parse_git_log(&String::from_utf8_lossy(&o.stdout))
        }
        _ => {
            let _ = writeln!(
                std::io::stderr(),
                "warning: no git history at {}: sets are dated by their names",
                dir.display()
            );
            history::Commits::default()
        }
    }
}

/// `spindle history`; returns whether a machine's newest set is slower
/// than the set before it in some configuration.
pub fn history(args: HistoryArgs) -> Result<bool> {
    if !(args.threshold.is_finite() && args.threshold >= 0.0) {
        bail!(
            "--threshold must be a percentage >= 0 (got {})",
            args.threshold
        );
    }
    let started = std::time::Instant::now();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("results")]
    } else {
        args.paths.clone()
    };
    for p in &paths {
        if !p.exists() {
            bail!("no result set or folder at {}", p.display());
        }
    }
    let (sets, unreadable) = history::load(&paths);
    for u in &unreadable {
        let _ = writeln!(
            std::io::stderr(),
            "warning: skipped {}: {}",
            u.name,
            u.reason
        );
    }
    if sets.is_empty() {
        bail!("no result set under {} could be read", paths[0].display());
    }
    let git_dir = if paths[0].is_dir() {
        paths[0].clone()
    } else {
        paths[0].parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let git_dir = if git_dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        git_dir
    };
    let h = history::History::build(
        sets,
        unreadable,
        git_commits(&git_dir),
        args.threshold / 100.0,
    );
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let md = history::markdown::render(&h, started.elapsed());
    let page = history::html::render(&h, &args.out);
    let (md_path, html_path) = (args.out.join("history.md"), args.out.join("history.html"));
    for (path, text) in [(&md_path, md), (&html_path, page)] {
        write_atomically(path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut out = std::io::stdout();
    writeln!(
        out,
        "{} result sets read ({} runs, {} machines), {} not read",
        h.sets.len(),
        h.runs(),
        h.machines.len(),
        h.unreadable.len()
    )?;
    let steps = h.steps();
    let others = steps.iter().filter(|(_, fi, _, _)| *fi != 0).count();
    writeln!(
        out,
        "{} steps found, {} of them in simulation time (below; the rest in history.md)",
        steps.len(),
        steps.len() - others
    )?;
    for (c, _, s, st) in steps.into_iter().filter(|(_, fi, _, _)| *fi == 0) {
        let p = &s.points[st.index];
        writeln!(
            out,
            "step: {} on {}: {:.3}x at {} ({}){}",
            c.key,
            s.machine.short(),
            st.after / st.before,
            history::short_commit(&p.when.commit),
            h.sets[p.set].name,
            if st.provisional {
                ", newest set: provisional"
            } else {
                ""
            }
        )?;
    }
    for r in &h.regressions {
        writeln!(
            out,
            "SLOWER: {} {} on {}: the machine's newest set {} is {:.3}x the set before ({})",
            r.key,
            history::FIGURES[r.figure].0,
            r.machine.short(),
            h.sets[r.after.set].name,
            r.after.spread.median / r.before.spread.median,
            h.sets[r.before.set].name
        )?;
    }
    writeln!(
        out,
        "wrote {} and {} in {:.2} s",
        md_path.display(),
        html_path.display(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(!h.regressions.is_empty())
}
