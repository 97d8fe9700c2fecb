#!/usr/bin/env python3
"""NEST 3.10's figures of its example ``brunel_exp_multisynapse_nest.py``
over five seeds, for ``tests/python/test_multisynapse.py``: what the script
prints (neurons, synapses, the excitatory and inhibitory rates of its 50
recorded neurons) for ``rng_seed`` 1-5, written to
``tests/data/multisynapse/nest_rates.json``.

The runs go through ``examples_table.py`` (the script unchanged but for the
seed, each in a subprocess, ``plt.show`` a no-op); a run of the full
example takes NEST 3-6 minutes on two cores. Run with a Python that has
NEST 3.10, from the repository root::

    /tmp/venv-nest/bin/python scripts/nest_reference/multisynapse_rates.py

or, from the table of an earlier run of examples_table.py::

    python3 scripts/nest_reference/multisynapse_rates.py --from /tmp/nest-multi/nest.json
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPT = "brunel_exp_multisynapse_nest.py"
OUT = os.path.join(ROOT, "tests", "data", "multisynapse", "nest_rates.json")
FIGURES = ["n_neurons", "n_synapses", "n_synapses_ex", "n_synapses_in", "rate_ex", "rate_in"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--from", dest="table", help="an examples_table.py JSON holding the runs")
    ap.add_argument("--seeds", default="1,2,3,4,5")
    args = ap.parse_args()
    table = args.table
    if table is None:
        out = tempfile.mkdtemp(prefix="multisynapse_rates_")
        subprocess.run([sys.executable, os.path.join(HERE, "examples_table.py"), "--scripts",
                        SCRIPT, "--seeds", args.seeds, "--jobs", "1", "--out", out], check=True)
        table = os.path.join(out, "nest.json")
    with open(table) as f:
        data = json.load(f)
    version = data.get("module_version") or ""
    assert version.startswith("3.10"), version
    runs = {}
    for run in data["runs"].values():
        if run["script"] != SCRIPT:
            continue
        assert run["status"] == "ok", run["status"]
        runs[str(run["seed"])] = {k: run["figures"][k] for k in FIGURES}
    assert len(runs) >= 5, sorted(runs)
    result = {
        "nest_version": version,
        "script": SCRIPT,
        "generator": "scripts/nest_reference/multisynapse_rates.py",
        "runs": dict(sorted(runs.items())),
    }
    with open(OUT, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    for seed, figures in sorted(runs.items()):
        print(seed, figures)


if __name__ == "__main__":
    main()
