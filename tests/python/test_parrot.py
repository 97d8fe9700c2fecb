"""parrot_neuron on spindle.nest: NEST 3.10's spikes (each repeated as
often as it arrived in its step, whatever the weight) and the membrane
potential of a neuron they drive, equal to NEST's
(``scripts/nest_reference/parrot.py``, ``tests/data/parrot/nest.json``);
what NEST refuses of a parrot."""

import json
import os
import sys

import pytest

import spindle.nest as nest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts", "nest_reference"))

import parrot  # noqa: E402


def test_parrot_repeats_spikes_with_their_multiplicity_as_nest():
    with open(os.path.join(ROOT, "tests", "data", "parrot", "nest.json")) as f:
        want = json.load(f)
    got = parrot.scenario()
    assert got["times"] == want["times"]
    assert got["senders"] == want["senders"]
    assert got["V_m"] == pytest.approx(want["V_m"], abs=1e-9)


def test_parrot_spikes_do_not_change_with_threads():
    def run(threads):
        nest.ResetKernel()
        nest.set(total_num_virtual_procs=threads)
        pg = nest.Create("poisson_generator", params={"rate": 3000.0})
        p = nest.Create("parrot_neuron", 7)
        sr = nest.Create("spike_recorder")
        nest.Connect(pg, p)
        nest.Connect(p, sr)
        nest.Simulate(50.0)
        ev = sr.get("events")
        return sorted(zip(ev["times"], ev["senders"]))

    one = run(1)
    assert len(one) > 500
    assert run(2) == one and run(3) == one


def test_parrot_takes_no_current():
    nest.ResetKernel()
    p = nest.Create("parrot_neuron")
    dc = nest.Create("dc_generator")
    with pytest.raises(nest.NESTErrors.IllegalConnection):
        nest.Connect(dc, p)
