"""spindle.nest: the PyNEST surface NEST 3.10's example scripts use, checked
against what NEST 3.10 gives (its values and messages hard-coded here from
runs of NEST 3.10.0; NEST itself is not needed to run these tests).

Run by .ci/run with the other Python tests:
    pytest tests/python
"""

import os
import re
import warnings

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

import spindle.nest as nest  # noqa: E402

STAMP = r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]"


@pytest.fixture(autouse=True)
def fresh_kernel():
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.INFO
    yield
    nest.verbosity = nest.VerbosityLevel.INFO


def quiet():
    nest.verbosity = nest.VerbosityLevel.WARNING


def nest_error(name):
    return getattr(nest.NESTErrors, name)


# ------------------------------------------------- 1. verbosity, messages

def test_verbosity_levels_are_nests():
    # NEST 3.10: list(nest.VerbosityLevel)
    assert [(m.name, int(m)) for m in nest.VerbosityLevel] == [
        ("ALL", 0), ("DEBUG", 5), ("STATUS", 7), ("INFO", 10), ("PROGRESS", 15),
        ("DEPRECATED", 18), ("WARNING", 20), ("ERROR", 30), ("FATAL", 40), ("QUIET", 100),
    ]
    assert isinstance(nest.VerbosityLevel.INFO, int)
    assert str(nest.VerbosityLevel.INFO) == "10" and f"{nest.VerbosityLevel.INFO}" == "10"
    assert nest.VerbosityLevel(20) is nest.VerbosityLevel.WARNING
    assert nest.VerbosityLevel["ERROR"] == 30


def test_verbosity_is_a_kernel_attribute_that_survives_reset():
    assert nest.verbosity is nest.VerbosityLevel.INFO  # NEST's default
    nest.verbosity = nest.VerbosityLevel.ERROR
    assert nest.GetKernelStatus("verbosity") is nest.VerbosityLevel.ERROR
    assert nest.GetKernelStatus()["verbosity"] is nest.VerbosityLevel.ERROR
    assert nest.kernel_status["verbosity"] is nest.VerbosityLevel.ERROR
    assert nest.GetKernelStatus(["verbosity", "resolution"]) == (nest.VerbosityLevel.ERROR, 0.1)
    nest.SetKernelStatus({"verbosity": nest.VerbosityLevel.DEBUG})
    assert nest.verbosity is nest.VerbosityLevel.DEBUG
    nest.ResetKernel()  # NEST keeps it
    assert nest.verbosity is nest.VerbosityLevel.DEBUG


@pytest.mark.parametrize("value", [20, 13, "M_INFO", "WARNING", None])
def test_verbosity_takes_only_levels(value):
    # NEST 3.10: TypeMismatch, "Failed to cast 'verbosity' from long to
    # type nest::VerbosityLevel" (from std::string for strings)
    with pytest.raises(nest.NESTErrors.TypeMismatch, match="VerbosityLevel"):
        nest.verbosity = value
    with pytest.raises(nest.NESTErrors.TypeMismatch, match="VerbosityLevel"):
        nest.SetKernelStatus({"verbosity": value})
    assert nest.verbosity is nest.VerbosityLevel.INFO


def test_get_and_set_verbosity_are_deprecated_but_work():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert nest.get_verbosity() == 10
        nest.set_verbosity("M_WARNING")
    assert nest.verbosity is nest.VerbosityLevel.WARNING
    texts = [str(x.message) for x in w]
    # NEST 3.10's texts (UserWarning, once per function)
    assert "\nProvided for backward compatibility only. Look up `nest.verbosity` instead." in texts
    assert ("\nProvided for backward compatibility only. Set `nest.verbosity = "
            "nest.VerbosityLevel.XYZ` instead.") in texts
    assert all(x.category is UserWarning for x in w)
    # NEST 3.10: IndexError without "M_", AttributeError for an unknown level
    with pytest.raises(IndexError, match="M_WARNING"):
        nest.set_verbosity("WARNING")
    with pytest.raises(AttributeError, match="FOO"):
        nest.set_verbosity("M_FOO")
    assert nest.verbosity is nest.VerbosityLevel.WARNING


def test_message_prints_as_nest_does(capsys):
    nest.message("hello text")
    nest.message("warn text", nest.VerbosityLevel.WARNING)
    nest.message("err text", nest.VerbosityLevel.ERROR)
    nest.message("odd level", 25)
    nest.message("hidden", nest.VerbosityLevel.DEBUG)
    nest.message("multi\nline")
    out, err = capsys.readouterr()
    # NEST 3.10: below WARNING on stdout, from WARNING on stderr;
    # "[LEVEL] [date time] text"; an unnamed level is "Undefined (n)"
    assert re.fullmatch(rf"\[INFO\] {STAMP} hello text\n\[INFO\] {STAMP} multi\nline\n", out), out
    assert re.fullmatch(
        rf"\[WARNING\] {STAMP} warn text\n\[ERROR\] {STAMP} err text\n"
        rf"\[Undefined \(25\)\] {STAMP} odd level\n", err), err

    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.message("hidden warn", nest.VerbosityLevel.WARNING)
    nest.message("err2", nest.VerbosityLevel.ERROR)
    out, err = capsys.readouterr()
    assert out == "" and re.fullmatch(rf"\[ERROR\] {STAMP} err2\n", err)

    # At DEBUG or below NEST adds "file:line @ function".
    nest.verbosity = nest.VerbosityLevel.DEBUG

    def f():
        nest.message("from f", nest.VerbosityLevel.WARNING)
    f()
    nest.message("given", function="myfunc", filename="a.py", lineno=3)
    out, err = capsys.readouterr()
    assert re.fullmatch(r"\[WARNING\] \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+test_nest_surface\.py:\d+ @ f\] from f\n", err), err
    assert re.fullmatch(r"\[INFO\] \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d a\.py:3 @ myfunc\] given\n", out), out

    nest.verbosity = nest.VerbosityLevel.QUIET
    nest.message("fatal", nest.VerbosityLevel.FATAL)
    nest.message("quiet", nest.VerbosityLevel.QUIET)
    out, err = capsys.readouterr()
    assert out == "" and re.fullmatch(rf"\[QUIET\] {STAMP} quiet\n", err)


def test_message_bad_input_raises_nests_classes():
    # NEST 3.10: message(text, -3) TypeError; message(5) AttributeError;
    # the old three-argument form TypeError.
    with pytest.raises(TypeError, match="severity"):
        nest.message("x", -3)
    with pytest.raises(TypeError, match="severity"):
        nest.message("x", "M_WARNING")
    with pytest.raises(AttributeError, match="str"):
        nest.message(5)
    with pytest.raises(TypeError):
        nest.message(20, "sender", "text")


def test_simulate_prints_nests_kernel_messages(capsys):
    n = nest.Create("iaf_psc_alpha", 3)
    pg = nest.Create("poisson_generator", params={"rate": 100.0})
    nest.Create("spike_recorder")
    nest.Connect(pg, n)
    capsys.readouterr()
    nest.Simulate(10.0)
    out, err = capsys.readouterr()
    # NEST 3.10, 3 neurons and 2 devices on 1 thread
    assert re.fullmatch(
        rf"\[INFO\] {STAMP} Preparing 5 nodes for simulation\.\n"
        rf"\[INFO\] {STAMP} Number of local nodes: 5\n"
        r"Simulation time \(ms\): 10\n"
        r"Number of OpenMP threads: 1\n"
        r"Not using MPI\n"
        rf"\[INFO\] {STAMP} Simulation finished\.\n", out), out
    assert err == ""
    # Not a multiple of min_delay (1 ms here): NEST's warning, on stderr.
    nest.Simulate(5.5)
    out, err = capsys.readouterr()
    assert "Simulation time (ms): 5.5\n" in out
    assert re.fullmatch(
        rf"\[WARNING\] {STAMP} The requested simulation time is not an integer multiple of the "
        r"minimal delay in the network\. This may result in inconsistent results under the "
        r"following conditions: \(i\) A network contains more than one source of randomness, "
        r"e\.g\., two different poisson_generators, and \(ii\) Simulate is called repeatedly "
        r"with simulation times that are not multiples of the minimal delay\.\n", err), err
    # Quiet at WARNING, as NEST's example scripts set it.
    quiet()
    nest.Simulate(1.0)
    assert capsys.readouterr() == ("", "")


def test_kernel_messages_count_devices_per_thread_and_one_node(capsys):
    # NEST 3.10: every thread holds a copy of each device: 3 neurons and 3
    # devices on 2 threads are 9 local nodes. One node is "1 node".
    nest.local_num_threads = 2
    nest.Create("iaf_psc_alpha", 3)
    for m in ("poisson_generator", "spike_recorder", "multimeter"):
        nest.Create(m)
    nest.Prepare()
    nest.Run(3.0)
    nest.Cleanup()
    out, _ = capsys.readouterr()
    assert re.search(rf"^\[INFO\] {STAMP} Preparing 9 nodes for simulation\.$", out, re.M)
    assert re.search(rf"^\[INFO\] {STAMP} Number of local nodes: 9$", out, re.M)
    assert "Number of OpenMP threads: 2\n" in out
    nest.ResetKernel()
    nest.Create("iaf_psc_alpha")
    nest.Simulate(1.0)
    out, _ = capsys.readouterr()
    assert re.search(rf"^\[INFO\] {STAMP} Preparing 1 node for simulation\.$", out, re.M)
    # NEST 3.10 prints no Preparing line for Run without Prepare.
    nest.Run(1.0)
    out, _ = capsys.readouterr()
    assert "Preparing" not in out and "Simulation finished." in out


def test_resolution_change_message(capsys):
    nest.resolution = 0.1
    nest.SetKernelStatus({"resolution": 0.05})
    out, _ = capsys.readouterr()
    # NEST 3.10's lines
    assert re.fullmatch(
        rf"\[INFO\] {STAMP} Temporal resolution changed from 0\.1 to 0\.1 ms\.\n"
        rf"\[INFO\] {STAMP} Temporal resolution changed from 0\.1 to 0\.05 ms\.\n", out), out


def test_rank_processes_and_memory_size():
    # NEST 3.10 in one process: Rank() 0, NumProcesses() 1
    assert nest.Rank() == 0 and nest.NumProcesses() == 1 and nest.num_processes == 1
    assert nest.GetKernelStatus("mpi_rank") == 0
    # NEST's memory_size is the process's VmSize in kB.
    size = nest.memory_size
    assert isinstance(size, int)
    if os.path.exists("/proc/self/status"):
        vm_kb = int(re.search(r"VmSize:\s+(\d+) kB", open("/proc/self/status").read()).group(1))
        assert abs(size - vm_kb) < 0.1 * vm_kb
    else:
        assert size == -1  # NEST's "unavailable"
    # NEST 3.10: AttributeError "`memory_size` is a read only kernel attribute."
    for name in ("memory_size", "num_processes", "kernel_status"):
        with pytest.raises(AttributeError, match=f"`{name}` is a read only kernel attribute."):
            setattr(nest, name, 1)
    with pytest.raises(AttributeError):
        nest.mpi_rank  # NEST has no such module attribute


# NEST 3.10's timer keys (a build without detailed timers) ...
NEST_TIMERS = [
    "time_communicate_prepare", "time_construction_connect", "time_construction_create",
    "time_simulate",
]
# ... and those of a build with detailed timers (-Dwith-detailed-timers=ON).
NEST_DETAILED_TIMERS = [
    "time_collocate_spike_data", "time_communicate_spike_data", "time_communicate_target_data",
    "time_deliver_secondary_data", "time_deliver_spike_data", "time_gather_secondary_data",
    "time_gather_spike_data", "time_gather_target_data", "time_mpi_synchronization",
    "time_omp_synchronization_construction", "time_omp_synchronization_simulation", "time_update",
]
# NEST keeps these per thread (numpy arrays); the others are numbers.
PER_THREAD = {
    "time_communicate_prepare", "time_deliver_secondary_data", "time_deliver_spike_data",
    "time_gather_target_data", "time_omp_synchronization_construction",
    "time_omp_synchronization_simulation", "time_update",
}


def test_kernel_status_holds_nests_keys_and_timers():
    ks = nest.kernel_status
    assert isinstance(ks, dict) and ks.keys() == nest.GetKernelStatus().keys()
    expected = {k + s for k in NEST_TIMERS + NEST_DETAILED_TIMERS for s in ("", "_cpu")}
    assert expected <= ks.keys()
    assert {"mpi_rank", "num_processes", "memory_size", "verbosity"} <= ks.keys()
    for key in expected:
        value = ks[key]
        if key.removesuffix("_cpu") in PER_THREAD:
            assert isinstance(value, np.ndarray) and value.tolist() == [0.0], key
        else:
            assert isinstance(value, float) and value == 0.0, key


def test_timers_measure_construction_and_simulation():
    quiet()
    nest.local_num_threads = 2
    n = nest.Create("iaf_psc_alpha", 200, params={"I_e": 400.0})
    ks = nest.kernel_status
    assert ks["time_construction_create"] > 0 and ks["time_construction_connect"] == 0
    nest.Connect(n, n, {"rule": "fixed_indegree", "indegree": 20}, {"weight": 1.0})
    ks = nest.kernel_status
    assert ks["time_construction_connect"] > 0 and ks["time_construction_connect_cpu"] > 0
    assert ks["time_simulate"] == 0
    nest.Simulate(50.0)
    ks = nest.kernel_status
    assert ks["time_simulate"] > 0 and ks["time_simulate_cpu"] > 0
    for key in ("time_update", "time_deliver_spike_data", "time_omp_synchronization_simulation"):
        assert ks[key].shape == (2,), key
    assert (ks["time_update"] > 0).all() and (ks["time_update_cpu"] > 0).all()
    assert ks["time_gather_spike_data"] > 0
    assert ks["time_update"].sum() <= 2 * ks["time_simulate"] * 1.05
    assert nest.GetKernelStatus("time_simulate") == pytest.approx(ks["time_simulate"])
    nest.ResetKernel()
    assert nest.kernel_status["time_simulate"] == 0.0
    assert nest.kernel_status["time_construction_create"] == 0.0


# ----------------------------------------------------------- 2. Create

def test_create_takes_a_dict_as_second_argument():
    a = nest.Create("iaf_psc_alpha", {"I_e": 5.0})
    assert len(a) == 1 and a.get("I_e") == 5.0  # NEST 3.10
    # NEST 3.10's ValueError
    with pytest.raises(ValueError, match="second argument only if"):
        nest.Create("iaf_psc_alpha", {"I_e": 1.0}, params={"I_e": 2.0})


def test_create_with_one_dict_per_node():
    nest.Create("iaf_psc_alpha")
    b = nest.Create("iaf_psc_alpha", 3, params=[{"I_e": 1.0}, {"I_e": 2.0, "tau_m": 12.0}, {}])
    # NEST 3.10: contiguous ids 2..4 and these values
    assert b.tolist() == [2, 3, 4]
    assert b.get(["I_e", "tau_m"]) == {"I_e": (1.0, 2.0, 0.0), "tau_m": (10.0, 12.0, 10.0)}
    assert nest.Create("iaf_psc_alpha").tolist() == [5]
    r = nest.Create("spike_recorder", 2, params=[{"label": "a"}, {"label": "b"}])
    assert r.get("label") == ("a", "b")


def test_create_with_one_value_per_node_in_a_dict():
    c = nest.Create("iaf_psc_alpha", 3, params={"I_e": [1.0, 2.0, 3.0], "tau_m": 11.0})
    assert c.get(["I_e", "tau_m"]) == {"I_e": (1.0, 2.0, 3.0), "tau_m": (11.0, 11.0, 11.0)}
    assert nest.Create("iaf_psc_alpha", 2, params={"I_e": np.array([1.0, 2.0])}).get("I_e") == (1.0, 2.0)
    assert nest.Create("iaf_psc_alpha", 2, params={"I_e": (1.0, 2.0)}).get("I_e") == (1.0, 2.0)
    assert nest.Create("iaf_psc_alpha", 1, params={"I_e": [1.0]}).get("I_e") == 1.0
    assert nest.Create("poisson_generator", 2, params={"rate": [1.0, 2.0]}).get("rate") == (1.0, 2.0)
    # List-valued parameters stay whole (NEST 3.10)
    sg = nest.Create("spike_generator", 2, params={"spike_times": [1.0, 2.0]}).get("spike_times")
    assert [s.tolist() for s in sg] == [[1.0, 2.0], [1.0, 2.0]]
    mm = nest.Create("multimeter", 2, params={"record_from": ["V_m", "I_syn_ex"]})
    assert mm.get("record_from") == (["V_m", "I_syn_ex"], ["V_m", "I_syn_ex"])
    assert nest.GetKernelStatus("network_size") == 3 + 2 + 2 + 1 + 2 + 2 + 2


def test_set_per_node_before_and_between_runs():
    a = nest.Create("iaf_psc_alpha", 5)
    a.set(I_e=[1.0, 2.0, 3.0, 4.0, 5.0])
    a[:2].set(tau_m=12.0)
    assert a.get("I_e") == (1.0, 2.0, 3.0, 4.0, 5.0)
    assert a.get("tau_m") == (12.0, 12.0, 10.0, 10.0, 10.0)
    g = nest.Create("poisson_generator", 2)
    g.rate = [5.0, 6.0]
    assert g.get("rate") == (5.0, 6.0)
    nest.Simulate(5.0)
    g[1].set(rate=7.0, origin=5.0, start=1.0)
    a.set(E_L=-60.0)  # every neuron alike: allowed after Simulate
    assert g.get("rate") == (5.0, 7.0) and g[1].origin == 5.0
    assert a.get("E_L") == (-60.0,) * 5



@pytest.mark.parametrize(
    "call,error,match",
    [
        # NEST 3.10's classes and messages
        (lambda: nest.Create("iaf_psc_alpha", 3, params=[{"I_e": 1.0}]),
         TypeError, "list of params must have one dictionary per node"),
        (lambda: nest.Create("iaf_psc_alpha", 2, params=[1, 2]),
         TypeError, "params must be either a dict of parameters or a list or tuple of dicts"),
        (lambda: nest.Create("iaf_psc_alpha", 2, params=5),
         TypeError, "params must be either a dict of parameters or a list or tuple of dicts"),
        (lambda: nest.Create("iaf_psc_alpha", 3, params={"I_e": [1.0, 2.0]}),
         IndexError, "list index out of range"),
        (lambda: nest.Create("iaf_psc_alpha", 3, params={"I_e": np.array([1.0, 2.0])}),
         IndexError, "index 2 is out of bounds for axis 0 with size 2"),
        (lambda: nest.Create("iaf_psc_alpha", 2.5), TypeError, "n must have an integer value"),
        (lambda: nest.Create("iaf_psc_alpha", "a"), ValueError, "invalid literal"),
        (lambda: nest.Create("iaf_psc_alpha", 0), nest_error("BadParameterValue"), "n must be > 0"),
        (lambda: nest.Create("iaf_psc_alpha", -1), nest_error("BadProperty"), "n must be > 0"),
        (lambda: nest.Create("iaf_psc_beta"), nest_error("UnknownModelName"), "iaf_psc_beta"),
        (lambda: nest.Create("iaf_psc_alpha", 2, params=[{"I_e": 1.0}, {"foo": 1.0}]),
         nest_error("UnaccessedDictionaryEntry"), "foo"),
        (lambda: nest.Create("iaf_psc_alpha", 2, params=[{"I_e": 1.0}, {"C_m": -1.0}]),
         nest_error("BadProperty"), "apacitance"),
        (lambda: nest.Create("spike_generator", 2, params={"spike_times": [[1.0], [2.0, 3.0]]}),
         nest_error("TypeMismatch"), "spike_times"),
        (lambda: nest.Create("spike_recorder", 2, params={"label": ["x", "y"]}),
         nest_error("TypeMismatch"), "label"),
    ],
)
def test_create_bad_input(call, error, match):
    nest.Create("iaf_psc_alpha")
    with pytest.raises(error, match=match):
        call()
    # Spindle makes all or nothing (NEST 3.10 keeps the nodes it made
    # before a parameter failed).
    assert nest.GetKernelStatus("network_size") == 1


def test_per_node_parameters_run_in_the_engine_as_in_nest():
    quiet()
    n = nest.Create("iaf_psc_alpha", 3, params=[{"I_e": 376.0}, {"I_e": 400.0, "tau_m": 12.0},
                                                 {"I_e": 450.0, "V_m": -60.0}])
    vm = nest.Create("voltmeter", params={"interval": 0.5})
    nest.Connect(vm, n)
    sr = nest.Create("spike_recorder")
    nest.Connect(n, sr)
    nest.Simulate(30.0)
    # NEST 3.10's spikes and potentials, same network
    assert sr.events["senders"].tolist() == [3, 2, 3]
    assert np.allclose(sr.events["times"], [9.9, 18.3, 29.9], atol=1e-12)
    got = {(int(s), float(t)): v for s, t, v in zip(*(vm.events[k] for k in ("senders", "times", "V_m")))}
    for key, v in NEST_VM3.items():
        assert got[key] == pytest.approx(v, abs=1e-9), key


NEST_VM3 = {
    (1, 0.5): -69.26649054449074, (2, 0.5): -69.21643757649545, (3, 0.5): -59.609835396005714,
    (1, 5.0): -64.08222112207801, (2, 5.0): -63.45742009984852, (3, 5.0): -56.852245277701066,
    (1, 9.5): -60.7765849927557, (1, 10.0): -60.492906795218495, (2, 9.5): -59.49930913177924,
    (2, 10.0): -59.144285603335895, (3, 9.5): -55.09392818763601, (3, 10.0): -70.0,
    (1, 15.0): -58.31587760863239, (2, 15.0): -56.30089209971565, (3, 15.0): -65.2020452120372,
    (1, 18.5): -57.32484698135696, (2, 18.5): -70.0, (3, 18.5): -61.30332402085059,
    (1, 20.0): -56.995442659878655, (2, 20.0): -70.0, (3, 20.0): -60.00744519201294,
    (1, 25.0): -56.194558379303444, (2, 25.0): -63.77784421520451, (3, 25.0): -56.85676101492436,
    (1, 29.0): -55.78754922964837, (2, 29.0): -60.09903172394296, (3, 29.0): -55.25558426710819,
}


# ------------------------------------------- 3. SetDefaults, GetDefaults

DBL_MAX = 1.7976931348623157e308

# NEST 3.10's GetDefaults, the keys Spindle offers
NEST_DEFAULTS = {
    "iaf_psc_alpha": {
        "C_m": 250.0, "E_L": -70.0, "I_e": 0.0, "V_m": -70.0, "V_min": -np.inf,
        "V_reset": -70.0, "V_th": -55.0, "t_ref": 2.0, "tau_m": 10.0, "tau_syn_ex": 2.0,
        "tau_syn_in": 2.0, "recordables": ["I_syn_ex", "I_syn_in", "V_m"],
        "element_type": "neuron", "model": "iaf_psc_alpha", "type_id": "iaf_psc_alpha",
    },
    "poisson_generator": {
        "rate": 0.0, "start": 0.0, "stop": DBL_MAX, "element_type": "stimulator",
        "model": "poisson_generator", "type_id": "poisson_generator",
    },
    "spike_generator": {
        "element_type": "stimulator", "model": "spike_generator", "type_id": "spike_generator",
    },
    "spike_recorder": {
        "label": "", "record_to": "memory", "n_events": 0, "element_type": "recorder",
        "model": "spike_recorder", "type_id": "spike_recorder",
    },
    "multimeter": {
        "interval": 1.0, "record_from": [], "record_to": "memory", "time_in_steps": False,
        "n_events": 0, "element_type": "recorder", "model": "multimeter", "type_id": "multimeter",
    },
    "voltmeter": {
        "interval": 1.0, "record_from": ["V_m"], "record_to": "memory", "time_in_steps": False,
        "n_events": 0, "element_type": "recorder", "model": "voltmeter", "type_id": "voltmeter",
    },
    "static_synapse": {
        "weight": 1.0, "delay": 1.0, "element_type": "synapse", "synapse_model": "static_synapse",
        "num_connections": 0,
    },
}


@pytest.mark.parametrize("model", sorted(NEST_DEFAULTS))
def test_get_defaults_are_nests(model):
    d = nest.GetDefaults(model)
    for key, value in NEST_DEFAULTS[model].items():
        assert d[key] == value, (model, key)
    if "events" in d:  # recorders: NEST's empty events
        assert set(d["events"]) == {"senders", "times"}
        assert all(v.dtype == np.float64 and v.size == 0 for v in d["events"].values())
    if model == "spike_generator":
        assert isinstance(d["spike_times"], np.ndarray) and d["spike_times"].size == 0
    # NEST 3.10: one key gives its value, a list of keys a list
    key = next(iter(NEST_DEFAULTS[model]))
    assert nest.GetDefaults(model, key) == NEST_DEFAULTS[model][key]
    assert nest.GetDefaults(model, [key, "element_type"]) == [NEST_DEFAULTS[model][key],
                                                              NEST_DEFAULTS[model]["element_type"]]
    with pytest.raises(KeyError):
        nest.GetDefaults(model, "no_such_parameter")


def test_set_defaults_on_every_model():
    quiet()
    nest.SetDefaults("iaf_psc_alpha", {"tau_m": 15.0})
    nest.SetDefaults("voltmeter", {"interval": 0.5})
    nest.SetDefaults("multimeter", {"record_from": ["V_m"], "interval": 2.0})
    nest.SetDefaults("poisson_generator", {"rate": 5.0})
    nest.SetDefaults("spike_generator", {"spike_times": [1.0, 2.0]})
    nest.SetDefaults("spike_recorder", {"label": "x"})
    nest.SetDefaults("static_synapse", {"weight": 3.0})
    # NEST 3.10: each model keeps its own defaults
    assert nest.Create("iaf_psc_alpha").get("tau_m") == 15.0
    assert nest.Create("voltmeter").get(["interval", "record_from"]) == {"interval": 0.5, "record_from": ["V_m"]}
    assert nest.Create("multimeter").get(["interval", "record_from"]) == {"interval": 2.0, "record_from": ["V_m"]}
    assert nest.Create("poisson_generator").get("rate") == 5.0
    assert nest.Create("spike_generator").get("spike_times").tolist() == [1.0, 2.0]
    assert nest.Create("spike_recorder").get("label") == "x"
    assert nest.GetDefaults("static_synapse", "weight") == 3.0
    assert nest.GetDefaults("voltmeter", "interval") == 0.5
    # NEST 3.10's string form
    nest.SetDefaults("poisson_generator", "rate", 7.0)
    assert nest.Create("poisson_generator").get("rate") == 7.0
    # ResetKernel restores NEST's defaults
    nest.ResetKernel()
    for model in ("voltmeter", "multimeter", "poisson_generator", "spike_recorder"):
        d = nest.GetDefaults(model)
        assert all(d[k] == v for k, v in NEST_DEFAULTS[model].items()), model


@pytest.mark.parametrize(
    "call,error,match",
    [
        # NEST 3.10's classes (and messages where they say what is wrong)
        (lambda: nest.SetDefaults("poisson_generator", {"rate": -5.0}), nest_error("BadProperty"), "rate"),
        (lambda: nest.SetDefaults("spike_generator", {"spike_times": [2.0, 1.0]}),
         nest_error("BadProperty"), "sorted"),
        (lambda: nest.SetDefaults("voltmeter", {"interval": 0.05}), nest_error("BadProperty"),
         "at least the resolution"),
        (lambda: nest.SetDefaults("voltmeter", {"interval": 0.15}), nest_error("BadProperty"),
         "multiple of the resolution"),
        (lambda: nest.SetDefaults("foo_model", {"rate": 1.0}), nest_error("UnknownComponent"),
         "foo_model is not a known component"),
        (lambda: nest.GetDefaults("foo_model"), nest_error("UnknownComponent"),
         "foo_model is not a known component"),
        (lambda: nest.SetDefaults("poisson_generator", 5), TypeError,
         "params must be dictionary unless val is given."),
        (lambda: nest.SetDefaults("poisson_generator", 5, 1.0), TypeError,
         "If val is given, params must be string giving the parameter name."),
        (lambda: nest.SetDefaults("iaf_psc_alpha", {"I_e": [1.0, 2.0]}), ValueError,
         "SetDefaults\\(\\) accepts only explicit, single parameter values."),
        # NEST 3.10 ignores an unknown name here; Spindle says so
        (lambda: nest.SetDefaults("voltmeter", {"foo": 1}), nest_error("UnaccessedDictionaryEntry"), "foo"),
        (lambda: nest.SetDefaults("voltmeter", {"record_to": "paper"}), nest_error("BadProperty"),
         "record_to"),
    ],
)
def test_defaults_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------- 4. get, set

def simulated_voltmeter():
    quiet()
    n = nest.Create("iaf_psc_alpha", 2, params={"I_e": [376.0, 400.0]})
    vm = nest.Create("voltmeter")
    nest.Connect(vm, n)
    return n, vm


# NEST 3.10, the voltmeter of two neurons (I_e 376 and 400 pA) after
# Simulate(5.0): NEST delivers samples one min_delay late, so it holds
# t = 1..4 ms, as Spindle does.
NEST_VM_V = [-68.56875477, -68.47739869, -67.27371053, -67.09969205,
             -66.10190604, -65.85309153, -65.04161349, -64.72512074]
NEST_VM_SENDERS = [1, 2, 1, 2, 1, 2, 1, 2]
NEST_VM_TIMES = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0]


def test_hierarchical_get_of_events():
    n, vm = simulated_voltmeter()
    # NEST 3.10: before a run, events hold senders and times only (float64)
    ev = vm.events
    assert set(ev) == {"senders", "times"} and ev["senders"].dtype == np.float64
    nest.Simulate(5.0)
    ev = vm.events
    assert set(ev) == {"V_m", "senders", "times"}
    assert ev["senders"].dtype == np.int64 and ev["times"].dtype == np.float64
    assert ev["V_m"][:8] == pytest.approx(NEST_VM_V, abs=1e-8)
    assert ev["senders"][:8].tolist() == NEST_VM_SENDERS
    assert ev["times"][:8].tolist() == NEST_VM_TIMES
    assert ev["times"][8:].tolist() == []
    v = vm.get("events", "V_m")
    assert isinstance(v, np.ndarray) and v.tolist() == ev["V_m"].tolist()
    assert vm.get("events")["V_m"].tolist() == v.tolist()
    assert vm.get("events", "senders").tolist() == ev["senders"].tolist()
    both = vm.get("events", ["V_m", "times"])
    assert set(both) == {"V_m", "times"} and both["times"].tolist() == ev["times"].tolist()
    # NEST 3.10 addresses with the last argument
    assert vm.get("events", "V_m", "times").tolist() == ev["times"].tolist()
    with pytest.raises(KeyError):
        vm.get("events", "foo")
    with pytest.raises(TypeError, match="First argument must be a string"):
        vm.get(5, "x")
    assert vm.n_events == 8 and vm.interval == 1.0


def test_get_of_several_nodes_and_names():
    n = nest.Create("iaf_psc_alpha", 2)
    sr = nest.Create("spike_recorder")
    # NEST 3.10's results
    assert n.get(["V_m", "t_ref"]) == {"V_m": (-70.0, -70.0), "t_ref": (2.0, 2.0)}
    assert n.get(("V_m", "t_ref")) == {"V_m": (-70.0, -70.0), "t_ref": (2.0, 2.0)}
    assert n[0].get(["V_m", "t_ref"]) == {"V_m": -70.0, "t_ref": 2.0}
    assert n.get("global_id") == (1, 2) and n[0].global_id == 1
    assert (n + sr).get("I_e") == (0.0, 0.0, None)
    assert (n + sr).get("label") == (None, None, "")
    assert (n + sr).get(["I_e", "label"]) == {"I_e": (0.0, 0.0, None), "label": (None, None, "")}
    assert n.get()["I_e"] == (0.0, 0.0) and n[0].get()["element_type"] == "neuron"
    assert {"element_type", "events", "global_id", "label", "model", "n_events",
            "record_to"} <= set(sr.get())
    two = nest.Create("voltmeter", 2)
    assert len(two.events) == 2 and len(two.get("events")) == 2
    with pytest.raises(KeyError):  # NEST 3.10: no V_m before a run
        two.get("events", "V_m")


@pytest.mark.parametrize(
    "call,error,match",
    [
        # NEST 3.10's classes and messages
        (lambda n: n.get("V_m", "t_ref"), TypeError, "hierarchical"),
        (lambda n: n.get("foo"), KeyError, "foo"),
        (lambda n: n.get(["foo"]), KeyError, "foo"),
        (lambda n: n.foo, KeyError, "foo"),
        (lambda n: n.get(5), TypeError, "Params should be either a string or an iterable"),
        (lambda n: n.get("V_m", foo=1), TypeError, "Got unexpected keyword argument"),
        (lambda n: nest.NodeCollection([]).get("V_m"), ValueError,
         "Cannot get parameter of empty NodeCollection"),
        (lambda n: n.get("V_m", output="xml"), nest_error("BadProperty"), "output"),
    ],
)
def test_get_bad_input(call, error, match):
    n = nest.Create("iaf_psc_alpha", 2)
    with pytest.raises(error, match=match):
        call(n)


def test_node_collection_from_ids():
    a = nest.Create("iaf_psc_alpha", 5)
    b = nest.Create("iaf_psc_alpha", 3)
    sr = nest.Create("spike_recorder")
    # NEST 3.10's collections and how it prints them
    assert nest.NodeCollection([1, 2, 3]) == a[:3]
    assert repr(nest.NodeCollection([1, 2, 3])) == \
        "NodeCollection(metadata=None, model=iaf_psc_alpha, size=3, first=1, last=3)"
    assert repr(b[0]) == "NodeCollection(metadata=None, model=iaf_psc_alpha, size=1, first=6)"
    nc = nest.NodeCollection([2, 4])
    assert repr(nc) == ("NodeCollection(metadata=None,\n"
                        "               model=iaf_psc_alpha, size=1, first=2;\n"
                        "               model=iaf_psc_alpha, size=1, first=4)")
    assert repr(a + sr) == ("NodeCollection(metadata=None,\n"
                            "               model=iaf_psc_alpha, size=5, first=1, last=5;\n"
                            "               model=spike_recorder, size=1, first=9)")
    assert repr(nest.NodeCollection([8, 9])) == (
        "NodeCollection(metadata=None,\n"
        "               model=iaf_psc_alpha, size=1, first=8;\n"
        "               model=spike_recorder, size=1, first=9)")
    assert repr(nest.NodeCollection()) == "NodeCollection(<empty>)" and len(nest.NodeCollection()) == 0
    assert nc.tolist() == [2, 4] and len(nc) == 2 and nc.get("V_m") == (-70.0, -70.0)
    assert nc == a[1] + a[3] and [x.global_id for x in nc] == [2, 4] and nc.global_id == (2, 4)
    assert nest.NodeCollection((1, 2)).tolist() == [1, 2]
    assert nest.NodeCollection(np.array([1, 2])).tolist() == [1, 2]
    assert nest.NodeCollection(range(1, 4)).tolist() == [1, 2, 3]
    assert nest.NodeCollection([1.0, 2.0]).tolist() == [1, 2]
    assert 4 in nc and 3 not in nc and nc.index(4) == 1
    assert np.array(nc).tolist() == [2, 4]
    # joins, slices and indices as NEST's
    assert (a[2] + a[0]).tolist() == [1, 3]
    assert (a + b) == nest.NodeCollection(range(1, 9)) and (b + a).tolist() == list(range(1, 9))
    assert (0 + a) == a
    assert a[::2].tolist() == [1, 3, 5] and a[::2][1].tolist() == [3]
    assert (a[0] + a[2] + a[4])[1:].tolist() == [3, 5]
    assert a[-1].tolist() == [5]
    assert a[[0, 2]].tolist() == [1, 3] and a[np.array([1, 3])].tolist() == [2, 4]
    assert a[[True, False, True, False, False]].tolist() == [1, 3]


@pytest.mark.parametrize(
    "call,error,match",
    [
        # NEST 3.10's classes and messages
        (lambda a: nest.NodeCollection([3, 1]), nest_error("BadProperty"),
         "Indices must be sorted in ascending order"),
        (lambda a: nest.NodeCollection([1, 1]), nest_error("BadProperty"),
         "All node IDs in a NodeCollection have to be unique"),
        (lambda a: nest.NodeCollection([1, 99]), nest_error("UnknownNode"), "Node with id 99 does not exist."),
        (lambda a: nest.NodeCollection([0]), nest_error("UnknownNode"), "Node with id 0 does not exist."),
        (lambda a: nest.NodeCollection([-1]), OverflowError, "-1"),
        (lambda a: nest.NodeCollection(["a"]), TypeError, "integers"),
        (lambda a: nest.NodeCollection(3), TypeError, "'int' object is not iterable"),
        (lambda a: a[:3] + a[1:4], nest_error("BadProperty"), "Cannot join overlapping NodeCollections."),
        (lambda a: a + 1, TypeError, "Cannot add object of type 'int' to 'NodeCollection'"),
        (lambda a: a[10], IndexError, "index value outside of the NodeCollection"),
        (lambda a: a[1:10], IndexError, "slice stop value outside of the NodeCollection"),
        (lambda a: a[3:3], nest_error("BadParameter"), "start < stop required."),
        (lambda a: a[::-1], IndexError, "slicing step for NodeCollection must be strictly positive"),
        (lambda a: a[[0, 0]], ValueError, "All node IDs in a NodeCollection have to be unique"),
        (lambda a: a[[2, 0]], nest_error("BadProperty"), "Indices must be sorted in ascending order"),
        (lambda a: a["x"], IndexError, "only integers, slices, lists, tuples, and numpy arrays"),
        (lambda a: a.index(7), ValueError, "7 is not in NodeCollection"),
    ],
)
def test_node_collection_bad_input(call, error, match):
    a = nest.Create("iaf_psc_alpha", 5)
    with pytest.raises(error, match=match):
        call(a)


def test_set_one_value_per_node():
    quiet()
    # Nodes made with one value each take one value each (NEST 3.10's results).
    a = nest.Create("iaf_psc_alpha", 5, params={"I_e": [0.0, 1.0, 2.0, 3.0, 4.0]})
    a.set(I_e=[1.0, 2.0, 3.0, 4.0, 5.0])
    assert a.get("I_e") == (1.0, 2.0, 3.0, 4.0, 5.0)
    a.set({"I_e": [5.0, 4.0, 3.0, 2.0, 1.0], "tau_m": 12.0})
    assert a.get(["I_e", "tau_m"]) == {"I_e": (5.0, 4.0, 3.0, 2.0, 1.0), "tau_m": (12.0,) * 5}
    a[:2].set([{"I_e": 9.0}, {"I_e": 8.0}])
    assert a.get("I_e") == (9.0, 8.0, 3.0, 2.0, 1.0)
    a.set(I_e=np.arange(5.0))
    assert a.get("I_e") == (0.0, 1.0, 2.0, 3.0, 4.0)
    a.I_e = [7.0] * 5
    assert a.I_e == (7.0,) * 5
    # One Create call with one value for all: a list of equal values, a
    # scalar, or the whole call.
    b = nest.Create("iaf_psc_alpha", 3)
    b.set(I_e=[2.0, 2.0, 2.0])
    b.set(tau_m=5.0)
    assert b.get(["I_e", "tau_m"]) == {"I_e": (2.0,) * 3, "tau_m": (5.0,) * 3}
    r = nest.Create("spike_recorder", 2)
    r.set([{"label": "x"}, {"label": "y"}])
    assert r.get("label") == ("x", "y")
    # NodeCollection([...]) of nodes made one by one
    nest.NodeCollection([1, 3]).set(V_th=[-50.0, -51.0])
    assert a.get("V_th") == (-50.0, -55.0, -51.0, -55.0, -55.0)
    # The values reach the engine.
    sr = nest.Create("spike_recorder")
    c = nest.Create("iaf_psc_alpha", 2, params={"I_e": [0.0, 1.0]})
    c.set(I_e=[0.0, 600.0])
    nest.Connect(c, sr)
    nest.Simulate(50.0)
    assert set(sr.events["senders"].tolist()) == {c[1].global_id}


@pytest.mark.parametrize(
    "call,error,match",
    [
        # NEST 3.10's classes
        (lambda a, b: a.set(I_e=[1.0, 2.0]), IndexError, "'I_e' has 2 values for 5 nodes"),
        (lambda a, b: a.set({"I_e": 1.0}, tau_m=3.0), TypeError,
         "must either provide params or kwargs, but not both."),
        (lambda a, b: a.set(5), TypeError, "params"),
        (lambda a, b: a.set(foo=1.0), nest_error("UnaccessedDictionaryEntry"), "foo"),
        (lambda a, b: a.set(foo=[1.0] * 5), nest_error("UnaccessedDictionaryEntry"), "foo"),
        (lambda a, b: (a + b).set(label="x"), nest_error("UnaccessedDictionaryEntry"), "label"),
        (lambda a, b: b.set(I_e=1.0), nest_error("UnaccessedDictionaryEntry"), "I_e"),
        (lambda a, b: nest.Create("iaf_psc_alpha", 5, params={"I_e": [0.0, 1.0, 2.0, 3.0, 4.0]})
         .set(C_m=[1.0, 1.0, -1.0, 1.0, 1.0]), nest_error("BadProperty"), "apacitance"),
        (lambda a, b: nest.Create("poisson_generator").set(rate=-5.0), nest_error("BadProperty"),
         "rate"),
    ],
)
def test_set_bad_input(call, error, match):
    a = nest.Create("iaf_psc_alpha", 5)
    b = nest.Create("spike_recorder")
    with pytest.raises(error, match=match):
        call(a, b)
    # Nothing changed (NEST 3.10 keeps what it set before the failing node).
    assert a.get("C_m") == (250.0,) * 5 and a.get("I_e") == (0.0,) * 5
    if nest.GetKernelStatus("network_size") == 11:  # the C_m case
        assert nest.NodeCollection(range(7, 12)).get("C_m") == (250.0,) * 5


def test_connect_with_collections_of_several_runs():
    quiet()
    a = nest.Create("iaf_psc_alpha", 5)
    b = nest.Create("iaf_psc_alpha", 3)
    # NEST 3.10's counts
    nest.Connect(a[0] + a[2], b)
    assert nest.num_connections == 6
    nest.Connect(a[0] + a[2] + a[4], b, "one_to_one")
    assert nest.num_connections == 9
    nest.Connect(a[:3], a[1] + a[3] + a[4], "one_to_one")
    assert nest.num_connections == 12
    nest.Connect(a[:2], a[1] + a[3], {"rule": "fixed_indegree", "indegree": 2})
    assert nest.num_connections == 16
    with pytest.raises(nest.NESTErrors.NotImplemented, match="contiguous"):
        nest.Connect(a[0] + a[2], b, {"rule": "fixed_indegree", "indegree": 1})
    with pytest.raises(nest.NESTErrors.IllegalConnection, match="one_to_one"):
        nest.Connect(a[0] + a[2], b, "one_to_one")


# ---------------------------------------------------------- 5. voltmeter

def test_voltmeter_is_nests():
    quiet()
    n = nest.Create("iaf_psc_alpha", 2, params={"I_e": [376.0, 400.0]})
    vm = nest.Create("voltmeter")
    # NEST 3.10's voltmeter
    assert repr(vm) == "NodeCollection(metadata=None, model=voltmeter, size=1, first=3)"
    d = vm.get()
    assert {k: d[k] for k in ("element_type", "global_id", "interval", "model", "n_events",
                              "record_from", "record_to", "time_in_steps")} == {
        "element_type": "recorder", "global_id": 3, "interval": 1.0, "model": "voltmeter",
        "n_events": 0, "record_from": ["V_m"], "record_to": "memory", "time_in_steps": False}
    assert "voltmeter" in nest.Models("nodes")
    # NEST 3.10: a voltmeter may record something else too
    assert nest.Create("voltmeter", params={"record_from": ["I_syn_ex"]}).get("record_from") == ["I_syn_ex"]
    nest.Connect(vm, n)
    nest.Simulate(5.0)
    ev = vm.events
    assert ev["V_m"][:8] == pytest.approx(NEST_VM_V, abs=1e-8)
    assert ev["senders"][:8].tolist() == NEST_VM_SENDERS


def test_multimeter_defaults_are_nests():
    quiet()
    n = nest.Create("iaf_psc_alpha")
    mm = nest.Create("multimeter")
    assert mm.get(["interval", "record_from"]) == {"interval": 1.0, "record_from": []}
    nest.Connect(mm, n)
    nest.Simulate(3.0)
    # NEST 3.10: a multimeter recording nothing has no events
    ev = mm.events
    assert mm.n_events == 0 and set(ev) == {"senders", "times"} and ev["times"].size == 0
    # At resolution 0.25 the 1 ms default still fits the grid.
    nest.ResetKernel()
    nest.resolution = 0.25
    assert nest.Create("voltmeter").get("interval") == 1.0


@pytest.mark.parametrize(
    "params,error,match",
    [
        # NEST 3.10's classes
        ({"interval": 0.05}, "BadProperty", "at least the resolution"),
        ({"interval": 0.15}, "BadProperty", "multiple of the resolution"),
        ({"interval": -1.0}, "BadProperty", "interval"),
        ({"foo": 1}, "UnaccessedDictionaryEntry", "foo"),
        ({"record_from": "V_m"}, "TypeMismatch", "record_from"),
        ({"record_to": "paper"}, "BadProperty", "record_to"),
    ],
)
def test_voltmeter_bad_input(params, error, match):
    with pytest.raises(nest_error(error), match=match):
        nest.Create("voltmeter", params=params)
    assert nest.GetKernelStatus("network_size") == 0


# ----------------------------------------------------- 6. voltage_trace

def test_voltage_trace_from_device_draws_as_nest():
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    import spindle.nest.voltage_trace

    assert nest.voltage_trace is spindle.nest.voltage_trace
    n, vm = simulated_voltmeter()
    nest.Simulate(5.0)
    plt.close("all")
    ids = nest.voltage_trace.from_device(vm)
    ax = plt.gca()
    # NEST 3.10: one plot (a list of lines) per neuron, labelled, titled
    assert len(ids) == 2 and all(isinstance(i, list) and len(i) == 1 for i in ids)
    assert ax.get_title() == "Membrane potential"
    assert ax.get_xlabel() == "Time (ms)" and ax.get_ylabel() == "Membrane potential (mV)"
    lines = ax.get_lines()
    assert [l.get_label() for l in lines] == ["Neuron 1", "Neuron 2"]
    assert [to_hex(l.get_color()) for l in lines] == ["#1f77b4", "#ff7f0e"]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["Neuron 1", "Neuron 2"]
    assert legend._loc == 0  # "best"
    # NEST keeps single precision; its four samples, and Spindle's t = 5
    assert lines[0].get_ydata().dtype == np.float32
    assert lines[0].get_xdata().tolist()[:4] == [1.0, 2.0, 3.0, 4.0]
    assert lines[0].get_ydata()[:4] == pytest.approx(np.float32(NEST_VM_V[0::2]), abs=1e-5)
    assert lines[1].get_ydata()[:4] == pytest.approx(np.float32(NEST_VM_V[1::2]), abs=1e-5)
    plt.close("all")

    ids = nest.voltage_trace.from_device(vm, neurons=[2], title="T", grayscale=True, timeunit="s")
    ax = plt.gca()
    assert len(ids) == 1 and ax.get_title() == "T" and ax.get_xlabel() == "Time (s)"
    line = ax.get_lines()[0]
    assert to_hex(line.get_color()) == "#000000" and line.get_label() == "Neuron 2"
    assert line.get_xdata()[:4] == pytest.approx([0.001, 0.002, 0.003, 0.004])
    plt.close("all")



def test_voltage_trace_of_a_multimeter():
    import matplotlib.pyplot as plt

    quiet()
    n = nest.Create("iaf_psc_alpha", 2, params={"I_e": [376.0, 400.0]})
    mm = nest.Create("multimeter", params={"record_from": ["V_m", "I_syn_ex"]})
    nest.Connect(mm, n)
    nest.Simulate(5.0)
    plt.close("all")
    ids = nest.voltage_trace.from_device(mm)
    lines = plt.gca().get_lines()
    assert len(ids) == 2 and [l.get_label() for l in lines] == ["Neuron 1", "Neuron 2"]
    assert lines[0].get_ydata()[:4] == pytest.approx(np.float32(NEST_VM_V[0::2]), abs=1e-5)
    plt.close("all")


@pytest.mark.parametrize(
    "make,error,match",
    [
        # NEST 3.10's classes and messages
        (lambda: nest.Create("voltmeter", 2), ValueError, "Please provide a single 'voltmeter' or 'multimeter'."),
        (lambda: nest.Create("spike_recorder"), TypeError,
         "Please provide a 'voltmeter' or a 'multimeter' measuring V_m."),
        (lambda: nest.Create("iaf_psc_alpha"), TypeError,
         "Please provide a 'voltmeter' or a 'multimeter' measuring V_m."),
        (lambda: nest.Create("multimeter", params={"record_from": ["I_syn_ex"]}), ValueError,
         "Please provide a 'multimeter' measuring 'V_m'."),
        (lambda: nest.Create("voltmeter"), KeyError, "V_m"),  # before any run
    ],
)
def test_voltage_trace_bad_input(make, error, match):
    import spindle.nest.voltage_trace

    with pytest.raises(error, match=match):
        spindle.nest.voltage_trace.from_device(make())


def test_voltage_trace_without_samples_and_with_a_wrong_id():
    import matplotlib.pyplot as plt

    quiet()
    n = nest.Create("iaf_psc_alpha")
    vm = nest.Create("voltmeter")
    nest.Connect(vm, n)
    nest.Prepare()
    # NEST 3.10, prepared but not run
    with pytest.raises(ValueError, match="No events recorded."):
        nest.voltage_trace.from_device(vm)
    nest.Run(3.0)
    # NEST 3.10 raises KeyError for an id the device did not record
    with pytest.raises(KeyError, match="99"):
        nest.voltage_trace.from_device(vm, neurons=[99])
    plt.close("all")


def test_build_info_and_model_lists_as_nests_test_suite_reads_them():
    # NEST 3.10's suite fixtures read these keys before any test runs.
    info = nest.build_info
    for key in ("have_threads", "have_mpi", "have_gsl", "have_hdf5", "have_boost", "have_music"):
        assert isinstance(info[key], bool), key
    assert info["have_threads"] and not info["have_mpi"]
    assert "iaf_psc_alpha" in nest.node_models and "dc_generator" in nest.node_models
    assert nest.node_models == sorted(nest.node_models)
    assert "static_synapse" in nest.synapse_models
    assert "stdp_synapse" in nest.synapse_models
    with pytest.raises(AttributeError, match="read only"):
        nest.node_models = []


def test_connect_with_weight_arrays_builds_once():
    # Regression: every source's (or pair's) call built the whole
    # simulation, so NEST's suite's 500 x 10 array Connect took minutes.
    nest.ResetKernel()
    quiet()
    a = nest.Create("iaf_psc_alpha", 500)
    b = nest.Create("iaf_psc_alpha", 10)
    w = np.arange(5000, dtype=float).reshape(10, 500)
    nest.Connect(a, b, "all_to_all", {"weight": w})
    assert nest.num_connections == 5000
    nest.Simulate(1.0)


def test_many_small_connects_build_together():
    # Regression: every Connect between neurons rebuilt the whole
    # simulation, so the sudoku example's 729 Connect calls took 21 s.
    # Calls adding less than an eighth of the connections are built
    # together later; the spikes do not depend on when.
    def run(build_each):
        nest.ResetKernel()
        quiet()
        nest.local_num_threads = 2
        n = nest.Create("iaf_psc_exp", 400, {"V_m": nest.random.uniform(-70.0, -55.0)})
        pg = nest.Create("poisson_generator", params={"rate": 8000.0})
        nest.Connect(pg, n, syn_spec={"weight": 20.0})
        nest.Connect(n[:200], n[200:], "all_to_all", {"weight": 1.0, "delay": 1.5})
        for i in range(200):
            nest.Connect(n[i:i + 1], n[(7 * i) % 390:(7 * i) % 390 + 10], "all_to_all",
                         {"weight": -2.0, "delay": 1.0})
            if build_each:
                nest.GetConnections(n[0:1]).get("weight")
        built = nest._kernel.builds()
        nest.Simulate(100.0)
        assert nest.num_connections == 400 + 40000 + 2000
        return nest.spike_digest(), built

    lazy, built = run(False)
    eager, built_each = run(True)
    assert lazy == eager
    assert built_each == 201
    # The big Connect built at once, the small ones not at all.
    assert built == 1


def test_connect_arrays_of_node_ids_one_to_one():
    # NEST 3.10's connect_arrays: repeated ids, one weight and delay per
    # pair; V_m after 5 ms as NEST 3.10 gives it for this script.
    nest.ResetKernel()
    quiet()
    n = nest.Create("iaf_psc_delta", 5)
    sg = nest.Create("spike_generator", params={"spike_times": [1.0]})
    nest.Connect(sg, n[:2], syn_spec={"weight": 30.0})
    nest.Connect(np.array([1, 1, 2]), np.array([3, 4, 5]), "one_to_one",
                 {"weight": np.array([10.0, 20.0, 25.0]), "delay": np.array([1.0, 1.0, 2.0])})
    # Unique ids without a rule: a NodeCollection, all_to_all.
    nest.Connect([1, 2], [3], syn_spec={"weight": 0.5})
    assert nest.num_connections == 7
    nest.Simulate(5.0)
    assert n.get("V_m") == (-70.0, -70.0, -60.99396171614219, -70.0, -70.0)
    with pytest.raises(ValueError, match="must have the same length"):
        nest.Connect([1, 1], [2, 3, 4], "one_to_one")
    with pytest.raises(ValueError, match="must be 'one_to_one'"):
        nest.Connect([1, 1], [2, 3])
    with pytest.raises(ValueError, match="use 'weight'"):
        nest.Connect([1, 1], [2, 3], "one_to_one", {"weights": [1.0, 2.0]})
    with pytest.raises(TypeError, match="weights must be a 1-dimensional NumPy array"):
        nest.Connect([1, 1], [2, 3], "one_to_one", {"weight": 2.0})
    with pytest.raises(ValueError, match="SynapseCollection cannot be returned"):
        nest.Connect([1, 1], [2, 3], "one_to_one", return_synapsecollection=True)


def test_connect_arrays_between_neurons_hold_each_pair_as_given():
    # Pairs between neurons are one projection per Connect (a static
    # model's pairs one per weight), not one per pair: store_restore's
    # 375,000 pairs took minutes. Values stay exact doubles; the network
    # is the one pair-by-pair Connect calls make.
    rng = np.random.default_rng(5)
    n, k = 60, 2000
    src, tgt = rng.integers(1, n + 1, k), rng.integers(1, n + 1, k)
    w_static = rng.choice([-3.3, 1.7, 2.9], k)
    delay = rng.choice([0.5, 1.0, 1.5, 2.2], k)
    w_stdp = rng.uniform(1.0, 3.0, k)

    def run(threads, pair_by_pair):
        nest.ResetKernel()
        quiet()
        nest.local_num_threads = threads
        nodes = nest.Create("iaf_psc_alpha", n, params={"I_e": 370.0})
        pg = nest.Create("poisson_generator", params={"rate": 2000.0})
        nest.Connect(pg, nodes, syn_spec={"weight": 20.0})
        sr = nest.Create("spike_recorder")
        nest.Connect(nodes, sr)
        if pair_by_pair:
            for i in range(k):
                a, b = nodes[int(src[i]) - 1], nodes[int(tgt[i]) - 1]
                nest.Connect(a, b, syn_spec={"weight": w_static[i], "delay": delay[i]})
                nest.Connect(a, b, syn_spec={"synapse_model": "stdp_synapse",
                                             "weight": w_stdp[i]})
        else:
            nest.Connect(src, tgt, "one_to_one", {"weight": w_static, "delay": delay})
            nest.Connect(src, tgt, "one_to_one", {"synapse_model": "stdp_synapse",
                                                  "weight": w_stdp})
        held = {}
        for model in ("static_synapse", "stdp_synapse"):
            c = nest.GetConnections(nodes, nodes, synapse_model=model).get(
                ["source", "target", "weight", "delay"], output="pandas")
            held[model] = sorted(map(tuple, c.values.tolist()))
        nest.Simulate(200.0)
        ev = sr.get("events")
        return held, sorted(zip(ev["times"], ev["senders"]))

    held, spikes = run(1, False)
    assert held["static_synapse"] == sorted(zip(src, tgt, w_static, delay))
    assert held["stdp_synapse"] == sorted(zip(src, tgt, w_stdp, [1.0] * k))
    assert len(spikes) > 100
    assert run(3, False)[1] == spikes
    assert run(1, True)[1] == spikes


def test_delay_extrema_and_tics_can_be_set_as_in_nest():
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "min_delay": 0.4, "max_delay": 3.0})
    assert (nest.min_delay, nest.max_delay) == (0.4, 3.0)
    assert (nest.tics_per_ms, nest.ms_per_tic, nest.GetKernelStatus("tics_per_step")) == (
        1000.0, 0.001, 100)
    a = nest.Create("iaf_psc_alpha", 2)
    with pytest.raises(nest.NESTErrors.BadDelay):
        nest.Connect(a[0], a[1], syn_spec={"delay": 0.2})
    nest.ResetKernel()
    nest.set(min_delay=0.5)
    nest.resolution = 0.05  # min_delay alone does not fix the grid
    assert (nest.resolution, nest.min_delay) == (0.05, 0.5)
    nest.tics_per_ms = 1000.0
    with pytest.raises(nest.NESTErrors.NotImplemented):
        nest.tics_per_ms = 1024


def _symmetric_with_drawn_weight():
    n = nest.Create("iaf_psc_alpha", 3)
    nest.Connect(n, n, {"rule": "one_to_one", "make_symmetric": True},
                 {"weight": nest.random.uniform()})


def _multimeter_with_unknown_recordable():
    mm = nest.Create("multimeter")
    mm.record_from = ["V_m_foo"]
    nest.Connect(mm, nest.Create("iaf_psc_alpha"))


def _delay_below_resolution():
    nest.resolution = 0.3
    a = nest.Create("iaf_psc_alpha")
    nest.Connect(a, a, syn_spec={"delay": 0.1})


@pytest.mark.parametrize("make,error,match", [
    # NEST 3.10's classes, and the words its test suite looks for
    # (step_current_generator, noise_generator, test_node_parametrization,
    # test_symmetric_connections, test_ticket_349, test_onetooneconnect,
    # test_ticket_949, test_long_overflow).
    (lambda: nest.SetDefaults("step_current_generator", {"amplitude_times": [1.0, 2.0, 2.0],
                                                         "amplitude_values": [1.0, 2.0, 3.0]}),
     "BadProperty", "strictly increasing time steps"),
    (lambda: nest.Create("noise_generator", params={"dt": 0.25}), "StepMultipleRequired",
     "must be a multiple of the resolution"),
    (lambda: nest.math.redraw(nest.random.normal(), 1.5, 1.0), "BadParameterValue",
     "min <= max required"),
    (_symmetric_with_drawn_weight, "NotImplemented",
     "Symmetric connections require parameters that can be reset"),
    (_multimeter_with_unknown_recordable, "IllegalConnection",
     "Creation of connection is not possible because: Cannot connect with unknown recordable V_m_foo"),
    (lambda: nest.Connect(nest.Create("iaf_psc_alpha"), nest.Create("voltmeter"), "one_to_one"),
     "IllegalConnection", "Creation of connection is not possible"),
    (_delay_below_resolution, "BadDelay", "Delay must be greater than or equal to resolution"),
    (lambda: nest.Create("iaf_psc_alpha").set(V_m=2**63), OverflowError, "too large"),
])
def test_errors_are_nests(make, error, match):
    nest.ResetKernel()
    error = getattr(nest.NESTErrors, error) if isinstance(error, str) else error
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("value", [[1.0, 2.0], nest.random.uniform(0, 1)])
def test_set_defaults_takes_single_values_only(value):
    # NEST 3.10's class and words (its test_set_defaults)
    nest.ResetKernel()
    with pytest.raises(ValueError, match="accepts only explicit, single parameter values"):
        nest.SetDefaults("iaf_psc_alpha", {"tau_syn_ex": value})
    with pytest.raises(ValueError, match="accepts only explicit, single parameter values"):
        nest.SetDefaults("iaf_psc_alpha", "tau_syn_ex", value)
    assert nest.GetDefaults("iaf_psc_alpha", "tau_syn_ex") == 2.0
