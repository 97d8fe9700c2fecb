//! `spindle --network hpc_benchmark` and `--network brette2007`: the same
//! spikes and the same final weights on 1, 2 and 3 threads, the scripts'
//! figures in the record and the summary, the flags of other networks
//! refused, and sweeps (hpc_benchmark's weak mode: the scale per rank).
//! (That the spikes are those of NEST's scripts run on spindle.nest is
//! tests/python/test_networks_cli.py; that they stay so over MPI ranks,
//! tests/mpi.rs.)

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

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A run with `args`; its record, stdout and (with `weights`) the
/// connections it dumped.
fn run(dir: &Path, name: &str, args: &[&str]) -> (RunRecord, String, String) {
    let json = format!("{name}.json");
    let dump = format!("{name}.weights");
    let mut all = args.to_vec();
    all.extend_from_slice(&["--json", &json, "--dump-weights", &dump]);
    let o = spindle(dir, &all);
    assert!(o.status.success(), "{all:?}: {}", stderr(&o));
    let text = std::fs::read_to_string(dir.join(&json)).unwrap();
    let weights = std::fs::read_to_string(dir.join(&dump)).unwrap();
    (
        RunRecord::parse(&text, &json).unwrap(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        weights,
    )
}

const HPC: [&str; 12] = [
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
    "--record-to",
    "memory",
];

#[test]
fn hpc_benchmark_spikes_and_weights_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let runs: Vec<_> = ["1", "2", "3"]
        .iter()
        .map(|t| run(dir.path(), t, &[&HPC[..], &["--threads", t]].concat()))
        .collect();
    let (r, out, weights) = &runs[0];
    for needle in [
        "0 ",
        " # build_time_nodes",
        " # build_edge_time",
        " # virt_mem_after_edges",
        " # presim_time",
        " # sim_time",
        " # average rate",
        "HPC benchmark (Spindle): NEST's hpc_benchmark.py, scale 0.02",
        "Number of neurons : 225",
        "1620000 plastic",
        "Peak RSS",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    assert_eq!(r.network, "hpc_benchmark");
    assert_eq!(
        (r.scale, r.seed, r.simtime),
        (Some(0.02), 143_202_461, 50.0)
    );
    let d = r.derived.as_ref().unwrap();
    assert_eq!((d.ne, d.ni, d.ce, d.ci), (180, 45, 9000, 2250));
    // serde_json's default parser may miss the last bit; the exact value
    // is the crate's unit test's, and the script's in test_networks_cli.py.
    assert!((d.j_ex - 45.609600316540956).abs() < 1e-12, "{}", d.j_ex);
    // Recurrent, the generator onto every neuron, the recorded neurons.
    assert_eq!(r.num_synapses, 225 * 11250 + 225 + 50);
    let mc = r.microcircuit.as_ref().unwrap();
    assert_eq!((mc.presim, mc.recurrent_synapses), (20.0, 225 * 11250));
    // The script's rate: the recorder's events (the presimulation's too)
    // per recorded neuron per second of --simtime.
    let events = r.events_ex.unwrap();
    assert!(events > 0);
    assert!((r.rate_ex - events as f64 / (50.0 * 50.0) * 1e3).abs() < 1e-9);
    assert_eq!(r.min_delay_steps, Some(15));
    // Every plastic synapse moved from its initial weight.
    let plastic: Vec<f64> = weights
        .lines()
        .filter(|l| l.contains("stdp_pl_synapse_hom_hpc"))
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(plastic.len(), 180 * 9000);
    assert!(plastic.iter().any(|&w| (w - d.j_ex).abs() > 1e-9));
    for (r2, _, w2) in &runs[1..] {
        assert_eq!(r2.spike_digest, r.spike_digest, "threads {}", r2.threads);
        assert_eq!(r2.events_ex, r.events_ex);
        assert!(w2 == weights, "threads {}: other weights", r2.threads);
    }
}

#[test]
fn brette2007_spikes_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    for (model, simtime) in [("coba", "150"), ("cuba", "150"), ("hh_coba", "40")] {
        let args = |t: &'static str| -> Vec<&str> {
            vec![
                "--network",
                "brette2007",
                "--model",
                model,
                "--simtime",
                simtime,
                "--record-to",
                "none",
                "--threads",
                t,
            ]
        };
        let runs: Vec<_> = ["1", "2", "3"]
            .iter()
            .map(|t| run(dir.path(), &format!("{model}-{t}"), &args(t)))
            .collect();
        let (r, out, weights) = &runs[0];
        for needle in [
            "Simulation summary",
            "Number of Neurons : 4000",
            "Number of Synapses: 321050",
            "Excitatory rate   : ",
            "spikes/s",
        ] {
            assert!(
                out.contains(needle),
                "{model}: missing {needle:?} in\n{out}"
            );
        }
        assert_eq!(
            (r.network.as_str(), r.model.as_str()),
            ("brette2007", model)
        );
        assert_eq!(r.num_synapses, 321_050, "{model}");
        assert_eq!(r.n_rec, Some(500));
        let rate = r.events_ex.unwrap() as f64 / (500.0 * simtime.parse::<f64>().unwrap()) * 1e3;
        assert!((r.rate_ex - rate).abs() < 1e-9, "{model}");
        assert!(r.spikes_total > 0, "{model}");
        assert_eq!(weights.lines().count(), 1 + 4000 * 80);
        for (r2, _, w2) in &runs[1..] {
            assert_eq!(
                r2.spike_digest, r.spike_digest,
                "{model} threads {}",
                r2.threads
            );
            assert!(w2 == weights);
        }
    }
}

#[test]
fn flags_of_other_networks_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let hpc = [
        "--network",
        "hpc_benchmark",
        "--scale",
        "0.02",
        "--n-rec",
        "10",
    ];
    let brette = ["--network", "brette2007"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            [&hpc[..], &["--drive", "dc"]].concat(),
            "--drive applies to --network microcircuit only, not to --network hpc_benchmark",
        ),
        (
            [&hpc[..], &["--model", "coba"]].concat(),
            "--model applies to --network brunel and --network brette2007 only",
        ),
        ([&hpc[..], &["--order", "100"]].concat(), "--order applies"),
        ([&hpc[..], &["--J", "0.2"]].concat(), "--J applies"),
        (
            [&brette[..], &["--scale", "0.1"]].concat(),
            "--scale applies to --network microcircuit and --network hpc_benchmark only, not to --network brette2007",
        ),
        (
            [&brette[..], &["--presim", "10"]].concat(),
            "--presim applies",
        ),
        (
            [&brette[..], &["--tau-m", "10"]].concat(),
            "--tau-m applies",
        ),
        (
            [&brette[..], &["--model", "cuba_ps"]].concat(),
            "precise spike times",
        ),
        (
            [&brette[..], &["--model", "iaf_psc_alpha"]].concat(),
            "--model: unknown benchmark 'iaf_psc_alpha' (coba, hh_coba, cuba)",
        ),
        ([&brette[..], &["--n-rec", "900"]].concat(), "--n-rec 900"),
        (
            vec!["--network", "hpc_benchmark", "--scale", "0.1"],
            "--n-rec 1000 is more than the 900 excitatory neurons",
        ),
        (
            vec!["--network", "hpc_benchmark", "--scale", "0"],
            "--scale must be a positive number",
        ),
        (
            vec!["--network", "hpc_benchmark", "--scale", "1e-4"],
            "at least 2",
        ),
        (
            vec!["--network", "hpc_benchmark", "--scale", "300"],
            "memory",
        ),
        ([&hpc[..], &["--presim", "0.05"]].concat(), "--presim"),
        (
            vec!["--network", "hpc-benchmark"],
            "invalid value 'hpc-benchmark'",
        ),
        (
            vec!["--presim", "10"],
            "--presim applies to --network microcircuit and --network hpc_benchmark only, not to --network brunel",
        ),
        (
            vec!["bench", "--network", "hpc_benchmark", "--drive", "dc"],
            "--drive applies to --network microcircuit only",
        ),
        (
            vec!["bench", "--network", "hpc_benchmark", "--orders", "100"],
            "--orders applies",
        ),
        (
            vec!["bench", "--network", "brette2007", "--scales", "0.1"],
            "--scales applies",
        ),
        (
            vec!["bench", "--network", "brette2007", "--mode", "weak"],
            "the brette2007 sweeps strong scaling only",
        ),
        (
            vec![
                "bench",
                "--network",
                "brette2007",
                "--models",
                "coba,cuba_ps",
            ],
            "--models: unknown benchmark 'cuba_ps'",
        ),
        (
            vec!["bench", "--network", "hpc_benchmark", "--peers", "brian2"],
            "brian2 runs the Brunel network only, not hpc_benchmark",
        ),
        (
            vec![
                "bench",
                "--network",
                "hpc_benchmark",
                "--models",
                "iaf_psc_exp",
            ],
            "--models applies",
        ),
    ];
    for (args, needle) in cases {
        let mut all = args.clone();
        if all[0] == "bench" {
            all.extend_from_slice(&["--simtime", "10", "--out", "never"]);
        } else {
            all.extend_from_slice(&["--simtime", "10", "--json", "bad.json", "--quiet"]);
        }
        let o = spindle(dir.path(), &all);
        common::assert_one_line_error(&o, &format!("{args:?}"), needle);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!dir.path().join("bad.json").exists(), "{args:?}");
        assert!(!dir.path().join("never").exists(), "{args:?}");
    }
}

/// A weak-scaling sweep of hpc_benchmark on one rank (more ranks need the
/// MPI build: tests/mpi.rs): the scale per rank, every thread count,
/// the recorded neurons the scale allows, the weak-scaling table with
/// the memory per rank; and a brette2007 sweep over two scripts.
#[test]
fn sweeps_of_hpc_benchmark_and_brette2007() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("hpc");
    let o = spindle(
        tmp.path(),
        &[
            "bench",
            "--network",
            "hpc_benchmark",
            "--mode",
            "weak",
            "--scale",
            "0.01",
            "--threads",
            "1,2",
            "--repeats",
            "1",
            "--presim",
            "10",
            "--simtime",
            "20",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let set = spindle_bench::record::read_set(&out).unwrap();
    let got: Vec<_> = set
        .records
        .iter()
        .map(|r| (r.network.as_str(), r.scale, r.threads, r.n_rec))
        .collect();
    assert_eq!(
        got,
        [
            ("hpc_benchmark", Some(0.01), 1, Some(90)),
            ("hpc_benchmark", Some(0.01), 2, Some(90))
        ]
    );
    assert_eq!(set.records[0].spike_digest, set.records[1].spike_digest);
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    for needle in [
        "| spindle | hpc_benchmark | scale 0.01 |  | 1 | 2 | 1 |",
        "Weak scaling (the size grows with the ranks; memory per rank)",
        "| spindle | hpc_benchmark | scale 0.01 | 1 | 2 | scale 0.01 |",
    ] {
        assert!(summary.contains(needle), "{needle:?} not in\n{summary}");
    }
    let setup = std::fs::read_to_string(out.join("SETUP.md")).unwrap();
    assert!(
        setup.contains("NEST's hpc_benchmark.py at scales [0.01] per rank, 10 ms presimulated"),
        "{setup}"
    );
    let o = spindle(
        tmp.path(),
        &["compare", out.to_str().unwrap(), out.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("spindle hpc_benchmark scale=0.01 threads=2 10.0+20.0ms"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    let out = tmp.path().join("brette");
    let o = spindle(
        tmp.path(),
        &[
            "bench",
            "--network",
            "brette2007",
            "--model",
            "coba,cuba",
            "--threads",
            "1",
            "--repeats",
            "1",
            "--simtime",
            "50",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let set = spindle_bench::record::read_set(&out).unwrap();
    let models: Vec<_> = set.records.iter().map(|r| r.model.as_str()).collect();
    assert_eq!(models, ["coba", "cuba"]);
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        summary.contains("| spindle | brette2007 | cuba |  | 1 | 1 | 1 |"),
        "{summary}"
    );
}
