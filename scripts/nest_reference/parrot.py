"""parrot_neuron's reference scenario: a spike_generator with repeated
times (multiplicities 1, 2, 3) onto two parrots through a negative weight
(ignored), the parrots onto an iaf_psc_alpha and a spike_recorder. Run
with NEST 3.10 (``python parrot.py nest > tests/data/parrot/nest.json``)
or with spindle.nest (``python parrot.py spindle``): the same JSON.
"""

import json
import sys

if sys.argv[1:] == ["nest"]:
    import nest
else:
    import spindle.nest as nest


def scenario():
    nest.ResetKernel()
    nest.set(resolution=0.1)
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 2.0, 2.0, 3.5, 3.5, 3.5]})
    parrots = nest.Create("parrot_neuron", 2)
    n = nest.Create("iaf_psc_alpha")
    sr = nest.Create("spike_recorder")
    vm = nest.Create("voltmeter", params={"interval": 0.1})
    nest.Connect(sg, parrots, syn_spec={"weight": -5.0, "delay": 1.0})
    nest.Connect(parrots, n, syn_spec={"weight": 100.0, "delay": 1.0})
    nest.Connect(parrots, sr)
    nest.Connect(vm, n)
    nest.Simulate(20.0)
    ev = sr.get("events")
    return {
        "times": [float(t) for t in ev["times"]],
        "senders": [int(s) for s in ev["senders"]],
        "V_m": [float(v) for v in vm.get("events")["V_m"]],
    }


if __name__ == "__main__":
    print(json.dumps(scenario()))
