"""NEST's stochastic and pulse spike generators on spindle.nest:
``sinusoidal_poisson_generator``, ``sinusoidal_gamma_generator``,
``inhomogeneous_poisson_generator``, ``mip_generator``,
``pulsepacket_generator``, ``gamma_sup_generator`` and
``ppd_sup_generator``. Their trains do not change with the number of
threads; their statistics are NEST's (rates, copies, pulse spreads);
their recorded rates follow NEST's formulas; what NEST refuses is refused
with NEST's exception class."""

import numpy as np
import pytest

import spindle.nest as nest

SOURCES = {
    "sinusoidal_poisson_generator": {"rate": 100.0, "amplitude": 50.0, "frequency": 10.0},
    "sinusoidal_gamma_generator": {"rate": 100.0, "amplitude": 50.0, "frequency": 10.0, "order": 3.0},
    "inhomogeneous_poisson_generator": {"rate_times": [100.0, 300.0], "rate_values": [200.0, 50.0]},
    "mip_generator": {"rate": 100.0, "p_copy": 0.5},
    "pulsepacket_generator": {"pulse_times": [100.0, 250.0], "activity": 40, "sdev": 5.0},
    "gamma_sup_generator": {"rate": 5.0, "gamma_shape": 4, "n_proc": 20},
    "ppd_sup_generator": {"rate": 5.0, "dead_time": 10.0, "n_proc": 20, "frequency": 10.0,
                          "relative_amplitude": 0.5},
}


@pytest.fixture(autouse=True)
def reset():
    nest.ResetKernel()


def trains(model, params, threads, n=6, t=500.0, defaults=None):
    nest.ResetKernel()
    nest.local_num_threads = threads
    if defaults:
        nest.SetDefaults(model, defaults)
    g = nest.Create(model, params=params)
    parrots = nest.Create("parrot_neuron", n)
    srs = nest.Create("spike_recorder", n)
    nest.Connect(g, parrots)
    nest.Connect(parrots, srs, "one_to_one")
    nest.Simulate(t / 2)
    nest.Simulate(t / 2)
    return [list(srs[i].events["times"]) for i in range(n)]


@pytest.mark.parametrize("model", sorted(SOURCES))
def test_trains_do_not_change_with_threads(model):
    one = trains(model, SOURCES[model], 1)
    assert sum(map(len, one)) > 0
    assert trains(model, SOURCES[model], 2) == one
    assert trains(model, SOURCES[model], 3) == one


@pytest.mark.parametrize("model", ["sinusoidal_poisson_generator", "sinusoidal_gamma_generator"])
def test_individual_or_shared_trains(model):
    own = trains(model, SOURCES[model], 2)
    assert all(a != b for i, a in enumerate(own) for b in own[i + 1:])
    shared = trains(model, SOURCES[model], 2, defaults={"individual_spike_trains": False})
    assert all(s == shared[0] for s in shared) and shared[0]
    nest.ResetKernel()
    with pytest.raises(nest.NESTErrors.BadProperty):
        nest.Create(model).individual_spike_trains = True


@pytest.mark.parametrize("model", ["sinusoidal_poisson_generator", "sinusoidal_gamma_generator"])
def test_recorded_rate_is_the_sinusoid(model):
    nest.SetDefaults(model, {"rate": 1.0, "amplitude": 0.5, "frequency": 10.0, "phase": 2.0 / np.pi * 180})
    g = nest.Create(model)
    mm = nest.Create("multimeter", params={"record_from": ["rate"]})
    nest.Connect(mm, g)
    nest.Simulate(100.0)
    t = mm.events["times"]
    assert len(t) == 99
    np.testing.assert_allclose(mm.events["rate"], 1.0 + 0.5 * np.sin(t * 2 * np.pi * 10.0 / 1000 + 2.0))


def test_rates_and_counts_are_nests():
    # 20 trains for 2 s: the mean count within 4 standard errors.
    def mean_count(model, params, t=2000.0, n=20):
        return np.mean([len(x) for x in trains(model, params, 2, n=n, t=t)])

    assert abs(mean_count("sinusoidal_poisson_generator", SOURCES["sinusoidal_poisson_generator"]) - 200) < 4 * np.sqrt(200 / 20)
    assert abs(mean_count("sinusoidal_gamma_generator", SOURCES["sinusoidal_gamma_generator"]) - 200) < 4 * np.sqrt(200 / 20)
    ip = mean_count("inhomogeneous_poisson_generator", SOURCES["inhomogeneous_poisson_generator"])
    want = 0.2 * 200 + 1.7 * 50
    assert abs(ip - want) < 4 * np.sqrt(want / 20)
    assert abs(mean_count("mip_generator", SOURCES["mip_generator"]) - 100) < 4 * np.sqrt(100 / 20)
    # 20 components at 5 Hz: 100 Hz per target.
    for model in ("gamma_sup_generator", "ppd_sup_generator"):
        assert abs(mean_count(model, SOURCES[model]) - 200) < 4 * np.sqrt(200 / 20), model


def test_mip_copies_share_the_parent():
    a, b = trains("mip_generator", {"rate": 200.0, "p_copy": 0.5}, 1, n=2, t=10000.0)
    both = len(set(a) & set(b))
    # Parent 2000 spikes; each kept with p = 0.5, a quarter in both.
    assert abs(len(a) - 1000) < 4 * np.sqrt(500) and abs(both - 500) < 4 * np.sqrt(375)


def test_pulse_packets_have_their_size_and_spread():
    (t,) = trains("pulsepacket_generator", {"pulse_times": [200.0], "activity": 400, "sdev": 8.0}, 1, n=1)
    assert len(t) == 400
    # NEST stamps a spike at the grid point after its time's step (+0.15
    # ms on average) and the parrot passes it on 1 ms later.
    assert abs(np.mean(t) - 201.15) < 1.5 and abs(np.std(t) - 8.0) < 1.5


def test_inhomogeneous_poisson_rate_times():
    g = nest.Create("inhomogeneous_poisson_generator")
    g.set(rate_times=[1.0, 2.0], rate_values=[10.0, 20.0])
    assert g.rate_times == [1.0, 2.0] and g.rate_values == [10.0, 20.0]
    for bad in ({"rate_times": [0.15], "rate_values": [1.0]},  # off the grid
                {"rate_times": [2.0, 1.0], "rate_values": [1.0, 2.0]},  # not increasing
                {"rate_times": [1.0]},  # without values
                {"rate_times": [1.0, 2.0], "rate_values": [1.0]}):  # sizes differ
        with pytest.raises(nest.NESTErrors.BadProperty):
            g.set(bad)
    g.set(allow_offgrid_times=True, rate_times=[0.15], rate_values=[1.0])
    assert g.rate_times == [0.2]
    nest.Simulate(5.0)
    with pytest.raises(nest.NESTErrors.BadProperty):
        g.set(rate_times=[4.0], rate_values=[1.0])  # in the past


@pytest.mark.parametrize("model, params", [
    ("sinusoidal_gamma_generator", {"rate": 10.0, "amplitude": 20.0}),
    ("sinusoidal_gamma_generator", {"order": 0.5}),
    ("mip_generator", {"p_copy": 1.5}),
    ("mip_generator", {"rate": -1.0}),
    ("pulsepacket_generator", {"sdev": -1.0}),
    ("pulsepacket_generator", {"activity": -1}),
    ("gamma_sup_generator", {"gamma_shape": 0}),
    ("ppd_sup_generator", {"rate": 100.0, "dead_time": 20.0}),
    ("ppd_sup_generator", {"relative_amplitude": 1.5}),
])
def test_bad_values_are_refused(model, params):
    with pytest.raises(nest.NESTErrors.BadProperty):
        nest.Create(model, params=params)


def test_a_generator_keeps_one_synapse_model():
    g = nest.Create("mip_generator")
    n = nest.Create("iaf_psc_alpha")
    nest.CopyModel("static_synapse", "other")
    nest.Connect(g, n)
    with pytest.raises(nest.NESTErrors.IllegalConnection):
        nest.Connect(g, n, syn_spec="other")


def test_two_multimeters_on_one_neuron():
    n = nest.Create("iaf_psc_alpha", params={"I_e": 400.0})
    mm1 = nest.Create("multimeter", params={"record_from": ["V_m"]})
    mm2 = nest.Create("multimeter", params={"record_from": ["V_m"]})
    nest.Connect(mm1, n)
    nest.Connect(mm2, n)
    with pytest.raises(nest.NESTErrors.IllegalConnection):
        nest.Connect(mm1, n)
    assert nest.GetConnections(mm1).get("receptor") == 1
    assert nest.GetConnections(mm2).get("receptor") == 2
    nest.Simulate(20.0)
    assert len(mm1.events["V_m"]) == 19
    np.testing.assert_array_equal(mm1.events["V_m"], mm2.events["V_m"])
    mm1.n_events = 0
    nest.Simulate(5.0)
    assert len(mm1.events["V_m"]) == 5 and len(mm2.events["V_m"]) == 24
