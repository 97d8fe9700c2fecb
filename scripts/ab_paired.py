#!/usr/bin/env python3
"""Paired A/B of two spindle builds on the seed network: per round, both
builds run back to back (ABBA order across rounds, so a drift within a
round favours neither), and the verdict is the median of the per-round
ratios B/A of time_simulate, with its interquartile range. On a box whose
speed wanders by more than the difference sought (as KVM guests do), the
paired ratio is steadier than comparing two medians. The median per-round
ratios of the update, delivery and gather phases follow: a change to one
phase shows against the others it left alone.

usage: scripts/ab_paired.py BIN_A BIN_B ROUNDS THREADS[,THREADS...] [ORDER]

AB_ARGS, where set, replaces `--order ORDER` with other arguments, e.g.
AB_ARGS="--network brette2007 --model coba --seed 3".
"""
import os
import shlex
import json
import statistics
import subprocess
import sys
import tempfile

a, b = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3])
threads = sys.argv[4].split(",")
order = sys.argv[5] if len(sys.argv) > 5 else "2500"


# The loop's phases whose per-round ratios are reported too.
PHASES = ("time_update", "time_deliver_spike_data", "time_gather_spike_data")


def run(binary, t, out):
    net = shlex.split(os.environ["AB_ARGS"]) if os.environ.get("AB_ARGS") else ["--order", order]
    cmd = [binary, *net, "--threads", t, "--record-to", "none", "--quiet", "--json", out]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    d = json.load(open(out))
    return d["time_simulate"], d["spike_digest"], {k: d[k] for k in PHASES}


with tempfile.TemporaryDirectory() as tmp:
    out = f"{tmp}/run.json"
    for t in threads:
        ratios, ta, tb, digests = [], [], [], set()
        phase_ratios = {k: [] for k in PHASES}
        for r in range(rounds):
            pair = [a, b] if r % 2 == 0 else [b, a]
            got = {}
            for binary in pair:
                got[binary] = run(binary, t, out)
                digests.add(got[binary][1])
            ta.append(got[a][0])
            tb.append(got[b][0])
            ratios.append(got[b][0] / got[a][0])
            for k in PHASES:
                if got[a][2][k] > 0:
                    phase_ratios[k].append(got[b][2][k] / got[a][2][k])
        q = statistics.quantiles(ratios, n=4)
        print(f"threads {t:>2}: A median {statistics.median(ta):.3f} s, B median {statistics.median(tb):.3f} s, "
              f"B/A per round: median {statistics.median(ratios):.4f} (IQR {q[0]:.4f}-{q[2]:.4f}), "
              f"{rounds} rounds, digests {sorted(digests)}")
        print("            phases B/A per round, median: " + ", ".join(
            f"{k} {statistics.median(v):.4f}" for k, v in phase_ratios.items() if v))
