#!/usr/bin/env python3
"""NEST 3.10 reference weight trajectories of STDP synapses for
tests/nest_reference_stdp.rs.

Each case is a few presynaptic and postsynaptic `iaf_psc_delta` neurons,
each made to fire at chosen times by its own spike_generator (a weight of
100 mV crosses the threshold in the step the event arrives), the
presynaptic ones connected to the postsynaptic ones through plastic
synapses (`stdp_synapse` with its per-connection parameters,
`stdp_pl_synapse_hom` with its common properties set by `SetDefaults` or
`CopyModel`, the `_hpc` variants) with several delays (NEST's STDP
synapses treat the whole delay as dendritic). The run is split into
chunks (`Simulate` several times); after each, every connection's weight
and every postsynaptic neuron's `archiver_length` (the spike history
NEST keeps, trimmed as it trims it) are written. Writes
tests/data/stdp/cases.json: per case, what the Rust test needs to build
the same network (spike times, parameters, connections, chunks) and
NEST's results.

Run with a Python that has NEST 3.10 (`import nest`), from anywhere:
    python scripts/nest_reference/stdp_traces.py
"""

import json
import pathlib

import numpy as np
import nest

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "stdp"

DRIVE = 100.0  # mV: one event makes an iaf_psc_delta fire
DRIVE_DELAY = 1.0


def poisson_train(rng, rate, t_stop, h, min_isi=3.0, start=2.0):
    """Spike times on the grid `h`, Poisson at `rate` Hz but no two closer
    than `min_isi` ms (the neuron is refractory for 2 ms)."""
    times = []
    t = start
    while True:
        t += min_isi + rng.exponential(1000.0 / rate)
        if t >= t_stop - 5.0:
            return times
        times.append(round(round(t / h) * h, 6))


def pairing_train(period, n, offset, first=10.0):
    return [round(first + k * period + offset, 6) for k in range(n)]


def case_spec(name, rng):
    """The cases: each is a dict that run() builds."""
    if name == "stdp_additive_d1":
        h, T = 0.1, 500.0
        return {
            "resolution": h,
            "chunks": [50.0] * 10,
            "tau_minus": [20.0, 20.0, 20.0],
            "pre": [poisson_train(rng, 20.0, T, h) for _ in range(5)],
            "post": [poisson_train(rng, 15.0, T, h) for _ in range(3)],
            "connections": [
                {
                    "pre": [0, 1, 2, 3, 4],
                    "post": [0, 1, 2],
                    "synapse_model": "stdp_synapse",
                    "syn_spec": {
                        "weight": 2.0, "delay": 1.0, "Wmax": 5.0, "lambda": 0.05,
                        "alpha": 1.05, "mu_plus": 0.0, "mu_minus": 0.0, "tau_plus": 20.0,
                    },
                }
            ],
        }
    if name == "stdp_multiplicative_delays":
        h, T = 0.1, 600.0
        return {
            "resolution": h,
            # 33.3 ms is no multiple of min_delay (1.5 ms): partial slices.
            "chunks": [33.3] * 6 + [100.0, 200.2, 66.7],
            "tau_minus": [30.0, 30.0, 12.5],
            "pre": [poisson_train(rng, 30.0, T, h) for _ in range(6)],
            "post": [poisson_train(rng, 20.0, T, h) for _ in range(3)],
            "connections": [
                {
                    "pre": [0, 1, 2],
                    "post": [0, 1, 2],
                    "synapse_model": "stdp_synapse",
                    "syn_spec": {
                        "weight": 4.0, "delay": 1.5, "Wmax": 10.0, "lambda": 0.02,
                        "alpha": 0.8, "mu_plus": 1.0, "mu_minus": 1.0, "tau_plus": 15.0,
                    },
                },
                {
                    "pre": [3, 4, 5],
                    "post": [0, 1, 2],
                    "synapse_model": "stdp_synapse",
                    "syn_spec": {
                        "weight": 4.0, "delay": 4.0, "Wmax": 10.0, "lambda": 0.03,
                        "alpha": 1.2, "mu_plus": 0.4, "mu_minus": 0.7, "tau_plus": 25.0,
                    },
                },
            ],
        }
    if name == "stdp_defaults_h0125":
        h, T = 0.125, 400.0
        return {
            "resolution": h,
            "chunks": [100.0] * 4,
            "tau_minus": [20.0, 20.0],
            "pre": [poisson_train(rng, 45.0, T, h) for _ in range(4)],
            "post": [poisson_train(rng, 35.0, T, h) for _ in range(2)],
            "connections": [
                {
                    "pre": [0, 1, 2, 3],
                    "post": [0, 1],
                    "synapse_model": "stdp_synapse",
                    "syn_spec": {"delay": 2.0},
                }
            ],
        }
    if name == "stdp_pairing":
        # Pre every 50 ms; each post neuron fires at a fixed offset from
        # it, among them exactly -delay, 0 and +delay.
        h = 0.1
        offsets = [-10.0, -1.5, -1.0, 0.0, 1.0, 1.5, 5.0]
        return {
            "resolution": h,
            "chunks": [125.0] * 4,
            "tau_minus": [20.0] * len(offsets),
            "pre": [pairing_train(50.0, 10, 0.0, 20.0)],
            "post": [pairing_train(50.0, 10, o, 20.0) for o in offsets],
            "connections": [
                {
                    "pre": [0],
                    "post": list(range(len(offsets))),
                    "synapse_model": "stdp_synapse",
                    "syn_spec": {
                        "weight": 3.0, "delay": 1.5, "Wmax": 6.0, "lambda": 0.1,
                        "alpha": 1.0, "mu_plus": 0.5, "mu_minus": 0.5, "tau_plus": 10.0,
                    },
                }
            ],
        }
    if name == "pl_hom_mixed":
        # stdp_pl_synapse_hom with the hpc_benchmark's common properties,
        # a CopyModel of it with others, its _hpc variant, stdp_synapse and
        # static_synapse_hpc onto the same neurons (one archive, trimmed
        # by the count of every STDP connection onto it).
        h, T = 0.1, 500.0
        return {
            "resolution": h,
            "chunks": [100.0] * 5,
            "tau_minus": [15.0, 15.0, 25.0],
            "defaults": {
                "stdp_pl_synapse_hom": {"alpha": 0.0513, "lambda": 0.1, "mu": 0.4, "tau_plus": 15.0},
            },
            "copies": [
                ["stdp_pl_synapse_hom", "pl_copy", {"alpha": 0.2, "lambda": 0.05, "mu": 0.6, "tau_plus": 30.0}],
            ],
            "pre": [poisson_train(rng, 25.0, T, h) for _ in range(8)],
            "post": [poisson_train(rng, 20.0, T, h) for _ in range(3)],
            "connections": [
                {"pre": [0, 1], "post": [0, 1, 2], "synapse_model": "stdp_pl_synapse_hom",
                 "syn_spec": {"weight": 1.0, "delay": 1.5}},
                {"pre": [2, 3], "post": [0, 1, 2], "synapse_model": "pl_copy",
                 "syn_spec": {"weight": 0.5, "delay": 3.0}},
                {"pre": [4, 5], "post": [0, 1, 2], "synapse_model": "stdp_pl_synapse_hom_hpc",
                 "syn_spec": {"weight": 2.0, "delay": 2.2}},
                {"pre": [6], "post": [0, 1, 2], "synapse_model": "stdp_synapse",
                 "syn_spec": {"weight": 1.0, "delay": 1.5, "Wmax": 3.0}},
                {"pre": [7], "post": [0, 1, 2], "synapse_model": "static_synapse_hpc",
                 "syn_spec": {"weight": 1.0, "delay": 1.5}},
            ],
        }
    raise ValueError(name)


NAMES = ["stdp_additive_d1", "stdp_multiplicative_delays", "stdp_defaults_h0125", "stdp_pairing", "pl_hom_mixed"]


def run(spec):
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution = spec["resolution"]
    for model, params in spec.get("defaults", {}).items():
        nest.SetDefaults(model, params)
    for base, new, params in spec.get("copies", []):
        nest.CopyModel(base, new, params)
    pre = nest.Create("iaf_psc_delta", len(spec["pre"]))
    post = nest.Create("iaf_psc_delta", len(spec["post"]))
    for i, tm in enumerate(spec["tau_minus"]):
        post[i].set(tau_minus=tm)
    for nodes, trains in ((pre, spec["pre"]), (post, spec["post"])):
        for i, times in enumerate(trains):
            sg = nest.Create("spike_generator", params={"spike_times": times})
            nest.Connect(sg, nodes[i], syn_spec={"weight": DRIVE, "delay": DRIVE_DELAY})
    for c in spec["connections"]:
        syn = dict(c["syn_spec"], synapse_model=c["synapse_model"])
        nest.Connect(pre[c["pre"]], post[c["post"]], "all_to_all", syn)
    rec = nest.Create("spike_recorder")
    nest.Connect(pre + post, rec)
    first_pre, first_post = pre[0].global_id, post[0].global_id
    chunks = []
    for ms in spec["chunks"]:
        nest.Simulate(ms)
        conns = nest.GetConnections(source=pre, target=post)
        st = conns.get(["source", "target", "weight", "synapse_model"])
        rows = sorted(
            (s - first_pre, t - first_post, w, m)
            for s, t, w, m in zip(st["source"], st["target"], st["weight"], st["synapse_model"])
        )
        chunks.append({
            "time": nest.biological_time,
            "weights": [[s, t, w] for s, t, w, m in rows],
            "archiver_length": [int(x) for x in post.get("archiver_length")],
        })
    ev = rec.get("events")
    spikes = sorted(zip(ev["times"].tolist(), ev["senders"].tolist()))
    return chunks, spikes, first_pre


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261130)
    cases = {}
    for name in NAMES:
        spec = case_spec(name, rng)
        chunks, spikes, first = run(spec)
        spec["nest"] = {"chunks": chunks, "spikes": [[t, s - first] for t, s in spikes]}
        cases[name] = spec
        print(name, len(chunks[-1]["weights"]), "connections,", len(spikes), "spikes,",
              "archiver_length", chunks[-1]["archiver_length"])
    meta = {"nest_version": nest.__version__, "drive_weight": DRIVE, "drive_delay": DRIVE_DELAY,
            "cases": cases}
    (OUT / "cases.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
