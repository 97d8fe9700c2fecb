"""spindle.nest's plastic synapses: every case of
``tests/data/stdp/cases.json`` (NEST 3.10's weights and archive lengths
after each ``Simulate`` chunk, written by
``scripts/nest_reference/stdp_traces.py``) built with the generator's own
NEST calls (``SetDefaults`` and ``CopyModel`` on synapse models,
``Connect`` with ``stdp_synapse``'s parameters in ``syn_spec``,
``tau_minus`` set on neurons) and read back through ``GetConnections``:
the weights within 1e-12 relative; then ``GetConnections`` filters,
``.get``/``.set(weight=...)`` and NEST's errors.
"""

import importlib.util
import json
import os

import pytest

import spindle.nest as nest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CASES = json.load(open(os.path.join(ROOT, "tests", "data", "stdp", "cases.json")))["cases"]


def _generator():
    """The generator script, for its ``run`` (which calls ``nest.*``)."""
    path = os.path.join(ROOT, "scripts", "nest_reference", "stdp_traces.py")
    src = open(path).read().replace("import nest\n", "import spindle.nest as nest\n")
    spec = importlib.util.spec_from_loader("stdp_traces_spindle", loader=None)
    mod = importlib.util.module_from_spec(spec)
    mod.__file__ = path
    exec(compile(src, path, "exec"), mod.__dict__)
    return mod


@pytest.fixture(autouse=True)
def fresh():
    nest.ResetKernel()
    yield


@pytest.mark.parametrize("name", sorted(CASES))
def test_weights_match_nest(name):
    case = CASES[name]
    chunks, spikes, _ = _generator().run(case)
    want = case["nest"]["chunks"]
    assert len(chunks) == len(want)
    for k, (got, ref) in enumerate(zip(chunks, want)):
        assert abs(got["time"] - ref["time"]) < 1e-9
        assert [w[:2] for w in got["weights"]] == [w[:2] for w in ref["weights"]]
        for (s, t, w), (_, _, v) in zip(got["weights"], ref["weights"]):
            assert abs(w - v) <= 1e-12 * abs(v), f"chunk {k}, {s} -> {t}: {w} vs NEST {v}"
        assert got["archiver_length"] == ref["archiver_length"], f"chunk {k}"
    assert len(spikes) == len(case["nest"]["spikes"])


def test_get_connections_filters_get_and_set():
    pre = nest.Create("iaf_psc_alpha", 3)
    post = nest.Create("iaf_psc_alpha", 2, params={"tau_minus": 15.0})
    assert post.get("tau_minus") == (15.0, 15.0)
    assert nest.GetDefaults("stdp_synapse")["Wmax"] == 100.0
    nest.Connect(pre, post, syn_spec={"synapse_model": "stdp_synapse", "weight": 2.0, "Wmax": 4.0})
    nest.Connect(pre[:1], post[:1], syn_spec={"weight": 5.0})
    stdp = nest.GetConnections(source=pre, target=post, synapse_model="stdp_synapse")
    assert len(stdp) == 6
    assert stdp.get("weight") == [2.0] * 6
    assert stdp.get("source") == [pre[0].global_id] * 2 + [pre[1].global_id] * 2 + [pre[2].global_id] * 2
    one = nest.GetConnections(source=pre[1:2], target=post[1:2])
    assert one.get("weight") == 2.0
    one.set(weight=3.5)
    stdp.get(["source", "weight"])["weight"][3] == 3.5
    assert nest.GetConnections(source=pre[1:2], target=post[1:2]).get("weight") == 3.5
    stdp.set(weight=[1.0, 1.5, 2.0, 2.5, 3.0, 3.5])
    assert stdp.get("weight") == [1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
    static = nest.GetConnections(synapse_model="static_synapse")
    assert static.get("weight") == 5.0
    with pytest.raises(nest.NESTErrors.BadProperty):
        static.set(weight=1.0)
    with pytest.raises(nest.NESTErrors.BadProperty):
        stdp.set(weight=-1.0)
    nest.Simulate(50.0)
    assert len(stdp.get("weight")) == 6


def test_errors():
    a = nest.Create("iaf_psc_alpha", 2)
    with pytest.raises(nest.NESTErrors.BadProperty):
        nest.Connect(a, a, syn_spec={"synapse_model": "stdp_synapse", "weight": -1.0})
    # NEST 3.10's class and message for a common property per connection.
    with pytest.raises(nest.NESTErrors.NotImplemented,
                       match='Synapse parameter "alpha" can only be set via SetDefaults'):
        nest.Connect(a, a, syn_spec={"synapse_model": "stdp_pl_synapse_hom", "alpha": 0.5})
    with pytest.raises(nest.NESTErrors.UnaccessedDictionaryEntry):
        nest.Connect(a, a, syn_spec={"synapse_model": "static_synapse", "Wmax": 0.5})
    with pytest.raises(nest.NESTErrors.BadProperty):
        nest.SetDefaults("stdp_pl_synapse_hom", {"tau_plus": 0.0})
    with pytest.raises(nest.NESTErrors.BadProperty):
        nest.Create("iaf_psc_alpha", 1, params={"tau_minus": -1.0})
    nest.CopyModel("stdp_pl_synapse_hom_hpc", "mine", {"alpha": 0.2})
    assert nest.GetDefaults("mine")["alpha"] == 0.2
