//! `spindle --network microcircuit`: its help, its flags refused for the
//! other network (and the other's for it), a short run's record with each
//! population's rate and its files, the same spikes on 1, 2 and 3
//! threads, and a microcircuit sweep. (That its spikes are those of NEST's
//! example run on spindle.nest is tests/python/test_microcircuit_cli.py.)

mod common;

use std::path::Path;
use std::process::{Command, Output};

use spindle_bench::record::RunRecord;

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

/// A run of the microcircuit at `scale` with `extra` flags; its record.
fn run(dir: &Path, scale: &str, threads: &str, extra: &[&str]) -> (Output, RunRecord) {
    let json = format!("mc-{scale}-{threads}.json");
    let mut args = vec![
        "--network",
        "microcircuit",
        "--scale",
        scale,
        "--threads",
        threads,
        "--json",
        &json,
    ];
    args.extend_from_slice(extra);
    let o = spindle(dir, &args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    let text = std::fs::read_to_string(dir.join(&json)).unwrap();
    (o, RunRecord::parse(&text, &json).unwrap())
}

#[test]
fn help_names_both_networks_and_their_flags() {
    let dir = tempfile::tempdir().unwrap();
    let o = spindle(dir.path(), &["--help"]);
    assert!(o.status.success());
    let help = stdout(&o);
    for needle in [
        "--network <NETWORK>",
        "microcircuit",
        "Potjans & Diesmann",
        "Microcircuit (--network microcircuit):",
        "Brunel network (--network brunel):",
        "--scale <S>",
        "published benchmark",
        "--drive <DRIVE>",
        "--presim <MS>",
        "microcircuit: 55",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
    let o = spindle(dir.path(), &["bench", "--help"]);
    let help = stdout(&o);
    for needle in [
        "--network <NETWORK>",
        "--scales <SCALES>",
        "--drive <DRIVE>",
    ] {
        assert!(
            help.contains(needle),
            "bench --help lacks {needle:?}:\n{help}"
        );
    }
}

#[test]
fn flags_of_one_network_are_refused_for_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let mc = ["--network", "microcircuit", "--scale", "0.05"];
    let cases: &[(&[&str], &str)] = &[
        (
            &["--scale", "0.1"],
            "--scale applies to --network microcircuit and --network hpc_benchmark only",
        ),
        (
            &["--drive", "dc"],
            "--drive applies to --network microcircuit only",
        ),
        (
            &["--presim", "100"],
            "--presim applies to --network microcircuit and --network hpc_benchmark only",
        ),
        (
            &[&mc[..], &["--order", "250"]].concat(),
            "--order applies to --network brunel only",
        ),
        (
            &[&mc[..], &["--model", "iaf_psc_exp"]].concat(),
            "--model applies",
        ),
        (&[&mc[..], &["--J", "0.2"]].concat(), "--J applies"),
        (&[&mc[..], &["--n-rec", "10"]].concat(), "--n-rec applies"),
        (
            &[&mc[..], &["--tau-syn", "1"]].concat(),
            "--tau-syn applies",
        ),
        (&[&mc[..], &["--plot", "x.png"]].concat(), "--plot applies"),
        (
            &["--network", "microcircuit", "--scale", "0"],
            "--scale must be a positive number",
        ),
        (
            &["--network", "microcircuit", "--scale", "nan"],
            "--scale must be a positive number",
        ),
        (
            &["--network", "microcircuit", "--scale", "1e-4"],
            "without neurons",
        ),
        (&["--network", "microcircuit", "--scale", "300"], "memory"),
        (&[&mc[..], &["--presim", "-1"]].concat(), "--presim"),
        (&[&mc[..], &["--presim", "10.05"]].concat(), "--presim"),
        (&[&mc[..], &["--drive", "thalamic"]].concat(), "--drive"),
        (&["--network", "hopfield"], "--network"),
        (
            &["bench", "--network", "microcircuit", "--orders", "250"],
            "--orders applies",
        ),
        (
            &[
                "bench",
                "--network",
                "microcircuit",
                "--models",
                "iaf_psc_exp",
            ],
            "--models applies",
        ),
        (
            &["bench", "--scales", "0.1"],
            "--scales applies to --network microcircuit and --network hpc_benchmark only",
        ),
        (
            &["bench", "--network", "microcircuit", "--scales", "0.1,x"],
            "--scales",
        ),
        (
            &["bench", "--network", "microcircuit", "--mode", "weak"],
            "strong scaling only",
        ),
        (
            &["bench", "--network", "microcircuit", "--peers", "brian2"],
            "brian2 runs the Brunel network only",
        ),
    ];
    for (args, needle) in cases {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--simtime", "10"]);
        if all[0] == "bench" {
            all.extend_from_slice(&["--out", "never"]);
        } else {
            all.extend_from_slice(&["--json", "bad.json", "--quiet"]);
        }
        let o = spindle(dir.path(), &all);
        common::assert_one_line_error(&o, &format!("{args:?}"), needle);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!dir.path().join("bad.json").exists(), "{args:?}");
        assert!(!dir.path().join("never").exists(), "{args:?}");
    }
}

#[test]
fn a_short_run_records_each_populations_rate() {
    let dir = tempfile::tempdir().unwrap();
    let (o, r) = run(
        dir.path(),
        "0.05",
        "2",
        &["--presim", "50", "--simtime", "100", "--seed", "3"],
    );
    let out = stdout(&o);
    for needle in [
        "Microcircuit simulation (Spindle): Potjans & Diesmann (2014), scale 0.05, poisson drive",
        "Number of neurons : 3858",
        "Rates over (50, 150] ms:",
        "L23E",
        "L6I",
        "Building time     : ",
        "Presimulation time: ",
        "Simulation time   : ",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    assert_eq!(r.network, "microcircuit");
    assert_eq!(r.scale, Some(0.05));
    assert_eq!((r.seed, r.simtime, r.threads), (3, 100.0, 2));
    assert_eq!(r.model, "iaf_psc_exp");
    assert!(r.n_rec.is_none() && r.derived.is_none());
    let mc = r.microcircuit.as_ref().unwrap();
    assert_eq!((mc.drive.as_str(), mc.presim), ("poisson", 50.0));
    let names: Vec<&str> = mc.populations.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
    );
    let neurons: u64 = mc.populations.iter().map(|p| p.neurons).sum();
    assert_eq!(neurons, r.num_neurons);
    // Recurrent synapses, and a generator and a recorder per neuron.
    assert_eq!(r.num_synapses, mc.recurrent_synapses + 2 * neurons);
    assert_eq!(r.num_synapses_ex + r.num_synapses_in, mc.recurrent_synapses);
    for p in &mc.populations {
        let rate = p.spikes as f64 * 1000.0 / 100.0 / p.neurons as f64;
        assert!(
            (p.rate - rate).abs() < 1e-9,
            "{}: {} vs {rate}",
            p.name,
            p.rate
        );
        assert!(p.rate_std.unwrap() >= 0.0);
        assert!(
            out.contains(&format!("{:.3}", p.rate)),
            "{} not printed",
            p.name
        );
    }
    assert!(mc.populations.iter().all(|p| p.spikes > 0), "{mc:?}");
    let ex: u64 = mc.populations.iter().step_by(2).map(|p| p.spikes).sum();
    assert_eq!(r.events_ex, Some(ex));
    assert!(
        r.spikes_total > ex + r.events_in.unwrap(),
        "the presimulation's spikes count too"
    );
    assert!((r.real_time_factor - r.time_simulate / 0.15).abs() < 1e-9 * r.real_time_factor);
    assert_eq!(
        r.min_delay_steps,
        Some(1),
        "delays are drawn down to one step"
    );
    // The recorders' files hold the spikes after the presimulation, as
    // the example's (NEST truncates them at every Simulate).
    let mut rows = 0;
    for i in 0..8u64 {
        let id = neurons + 1 + i;
        let text = std::fs::read_to_string(
            dir.path()
                .join(format!("spindle-out/spike_recorder-{id}.dat")),
        )
        .unwrap();
        for line in text.lines().skip(3) {
            let t: f64 = line.split('\t').nth(1).unwrap().parse().unwrap();
            assert!(t > 50.0 && t <= 150.0, "{line}");
            rows += 1;
        }
    }
    assert_eq!(rows, ex + r.events_in.unwrap());
    // A record without the new fields reads as the Brunel network's.
    let mut v: serde_json::Value = serde_json::to_value(&r).unwrap();
    for key in ["network", "scale", "microcircuit"] {
        v.as_object_mut().unwrap().remove(key);
    }
    let old = RunRecord::parse(&v.to_string(), "old").unwrap();
    assert_eq!((old.network.as_str(), old.scale), ("brunel", None));
}

#[test]
fn threads_do_not_change_the_microcircuits_spikes() {
    let dir = tempfile::tempdir().unwrap();
    let flags = [
        "--presim",
        "100",
        "--simtime",
        "100",
        "--record-to",
        "none",
        "--quiet",
    ];
    let runs: Vec<RunRecord> = ["1", "2", "3"]
        .iter()
        .map(|t| run(dir.path(), "0.05", t, &flags).1)
        .collect();
    let spikes = |r: &RunRecord| -> Vec<u64> {
        let mc = r.microcircuit.as_ref().unwrap();
        mc.populations.iter().map(|p| p.spikes).collect()
    };
    assert!(runs[0].spikes_total > 1000, "{}", runs[0].spikes_total);
    for r in &runs[1..] {
        assert_eq!(
            r.spike_digest, runs[0].spike_digest,
            "threads {}",
            r.threads
        );
        assert_eq!(spikes(r), spikes(&runs[0]));
    }
    // DC drive: the example's warnings for sub-threshold populations.
    let o = spindle(
        dir.path(),
        &[
            "--network",
            "microcircuit",
            "--scale",
            "0.05",
            "--drive",
            "dc",
            "--presim",
            "0",
            "--simtime",
            "20",
            "--record-to",
            "none",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: population L23E is sub-threshold"),
        "{}",
        stderr(&o)
    );
}

/// A microcircuit sweep: rows per scale and thread count, its summary and
/// `compare` naming the scale.
#[test]
fn a_microcircuit_sweep_writes_rows_per_scale() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("set");
    let o = spindle(
        tmp.path(),
        &[
            "bench",
            "--network",
            "microcircuit",
            "--scales",
            "0.02,0.03",
            "--threads",
            "1,2",
            "--repeats",
            "1",
            "--presim",
            "20",
            "--simtime",
            "30",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let set = spindle_bench::record::read_set(&out).unwrap();
    assert_eq!(set.records.len(), 4);
    assert!(set.records.iter().all(|r| r.network == "microcircuit"));
    let scales: Vec<_> = set.records.iter().map(|r| (r.scale, r.threads)).collect();
    assert_eq!(
        scales,
        [
            (Some(0.02), 1),
            (Some(0.02), 2),
            (Some(0.03), 1),
            (Some(0.03), 2)
        ]
    );
    assert_eq!(set.records[0].spike_digest, set.records[1].spike_digest);
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        summary.contains("| spindle | microcircuit | scale 0.03 | poisson | 1 | 2 | 1 |"),
        "{summary}"
    );
    let setup = std::fs::read_to_string(out.join("SETUP.md")).unwrap();
    assert!(
        setup.contains("scales [0.02, 0.03], poisson drive, 20 ms presimulated"),
        "{setup}"
    );
    let o = spindle(
        tmp.path(),
        &["compare", out.to_str().unwrap(), out.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("spindle microcircuit scale=0.03 poisson threads=2 20.0+30.0ms"),
        "{}",
        stdout(&o)
    );
}
