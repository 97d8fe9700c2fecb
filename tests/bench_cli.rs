//! `spindle bench` and `spindle compare`: a small sweep end to end, the
//! regression verdicts, bad input, and an interrupted sweep.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The tests of this file time runs; they take turns so that they do not
/// slow each other down.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn spindle(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spindle"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A sweep over `orders` at 1 and 2 threads, 3 repeats, into `dir`.
fn sweep(dir: &Path, orders: &str, simtime: &str, extra: &[&str]) -> Output {
    let d = dir.to_str().unwrap();
    let mut args = vec![
        "bench",
        "--orders",
        orders,
        "--threads",
        "1,2",
        "--repeats",
        "3",
    ];
    args.extend_from_slice(&["--simtime", simtime, "--out", d]);
    args.extend_from_slice(extra);
    spindle(&args)
}

#[test]
fn a_sweep_writes_a_result_set_and_compare_judges_it() {
    let _turn = serial();
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base");
    let o = sweep(&base, "50,100", "200", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "raw.jsonl",
        "raw.csv",
        "SETUP.md",
        "summary.md",
        "strong_scaling.png",
        "size_scaling.png",
        "phases.png",
    ] {
        assert!(base.join(f).exists(), "missing {f}");
    }
    let jsonl = std::fs::read_to_string(base.join("raw.jsonl")).unwrap();
    assert_eq!(jsonl.lines().count(), 12);
    let row: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(row["format_version"], 2);
    assert_eq!(
        row["sweep"],
        serde_json::json!({"label": "", "repeat": 0, "mode": "strong"})
    );
    let csv = std::fs::read_to_string(base.join("raw.csv")).unwrap();
    assert_eq!(csv.lines().count(), 13);
    let summary = std::fs::read_to_string(base.join("summary.md")).unwrap();
    assert!(
        summary.contains("| spindle | iaf_psc_alpha | 100 | seed | 1 | 2 | 3 |"),
        "{summary}"
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("speed-up"));

    // Against itself: nothing slower, exit 0.
    let o = spindle(&["compare", base.to_str().unwrap(), base.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 slower"));

    // A set run on 1 thread but labelled 2: the same spikes. (Whether it
    // is slower depends on the box: at order 100 two threads gain little.)
    let forced = tmp.path().join("forced");
    let o = sweep(&forced, "50,100", "200", &["--force-threads", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = spindle(&["compare", base.to_str().unwrap(), forced.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("0 digest changes"), "{out}");

    // The same set with every 2-thread run 100x as long (past the 5 ms
    // floor of these short runs): slower, exit 1.
    let slow = tmp.path().join("slow");
    std::fs::create_dir(&slow).unwrap();
    let slowed: String = jsonl
        .lines()
        .map(|l| {
            let l = if l.contains(r#""threads":2,"#) {
                scale_field(l, "sim_time", 100.0)
            } else {
                l.to_string()
            };
            l + "\n"
        })
        .collect();
    std::fs::write(slow.join("raw.jsonl"), slowed).unwrap();
    let o = spindle(&["compare", base.to_str().unwrap(), slow.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("threads=2") && out.contains("SLOWER"), "{out}");
    // One verdict per order: the 2-thread simulation times.
    assert_eq!(out.matches("SLOWER").count(), 2, "{out}");
    assert!(!out.contains("RESULTS CHANGED"), "{out}");
}

/// `line` (a JSON record) with the number in field `field` times `factor`.
fn scale_field(line: &str, field: &str, factor: f64) -> String {
    let key = format!(r#""{field}":"#);
    let start = line.find(&key).expect("the field") + key.len();
    let len = line[start..]
        .find([',', '}'])
        .expect("the end of the number");
    let value: f64 = line[start..start + len].parse().expect("a number");
    format!(
        "{}{}{}",
        &line[..start],
        value * factor,
        &line[start + len..]
    )
}

/// `--models`: each model's grid in turn, every row naming its model, a
/// summary row per model, and `compare` keeping the models apart. A
/// stand-in NEST peer (scripts/peers/common.py's record, no NEST) shows
/// that peers are asked for the model, and that a peer whose record names
/// another model stops the sweep.
#[test]
fn a_sweep_over_models_keeps_them_apart() {
    let _turn = serial();
    let tmp = tempfile::tempdir().unwrap();
    let peers = tmp.path().join("scripts/peers");
    std::fs::create_dir_all(&peers).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        repo.join("scripts/peers/common.py"),
        peers.join("common.py"),
    )
    .unwrap();
    let fake = r#"#!/usr/bin/env python3
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
a = common.parse_args("fake NEST")
model = os.environ.get("FAKE_MODEL", a.model)
common.write_record(a.json, system="nest", system_version="0", model=model, order=a.order,
    threads=a.threads, seed=a.seed, simtime=a.simtime, scaling=a.scaling,
    num_neurons=5 * a.order, num_synapses=2, num_synapses_ex=1, num_synapses_in=1, n_rec=50,
    derived=common.derived(common.seed_constants(a.order, a.scaling)), events_ex=1,
    events_in=1, rate_ex=1.0, rate_in=1.0, rate_ex_all=1.0, rate_in_all=1.0,
    spikes_total=2, build_time=0.1, sim_time=0.5, time_simulate=0.5, peak_rss_bytes=1)
"#;
    let script = peers.join("nest.sh");
    std::fs::write(&script, fake).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 is missing: the sweep over models not checked");
        return;
    }
    let bench = |out: &str, fake_model: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_spindle"));
        cmd.current_dir(tmp.path()).args([
            "bench",
            "--models",
            "iaf_psc_alpha,iaf_psc_delta,iaf_psc_exp",
            "--orders",
            "50",
            "--threads",
            "1,2",
            "--repeats",
            "1",
            "--simtime",
            "100",
            "--peers",
            "nest",
            "--out",
            out,
        ]);
        if let Some(m) = fake_model {
            cmd.env("FAKE_MODEL", m);
        }
        cmd.output().unwrap()
    };
    let o = bench("set", None);
    assert!(o.status.success(), "{}", stderr(&o));
    let set = spindle_bench::record::read_set(&tmp.path().join("set")).unwrap();
    assert_eq!(set.records.len(), 12);
    let models: Vec<(&str, &str)> = set
        .records
        .iter()
        .map(|r| (r.system.as_str(), r.model.as_str()))
        .collect();
    assert_eq!(models[0], ("spindle", "iaf_psc_alpha"));
    assert_eq!(models[1], ("nest", "iaf_psc_alpha"));
    assert_eq!(models[4], ("spindle", "iaf_psc_delta"));
    assert_eq!(models[11], ("nest", "iaf_psc_exp"));
    let delta = &set.records[4];
    assert_eq!(
        delta.derived.unwrap().j_ex,
        0.1,
        "Spindle ran the delta script"
    );
    let summary = std::fs::read_to_string(tmp.path().join("set/summary.md")).unwrap();
    for model in ["iaf_psc_alpha", "iaf_psc_delta", "iaf_psc_exp"] {
        for system in ["spindle", "nest"] {
            let row = format!("| {system} | {model} | 50 | seed | 1 | 2 | 1 |");
            assert!(summary.contains(&row), "{row} in {summary}");
        }
    }
    let csv = std::fs::read_to_string(tmp.path().join("set/raw.csv")).unwrap();
    assert!(csv.starts_with("system,model,"));
    assert!(
        std::fs::read_to_string(tmp.path().join("set/SETUP.md"))
            .unwrap()
            .contains("iaf_psc_delta")
    );
    // Against itself: each model's rows with their own, 3 x 2 x 2 x 3 figures.
    let set_dir = tmp.path().join("set");
    let o = spindle(&[
        "compare",
        set_dir.to_str().unwrap(),
        set_dir.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("36 figures compared: 0 slower"), "{out}");
    assert!(out.contains("spindle iaf_psc_delta order=50"), "{out}");

    // A peer that runs the seed whatever it is asked.
    let o = bench("wrong", Some("iaf_psc_alpha"));
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(
        err.lines().last(),
        Some("error: nest was asked for iaf_psc_delta but its record says it ran iaf_psc_alpha"),
        "{err}"
    );
}

/// Real version 1 records (Spindle on 1 process and on 2 ranks, NEST,
/// Brian2), from the committed result sets.
fn v1_lines() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/spindle-bench/tests/data/records_v1.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().map(String::from).collect()
}

#[test]
fn compare_reports_changed_results() {
    let _turn = serial();
    let tmp = tempfile::tempdir().unwrap();
    let v1 = &v1_lines()[0];
    let line = |digest: &str| v1.replace("def476d6c7287e1a", digest);
    let (a, b) = (tmp.path().join("a.jsonl"), tmp.path().join("b.jsonl"));
    std::fs::write(&a, line("aaaa")).unwrap();
    std::fs::write(&b, line("bbbb")).unwrap();
    let o = spindle(&["compare", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("RESULTS CHANGED"));
}

#[test]
fn bad_input_gets_one_line_and_a_non_zero_exit() {
    let _turn = serial();
    let tmp = tempfile::tempdir().unwrap();
    let good = &v1_lines()[0];
    let truncated = tmp.path().join("truncated.jsonl");
    std::fs::write(&truncated, format!("{good}\n{}", &good[..30])).unwrap();
    let old_version = tmp.path().join("v0.jsonl");
    std::fs::write(
        &old_version,
        good.replace("\"record_version\":1", "\"record_version\":0"),
    )
    .unwrap();
    let corrupt = tmp.path().join("corrupt.jsonl");
    std::fs::write(&corrupt, format!("{}\n\u{0}garbage\n", &good[..30])).unwrap();
    let ok = tmp.path().join("ok.jsonl");
    std::fs::write(&ok, good).unwrap();
    let out = tmp.path().join("never");
    let o = out.to_str().unwrap();
    let (t, c, v, k) = (
        truncated.to_str().unwrap(),
        corrupt.to_str().unwrap(),
        old_version.to_str().unwrap(),
        ok.to_str().unwrap(),
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["bench", "--orders", "", "--out", o], "--orders"),
        (vec!["bench", "--orders", "abc", "--out", o], "--orders"),
        (vec!["bench", "--threads", "0", "--out", o], "--threads"),
        (vec!["bench", "--threads", "4-1", "--out", o], "--threads"),
        (vec!["bench", "--orders", "1,,2", "--out", o], "--orders"),
        (vec!["bench", "--repeats", "0", "--out", o], "--repeats"),
        (vec!["bench", "--scaling", "square", "--out", o], "scaling"),
        (vec!["bench", "--peers", "neuron", "--out", o], "--peers"),
        (
            vec!["bench", "--models", "iaf_psc_gamma", "--out", o],
            "--models: unknown model 'iaf_psc_gamma'",
        ),
        (
            vec!["bench", "--models", "iaf_psc_delta,", "--out", o],
            "--models: unknown model ''",
        ),
        (
            vec!["bench", "--models", "iaf_psc_exp,iaf_psc_exp", "--out", o],
            "listed twice",
        ),
        (
            vec![
                "bench",
                "--models",
                "iaf_psc_delta",
                "--peers",
                "brian2",
                "--out",
                o,
            ],
            "--peers: brian2 runs iaf_psc_alpha only, not iaf_psc_delta",
        ),
        (vec!["compare", "/nonexistent/a", k], "cannot read"),
        (vec!["compare", c, k], "line 1"),
        (vec!["compare", v, k], "incompatible"),
        (vec!["compare", k, k, "--threshold", "-5"], "--threshold"),
    ];
    for (args, needle) in cases {
        let o = spindle(&args);
        common::assert_one_line_error(&o, &format!("{args:?}"), needle);
    }
    assert!(!out.exists(), "a refused sweep created its directory");

    // A set with a truncated last line still compares on its good rows and
    // names the bad line.
    let o = spindle(&["compare", t, k]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("truncated.jsonl line 2"), "{err}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 slower"));
}

#[test]
fn an_interrupted_sweep_keeps_whole_rows() {
    let _turn = serial();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("int");
    let mut child = Command::new(env!("CARGO_BIN_EXE_spindle"))
        .args([
            "bench",
            "--orders",
            "250",
            "--threads",
            "1",
            "--repeats",
            "200",
            "--simtime",
            "300",
        ])
        .args(["--out", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let jsonl = dir.join("raw.jsonl");
    let start = Instant::now();
    while std::fs::read_to_string(&jsonl)
        .map(|t| t.lines().count())
        .unwrap_or(0)
        < 2
    {
        assert!(start.elapsed() < Duration::from_secs(60), "no row appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let rows = std::fs::read_to_string(&jsonl).unwrap();
    let n = rows.lines().count();
    assert!((2..200).contains(&n), "{n} rows");
    for line in rows.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("whole JSON lines");
    }
    let csv = std::fs::read_to_string(dir.join("raw.csv")).unwrap();
    assert_eq!(csv.lines().count(), n + 1);
    assert!(
        std::fs::read_to_string(dir.join("summary.md"))
            .unwrap()
            .contains("interrupted")
    );
    // The interrupted set still compares.
    let o = spindle(&["compare", dir.to_str().unwrap(), dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Every committed result set (version 1) is still read whole.
#[test]
fn committed_result_sets_are_read() {
    let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    let mut sets = 0;
    for entry in std::fs::read_dir(results).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("raw.jsonl").exists() {
            continue;
        }
        let set = spindle_bench::record::read_set(&dir).unwrap();
        assert!(
            set.skipped.is_empty(),
            "{}: {:?}",
            dir.display(),
            set.skipped
        );
        for r in &set.records {
            assert!(
                r.ranks >= 1 && r.threads_per_rank == r.threads,
                "{}",
                dir.display()
            );
        }
        sets += 1;
    }
    assert!(sets >= 2);
}

/// What the peers' scripts write (scripts/peers/common.py, run without
/// NEST or Brian2) is a record `spindle bench --peers` reads: every field
/// present, null where a peer measures nothing.
#[test]
fn peer_records_are_read() {
    let script = r#"
import json, sys
sys.path.insert(0, "scripts/peers")
import common
c = common.seed_constants(250, "seed")
common.write_record(sys.argv[1], system="brian2", system_version="2.9.0", order=250,
    model="iaf_psc_alpha", threads=2, seed=1, simtime=500.0, scaling="seed", num_neurons=1250,
    num_synapses=157600, num_synapses_ex=126350, num_synapses_in=31250, n_rec=50,
    derived=common.derived(c), events_ex=1390, events_in=1391, rate_ex=55.6,
    rate_in=55.64, rate_ex_all=55.5, rate_in_all=55.6, spikes_total=34700,
    build_time=0.03, sim_time=0.25, time_simulate=0.25, compile_time=5.1,
    peak_rss_bytes=131346432)
"#;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("peer.json");
    let run = Command::new("python3")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["-c", script])
        .arg(&out)
        .output();
    let Ok(run) = run else {
        eprintln!("python3 is missing: peer records not checked");
        return;
    };
    assert!(run.status.success(), "{}", stderr(&run));
    let text = std::fs::read_to_string(&out).unwrap();
    let r = spindle_bench::record::RunRecord::parse(&text, "peer.json").unwrap();
    assert_eq!(
        (r.system.as_str(), r.ranks, r.threads_per_rank),
        ("brian2", 1, 2)
    );
    assert_eq!(r.rank_peak_rss_bytes, vec![131346432]);
    assert_eq!(r.real_time_factor, 0.5);
    assert_eq!(r.compile_time, Some(5.1));
    assert!(r.spike_digest.is_none() && r.phases.is_none() && r.timers.time_update.is_none());
    assert_eq!(r.derived.unwrap().ce, 100);
    // A script that forgets a measured field fails instead of writing.
    let broken = script.replace("spikes_total=34700,", "");
    let run = Command::new("python3")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["-c", &broken])
        .arg(tmp.path().join("broken.json"))
        .output()
        .unwrap();
    assert!(!run.status.success());
    assert!(stderr(&run).contains("spikes_total"), "{}", stderr(&run));
}

/// The NEST peer's edits of NEST's example scripts (`--show-script`; no
/// simulation): each model's script, with the flags in. Needs NEST's
/// examples: a Python with NEST in $SPINDLE_NEST_PYTHON or .venv-nest;
/// skipped without one.
#[test]
fn the_nest_peer_edits_each_models_script() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var("SPINDLE_NEST_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| repo.join(".venv-nest/bin/python"));
    if !python.exists() {
        eprintln!(
            "no Python with NEST ({}): the NEST peer's edits not checked",
            python.display()
        );
        return;
    }
    for (model, create) in [
        ("iaf_psc_alpha", "nest.Create(\"iaf_psc_alpha\", NE"),
        ("iaf_psc_delta", "nest.Create(\"iaf_psc_delta\", NE"),
        ("iaf_psc_exp", "nest.Create(\"iaf_psc_exp\", NE"),
    ] {
        let o = Command::new(&python)
            .arg(repo.join("scripts/peers/nest_brunel.py"))
            .args([
                "--show-script",
                "--model",
                model,
                "--order",
                "123",
                "--threads",
                "3",
            ])
            .args(["--seed", "7", "--simtime", "250", "--scaling", "indegree"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{model}: {}", stderr(&o));
        let script = String::from_utf8_lossy(&o.stdout);
        let script_name = if model == "iaf_psc_delta" {
            "(delta synapses)"
        } else {
            "(alpha synapses)"
        };
        for needle in [
            script_name,
            create,
            "\norder = 123\n",
            "\nsimtime = 250.0",
            "nest.ResetKernel()\nnest.local_num_threads = 3\nnest.rng_seed = 7\n",
            "CE = 1000",
            "CI = 250",
            "nest.print_time = False",
            "record_to=\"memory\"",
            "nest.Connect(nodes_ex + nodes_in, allspikes)\nendbuild = time.time()",
        ] {
            assert!(script.contains(needle), "{model}: {needle:?} missing");
        }
        for gone in [
            "plt.show()",
            "raster_plot",
            "record_to=\"ascii\"",
            "import scipy",
        ] {
            assert!(!script.contains(gone), "{model}: {gone:?} left");
        }
        let exp = script.contains("psp_norm_exp(tauMem, CMem, tauSyn)")
            && script.contains("nu_th = (theta * CMem) / (J_ex * CE * tauMem * tauSyn)");
        assert_eq!(exp, model == "iaf_psc_exp", "{model}");
    }
}
