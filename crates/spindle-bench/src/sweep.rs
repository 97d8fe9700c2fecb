//! Running a sweep: each run in a fresh process, each finished run appended
//! to `raw.jsonl` and `raw.csv` at once, so an interrupted sweep keeps every
//! row it finished and its files stay parseable.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::BenchError;
use crate::grid::{Plan, Run};
use crate::io::append_line;
use crate::record::Record;

/// Where a sweep is.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// The run about to start.
    pub run: Run,
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
    pub records: Vec<Record>,
    /// Whether the sweep was stopped before its end.
    pub interrupted: bool,
}

/// The paths of a result set's files.
pub fn raw_paths(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join("raw.jsonl"), dir.join("raw.csv"))
}

/// Run `plan` with the `spindle` executable `exe`, writing rows into `dir`.
/// `extra` are flags passed to every run; `label` goes into every row.
/// Stops between runs once `stop` is set (and treats a run that failed
/// after `stop` was set as interrupted, not as an error).
pub fn run_sweep(
    plan: &Plan,
    exe: &Path,
    dir: &Path,
    extra: &[String],
    label: &str,
    stop: &AtomicBool,
    mut progress: impl FnMut(&Progress),
) -> Result<Outcome, BenchError> {
    plan.validate()?;
    let (jsonl, csv) = raw_paths(dir);
    if !csv.exists() {
        append_line(&csv, &Record::csv_header())
            .map_err(|e| BenchError::Io(format!("cannot write {}: {e}", csv.display())))?;
    }
    let runs = plan.runs();
    let started = Instant::now();
    let mut records = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            return Ok(Outcome {
                records,
                interrupted: true,
            });
        }
        let eta = (i > 0).then(|| started.elapsed() / i as u32 * (runs.len() - i) as u32);
        progress(&Progress {
            run: *run,
            index: i + 1,
            total: runs.len(),
            eta,
        });
        let tmp = dir.join(format!(".run-{}.json", std::process::id()));
        let out = Command::new(exe)
            .args(["--order", &run.order.to_string()])
            .args(["--threads", &run.threads.to_string()])
            .args(["--seed", &run.seed.to_string()])
            .args(["--simtime", &plan.simtime.to_string()])
            .args(["--scaling", &plan.scaling])
            .args(["--record-to", "none", "--quiet", "--json"])
            .arg(&tmp)
            .args(extra)
            .output()
            .map_err(|e| BenchError::Run(format!("cannot start {}: {e}", exe.display())))?;
        if !out.status.success() {
            let _ = std::fs::remove_file(&tmp);
            if stop.load(Ordering::SeqCst) {
                return Ok(Outcome {
                    records,
                    interrupted: true,
                });
            }
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(BenchError::Run(format!(
                "run order {} threads {} seed {} failed: {}",
                run.order,
                run.threads,
                run.seed,
                err.lines().last().unwrap_or("no message")
            )));
        }
        let text = std::fs::read_to_string(&tmp)
            .map_err(|e| BenchError::Io(format!("cannot read {}: {e}", tmp.display())))?;
        let _ = std::fs::remove_file(&tmp);
        let mut rec = Record::parse(&text, "run output")?;
        rec.set("label", json!(label));
        rec.set("repeat", json!(run.repeat));
        rec.set("mode", json!(plan.mode.name()));
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
