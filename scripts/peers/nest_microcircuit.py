"""NEST's PD14 microcircuit example (vendored unchanged in
tests/data/microcircuit/pd14) run in NEST with Spindle's flags and result
record, so that `spindle bench --network microcircuit --peers nest` runs
NEST beside Spindle at the same scale, threads and seed.

The example's own code runs: a copy of the vendored package (so that
nothing is written into the repository) is imported, its parameter
dictionaries get the flags (N_scaling = K_scaling = --scale,
bg_input_type = --drive, t_presim = --presim, t_sim = --simtime,
rng_seed = --seed, local_num_threads = --threads, a temporary data_path,
print_time off), and the steps of run_microcircuit.main() are taken and
timed as it times them: Network(...), create(), connect() (with its
Prepare), simulate(t_presim), simulate(t_sim). Its evaluation (plots) and
store_metadata() (pip freeze) are left out: they are not what is
measured. The spike recorders write their ASCII files as in the example.

Recorded: build time = initialise + create + connect, simulation time =
presimulate + simulate (the example's printed phases), NEST's connection
count, peak RSS, and each population's rate after the presimulation
(recorders' n_events). --module names the module to run as `nest`
(default nest; spindle.nest runs the same code on Spindle). Needs numpy and
matplotlib (the example's helpers import it); says so and exits 3 without
NEST."""

import argparse
import importlib
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PD14 = os.path.join(REPO, "tests", "data", "microcircuit", "pd14")


def fail(msg, code=3):
    sys.stderr.write(f"error: {msg}\n")
    sys.exit(code)


def parse_args():
    p = argparse.ArgumentParser(
        description="NEST's PD14 microcircuit example in NEST, printing its summary and writing "
        "a Spindle result record.")
    p.add_argument("--network", choices=["microcircuit"], required=True)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--drive", choices=["poisson", "dc"], default="poisson")
    p.add_argument("--presim", type=float, default=500.0)
    p.add_argument("--simtime", type=float, default=1000.0)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--seed", type=int, default=55)
    p.add_argument("--json", help="write the result record here")
    p.add_argument("--module", default="nest", help="the module to run as `nest`")
    # Flags `spindle bench` passes to Spindle that mean nothing here.
    p.add_argument("--record-to", default="none")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--pin", action="store_true")
    a = p.parse_args()
    if a.threads <= 0:
        sys.exit("error: --threads must be > 0")
    if not a.scale > 0:
        sys.exit("error: --scale must be > 0")
    if a.simtime <= 0 or a.presim < 0:
        sys.exit("error: --simtime must be > 0 and --presim >= 0")
    return a


def import_nest(module):
    """`module` as `nest` (with its submodules the example uses)."""
    try:
        m = importlib.import_module(module)
    except ImportError:
        fail(f"{module} is missing: this Python cannot import it; nothing was run.")
    if module != "nest":
        for sub in ("random", "math"):
            sys.modules["nest." + sub] = importlib.import_module(module + "." + sub)
        sys.modules["nest"] = m
    return m


def main():
    args = parse_args()
    os.environ["MPLBACKEND"] = "Agg"
    nest = import_nest(args.module)
    import numpy as np

    work = tempfile.mkdtemp(prefix="pd14-peer-")
    try:
        src = os.path.join(work, "src")
        shutil.copytree(PD14, src, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "LICENSE"))
        sys.path.insert(0, src)
        from microcircuit import network
        from microcircuit.network_params import default_net_dict as net_dict
        from microcircuit.sim_params import default_sim_dict as sim_dict
        from microcircuit.stimulus_params import default_stim_dict as stim_dict

        net_dict["N_scaling"] = args.scale
        net_dict["K_scaling"] = args.scale
        net_dict["bg_input_type"] = args.drive
        sim_dict["t_presim"] = args.presim
        sim_dict["t_sim"] = args.simtime
        sim_dict["rng_seed"] = args.seed
        sim_dict["local_num_threads"] = args.threads
        sim_dict["data_path"] = os.path.join(work, "data") + "/"
        sim_dict["print_time"] = False

        # run_microcircuit.main()'s steps and timers.
        time_start = time.time()
        net = network.Network(sim_dict, net_dict, stim_dict)
        time_network = time.time()
        net.create()
        time_create = time.time()
        net.connect()
        time_connect = time.time()

        def n_events():
            return [int(x) for x in np.atleast_1d(net.spike_recorders.get("n_events"))]

        if args.presim > 0:
            net.simulate(sim_dict["t_presim"])
        time_presimulate = time.time()
        before = n_events()
        net.simulate(sim_dict["t_sim"])
        time_simulate = time.time()
        after = n_events()

        status = nest.GetKernelStatus()
        sizes = [int(n) for n in net.num_neurons]
        pops = []
        for name, n, b, a in zip(net_dict["populations"], sizes, before, after):
            pops.append({"name": name, "neurons": n, "spikes": a - b,
                         "rate": (a - b) * 1000.0 / args.simtime / n, "rate_std": None})
        ex = [p for i, p in enumerate(pops) if i % 2 == 0]
        inh = [p for i, p in enumerate(pops) if i % 2 == 1]
        events_ex = sum(p["spikes"] for p in ex)
        events_in = sum(p["spikes"] for p in inh)
        rate_ex = events_ex * 1000.0 / args.simtime / sum(p["neurons"] for p in ex)
        rate_in = events_in * 1000.0 / args.simtime / sum(p["neurons"] for p in inh)
        syn = np.asarray(net.num_synapses)
        build = time_connect - time_start
        sim = time_simulate - time_connect
        print("Microcircuit simulation (NEST, the PD14 example)")
        print(f"Number of neurons : {sum(sizes)}")
        print(f"Number of synapses: {int(syn.sum())}")
        print("Mean rates: [" + " ".join(f"{p['rate']:.3f}" for p in pops) + "] spikes/s")
        print(f"Building time     : {build:.2f} s")
        print(f"Presimulation time: {time_presimulate - time_connect:.2f} s")
        print(f"Simulation time   : {time_simulate - time_presimulate:.2f} s")
        digest = getattr(nest, "spike_digest", None)
        common.write_record(
            args.json, system="nest" if args.module == "nest" else args.module,
            system_version=str(getattr(nest, "__version__", "")), model=net_dict["neuron_model"],
            order=0, threads=args.threads, seed=args.seed, simtime=args.simtime, scaling="",
            network="microcircuit", scale=args.scale,
            microcircuit={"drive": args.drive, "presim": args.presim,
                          "recurrent_synapses": int(syn.sum()), "populations": pops},
            min_delay_steps=int(round(status["min_delay"] / status["resolution"])),
            num_neurons=sum(sizes), num_synapses=int(status["num_connections"]),
            num_synapses_ex=int(syn[:, 0::2].sum()), num_synapses_in=int(syn[:, 1::2].sum()),
            n_rec=None, derived=None, events_ex=events_ex, events_in=events_in,
            rate_ex=rate_ex, rate_in=rate_in, rate_ex_all=rate_ex, rate_in_all=rate_in,
            spikes_total=sum(after), build_time=build, sim_time=sim, time_simulate=sim,
            time_construction_create=time_create - time_network,
            time_construction_connect=time_connect - time_create,
            spike_digest=digest() if digest else None,
            peak_rss_bytes=common.peak_rss_bytes())
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
