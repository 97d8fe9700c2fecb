"""NEST's Brette et al. (2007) benchmarks (NEST 3.10's pynest examples,
brette_et_al_2007/coba.py, hh_coba.py, cuba.py) run in NEST with Spindle's
flags and result record, so that `spindle bench --network brette2007
--peers nest` runs NEST beside Spindle at the same threads and seed.

The scripts' own code runs, unchanged: --model's script is imported for
its `params` (its `import nest` gets --module: nest, or spindle.nest,
which runs the same code on Spindle), which get the flags (simtime,
virtual_processes = --threads, Nrec = --n-rec, the recorders writing to
--record-to in a temporary folder), and brette_et_al_2007_benchmark.py's
run_simulation() steps are taken: ResetKernel, the seed (--seed: the
scripts keep NEST's default, 143202461), build_network(params),
Simulate(simtime), the kernel's timers, compute_rate, the summary.

Recorded: build time (NEST's time_construction_create + _connect, as the
script), simulation time (time_simulate), NEST's connection count, peak
RSS, the script's rates (rate_ex_all and rate_in_all: the recorded
neurons' too, all this peer sees) and, with spindle.nest, its spike
digest. Exits 3 without NEST or without the examples."""

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

MODELS = ("coba", "hh_coba", "cuba")


def parse_args():
    p = argparse.ArgumentParser(
        description="NEST's brette_et_al_2007 benchmarks in NEST, printing the scripts' summary "
        "and writing a Spindle result record.")
    p.add_argument("--network", choices=["brette2007"], required=True)
    p.add_argument("--model", choices=MODELS, default="coba")
    p.add_argument("--simtime", type=float, help="[default: the script's]")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=143202461)
    p.add_argument("--n-rec", type=int, default=500)
    p.add_argument("--json", help="write the result record here")
    p.add_argument("--module", default="nest", help="the module to run as `nest`")
    p.add_argument("--examples", help="NEST's pynest examples folder [default: the NEST wheel's]")
    p.add_argument("--record-to", default="none")
    # Flags `spindle bench` passes to Spindle that mean nothing here.
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--pin", action="store_true")
    a = p.parse_args()
    if a.threads <= 0 or (a.simtime is not None and a.simtime <= 0) or a.n_rec < 0:
        sys.exit("error: --threads and --simtime must be > 0, --n-rec >= 0")
    return a


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def main():
    args = parse_args()
    if args.json:
        args.json = os.path.abspath(args.json)
    os.environ["MPLBACKEND"] = "Agg"
    examples = common.examples_dir(args.examples)
    nest = common.import_as_nest(args.module)
    folder = os.path.join(examples or "", "brette_et_al_2007")
    if not os.path.isfile(os.path.join(folder, args.model + ".py")):
        sys.stderr.write("error: brette_et_al_2007 not found; give --examples or "
                         "$SPINDLE_NEST_EXAMPLES (NEST's doc/examples/pynest)\n")
        sys.exit(3)
    sys.path.insert(0, folder)
    bench = load(os.path.join(folder, "brette_et_al_2007_benchmark.py"),
                 "brette_et_al_2007_benchmark")
    params = load(os.path.join(folder, args.model + ".py"), args.model).params

    work = tempfile.mkdtemp(prefix="brette-peer-")
    cwd = os.getcwd()
    try:
        os.chdir(work)  # the recorders' ASCII files land here
        if args.simtime is not None:
            params["simtime"] = args.simtime
        params["virtual_processes"] = args.threads
        params["Nrec"] = args.n_rec
        params["recorder_params"]["record_to"] = {"none": "memory"}.get(args.record_to,
                                                                        args.record_to)
        # run_simulation()'s steps, the seed set after ResetKernel.
        nest.ResetKernel()
        if args.quiet:
            nest.verbosity = nest.VerbosityLevel.WARNING
        nest.rng_seed = args.seed
        E, I, E_rec, I_rec = bench.build_network(params)
        nest.Simulate(params["simtime"])
        ks = nest.GetKernelStatus()
        build = ks["time_construction_create"] + ks["time_construction_connect"]
        sim = ks["time_simulate"]
        N = len(E) + len(I)
        CE = int(params["NE"] * params["epsilon"])
        CI = int(params["NI"] * params["epsilon"])
        Nsyn = (CE + CI) * N + params["Nrec"] * 2 + params["Nstim"]
        rate = lambda rec: bench.compute_rate(rec, params["Nrec"], params["simtime"])  # noqa: E731
        E_rate, I_rate = rate(E_rec), rate(I_rec)
        print("\n" + "=" * 60)
        print("Simulation summary")
        print("=" * 60)
        print(f"Number of Neurons : {N}")
        print(f"Number of Synapses: {Nsyn}")
        print(f"Excitatory rate   : {E_rate:.2f} spikes/s")
        print(f"Inhibitory rate   : {I_rate:.2f} spikes/s")
        print(f"Building time     : {build:.2f} s")
        print(f"Simulation time   : {sim:.2f} s")
        print("=" * 60 + "\n")
        events_ex, events_in = int(E_rec.n_events), int(I_rec.n_events)
        digest = getattr(nest, "spike_digest", None)
        common.write_record(
            args.json, system="nest" if args.module == "nest" else args.module,
            system_version=str(getattr(nest, "__version__", "")), model=args.model,
            order=0, threads=args.threads, seed=args.seed, simtime=params["simtime"], scaling="",
            network="brette2007", scale=None, microcircuit=None,
            min_delay_steps=int(round(ks["min_delay"] / ks["resolution"])),
            num_neurons=N, num_synapses=int(ks["num_connections"]),
            num_synapses_ex=N * CE, num_synapses_in=N * CI, n_rec=params["Nrec"],
            derived={"NE": params["NE"], "NI": params["NI"], "CE": CE, "CI": CI,
                     "J_ex": params["E_synapse_params"]["weight"],
                     "J_in": params["I_synapse_params"]["weight"],
                     "p_rate": params["stimulus_params"]["rate"]},
            events_ex=events_ex, events_in=events_in, rate_ex=E_rate, rate_in=I_rate,
            rate_ex_all=E_rate, rate_in_all=I_rate, spikes_total=events_ex + events_in,
            build_time=build, sim_time=sim, time_simulate=sim,
            time_construction_create=ks["time_construction_create"],
            time_construction_connect=ks["time_construction_connect"],
            spike_digest=digest() if digest else None,
            peak_rss_bytes=common.peak_rss_bytes())
    finally:
        os.chdir(cwd)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
