"""NEST's ``iaf_tum_2000`` on spindle.nest: the traces of postsynaptic
neurons reached on receptor 1 (each spike scaled by its sender's
release) and receptor 0, and the sources' ``x``, ``y``, ``u`` after each
``Simulate``, are NEST 3.10's to 1e-9 (``scripts/nest_reference/iaf_tum_2000.py``
made ``tests/data/iaf_tum_2000/nest.json``), on 1 and 3 threads; NEST's
two examples of the model run with only ``import nest`` changed and give
its voltmeter traces; connections and parameters are refused as NEST
refuses them, and what Spindle does not do is refused as NotImplemented."""

import json
import os
import sys

import pytest

import spindle.nest as nest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts", "nest_reference"))
sys.path.insert(0, os.path.dirname(__file__))

import examples_part2  # noqa: E402
import iaf_tum_2000 as reference  # noqa: E402
from test_examples import EXAMPLES  # noqa: E402


@pytest.fixture(scope="module")
def want():
    with open(os.path.join(ROOT, "tests", "data", "iaf_tum_2000", "nest.json")) as f:
        return json.load(f)


def close(got, ref, tol=1e-9):
    assert len(got) == len(ref)
    return all(abs(a - b) <= tol for a, b in zip(got, ref))


@pytest.mark.parametrize("case", sorted(reference.CASES))
@pytest.mark.parametrize("threads", [1, 3])
def test_traces_and_release_state_are_nests(want, case, threads):
    got = reference.run(nest, *reference.CASES[case], threads=threads)
    ref = want[case]
    assert len(got["traces"]) == len(ref["traces"])
    for row, ref_row in zip(got["traces"], ref["traces"]):
        assert row[:2] == ref_row[:2]
        assert close(row[2:], ref_row[2:]), (row, ref_row)
    for state, ref_state in zip(got["states"], ref["states"], strict=True):
        for n, ref_n in zip(state, ref_state, strict=True):
            assert close(n, ref_n), (n, ref_n)


@pytest.mark.skipif(EXAMPLES is None, reason="NEST 3.10's example scripts not found (set SPINDLE_NEST_EXAMPLES)")
@pytest.mark.parametrize("script", reference.EXAMPLES)
def test_examples_give_nests_voltmeter_trace(want, script):
    got = examples_part2.run(sys.executable, EXAMPLES, script, spindle=True)[1]
    assert got["times"] == want[script]["times"]
    assert close(got["V_m"], want[script]["V_m"])


def test_parameters_are_nests_and_checked():
    nest.ResetKernel()
    n = nest.Create("iaf_tum_2000")
    d = n.get()
    for key, value in {"U": 0.5, "tau_fac": 1000.0, "tau_psc": 2.0, "tau_rec": 400.0, "x": 0.0, "y": 0.0,
                       "u": 0.0, "delta": 0.0, "rho": 0.01, "tau_syn_ex": 2.0, "C_m": 250.0}.items():
        assert d[key] == value, key
    assert sorted(d["recordables"]) == ["I_syn_ex", "I_syn_in", "V_m"]
    for bad, message in [({"U": 1.5}, "'U' must be in [0,1]."), ({"u": 2.0}, "'u' must be in [0,1]."),
                         ({"x": 0.7, "y": 0.5}, "x + y must be <= 1.0."),
                         ({"tau_fac": -1.0}, "'tau_fac' must be >= 0."),
                         ({"tau_psc": 0.0}, "Membrane and synapse time constants must be strictly positive."),
                         ({"delta": -1.0}, "Width of threshold region must not be negative.")]:
        with pytest.raises(nest.NESTErrors.BadProperty, match=message.replace("[", r"\[").replace("]", r"\]")
                           .replace("+", r"\+").replace(".", r"\.")):
            n.set(bad)
    # Escape noise is not implemented.
    with pytest.raises(nest.NESTErrors.BadProperty, match="not implemented"):
        n.set(delta=0.5)


def test_connections_are_refused_as_nest_refuses_them():
    nest.ResetKernel()
    tum = nest.Create("iaf_tum_2000", 2)
    exp = nest.Create("iaf_psc_exp")
    with pytest.raises(nest.NESTErrors.IllegalConnection,
                       match="iaf_tum_2000 neurons must be connected via receptor_type 1"):
        nest.Connect(tum[0], tum[1])
    with pytest.raises(nest.NESTErrors.UnknownReceptorType,
                       match="Receptor type 2 is not available in iaf_tum_2000"):
        nest.Connect(tum[0], tum[1], syn_spec={"receptor_type": 2})
    with pytest.raises(nest.NESTErrors.UnknownReceptorType,
                       match="Receptor type 1 is not available in iaf_psc_exp"):
        nest.Connect(tum[0], exp, syn_spec={"receptor_type": 1})
    # What NEST takes.
    nest.Connect(tum[0], exp)
    nest.Connect(exp, tum[1])
    nest.Connect(exp, tum[1], syn_spec={"receptor_type": 1})
    nest.Connect(tum[0], tum[1], syn_spec={"receptor_type": 1, "weight": 3.0})
    conns = nest.GetConnections(tum[0], tum[1])
    assert conns.get(["receptor", "synapse_model", "weight"]) == {
        "receptor": 1, "synapse_model": "static_synapse", "weight": 3.0}


def test_what_spindle_does_not_do_is_refused():
    nest.ResetKernel()
    tum = nest.Create("iaf_tum_2000", 3, params={"x": 1.0})
    nest.Connect(tum[0], tum[1], syn_spec={"receptor_type": 1})
    cases = [
        # NEST records a spike at its time less the release it carries.
        lambda: nest.Connect(tum, nest.Create("spike_recorder")),
        # The projection holds the release as it was at Connect.
        lambda: tum[0].set(U=0.2),
        lambda: nest.Connect(tum[0], tum[2], syn_spec={"receptor_type": 1, "synapse_model": "tsodyks_synapse"}),
        # A device's spikes carry no release (NEST: weight 0).
        lambda: nest.Connect(nest.Create("spike_generator"), tum[2], syn_spec={"receptor_type": 1}),
    ]
    for case in cases:
        with pytest.raises(nest.NESTErrors.NotImplemented):
            case()
    tum[2].set(U=0.3)
    with pytest.raises(nest.NESTErrors.NotImplemented, match="share their release"):
        nest.Connect(tum[1:], tum[0], syn_spec={"receptor_type": 1})
    # Targets' and other parameters change freely.
    tum[1].set(U=0.2, I_e=10.0)
    tum[0].set(I_e=10.0)
