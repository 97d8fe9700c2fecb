"""weight_recorder and the recorders' start/stop/origin on spindle.nest:
the events of STDP synapses that name a weight recorder (senders, targets,
times, weights, receptors; filtered by senders, targets and a window),
a windowed spike_recorder and multimeter, equal to NEST 3.10's
(``scripts/nest_reference/weight_recorder.py``,
``tests/data/weight_recorder/nest.json``) on 1 and 3 threads; node-model
copies; what NEST refuses."""

import json
import os
import sys

import pytest

import spindle.nest as nest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts", "nest_reference"))

import weight_recorder  # noqa: E402


@pytest.fixture(scope="module")
def want():
    with open(os.path.join(ROOT, "tests", "data", "weight_recorder", "nest.json")) as f:
        return json.load(f)


@pytest.mark.parametrize("threads", [1, 3])
def test_weight_and_windowed_recorders_as_nest(want, threads):
    got = weight_recorder.scenario(threads)
    for key in ("wr", "wr_some", "sr"):
        assert got[key] == want[key], key
    assert got["n_events"] == want["n_events"]
    assert got["mm"]["times"] == want["mm"]["times"]
    assert got["mm"]["V_m"] == pytest.approx(want["mm"]["V_m"], abs=1e-9)
    assert len(want["wr"]["weights"]) > 20 and len(set(want["wr"]["weights"])) > 10


def test_recorder_window_defaults_and_refusals():
    nest.ResetKernel()
    assert nest.GetDefaults("spike_recorder", ["start", "stop", "origin"]) == [0.0, 1.7976931348623157e308, 0.0]
    nest.SetDefaults("multimeter", {"start": 5.0})
    assert nest.Create("multimeter").start == 5.0
    with pytest.raises(nest.NESTErrors.BadProperty):
        nest.Create("spike_recorder", params={"start": 10.0, "stop": 5.0})


def test_weight_recorder_on_static_synapses_is_refused():
    nest.ResetKernel()
    wr = nest.Create("weight_recorder")
    with pytest.raises(nest.NESTErrors.NotImplemented):
        nest.CopyModel("static_synapse", "static_rec", {"weight_recorder": wr})
    n = nest.Create("iaf_psc_alpha")
    with pytest.raises(nest.NESTErrors.IllegalConnection):
        nest.CopyModel("stdp_synapse", "stdp_rec", {"weight_recorder": n})


def test_node_model_copies():
    nest.ResetKernel()
    nest.CopyModel("iaf_psc_alpha", "my_iaf", {"I_e": 376.0})
    nest.CopyModel("my_iaf", "my_iaf2", {"tau_m": 5.0})
    nest.CopyModel("spike_recorder", "my_sr", {"start": 3.0})
    assert "my_iaf" in nest.node_models and "my_sr" in nest.node_models
    nest.SetDefaults("my_iaf2", {"C_m": 200.0})
    a, b = nest.Create("my_iaf"), nest.Create("my_iaf2", 2)
    assert a.model == "my_iaf" and b.model == ("my_iaf2", "my_iaf2")
    assert a.I_e == 376.0 and b.get("tau_m") == (5.0, 5.0) and b.C_m == (200.0, 200.0)
    assert nest.GetDefaults("iaf_psc_alpha", "I_e") == 0.0
    sr = nest.Create("my_sr")
    assert sr.model == "my_sr" and sr.start == 3.0
    with pytest.raises(nest.NESTErrors.NewModelNameExists):
        nest.CopyModel("iaf_psc_alpha", "my_iaf")
    nest.ResetKernel()
    assert "my_iaf" not in nest.node_models
