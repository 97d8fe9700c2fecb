"""``symmetric_pairwise_bernoulli`` and ``make_symmetric`` with
``one_to_one`` on spindle.nest: every connection has its reverse, no
autapses, NEST's conditions on the conn_spec, the same connections on
any number of threads."""

import numpy as np
import pytest

import spindle.nest as nest

RULE = {"rule": "symmetric_pairwise_bernoulli", "p": 0.3, "allow_autapses": False,
        "allow_multapses": True, "make_symmetric": True}


def matrix(threads, pre_post_same=True, n=40):
    nest.ResetKernel()
    nest.local_num_threads = threads
    a = nest.Create("iaf_psc_alpha", n)
    b = a if pre_post_same else nest.Create("iaf_psc_alpha", n)
    nest.Connect(a, b, RULE)
    first = a[0].global_id
    m = np.zeros((2 * n, 2 * n), int)
    c = nest.GetConnections()
    for s, t in zip(c.sources(), c.targets()):
        m[s - first, t - first] += 1
    return m


def test_symmetric_without_autapses_and_thread_invariant():
    m = matrix(1)
    assert (m == m.T).all() and not np.diag(m).any()
    assert m.max() <= 2
    assert (matrix(3) == m).all()


def test_two_populations_both_ways_at_p():
    m = matrix(2, pre_post_same=False, n=60)
    forward, back = m[:60, 60:], m[60:, :60]
    assert (forward == back.T).all()
    # 3,600 pairs at p = 0.3: 1,080 expected, sd 27.5.
    assert abs(forward.sum() - 1080) < 4 * 27.5


@pytest.mark.parametrize("change", [{"allow_autapses": True}, {"allow_multapses": False},
                                    {"make_symmetric": False}])
def test_nests_conditions(change):
    nest.ResetKernel()
    n = nest.Create("iaf_psc_alpha", 5)
    with pytest.raises(nest.NESTErrors.BadProperty):
        nest.Connect(n, n, dict(RULE, **change))


def test_one_to_one_make_symmetric():
    nest.ResetKernel()
    a = nest.Create("iaf_psc_alpha", 3)
    b = nest.Create("iaf_psc_alpha", 3)
    nest.Connect(a, b, {"rule": "one_to_one", "make_symmetric": True}, {"weight": [1.0, 2.0, 3.0]})
    back = nest.GetConnections(b, a)
    assert list(back.sources()) == [4, 5, 6] and list(back.targets()) == [1, 2, 3]
    assert back.weight == [1.0, 2.0, 3.0]
