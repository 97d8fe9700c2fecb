//! Nothing lost silently, no hang on a typo, Ctrl-C that works, a closed
//! pipe that ends the run quietly. Each test here failed on commit 5cd839d.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use spindle::brunel::{self, BrunelParams};
use spindle::engine::{Config, EngineError, Simulation};
use spindle::models::devices::RecordTo;

fn spindle_cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_spindle"));
    c.current_dir(dir).args(args);
    c
}

/// Wait for `child`, killing it and failing if it outlives `limit`: the
/// old behaviour was a hang, which must fail the test, not stall it.
fn wait_within(mut child: Child, limit: Duration, what: &str) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn run_within(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let child = spindle_cmd(dir, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    wait_within(child, limit, &format!("{args:?}"))
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn output_paths_are_checked_before_building() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("a-file"), b"").unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["--json", "missing-dir/r.json"], "does not exist"),
        (&["--json", "a-file/r.json"], "does not exist"),
        (&["--json", "."], "not a file name"),
        (
            &["--plot", "missing-dir/r.png", "--record-to", "memory"],
            "does not exist",
        ),
        (&["--output-dir", "a-file/out"], "--output-dir"),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["--order", "50", "--simtime", "10", "--quiet"];
        args.extend_from_slice(extra);
        let o = run_within(d, &args, Duration::from_secs(30));
        common::assert_one_line_error(&o, &format!("{args:?}"), needle);
        assert_eq!(o.status.code(), Some(2), "{args:?}: bad input is status 2");
        assert!(o.stdout.is_empty(), "{args:?}: refused before anything ran");
    }
    assert_eq!(files_in(d), vec!["a-file"], "nothing was created");

    let o = run_within(
        d,
        &["bench", "--quick", "--out", "a-file/set"],
        Duration::from_secs(30),
    );
    common::assert_one_line_error(&o, "bench --out under a file", "a-file/set");
    assert_eq!(files_in(d), vec!["a-file"]);
}

/// The recorders' files are `<output-dir>/<label-prefix><label>-<id>.dat`:
/// a prefix that points into a missing directory used to simulate the whole
/// network and then fail with status 1.
#[test]
fn a_label_prefix_into_a_missing_directory_is_refused_before_building() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("a-file"), b"").unwrap();
    let mut cases = vec![
        ("../../missing/x", "does not exist"),
        ("sub/x", "does not exist"),
        ("../../a-file/x", "is not a directory"),
    ];
    if cfg!(target_os = "linux") {
        // No file can be created in /proc, even by root.
        cases.push(("/proc/x", "is not writable"));
    }
    for (prefix, needle) in cases {
        // Long enough that a run before the check would show.
        let args = [
            "--simtime",
            "100000",
            "--quiet",
            "--output-dir",
            "a/out",
            "--label-prefix",
            prefix,
        ];
        let start = Instant::now();
        let o = run_within(d, &args, Duration::from_secs(30));
        common::assert_one_line_error(&o, &format!("{args:?}"), needle);
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("--label-prefix"),
            "{args:?}: names the flag"
        );
        assert_eq!(o.status.code(), Some(2), "{args:?}: bad input is status 2");
        assert!(o.stdout.is_empty(), "{args:?}: refused before anything ran");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{args:?} took {:?} to refuse",
            start.elapsed()
        );
        assert_eq!(files_in(d), vec!["a", "a-file"], "{args:?}");
        assert!(
            files_in(&d.join("a/out")).is_empty(),
            "{args:?}: nothing written"
        );
    }

    // Into a directory that exists, inside --output-dir or beside it.
    std::fs::create_dir(d.join("a/out/sub")).unwrap();
    for (prefix, file) in [
        ("sub/x-", "a/out/sub/x-brunel-py-ex-127.dat"),
        ("../y-", "a/y-brunel-py-in-128.dat"),
    ] {
        let args = [
            "--order",
            "25",
            "--n-rec",
            "5",
            "--simtime",
            "10",
            "--quiet",
            "--output-dir",
            "a/out",
            "--label-prefix",
            prefix,
        ];
        let o = run_within(d, &args, Duration::from_secs(30));
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(d.join(file).is_file(), "{args:?}: {file}");
    }
}

#[test]
fn impossible_sizes_and_times_are_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 7] = [
        (&["--order", "100000000"], "memory"),
        (&["--order", "25000000", "--threads", "2"], "memory"),
        (&["--order", "429496726"], "memory"),
        (&["--order", "1000000000"], "--order must be at most"),
        (&["--simtime", "1e300"], "longest time the grid holds"),
        (&["--simtime", "1e20"], "longest time the grid holds"),
        (&["--eta", "1e300"], "spikes per step"),
    ];
    for (args, needle) in cases {
        let start = Instant::now();
        // Generous against a slow box; the bug was tens of seconds and
        // gigabytes, or forever.
        let o = run_within(tmp.path(), args, Duration::from_secs(20));
        common::assert_one_line_error(&o, &format!("{args:?}"), needle);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{args:?} took {:?} to refuse",
            start.elapsed()
        );
    }
}

fn interrupt(child: &Child) {
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
}

#[test]
fn ctrl_c_stops_at_a_slice_boundary_and_keeps_what_was_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut child = spindle_cmd(
        d,
        &[
            "--order",
            "250",
            "--threads",
            "2",
            "--simtime",
            "10000000",
            "--json",
            "run.json",
            "--output-dir",
            "out",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        if line.unwrap() == "Simulating" {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    interrupt(&child);
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = wait_within(child, Duration::from_secs(30), "interrupted run").status;
    assert_eq!(status.code(), Some(130), "{err}");
    let err_lines: Vec<&str> = err
        .split(['\r', '\n'])
        .filter(|l| l.starts_with("Interrupted"))
        .collect();
    assert_eq!(err_lines.len(), 1, "one line says so: {err:?}");
    assert!(
        rest.iter().any(|l| l.starts_with("Excitatory rate")),
        "{rest:?}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("run.json")).unwrap()).unwrap();
    assert_eq!(json["interrupted"], true);
    let reached = json["simtime_reached"].as_f64().unwrap();
    assert!(reached > 0.0 && reached < 1e7, "{reached}");
    // A slice boundary: a whole number of min-delay slices (1.5 ms).
    let slices = reached / 1.5;
    assert!((slices - slices.round()).abs() < 1e-6, "{reached}");
    assert!(
        json["rate_ex"].as_f64().unwrap() > 10.0,
        "rates over {reached} ms"
    );

    let mut events = 0;
    for name in ["brunel-py-ex-1252.dat", "brunel-py-in-1253.dat"] {
        let text = std::fs::read_to_string(d.join("out").join(name)).unwrap();
        assert!(text.ends_with('\n'), "{name} is whole");
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("sender"))
        {
            let t: f64 = line.split('\t').nth(1).unwrap().parse().unwrap();
            assert!(t <= reached, "{name}: {t} after {reached}");
            events += 1;
        }
    }
    assert_eq!(
        events,
        json["events_ex"].as_u64().unwrap() + json["events_in"].as_u64().unwrap()
    );
    assert_eq!(
        files_in(d),
        vec!["out", "run.json"],
        "no temporary file left"
    );
}

/// Stopping at a boundary and going on gives the spikes of an
/// uninterrupted run: the state at the boundary is whole.
#[test]
fn an_interrupted_simulation_continues_where_it_stopped() {
    let p = BrunelParams {
        order: 250,
        record_to: RecordTo::Memory,
        ..Default::default()
    };
    let b = brunel::build(&p).unwrap();
    let mut whole = Simulation::build(b.net.clone(), Config::threads(2)).unwrap();
    whole.simulate(60.0).unwrap();

    let mut split = Simulation::build(b.net.clone(), Config::threads(3)).unwrap();
    let flag = Arc::new(AtomicBool::new(true));
    split.interrupt_on(flag.clone());
    match split.simulate(60.0) {
        Err(EngineError::Interrupted { time_ms }) => assert_eq!(time_ms, 1.5),
        other => panic!("expected an interrupt, got {other:?}"),
    }
    assert_eq!(split.time(), 1.5);
    flag.store(false, std::sync::atomic::Ordering::SeqCst);
    split.simulate(58.5).unwrap();
    assert_eq!(split.stats().digest, whole.stats().digest);
    assert_eq!(
        split.spike_events(b.espikes.first()).unwrap().times,
        whole.spike_events(b.espikes.first()).unwrap().times
    );
}

fn exit_of(status: ExitStatus) -> Option<i32> {
    status.code()
}

#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = spindle_cmd(tmp.path(), &["--order", "250", "--record-to", "none"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -1`: read one line, then close the pipe.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert_eq!(first, "Building network\n");
    drop(out);
    let o = wait_within(child, Duration::from_secs(60), "spindle | head -1");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked") && !err.contains("error"), "{err}");
    assert_eq!(exit_of(o.status), Some(141), "{err}");
}

#[test]
fn a_closed_stderr_ends_the_run_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = spindle_cmd(
        tmp.path(),
        &["--order", "250", "--simtime", "3000", "--record-to", "none"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    drop(child.stderr.take());
    let o = wait_within(child, Duration::from_secs(60), "spindle 2>&- (a pipe)");
    assert_eq!(exit_of(o.status), Some(141));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains("Excitatory rate"), "it stopped: {out}");
}
