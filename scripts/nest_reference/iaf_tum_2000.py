"""NEST 3.10's ``iaf_tum_2000``, for ``tests/python/test_iaf_tum_2000.py``.

Per case, two presynaptic ``iaf_tum_2000`` neurons driven by DC (each
its own ``dc_generator``, so their trains differ) reach two
postsynaptic ones on receptor 1 (all to all: each spike's weight scaled
by the release ``u x`` its sender computes) and an ``iaf_psc_exp`` on
receptor 0 (the plain weight). An ``iaf_psc_exp`` with ``I_e`` reaches
the postsynaptic ``iaf_tum_2000`` on receptor 0 (plain weight) and on
receptor 1 (its spikes carry no release: NEST delivers them with
weight 0). The run is two ``Simulate`` calls; after each, the sources'
``x``, ``y``, ``u`` and ``t_spike``. A multimeter takes ``V_m``,
``I_syn_ex`` and ``I_syn_in`` of the three targets every ms.

Cases: the parameters of NEST's examples
``iaf_tum_2000_short_term_depression.py`` and
``iaf_tum_2000_short_term_facilitation.py``, and the first with an
inhibitory weight. Also the voltmeter traces of those two examples,
run from the wheel's folder with only ``import nest`` changed
(``examples_part2.run``).

``python iaf_tum_2000.py nest EXAMPLES | tail -1 > tests/data/iaf_tum_2000/nest.json``
(EXAMPLES: the wheel's ``nest/doc/examples/pynest``; ``spindle`` runs
the same on spindle.nest).
"""

import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import examples_part2  # noqa: E402


def example_params(tau_m, r_m, u0, tau_psc, tau_rec, tau_fac, weight):
    """The examples' neuron parameters, DC amplitude and weight."""
    c_m, v_th, t_ref, f = tau_m / r_m, 15.0, 2.0, 20.0 / 1000.0
    neuron = {"C_m": c_m, "tau_m": tau_m, "tau_syn_ex": tau_psc, "tau_syn_in": tau_psc, "V_th": v_th,
              "V_reset": 0.0, "E_L": 0.0, "V_m": 0.0, "t_ref": t_ref}
    release = {"U": u0, "tau_psc": tau_psc, "tau_rec": tau_rec, "tau_fac": tau_fac, "x": 1.0, "u": 0.0}
    dc = v_th * c_m / tau_m / (1 - math.exp(-(1 / f - t_ref) / tau_m))
    return neuron, release, dc, weight


DEPRESSION = example_params(40.0, 0.1, 0.5, 3.0, 800.0, 0.0, 250.0)
FACILITATION = example_params(60.0, 1.0, 0.03, 1.5, 130.0, 530.0, 1540.0)
CASES = {
    "depression": DEPRESSION,
    "facilitation": FACILITATION,
    "inhibitory": DEPRESSION[:3] + (-250.0,),
}
T = (600.0, 500.0)
STATE = ["x", "y", "u", "t_spike"]


def run(nest, neuron, release, dc, weight, threads):
    nest.ResetKernel()
    nest.local_num_threads = threads
    nest.resolution = 0.1
    pre = nest.Create("iaf_tum_2000", 2, params=dict(neuron, **release))
    post = nest.Create("iaf_tum_2000", 2, params=dict(neuron, **release))
    plain = nest.Create("iaf_psc_exp", params=neuron)
    drive = nest.Create("iaf_psc_exp", params=dict(neuron, I_e=1.5 * dc))
    for k, n in enumerate(pre):
        g = nest.Create("dc_generator", params={"amplitude": dc * (1.0 + 0.5 * k), "start": 50.0 + 7.0 * k,
                                                 "stop": 1000.0})
        nest.Connect(g, n)
    nest.Connect(pre, post, "all_to_all", {"weight": weight, "delay": 0.1, "receptor_type": 1})
    nest.Connect(pre, plain, "all_to_all", {"weight": weight, "delay": 1.0})
    nest.Connect(drive, post, "all_to_all", {"weight": 0.1 * abs(weight), "delay": 0.5})
    nest.Connect(drive, post, "all_to_all", {"weight": abs(weight), "delay": 0.2, "receptor_type": 1})
    mm = nest.Create("multimeter", params={"record_from": ["V_m", "I_syn_ex", "I_syn_in"], "interval": 1.0})
    nest.Connect(mm, post + plain)
    states = []
    for t in T:
        nest.Simulate(t)
        states.append([[float(n.get(k)) for k in STATE] for n in pre])
    ev = mm.events
    order = sorted(range(len(ev["times"])), key=lambda i: (ev["times"][i], ev["senders"][i]))
    return {
        "traces": [[float(ev["times"][i]), int(ev["senders"][i]), float(ev["V_m"][i]), float(ev["I_syn_ex"][i]),
                    float(ev["I_syn_in"][i])] for i in order],
        "states": states,
    }


EXAMPLES = ("iaf_tum_2000_short_term_depression.py", "iaf_tum_2000_short_term_facilitation.py")


def reference(nest, examples, python=sys.executable, spindle=False):
    out = {name: run(nest, *case, threads=1) for name, case in CASES.items()}
    for script in EXAMPLES:
        out[script] = examples_part2.run(python, examples, script, spindle)[1]
    return out


if __name__ == "__main__":
    if sys.argv[1] == "nest":
        import nest
    else:
        import spindle.nest as nest
    print(json.dumps(reference(nest, sys.argv[2], spindle=sys.argv[1] != "nest")))
