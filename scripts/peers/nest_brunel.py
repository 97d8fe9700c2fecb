"""The seed network (brunel_alpha_nest.py) in NEST itself, with Spindle's
flags and result record, so `spindle bench` can run NEST beside Spindle.
Needs a Python where `import nest` works (NEST 3.x); says so and exits 3
otherwise."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

args = common.parse_args("NEST")
try:
    import nest  # noqa: E402
except ImportError:
    sys.stderr.write(
        "error: NEST is missing: this Python cannot `import nest`. Install NEST 3.x "
        "(nest-simulator.org, built with OpenMP) into it, or run this script with a "
        "Python that has it; nothing was run.\n")
    sys.exit(3)

c = common.seed_constants(args.order, args.scaling)
nest.ResetKernel()
nest.set_verbosity("M_WARNING")
t0 = time.time()
nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": args.threads,
                      "rng_seed": args.seed, "print_time": False})
params = {"C_m": c["CMem"], "tau_m": c["tauMem"], "tau_syn_ex": c["tauSyn"],
          "tau_syn_in": c["tauSyn"], "t_ref": 2.0, "E_L": 0.0, "V_reset": 0.0,
          "V_m": 0.0, "V_th": c["theta"]}
NE, NI, CE, CI = c["NE"], c["NI"], c["CE"], c["CI"]
n_rec = min(50, NI)
nodes_ex = nest.Create("iaf_psc_alpha", NE, params=params)
nodes_in = nest.Create("iaf_psc_alpha", NI, params=params)
noise = nest.Create("poisson_generator", params={"rate": c["p_rate"]})
espikes = nest.Create("spike_recorder")
ispikes = nest.Create("spike_recorder")
allspikes = nest.Create("spike_recorder")
nest.CopyModel("static_synapse", "excitatory", {"weight": c["J_ex"], "delay": 1.5})
nest.CopyModel("static_synapse", "inhibitory", {"weight": c["J_in"], "delay": 1.5})
nest.Connect(noise, nodes_ex, syn_spec="excitatory")
nest.Connect(noise, nodes_in, syn_spec="excitatory")
nest.Connect(nodes_ex[:n_rec], espikes, syn_spec="excitatory")
nest.Connect(nodes_in[:n_rec], ispikes, syn_spec="excitatory")
nest.Connect(nodes_ex, nodes_ex + nodes_in, {"rule": "fixed_indegree", "indegree": CE}, "excitatory")
nest.Connect(nodes_in, nodes_ex + nodes_in, {"rule": "fixed_indegree", "indegree": CI}, "inhibitory")
syn_ex = nest.GetDefaults("excitatory")["num_connections"]
syn_in = nest.GetDefaults("inhibitory")["num_connections"]
# Counting every spike (for the rates over all neurons) after the seed's
# counts were taken, with the default static_synapse.
nest.Connect(nodes_ex + nodes_in, allspikes)
build = time.time() - t0
t1 = time.time()
nest.Simulate(args.simtime)
sim = time.time() - t1

secs = args.simtime / 1000.0
senders = allspikes.get("events")["senders"]
first_ex = nodes_ex[0].global_id
counts = {}
for s in senders:
    counts[s] = counts.get(s, 0) + 1
spikes_ex = sum(v for k, v in counts.items() if k < first_ex + NE)
spikes_in = sum(v for k, v in counts.items() if k >= first_ex + NE)
rate_ex = espikes.n_events / secs / n_rec
rate_in = ispikes.n_events / secs / n_rec
common.summary("NEST", NE + NI, syn_ex, syn_in, rate_ex, rate_in, build, sim)
status = nest.GetKernelStatus()
common.write_record(
    args.json, system="nest", system_version=nest.__version__, order=args.order,
    threads=args.threads, seed=args.seed, simtime=args.simtime, scaling=args.scaling,
    num_neurons=NE + NI, num_synapses=syn_ex + syn_in, num_synapses_ex=syn_ex,
    num_synapses_in=syn_in, n_rec=n_rec, derived=common.derived(c),
    events_ex=espikes.n_events, events_in=ispikes.n_events, rate_ex=rate_ex,
    rate_in=rate_in, rate_ex_all=spikes_ex / secs / NE, rate_in_all=spikes_in / secs / NI,
    spikes_total=len(senders), build_time=build, sim_time=sim,
    time_simulate=status.get("time_simulate", sim),
    time_construction_create=status.get("time_construction_create"),
    time_construction_connect=status.get("time_construction_connect"),
    peak_rss_bytes=common.peak_rss_bytes())
