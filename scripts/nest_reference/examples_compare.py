"""NEST's band beside Spindle's for every figure of the example scripts:
two tables of ``examples_table.py`` in, a Markdown table out (timings
left out).

    python3 scripts/nest_reference/examples_compare.py \
        results/2026-11-30-nest-examples/nest.json results/2026-11-30-nest-examples/spindle.json
"""

import json
import sys

TIMINGS = {"t_build_s", "t_sim_s", "wall_s"}


def bands(path):
    out = {}
    for run in json.load(open(path))["runs"].values():
        if run["seed"] is None:
            continue
        figures = out.setdefault(run["script"], {})
        for key, v in run["figures"].items():
            if key in TIMINGS or isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
                continue
            figures.setdefault(key, []).append(v)
    return out


def show(values):
    lo, hi = min(values), max(values)
    return f"{lo:g}" if lo == hi else f"{lo:g} – {hi:g}"


def main():
    nest, spindle = bands(sys.argv[1]), bands(sys.argv[2])
    print("| script | figure | NEST 3.10 (seeds) | spindle.nest (seeds) |")
    print("|---|---|---|---|")
    for script in nest:
        for key, values in nest[script].items():
            mine = spindle.get(script, {}).get(key)
            if mine is None:
                continue
            print(f"| {script} | {key} | {show(values)} ({len(values)}) | {show(mine)} ({len(mine)}) |")


if __name__ == "__main__":
    main()
