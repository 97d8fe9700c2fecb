#!/usr/bin/env python3
"""Alternating runs of several spindle builds on the seed network, medians.

usage: scripts/ab_builds.py BIN[,BIN...] REPEATS THREADS[,THREADS...] [ORDER]

Runs are interleaved (build A, build B, A, B, ...) so that a box whose speed
drifts during the session slows every build alike. Prints, per build and
thread count, the median time_simulate, time_update in ns of core time per
neuron-step, time_deliver_spike_data in ns of core time per synaptic event,
the barrier wait, and the spike digests seen.
"""
import json
import statistics
import subprocess
import sys
import tempfile

bins = sys.argv[1].split(",")
reps = int(sys.argv[2])
threads = sys.argv[3].split(",")
order = sys.argv[4] if len(sys.argv) > 4 else "2500"
rows = {(b, t): [] for b in bins for t in threads}
with tempfile.TemporaryDirectory() as tmp:
    out = f"{tmp}/run.json"
    for _ in range(reps):
        for t in threads:
            for b in bins:
                cmd = [b, "--order", order, "--threads", t, "--record-to", "none", "--quiet", "--json", out]
                subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
                d = json.load(open(out))
                # Format 1 records (older builds) keep the CPU twins flat.
                cpu = (lambda k: d["phases"][k]["cpu"]) if "phases" in d else (lambda k: d[k + "_cpu"])
                steps = d["num_neurons"] * d["simtime"] / d["dt"]
                rows[(b, t)].append((
                    d["time_simulate"],
                    cpu("time_update") / steps * 1e9,
                    cpu("time_deliver_spike_data") / d["synaptic_events"] * 1e9,
                    d["time_omp_synchronization_simulation"],
                    d["spike_digest"],
                ))
for (b, t), v in rows.items():
    med = [statistics.median(x[i] for x in v) for i in range(4)]
    print(f"{b:40s} order {order} threads {t:>2}: time_simulate {med[0]:.3f} s, "
          f"update {med[1]:.2f} ns/neuron-step, delivery {med[2]:.3f} ns/event, "
          f"barrier {med[3]:.3f} s, digests {sorted(set(x[4] for x in v))}")
