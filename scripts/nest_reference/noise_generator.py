"""noise_generator's reference statistics: 200 iaf_psc_alpha that never
fire, each driven by its own draws of one noise_generator (mean 50 pA,
std 200 pA, dt 0.5 ms); the mean and standard deviation of V_m after
100 ms, and the correlation of two neurons' V_m (independent draws per
target: near 0). NEST's values over seeds 1-5:
``python noise_generator.py nest | tail -1 > tests/data/noise_generator/nest.json``;
``python noise_generator.py spindle`` runs the same with spindle.nest.
"""

import json
import sys

import numpy as np

if sys.argv[1:2] == ["nest"]:
    import nest
else:
    import spindle.nest as nest


def scenario(seed=1, threads=1):
    nest.ResetKernel()
    nest.set(local_num_threads=threads, resolution=0.1, rng_seed=seed)
    n = nest.Create("iaf_psc_alpha", 200, params={"V_th": 1e9})
    ng = nest.Create("noise_generator", params={"mean": 50.0, "std": 200.0, "dt": 0.5})
    nest.Connect(ng, n)
    vm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 0.1})
    nest.Connect(vm, n)
    nest.Simulate(500.0)
    ev = vm.events
    late = ev["times"] > 100.0
    v, s = ev["V_m"][late], ev["senders"][late]
    a, b = v[s == n[0].global_id], v[s == n[1].global_id]
    return {"mean": float(v.mean()), "std": float(v.std()), "corr": float(np.corrcoef(a, b)[0, 1])}


if __name__ == "__main__":
    print(json.dumps([scenario(seed) for seed in range(1, 6)]))
