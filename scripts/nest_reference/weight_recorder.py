"""The weight_recorder's reference scenario, and the recorders' windows:
spike generators drive parrots onto parrots and onto two iaf_psc_alpha
through stdp_synapse copies that name a weight_recorder (one filtered by
senders and targets, one with a window); a spike_recorder and a
multimeter with start/stop/origin. Run with NEST 3.10
(``python weight_recorder.py nest | tail -1 >
tests/data/weight_recorder/nest.json``: NEST prints its banner first)
or with spindle.nest (``python weight_recorder.py spindle``): the same JSON.
"""

import json
import sys

if sys.argv[1:] == ["nest"]:
    import nest
else:
    import spindle.nest as nest


def events(rec, keys):
    ev = rec.get("events")
    return {k: [float(x) if k in ("times", "weights", "V_m") else int(x) for x in ev[k]] for k in keys}


def scenario(threads=1):
    nest.ResetKernel()
    nest.set(resolution=0.1, local_num_threads=threads)
    wr = nest.Create("weight_recorder")
    wr_some = nest.Create("weight_recorder", params={"start": 20.0, "stop": 60.0, "origin": 5.0})
    nest.CopyModel("stdp_synapse", "stdp_rec", {"weight_recorder": wr, "weight": 2.0, "lambda": 0.05})
    nest.CopyModel("stdp_synapse", "stdp_some", {"weight_recorder": wr_some, "weight": 300.0})
    sg = nest.Create(
        "spike_generator",
        6,
        params=[
            {"spike_times": [2.0, 9.0, 15.0, 15.5, 31.0, 47.0, 70.0]},
            {"spike_times": [4.0, 12.0, 13.0, 40.0, 41.0, 66.0]},
            {"spike_times": [5.0, 6.0, 22.0, 50.0, 51.0, 52.0, 80.0]},
            {"spike_times": [3.0, 10.0, 10.1, 33.0, 61.0]},
            {"spike_times": [7.0, 14.0, 29.0, 45.0, 46.0, 75.0]},
            {"spike_times": [1.0, 20.0, 21.0, 38.0, 57.0, 88.0]},
        ],
    )
    pre = nest.Create("parrot_neuron", 3)
    post = nest.Create("parrot_neuron", 3)
    iaf = nest.Create("iaf_psc_alpha", 2, params={"I_e": 300.0})
    nest.Connect(sg[:3], pre, "one_to_one")
    nest.Connect(sg[3:], post, "one_to_one", syn_spec={"delay": 2.0})
    nest.Connect(pre, post, syn_spec={"synapse_model": "stdp_rec", "delay": 1.5})
    nest.Connect(pre, iaf, syn_spec={"synapse_model": "stdp_some", "delay": 1.0})
    wr.set(senders=pre[0:2], targets=post[1:])
    sr = nest.Create("spike_recorder", params={"start": 10.0, "stop": 50.0})
    mm = nest.Create(
        "multimeter", params={"record_from": ["V_m"], "interval": 1.0, "start": 5.0, "stop": 30.0, "origin": 10.0}
    )
    nest.Connect(pre + post + iaf, sr)
    nest.Connect(mm, iaf)
    nest.Simulate(45.0)
    nest.Simulate(45.0)
    out = {
        "wr": events(wr, ["senders", "targets", "times", "weights", "receptors"]),
        "wr_some": events(wr_some, ["senders", "targets", "times", "weights"]),
        "sr": events(sr, ["senders", "times"]),
        "mm": events(mm, ["senders", "times", "V_m"]),
        "n_events": [int(r.n_events) for r in (wr, wr_some, sr, mm)],
    }
    # NEST's per-thread order differs: compare sorted events.
    for key in out:
        if key != "n_events":
            rows = sorted(zip(*out[key].values()))
            out[key] = {k: [r[i] for r in rows] for i, k in enumerate(out[key])}
    return out


if __name__ == "__main__":
    print(json.dumps(scenario()))
