//! The `spindle` command: summary lines, JSON keys, the .dat format, and a
//! clear one-line error with a non-zero exit for each kind of bad input.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn spindle(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spindle"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn prints_the_seed_summary_json_and_dat_files() {
    let dir = tempfile::tempdir().unwrap();
    let o = spindle(
        dir.path(),
        &[
            "--order",
            "250",
            "--simtime",
            "200",
            "--threads",
            "2",
            "--json",
            "run.json",
            "--quiet",
            "--timers",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for line in [
        "Number of neurons : 1250",
        "Number of synapses: 157600",
        "       Excitatory : 126350",
        "       Inhibitory : 31250",
        "Excitatory rate   : ",
        "Inhibitory rate   : ",
        "Building time     : ",
        "Simulation time   : ",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    // `--timers`: a row of phases per thread.
    for thread in ["thread 0", "thread 1"] {
        let row = out.lines().find(|l| l.starts_with(thread));
        let cells = row.map_or(0, |r| r.split_whitespace().count());
        assert_eq!(cells, 6, "{thread}: no row of 4 phases in\n{out}");
    }
    assert!(
        stderr(&o).is_empty(),
        "--quiet prints nothing on stderr: {}",
        stderr(&o)
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    for key in [
        "rate_ex",
        "rate_in",
        "rate_ex_all",
        "rate_in_all",
        "spikes_total",
        "spike_digest",
        "threads",
        "seed",
        "order",
        "dt",
        "system_version",
        "num_synapses",
        "build_time",
        "sim_time",
        "time_update",
        "time_deliver_spike_data",
        "time_gather_spike_data",
        "time_omp_synchronization_simulation",
        "time_simulate",
    ] {
        assert!(json.get(key).is_some(), "JSON lacks {key}");
    }
    assert_eq!(json["num_synapses"], 157_600);
    assert_eq!(json["spike_digest"].as_str().unwrap().len(), 16);

    let dat =
        std::fs::read_to_string(dir.path().join("spindle-out/brunel-py-ex-1252.dat")).unwrap();
    let mut lines = dat.lines();
    assert!(lines.next().unwrap().starts_with("# Spindle version: "));
    assert_eq!(lines.next().unwrap(), "# RecordingBackendASCII version: 2");
    assert_eq!(lines.next().unwrap(), "sender\ttime_ms");
    let rows: Vec<(u32, f64)> = lines
        .map(|l| {
            let (s, t) = l.split_once('\t').unwrap();
            assert_eq!(t.split_once('.').unwrap().1.len(), 3, "3 decimals: {l}");
            (s.parse().unwrap(), t.parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len() as u64, json["events_ex"].as_u64().unwrap());
    assert!(rows.iter().all(|&(s, _)| (1..=50).contains(&s)));
    assert!(
        rows.windows(2)
            .all(|w| (w[0].1, w[0].0) <= (w[1].1, w[1].0)),
        "sorted by time, sender"
    );
    assert!(
        dir.path()
            .join("spindle-out/brunel-py-in-1253.dat")
            .exists()
    );
}

/// A run on one process writes a whole format-2 record: the rank fields
/// with one rank, and null only where the format says a Spindle record has
/// no value (outside a sweep; no compile step).
#[test]
fn a_one_process_record_has_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let o = spindle(
        dir.path(),
        &[
            "--order",
            "50",
            "--simtime",
            "20",
            "--threads",
            "2",
            "--record-to",
            "none",
            "--quiet",
            "--json",
            "r.json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["format_version"], 2);
    assert_eq!(json["ranks"], 1);
    assert_eq!(json["threads"], 2);
    assert_eq!(json["threads_per_rank"], 2);
    assert!(json.get("sim_factor").is_none(), "real_time_factor only");
    // time_simulate / model seconds (20 ms), whatever the order of the
    // floating-point operations.
    let rtf = json["real_time_factor"].as_f64().unwrap();
    let want = json["time_simulate"].as_f64().unwrap() / 0.02;
    assert!((rtf - want).abs() <= 1e-12 * want, "{rtf} vs {want}");
    assert_eq!(
        json["rank_peak_rss_bytes"],
        serde_json::json!([json["peak_rss_bytes"]])
    );
    assert_eq!(
        json["rank_timers"]["time_update"].as_array().unwrap().len(),
        1
    );
    assert_eq!(json["imbalance_ranks"]["time_mpi_synchronization"], 1.0);
    assert_eq!(json["time_mpi_synchronization"], 0.0);
    // One entry per thread: their slowest is the phase's `max`, their mean
    // its top-level value.
    let per_thread: Vec<f64> = json["thread_timers"]["time_update"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(per_thread.len(), 2);
    let max = per_thread.iter().cloned().fold(0.0, f64::max);
    assert_eq!(json["phases"]["time_update"]["max"].as_f64().unwrap(), max);
    let mean = json["time_update"].as_f64().unwrap();
    assert!((per_thread.iter().sum::<f64>() / 2.0 - mean).abs() <= 1e-9 * mean.max(1e-9));
    let mut nulls: Vec<&String> = json
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v.is_null())
        .map(|(k, _)| k)
        .collect();
    nulls.sort();
    // `scale` and `microcircuit` are the microcircuit's.
    assert_eq!(
        nulls,
        ["compile_time", "microcircuit", "scale", "sweep"],
        "{text}"
    );
    assert_eq!(json["network"], "brunel");
    // The bench crate reads it back whole (it refuses a record lacking a field).
    let rec = spindle_bench::record::RunRecord::parse(&text, "r.json").unwrap();
    assert_eq!((rec.ranks, rec.threads_per_rank), (1, 2));
    assert_eq!(serde_json::to_value(&rec).unwrap(), json);
}

#[test]
fn threads_do_not_change_the_digest() {
    let dir = tempfile::tempdir().unwrap();
    let digest = |t: &str| {
        let o = spindle(
            dir.path(),
            &[
                "--order",
                "100",
                "--simtime",
                "100",
                "--threads",
                t,
                "--record-to",
                "none",
                "--quiet",
                "--json",
                "d.json",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("d.json")).unwrap())
                .unwrap();
        json["spike_digest"].as_str().unwrap().to_string()
    };
    assert_eq!(digest("1"), digest("3"));
}

/// `--model` runs that model's script's network: its weights and external
/// rate in the record, its own spikes, and the same spikes on any number
/// of threads.
#[test]
fn each_model_runs_its_scripts_network() {
    let dir = tempfile::tempdir().unwrap();
    let run = |model: &str, threads: &str| {
        let o = spindle(
            dir.path(),
            &[
                "--model",
                model,
                "--order",
                "100",
                "--simtime",
                "200",
                "--threads",
                threads,
                "--record-to",
                "none",
                "--json",
                "m.json",
            ],
        );
        assert!(o.status.success(), "{model}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("Number of neurons : 500"),
            "{}",
            stdout(&o)
        );
        let text = std::fs::read_to_string(dir.path().join("m.json")).unwrap();
        spindle_bench::record::RunRecord::parse(&text, model).unwrap()
    };
    let alpha = run("iaf_psc_alpha", "1");
    let plain = {
        let o = spindle(
            dir.path(),
            &[
                "--order",
                "100",
                "--simtime",
                "200",
                "--threads",
                "1",
                "--record-to",
                "none",
                "--quiet",
                "--json",
                "p.json",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(dir.path().join("p.json")).unwrap();
        spindle_bench::record::RunRecord::parse(&text, "plain").unwrap()
    };
    assert_eq!(plain.model, "iaf_psc_alpha", "the default");
    assert_eq!(plain.spike_digest, alpha.spike_digest);
    let mut digests = vec![alpha.spike_digest.clone()];
    for model in ["iaf_psc_delta", "iaf_psc_exp"] {
        let one = run(model, "1");
        assert_eq!(one.model, model);
        let d = one.derived.unwrap();
        assert_eq!((d.ce, d.ci), (40, 10));
        if model == "iaf_psc_delta" {
            // brunel_delta_nest.py: the weights are J and -g J in mV, and
            // p_rate = 1000 * eta * theta / (J CE tau_m) * CE.
            assert_eq!((d.j_ex, d.j_in), (0.1, -0.5));
            assert_eq!(d.p_rate, 20_000.0);
        } else {
            assert!((d.j_ex - 54.96).abs() < 0.01, "{}", d.j_ex);
        }
        assert!(
            one.rate_ex_all > 1.0 && one.rate_ex_all < 200.0,
            "{}",
            one.rate_ex_all
        );
        assert_eq!(run(model, "3").spike_digest, one.spike_digest, "{model}");
        digests.push(one.spike_digest);
    }
    digests.sort();
    digests.dedup();
    assert_eq!(digests.len(), 3, "three networks, three spike trains");
}

/// `SPINDLE_ISA` forces every vector path (the update and the ring's bit
/// planes, which the seed network's bitmaps use): each gives the spikes of
/// the widest.
#[test]
fn every_forced_vector_path_gives_the_same_spikes() {
    let dir = tempfile::tempdir().unwrap();
    let digest = |isa: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_spindle"));
        cmd.current_dir(dir.path()).args([
            "--order",
            "250",
            "--simtime",
            "200",
            "--threads",
            "2",
            "--record-to",
            "none",
            "--quiet",
            "--json",
            "d.json",
        ]);
        match isa {
            Some(isa) => cmd.env("SPINDLE_ISA", isa),
            None => cmd.env_remove("SPINDLE_ISA"),
        };
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("d.json")).unwrap())
                .unwrap();
        json["spike_digest"].as_str().unwrap().to_string()
    };
    let widest = digest(None);
    for isa in ["portable", "avx2", "avx512"] {
        assert_eq!(digest(Some(isa)), widest, "{isa}");
    }
}

#[test]
fn bad_input_gets_one_line_and_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    let blocked = format!("{}/sub", blocker.display());
    let cases: &[(&[&str], &str)] = &[
        (&["--order", "0"], "--order"),
        (&["--order", "-3"], "--order"),
        (&["--threads", "0"], "--threads"),
        (&["--dt", "0"], "--dt"),
        (&["--dt", "-0.1"], "--dt"),
        (&["--simtime", "0"], "--simtime"),
        (&["--simtime", "-5"], "--simtime"),
        (&["--simtime", "100.05"], "--simtime"),
        (&["--delay", "1.55"], "--delay"),
        (&["--delay", "0.05"], "--delay"),
        (&["--c-m", "0"], "Capacitance must be > 0."),
        (&["--tau-m", "-1"], "Membrane time constant must be > 0."),
        (&["--t-ref", "-1"], "t_ref"),
        (
            &["--v-reset", "25"],
            "Reset potential must be smaller than threshold.",
        ),
        (&["--order", "10", "--n-rec", "11"], "--n-rec"),
        // Regression: order 1 gave CE = 0 and a NaN Poisson rate.
        (&["--order", "1", "--n-rec", "1"], "in-degree"),
        (&["--output-dir", &blocked], "--output-dir"),
        (&["--order", "100000"], "memory"),
        (&["--order", "abc"], "--order"),
        (&["--record-to", "tape"], "--record-to"),
        (
            &["--model", "iaf_psc_gamma"],
            "--model: unknown model 'iaf_psc_gamma'",
        ),
        (&["--model", ""], "--model: unknown model"),
        (
            &["--model", "iaf_psc_delta", "--tau-syn", "1"],
            "--tau-syn: iaf_psc_delta has no parameter tau_syn_ex",
        ),
        (&["--model", "iaf_psc_delta", "--c-m", "0"], "--c-m"),
        (
            &["--model", "iaf_psc_exp", "--tau-m", "-1"],
            "iaf_psc_exp: Membrane and synapse time constants must be strictly positive.",
        ),
    ];
    for (args, needle) in cases {
        let mut all = vec!["--simtime", "100"];
        if args.contains(&"--simtime") {
            all.clear();
        }
        all.extend_from_slice(args);
        all.extend_from_slice(&["--json", "bad.json", "--quiet"]);
        let o = spindle(dir.path(), &all);
        common::assert_one_line_error(&o, &format!("{args:?}"), needle);
        assert!(
            !dir.path().join("bad.json").exists(),
            "{args:?} left a JSON file"
        );
        assert!(
            !dir.path().join("spindle-out").exists()
                || std::fs::read_dir(dir.path().join("spindle-out"))
                    .unwrap()
                    .next()
                    .is_none(),
            "{args:?} left output files"
        );
    }
}

/// `scripts/check_locks.sh` (the first step of `.ci/run`) passes on current
/// lock files and fails, with one line naming the file, on a stale one. The
/// repository's three workspaces are stood in for by dependency-free ones,
/// so it needs no network.
#[test]
fn check_locks_fails_on_a_stale_lock_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir(root.join("scripts")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check_locks.sh"),
        root.join("scripts/check_locks.sh"),
    )
    .unwrap();
    let manifest = |dir: &Path, name: &str, deps: &str| {
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("src/lib.rs"), "").unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                 [dependencies]\n{deps}\n[workspace]\n"
            ),
        )
        .unwrap();
    };
    let cargo = env!("CARGO");
    for (dir, name) in [(".", "top"), ("python", "py"), ("fuzz", "fz")] {
        manifest(&root.join(dir), name, "");
        let o = Command::new(cargo)
            .current_dir(root.join(dir))
            .args(["generate-lockfile", "--offline"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let check = || {
        Command::new("bash")
            .arg(root.join("scripts/check_locks.sh"))
            .output()
            .unwrap()
    };
    let o = check();
    assert!(o.status.success(), "current lock files: {}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));

    // A dependency added to python/Cargo.toml without its lock file.
    manifest(&root.join("python"), "py", "fz = { path = \"../fuzz\" }");
    let o = check();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with("check_locks: python/Cargo.lock is stale"),
        "{err}"
    );
}

#[test]
fn dumps_every_connection_between_neurons() {
    let dir = tempfile::tempdir().unwrap();
    let o = spindle(
        dir.path(),
        &[
            "--order",
            "50",
            "--simtime",
            "20",
            "--threads",
            "2",
            "--quiet",
            "--record-to",
            "none",
            "--dump-weights",
            "weights.txt",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("weights.txt")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("# source target synapse_model delay_ms weight")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(' ').collect()).collect();
    // 250 neurons, in-degrees 20 (excitatory) and 5 (inhibitory).
    assert_eq!(rows.len(), 250 * 25);
    let mut last = (0u32, 0u32);
    for r in &rows {
        let key = (r[0].parse().unwrap(), r[1].parse().unwrap());
        assert!(key >= last, "sorted by source and target");
        last = key;
        assert_eq!(r[3].parse::<f64>().unwrap(), 1.5);
        assert!(r[4].parse::<f64>().unwrap().is_finite());
    }
    let bad = spindle(dir.path(), &["--dump-weights", "no/such/dir/w.txt"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("--dump-weights"), "{}", stderr(&bad));
}
