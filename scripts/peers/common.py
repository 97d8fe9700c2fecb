"""What the peer scripts share: the seed's parameters and derived
constants, the command line, and the result record `spindle bench` and
`spindle compare` read (format version 2: the fields of Spindle's
`RunRecord`, crates/spindle-bench/src/record.rs, every one present)."""

import argparse
import json
import os
import platform
import resource
import sys

import math


MODELS = ("iaf_psc_alpha", "iaf_psc_delta", "iaf_psc_exp")


def parse_args(system, show_script=False):
    p = argparse.ArgumentParser(
        description=f"The seed network (brunel_alpha_nest.py) or its variant for --model in "
        f"{system}, printing the script's summary and writing a Spindle result record.")
    p.add_argument("--model", choices=MODELS, default="iaf_psc_alpha")
    if show_script:
        p.add_argument("--show-script", action="store_true",
                       help="print the script that would run, and exit")
    p.add_argument("--order", type=int, default=2500)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--simtime", type=float, default=1000.0)
    p.add_argument("--scaling", choices=["seed", "indegree"], default="seed")
    p.add_argument("--json", help="write the result record here")
    # Flags `spindle bench` passes to Spindle that mean nothing here.
    p.add_argument("--record-to", default="none")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--pin", action="store_true")
    a = p.parse_args()
    for name in ("order", "threads"):
        if getattr(a, name) <= 0:
            sys.exit(f"error: --{name} must be > 0")
    if a.simtime <= 0:
        sys.exit("error: --simtime must be > 0")
    return a


def lambert_wm1(x):
    """Lambert W, branch -1, by Halley's iteration (no scipy needed)."""
    w = math.log(-x) - math.log(-math.log(-x))
    for _ in range(50):
        ew = math.exp(w)
        f = w * ew - x
        w_next = w - f / (ew * (w + 1) - (w + 2) * f / (2 * w + 2))
        if w_next == w:
            break
        w = w_next
    return w


def seed_constants(order, scaling):
    """The seed script's derived constants (ComputePSPnorm etc.)."""
    NE, NI = 4 * order, order
    if scaling == "seed":
        CE, CI = int(0.1 * NE), int(0.1 * NI)
    else:
        CE, CI = 1000, 250
    tauSyn, tauMem, CMem, theta, J, g, eta = 0.5, 20.0, 250.0, 20.0, 0.1, 5.0, 2.0
    a = tauMem / tauSyn
    b = 1.0 / tauSyn - 1.0 / tauMem
    t_max = 1.0 / b * (-lambert_wm1(-math.exp(-1.0 / a) / a) - 1.0 / a)
    J_unit = math.exp(1.0) / (tauSyn * CMem * b) * (
        (math.exp(-t_max / tauMem) - math.exp(-t_max / tauSyn)) / b - t_max * math.exp(-t_max / tauSyn))
    J_ex = J / J_unit
    J_in = -g * J_ex
    nu_th = (theta * CMem) / (J_ex * CE * math.exp(1) * tauMem * tauSyn)
    nu_ex = eta * nu_th
    p_rate = 1000.0 * nu_ex * CE
    return dict(NE=NE, NI=NI, CE=CE, CI=CI, J_ex=J_ex, J_in=J_in, p_rate=p_rate,
                nu_ex=nu_ex, tauSyn=tauSyn, tauMem=tauMem, CMem=CMem, theta=theta)


def psp_norm_exp(tau_m, c_m, tau_syn):
    """The PSP peak [mV] of an exponential current exp(-t / tau_syn) [pA]: the
    iaf_psc_exp variant's J_unit (Spindle's spindle_brunel::compute_psp_norm_exp)."""
    if tau_m == tau_syn:
        return tau_m / (math.e * c_m)
    b = 1.0 / tau_syn - 1.0 / tau_m
    t_max = math.log(tau_m / tau_syn) / b
    return (math.exp(-t_max / tau_m) - math.exp(-t_max / tau_syn)) / (c_m * b)


def summary(system, n_neurons, syn_ex, syn_in, rate_ex, rate_in, build, sim):
    print(f"Brunel network simulation ({system})")
    print(f"Number of neurons : {n_neurons}")
    print(f"Number of synapses: {syn_ex + syn_in}")
    print(f"       Excitatory : {syn_ex}")
    print(f"       Inhibitory : {syn_in}")
    print(f"Excitatory rate   : {rate_ex:.2f} Hz")
    print(f"Inhibitory rate   : {rate_in:.2f} Hz")
    print(f"Building time     : {build:.2f} s")
    print(f"Simulation time   : {sim:.2f} s")


def peak_rss_bytes():
    """Peak RSS of this process or of a child it waited for (the larger)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, child) * 1024


# Fields a peer cannot measure: Spindle's build, its engine's figures (phase
# timers, slices, synaptic events, storage bytes) and its spike digest.
# They are written as null, which the record's docs define for peers.
# `spindle bench` fills in `sweep`.
NULL_FOR_PEERS = (
    "git_commit", "rustc_version", "isa", "sweep", "spike_digest", "compile_time",
    "time_construction_create", "time_construction_create_cpu",
    "time_construction_connect", "time_construction_connect_cpu",
    "time_simulate_cpu",
    "time_update", "time_deliver_spike_data", "time_gather_spike_data",
    "time_omp_synchronization_simulation", "time_communicate_spike_data",
    "time_mpi_synchronization",
    "phases", "rank_timers", "imbalance_ranks", "thread_timers", "slices", "slice_times",
    "synaptic_events", "poisson_draws", "synapses_stored",
    "synaptic_events_per_second", "ns_per_synaptic_event_per_core",
    "ns_per_synaptic_event_delivered",
    "synapse_bytes", "neuron_bytes", "bytes_per_synapse", "bytes_per_neuron",
)

# Fields a peer of the microcircuit passes beside MEASURED (the Brunel
# network's peers leave them to their defaults: network "brunel", the rest
# null), and the shortest delay in steps (the seed's: 15).
OPTIONAL = ("network", "scale", "microcircuit", "min_delay_steps")

# Fields the peer script passes.
MEASURED = (
    "system", "system_version", "model", "order", "scaling", "seed", "simtime", "threads",
    "num_neurons", "num_synapses", "num_synapses_ex", "num_synapses_in", "n_rec",
    "derived", "events_ex", "events_in", "rate_ex", "rate_in", "rate_ex_all",
    "rate_in_all", "spikes_total", "build_time", "sim_time", "time_simulate",
    "peak_rss_bytes",
)


def derived(c):
    """The `derived` field: the seed's constants under its names."""
    return {k: c[k] for k in ("NE", "NI", "CE", "CI", "J_ex", "J_in", "p_rate")}


def cpu_model():
    return cpuinfo_field("model name") or platform.processor() or platform.machine()


def cpuinfo_field(name):
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == name:
                    return value.strip()
    except OSError:
        pass
    return ""


def cpu_detail():
    """The `cpu` field, as Spindle's machine.rs reads it (empty where unknown)."""
    def cache(level):
        best = 0
        for i in range(8):
            d = f"/sys/devices/system/cpu/cpu0/cache/index{i}"
            try:
                if open(f"{d}/level").read().strip() != level:
                    continue
                size = open(f"{d}/size").read().strip()
            except OSError:
                continue
            num = size.rstrip("KMG")
            if num.isdigit():
                best = max(best, int(num) << {"K": 10, "M": 20}.get(size[len(num):], 0))
        return best
    flags = cpuinfo_field("flags").split()
    return {
        "family": cpuinfo_field("cpu family"),
        "model": cpuinfo_field("model"),
        "stepping": cpuinfo_field("stepping"),
        "mhz": cpuinfo_field("cpu MHz"),
        "l2_bytes": cache("2"),
        "l3_bytes": cache("3"),
        "vector": [f for f in flags
                   if f in ("sse4_2", "avx", "avx2", "fma") or f.startswith("avx512")],
    }


def record(**fields):
    """A format-version-2 record: the MEASURED fields, required, and any of
    NULL_FOR_PEERS a peer does measure; the rest follows from them."""
    missing = [k for k in MEASURED if k not in fields]
    unknown = [k for k in fields
               if k not in MEASURED and k not in NULL_FOR_PEERS and k not in OPTIONAL]
    if missing or unknown:
        raise ValueError(f"record: missing {missing}, unknown {unknown}")
    rec = {"format_version": 2}
    rec.update(dict.fromkeys(NULL_FOR_PEERS))
    rec.update(
        host=platform.node(),
        cpu_model=cpu_model(),
        cpu=cpu_detail(),
        cores=os.cpu_count(),
        interrupted=False,
        dt=0.1,
        pin=False,  # peers accept --pin but do not pin
        ranks=1,
        # The seed's only delay, 1.5 ms, in steps of dt.
        min_delay_steps=15,
        network="brunel",
        scale=None,
        microcircuit=None,
    )
    rec.update(fields)
    rec["simtime_reached"] = rec["simtime"]
    rec["threads_per_rank"] = rec["threads"]
    rec["rank_peak_rss_bytes"] = [rec["peak_rss_bytes"]]
    # As Spindle's: the simulator's own time per model second (the
    # microcircuit's presimulation included).
    presim = (rec["microcircuit"] or {}).get("presim", 0.0)
    rec["real_time_factor"] = rec["time_simulate"] * 1000.0 / (rec["simtime"] + presim)
    return rec


def write_record(path, **fields):
    rec = record(**fields)
    if path:
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(rec, f, indent=1)
        os.replace(tmp, path)


def examples_dir(given):
    """NEST 3.10's pynest examples folder: `given` (--examples), else
    $SPINDLE_NEST_EXAMPLES, else the one in the installed NEST wheel
    (nest/doc/examples/pynest); None where none is found."""
    import importlib.util
    for d in (given, os.environ.get("SPINDLE_NEST_EXAMPLES")):
        if d:
            return d
    spec = importlib.util.find_spec("nest")
    if spec and spec.submodule_search_locations:
        d = os.path.join(list(spec.submodule_search_locations)[0], "doc", "examples", "pynest")
        if os.path.isdir(d):
            return d
    return None


def import_as_nest(module):
    """`module` imported and installed as `nest` (with the submodules the
    examples import), so that an example's `import nest` gets it; exits 3
    when it cannot be imported."""
    import importlib
    try:
        m = importlib.import_module(module)
    except ImportError:
        sys.stderr.write(f"error: {module} is missing: this Python cannot import it; nothing was run.\n")
        sys.exit(3)
    if module != "nest":
        for sub in ("random", "math", "raster_plot"):
            try:
                sys.modules["nest." + sub] = importlib.import_module(module + "." + sub)
            except ImportError:
                pass
        sys.modules["nest"] = m
    return m


def dump_weights(nest, path, neurons):
    """The connections among `neurons` (source, target, synapse model,
    delay, weight), one per line, sorted, as `spindle --dump-weights`
    writes them."""
    conns = nest.GetConnections(source=neurons, target=neurons)
    d = conns.get(["source", "target", "synapse_model", "delay", "weight"])
    rows = sorted(zip(d["source"], d["target"], d["synapse_model"], d["delay"], d["weight"]))
    with open(path, "w") as f:
        f.write("# source target synapse_model delay_ms weight\n")
        for s, t, m, dl, w in rows:
            f.write(f"{s} {t} {m} {dl!r} {w!r}\n")
