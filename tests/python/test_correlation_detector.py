"""``correlation_detector`` on spindle.nest: its histograms, counts and
corrections equal NEST 3.10's on fixed trains
(``scripts/nest_reference/correlation_detector.py`` made
``tests/data/correlation_detector/nest.json``): bins, ``Tstart``/``Tstop``,
a ``start``/``stop`` window, a neuron's spikes of the last slice that
reach the detector with the next run, and ``n_events = [0, 0]``; they do
not change with the number of threads; bad bins are refused."""

import json
import os
import sys

import numpy as np
import pytest

import spindle.nest as nest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts", "nest_reference"))

import correlation_detector as reference  # noqa: E402


@pytest.fixture(scope="module")
def want():
    with open(os.path.join(ROOT, "tests", "data", "correlation_detector", "nest.json")) as f:
        return json.load(f)


@pytest.mark.parametrize("case", sorted(reference.CASES))
def test_histograms_are_nests(want, case):
    params, window = reference.CASES[case]
    assert reference.run(nest, params, window) == want[case]


def test_mip_correlation_does_not_change_with_threads():
    def hist(threads):
        nest.ResetKernel()
        nest.local_num_threads = threads
        mg = nest.Create("mip_generator", params={"rate": 100.0, "p_copy": 0.5})
        cd = nest.Create("correlation_detector", params={"tau_max": 20.0, "delta_tau": 2.0})
        p = nest.Create("parrot_neuron", 2)
        nest.Connect(mg, p)
        nest.Connect(p[0], cd, syn_spec={"receptor_type": 0})
        nest.Connect(p[1], cd, syn_spec={"receptor_type": 1})
        nest.Simulate(5000.0)
        return cd.histogram.tolist(), cd.n_events.tolist()

    one = hist(1)
    assert hist(2) == one
    h = np.array(one[0])
    # Shared parent spikes (a quarter of the parent's 500) pile up in the
    # middle bin above the flat background.
    assert h[10] > 1.5 * np.median(h)


def test_bad_bins_and_ports_are_refused():
    nest.ResetKernel()
    with pytest.raises(nest.NESTErrors.BadProperty):
        nest.SetDefaults("correlation_detector", {"delta_tau": 0.25})
    with pytest.raises(nest.NESTErrors.BadProperty):
        nest.Create("correlation_detector", params={"delta_tau": 1.0, "tau_max": 2.5})
    cd = nest.Create("correlation_detector")
    n = nest.Create("parrot_neuron")
    with pytest.raises(nest.NESTErrors.UnknownReceptorType):
        nest.Connect(n, cd, syn_spec={"receptor_type": 2})
    with pytest.raises(nest.NESTErrors.BadProperty):
        cd.n_events = [1, 0]
