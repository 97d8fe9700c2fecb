"""What GetConnections returns on spindle.nest behaves as NEST 3.10's
SynapseCollection: indexing, slicing, iterating, equality, sources() and
targets(), values as attributes, get() with NEST's keys (one value for
one connection, a list for several, () or {} for none, a DataFrame with
output="pandas"); and the pairwise_poisson rule (its count and NEST's
refusals). What NEST prints for the same calls is written beside each
assertion (NEST 3.10 wheel, by hand)."""

import pytest

import spindle.nest as nest


@pytest.fixture(autouse=True)
def _reset():
    nest.ResetKernel()


def _three_all_to_all():
    a = nest.Create("iaf_psc_alpha", 3)
    nest.Connect(a, a, "all_to_all", {"weight": 2.0})
    return nest.GetConnections()


def test_values_per_connection_and_as_attributes():
    c = _three_all_to_all()
    assert c.weight == [2.0] * 9
    assert list(c.sources()) == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert list(c.targets()) == [1, 2, 3] * 3
    one = c[0].get()
    # NEST: {'delay': 1.0, 'port': 0, 'receptor': 0, 'sizeof': 32,
    # 'source': 1, 'synapse_id': 29, 'synapse_model': 'static_synapse',
    # 'target': 1, 'target_thread': 0, 'weight': 2.0}
    assert sorted(one) == ["delay", "port", "receptor", "sizeof", "source", "synapse_id",
                           "synapse_model", "target", "target_thread", "weight"]
    assert (one["source"], one["target"], one["weight"], one["delay"]) == (1, 1, 2.0, 1.0)
    assert isinstance(c[0].get("weight"), float)
    assert c[1:3].get(["source", "target"]) == {"source": [1, 1], "target": [2, 3]}
    assert c.get(["port"])["port"] == list(range(9))


def test_indexing_iterating_and_equality():
    c = _three_all_to_all()
    assert len(c[2:5]) == 3 and len(c[-1]) == 1
    assert [x.target for x in c][:3] == [1, 2, 3]
    assert c[0] == c[0] and c[0] != c[1]
    assert c == nest.GetConnections()
    with pytest.raises(IndexError):
        c[9]
    with pytest.raises(TypeError):
        c["weight"]


def test_empty_collection_and_pandas():
    _three_all_to_all()
    e = nest.GetConnections(synapse_model="stdp_synapse")
    assert (len(e), e.get(), e.get("weight")) == (0, {}, ())
    df = nest.GetConnections().get(["source", "weight"], output="pandas")
    assert list(df.columns) == ["source", "weight"] and len(df) == 9


def test_plastic_parameters_per_connection():
    a = nest.Create("iaf_psc_alpha", 2)
    nest.Connect(a, a, "one_to_one", {"synapse_model": "stdp_synapse", "Wmax": 50.0,
                                      "weight": 3.0})
    c = nest.GetConnections()
    assert c.get("Wmax") == [50.0, 50.0]
    assert c.tau_plus == [20.0, 20.0]
    with pytest.raises(AttributeError):
        c.no_such_key
    c.weight = 4.0
    assert c.weight == [4.0, 4.0]


def test_pairwise_poisson_counts_and_refusals():
    b = nest.Create("iaf_psc_alpha", 100)
    nest.Connect(b, b, {"rule": "pairwise_poisson", "pairwise_avg_num_conns": 0.5})
    n = len(nest.GetConnections(b, b))
    # Poisson(5000): 6 standard deviations either side.
    assert abs(n - 5000) < 6 * 5000 ** 0.5
    with pytest.raises(nest.NESTErrors.BadProperty, match="Multapses must be allowed"):
        nest.Connect(b, b, {"rule": "pairwise_poisson", "pairwise_avg_num_conns": 0.5,
                            "allow_multapses": False})
    with pytest.raises(nest.NESTErrors.BadProperty, match="pairwise_avg_num_conns"):
        nest.Connect(b, b, {"rule": "pairwise_poisson", "pairwise_avg_num_conns": -1.0})


def test_node_collection_get_pandas_and_json():
    # NEST 3.10: a DataFrame indexed by node id, a column per name; json of
    # what get gives without it.
    n = nest.Create("iaf_psc_alpha", 2)
    df = n.get(["V_m", "C_m"], output="pandas")
    assert list(df.columns) == ["V_m", "C_m"] and list(df.index) == [1, 2]
    assert list(n.get("V_m", output="pandas")["V_m"]) == [-70.0, -70.0]
    assert n.get(["V_m"], output="json") == '{"V_m": [-70.0, -70.0]}'
    assert n[0].get("V_m", output="json") == "-70.0"
    assert n.get("V_m", output="json") == "[-70.0, -70.0]"
    assert n[0].get(["V_m"], output="json") == '{"V_m": -70.0}'
