#!/usr/bin/env python3
"""NEST 3.10 reference traces of ``aeif_cond_beta_multisynapse`` for
``tests/python/test_aeif_cond_beta_multisynapse.py``.

Cases (each a few neurons with several receptor ports, driven by
spike_generators on chosen receptor types, recorded by a multimeter
every millisecond: ``V_m``, ``w`` and each port's ``g_k``, and by a
spike_recorder; resolution 0.1 ms):

- ``example``: the neuron, input and weights of NEST's example
  ``aeif_cond_beta_multisynapse.py`` (4 ports, one spike at 10 ms
  reaching port k after 1, 300, 500, 700 ms);
- ``train``: trains on three ports (excitatory, slow excitatory,
  inhibitory) drive two neurons to fire, with adaptation, refractoriness
  and several spikes in one step, and a third one (another ``I_e``);
- ``dc_alpha``: a dc_generator switched on and off, ports whose rise and
  decay times are equal (NEST's alpha-function normalisation), no
  refractoriness;
- ``delta_t_zero``: ``Delta_T`` 0 (spikes at ``V_th``), ``V_m`` and
  ``w`` set at ``Create``, a second run after ``w`` is set.

Also the voltmeter trace of the example itself, run from the wheel's
folder with only ``import nest`` changed (``examples_part2.run``).

``python aeif_cond_beta_multisynapse.py nest EXAMPLES | tail -1 > tests/data/aeif_cond_beta_multisynapse/nest.json``
(EXAMPLES: the wheel's ``nest/doc/examples/pynest``; ``spindle`` runs the
same on spindle.nest).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import examples_part2  # noqa: E402

MODEL = "aeif_cond_beta_multisynapse"
SCRIPT = "aeif_cond_beta_multisynapse.py"


def train(start, step, count):
    """`count` spike times from `start` every `step` ms (on the grid)."""
    return [round(start + k * step, 6) for k in range(count)]


def spikes(times, weight, receptor, delay=1.0):
    return {"spike_times": times, "weight": weight, "delay": delay, "receptor_type": receptor}


EXAMPLE = {
    "V_peak": 0.0,
    "a": 4.0,
    "b": 80.5,
    "E_rev": [0.0, 0.0, 0.0, -85.0],
    "tau_decay": [50.0, 20.0, 20.0, 20.0],
    "tau_rise": [10.0, 10.0, 1.0, 1.0],
}

# Per case: the neurons' parameters (one dict per neuron), the inputs
# (each onto every neuron), a DC input (amplitude, start, stop) or None,
# the runs' lengths, and what `set` changes between runs.
CASES = {
    "example": {
        "neurons": [EXAMPLE],
        "inputs": [spikes([10.0], 1.0, 1 + k, d) for k, d in enumerate([1.0, 300.0, 500.0, 700.0])],
        "dc": None,
        "runs": [1000.0],
        "between": {},
    },
    "train": {
        "neurons": [
            {"E_rev": [0.0, 0.0, -85.0], "tau_rise": [0.5, 3.0, 1.0], "tau_decay": [3.0, 15.0, 8.0],
             "t_ref": 2.0, "a": 6.0, "b": 60.0, "tau_w": 100.0},
            {"E_rev": [0.0, 0.0, -85.0], "tau_rise": [0.5, 3.0, 1.0], "tau_decay": [3.0, 15.0, 8.0],
             "t_ref": 2.0, "a": 6.0, "b": 60.0, "tau_w": 100.0, "I_e": 150.0},
            {"E_rev": [0.0, 0.0, -85.0], "tau_rise": [0.5, 3.0, 1.0], "tau_decay": [3.0, 15.0, 8.0],
             "t_ref": 0.55, "V_peak": -20.0, "I_e": -100.0},
        ],
        "inputs": [
            spikes(train(5.0, 0.7, 300), 12.0, 1),
            spikes([30.0, 30.0, 30.0, 90.0, 150.5], 20.0, 2, 2.0),
            spikes(train(60.0, 3.1, 40), 15.0, 3, 1.5),
        ],
        "dc": None,
        "runs": [300.0],
        "between": {},
    },
    "dc_alpha": {
        "neurons": [
            {"E_rev": [0.0, -80.0], "tau_rise": [2.0, 5.0], "tau_decay": [2.0, 5.0], "a": 2.0, "b": 40.0},
            {"E_rev": [0.0, -80.0], "tau_rise": [2.0, 1.0], "tau_decay": [2.0, 5.0], "Delta_T": 1.0,
             "V_peak": -20.0},
        ],
        "inputs": [spikes(train(20.0, 5.0, 30), 5.0, 1), spikes(train(22.0, 10.0, 15), 10.0, 2)],
        "dc": (900.0, 50.0, 150.0),
        "runs": [250.0],
        "between": {},
    },
    "delta_t_zero": {
        "neurons": [
            {"E_rev": [0.0, -85.0], "tau_rise": [1.0, 2.0], "tau_decay": [5.0, 10.0], "Delta_T": 0.0,
             "V_peak": -45.0, "V_th": -50.0, "t_ref": 1.0, "V_m": -60.0, "w": 20.0, "I_e": 400.0},
        ],
        "inputs": [spikes(train(10.0, 4.0, 20), 8.0, 1), spikes([40.0, 40.0, 80.0], 30.0, 2)],
        "dc": None,
        "runs": [100.0, 100.0],
        "between": {"w": -50.0, "V_m": -52.0},
    },
}


def run(nest, case, threads=1):
    """Simulate `case` on `nest` (NEST or spindle.nest): the multimeter's
    rows (time, sender, V_m, w, g_1, ...) in time and sender order, each
    neuron's padded to the most ports, and the spikes (time, sender)."""
    nest.ResetKernel()
    nest.local_num_threads = threads
    nest.resolution = 0.1
    neurons = None
    for params in case["neurons"]:
        n = nest.Create(MODEL, params=params)
        neurons = n if neurons is None else neurons + n
    for spec in case["inputs"]:
        sg = nest.Create("spike_generator", params={"spike_times": spec["spike_times"]})
        nest.Connect(sg, neurons, "all_to_all", {"weight": spec["weight"], "delay": spec["delay"],
                                                 "receptor_type": spec["receptor_type"]})
    if case["dc"] is not None:
        amplitude, start, stop = case["dc"]
        dc = nest.Create("dc_generator", params={"amplitude": amplitude, "start": start, "stop": stop})
        nest.Connect(dc, neurons)
    ports = max(len(p.get("E_rev", [0.0])) for p in case["neurons"])
    record = ["V_m", "w"] + [f"g_{k + 1}" for k in range(ports)]
    mm = nest.Create("multimeter", params={"record_from": record, "interval": 1.0})
    nest.Connect(mm, neurons)
    sr = nest.Create("spike_recorder")
    nest.Connect(neurons, sr)
    for k, t in enumerate(case["runs"]):
        if k > 0 and case["between"]:
            neurons.set(case["between"])
        nest.Simulate(t)
    ev = mm.events
    order = sorted(range(len(ev["times"])), key=lambda i: (ev["times"][i], ev["senders"][i]))
    rows = [[float(ev["times"][i]), int(ev["senders"][i])] + [float(ev[r][i]) for r in record] for i in order]
    sp = sr.events
    spk = sorted(zip(map(float, sp["times"]), map(int, sp["senders"])))
    return {"rows": rows, "spikes": [list(s) for s in spk]}


def reference(nest, examples, python=sys.executable, spindle=False):
    out = {name: run(nest, case) for name, case in CASES.items()}
    out[SCRIPT] = examples_part2.run(python, examples, SCRIPT, spindle)[1]
    return out


if __name__ == "__main__":
    if sys.argv[1] == "nest":
        import nest
    else:
        import spindle.nest as nest
    print(json.dumps(reference(nest, sys.argv[2], spindle=sys.argv[1] != "nest")))
