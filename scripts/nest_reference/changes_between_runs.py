"""NEST 3.10 reference for changes between Simulate calls and for the
dc_generator: neurons of each of iaf_psc_alpha, iaf_psc_delta and
iaf_psc_exp per resolution, driven by a dc_generator and a
spike_generator, with I_e, V_m, tau_m (on some of the neurons of one
Create), the generator's amplitude and window and the spike times changed
between runs and a spike recorder emptied (n_events = 0). Writes the voltmeter's V_m trace and the recorded spikes.

    /path/to/nest-venv/bin/python scripts/nest_reference/changes_between_runs.py \
        --out tests/data/changes/nest.json

``tests/python/test_changes.py`` runs the same ``scenario`` on
``spindle.nest`` and compares (V_m to 1e-9, spikes exactly).
"""

import argparse
import importlib
import json

MODELS = {
    # model: (spike weight, dc amplitudes before and after the change)
    "iaf_psc_alpha": (300.0, 400.0, -100.0),
    "iaf_psc_delta": (5.0, 400.0, -100.0),
    "iaf_psc_exp": (300.0, 400.0, -100.0),
}


def scenario(nest, model, dt):
    """Run the scenario on module ``nest``; returns what it recorded."""
    weight, amp, amp2 = MODELS[model]
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.resolution = dt
    a = nest.Create(model)
    b = nest.Create(model, params={"I_e": 100.0})
    # Three neurons simulated together, then changed apart.
    c = nest.Create(model, 3, params={"I_e": 300.0})
    dc = nest.Create("dc_generator", params={"amplitude": amp, "start": 20.0, "stop": 60.0})
    sg = nest.Create("spike_generator", params={"spike_times": [5.0, 10.0]})
    vm = nest.Create("voltmeter", params={"interval": dt})
    sr = nest.Create("spike_recorder")
    both = a + b + c
    nest.Connect(dc, a)
    nest.Connect(dc, b, syn_spec={"weight": 0.5, "delay": 2.0})
    nest.Connect(sg, both, syn_spec={"weight": weight, "delay": 1.0})
    nest.Connect(vm, both)
    nest.Connect(both, sr)
    nest.Simulate(50.0)
    spikes_1 = int(sr.n_events)
    b.I_e = 450.0
    c[1].I_e = 500.0
    c[2].set(tau_m=15.0, V_m=-65.0)
    a.V_m = -60.0
    dc.set(amplitude=amp2, stop=120.0)
    sg.spike_times = [70.0, 75.5]
    nest.Simulate(50.0)
    spikes_2 = int(sr.n_events)
    sr.n_events = 0
    nest.Simulate(30.0)
    ev = vm.get("events")
    sp = sr.get("events")
    return {
        "senders": [int(x) for x in ev["senders"]],
        "times": [float(x) for x in ev["times"]],
        "V_m": [float(x) for x in ev["V_m"]],
        "spikes_first_run": spikes_1,
        "spikes_two_runs": spikes_2,
        "spike_senders": [int(x) for x in sp["senders"]],
        "spike_times": [float(x) for x in sp["times"]],
        "V_m_now": [float(x) for x in both.get("V_m")],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--module", default="nest", help="nest (the oracle) or spindle.nest")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    nest = importlib.import_module(args.module)
    out = {}
    for model in MODELS:
        for dt in (0.1, 0.125):
            out[f"{model}@{dt}"] = scenario(nest, model, dt)
    with open(args.out, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
