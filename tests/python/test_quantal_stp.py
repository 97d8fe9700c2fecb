"""NEST's ``quantal_stp_synapse`` on spindle.nest. Its releases are drawn
from a stream per synapse and spike, not NEST's thread RNG, so they are
checked by distribution against NEST 3.10 over seeds
(``scripts/nest_reference/quantal_stp.py`` made
``tests/data/quantal_stp/nest.json``): the mean released sites per spike
within 4 standard errors, their spread, the sites left available; the
same numbers on 1 and 3 threads; ``SetDefaults`` then ``Connect``;
``get()`` of a connection as NEST names it; NEST's errors; and
``evaluate_quantal_stp_synapse.py`` (shortened to 100 trials) drawing
NEST's averaged traces."""

import json
import math
import os
import sys

import numpy as np
import pytest

import spindle.nest as nest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts", "nest_reference"))
sys.path.insert(0, os.path.dirname(__file__))

import quantal_stp as reference  # noqa: E402
from test_examples import EXAMPLES  # noqa: E402

FAC = {"U": 0.02, "u": 0.02, "tau_fac": 500.0, "tau_rec": 200.0, "weight": 0.1, "n": 10}


@pytest.fixture(scope="module")
def want():
    with open(os.path.join(ROOT, "tests", "data", "quantal_stp", "nest.json")) as f:
        return json.load(f)


@pytest.mark.parametrize("case", sorted(reference.CASES))
def test_released_sites_within_nests_spread(want, case):
    ref = want["cases"][case]
    got = reference.case_stats(nest, reference.CASES[case], [11, 12])
    scale = math.sqrt(1 / got["n"] + 1 / ref["n"])
    for i, (m, s, rm, rs) in enumerate(zip(got["mean"], got["sd"], ref["mean"], ref["sd"], strict=True)):
        assert abs(m - rm) <= 4 * rs * scale + 1e-12, (case, i, got["mean"], ref["mean"])
        assert abs(s - rs) <= 0.15 * rs + 0.03, (case, i, got["sd"], ref["sd"])
    assert abs(got["a_mean"] - ref["a_mean"]) <= 4 * ref["a_sd"] * scale + 1e-12


def test_same_draws_on_1_and_3_threads():
    params = reference.CASES["depressing"]
    one = reference.released(nest, params, 5, threads=1)
    three = reference.released(nest, params, 5, threads=3)
    assert np.array_equal(one[0], three[0]) and np.array_equal(one[1], three[1])
    # Another seed, other draws.
    assert not np.array_equal(one[0], reference.released(nest, params, 6)[0])


def test_set_defaults_then_connect_and_get():
    nest.ResetKernel()
    nest.SetDefaults("quantal_stp_synapse", FAC)
    d = nest.GetDefaults("quantal_stp_synapse")
    # Setting n leaves a at its default 1, as in NEST.
    assert (d["n"], d["a"], d["U"], d["u"], d["tau_fac"], d["weight"]) == (10, 1, 0.02, 0.02, 500.0, 0.1)
    assert isinstance(d["n"], int) and isinstance(d["a"], int) and "Kplus" not in d
    pre, post = nest.Create("iaf_psc_exp", 2)
    nest.Connect(pre, post, syn_spec={"synapse_model": "quantal_stp_synapse"})
    c = nest.GetConnections(synapse_model="quantal_stp_synapse")
    got = c.get()
    # NEST 3.10's keys of this connection's get() (and the "sizeof"
    # Spindle shows for every connection).
    assert sorted(k for k in got if k != "sizeof") == sorted(["U", "a", "delay", "n", "port", "receptor", "source", "synapse_id",
                                  "synapse_model", "target", "target_thread", "tau_fac", "tau_rec", "u",
                                  "weight"])
    assert (got["n"], got["a"], got["U"], got["u"], got["tau_rec"], got["weight"]) == (10, 1, 0.02, 0.02,
                                                                                        200.0, 0.1)
    # The state after spikes: u facilitated, a within 0..n.
    pre.I_e = 376.0
    nest.Simulate(200.0)
    assert 0.02 < c.get("u") < 1.0 and 0 <= c.get("a") <= 10
    # NEST archives no spikes of a target only quantal synapses reach.
    assert post.archiver_length == 0
    nest.ResetKernel()


@pytest.mark.parametrize("how", ["connect", "defaults"])
def test_errors_are_nests(how):
    nest.ResetKernel()
    n = nest.Create("iaf_psc_exp", 2)
    cases = [({"U": 1.5}, nest.NESTErrors.BadProperty, "'U' must be in [0,1]."),
             ({"u": -1.0}, nest.NESTErrors.BadProperty, "'u' must be in [0,1]."),
             ({"tau_rec": 0.0}, nest.NESTErrors.BadProperty, "'tau_rec' must be > 0."),
             ({"tau_fac": -1.0}, nest.NESTErrors.BadProperty, "'tau_fac' must be >= 0."),
             # NEST: a RuntimeError of this message.
             ({"n": 2.5}, nest.NESTErrors.TypeMismatch, "does not hold a numeric integer type"),
             ({"a": 3.0}, nest.NESTErrors.TypeMismatch, "does not hold a numeric integer type")]
    for bad, error, message in cases:
        with pytest.raises(error, match=message.replace("[", r"\[").replace("]", r"\]")):
            if how == "connect":
                nest.Connect(n, n, syn_spec=dict(bad, synapse_model="quantal_stp_synapse"))
            else:
                nest.SetDefaults("quantal_stp_synapse", bad)
    # NEST takes any int for n and a, negative too.
    nest.Connect(n[0], n[1], syn_spec={"synapse_model": "quantal_stp_synapse", "n": -3, "a": 20})
    assert nest.GetConnections().get(["n", "a"]) == {"n": -3, "a": 20}
    # A refused SetDefaults leaves the defaults as they were.
    assert nest.GetDefaults("quantal_stp_synapse")["U"] == 0.5


@pytest.mark.skipif(EXAMPLES is None, reason="NEST 3.10's example scripts not found (set SPINDLE_NEST_EXAMPLES)")
def test_example_draws_nests_averaged_traces(want):
    import examples_part2

    got = examples_part2.run(sys.executable, EXAMPLES, reference.SCRIPT, spindle=True)[1]
    runs = list(want["example"].values())
    q = np.array([r["q"] for r in runs])
    nest_se = np.array([r["q_se"] for r in runs]).mean(axis=0) / math.sqrt(len(runs))
    tol = 4 * np.sqrt(np.asarray(got["q_se"]) ** 2 + nest_se ** 2) + 1e-12
    assert np.all(np.abs(np.asarray(got["q"]) - q.mean(axis=0)) <= tol), (got["q"], q.mean(axis=0).tolist())
    # The deterministic tsodyks2_synapse trace is NEST's.
    assert np.allclose(got["t"], runs[0]["t"], rtol=1e-9, atol=1e-15)
    peaks = [r["max"] for r in runs]
    assert abs(got["max"] - np.mean(peaks)) <= 4 * np.std(peaks, ddof=1)
