"""Random parameters (``nest.random``, ``nest.math``) in spindle.nest: node
values at Create and set, weights and delays drawn per connection, and the
same spikes for any number of threads."""

import numpy as np
import pytest

import spindle.nest as nest


@pytest.fixture(autouse=True)
def fresh_kernel():
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.WARNING
    yield


def test_node_values_follow_their_distribution_and_the_seed():
    nest.rng_seed = 3
    pop = nest.Create("iaf_psc_exp", 4000, params={"V_m": nest.random.normal(-60.0, 5.0)})
    v = np.array(pop.V_m)
    assert len(set(v)) == len(v)
    assert abs(v.mean() + 60.0) < 5 * 5.0 / np.sqrt(len(v))
    assert abs(v.std() - 5.0) < 0.25
    pop.set(V_m=nest.random.uniform(-70.0, -50.0))
    u = np.array(pop.V_m)
    assert u.min() >= -70.0 and u.max() < -50.0 and abs(u.mean() + 60.0) < 0.5
    # Another draw of the same parameter gives other values.
    pop.set(V_m=nest.random.uniform(-70.0, -50.0))
    assert not np.array_equal(u, np.array(pop.V_m))
    # A non-state parameter, drawn with arithmetic and math functions.
    pop[:10].set(I_e=nest.math.max(nest.random.normal(0.0, 1.0) * 100.0 + 50.0, 0.0))
    i_e = np.array(pop[:10].I_e)
    assert (i_e >= 0.0).all() and len(set(i_e)) > 1
    assert pop[10].I_e == 0.0

    nest.ResetKernel()
    nest.rng_seed = 3
    again = nest.Create("iaf_psc_exp", 4000, params={"V_m": nest.random.normal(-60.0, 5.0)})
    assert np.array_equal(np.array(again.V_m), v)


def test_parameters_compose_and_sample():
    p = 2.0 * nest.random.exponential(1.5) + 1.0
    values = [p.GetValue() for _ in range(3000)]
    assert min(values) >= 1.0
    assert abs(np.mean(values) - 4.0) < 0.3
    r = nest.math.redraw(nest.random.normal(0.0, 1.0), min=0.5, max=1.0)
    assert all(0.5 <= r.GetValue() <= 1.0 for _ in range(200))
    k = nest.random.uniform_int(4)
    assert {k.GetValue() for _ in range(200)} == {0.0, 1.0, 2.0, 3.0}
    assert np.exp(0.0) == nest.math.exp(nest.random.uniform(0.0, 1e-300)).GetValue()


def test_bad_parameters_raise_nest_errors():
    with pytest.raises(nest.NESTError):
        nest.Create("iaf_psc_alpha", 2, params={"V_m": nest.random.normal(0.0, -1.0)})
    pop = nest.Create("iaf_psc_alpha", 2)
    with pytest.raises(nest.NESTError):
        pop.set(no_such=nest.random.uniform())
    never = nest.math.redraw(nest.random.uniform(0.0, 1.0), min=2.0, max=3.0)
    with pytest.raises(nest.NESTError, match="redraws"):
        pop.set(V_m=never)
    with pytest.raises(nest.NESTError):
        nest.Connect(pop, pop, syn_spec={"delay": nest.random.uniform(-2.0, -1.0)})


def _network(threads):
    """A small microcircuit-like network: random V_m, normal weights kept
    to their sign, normal delays above half a step, Poisson drive."""
    nest.ResetKernel()
    nest.set(local_num_threads=threads, rng_seed=7)
    ex = nest.Create("iaf_psc_exp", 800, params={"tau_syn_ex": 0.5, "tau_syn_in": 0.5})
    inh = nest.Create("iaf_psc_exp", 200, params={"tau_syn_ex": 0.5, "tau_syn_in": 0.5})
    pop = ex + inh
    pop.set(V_m=nest.random.normal(-58.0, 10.0))
    w = nest.math.redraw(nest.random.normal(87.8, 8.78), min=0.0, max=np.inf)
    d_ex = nest.math.redraw(nest.random.normal(1.5, 0.75), min=0.05, max=np.inf)
    d_in = nest.math.redraw(nest.random.normal(0.75, 0.375), min=0.05, max=np.inf)
    nest.Connect(ex, pop, {"rule": "fixed_indegree", "indegree": 80}, {"weight": w, "delay": d_ex})
    nest.Connect(inh, pop, {"rule": "fixed_indegree", "indegree": 20},
                 {"weight": -4.0 * w, "delay": d_in})
    pg = nest.Create("poisson_generator", params={"rate": 8000.0})
    nest.Connect(pg, pop, syn_spec={"weight": 87.8, "delay": 1.5})
    sr = nest.Create("spike_recorder")
    nest.Connect(pop, sr)
    nest.Simulate(300.0)
    ev = sr.events
    return sorted(zip(ev["times"], ev["senders"])), nest.num_connections


def test_drawn_network_spikes_are_identical_for_any_thread_count():
    spikes, n = _network(1)
    assert n == 1000 * 100 + 1000 + 1000  # and the generator's and recorder's
    assert len(spikes) > 300, len(spikes)
    assert nest.GetKernelStatus("min_delay") == pytest.approx(0.1)
    for threads in (2, 3):
        assert _network(threads)[0] == spikes, f"{threads} threads"
