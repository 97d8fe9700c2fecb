"""spike_recorder's time_in_steps on spindle.nest as NEST 3.10 gives it:
in memory, integer `times` (steps) with `offsets` (0.0 on the grid); in
ASCII files, the columns `sender time_step time_offset` (NEST's header
and format, checked by hand with the wheel: `1\\t22\\t0.000`). The same
run in ms gives the same spikes."""

import numpy as np

import spindle.nest as nest


def _run(tmp_path, record_to, time_in_steps):
    nest.ResetKernel()
    nest.set(data_path=str(tmp_path), overwrite_files=True)
    n = nest.Create("iaf_psc_exp")
    pg = nest.Create("poisson_generator", params={"rate": 1e5})
    sr = nest.Create("spike_recorder", params={"record_to": record_to,
                                               "time_in_steps": time_in_steps,
                                               "label": f"r{time_in_steps}"})
    nest.Connect(pg, n, syn_spec={"weight": 100.0})
    nest.Connect(n, sr)
    nest.Simulate(20.0)
    return sr


def test_time_in_steps_in_memory(tmp_path):
    ms = _run(tmp_path, "memory", False).events
    steps = _run(tmp_path, "memory", True)
    ev = steps.events
    assert steps.time_in_steps is True
    assert sorted(ev) == ["offsets", "senders", "times"]
    assert ev["times"].dtype == np.int64 and len(ev["times"]) > 3
    assert np.all(ev["offsets"] == 0.0)
    assert np.allclose(ev["times"] * 0.1, ms["times"])
    assert list(ev["senders"]) == list(ms["senders"])


def test_time_in_steps_in_files(tmp_path):
    sr = _run(tmp_path, "ascii", True)
    lines = open(sr.filenames[0]).read().splitlines()
    assert lines[2] == "sender\ttime_step\ttime_offset"
    sender, step, offset = lines[3].split("\t")
    assert (sender, offset) == ("1", "0.000") and int(step) > 0
    sr = _run(tmp_path, "ascii", False)
    assert open(sr.filenames[0]).read().splitlines()[2] == "sender\ttime_ms"


# (runs [ms], interval [ms], delay [ms]) -> after each run, NEST 3.10's
# number of samples and the last sample's time (from the wheel): NEST's
# slices lie on a grid of its min_delay (here 1 ms, the voltmeter's
# delay) from time 0, a run stopping within one leaves it to the next, and
# a multimeter holds a slice's samples only once the next slice started.
MULTIMETER_RUNS = [
    (([10.5, 5.0], 1.0, 1.0), [(10, 10.0), (15, 15.0)]),
    (([10.5, 0.3], 0.1, 1.0), [(100, 10.0), (100, 10.0)]),
    (([10.5, 0.3, 0.4], 0.1, 1.0), [(100, 10.0), (100, 10.0), (110, 11.0)]),
    (([2.0, 3.3, 1.2], 0.1, 1.5), [(10, 1.0), (50, 5.0), (60, 6.0)]),
]


def test_multimeter_sees_slices_on_nests_grid_across_runs():
    """Regression: samples were cut at slices counted from each run's
    start, so `Simulate(10.5); Simulate(5.0)` lost the sample at 15 ms
    (NEST's test_voltmeter_reset)."""
    for (runs, interval, delay), expected in MULTIMETER_RUNS:
        for synapse in ("static_synapse", "stdp_synapse"):
            nest.ResetKernel()
            n = nest.Create("iaf_psc_alpha", 2, params={"I_e": 500.0})
            nest.Connect(n[0], n[1], syn_spec={"synapse_model": synapse, "delay": delay})
            vm = nest.Create("voltmeter", params={"interval": interval})
            nest.Connect(vm, n[0])
            seen = []
            for r in runs:
                nest.Simulate(r)
                t = vm.events["times"]
                seen.append((len(t), round(float(max(t)), 3)))
            assert seen == expected, (runs, interval, delay, synapse)
