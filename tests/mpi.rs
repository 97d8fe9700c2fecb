//! MPI ranks × threads: the same spikes and the same recorder files for
//! every split, one result, and no hang on bad input or a dead rank. Built
//! only with the `mpi` feature and run under `mpirun --oversubscribe`:
//!
//! ```sh
//! cargo test --profile release-tests --features mpi --test mpi   # or --release
//! ```
#![cfg(feature = "mpi")]

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_spindle");

/// `mpirun -np ranks spindle args` (or the binary alone for `ranks == 0`).
fn launch(dir: &Path, ranks: usize, args: &[&str]) -> Command {
    let mut c = if ranks == 0 {
        Command::new(BIN)
    } else {
        let mut c = Command::new("mpirun");
        c.args(["--oversubscribe", "-np", &ranks.to_string(), BIN]);
        c
    };
    c.current_dir(dir)
        .args(args)
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn run(dir: &Path, ranks: usize, args: &[&str], limit: Duration) -> Output {
    let mut child = launch(dir, ranks, args).spawn().expect("mpirun runs");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{ranks} ranks {args:?}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Digest, events and .dat bytes of one split.
fn split(
    order: &str,
    seed: &str,
    simtime: &str,
    ranks: usize,
    threads: usize,
) -> (String, Vec<u8>, serde_json::Value) {
    split_model("iaf_psc_alpha", order, seed, simtime, ranks, threads)
}

/// As [`split`], for the scenario of neuron model `model`.
fn split_model(
    model: &str,
    order: &str,
    seed: &str,
    simtime: &str,
    ranks: usize,
    threads: usize,
) -> (String, Vec<u8>, serde_json::Value) {
    let tmp = tempfile::tempdir().unwrap();
    let t = threads.to_string();
    let o = run(
        tmp.path(),
        ranks,
        &[
            "--model",
            model,
            "--order",
            order,
            "--seed",
            seed,
            "--simtime",
            simtime,
            "--threads",
            &t,
            "--quiet",
            "--json",
            "run.json",
            "--output-dir",
            "out",
        ],
        Duration::from_secs(300),
    );
    assert!(
        o.status.success(),
        "{ranks}x{threads}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        stdout.matches("Number of synapses").count(),
        1,
        "{ranks}x{threads}: one summary, from rank 0: {stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("run.json")).unwrap())
            .unwrap();
    let mut dat = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(tmp.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    for p in names {
        dat.extend(std::fs::read(p).unwrap());
    }
    (
        json["spike_digest"].as_str().unwrap().to_string(),
        dat,
        json,
    )
}

#[test]
fn every_split_gives_the_same_spikes() {
    for (order, seeds, simtime, splits) in [
        (
            "250",
            &["1", "2"][..],
            "300",
            &[(0, 1), (1, 2), (2, 1), (2, 2), (3, 1), (4, 1)][..],
        ),
        (
            "1000",
            &["1", "3"][..],
            "100",
            &[(0, 2), (2, 1), (3, 1)][..],
        ),
    ] {
        for seed in seeds {
            let (digest, dat, _) = split(order, seed, simtime, 0, 1);
            for &(ranks, threads) in splits {
                let (d, bytes, json) = split(order, seed, simtime, ranks, threads);
                let what = format!("order {order} seed {seed}: {ranks} ranks x {threads} threads");
                assert_eq!(d, digest, "{what}");
                assert!(bytes == dat, "{what}: the .dat files differ");
                if ranks > 1 {
                    assert_eq!(json["ranks"], ranks, "{what}");
                    assert_eq!(json["threads_per_rank"], threads, "{what}");
                    assert_eq!(json["rank_peak_rss_bytes"].as_array().unwrap().len(), ranks);
                    assert!(json["time_communicate_spike_data"].as_f64().unwrap() > 0.0);
                    assert!(json["rank_timers"]["time_update"].as_array().unwrap().len() == ranks);
                }
            }
        }
    }
}

#[test]
fn every_split_gives_the_same_spikes_for_every_model() {
    for model in ["iaf_psc_delta", "iaf_psc_exp"] {
        let (digest, dat, _) = split_model(model, "250", "1", "200", 0, 1);
        for (ranks, threads) in [(2, 1), (2, 2), (3, 1)] {
            let (d, bytes, _) = split_model(model, "250", "1", "200", ranks, threads);
            let what = format!("{model}: {ranks} ranks x {threads} threads");
            assert_eq!(d, digest, "{what}");
            assert!(bytes == dat, "{what}: the .dat files differ");
        }
    }
}

/// Digest and .dat bytes of the microcircuit at `scale` on one split.
fn split_microcircuit(scale: &str, ranks: usize, threads: usize) -> (String, Vec<u8>) {
    let tmp = tempfile::tempdir().unwrap();
    let t = threads.to_string();
    let o = run(
        tmp.path(),
        ranks,
        &[
            "--network",
            "microcircuit",
            "--scale",
            scale,
            "--presim",
            "50",
            "--simtime",
            "100",
            "--threads",
            &t,
            "--quiet",
            "--json",
            "run.json",
            "--output-dir",
            "out",
        ],
        Duration::from_secs(300),
    );
    assert!(
        o.status.success(),
        "{ranks}x{threads}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("run.json")).unwrap())
            .unwrap();
    let mut names: Vec<_> = std::fs::read_dir(tmp.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert_eq!(names.len(), 8, "{names:?}");
    let mut dat = Vec::new();
    for p in names {
        dat.extend(std::fs::read(p).unwrap());
    }
    (json["spike_digest"].as_str().unwrap().to_string(), dat)
}

/// Weights, delays and initial V_m drawn per synapse and neuron,
/// fixed_total_number, an exchange every step: the same spikes on every
/// split of ranks and threads.
#[test]
fn every_split_gives_the_same_spikes_for_the_microcircuit() {
    let (digest, dat) = split_microcircuit("0.03", 0, 1);
    for (ranks, threads) in [(0, 3), (2, 1), (2, 2), (3, 1)] {
        let (d, bytes) = split_microcircuit("0.03", ranks, threads);
        let what = format!("microcircuit: {ranks} ranks x {threads} threads");
        assert_eq!(d, digest, "{what}");
        assert!(bytes == dat, "{what}: the .dat files differ");
    }
}

/// hpc_benchmark at scale 0.02 on one split: the digest, the recorded
/// events and every connection between neurons with its final weight
/// (each rank's `--dump-weights` file, merged and sorted).
fn split_hpc_benchmark(ranks: usize, threads: usize) -> (String, u64, Vec<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let t = threads.to_string();
    let o = run(
        tmp.path(),
        ranks,
        &[
            "--network",
            "hpc_benchmark",
            "--scale",
            "0.02",
            "--n-rec",
            "50",
            "--presim",
            "20",
            "--simtime",
            "50",
            "--threads",
            &t,
            "--record-to",
            "memory",
            "--quiet",
            "--json",
            "run.json",
            "--dump-weights",
            "w.txt",
        ],
        Duration::from_secs(300),
    );
    assert!(
        o.status.success(),
        "{ranks}x{threads}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("run.json")).unwrap())
            .unwrap();
    let files: Vec<_> = match ranks {
        0 | 1 => vec![tmp.path().join("w.txt")],
        r => (0..r)
            .map(|i| tmp.path().join(format!("w.txt.{i}")))
            .collect(),
    };
    let mut lines = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        lines.extend(text.lines().skip(1).map(String::from));
    }
    lines.sort();
    (
        json["spike_digest"].as_str().unwrap().to_string(),
        json["events_ex"].as_u64().unwrap(),
        lines,
    )
}

/// Plastic synapses across ranks: hpc_benchmark's spikes and final
/// weights on 2 ranks as on one process with 1, 2 or 3 threads.
#[test]
fn every_split_gives_the_same_spikes_and_weights_for_hpc_benchmark() {
    let (digest, events, weights) = split_hpc_benchmark(0, 1);
    assert_eq!(weights.len(), 225 * 11250);
    assert!(events > 0);
    for (ranks, threads) in [(0, 2), (0, 3), (2, 1), (2, 2)] {
        let (d, e, w) = split_hpc_benchmark(ranks, threads);
        let what = format!("hpc_benchmark: {ranks} ranks x {threads} threads");
        assert_eq!(d, digest, "{what}");
        // With several threads per rank the script records Nrec x ranks.
        if ranks < 2 || threads == 1 {
            assert_eq!(e, events, "{what}");
        }
        assert!(w == weights, "{what}: the final weights differ");
    }
}

#[test]
fn bad_input_ends_every_rank_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        &["--order", "0"][..],
        &["--simtime", "1e300"][..],
        &["--json", "missing/r.json"][..],
    ] {
        let o = run(tmp.path(), 2, args, Duration::from_secs(60));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(
            err.matches("error:").count(),
            1,
            "{args:?}: once, from rank 0: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_dead_rank_ends_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = launch(
        tmp.path(),
        2,
        &[
            "--order",
            "250",
            "--simtime",
            "10000000",
            "--record-to",
            "none",
            "--quiet",
        ],
    )
    .spawn()
    .unwrap();
    // Wait for both ranks to run, then kill one of them.
    let start = Instant::now();
    let victim = loop {
        let out = Command::new("pgrep")
            .args([
                "-f",
                "-n",
                &format!("^{BIN} --order 250 --simtime 10000000"),
            ])
            .output()
            .unwrap();
        let pids = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !pids.is_empty() && start.elapsed() > Duration::from_millis(1500) {
            break pids;
        }
        // Generous: on 2 busy cores the other tests' ranks can hold the launch up.
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no rank started"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    Command::new("kill").args(["-9", &victim]).status().unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(!status.success());
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the surviving rank hung after its peer died");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Ctrl-C on mpirun (which sends SIGTERM to every rank): the ranks stop
/// together at a slice boundary and rank 0 writes what was recorded.
#[test]
fn ctrl_c_on_mpirun_stops_every_rank_at_one_boundary() {
    let tmp = tempfile::tempdir().unwrap();
    let child = launch(
        tmp.path(),
        2,
        &[
            "--order",
            "250",
            "--simtime",
            "20000000",
            "--json",
            "r.json",
            "--output-dir",
            "out",
        ],
    )
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Interrupted at"), "{err}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(json["interrupted"], true);
    assert_eq!(json["ranks"], 2);
    let reached = json["simtime_reached"].as_f64().unwrap();
    let text = std::fs::read_to_string(tmp.path().join("out/brunel-py-ex-1252.dat")).unwrap();
    let events = text
        .lines()
        .filter(|l| l.as_bytes()[0].is_ascii_digit())
        .count();
    assert_eq!(events as u64, json["events_ex"].as_u64().unwrap());
    assert!(reached > 0.0 && text.ends_with('\n'));
}
