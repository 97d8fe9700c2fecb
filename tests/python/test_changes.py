"""Changes between Simulate calls and the dc_generator, against NEST 3.10:
the scenario of ``scripts/nest_reference/changes_between_runs.py`` (I_e,
V_m, a dc_generator's amplitude and window and a spike_generator's times
changed between runs, a spike recorder emptied with ``n_events = 0``) run
on spindle.nest, compared with NEST's output committed in
``tests/data/changes/nest.json``: V_m to 1e-9, spikes exactly, and the
voltmeter's events in NEST's order (one slice behind, as NEST's
multimeter is).
"""

import importlib.util
import json
import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

import spindle.nest as nest  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def _scenario():
    path = os.path.join(ROOT, "scripts", "nest_reference", "changes_between_runs.py")
    spec = importlib.util.spec_from_file_location("changes_between_runs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.scenario


@pytest.fixture(autouse=True)
def fresh_kernel():
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.WARNING
    yield


with open(os.path.join(ROOT, "tests", "data", "changes", "nest.json")) as f:
    REFERENCE = json.load(f)


@pytest.mark.parametrize("case", sorted(REFERENCE))
def test_changes_between_runs_match_nest(case):
    model, dt = case.split("@")
    got = _scenario()(nest, model, float(dt))
    want = REFERENCE[case]
    assert got["senders"] == want["senders"]
    assert got["times"] == pytest.approx(want["times"], abs=1e-12)
    worst = max(abs(a - b) for a, b in zip(got["V_m"], want["V_m"]))
    assert worst <= 1e-9
    for key in ("spikes_first_run", "spikes_two_runs"):
        assert got[key] == want[key], key
    # The same spikes; NEST lists those of one slice sender by sender,
    # Spindle by time.
    def spikes(d):
        return sorted((round(t, 9), s) for t, s in zip(d["spike_times"], d["spike_senders"]))
    assert spikes(got) == spikes(want)
    assert got["V_m_now"] == pytest.approx(want["V_m_now"], abs=1e-9)


def test_n_events_only_zero():
    sr = nest.Create("spike_recorder")
    with pytest.raises(nest.NESTErrors.BadProperty):
        sr.n_events = 3
    gen = nest.Create("poisson_generator")
    with pytest.raises(nest.NESTErrors.UnaccessedDictionaryEntry):
        gen.n_events = 0


def test_part_of_a_simulated_population_changes_alone():
    n = nest.Create("iaf_psc_alpha", 4)
    nest.Simulate(10.0)
    n[1].I_e = 100.0
    n[1].V_m = -60.0
    assert n.get("I_e") == (0.0, 100.0, 0.0, 0.0)
    assert n.get("V_m")[1] == -60.0
    nest.Simulate(10.0)
    v = n.get("V_m")
    assert v[0] == v[2] == v[3] and v[1] > v[0]


def test_nodes_and_connections_are_fixed_after_a_run():
    n = nest.Create("iaf_psc_alpha", 2)
    nest.Simulate(10.0)
    with pytest.raises(nest.NESTErrors.KernelException):
        nest.Create("iaf_psc_alpha")
    with pytest.raises(nest.NESTErrors.KernelException):
        nest.Connect(n[0], n[1])


def test_dc_generator_defaults_and_errors():
    d = nest.GetDefaults("dc_generator")
    assert d["amplitude"] == 0.0 and d["start"] == 0.0 and d["origin"] == 0.0
    assert d["element_type"] == "stimulator"
    with pytest.raises(nest.NESTErrors.UnaccessedDictionaryEntry):
        nest.Create("dc_generator", params={"rate": 1.0})
    with pytest.raises(nest.NESTErrors.BadProperty):
        nest.Create("dc_generator", params={"start": 5.0, "stop": 1.0})


@pytest.mark.parametrize("model", ["iaf_psc_alpha", "iaf_psc_delta", "iaf_psc_exp"])
def test_e_l_moves_alone(model):
    # NEST 3.10 keeps V_th, V_reset and the membrane potential where they
    # are when E_L changes, at Create and between runs (its relative
    # values move by -delta_EL).
    a = nest.Create(model, params={"E_L": -65.0})
    b = nest.Create(model, params={"E_L": -65.0, "V_th": -50.0})
    nest.Simulate(10.0)
    b.set(E_L=-60.0)
    assert (a.V_th, a.V_reset) == (-55.0, -70.0)
    assert (b.E_L, b.V_th, b.V_reset) == (-60.0, -50.0, -70.0)
    assert a.V_m == pytest.approx(-66.83939720585722, abs=1e-12)
    assert b.V_m == pytest.approx(-66.839397206, abs=1e-9)


# NEST 3.10's classes and messages for what its devices refuse (after
# NEST's "Setting status of a '<model>' with node ID 1: ").
@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: nest.Create("dc_generator", params={"start": 5.0, "stop": 1.0}),
         "BadProperty", "stop >= start required."),
        (lambda: nest.Create("poisson_generator", params={"start": 5.0, "stop": 1.0}),
         "BadProperty", "stop >= start required."),
        (lambda: nest.Create("dc_generator", params={"rate": 1.0}),
         "UnaccessedDictionaryEntry", "rate"),
        (lambda: nest.Create("poisson_generator", params={"rate": -1.0}),
         "BadProperty", "The rate cannot be negative"),
        (lambda: nest.Create("dc_generator", params={"start": 0.05}),
         "BadProperty", "start must be a multiple of the simulation resolution."),
        (lambda: nest.Create("spike_recorder").set(n_events=3),
         "BadProperty", "Property n_events can only be set to 0 (which clears all stored events)."),
        (lambda: nest.Create("spike_generator", params={"spike_times": [3.0, 1.0]}),
         "BadProperty", "Spike times must be sorted in non-descending order"),
        (lambda: nest.Create("spike_generator").set(spike_times=[0.05]),
         "BadProperty", "Time point 0.05 is not representable in current resolution."),
        (lambda: nest.Create("poisson_generator").set(origin=0.05),
         "BadProperty", "origin must be a multiple of the simulation resolution."),
    ],
)
def test_device_errors_as_nest(call, error, message):
    with pytest.raises(getattr(nest.NESTErrors, error)) as e:
        call()
    assert message in str(e.value)
