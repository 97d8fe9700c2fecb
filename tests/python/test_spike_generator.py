"""spike_generator's options on spindle.nest against NEST 3.10
(``scripts/nest_reference/spike_generator.py``, data in
``tests/data/spike_generator/nest.json``): spike_weights,
spike_multiplicities, allow_offgrid_times, precise_times, shift_now_spikes
and origin/start/stop, seen by an iaf_psc_alpha (V_m to 1e-9 mV) and by a
parrot_neuron (its spikes exactly); and NEST's refusals."""

import json
import os
import sys

import pytest

import spindle.nest as nest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts", "nest_reference"))

import spike_generator as reference  # noqa: E402

with open(os.path.join(ROOT, "tests", "data", "spike_generator", "nest.json")) as f:
    NEST = json.load(f)


@pytest.mark.parametrize("case", sorted(reference.CASES))
def test_spikes_and_trace_equal_nests(case):
    got = reference.scenario(reference.CASES[case])
    want = NEST["cases"][case]
    assert got["parrot_times"] == want["parrot_times"]
    assert got["V_m"] == pytest.approx(want["V_m"], abs=1e-9)


def test_refusals_are_nests():
    assert reference.errors() == NEST["errors"]


def test_options_read_back():
    nest.ResetKernel()
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 2.0],
                                                "spike_multiplicities": [2, 1],
                                                "origin": 5.0})
    assert list(sg.spike_multiplicities) == [2, 1]
    assert (sg.origin, sg.precise_times, sg.allow_offgrid_times) == (5.0, False, False)
