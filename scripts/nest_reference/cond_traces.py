#!/usr/bin/env python3
"""NEST 3.10 reference traces of the models NEST integrates with GSL's
adaptive rkf45 (iaf_cond_exp, iaf_cond_alpha, hh_psc_alpha, ...), for
tests/nest_reference_cond.rs.

Each case is one neuron driven by spike_generators (excitatory and
inhibitory weights, Poisson-like fixed trains drawn here with a fixed
seed, several spikes in one step), a dc_generator switched on and off and
I_e, recorded every step by a multimeter (the model's state variables) and
by a spike_recorder. Writes into tests/data/cond/:

- cases.json: every case's model, resolution, simulation time, neuron
  parameters (NEST's names; unlisted ones are NEST's defaults), inputs and
  recordables, which the Rust test reads to build the same network;
- <case>.csv: time_ms,<recordables>; one row per step;
- <case>_spikes.csv: spike_time_ms.

Run with a Python that has NEST 3.10 (`import nest`), from anywhere:
    python scripts/nest_reference/cond_traces.py
"""

import json
import pathlib
import random

import nest

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "cond"


def poisson(rate_hz, start, stop, h, seed):
    """Spike times of a Poisson train of `rate_hz` on the grid of `h`
    (several may share a step), fixed by `seed`."""
    rng = random.Random(seed)
    times, t = [], start
    while True:
        t += rng.expovariate(rate_hz / 1000.0)
        if t >= stop:
            return times
        times.append(round(max(h, round(t / h) * h), 6))


def spikes(times, weight, delay=1.0):
    return {"spike_times": times, "weight": weight, "delay": delay}


def dc(amplitude, start, stop):
    return {"dc": amplitude, "start": start, "stop": stop, "weight": 1.0, "delay": 1.0}


COND = ["V_m", "g_ex", "g_in"]
HH = ["V_m", "Act_m", "Inact_h", "Act_n"]
AEIF = ["V_m", "g_ex", "g_in", "w"]

CASES = {
    # Poisson excitation and inhibition drive it to fire; a current step
    # makes it fire regularly (refractoriness), then relaxation.
    "iaf_cond_exp_h01": {
        "model": "iaf_cond_exp",
        "resolution": 0.1,
        "simtime": 300.0,
        "params": {"I_e": 100.0},
        "record": COND,
        "inputs": [
            spikes(poisson(3000.0, 0.0, 200.0, 0.1, 1), 2.0),
            spikes(poisson(1000.0, 0.0, 200.0, 0.1, 2), -8.0, 1.5),
            spikes([50.0, 50.0, 50.0, 120.0], 15.0),
            dc(600.0, 210.0, 260.0),
        ],
    },
    # h = 0.125 ms, t_ref 1.3 ms (not a multiple of h), other reversal
    # potentials and time constants, V_m starting above E_L.
    "iaf_cond_exp_h0125": {
        "model": "iaf_cond_exp",
        "resolution": 0.125,
        "simtime": 200.0,
        "params": {"t_ref": 1.3, "E_L": -65.0, "V_reset": -68.0, "V_th": -52.0, "V_m": -60.0,
                   "C_m": 200.0, "g_L": 10.0, "tau_syn_ex": 1.5, "tau_syn_in": 6.0,
                   "E_in": -80.0, "I_e": 200.0},
        "record": COND,
        "inputs": [
            spikes(poisson(2000.0, 0.0, 180.0, 0.125, 3), 1.0),
            spikes(poisson(800.0, 0.0, 180.0, 0.125, 4), -0.5, 2.0),
        ],
    },
    "iaf_cond_alpha_h01": {
        "model": "iaf_cond_alpha",
        "resolution": 0.1,
        "simtime": 300.0,
        "params": {"I_e": 100.0},
        "record": COND + ["t_ref_remaining"],
        "inputs": [
            spikes(poisson(3000.0, 0.0, 200.0, 0.1, 5), 1.5),
            spikes(poisson(1000.0, 0.0, 200.0, 0.1, 6), -4.0, 1.5),
            spikes([50.0, 50.0, 120.0], 10.0),
            dc(600.0, 210.0, 260.0),
        ],
    },
    "hh_psc_alpha_h01": {
        "model": "hh_psc_alpha",
        "resolution": 0.1,
        "simtime": 300.0,
        "params": {"I_e": 200.0},
        "record": HH + ["I_syn_ex", "I_syn_in"],
        "inputs": [
            spikes(poisson(3000.0, 0.0, 200.0, 0.1, 7), 60.0),
            spikes(poisson(1000.0, 0.0, 200.0, 0.1, 8), -80.0, 1.5),
            dc(800.0, 210.0, 260.0),
        ],
    },
    # Adaptation: bursts of spikes whose intervals grow, V_peak detection
    # inside the step, t_ref 0 (NEST's default).
    "aeif_cond_alpha_h01": {
        "model": "aeif_cond_alpha",
        "resolution": 0.1,
        "simtime": 300.0,
        "params": {"I_e": 700.0},
        "record": AEIF,
        "inputs": [
            spikes(poisson(3000.0, 0.0, 200.0, 0.1, 9), 1.5),
            spikes(poisson(1000.0, 0.0, 200.0, 0.1, 10), -4.0, 1.5),
            dc(500.0, 210.0, 260.0),
        ],
    },
    # Delta_T 0 (threshold V_th, no exponential), h = 0.125 ms, t_ref.
    "aeif_cond_alpha_h0125_delta0": {
        "model": "aeif_cond_alpha",
        "resolution": 0.125,
        "simtime": 200.0,
        "params": {"Delta_T": 0.0, "t_ref": 2.0, "I_e": 800.0, "a": 2.0, "b": 40.0, "V_m": -60.0},
        "record": AEIF,
        "inputs": [
            spikes(poisson(2000.0, 0.0, 180.0, 0.125, 11), 2.0),
            spikes(poisson(800.0, 0.0, 180.0, 0.125, 12), -3.0, 2.0),
        ],
    },
    "aeif_cond_exp_h01": {
        "model": "aeif_cond_exp",
        "resolution": 0.1,
        "simtime": 300.0,
        "params": {"I_e": 700.0, "t_ref": 1.5, "tau_syn_ex": 1.0, "tau_syn_in": 5.0},
        "record": AEIF,
        "inputs": [
            spikes(poisson(3000.0, 0.0, 200.0, 0.1, 13), 1.0),
            spikes(poisson(1000.0, 0.0, 200.0, 0.1, 14), -1.0, 1.5),
            dc(500.0, 210.0, 260.0),
        ],
    },
    # The HH-COBA benchmark's neuron: Poisson conductance input, a current
    # step; spikes at a local maximum above V_T + 30 mV.
    "hh_cond_exp_traub_h01": {
        "model": "hh_cond_exp_traub",
        "resolution": 0.1,
        "simtime": 300.0,
        "params": {"I_e": 100.0, "V_m": -65.0},
        "record": ["V_m", "g_ex", "g_in"] + HH[1:],
        "inputs": [
            spikes(poisson(3000.0, 0.0, 200.0, 0.1, 15), 2.0),
            spikes(poisson(1000.0, 0.0, 200.0, 0.1, 16), -3.0, 1.5),
            dc(300.0, 210.0, 260.0),
        ],
    },
    # Adaptation and relative refractoriness, h = 0.125 ms.
    "iaf_cond_exp_sfa_rr_h0125": {
        "model": "iaf_cond_exp_sfa_rr",
        "resolution": 0.125,
        "simtime": 300.0,
        "params": {"I_e": 600.0, "t_ref": 1.0},
        "record": COND + ["g_sfa", "g_rr"],
        "inputs": [
            spikes(poisson(3000.0, 0.0, 200.0, 0.125, 17), 1.0),
            spikes(poisson(1000.0, 0.0, 200.0, 0.125, 18), -2.0, 1.5),
            dc(500.0, 210.0, 260.0),
        ],
    },
}

# Time simulated past a case's end so that the multimeter receives every
# sample up to it (more than the longest delay, hence the slice).
EXTRA_MS = 5.0


def run(case):
    nest.ResetKernel()
    nest.set(resolution=case["resolution"], print_time=False)
    neuron = nest.Create(case["model"], params=case["params"])
    for inp in case["inputs"]:
        if "spike_times" in inp:
            sg = nest.Create("spike_generator", params={"spike_times": inp["spike_times"]})
            nest.Connect(sg, neuron, syn_spec={"weight": inp["weight"], "delay": inp["delay"]})
        else:
            gen = nest.Create("dc_generator", params={"amplitude": inp["dc"], "start": inp["start"],
                                                      "stop": inp["stop"]})
            nest.Connect(gen, neuron, syn_spec={"weight": inp["weight"], "delay": inp["delay"]})
    names = case["record"]
    mm = nest.Create("multimeter", params={"interval": case["resolution"], "record_from": names})
    nest.Connect(mm, neuron)
    sr = nest.Create("spike_recorder")
    nest.Connect(neuron, sr)
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
