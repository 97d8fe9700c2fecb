"""NEST 3.10's ``correlation_detector`` on fixed spike trains, for
``tests/python/test_correlation_detector.py``: two spike generators with
seeded uniform times on the grid (weights 1.5 and 0.5, one through a
parrot so the detector also hears a neuron), bins of 0.5 and 2 ms,
``Tstart``/``Tstop`` and a ``start``/``stop`` window, and a second run after
a reset with ``n_events = [0, 0]``.

``python correlation_detector.py nest | tail -1 > tests/data/correlation_detector/nest.json``
(``spindle`` runs the same on spindle.nest).
"""

import json
import sys

import numpy as np


def trains():
    rng = np.random.default_rng(7)
    a = np.unique(np.round(rng.uniform(1.0, 400.0, 300), 1))
    b = np.unique(np.round(np.concatenate([a[::3] + 1.0, rng.uniform(1.0, 400.0, 200)]), 1))
    return a.tolist(), b.tolist()


def run(nest, params, window=None):
    nest.ResetKernel()
    a, b = trains()
    det = nest.Create("correlation_detector", params=params)
    if window:
        det.set(window)
    g1 = nest.Create("spike_generator", params={"spike_times": a})
    g2 = nest.Create("spike_generator", params={"spike_times": b})
    parrot = nest.Create("parrot_neuron")
    nest.Connect(g1, det, syn_spec={"weight": 1.5, "receptor_type": 0})
    nest.Connect(g2, parrot)
    nest.Connect(parrot, det, syn_spec={"weight": 0.5, "receptor_type": 1})
    nest.Simulate(200.0)
    first = {k: np.asarray(det.get(k)).tolist() for k in ("n_events", "histogram", "count_histogram")}
    det.n_events = [0, 0]
    nest.Simulate(250.0)
    second = {k: np.asarray(det.get(k)).tolist() for k in ("n_events", "histogram", "count_histogram")}
    return {"first": first, "second": second}


CASES = {
    "default": ({}, None),
    "wide": ({"delta_tau": 2.0, "tau_max": 20.0}, None),
    "tstart": ({"delta_tau": 1.0, "tau_max": 10.0, "Tstart": 50.0, "Tstop": 300.0}, None),
    "window": ({"delta_tau": 0.5, "tau_max": 5.0}, {"start": 20.0, "stop": 350.0}),
}


def reference(nest):
    return {name: run(nest, p, w) for name, (p, w) in CASES.items()}


if __name__ == "__main__":
    if sys.argv[1] == "nest":
        import nest
    else:
        import spindle.nest as nest
    print(json.dumps(reference(nest)))
