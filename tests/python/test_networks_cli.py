"""`spindle --network hpc_benchmark` and `--network brette2007` give exactly
the spikes (and, for hpc_benchmark, the final weights) of NEST's scripts
run on spindle.nest, at the same seed, on other thread counts: the same
spike digest (every spike of the run), the same recorder counts and
rates, the same connection count, the same connections and weights
(`--dump-weights`).

The scripts run unchanged through the bench's NEST peers
(``scripts/peers/nest_hpc_benchmark.py``, ``nest_brette2007.py``), which
import them from NEST 3.10's wheel and take their own steps with
``--module spindle.nest``: set ``SPINDLE_NEST_EXAMPLES`` to the wheel's
``nest/doc/examples/pynest`` folder (as tests/python/test_examples.py;
without it the tests are skipped, except under CI, where they fail).
The `spindle` binary is taken from $SPINDLE_BIN (default
target/release/spindle).
"""

import glob
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPINDLE = Path(os.environ.get("SPINDLE_BIN", ROOT / "target" / "release" / "spindle"))
PEERS = ROOT / "scripts" / "peers"


def _examples_dir():
    found = os.environ.get("SPINDLE_NEST_EXAMPLES")
    if found:
        return found
    pattern = "lib/python3*/site-packages/nest/doc/examples/pynest"
    for venv in (".venv-nest", ".venv-nest-ci"):
        hits = glob.glob(str(ROOT / venv / pattern))
        if hits:
            return hits[0]
    return None


EXAMPLES = _examples_dir()
if EXAMPLES is None and os.environ.get("CI"):
    raise RuntimeError("SPINDLE_NEST_EXAMPLES must name NEST 3.10's pynest examples under CI")


def needs():
    if not SPINDLE.exists():
        pytest.skip(f"no spindle binary at {SPINDLE} (set SPINDLE_BIN)")
    if EXAMPLES is None:
        pytest.skip("no NEST examples (set SPINDLE_NEST_EXAMPLES)")


def cli(tmp, name, args):
    rec = tmp / f"{name}.json"
    p = subprocess.run([str(SPINDLE), *args, "--record-to", "none", "--quiet", "--json", str(rec)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return json.loads(rec.read_text())


def peer(tmp, name, script, args):
    rec = tmp / f"{name}.json"
    p = subprocess.run([sys.executable, str(PEERS / script), *args, "--module", "spindle.nest",
                        "--examples", EXAMPLES, "--quiet", "--json", str(rec)],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    return json.loads(rec.read_text())


def weights(path):
    rows = []
    for line in Path(path).read_text().splitlines()[1:]:
        s, t, m, d, w = line.split()
        rows.append((int(s), int(t), m, float(d), float(w)))
    return sorted(rows)


HPC = ["--network", "hpc_benchmark", "--scale", "0.02", "--n-rec", "50", "--presim", "20",
       "--simtime", "50"]


@pytest.mark.parametrize("seed", [None, 3])
def test_hpc_benchmark_spikes_and_weights_as_the_script_on_spindle_nest(tmp_path, seed):
    """The script's default seed (NEST's) when none is given, and another."""
    needs()
    s = [] if seed is None else ["--seed", str(seed)]
    a = cli(tmp_path, "cli", [*HPC, *s, "--threads", "2", "--dump-weights",
                              str(tmp_path / "cli.w")])
    b = peer(tmp_path, "peer", "nest_hpc_benchmark.py",
             [*HPC, *s, "--threads", "1", "--dump-weights", str(tmp_path / "peer.w")])
    assert a["seed"] == b["seed"] == (143202461 if seed is None else seed)
    assert a["spike_digest"] == b["spike_digest"]
    assert a["events_ex"] == b["events_ex"] > 0
    assert a["rate_ex"] == pytest.approx(b["rate_ex"], rel=1e-12)
    assert a["num_synapses"] == b["num_synapses"]
    assert (a["num_synapses_ex"], a["num_synapses_in"]) == (b["num_synapses_ex"], b["num_synapses_in"])
    assert a["derived"] == b["derived"]
    assert a["min_delay_steps"] == 15
    wa, wb = weights(tmp_path / "cli.w"), weights(tmp_path / "peer.w")
    assert len(wa) == len(wb) == a["microcircuit"]["recurrent_synapses"]
    assert wa == wb
    # The plastic weights moved.
    je = a["derived"]["J_ex"]
    assert any(w != je for _, _, m, _, w in wa if m == "stdp_pl_synapse_hom_hpc")


@pytest.mark.parametrize("model,simtime", [("coba", "200"), ("cuba", "200"), ("hh_coba", "60")])
def test_brette2007_spikes_as_the_script_on_spindle_nest(tmp_path, model, simtime):
    needs()
    args = ["--network", "brette2007", "--model", model, "--simtime", simtime]
    a = cli(tmp_path, "cli", [*args, "--threads", "3"])
    b = peer(tmp_path, "peer", "nest_brette2007.py", [*args, "--threads", "1"])
    assert a["spike_digest"] == b["spike_digest"]
    assert (a["events_ex"], a["events_in"]) == (b["events_ex"], b["events_in"])
    assert a["events_ex"] + a["events_in"] > 0
    assert a["rate_ex"] == pytest.approx(b["rate_ex"], rel=1e-12)
    assert a["num_synapses"] == b["num_synapses"] == 321050
    assert a["derived"] == b["derived"]
    assert a["model"] == b["model"] == model
