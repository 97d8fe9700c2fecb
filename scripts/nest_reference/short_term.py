"""NEST 3.10's short-term plasticity synapses on a fixed spike train, for
``tests/python/test_short_term.py``: a spike generator drives two
parrots, each of which reaches two ``iaf_psc_exp`` neurons through
``tsodyks2_synapse`` (depressing and facilitating parameters) or
``tsodyks_synapse``; a ``weight_recorder`` takes every weight sent and a
multimeter the targets' ``V_m``.

``python short_term.py nest | tail -1 > tests/data/short_term/nest.json``
(``spindle`` runs the same on spindle.nest).
"""

import json
import sys

CASES = {
    "tsodyks2_depressing": ("tsodyks2_synapse", {"U": 0.5, "tau_rec": 300.0, "tau_fac": 0.0, "weight": 250.0}),
    "tsodyks2_facilitating": ("tsodyks2_synapse", {"U": 0.1, "u": 0.1, "tau_rec": 100.0, "tau_fac": 800.0,
                                                   "weight": 250.0}),
    "tsodyks": ("tsodyks_synapse", {"U": 0.4, "tau_psc": 3.0, "tau_rec": 400.0, "tau_fac": 50.0,
                                    "weight": 500.0}),
}
SPIKES = [10.0, 30.0, 35.0, 40.0, 45.0, 50.0, 60.0, 100.0, 101.0, 102.0, 103.0, 250.0, 251.5, 400.0]


def run(nest, model, params, threads):
    nest.ResetKernel()
    nest.local_num_threads = threads
    wr = nest.Create("weight_recorder")
    nest.CopyModel(model, "recorded", {"weight_recorder": wr})
    sg = nest.Create("spike_generator", params={"spike_times": SPIKES})
    parrots = nest.Create("parrot_neuron", 2)
    targets = nest.Create("iaf_psc_exp", 2)
    mm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 0.5})
    nest.Connect(sg, parrots)
    nest.Connect(parrots, targets, "all_to_all", syn_spec=dict(params, synapse_model="recorded"))
    nest.Connect(mm, targets)
    nest.Simulate(450.0)
    ev = wr.events
    order = sorted(range(len(ev["times"])), key=lambda i: (ev["times"][i], ev["senders"][i], ev["targets"][i]))
    mev = mm.events
    return {
        "weights": [[float(ev["times"][i]), int(ev["senders"][i]), int(ev["targets"][i]), float(ev["weights"][i])]
                    for i in order],
        "V_m": [[float(t), int(s), float(v)] for t, s, v in zip(mev["times"], mev["senders"], mev["V_m"])],
    }


def reference(nest):
    return {name: run(nest, model, params, 1) for name, (model, params) in CASES.items()}


if __name__ == "__main__":
    if sys.argv[1] == "nest":
        import nest
    else:
        import spindle.nest as nest
    print(json.dumps(reference(nest)))
