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
