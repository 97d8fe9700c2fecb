"""NEST's short-term plasticity synapses on spindle.nest:
``tsodyks2_synapse`` and ``tsodyks_synapse`` send the weights NEST 3.10
sends and their targets' ``V_m`` is NEST's, bit for bit
(``scripts/nest_reference/short_term.py`` made
``tests/data/short_term/nest.json``); the same on 1 and 3 threads; their
parameters are checked as NEST checks them."""

import json
import os
import sys

import pytest

import spindle.nest as nest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts", "nest_reference"))

import short_term as reference  # noqa: E402


@pytest.fixture(scope="module")
def want():
    with open(os.path.join(ROOT, "tests", "data", "short_term", "nest.json")) as f:
        return json.load(f)


@pytest.mark.parametrize("case", sorted(reference.CASES))
@pytest.mark.parametrize("threads", [1, 3])
def test_weights_and_potentials_are_nests(want, case, threads):
    model, params = reference.CASES[case]
    got = reference.run(nest, model, params, threads)
    assert got["weights"] == want[case]["weights"]
    assert got["V_m"] == want[case]["V_m"]


def test_parameters_read_back_and_are_checked():
    nest.ResetKernel()
    n = nest.Create("iaf_psc_alpha", 2)
    syn = {"synapse_model": "tsodyks_synapse", "U": 0.452, "tau_fac": 0.263, "tau_psc": 2.56,
           "tau_rec": 801.34, "x": 0.567, "y": 0.376, "u": 0.102}
    nest.Connect(n, n, syn_spec=syn)
    conns = nest.GetConnections(synapse_model="tsodyks_synapse")
    for key, value in syn.items():
        if key != "synapse_model":
            assert conns.get(key) == [value] * 4, key
    assert nest.GetDefaults("tsodyks2_synapse")["U"] == 0.5
    for bad in ({"U": 1.5}, {"tau_rec": 0.0}, {"tau_fac": -1.0}):
        with pytest.raises(nest.NESTErrors.BadProperty):
            nest.Connect(n, n, syn_spec=dict(bad, synapse_model="tsodyks2_synapse"))
    with pytest.raises(nest.NESTErrors.BadProperty):
        nest.Connect(n, n, syn_spec={"synapse_model": "tsodyks_synapse", "x": 0.7, "y": 0.5})
