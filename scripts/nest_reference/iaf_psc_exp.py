#!/usr/bin/env python3
"""NEST 3.10 reference traces of iaf_psc_exp for tests/nest_reference_exp.rs.

Each case is one iaf_psc_exp neuron driven by spike_generators (and/or I_e),
recorded every step by a multimeter (V_m, I_syn_ex, I_syn_in) and by a
spike_recorder. Writes into tests/data/iaf_psc_exp/:

- cases.json: every case's resolution, simulation time, neuron parameters
  (NEST's names; unlisted ones are NEST's defaults) and inputs, which the
  Rust test reads to build the same network in Spindle;
- <case>.csv: time_ms,V_m,I_syn_ex,I_syn_in, one row per step;
- <case>_spikes.csv: spike_time_ms.

Run with a Python that has NEST 3.10 (`import nest`), from anywhere:
    python scripts/nest_reference/iaf_psc_exp.py
"""

import json
import pathlib

import nest

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "iaf_psc_exp"


def train(start, step, count):
    """`count` spike times from `start` every `step` ms (on the grid)."""
    return [round(start + k * step, 6) for k in range(count)]


CASES = {
    # Excitatory and inhibitory spikes with different synaptic time
    # constants; the excitatory train makes it fire, inhibition interrupts.
    "h01_exc_inh": {
        "resolution": 0.1,
        "simtime": 100.0,
        "params": {"tau_syn_ex": 1.0, "tau_syn_in": 5.0},
        "inputs": [
            {"spike_times": train(5.0, 1.0, 56), "weight": 800.0, "delay": 1.0},
            {"spike_times": [20.0, 20.0, 35.5, 70.0], "weight": -800.0, "delay": 1.0},
        ],
    },
    # h = 0.125 ms, E_L != 0, V_reset != E_L, V_m starting above E_L, I_e.
    "h0125_exc_inh": {
        "resolution": 0.125,
        "simtime": 100.0,
        "params": {
            "C_m": 200.0,
            "tau_m": 20.0,
            "tau_syn_ex": 3.0,
            "tau_syn_in": 0.75,
            "t_ref": 1.5,
            "E_L": -65.0,
            "V_reset": -68.0,
            "V_th": -50.0,
            "V_m": -60.0,
            "I_e": 100.0,
        },
        "inputs": [
            {"spike_times": train(2.5, 0.625, 120), "weight": 150.0, "delay": 1.0},
            {"spike_times": [10.0, 25.125, 25.125, 40.0], "weight": -600.0, "delay": 1.0},
        ],
    },
    # tau_m == tau_syn_ex == tau_syn_in: the singular propagator.
    "h01_tau_m_eq_tau_syn": {
        "resolution": 0.1,
        "simtime": 80.0,
        "params": {"tau_m": 5.0, "tau_syn_ex": 5.0, "tau_syn_in": 5.0},
        "inputs": [
            {"spike_times": train(3.0, 2.0, 24), "weight": 900.0, "delay": 1.0},
            {"spike_times": [30.0], "weight": -2000.0, "delay": 1.0},
        ],
    },
    # tau_m == tau_syn_ex (singular) and tau_syn_in a hair off it (the
    # regular form, close to cancelling), at h = 0.125 ms.
    "h0125_tau_m_eq_tau_syn_ex": {
        "resolution": 0.125,
        "simtime": 80.0,
        "params": {"tau_m": 4.0, "tau_syn_ex": 4.0, "tau_syn_in": 4.000001, "t_ref": 3.0},
        "inputs": [
            {"spike_times": train(3.0, 1.5, 30), "weight": 1200.0, "delay": 1.0},
            {"spike_times": [20.0, 45.0, 45.125], "weight": -1500.0, "delay": 2.0},
        ],
    },
    # Constant current: regular firing, 2 ms refractory periods.
    "h01_dc_Ie600": {
        "resolution": 0.1,
        "simtime": 200.0,
        "params": {"I_e": 600.0},
        "inputs": [],
    },
    # Constant current at h = 0.125 ms with t_ref = 1.3 ms, not a multiple
    # of h: NEST rounds it up to 11 steps.
    "h0125_dc_Ie450_tref1.3": {
        "resolution": 0.125,
        "simtime": 150.0,
        "params": {"I_e": 450.0, "t_ref": 1.3, "E_L": -60.0, "V_reset": -62.0, "V_th": -48.0, "V_m": -55.0},
        "inputs": [],
    },
}


# Time simulated past a case's end so that the multimeter receives every
# sample up to it (more than the longest delay, hence the slice).
EXTRA_MS = 5.0


def run(case):
    nest.ResetKernel()
    nest.set(resolution=case["resolution"], print_time=False)
    neuron = nest.Create("iaf_psc_exp", params=case["params"])
    for inp in case["inputs"]:
        sg = nest.Create("spike_generator", params={"spike_times": inp["spike_times"]})
        nest.Connect(sg, neuron, syn_spec={"weight": inp["weight"], "delay": inp["delay"]})
    mm = nest.Create(
        "multimeter",
        params={"interval": case["resolution"], "record_from": ["V_m", "I_syn_ex", "I_syn_in"]},
    )
    nest.Connect(mm, neuron)
    sr = nest.Create("spike_recorder")
    nest.Connect(neuron, sr)
    # NEST hands a multimeter the samples of a slice only in the next one:
    # run on past the end, then keep what lies within the simulated time.
    end = case["simtime"]
    nest.Simulate(end + EXTRA_MS)
    ev = mm.get("events")
    rows = sorted(zip(ev["times"], ev["V_m"], ev["I_syn_ex"], ev["I_syn_in"]))
    rows = [r for r in rows if r[0] <= end + 1e-9]
    spikes = sorted(t for t in sr.get("events")["times"] if t <= end + 1e-9)
    steps = round(end / case["resolution"])
    assert len(rows) == steps, (len(rows), steps)
    return rows, spikes


def main():
    assert nest.__version__.startswith("3.10"), nest.__version__
    OUT.mkdir(parents=True, exist_ok=True)
    for name, case in CASES.items():
        rows, spikes = run(case)
        with open(OUT / f"{name}.csv", "w") as f:
            f.write("time_ms,V_m,I_syn_ex,I_syn_in\n")
            for row in rows:
                f.write(",".join(repr(float(x)) for x in row) + "\n")
        with open(OUT / f"{name}_spikes.csv", "w") as f:
            f.write("spike_time_ms\n")
            for t in spikes:
                f.write(repr(float(t)) + "\n")
        print(f"{name}: {len(rows)} samples, {len(spikes)} spikes")
    meta = {"nest_version": nest.__version__, "model": "iaf_psc_exp", "cases": CASES}
    with open(OUT / "cases.json", "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
