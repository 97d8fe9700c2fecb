"""NEST 3.10's ``quantal_stp_synapse``, for ``tests/python/test_quantal_stp.py``.
Its releases are drawn from NEST's thread RNG, which Spindle cannot
match number for number, so what is kept is their distribution over
seeds:

- ``cases``: a spike generator drives a parrot, which reaches ``TARGETS``
  ``iaf_psc_exp`` neurons through ``quantal_stp_synapse`` (each
  connection independent: one trial each) with facilitating, depressing
  and only-``n``-set parameters (``a`` then stays 1, NEST's default);
  a ``weight_recorder`` takes every event sent (weight: released sites
  times the weight of 1, none where none released). Per spike of
  ``SPIKES``: the mean and standard deviation of the released sites over
  all connections of all ``SEEDS``, and the mean of ``a`` read back
  after the run.
- ``example``: ``evaluate_quantal_stp_synapse.py`` as
  ``examples_part2.run`` runs it (shortened for CI to 100 trials, not
  500), over ``EXAMPLE_SEEDS`` (the script's 12345 and others, edited
  into its ``seed = 12345``): per seed, its averaged quantal trace
  (``vm_qsyn_mean``) less E_L = -70 mV in windows of 50 ms with each
  window's standard error over trials, its maximum, and the
  deterministic ``tsodyks2_synapse`` trace's windows.

``python quantal_stp.py nest EXAMPLES | tail -1 > tests/data/quantal_stp/nest.json``
(EXAMPLES: the wheel's ``nest/doc/examples/pynest``; ``spindle`` runs
the same on spindle.nest).
"""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import examples_part2  # noqa: E402

SCRIPT = "evaluate_quantal_stp_synapse.py"
CASES = {
    "facilitating": {"U": 0.2, "u": 0.2, "tau_fac": 500.0, "tau_rec": 200.0, "n": 10, "a": 10},
    "depressing": {"U": 0.5, "u": 0.5, "tau_rec": 300.0, "tau_fac": 0.0, "n": 5, "a": 5},
    "only_n": {"U": 0.6, "tau_rec": 100.0, "n": 4},
}
SPIKES = [10.0, 30.0, 50.0, 70.0, 90.0, 110.0, 130.0, 150.0, 400.0, 401.0, 800.0]
TARGETS = 400
SEEDS = [1, 2, 3, 4, 5]
EXAMPLE_SEEDS = [12345, 1, 2, 3, 4, 5]


def released(nest, params, seed, threads=1):
    """Released sites per spike (rows) and connection (columns), and each
    connection's ``a`` after the run."""
    nest.ResetKernel()
    nest.local_num_threads = threads
    nest.rng_seed = seed
    wr = nest.Create("weight_recorder")
    nest.CopyModel("quantal_stp_synapse", "recorded", {"weight_recorder": wr})
    sg = nest.Create("spike_generator", params={"spike_times": SPIKES})
    parrot = nest.Create("parrot_neuron")
    targets = nest.Create("iaf_psc_exp", TARGETS)
    nest.Connect(sg, parrot)
    nest.Connect(parrot, targets, "all_to_all", syn_spec=dict(params, synapse_model="recorded", weight=1.0))
    nest.Simulate(SPIKES[-1] + 10.0)
    ev = wr.events
    counts = np.zeros((len(SPIKES), TARGETS))
    first = targets[0].global_id
    # The parrot repeats each spike after the generator's delay of 1 ms.
    row = {round(t + 1.0, 6): i for i, t in enumerate(SPIKES)}
    for t, target, w in zip(ev["times"], ev["targets"], ev["weights"]):
        counts[row[round(float(t), 6)], int(target) - first] += w
    a = nest.GetConnections(parrot, targets).get("a")
    return counts, np.asarray(a, dtype=float)


def case_stats(nest, params, seeds):
    counts, a = zip(*(released(nest, params, s) for s in seeds))
    counts, a = np.hstack(counts), np.hstack(a)
    return {"mean": counts.mean(axis=1).tolist(), "sd": counts.std(axis=1, ddof=1).tolist(),
            "n": counts.shape[1], "a_mean": float(a.mean()), "a_sd": float(a.std(ddof=1))}


def example(python, examples, spindle, seed):
    """The example's figures (its EPILOGUES entry) with ``seed`` edited in."""
    base = examples_part2.EDITS.get(SCRIPT, [])
    edits = base + ([("seed = 12345", f"seed = {seed}")] if seed != 12345 else [])
    examples_part2.EDITS[SCRIPT] = edits
    try:
        return examples_part2.run(python, examples, SCRIPT, spindle)[1]
    finally:
        examples_part2.EDITS[SCRIPT] = base


def reference(nest, python, examples, spindle):
    return {
        "cases": {name: case_stats(nest, params, SEEDS) for name, params in CASES.items()},
        "example": {str(s): example(python, examples, spindle, s) for s in EXAMPLE_SEEDS},
    }


if __name__ == "__main__":
    system, examples = sys.argv[1], sys.argv[2]
    if system == "nest":
        import nest
    else:
        import spindle.nest as nest
    print(json.dumps(reference(nest, sys.executable, examples, spindle=system != "nest")))
