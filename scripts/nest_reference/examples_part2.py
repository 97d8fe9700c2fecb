"""What four of NEST 3.10's shipped examples print or write, for
``tests/python/test_examples_part2.py``: each is run from the wheel's
folder with only ``import nest`` changed (for spindle.nest) and, where
named, shortened or followed by lines that print its figures:

- ``recording_demo.py``: what it prints (deterministic);
- ``multimeter_file.py``: the rows of the multimeter's ASCII file;
- ``BrodyHopfield.py``: the number of spikes (noise: NEST's value over
  seeds 1-3, the script's own seed among them);
- ``if_curve.py``, shortened for CI (trials of 200 ms, not 1000; means
  400-900 pA in steps of 250, not 50; deviations 0-600 in steps of 300):
  the rate of each (mean, deviation) pair;
- ``sinusoidal_poisson_generator.py``: the second generator's recorded
  rate (deterministic), its spike count, and the spikes each parrot of
  the last part (one train for all) got;
- ``sinusoidal_gamma_generator.py``: the last part's spike count, and
  its count in the first half (before the parameters change);
- ``pulsepacket.py``: the peak of the averaged membrane potential and
  its time;
- ``evaluate_tsodyks2_synapse.py``: both voltmeters' traces of its last
  case (deterministic);
- ``evaluate_quantal_stp_synapse.py``, shortened for CI (100 trials, not
  500): its averaged traces in windows of 50 ms (not in ``reference``:
  ``quantal_stp.py`` runs it over seeds);
- ``ignore_and_spike_mechanism.py``: the recorded spikes (deterministic);
- ``pong/run_example.py``, shortened for CI (10 game steps, not 50), with
  numpy's global generator seeded so that a run repeats: the two players'
  mean weights and rewards at the end (noise and drawn weights: NEST's
  value over seeds 1-3);
- ``EI_clustered_network/run_example.py``, shortened for CI (1 s, not
  10): the excitatory and inhibitory rates;
- ``sudoku/run_example.py``, shortened for CI (at most 1 s of network
  time, not 10): how many 100 ms runs it took and whether it solved;
- ``store_restore_network.py``, shortened for CI (200 ms per phase, not
  1000): the spikes of the last restored network;
- ``cross_check_mip_corrdet.py``, shortened for CI (10 s, not 100): the
  correlation detector's event counts and histogram;
- ``hh_phaseplane.py``, shortened for CI (a grid of 15 x 15 points,
  steps of 10 mV and 0.05, not 71 x 71): what it prints (deterministic).

``python examples_part2.py nest EXAMPLES | tail -1 > tests/data/examples_part2/nest.json``
(EXAMPLES: the wheel's ``nest/doc/examples/pynest``).
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Per example: textual edits (shortening), and lines appended to print
# its figures as one JSON line after "FIGURES ".
EDITS = {
    "cross_check_mip_corrdet.py": [("T = 100000.0", "T = 10000.0")],
    "EI_clustered_network/sim_params.py": [('"simtime": 10000.0', '"simtime": 1000.0')],
    "sudoku/run_example.py": [("max_sim_time = 10000", "max_sim_time = 1000")],
    "store_restore_network.py": [("T_sim = 1000", "T_sim = 200")],
    "pong/run_example.py": [
        ('default=50, help="Number of game steps', 'default=10, help="Number of game steps'),
        # The game draws the ball's start and breaks ties with numpy's
        # global generator, unseeded: runs of one seed differed by up to
        # 7 in the mean weight, in NEST as in Spindle.
        ("import numpy as np\n", "import numpy as np\n\nnp.random.seed(0)\n"),
    ],
    "hh_phaseplane.py": [
        ("delta_v = 2.0", "delta_v = 10.0"),
        ("delta_n = 0.01", "delta_n = 0.05"),
    ],
    # 100 trials, not 500 (about 6 s on Spindle, 10 s on NEST).
    "evaluate_quantal_stp_synapse.py": [("n_trials = 500", "n_trials = 100")],
    "if_curve.py": [
        ("t_sim = 1000.0", "t_sim = 200.0"),
        ("i_mean=(400.0, 900.0, 50.0), i_std=(0.0, 600.0, 50.0)",
         "i_mean=(400.0, 900.0, 250.0), i_std=(0.0, 601.0, 300.0)"),
    ],
}
EPILOGUES = {
    "BrodyHopfield.py": 'import json as _j; print("FIGURES", _j.dumps({"spikes": int(sr.n_events)}))',
    "if_curve.py": 'import json as _j; print("FIGURES", _j.dumps({"rate": transfer.rate.tolist()}))',
    "multimeter_file.py": 'import json as _j; print("FIGURES", _j.dumps({"rows": data.tolist()}))',
    "sinusoidal_poisson_generator.py": (
        'import json as _j; print("FIGURES", _j.dumps({"rate": list(map(float, r)), '
        '"spikes": len(spike_times), "shared": np.unique(ev["senders"], return_counts=True)[1].tolist()}))'
    ),
    "sinusoidal_gamma_generator.py": (
        'import json as _j; print("FIGURES", _j.dumps({"spikes": len(spikes["times"]), '
        '"first_half": int((spikes["times"] <= t / 2).sum())}))'
    ),
    "evaluate_tsodyks2_synapse.py": (
        'import json as _j; print("FIGURES", _j.dumps({"V_m": [list(map(float, v.events["V_m"])) '
        'for v in voltmeter]}))'
    ),
    # The averaged traces less E_L in windows of 50 ms (with the quantal
    # trace's standard error over trials), its maximum and the RMS error.
    "evaluate_quantal_stp_synapse.py": (
        'import json as _j; _w = lambda v: (v + 70.0).reshape(v.shape[0], -1, 500).mean(axis=2); '
        'print("FIGURES", _j.dumps({"q": _w(vm_qsyn).mean(axis=0).tolist(), '
        '"q_se": (_w(vm_qsyn).std(axis=0, ddof=1) / vm_qsyn.shape[0] ** 0.5).tolist(), '
        '"t": _w(vm_tsyn).mean(axis=0).tolist(), "max": float(vm_qsyn_mean.max()) + 70.0, '
        '"rms": float(rms_error)}))'
    ),
    "ignore_and_spike_mechanism.py": (
        'import json as _j; print("FIGURES", _j.dumps({"times": list(map(float, times)), '
        '"senders": list(map(int, senders))}))'
    ),
    # Not in ``reference`` below: ``iaf_tum_2000.py`` runs them.
    "iaf_tum_2000_short_term_depression.py": (
        'import json as _j; print("FIGURES", _j.dumps({"times": list(map(float, voltmeter.events["times"])), '
        '"V_m": list(map(float, voltmeter.events["V_m"]))}))'
    ),
    "iaf_tum_2000_short_term_facilitation.py": (
        'import json as _j; print("FIGURES", _j.dumps({"times": list(map(float, voltmeter.events["times"])), '
        '"V_m": list(map(float, voltmeter.events["V_m"]))}))'
    ),
    "pong/run_example.py": (
        'import json as _j; print("FIGURES", _j.dumps({"weights": [float(p.get_all_weights().mean()) '
        'for p in (p1, p2)], "rewards": [float(np.mean(p.mean_reward)) for p in (p1, p2)]}))'
    ),
    # Not in ``reference`` below: ``aeif_cond_beta_multisynapse.py`` (this
    # folder's) runs it into its own data.
    "aeif_cond_beta_multisynapse.py": (
        'import json as _j; print("FIGURES", _j.dumps({"times": list(map(float, ts)), '
        '"V_m": list(map(float, Vms))}))'
    ),
    "EI_clustered_network/run_example.py": (
        'import json as _j; print("FIGURES", _j.dumps({"rates": [result["e_rate"], result["i_rate"]]}))'
    ),
    "sudoku/run_example.py": (
        'import json as _j; print("FIGURES", _j.dumps({"runs": run, "valid": bool(valid)}))'
    ),
    "store_restore_network.py": (
        'import json as _j; print("FIGURES", _j.dumps({"spikes": int(ein2.sr.n_events)}))'
    ),
    "cross_check_mip_corrdet.py": (
        'import json as _j; print("FIGURES", _j.dumps({"n_events": list(map(int, cd.n_events)), '
        '"histogram": list(map(float, cd.histogram))}))'
    ),
    "pulsepacket.py": (
        'import json as _j; print("FIGURES", _j.dumps({"peak": float(Vm_average.max()), '
        '"at": float(simtimes[Vm_average.argmax()])}))'
    ),
}
SEEDED = {"BrodyHopfield.py", "pong/run_example.py"}


def source(path, spindle):
    text = open(path).read()
    if spindle:
        text = re.sub(r"^import nest$", "import spindle.nest as nest", text, flags=re.M)
        text = re.sub(r"^import nest\.(raster_plot|voltage_trace)$", r"import spindle.nest.\1", text,
                      flags=re.M)
    return text


def run(python, examples, script, spindle, seed=None):
    """Run ``script`` in a fresh folder; returns (stdout lines, figures)."""
    with tempfile.TemporaryDirectory() as tmp:
        # The script's folder's modules, with the import changed too.
        folder = os.path.dirname(os.path.join(examples, script))
        for sibling in glob.glob(os.path.join(folder, "*.py")):
            module = source(sibling, spindle)
            for old, new in EDITS.get(os.path.relpath(sibling, examples), []):
                assert old in module, (sibling, old)
                module = module.replace(old, new)
            with open(os.path.join(tmp, os.path.basename(sibling)), "w") as f:
                f.write(module)
        text = source(os.path.join(examples, script), spindle)
        for old, new in EDITS.get(script, []):
            assert old in text, (script, old)
            text = text.replace(old, new)
        if seed is not None:
            text, n = re.subn(r"^(import (spindle\.)?nest( as nest)?)$", rf"\1\nnest.rng_seed = {seed}", text,
                              count=1, flags=re.M)
            assert n == 1, script
        text += "\n" + EPILOGUES.get(script, "") + "\n"
        name = os.path.basename(script)
        with open(os.path.join(tmp, name), "w") as f:
            f.write(text)
        env = dict(os.environ, MPLBACKEND="Agg")
        p = subprocess.run([python, name], cwd=tmp, env=env, capture_output=True, text=True, timeout=900)
        if p.returncode != 0:
            raise RuntimeError(f"{script}: {p.stderr[-2000:]}")
    lines, figures = [], {}
    for line in p.stdout.splitlines():
        if line.startswith("FIGURES "):
            figures.update(json.loads(line[len("FIGURES "):]))
        elif not re.match(r"^(\[INFO\]|\[WARNING\]|Simulation time|Number of OpenMP|Not using MPI|\s*$)", line):
            lines.append(line)
    return lines, figures


def printed(lines):
    """What recording_demo prints, without NEST's banner."""
    start = next(i for i, line in enumerate(lines) if line.startswith("simulation resolution"))
    return lines[start:]


def reference(python, examples, spindle=False):
    out = {"recording_demo.py": printed(run(python, examples, "recording_demo.py", spindle)[0])}
    out["multimeter_file.py"] = run(python, examples, "multimeter_file.py", spindle)[1]["rows"]
    out["BrodyHopfield.py"] = [run(python, examples, "BrodyHopfield.py", spindle, seed)[1]["spikes"]
                               for seed in (1, 2, 3)]
    out["if_curve.py"] = run(python, examples, "if_curve.py", spindle)[1]["rate"]
    for script in ("sinusoidal_poisson_generator.py", "sinusoidal_gamma_generator.py", "pulsepacket.py",
                   "evaluate_tsodyks2_synapse.py", "ignore_and_spike_mechanism.py"):
        # They reset the kernel, and with it any seed set before.
        out[script] = run(python, examples, script, spindle)[1]
    out["pong/run_example.py"] = [run(python, examples, "pong/run_example.py", spindle, seed)[1]
                                  for seed in (1, 2, 3)]
    # Each sets its own seeds after a ResetKernel.
    for script in ("cross_check_mip_corrdet.py", "EI_clustered_network/run_example.py",
                   "store_restore_network.py", "sudoku/run_example.py"):
        out[script] = run(python, examples, script, spindle)[1]
    out["hh_phaseplane.py"] = phaseplane(run(python, examples, "hh_phaseplane.py", spindle)[0])
    return out


def phaseplane(lines):
    """What hh_phaseplane prints from its scan on."""
    return lines[lines.index("Scanning phase space"):]


if __name__ == "__main__":
    system, examples = sys.argv[1], sys.argv[2]
    print(json.dumps(reference(sys.executable, examples, spindle=system != "nest")))
