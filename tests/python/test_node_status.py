"""Node and kernel status keys NEST 3.10 has, on spindle.nest: ``t_spike``,
``frozen``, ``node_uses_wfr``, ``thread_local_id``, a multimeter's
``offset`` and ``time_in_steps``, and the waveform-relaxation settings
(kept and checked as NEST checks them; Spindle has no connections
without delay for them to act on)."""

import numpy as np
import pytest

import spindle.nest as nest


@pytest.fixture(autouse=True)
def reset():
    nest.ResetKernel()


def test_t_spike_is_the_last_spike():
    n = nest.Create("iaf_psc_alpha", 2, params={"I_e": [0.0, 500.0]})
    sr = nest.Create("spike_recorder")
    nest.Connect(n, sr)
    assert n.t_spike == (-1.0, -1.0)
    nest.Simulate(100.0)
    last = sr.events["times"][sr.events["senders"] == 2].max()
    assert n.t_spike == (-1.0, last)


def test_frozen_node_uses_wfr_thread_local_id():
    n = nest.Create("iaf_psc_alpha", 3)
    mm = nest.Create("multimeter")
    assert n[0].frozen is False and n[0].node_uses_wfr is False
    assert mm.thread_local_id == -1
    nest.Simulate(1.0)
    # One thread: every node in creation order (NEST's).
    assert n.thread_local_id == (0, 1, 2) and mm.thread_local_id == 3
    n.frozen = False
    with pytest.raises(nest.NESTErrors.NotImplemented):
        n.frozen = True


def test_multimeter_offset_and_time_in_steps():
    nest.resolution = 2**-3
    n = nest.Create("iaf_psc_alpha")
    mm = nest.Create("multimeter", params={"interval": 3.0, "offset": 5.0, "record_from": ["V_m"],
                                           "time_in_steps": True})
    nest.Connect(mm, n)
    with pytest.raises(nest.NESTErrors.BadProperty):
        mm.offset = 1.0
    nest.Simulate(15.0)
    ev = mm.events
    # NEST: samples at offset + k interval, as steps with zero offsets.
    assert list(ev["times"]) == [40, 64, 88, 112]
    assert list(ev["offsets"]) == [0.0] * 4
    with pytest.raises(nest.NESTErrors.BadProperty):
        nest.Create("multimeter", params={"offset": 0.01})


def test_waveform_relaxation_settings():
    assert nest.use_wfr is True and nest.wfr_comm_interval == 1.0
    nest.set(use_wfr=True, wfr_comm_interval=0.5)
    assert nest.wfr_comm_interval == 0.5
    nest.set(resolution=0.1, use_wfr=False)
    assert nest.wfr_comm_interval == 0.1
    with pytest.raises(nest.NESTErrors.KernelException):
        nest.set(wfr_comm_interval=0.5)
    nest.ResetKernel()
    with pytest.raises(nest.NESTErrors.KernelException):
        nest.set(resolution=0.1, wfr_comm_interval=0.05)
    nest.Create("iaf_psc_alpha")
    with pytest.raises(nest.NESTErrors.KernelException):
        nest.set(use_wfr=True)
    assert np.isclose(nest.wfr_tol, 1e-4) and nest.wfr_max_iterations == 15
