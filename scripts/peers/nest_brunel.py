"""NEST's own example script of the chosen model's Brunel network, run in
NEST with Spindle's flags and result record, so that `spindle bench` can
run NEST beside Spindle on the same variant:

- iaf_psc_alpha (the seed): brunel_alpha_nest.py;
- iaf_psc_delta: brunel_delta_nest.py;
- iaf_psc_exp: brunel_alpha_nest.py with iaf_psc_exp (NEST has no example
  of its own): `Create("iaf_psc_exp", ...)`, `J_unit` the PSP peak of an
  exponential current (psp_norm_exp, as Spindle's compute_psp_norm_exp)
  and the threshold rate without the alpha current's factor e.

The script is read from the NEST installation (nest/doc/examples/pynest/
in the wheel, or the directory $SPINDLE_NEST_EXAMPLES) and run as it is
but for the edits in `edit()`, each of which must match the script exactly
(else nothing runs and the edit is named): --order, --simtime, --threads
and --seed set (threads and seed right after `nest.ResetKernel()`); the
in-degrees fixed for `--scaling indegree`; `print_time` off; the two
recorders in memory instead of .dat files; no plot; and one more
spike_recorder on every neuron, connected just before the build time is
taken, for the rates over all neurons in the record. `--show-script`
prints the edited script instead of running it.

scipy, which brunel_alpha_nest.py imports for its Lambert W, is replaced
by common.lambert_wm1 (the same function to the last bits or so; the
NEST wheel does not bring scipy).

Needs a Python where `import nest` works (NEST 3.x); says so and exits 3
otherwise."""

import importlib.util
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

SCRIPTS = {
    "iaf_psc_alpha": "brunel_alpha_nest.py",
    "iaf_psc_delta": "brunel_delta_nest.py",
    "iaf_psc_exp": "brunel_alpha_nest.py",
}


def fail(msg, code=3):
    sys.stderr.write(f"error: {msg}\n")
    sys.exit(code)


def examples_dir():
    env = os.environ.get("SPINDLE_NEST_EXAMPLES")
    if env:
        return env
    spec = importlib.util.find_spec("nest")
    if spec is None or not spec.submodule_search_locations:
        fail("NEST is missing: this Python cannot `import nest`. Install NEST 3.x "
             "(nest-simulator.org, built with OpenMP) into it, or run this script with a "
             "Python that has it; nothing was run.")
    return os.path.join(list(spec.submodule_search_locations)[0], "doc", "examples", "pynest")


class _SpecialShim:
    """What brunel_alpha_nest.py uses of scipy.special."""

    @staticmethod
    def lambertw(x, k=0):
        if k != -1:
            raise ValueError("only the branch k=-1 is provided")
        return common.lambert_wm1(x)  # a float: .real is itself


def edit(text, args):
    """The script with Spindle's flags in; every edit must match `count` times."""
    def sub(old, new, count=1):
        nonlocal text
        found = text.count(old)
        if found != count:
            fail(f"{SCRIPTS[args.model]} has changed: expected {count} x {old!r}, found {found}")
        text = text.replace(old, new)

    sub("import matplotlib.pyplot as plt\n", "")
    sub("import nest.raster_plot\n", "")
    sub("nest.raster_plot.from_device(espikes, hist=True)\n", "")
    sub("plt.show()", "")
    sub("nest.ResetKernel()\n",
        f"nest.ResetKernel()\nnest.local_num_threads = {args.threads}\n"
        f"nest.rng_seed = {args.seed}\n")
    sub("\nsimtime = 1000.0", f"\nsimtime = {args.simtime!r}")
    sub("\norder = 2500\n", f"\norder = {args.order}\n")
    sub("nest.print_time = True", "nest.print_time = False")
    sub('record_to="ascii"', 'record_to="memory"', count=2)
    if args.scaling == "indegree":
        sub("CE = int(epsilon * NE)", "CE = 1000")
        sub("CI = int(epsilon * NI)", "CI = 250")
    sub("\nendbuild = time.time()",
        '\nallspikes = nest.Create("spike_recorder")\n'
        "nest.Connect(nodes_ex + nodes_in, allspikes)\n"
        "endbuild = time.time()")
    if args.model != "iaf_psc_delta":
        sub("import scipy.special as sp\n", "sp = _SpecialShim\n")
    if args.model == "iaf_psc_exp":
        sub('nest.Create("iaf_psc_alpha"', 'nest.Create("iaf_psc_exp"', count=2)
        sub("J_unit = ComputePSPnorm(tauMem, CMem, tauSyn)",
            "J_unit = psp_norm_exp(tauMem, CMem, tauSyn)")
        sub("nu_th = (theta * CMem) / (J_ex * CE * np.exp(1) * tauMem * tauSyn)",
            "nu_th = (theta * CMem) / (J_ex * CE * tauMem * tauSyn)")
    return text


args = common.parse_args("NEST", show_script=True)
path = os.path.join(examples_dir(), SCRIPTS[args.model])
try:
    with open(path) as f:
        script = edit(f.read(), args)
except OSError as e:
    fail(f"cannot read NEST's example {path} ({e}); set SPINDLE_NEST_EXAMPLES to the "
         "directory of NEST's PyNEST examples")
code = compile(script, f"{path} (edited by {os.path.basename(__file__)})", "exec")
if args.show_script:
    sys.stdout.write(script)
    sys.exit(0)
try:
    import nest  # noqa: E402
    import numpy as np  # noqa: E402
except ImportError:
    fail("NEST is missing: this Python cannot `import nest`; nothing was run.")

ns = {"__name__": "__main__", "__file__": path, "_SpecialShim": _SpecialShim,
      "psp_norm_exp": common.psp_norm_exp}
exec(code, ns)

secs = args.simtime / 1000.0
NE, NI = ns["NE"], ns["NI"]
senders = np.asarray(ns["allspikes"].get("events")["senders"])
first_in = ns["nodes_in"][0].global_id
spikes_ex = int((senders < first_in).sum())
spikes_in = int(len(senders) - spikes_ex)
status = nest.GetKernelStatus()
common.write_record(
    args.json, system="nest", system_version=nest.__version__, model=args.model,
    order=args.order, threads=args.threads, seed=args.seed, simtime=args.simtime,
    scaling=args.scaling, num_neurons=NE + NI,
    num_synapses=ns["num_synapses_ex"] + ns["num_synapses_in"],
    num_synapses_ex=ns["num_synapses_ex"], num_synapses_in=ns["num_synapses_in"],
    n_rec=ns["N_rec"], derived={k: ns[k] for k in ("NE", "NI", "CE", "CI", "J_ex", "J_in", "p_rate")},
    events_ex=ns["events_ex"], events_in=ns["events_in"], rate_ex=ns["rate_ex"],
    rate_in=ns["rate_in"], rate_ex_all=spikes_ex / secs / NE, rate_in_all=spikes_in / secs / NI,
    spikes_total=len(senders), build_time=ns["build_time"], sim_time=ns["sim_time"],
    time_simulate=status.get("time_simulate", ns["sim_time"]),
    time_construction_create=status.get("time_construction_create"),
    time_construction_connect=status.get("time_construction_connect"),
    peak_rss_bytes=common.peak_rss_bytes())
