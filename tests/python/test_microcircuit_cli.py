"""`spindle --network microcircuit` gives exactly the spikes of NEST's PD14
example (vendored unchanged in ``tests/data/microcircuit/pd14``) run on
spindle.nest, at the same scale (0.1), seed and thread count: the same
spike digest (every spike of the run, the presimulation's included), the
same rows in the spike recorders' files (the spikes after the
presimulation, which is what the example's files hold), the same
connection count and the same spikes per population.

The example runs through the generator that measured NEST
(``scripts/nest_reference/microcircuit_table.py --module spindle.nest``),
which calls its ``run_microcircuit.main()`` unchanged, with its
``t_presim`` and ``t_sim`` shortened to 100 and 200 ms. The bench's NEST
peer (``scripts/peers/nest_microcircuit.py``, the example's own
``Network`` steps) run on spindle.nest, on another thread count, records
the same spikes too.

The `spindle` binary is taken from $SPINDLE_BIN (default
target/release/spindle).
"""

import glob
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPINDLE = Path(os.environ.get("SPINDLE_BIN", ROOT / "target" / "release" / "spindle"))
GENERATOR = ROOT / "scripts" / "nest_reference" / "microcircuit_table.py"
PEER = ROOT / "scripts" / "peers" / "nest_microcircuit.py"
SCALE, SEED, PRESIM, SIM = "0.1", 7, 100.0, 200.0


def rows_sha256(files):
    """SHA-256 of the files' rows (``sender<TAB>time``), sorted, as the
    generator computes it for the example's files."""
    rows = []
    for f in files:
        for line in Path(f).read_text().splitlines()[3:]:
            if line.strip():
                rows.append("\t".join(line.split()))
    return len(rows), hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    if not SPINDLE.exists():
        pytest.skip(f"no spindle binary at {SPINDLE} (set SPINDLE_BIN)")
    d = tmp_path_factory.mktemp("cli")
    cmd = [str(SPINDLE), "--network", "microcircuit", "--scale", SCALE, "--seed", str(SEED),
           "--threads", "2", "--presim", str(PRESIM), "--simtime", str(SIM),
           "--output-dir", str(d / "out"), "--json", str(d / "r.json"), "--quiet"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    rec = json.loads((d / "r.json").read_text())
    files = sorted(glob.glob(str(d / "out" / "spike_recorder-*.dat")))
    assert len(files) == 8
    return rec, rows_sha256(files)


def test_the_cli_spikes_exactly_as_the_example_on_spindle_nest(cli, tmp_path):
    rec, (n_rows, sha) = cli
    out = tmp_path / "example.json"
    cmd = [sys.executable, str(GENERATOR), "--python", sys.executable, "--module", "spindle.nest",
           "--scale", SCALE, "--threads", "2", "--seeds-poisson", str(SEED), "--seeds-dc", "",
           "--t-presim", str(PRESIM), "--t-sim", str(SIM), "--out-json", str(out)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    (ex,) = json.loads(out.read_text())["runs"]
    assert ex["rc"] == 0, ex.get("stderr_tail")
    assert ex["sim_dict"]["t_presim"] == PRESIM and ex["sim_dict"]["t_sim"] == SIM
    assert ex["sim_dict"]["rng_seed"] == SEED and ex["sim_dict"]["local_num_threads"] == 2
    assert ex["net_dict"]["N_scaling"] == ex["net_dict"]["K_scaling"] == float(SCALE)
    # Every spike of the run, and the files' rows after the presimulation.
    assert rec["spike_digest"] == ex["spike_digest"]
    assert (n_rows, sha) == (ex["spike_rows"], ex["spike_rows_sha256"])
    assert rec["num_synapses"] == ex["kernel_status"]["num_connections"]
    assert rec["num_neurons"] == ex["node_ids"][-1][1]
    pops = rec["microcircuit"]["populations"]
    assert [p["spikes"] for p in pops] == [c["spikes"] for c in ex["check_rates"]]
    # The example's own rates (helpers.firing_rates) are the CLI's.
    for p, e in zip(pops, ex["example_rates"]):
        assert p["neurons"] == e["n"]
        assert p["rate"] == pytest.approx(e["mean"], rel=1e-12, abs=1e-12)
        assert p["rate_std"] == pytest.approx(e["std"], rel=1e-9, abs=1e-12)
    assert sum(p["spikes"] for p in pops) > 1000


def test_the_bench_peer_runs_the_example_with_the_same_spikes(cli, tmp_path):
    rec, _ = cli
    out = tmp_path / "peer.json"
    cmd = [sys.executable, str(PEER), "--network", "microcircuit", "--module", "spindle.nest",
           "--scale", SCALE, "--seed", str(SEED), "--threads", "1", "--presim", str(PRESIM),
           "--simtime", str(SIM), "--drive", "poisson", "--record-to", "none", "--quiet",
           "--json", str(out)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    peer = json.loads(out.read_text())
    assert peer["spike_digest"] == rec["spike_digest"]
    assert peer["network"] == "microcircuit" and peer["scale"] == float(SCALE)
    assert peer["threads"] == 1 and peer["seed"] == SEED
    for key in ("num_neurons", "num_synapses", "num_synapses_ex", "num_synapses_in",
                "events_ex", "events_in", "spikes_total", "model", "min_delay_steps"):
        assert peer[key] == rec[key], key
    mc, want = peer["microcircuit"], rec["microcircuit"]
    assert (mc["drive"], mc["presim"], mc["recurrent_synapses"]) == \
        (want["drive"], want["presim"], want["recurrent_synapses"])
    for a, b in zip(mc["populations"], want["populations"]):
        assert (a["name"], a["neurons"], a["spikes"]) == (b["name"], b["neurons"], b["spikes"])
        assert a["rate"] == pytest.approx(b["rate"], rel=1e-12)
    # A record `spindle compare` reads (every field present), as a set of one.
    line = tmp_path / "peer.jsonl"
    line.write_text(json.dumps(peer) + "\n")
    compare = subprocess.run([str(SPINDLE), "compare", str(line), str(line)],
                             capture_output=True, text=True, timeout=60)
    assert compare.returncode == 0, compare.stderr
    assert "microcircuit scale=0.1 poisson threads=1 100.0+200.0ms" in compare.stdout


def test_dc_drive_spikes_as_the_example_too(tmp_path):
    """Under DC drive (the example file's default): the same digest from the
    command and from the example's steps on spindle.nest (the peer's
    runner), on different thread counts."""
    if not SPINDLE.exists():
        pytest.skip(f"no spindle binary at {SPINDLE} (set SPINDLE_BIN)")
    common = ["--network", "microcircuit", "--scale", SCALE, "--seed", "3", "--drive", "dc",
              "--presim", "100", "--simtime", "100", "--record-to", "none", "--quiet"]
    p = subprocess.run([str(SPINDLE), *common, "--threads", "3", "--json", str(tmp_path / "cli.json")],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    p = subprocess.run([sys.executable, str(PEER), *common, "--module", "spindle.nest", "--threads", "2",
                        "--json", str(tmp_path / "peer.json")], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    cli = json.loads((tmp_path / "cli.json").read_text())
    peer = json.loads((tmp_path / "peer.json").read_text())
    assert cli["microcircuit"]["drive"] == peer["microcircuit"]["drive"] == "dc"
    assert cli["spike_digest"] == peer["spike_digest"]
    assert cli["spikes_total"] == peer["spikes_total"] > 0
    # No generators: only the recorders' connections beside the recurrent ones.
    assert cli["num_synapses"] == peer["num_synapses"] == \
        cli["microcircuit"]["recurrent_synapses"] + cli["num_neurons"]
