"""The seed network (NEST's brunel_alpha_nest.py) in Brian2's C++ standalone
mode with OpenMP: iaf_psc_alpha dynamics integrated exactly, fixed
in-degree with multapses and autapses, an independent Poisson drive per
neuron (PoissonInput), delay 1.5 ms, dt 0.1 ms.

Run through scripts/peers/brian2.sh, which installs Brian2 into a local
virtual environment. Times: `Building time` is what the compiled program
spends before the run (synapse creation included), `Simulation time` the
run itself (Brian2's own `_last_run_time`); code generation and compilation
are reported apart as `compile_time`."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

args = common.parse_args("Brian2")
if args.model != "iaf_psc_alpha":
    sys.exit(f"error: the Brian2 peer runs iaf_psc_alpha only, not {args.model}")
import numpy as np  # noqa: E402
import brian2  # noqa: E402
from brian2 import (ms, mV, pA, pF, Hz, second, NeuronGroup, Synapses,  # noqa: E402
                    PoissonInput, SpikeMonitor, SpikeGeneratorGroup, device,
                    set_device, prefs, defaultclock, run, seed)

c = common.seed_constants(args.order, args.scaling)
build_dir = os.path.join(os.environ.get("SPINDLE_BRIAN2_BUILD", ".brian2-build"),
                         f"o{args.order}-t{args.threads}-{args.scaling}")
set_device("cpp_standalone", directory=build_dir, build_on_run=False)
prefs.devices.cpp_standalone.openmp_threads = args.threads
defaultclock.dt = 0.1 * ms
seed(args.seed)
rng = np.random.default_rng(args.seed)

NE, NI, CE, CI = c["NE"], c["NI"], c["CE"], c["CI"]
N = NE + NI
tau_m, tau_s, C_m = c["tauMem"] * ms, c["tauSyn"] * ms, c["CMem"] * pF
theta = c["theta"] * mV
eqs = """
dv/dt = -v/tau_m + (I_ex + I_in)/C_m : volt (unless refractory)
dI_ex/dt = -I_ex/tau_s + x_ex : amp
dx_ex/dt = -x_ex/tau_s : amp/second
dI_in/dt = -I_in/tau_s + x_in : amp
dx_in/dt = -x_in/tau_s : amp/second
"""
t_compile = time.time()
G = NeuronGroup(N, eqs, threshold="v >= theta", reset="v = 0*mV",
                refractory=2.0 * ms, method="exact")
G.v = 0 * mV
# An input of weight w makes the current rise as an alpha function
# peaking at w: x jumps by e/tau_s * w.
jump_ex = np.e / tau_s * c["J_ex"] * pA
jump_in = np.e / tau_s * c["J_in"] * pA
S_ex = Synapses(G[:NE], G, on_pre="x_ex_post += jump_ex", delay=1.5 * ms)
S_in = Synapses(G[NE:], G, on_pre="x_in_post += jump_in", delay=1.5 * ms)
# fixed_indegree, autapses and multapses allowed, as NEST's default.
targets_ex = np.repeat(np.arange(N), CE)
targets_in = np.repeat(np.arange(N), CI)
S_ex.connect(i=rng.integers(0, NE, size=N * CE), j=targets_ex)
S_in.connect(i=rng.integers(0, NI, size=N * CI), j=targets_in)
P = PoissonInput(G, "x_ex", N=CE, rate=c["nu_ex"] * 1000.0 * Hz, weight="jump_ex")
n_rec = min(50, NI)
mon = SpikeMonitor(G)
run(args.simtime * ms)
device.build(directory=build_dir, compile=True, run=False)
compile_time = time.time() - t_compile
t_run = time.time()
device.run(directory=build_dir)
wall = time.time() - t_run
sim = float(device._last_run_time)
build = max(wall - sim, 0.0)

spikes_i = np.asarray(mon.i[:])
counts = np.bincount(spikes_i, minlength=N)
secs = args.simtime / 1000.0
rate_ex = counts[:n_rec].sum() / secs / n_rec
rate_in = counts[NE:NE + n_rec].sum() / secs / n_rec
# As NEST counts them: + the generator and the recorder connections.
syn_ex = N * CE + N + 2 * n_rec
syn_in = N * CI
common.summary("Brian2", N, syn_ex, syn_in, rate_ex, rate_in, build, sim)
common.write_record(
    args.json, system="brian2", system_version=brian2.__version__, model=args.model,
    order=args.order, threads=args.threads, seed=args.seed, simtime=args.simtime,
    scaling=args.scaling, num_neurons=N, num_synapses=syn_ex + syn_in,
    num_synapses_ex=syn_ex, num_synapses_in=syn_in, n_rec=n_rec, derived=common.derived(c),
    events_ex=int(counts[:n_rec].sum()), events_in=int(counts[NE:NE + n_rec].sum()),
    rate_ex=rate_ex, rate_in=rate_in,
    rate_ex_all=counts[:NE].sum() / secs / NE, rate_in_all=counts[NE:].sum() / secs / NI,
    spikes_total=int(counts.sum()), build_time=build, sim_time=sim,
    time_simulate=sim, compile_time=compile_time, peak_rss_bytes=common.peak_rss_bytes())
