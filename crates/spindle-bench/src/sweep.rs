//! Running a sweep: each run in a fresh process, each finished run appended
//! to `raw.jsonl` and `raw.csv` at once, so an interrupted sweep keeps every
//! row it finished and its files stay parseable.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::BenchError;
use crate::grid::{Plan, Run};
use crate::io::append_line;
use crate::record::{RunRecord, SweepTag};

/// A program that runs a network with Spindle's flags and writes a result
/// record: `spindle` itself or a peer script (`scripts/peers/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    /// Name in progress lines ("spindle", "brian2", "nest").
    pub name: String,
    /// The program.
    pub program: PathBuf,
    /// Flags for this system only (after the common ones).
    pub extra: Vec<String>,
    /// How to start it on several MPI ranks: a command whose `{ranks}`
    /// is replaced by the rank count (e.g. `mpirun -np {ranks}`); `None`
    /// if it runs on one process only.
    pub launcher: Option<Vec<String>>,
    /// Without a launcher: run a configuration of R ranks × T threads on
    /// one process with R × T threads (at the same size), instead of
    /// leaving it out (NEST's wheel, which has no MPI, in a weak-scaling
    /// sweep of hpc_benchmark). Its record says 1 rank, R × T threads.
    pub ranks_as_threads: bool,
}

impl System {
    /// Whether it runs a configuration on `ranks` ranks at all.
    pub fn runs_on(&self, ranks: u64) -> bool {
        ranks == 1 || self.launcher.is_some() || self.ranks_as_threads
    }
}

/// Where a sweep is.
#[derive(Debug, Clone)]
pub struct Progress {
    /// The run about to start.
    pub run: Run,
    /// The system it runs.
    pub system: String,
    /// Its number (1-based).
    pub index: usize,
    /// Runs in the sweep.
    pub total: usize,
    /// Estimated time left, from the mean duration of the runs so far.
    pub eta: Option<Duration>,
}

/// How a sweep ended.
#[derive(Debug)]
pub struct Outcome {
    /// The records of every finished run.
    pub records: Vec<RunRecord>,
    /// Whether the sweep was stopped before its end.
    pub interrupted: bool,
}

/// The paths of a result set's files.
pub fn raw_paths(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join("raw.jsonl"), dir.join("raw.csv"))
}

/// hpc_benchmark.py's Nrec, 1000, or fewer where the scale has fewer
/// excitatory neurons (the script aborts when Nrec exceeds them, and
/// multiplies Nrec by the ranks unless one thread per rank).
pub fn hpc_nrec(scale: f64, ranks: u64, threads: u64) -> u64 {
    let ne = (9000.0 * scale) as u64;
    let per = if threads != 1 { ranks.max(1) } else { 1 };
    (ne / per).min(1000)
}

/// Run `plan` once per system (systems innermost, so they share the
/// machine's state), writing rows into `dir`; `label` goes into every row.
/// Stops between runs once `stop` is set (and treats a run that failed
/// after `stop` was set as interrupted, not as an error).
pub fn run_sweep(
    plan: &Plan,
    systems: &[System],
    dir: &Path,
    label: &str,
    stop: &AtomicBool,
    mut progress: impl FnMut(&Progress),
) -> Result<Outcome, BenchError> {
    plan.validate()?;
    if systems.is_empty() {
        return Err(BenchError::Grid("no system to run".into()));
    }
    let (jsonl, csv) = raw_paths(dir);
    if !csv.exists() {
        append_line(&csv, &RunRecord::csv_header())
            .map_err(|e| BenchError::Io(format!("cannot write {}: {e}", csv.display())))?;
    }
    let runs: Vec<(Run, &System)> = plan
        .runs()
        .into_iter()
        // Peers without a launcher run on one process only.
        .flat_map(|r| {
            systems
                .iter()
                .filter(|s| s.runs_on(r.ranks))
                .map(|s| (r.clone(), s))
                .collect::<Vec<_>>()
        })
        .collect();
    let started = Instant::now();
    let mut records = Vec::new();
    let interrupted = |records| {
        Ok(Outcome {
            records,
            interrupted: true,
        })
    };
    for (i, (run, system)) in runs.iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            return interrupted(records);
        }
        let eta = (i > 0).then(|| started.elapsed() / i as u32 * (runs.len() - i) as u32);
        progress(&Progress {
            run: run.clone(),
            system: system.name.clone(),
            index: i + 1,
            total: runs.len(),
            eta,
        });
        let tmp = dir.join(format!(".run-{}.json", std::process::id()));
        let mut threads = run.threads;
        let mut command = match (&system.launcher, run.ranks) {
            (_, 1) => Command::new(&system.program),
            (None, ranks) if system.ranks_as_threads => {
                threads *= ranks;
                Command::new(&system.program)
            }
            (Some(launcher), ranks) => {
                let mut words = launcher
                    .iter()
                    .map(|w| w.replace("{ranks}", &ranks.to_string()));
                let mut c = Command::new(words.next().unwrap_or_default());
                c.args(words).arg(&system.program);
                c
            }
            (None, _) => unreachable!("filtered out above"),
        };
        // The Brunel network's peers predate --network (its default).
        if plan.network != crate::record::SEED_NETWORK {
            command.args(["--network", &plan.network]);
        }
        match (&plan.scaled, run.scale) {
            (Some(mc), Some(scale)) => {
                command
                    .args(["--scale", &scale.to_string()])
                    .args(["--presim", &mc.presim.to_string()]);
                if !mc.drive.is_empty() {
                    command.args(["--drive", &mc.drive]);
                }
                if plan.network == crate::record::HPC_BENCHMARK {
                    command.args([
                        "--n-rec",
                        &hpc_nrec(scale.0, run.ranks, run.threads).to_string(),
                    ]);
                }
            }
            _ if plan.network == crate::record::BRETTE2007 => {
                command.args(["--model", &run.model]);
            }
            _ => {
                command
                    .args(["--model", &run.model])
                    .args(["--order", &run.order.to_string()])
                    .args(["--scaling", &plan.scaling]);
            }
        };
        let out = command
            .args(["--threads", &threads.to_string()])
            .args(["--seed", &run.seed.to_string()])
            .args(["--simtime", &plan.simtime.to_string()])
            .args(["--record-to", "none", "--quiet", "--json"])
            .arg(&tmp)
            .args(&system.extra)
            .output()
            .map_err(|e| {
                BenchError::Run(format!("cannot start {}: {e}", system.program.display()))
            })?;
        if !out.status.success() {
            let _ = std::fs::remove_file(&tmp);
            // 130: the run itself was stopped by Ctrl-C.
            if stop.load(Ordering::SeqCst) || out.status.code() == Some(130) {
                return interrupted(records);
            }
            let err = String::from_utf8_lossy(&out.stderr);
            let size = match run.scale {
                Some(s) => format!("{} scale {s}", plan.network),
                None if plan.network == crate::record::BRETTE2007 => {
                    format!("brette2007 {}", run.model)
                }
                None => format!("{} order {}", run.model, run.order),
            };
            return Err(BenchError::Run(format!(
                "{} run {size} threads {} seed {} failed: {}",
                system.name,
                run.threads,
                run.seed,
                err.lines().last().unwrap_or("no message")
            )));
        }
        let text = std::fs::read_to_string(&tmp)
            .map_err(|e| BenchError::Io(format!("cannot read {}: {e}", tmp.display())))?;
        let _ = std::fs::remove_file(&tmp);
        let mut rec = RunRecord::parse(&text, &format!("{} run output", system.name))?;
        let asked = (
            plan.network.as_str(),
            run.scale.map(|s| s.0),
            run.model.as_str(),
        );
        let ran = (rec.network.as_str(), rec.scale, rec.model.as_str());
        if ran != asked {
            let name = |(net, scale, model): (&str, Option<f64>, &str)| match scale {
                Some(s) => format!("{net} scale {s}"),
                None => model.to_string(),
            };
            return Err(BenchError::Run(format!(
                "{} was asked for {} but its record says it ran {}",
                system.name,
                name(asked),
                name(ran)
            )));
        }
        rec.sweep = Some(SweepTag {
            label: label.to_string(),
            repeat: run.repeat,
            mode: plan.mode,
        });
        for (path, line) in [(&jsonl, rec.json_line()), (&csv, rec.csv_line())] {
            append_line(path, &line)
                .map_err(|e| BenchError::Io(format!("cannot write {}: {e}", path.display())))?;
        }
        records.push(rec);
    }
    Ok(Outcome {
        records,
        interrupted: false,
    })
}
