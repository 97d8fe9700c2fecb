"""NEST 3.10 reference for the connection rules' statistics: each rule of
``CASES`` connects a population of 200 neurons (A) to one of 150 (B), or A
to itself, once per seed; per seed it measures the total number of
connections, the mean and variance of the in-degrees (over every target)
and out-degrees (over every source), the largest in-degree, the autapses
and the multapses (connections beyond a pair's first). Writes them with
their mean and standard deviation over the seeds, and the analytic means.

    /path/to/nest-venv/bin/python scripts/nest_reference/rules_reference.py \
        --out tests/data/rules/nest.json

``tests/python/test_rules.py`` runs the same ``scenario`` on
``spindle.nest`` and checks that Spindle's means over as many seeds lie
within NEST's spread.
"""

import argparse
import importlib
import json
import math

import numpy as np

N_A, N_B = 200, 150
SEEDS = 20

CASES = {
    # name: (targets, conn_spec)
    "fixed_total_number": ("B", {"rule": "fixed_total_number", "N": 6000}),
    "fixed_total_number_no_autapses": (
        "A", {"rule": "fixed_total_number", "N": 6000, "allow_autapses": False}),
    "pairwise_bernoulli": ("B", {"rule": "pairwise_bernoulli", "p": 0.1}),
    "pairwise_bernoulli_no_autapses": (
        "A", {"rule": "pairwise_bernoulli", "p": 0.1, "allow_autapses": False}),
    "fixed_outdegree": ("B", {"rule": "fixed_outdegree", "outdegree": 30}),
    "fixed_outdegree_no_multapses": (
        "B", {"rule": "fixed_outdegree", "outdegree": 30, "allow_multapses": False}),
    "fixed_outdegree_no_autapses_no_multapses": (
        "A", {"rule": "fixed_outdegree", "outdegree": 30, "allow_autapses": False,
              "allow_multapses": False}),
    "fixed_indegree": ("B", {"rule": "fixed_indegree", "indegree": 40}),
}

METRICS = ["total", "in_mean", "in_var", "out_mean", "out_var", "max_in", "autapses", "multapses"]


def analytic(name):
    """Expected total and degree moments (None where not simple)."""
    post, spec = CASES[name]
    n_s, n_t = N_A, (N_B if post == "B" else N_A)
    same = post == "A"
    auto = spec.get("allow_autapses", True) or not same
    rule = spec["rule"]
    if rule == "fixed_total_number":
        n = spec["N"]
        # in-degree Binomial(N, 1/n_t), out-degree Binomial(N, 1/n_s)
        return {"total": n, "in_mean": n / n_t, "in_var": n / n_t * (1 - 1 / n_t),
                "out_mean": n / n_s, "out_var": n / n_s * (1 - 1 / n_s)}
    if rule == "pairwise_bernoulli":
        p = spec["p"]
        k_in, k_out = (n_s, n_t) if auto else (n_s - 1, n_t - 1)
        return {"total": p * k_in * n_t, "in_mean": p * k_in, "in_var": p * (1 - p) * k_in,
                "out_mean": p * k_out, "out_var": p * (1 - p) * k_out}
    if rule == "fixed_outdegree":
        k = spec["outdegree"]
        out = {"total": k * n_s, "in_mean": k * n_s / n_t, "out_mean": k, "out_var": 0.0}
        if spec.get("allow_multapses", True) and auto:
            out["in_var"] = k * n_s / n_t * (1 - 1 / n_t)
        return out
    if rule == "fixed_indegree":
        k = spec["indegree"]
        return {"total": k * n_t, "in_mean": k, "in_var": 0.0, "out_mean": k * n_t / n_s,
                "out_var": k * n_t / n_s * (1 - 1 / n_s)}
    raise ValueError(rule)


def measure(sources, targets, pre, post):
    """The metrics of the connections (sources, targets) from the ids in
    ``pre`` to those in ``post`` (lists of ids, each contiguous)."""
    s = np.asarray(sources, dtype=np.int64)
    t = np.asarray(targets, dtype=np.int64)
    indeg = np.bincount(t - post[0], minlength=len(post))
    outdeg = np.bincount(s - pre[0], minlength=len(pre))
    pairs = len(set(zip(s.tolist(), t.tolist())))
    return {
        "total": int(len(s)),
        "in_mean": float(indeg.mean()),
        "in_var": float(indeg.var()),
        "out_mean": float(outdeg.mean()),
        "out_var": float(outdeg.var()),
        "max_in": int(indeg.max()) if len(indeg) else 0,
        "autapses": int((s == t).sum()),
        "multapses": int(len(s) - pairs),
    }


def scenario(nest, name, seed, edges):
    """Connect case ``name`` with ``rng_seed = seed`` on module ``nest``;
    ``edges(nest)`` gives the (sources, targets) of every connection.
    Returns the metrics."""
    post_name, spec = CASES[name]
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.rng_seed = seed
    a = nest.Create("iaf_psc_alpha", N_A)
    b = nest.Create("iaf_psc_alpha", N_B)
    post = a if post_name == "A" else b
    nest.Connect(a, post, dict(spec))
    sources, targets = edges(nest)
    return measure(sources, targets, a.tolist(), post.tolist())


def nest_edges(nest):
    conns = nest.GetConnections()
    if len(conns) == 0:
        return [], []
    src, tgt = conns.get("source"), conns.get("target")
    if isinstance(src, int):
        src, tgt = [src], [tgt]
    return src, tgt


def summary(values):
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    return {"mean": mean, "sd": sd, "min": min(values), "max": max(values)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--module", default="nest")
    args = ap.parse_args()
    nest = importlib.import_module(args.module)
    out = {
        "nest_version": nest.__version__ if hasattr(nest, "__version__") else "?",
        "sizes": {"A": N_A, "B": N_B},
        "seeds": list(range(1, SEEDS + 1)),
        "threads": 1,
        "cases": {},
    }
    for name, (post, spec) in CASES.items():
        runs = [scenario(nest, name, seed, nest_edges) for seed in out["seeds"]]
        out["cases"][name] = {
            "targets": post,
            "conn_spec": spec,
            "per_seed": runs,
            "summary": {m: summary([r[m] for r in runs]) for m in METRICS},
            "analytic": analytic(name),
        }
        s = out["cases"][name]["summary"]
        print(f"{name:45s} total {s['total']['mean']:9.1f} in {s['in_mean']['mean']:7.2f}"
              f"/{s['in_var']['mean']:7.2f} out {s['out_mean']['mean']:7.2f}"
              f"/{s['out_var']['mean']:7.2f}")
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
