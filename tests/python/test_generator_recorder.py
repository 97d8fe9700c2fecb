"""Generators connected straight to a spike_recorder (NEST records what
they send it): a poisson_generator's own train within its window, whose
edges are NEST 3.10's (start 100, stop 110: first event at 100.2 ms, last
at 110.1 ms), a spike_generator's spikes with their multiplicity, the
same for any threads; NEST's ``repeated_stimulation.py`` runs."""

import os
import sys

import numpy as np

import spindle.nest as nest

sys.path.insert(0, os.path.dirname(__file__))
from test_examples import EXAMPLES, _run  # noqa: E402


def record(threads):
    nest.ResetKernel()
    nest.set(local_num_threads=threads)
    pg = nest.Create("poisson_generator", params={"rate": 20000.0, "start": 100.0, "stop": 110.0})
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 2.0, 50.5],
                                                "spike_multiplicities": [1, 2, 1]})
    n = nest.Create("iaf_psc_alpha", 3)
    sr = nest.Create("spike_recorder")
    nest.Connect(pg, sr)
    nest.Connect(sg, sr)
    nest.Connect(pg, n)
    nest.Simulate(105.0)
    nest.Simulate(95.0)
    ev = sr.events
    return sr.n_events, ev["senders"].tolist(), ev["times"].tolist()


def test_generators_into_a_recorder_as_nest():
    n, senders, times = record(1)
    t = np.array(times)
    s = np.array(senders)
    pg_times = t[s == 1]
    assert pg_times.min() == 100.2 and abs(pg_times.max() - 110.1) < 1e-9
    # 20 kHz over 10 ms: 200 expected (NEST's run: 202).
    assert 150 < len(pg_times) < 250
    assert t[s == 2].tolist() == [1.0, 2.0, 2.0, 50.5]
    assert n == len(senders)
    assert record(3) == (n, senders, times)


def test_repeated_stimulation_runs(tmp_path):
    if EXAMPLES is None:
        import pytest
        pytest.skip("NEST 3.10's example scripts not found (set SPINDLE_NEST_EXAMPLES)")
    _run("repeated_stimulation.py", tmp_path)


def test_collections_mixing_devices_connect_as_nests():
    nest.ResetKernel()
    pg = nest.Create("poisson_generator", params={"rate": 1000.0})
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 2.0]})
    n = nest.Create("iaf_psc_alpha", 2)
    sr = nest.Create("spike_recorder")
    nest.Connect(pg + sg, sr)
    nest.Connect(pg + sg, n, "one_to_one")
    conns = nest.GetConnections().get(["source", "target"])
    assert sorted(zip(conns["source"], conns["target"])) == [(1, 3), (1, 5), (2, 4), (2, 5)]
    nest.Simulate(50.0)
    ev = sr.events
    assert ev["times"][ev["senders"] == 2].tolist() == [1.0, 2.0]
