"""spike_generator's options against NEST 3.10: spike_weights,
spike_multiplicities, allow_offgrid_times, precise_times (read by a
grid-based neuron), shift_now_spikes, origin/start/stop. Each case drives
an iaf_psc_alpha (V_m every step) and a spike_recorder through a
parrot_neuron. ``python spike_generator.py nest >
tests/data/spike_generator/nest.json`` with the NEST wheel;
``python spike_generator.py spindle`` gives the same JSON on spindle.nest.
"""

import json
import sys

if sys.argv[1:] == ["nest"]:
    import nest
else:
    import spindle.nest as nest

CASES = {
    "weights": {"spike_times": [1.0, 2.0, 4.0], "spike_weights": [1.5, -2.0, 0.25]},
    "multiplicities": {"spike_times": [1.0, 2.0, 4.0], "spike_multiplicities": [1, 3, 2]},
    "both": {"spike_times": [1.0, 3.0], "spike_weights": [0.5, 2.0],
             "spike_multiplicities": [3, 2]},
    "offgrid": {"spike_times": [1.03, 2.0, 2.05, 4.96], "allow_offgrid_times": True},
    "precise": {"spike_times": [1.03, 2.0, 2.05, 4.96], "precise_times": True},
    "window": {"spike_times": [1.0, 2.0, 3.0, 4.0, 5.0], "origin": 1.0, "start": 1.0, "stop": 3.0},
    "shift_now": {"spike_times": [0.0, 1.0], "shift_now_spikes": True},
}


def scenario(params):
    nest.ResetKernel()
    sg = nest.Create("spike_generator", params=params)
    n = nest.Create("iaf_psc_alpha")
    p = nest.Create("parrot_neuron")
    sr = nest.Create("spike_recorder")
    vm = nest.Create("voltmeter", params={"interval": 0.1})
    nest.Connect(sg, n, syn_spec={"weight": 100.0, "delay": 1.0})
    nest.Connect(sg, p, syn_spec={"delay": 1.0})
    nest.Connect(p, sr)
    nest.Connect(vm, n)
    nest.Simulate(12.0)
    ev = sr.get("events")
    return {"parrot_times": [float(t) for t in ev["times"]],
            "V_m": [float(v) for v in vm.get("events")["V_m"]]}


def errors():
    """NEST's error class for each refused setting."""
    bad = {
        "weights_length": {"spike_times": [1.0, 2.0], "spike_weights": [1.0]},
        "multiplicities_length": {"spike_times": [1.0, 2.0], "spike_multiplicities": [1]},
        "precise_and_offgrid": {"precise_times": True, "allow_offgrid_times": True,
                                "spike_times": [1.0]},
        "offgrid_refused": {"spike_times": [1.03]},
        "zero_time": {"spike_times": [0.0]},
        "unsorted": {"spike_times": [2.0, 1.0]},
    }
    out = {}
    for name, params in bad.items():
        nest.ResetKernel()
        try:
            nest.Create("spike_generator", params=params)
            out[name] = None
        except Exception as e:  # noqa: BLE001 (the class is the datum)
            out[name] = type(e).__name__
    return out


if __name__ == "__main__":
    print(json.dumps({"cases": {k: scenario(v) for k, v in CASES.items()}, "errors": errors()}))
