"""NEST's band (min, max over seeds) of every figure the example scripts
print or plot, from a table ``examples_table.py`` wrote, for
``tests/python/test_examples.py``:

    python3 scripts/nest_reference/examples_bands.py \
        results/2026-11-30-nest-examples/nest.json tests/data/examples/nest_bands.json

Timings are left out; so are figures that are not numbers.
"""

import json
import sys

TIMINGS = {"t_build_s", "t_sim_s", "wall_s"}


def main():
    source, target = sys.argv[1:3]
    with open(source) as f:
        runs = json.load(f)["runs"]
    bands = {}
    for run in runs.values():
        if run.get("status") != "ok":
            continue
        figures = bands.setdefault(run["script"], {})
        for key, value in run["figures"].items():
            if key in TIMINGS or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if value != value:  # NaN
                continue
            lo, hi = figures.get(key, (value, value))
            figures[key] = (min(lo, value), max(hi, value))
    with open(target, "w") as f:
        json.dump(bands, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
