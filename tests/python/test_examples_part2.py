"""NEST 3.10's examples of issue 21 that spindle.nest runs, with only the
import changed (``scripts/nest_reference/examples_part2.py`` runs them
and says how ``if_curve.py`` is shortened for CI), against NEST's output
(``tests/data/examples_part2/nest.json``): ``multimeter_file.py``'s file
rows exactly, ``recording_demo.py``'s printed headers and spike counts
(its 1 MHz Poisson input differs by seed), ``BrodyHopfield.py``'s
spike count within NEST's spread over seeds 1-3, ``if_curve.py``'s
rates within 15 % + 1 Hz of NEST's, the sinusoidal generators' recorded
rates exactly and their counts within 4 standard deviations, and
``pulsepacket.py``'s averaged potential's peak, ``evaluate_tsodyks2_synapse.py``'s
traces to 1e-9, ``ignore_and_spike_mechanism.py``'s spikes and (shortened)
``hh_phaseplane.py``'s printed lines exactly, and (shortened) ``pong``'s
players' mean weights within 5 pA of NEST's mean over seeds 1-3;
shortened ``EI_clustered_network`` rates within 25 %, ``store_restore_network``
spike count within 15 %, ``sudoku``'s outcome as NEST's, and (shortened)
``cross_check_mip_corrdet.py``'s counts and histogram within 4 sd."""

import json
import os
import statistics
import sys

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts", "nest_reference"))
sys.path.insert(0, os.path.dirname(__file__))

import examples_part2  # noqa: E402
from test_examples import EXAMPLES  # noqa: E402

pytestmark = pytest.mark.skipif(EXAMPLES is None, reason="NEST 3.10's example scripts not found "
                                                        "(set SPINDLE_NEST_EXAMPLES)")


@pytest.fixture(scope="module")
def want():
    with open(os.path.join(ROOT, "tests", "data", "examples_part2", "nest.json")) as f:
        return json.load(f)


def run(script, seed=None):
    return examples_part2.run(sys.executable, EXAMPLES, script, spindle=True, seed=seed)


def test_multimeter_file_writes_nests_rows(want):
    assert run("multimeter_file.py")[1]["rows"] == want["multimeter_file.py"]


def test_recording_demo_prints_what_nest_prints(want):
    got = examples_part2.printed(run("recording_demo.py")[0])
    ref = want["recording_demo.py"]

    def shape(lines):
        # Headers as printed; each spike as a row (times depend on the seed).
        heads = [x for x in lines if x.startswith(("simulation", "data recorded", "[['sender'"))]
        rows = sum(x.startswith(" ['1'") for x in lines)
        keys = [x.split("'")[1] for x in lines if x.startswith("{")]
        return heads, rows, keys

    (heads, rows, keys), (want_heads, want_rows, want_keys) = shape(got), shape(ref)
    assert heads == want_heads and keys == want_keys
    assert abs(rows - want_rows) <= 4


def test_brody_hopfield_spike_count_within_nests_spread(want):
    nest_counts = want["BrodyHopfield.py"]
    ours = statistics.mean(run("BrodyHopfield.py", seed)[1]["spikes"] for seed in (1, 2, 3))
    spread = max(3 * statistics.stdev(nest_counts), 0.005 * statistics.mean(nest_counts))
    assert abs(ours - statistics.mean(nest_counts)) <= spread


def test_if_curve_rates_as_nest(want):
    rates = run("if_curve.py")[1]["rate"]
    for got_row, want_row in zip(rates, want["if_curve.py"], strict=True):
        for got, ref in zip(got_row, want_row, strict=True):
            assert abs(got - ref) <= 0.15 * ref + 1.0, (rates, want["if_curve.py"])


def test_sinusoidal_poisson_generator_as_nest(want):
    got, ref = run("sinusoidal_poisson_generator.py")[1], want["sinusoidal_poisson_generator.py"]
    # The recorded rate is deterministic: NEST's samples, to rounding.
    assert len(got["rate"]) == len(ref["rate"])
    assert max(abs(a - b) for a, b in zip(got["rate"], ref["rate"])) <= 1e-6
    # Poisson counts: within 4 standard deviations of NEST's.
    assert abs(got["spikes"] - ref["spikes"]) <= 4 * (2 * ref["spikes"]) ** 0.5
    # One train for all parrots.
    assert len(set(got["shared"])) == 1 and len(got["shared"]) == len(ref["shared"])
    assert abs(got["shared"][0] - ref["shared"][0]) <= 4 * (2 * ref["shared"][0]) ** 0.5


def test_sinusoidal_gamma_generator_as_nest(want):
    got, ref = run("sinusoidal_gamma_generator.py")[1], want["sinusoidal_gamma_generator.py"]
    for key in ("spikes", "first_half"):
        assert abs(got[key] - ref[key]) <= 4 * (2 * ref[key]) ** 0.5


def test_pulsepacket_as_nest(want):
    got, ref = run("pulsepacket.py")[1], want["pulsepacket.py"]
    # The mean potential of 100 neurons: its peak within 5 % and 3 ms.
    assert abs(got["peak"] - ref["peak"]) <= 0.05 * ref["peak"]
    assert abs(got["at"] - ref["at"]) <= 3.0


def test_evaluate_tsodyks2_synapse_as_nest(want):
    got, ref = run("evaluate_tsodyks2_synapse.py")[1], want["evaluate_tsodyks2_synapse.py"]
    for trace, ref_trace in zip(got["V_m"], ref["V_m"], strict=True):
        assert len(trace) == len(ref_trace)
        assert max(abs(a - b) for a, b in zip(trace, ref_trace)) <= 1e-9


def test_ignore_and_spike_mechanism_as_nest(want):
    # Forced spikes at 5, 15, ... ms beside the regular neuron's, exactly.
    assert run("ignore_and_spike_mechanism.py")[1] == want["ignore_and_spike_mechanism.py"]


def test_hh_phaseplane_prints_what_nest_prints(want):
    # Gating variables set and read between one-step runs (shortened grid).
    got = examples_part2.phaseplane(run("hh_phaseplane.py")[0])
    assert got == want["hh_phaseplane.py"]


def test_pong_learns_as_nest(want):
    # Shortened to 10 game steps; per-connection weights set by R-STDP.
    # Regression: the game's own draws (numpy's global generator) were
    # unseeded, so one seed's mean weight moved by up to 7 from run to run
    # (NEST's too) and a CI run fell outside the band; the harness seeds
    # them, so that the run repeats.
    got = run("pong/run_example.py", seed=1)[1]
    ref = want["pong/run_example.py"]
    for player in (0, 1):
        nest_mean = statistics.mean(r["weights"][player] for r in ref)
        assert abs(got["weights"][player] - nest_mean) <= 5.0
        assert 0.0 <= got["rewards"][player] <= 0.2


def test_ei_clustered_network_rates_near_nests(want):
    # Shortened to 1 s; its own seed (it resets the kernel): rates of a
    # clustered network vary run to run, hence the 25 % band.
    got, ref = run("EI_clustered_network/run_example.py")[1], want["EI_clustered_network/run_example.py"]
    for rate, nest_rate in zip(got["rates"], ref["rates"], strict=True):
        assert abs(rate - nest_rate) <= 0.25 * nest_rate


def test_store_restore_network_spikes_near_nests(want):
    # Shortened to 200 ms per phase; STDP weights stored and restored.
    got, ref = run("store_restore_network.py")[1], want["store_restore_network.py"]
    assert abs(got["spikes"] - ref["spikes"]) <= 0.15 * ref["spikes"]


def test_sudoku_runs_as_nest(want):
    # Shortened to ten 100 ms runs, as NEST's: it runs them all unsolved.
    assert run("sudoku/run_example.py")[1] == want["sudoku/run_example.py"]


def test_cross_check_mip_corrdet_as_nest(want):
    # Shortened to 10 s: the detector's counts and its histogram's peak
    # (the copies shared at lag 0) and floor within 4 sd of NEST's.
    got, ref = run("cross_check_mip_corrdet.py")[1], want["cross_check_mip_corrdet.py"]
    for n, nest_n in zip(got["n_events"], ref["n_events"], strict=True):
        assert abs(n - nest_n) <= 4 * nest_n ** 0.5
    mid = len(ref["histogram"]) // 2
    assert abs(got["histogram"][mid] - ref["histogram"][mid]) <= 4 * ref["histogram"][mid] ** 0.5
    floor = [h for i, h in enumerate(got["histogram"]) if i != mid]
    nest_floor = [h for i, h in enumerate(ref["histogram"]) if i != mid]
    assert abs(statistics.mean(floor) - statistics.mean(nest_floor)) <= 4 * statistics.mean(nest_floor) ** 0.5
