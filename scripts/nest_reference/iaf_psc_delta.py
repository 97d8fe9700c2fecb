#!/usr/bin/env python3
"""NEST 3.10 reference traces of `iaf_psc_delta` for tests/nest_reference_delta.rs.

Each case is one neuron driven by spike generators (static synapses, delay
1 ms) and/or `I_e`, recorded every step by a multimeter (V_m) and a spike
recorder, at resolutions 0.1 and 0.125 ms. Writes, per case and resolution,
into tests/data/iaf_psc_delta/:

    <case>_h<res>.csv         time_ms,V_m (every step, repr() of the doubles)
    <case>_h<res>_spikes.csv  spike_time_ms

The cases (parameters and inputs) are listed in CASES below; the Rust test
repeats them. Run from the repository root with a Python that has NEST 3.10:

    /tmp/venv-nest/bin/python scripts/nest_reference/iaf_psc_delta.py
"""

import os
import sys

import nest

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "iaf_psc_delta")
DELAY = 1.0

# name: (neuron parameters, [(spike times in ms, weight in mV)], simtime in ms)
CASES = {
    # Excitatory PSPs summing to threshold: three 6 mV jumps 0.5 ms apart,
    # a single one, then two arriving in the same step (two generators).
    "exc": (
        {},
        [([5.0, 5.5, 6.0, 20.0], 6.0), ([30.0, 40.0, 40.5, 41.0], 5.5), ([30.0], 4.0)],
        60.0,
    ),
    # Inhibitory PSPs, alone and in the same step as excitatory ones.
    "inh": (
        {"E_L": -65.0, "V_m": -60.0, "tau_m": 15.0},
        [([5.0, 10.0, 10.5, 30.0], -3.5), ([10.0, 30.0, 35.0], 2.25)],
        60.0,
    ),
    # Constant current above rheobase: regular firing, refractory clamping at
    # V_reset; t_ref not a multiple of 0.125 ms (NEST rounds it up: 19 steps).
    "dc": (
        {"I_e": 420.0, "C_m": 200.0, "t_ref": 2.3, "V_reset": -68.0, "V_m": -75.0},
        [],
        100.0,
    ),
    # A strong input makes the neuron fire at 11 ms (arrival); input during
    # the refractory period (arriving 11.5 to 13 ms, excitatory and
    # inhibitory, some in one step) is dropped ...
    "refr_input_false": (
        {"I_e": 300.0, "refractory_input": False},
        [([10.0], 20.0), ([10.5, 11.0, 11.5, 12.0], 4.0), ([11.0, 11.5], -1.5), ([25.0], 20.0)],
        50.0,
    ),
    # ... or, with refractory_input, added after it, discounted.
    "refr_input_true": (
        {"I_e": 300.0, "refractory_input": True},
        [([10.0], 20.0), ([10.5, 11.0, 11.5, 12.0], 4.0), ([11.0, 11.5], -1.5), ([25.0], 20.0)],
        50.0,
    ),
    # Four inputs of both signs in one step: NEST adds them in arrival order,
    # Spindle adds the excitatory and the inhibitory ones apart, then the
    # two sums, so V_m may differ in the last bits (within 1e-9).
    "mixed_same_step": (
        {},
        [([5.0, 10.0, 15.0, 20.0, 25.0], w) for w in (0.1, -0.3, 0.7, -0.45)],
        40.0,
    ),
    # Inhibition and a negative current drive V_m to V_min, where it stays.
    "v_min": (
        {"V_min": -74.5, "I_e": -50.0},
        [([2.0, 3.0, 4.0, 5.0, 6.0, 20.0], -3.0), ([25.0, 25.5, 26.0, 26.5], 6.0)],
        50.0,
    ),
}

RESOLUTIONS = {"0.1": 0.1, "0.125": 0.125}


def run(params, inputs, simtime, h):
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution = h
    n = nest.Create("iaf_psc_delta", params=params)
    for times, weight in inputs:
        sg = nest.Create("spike_generator", params={"spike_times": times})
        nest.Connect(sg, n, syn_spec={"weight": weight, "delay": DELAY})
    mm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": h})
    sr = nest.Create("spike_recorder")
    nest.Connect(mm, n)
    nest.Connect(n, sr)
    # NEST hands the multimeter the last min_delay of samples only in the
    # next slice: simulate on, and keep what lies within `simtime`.
    nest.Simulate(simtime + 2 * DELAY)
    ev = mm.get("events")
    trace = sorted(
        (float(t), float(v)) for t, v in zip(ev["times"], ev["V_m"]) if t <= simtime + 1e-9
    )
    spikes = sorted(float(t) for t in sr.get("events")["times"] if t <= simtime + 1e-9)
    return trace, spikes


def main():
    os.makedirs(OUT, exist_ok=True)
    print("NEST", nest.__version__, file=sys.stderr)
    for name, (params, inputs, simtime) in CASES.items():
        for tag, h in RESOLUTIONS.items():
            trace, spikes = run(params, inputs, simtime, h)
            stem = os.path.join(OUT, f"{name}_h{tag}")
            with open(stem + ".csv", "w") as f:
                f.write("time_ms,V_m\n")
                for t, v in trace:
                    f.write(f"{t!r},{v!r}\n")
            with open(stem + "_spikes.csv", "w") as f:
                f.write("spike_time_ms\n")
                for t in spikes:
                    f.write(f"{t!r}\n")
            print(f"{name} h={tag}: {len(trace)} samples, spikes {spikes}", file=sys.stderr)


if __name__ == "__main__":
    main()
