#!/usr/bin/env python3
"""NEST 3.10 reference rates of the Brunel scenario's variants for
tests/brunel_models.rs: NEST's example script of each model (through the
NEST peer, scripts/peers/nest_brunel.py, which runs brunel_alpha_nest.py,
brunel_delta_nest.py, and brunel_alpha_nest.py with iaf_psc_exp) at order
250, 1000 ms, 2 threads, seeds 1-3. Writes tests/data/brunel_models_nest.csv:
one row per run with the script's derived constants, the connection counts
and the rates over all neurons.

Run with a Python that has NEST 3.10 (`import nest`), from anywhere:
    python scripts/nest_reference/brunel_models.py
"""

import csv
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "brunel_models_nest.csv"
PEER = ROOT / "scripts" / "peers" / "nest_brunel.py"
FIELDS = ("model", "seed", "threads", "CE", "CI", "J_ex", "J_in", "p_rate",
          "num_synapses_ex", "num_synapses_in", "rate_ex_all", "rate_in_all")

rows = []
with tempfile.TemporaryDirectory() as tmp:
    for model in ("iaf_psc_alpha", "iaf_psc_delta", "iaf_psc_exp"):
        for seed in (1, 2, 3):
            out = pathlib.Path(tmp) / f"{model}-{seed}.json"
            subprocess.run(
                [sys.executable, str(PEER), "--model", model, "--order", "250",
                 "--threads", "2", "--seed", str(seed), "--simtime", "1000",
                 "--json", str(out)],
                check=True, stdout=subprocess.DEVNULL)
            r = json.loads(out.read_text())
            d = r["derived"]
            rows.append({**{k: d[k] for k in ("CE", "CI", "J_ex", "J_in", "p_rate")},
                         **{k: r[k] for k in FIELDS if k in r}})
            print(model, seed, r["rate_ex_all"], r["rate_in_all"], file=sys.stderr)
with open(OUT, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: repr(v) if isinstance(v, float) else v for k, v in row.items()})
print(f"wrote {OUT}", file=sys.stderr)
