#!/usr/bin/env python3
"""NEST 3.10 reference of step_current_generator and ac_generator, for
tests/python/test_current_generators.py.

Each case drives neurons with current generators (windows, weights,
delays, off-grid change times, new times set between runs, an
ac_generator over two runs, which NEST restarts at each Simulate, and
three Runs under one RunManager, where it goes on) and records
V_m every step and the spikes. ``run(nest)`` takes the module, so the test
runs the very same scenario on spindle.nest.

    python scripts/nest_reference/current_generators.py   # with NEST 3.10
writes tests/data/current_generators/nest.json.
"""

import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "current_generators"

CASES = {
    "h01_alpha_step_ac": {
        "resolution": 0.1,
        "model": "iaf_psc_alpha",
        "runs": [50.0, 50.0],
        "step": {"amplitude_times": [10.0, 30.5, 60.0], "amplitude_values": [300.0, -100.0, 500.0],
                 "start": 5.0, "stop": 80.0},
        "step_link": {"weight": 1.5, "delay": 2.0},
        "ac": {"amplitude": 200.0, "offset": 150.0, "frequency": 25.0, "phase": 45.0, "stop": 90.0},
        "ac_link": {"weight": 1.0, "delay": 1.0},
        "between": {},
    },
    "h0125_exp_offgrid_reset": {
        "resolution": 0.125,
        "model": "iaf_psc_exp",
        "runs": [40.0, 60.0],
        "step": {"amplitude_times": [5.05, 20.3], "amplitude_values": [450.0, 120.0],
                 "allow_offgrid_times": True},
        "step_link": {"weight": 1.0, "delay": 1.0},
        "ac": {"amplitude": 80.0, "offset": 0.0, "frequency": 70.0, "phase": -30.0, "start": 10.0},
        "ac_link": {"weight": 2.0, "delay": 0.5},
        # New times after the first run: the one in the past (30) is
        # skipped by NEST, keeping 120 pA until 55.
        "between": {"amplitude_times": [30.0, 55.0, 80.0], "amplitude_values": [-50.0, 600.0, 0.0]},
    },
    # Three Runs under one RunManager (one Prepare): the ac_generator's
    # rotation goes on between them rather than restarting.
    "h01_alpha_run_manager": {
        "resolution": 0.1,
        "model": "iaf_psc_alpha",
        "runs": [30.0, 30.0, 40.0],
        "run_manager": True,
        "step": {"amplitude_times": [20.0], "amplitude_values": [100.0]},
        "step_link": {"weight": 1.0, "delay": 0.1},
        "ac": {"amplitude": 300.0, "offset": 200.0, "frequency": 40.0, "phase": 10.0},
        "ac_link": {"weight": 1.0, "delay": 0.1},
        "between": {},
    },
}


def run(nest, case):
    nest.ResetKernel()
    nest.resolution = case["resolution"]
    n = nest.Create(case["model"])
    step = nest.Create("step_current_generator", params=case["step"])
    ac = nest.Create("ac_generator", params=case["ac"])
    nest.Connect(step, n, syn_spec=case["step_link"])
    nest.Connect(ac, n, syn_spec=case["ac_link"])
    mm = nest.Create("multimeter", params={"interval": case["resolution"], "record_from": ["V_m"]})
    sr = nest.Create("spike_recorder")
    nest.Connect(mm, n)
    nest.Connect(n, sr)
    if case.get("run_manager"):
        with nest.RunManager():
            for t in case["runs"]:
                nest.Run(t)
    else:
        for i, t in enumerate(case["runs"]):
            if i == 1 and case["between"]:
                step.set(case["between"])
            nest.Simulate(t)
    ev = mm.get("events")
    return {
        "times": [float(x) for x in ev["times"]],
        "V_m": [float(x) for x in ev["V_m"]],
        "spikes": [float(x) for x in sr.get("events")["times"]],
        "step_params": {k: (list(map(float, v)) if hasattr(v, "__len__") else v)
                        for k, v in step.get(["amplitude_times", "amplitude_values"]).items()},
    }


def main():
    import nest

    OUT.mkdir(parents=True, exist_ok=True)
    data = {"nest_version": nest.__version__, "cases": CASES,
            "results": {name: run(nest, case) for name, case in CASES.items()}}
    (OUT / "nest.json").write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT / 'nest.json'}")


if __name__ == "__main__":
    main()
