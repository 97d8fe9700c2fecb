#!/usr/bin/env python3
"""NEST 3.10 reference traces of iaf_psc_exp_multisynapse and
iaf_psc_alpha_multisynapse for tests/nest_reference_multisynapse.rs.

Each case is one neuron with several receptor ports (``tau_syn`` a list),
driven by spike_generators on chosen receptor types (excitatory and
inhibitory weights, several spikes in one step), and in some cases by
another neuron through a connection on a receptor type and by a
dc_generator (receptor 0), recorded every step by a multimeter (V_m,
I_syn and each port's I_syn_k) and by a spike_recorder. Writes into
tests/data/multisynapse/:

- cases.json: every case's model, resolution, simulation time, neuron
  parameters (NEST's names; unlisted ones are NEST's defaults) and inputs,
  which the Rust test reads to build the same network in Spindle;
- <case>.csv: time_ms,V_m,I_syn,I_syn_1,...; one row per step;
- <case>_spikes.csv: spike_time_ms.

Run with a Python that has NEST 3.10 (`import nest`), from anywhere:
    python scripts/nest_reference/multisynapse_traces.py
"""

import json
import pathlib

import nest

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "multisynapse"


def train(start, step, count):
    """`count` spike times from `start` every `step` ms (on the grid)."""
    return [round(start + k * step, 6) for k in range(count)]


def spikes(times, weight, receptor, delay=1.0):
    return {"spike_times": times, "weight": weight, "delay": delay, "receptor_type": receptor}


CASES = {
    # Four ports with their own time constants: an excitatory train on
    # port 1 makes it fire, inhibition arrives on port 2, a slow
    # excitatory port 3 (two spikes in one step), port 4 stays silent.
    "exp_h01_ports": {
        "model": "iaf_psc_exp_multisynapse",
        "resolution": 0.1,
        "simtime": 120.0,
        "params": {"tau_syn": [0.5, 2.0, 5.0, 1.0], "I_e": 50.0},
        "inputs": [
            spikes(train(5.0, 0.5, 150), 700.0, 1),
            spikes([20.0, 20.0, 35.5, 70.0, 90.3], -900.0, 2, 2.0),
            spikes([10.0, 10.0, 40.0, 60.0, 60.1], 400.0, 3, 1.5),
        ],
    },
    # h = 0.125 ms, E_L != 0, V_reset != E_L, V_m above E_L, t_ref 1.3 ms
    # (not a multiple of h), I_e; inhibition and excitation on one port.
    "exp_h0125_ports": {
        "model": "iaf_psc_exp_multisynapse",
        "resolution": 0.125,
        "simtime": 100.0,
        "params": {
            "C_m": 200.0,
            "tau_m": 20.0,
            "tau_syn": [3.0, 0.75, 10.0],
            "t_ref": 1.3,
            "E_L": -65.0,
            "V_reset": -68.0,
            "V_th": -50.0,
            "V_m": -60.0,
            "I_e": 100.0,
        },
        "inputs": [
            spikes(train(2.5, 0.625, 120), 150.0, 1),
            spikes([10.0, 25.125, 25.125, 40.0], -600.0, 2),
            spikes([50.0, 50.0, 50.0, 75.0], 500.0, 3, 2.0),
            spikes([60.0, 80.0], -300.0, 3, 2.0),
        ],
    },
    # A neuron's spikes on port 2 (a connection with a receptor type), a
    # current from a dc_generator (receptor 0) for part of the run.
    "exp_h01_neuron_dc": {
        "model": "iaf_psc_exp_multisynapse",
        "resolution": 0.1,
        "simtime": 150.0,
        "params": {"tau_syn": [1.0, 4.0]},
        "inputs": [
            {"source": "iaf_psc_alpha", "source_params": {"I_e": 600.0}, "weight": 900.0,
             "delay": 1.5, "receptor_type": 2},
            spikes(train(100.0, 2.0, 20), -500.0, 1),
            {"dc": 300.0, "start": 20.0, "stop": 60.0, "weight": 1.0, "delay": 1.0},
        ],
    },
    "alpha_h01_ports": {
        "model": "iaf_psc_alpha_multisynapse",
        "resolution": 0.1,
        "simtime": 120.0,
        "params": {"tau_syn": [0.5, 2.0, 5.0, 1.0], "I_e": 50.0},
        "inputs": [
            spikes(train(5.0, 0.5, 150), 300.0, 1),
            spikes([20.0, 20.0, 35.5, 70.0, 90.3], -500.0, 2, 2.0),
            spikes([10.0, 10.0, 40.0, 60.0, 60.1], 200.0, 3, 1.5),
        ],
    },
    # h = 0.125 ms, strong inhibition against V_min, a port whose time
    # constant equals tau_m (the singular propagators).
    "alpha_h0125_vmin_singular": {
        "model": "iaf_psc_alpha_multisynapse",
        "resolution": 0.125,
        "simtime": 100.0,
        "params": {
            "C_m": 200.0,
            "tau_m": 20.0,
            "tau_syn": [20.0, 0.75, 3.0],
            "t_ref": 1.3,
            "E_L": -65.0,
            "V_reset": -68.0,
            "V_th": -50.0,
            "V_min": -72.0,
            "V_m": -60.0,
            "I_e": 100.0,
        },
        "inputs": [
            spikes(train(2.5, 0.625, 120), 60.0, 1),
            spikes([10.0, 25.125, 25.125, 40.0], -2500.0, 2),
            spikes([50.0, 50.0, 75.0], 300.0, 3, 2.0),
        ],
    },
    "alpha_h01_neuron_dc": {
        "model": "iaf_psc_alpha_multisynapse",
        "resolution": 0.1,
        "simtime": 150.0,
        "params": {"tau_syn": [1.0, 4.0], "t_ref": 3.0},
        "inputs": [
            {"source": "iaf_psc_alpha", "source_params": {"I_e": 600.0}, "weight": 400.0,
             "delay": 1.5, "receptor_type": 2},
            spikes(train(100.0, 2.0, 20), -300.0, 1),
            {"dc": 300.0, "start": 20.0, "stop": 60.0, "weight": 1.0, "delay": 1.0},
        ],
    },
}


# Time simulated past a case's end so that the multimeter receives every
# sample up to it (more than the longest delay, hence the slice).
EXTRA_MS = 5.0


def recordables(case):
    n = len(case["params"]["tau_syn"])
    return ["V_m", "I_syn"] + [f"I_syn_{k + 1}" for k in range(n)]


def run(case):
    nest.ResetKernel()
    nest.set(resolution=case["resolution"], print_time=False)
    neuron = nest.Create(case["model"], params=case["params"])
    for inp in case["inputs"]:
        if "spike_times" in inp:
            sg = nest.Create("spike_generator", params={"spike_times": inp["spike_times"]})
            syn = {k: inp[k] for k in ("weight", "delay", "receptor_type")}
            nest.Connect(sg, neuron, syn_spec=syn)
        elif "source" in inp:
            src = nest.Create(inp["source"], params=inp["source_params"])
            syn = {k: inp[k] for k in ("weight", "delay", "receptor_type")}
            nest.Connect(src, neuron, syn_spec=syn)
        else:
            dc = nest.Create("dc_generator", params={"amplitude": inp["dc"], "start": inp["start"],
                                                     "stop": inp["stop"]})
            nest.Connect(dc, neuron, syn_spec={"weight": inp["weight"], "delay": inp["delay"]})
    names = recordables(case)
    mm = nest.Create("multimeter", params={"interval": case["resolution"], "record_from": names})
    nest.Connect(mm, neuron)
    sr = nest.Create("spike_recorder")
    nest.Connect(neuron, sr)
    # NEST hands a multimeter the samples of a slice only in the next one:
    # run on past the end, then keep what lies within the simulated time.
    end = case["simtime"]
    nest.Simulate(end + EXTRA_MS)
    ev = mm.get("events")
    rows = sorted(zip(ev["times"], *(ev[n] for n in names)))
    rows = [r for r in rows if r[0] <= end + 1e-9]
    spike_times = sorted(t for t in sr.get("events")["times"] if t <= end + 1e-9)
    steps = round(end / case["resolution"])
    assert len(rows) == steps, (len(rows), steps)
    return names, rows, spike_times


def main():
    assert nest.__version__.startswith("3.10"), nest.__version__
    OUT.mkdir(parents=True, exist_ok=True)
    for name, case in CASES.items():
        names, rows, spike_times = run(case)
        with open(OUT / f"{name}.csv", "w") as f:
            f.write(",".join(["time_ms"] + names) + "\n")
            for row in rows:
                f.write(",".join(repr(float(x)) for x in row) + "\n")
        with open(OUT / f"{name}_spikes.csv", "w") as f:
            f.write("spike_time_ms\n")
            for t in spike_times:
                f.write(repr(float(t)) + "\n")
        print(f"{name}: {len(rows)} samples, {len(spike_times)} spikes")
    meta = {"nest_version": nest.__version__, "cases": CASES}
    with open(OUT / "cases.json", "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
