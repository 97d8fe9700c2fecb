#!/usr/bin/env python3
"""Run NEST 3.10's shipped PyNEST examples with NEST and with spindle.nest.

The nest-simulator wheel ships 96 example scripts
(``nest/doc/examples/pynest``; the other files there are modules they
import). 61 of them are point-neuron work, Spindle's field; the rest are
spatial, compartmental, e-prop, astrocyte, rate-model, MUSIC, SONATA, CSA
and population-density examples (``OUT_OF_FIELD`` says which and why).
This script runs the 61 (or ``--only`` some) once with NEST and once with
Spindle, each in a fresh copy of its folder, with matplotlib drawing to
files (``MPLBACKEND=Agg``), and writes a table of exit status and wall
time per script:

    scripts/nest_examples.py run --nest-python /tmp/venv-nest/bin/python \\
        --spindle-python .venv-py/bin/python --out results/DIR/examples.json
    scripts/nest_examples.py table results/DIR/examples.json

For Spindle the copies have only their imports changed, as a user would
change them (``import nest`` -> ``import spindle.nest as nest``, and
``nest.raster_plot``/``nest.voltage_trace`` likewise); the examples'
folder comes from the NEST interpreter's wheel. "Runs" means exit 0 within
the timeout; that its figures are NEST's is what ``tests/python`` checks.
"""

import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

# Modules that the examples import, not examples themselves.
HELPERS = {
    "EI_clustered_network/helper.py", "EI_clustered_network/network.py",
    "EI_clustered_network/network_params.py", "EI_clustered_network/run_simulation.py",
    "EI_clustered_network/sim_params.py", "EI_clustered_network/stimulus_params.py",
    "brette_et_al_2007/brette_et_al_2007_benchmark.py",
    "pong/generate_gif.py", "pong/networks.py", "pong/pong.py", "pong/run_simulations.py",
    "sudoku/helpers_sudoku.py", "sudoku/plot_progress.py", "sudoku/sudoku_net.py",
    "sudoku/sudoku_solver.py",
    "music_cont_out_proxy_example/receiver_script.py",
}

# Examples outside Spindle's field (point neurons on a grid), by prefix.
OUT_OF_FIELD = {
    "spatial/": "spatially structured networks",
    "compartmental_model/": "compartmental neurons",
    "eprop_plasticity/": "e-prop learning",
    "astrocytes/": "astrocytes",
    "music_cont_out_proxy_example/": "MUSIC",
    "sonata_example/": "SONATA",
    "lin_rate_ipn_network.py": "rate model",
    "rate_neuron_dm.py": "rate model",
    "csa_example.py": "needs libneurosim/CSA",
    "csa_spatial_example.py": "needs libneurosim/CSA",
    "mc_neuron.py": "multicompartment neuron",
    "gif_pop_psc_exp.py": "population-density model",
}


def examples_dir(python):
    code = "import nest, pathlib; print(pathlib.Path(nest.__file__).parent / 'doc/examples/pynest')"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"error: {python} cannot import nest to find its examples")
    return pathlib.Path(out.stdout.strip().splitlines()[-1])


def in_field(root):
    """The in-field examples under ``root``, sorted, and the others with why."""
    scripts = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if "__pycache__" not in p.parts)
    keep, out = [], {}
    for s in scripts:
        if s in HELPERS:
            continue
        why = next((w for k, w in OUT_OF_FIELD.items() if s == k or s.startswith(k)), None)
        if why:
            out[s] = why
        else:
            keep.append(s)
    return keep, out


def spindle_source(text):
    """``text`` with its imports of nest made imports of spindle.nest."""
    text = re.sub(r"^(\s*)import nest$", r"\1import spindle.nest as nest", text, flags=re.M)
    text = re.sub(r"^(\s*)import nest\.(\w+)$", r"\1import spindle.nest.\2", text, flags=re.M)
    text = re.sub(r"^(\s*)from nest(\.\w+)? import ", r"\1from spindle.nest\2 import ", text,
                  flags=re.M)
    return text


def run_one(python, root, script, spindle, timeout):
    """Exit status, wall seconds and the last lines of output of one run."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp) / "ex"
        shutil.copytree(root / pathlib.Path(script).parent, folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
        if spindle:
            for p in folder.rglob("*.py"):
                p.write_text(spindle_source(p.read_text()))
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
        started = time.time()
        try:
            proc = subprocess.run([python, pathlib.Path(script).name], cwd=folder, env=env,
                                  capture_output=True, text=True, timeout=timeout)
            rc, tail = proc.returncode, (proc.stdout + proc.stderr).strip()[-2000:]
        except subprocess.TimeoutExpired:
            rc, tail = None, f"timed out after {timeout} s"
        wall = round(time.time() - started, 2)
    last = tail.splitlines()[-1] if tail else ""
    return {"rc": rc, "wall_s": wall, "last_line": last[:300]}


def cmd_run(args):
    root = pathlib.Path(args.examples or examples_dir(args.nest_python))
    scripts, out_of_field = in_field(root)
    if args.only:
        wanted = args.only.split(",")
        unknown = [w for w in wanted if w not in scripts]
        if unknown:
            sys.exit(f"error: not an in-field example: {', '.join(unknown)}")
        scripts = wanted
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    results = {}
    for i, s in enumerate(scripts, 1):
        row = {}
        for system, python in (("nest", None if args.skip_nest else args.nest_python),
                               ("spindle", args.spindle_python)):
            if python:
                row[system] = run_one(python, root, s, system == "spindle", args.timeout)
        results[s] = row
        print(f"[{i}/{len(scripts)}] {s}: " + ", ".join(
            f"{k} rc={v['rc']} {v['wall_s']} s" for k, v in row.items()), file=sys.stderr,
            flush=True)
        record = {"examples": str(root), "in_field": len(in_field(root)[0]),
                  "out_of_field": out_of_field, "timeout_s": args.timeout, "results": results}
        # Whole or not at all, after every script: an interrupted run keeps
        # what it measured.
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1) + "\n")
        tmp.replace(out)
    print(table(json.loads(out.read_text())))


def table(record):
    lines = ["| example | NEST 3.10 | s | spindle.nest | s | Spindle's last line where it fails |",
             "|---|---|---|---|---|---|"]
    runs = 0
    for s, row in record["results"].items():
        n, p = row.get("nest", {}), row.get("spindle", {})
        ok = p.get("rc") == 0
        runs += ok
        why = "" if ok or not p else p["last_line"].replace("|", "\\|")[:120]
        lines.append(f"| {s} | {status(n)} | {n.get('wall_s', '')} | {status(p)} | "
                     f"{p.get('wall_s', '')} | {why} |")
    lines.append(f"\n{runs} of the {len(record['results'])} examples run here exit 0 on "
                 f"spindle.nest (NEST's wheel has {record['in_field']} in Spindle's field).")
    return "\n".join(lines)


def status(run):
    if not run:
        return "-"
    return {0: "runs", None: "timeout"}.get(run["rc"], f"exit {run['rc']}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run the examples")
    r.add_argument("--nest-python", required=True,
                   help="an interpreter with nest-simulator 3.10 (its examples are run)")
    r.add_argument("--spindle-python", help="an interpreter with spindle")
    r.add_argument("--skip-nest", action="store_true", help="run Spindle only")
    r.add_argument("--examples", help="the examples' folder (default: the NEST wheel's)")
    r.add_argument("--only", help="comma-separated examples, as listed (e.g. one_neuron.py)")
    r.add_argument("--timeout", type=int, default=900, help="seconds per script and system")
    r.add_argument("--out", required=True)
    t = sub.add_parser("table", help="print the table of a run")
    t.add_argument("record")
    args = p.parse_args()
    if args.cmd == "run":
        if args.timeout < 1:
            sys.exit("error: --timeout must be >= 1")
        cmd_run(args)
    else:
        print(table(json.loads(pathlib.Path(args.record).read_text())))


if __name__ == "__main__":
    main()
