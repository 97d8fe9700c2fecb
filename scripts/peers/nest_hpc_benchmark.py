"""NEST's hpc_benchmark.py (NEST 3.10's pynest examples) run in NEST with
Spindle's flags and result record, so that `spindle bench --network
hpc_benchmark --peers nest` runs NEST beside Spindle at the same scale,
threads and seed.

The script's own code runs, unchanged: it is imported (its `import nest`
gets --module: nest, or spindle.nest, which runs the same code on
Spindle), its `params` get the flags (scale, simtime, presimtime,
num_threads, a temporary path_name and log_file) and its `brunel_params`
what follows from the scale (NE, NI) and --n-rec (Nrec), and
run_simulation()'s steps are taken: ResetKernel, the seed (--seed: the
script keeps NEST's default, 143202461), build_network(logger),
Simulate(presimtime), Simulate(simtime), compute_rate. Its Logger prints
and writes its lines as in the script.

Recorded: build time (build_network), simulation time (both Simulate
calls: NEST's presimulation is part of the run, as Spindle's), NEST's
connection count, peak RSS, the script's average rate (rate_ex, and
rate_ex_all: the recorder's neurons are all this peer sees; no
inhibitory neuron is recorded: rate_in 0) and, with spindle.nest, its
spike digest. NEST's wheel has no MPI: one process. --dump-weights writes
the connections among the neurons after the run (spindle --dump-weights'
format). Exits 3 without NEST or without the example."""

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(
        description="NEST's hpc_benchmark.py in NEST, printing its log and writing a Spindle "
        "result record.")
    p.add_argument("--network", choices=["hpc_benchmark"], required=True)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--presim", type=float, default=50.0)
    p.add_argument("--simtime", type=float, default=250.0)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--seed", type=int, default=143202461)
    p.add_argument("--n-rec", type=int, default=1000)
    p.add_argument("--json", help="write the result record here")
    p.add_argument("--dump-weights", help="write the connections among the neurons here")
    p.add_argument("--module", default="nest", help="the module to run as `nest`")
    p.add_argument("--examples", help="NEST's pynest examples folder [default: the NEST wheel's]")
    # Flags `spindle bench` passes to Spindle that mean nothing here.
    p.add_argument("--record-to", default="none")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--pin", action="store_true")
    a = p.parse_args()
    if a.threads <= 0 or not a.scale > 0 or a.simtime <= 0 or a.presim < 0 or a.n_rec < 0:
        sys.exit("error: --threads, --scale and --simtime must be > 0, --presim and --n-rec >= 0")
    return a


def main():
    args = parse_args()
    os.environ["MPLBACKEND"] = "Agg"
    examples = common.examples_dir(args.examples)
    nest = common.import_as_nest(args.module)
    script = os.path.join(examples or "", "hpc_benchmark.py")
    if not os.path.isfile(script):
        sys.stderr.write("error: hpc_benchmark.py not found; give --examples or "
                         "$SPINDLE_NEST_EXAMPLES (NEST's doc/examples/pynest)\n")
        sys.exit(3)
    spec = importlib.util.spec_from_file_location("hpc_benchmark", script)
    hpc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hpc)

    work = tempfile.mkdtemp(prefix="hpc-peer-")
    try:
        params, brunel = hpc.params, hpc.brunel_params
        params.update(num_threads=args.threads, scale=args.scale, simtime=args.simtime,
                      presimtime=args.presim, record_spikes=args.n_rec > 0, path_name=work,
                      log_file=os.path.join(work, "log"))
        # What the script derives from params at import.
        brunel.update(NE=int(9000 * args.scale), NI=int(2250 * args.scale), Nrec=args.n_rec,
                      filestem=work)

        # run_simulation()'s steps, the seed set after ResetKernel.
        with hpc.Logger(params["log_file"]) as logger:
            nest.ResetKernel()
            nest.verbosity = nest.VerbosityLevel.WARNING if args.quiet else nest.VerbosityLevel.INFO
            nest.rng_seed = args.seed
            logger.log(str(nest.memory_size) + " # virt_mem_0")
            tic = time.time()
            sr = hpc.build_network(logger)
            build = time.time() - tic
            tic = time.time()
            if args.presim > 0:
                nest.Simulate(params["presimtime"])
            presim = time.time() - tic
            logger.log(str(nest.memory_size) + " # virt_mem_after_presim")
            logger.log(str(presim) + " # presim_time")
            tic = time.time()
            nest.Simulate(params["simtime"])
            sim = time.time() - tic
            logger.log(str(nest.memory_size) + " # virt_mem_after_sim")
            logger.log(str(sim) + " # sim_time")
            rate = hpc.compute_rate(sr) if sr is not None else 0.0
            if sr is not None:
                logger.log(str(rate) + " # average rate")

        status = nest.GetKernelStatus()
        NE, NI = brunel["NE"], brunel["NI"]
        CE, CI = int(1.0 * NE / args.scale), int(1.0 * NI / args.scale)
        events = int(sr.n_events) if sr is not None else 0
        neurons = nest.NodeCollection(list(range(1, NE + NI + 1)))
        # Before the dump, whose Python lists would count.
        peak_rss = common.peak_rss_bytes()
        if args.dump_weights:
            common.dump_weights(nest, args.dump_weights, neurons)
        tau_m, tau_syn, c_m = (brunel["model_params"][k] for k in ("tau_m", "tau_syn_ex", "C_m"))
        je_pa = hpc.convert_synapse_weight(tau_m, tau_syn, c_m) * brunel["JE"]
        nu_thresh = brunel["model_params"]["V_th"] / (
            CE * tau_m / c_m * je_pa * hpc.np.exp(1.0) * hpc.tau_syn)
        digest = getattr(nest, "spike_digest", None)
        common.write_record(
            args.json, system="nest" if args.module == "nest" else args.module,
            system_version=str(getattr(nest, "__version__", "")), model="iaf_psc_alpha",
            order=0, threads=args.threads, seed=args.seed, simtime=args.simtime, scaling="",
            network="hpc_benchmark", scale=args.scale,
            microcircuit={"drive": "", "presim": args.presim,
                          "recurrent_synapses": (NE + NI) * (CE + CI), "populations": []},
            min_delay_steps=int(round(status["min_delay"] / status["resolution"])),
            num_neurons=NE + NI, num_synapses=int(status["num_connections"]),
            num_synapses_ex=(NE + NI) * CE + NE + NI, num_synapses_in=(NE + NI) * CI,
            n_rec=args.n_rec,
            derived={"NE": NE, "NI": NI, "CE": CE, "CI": CI, "J_ex": float(je_pa),
                     "J_in": float(brunel["g"] * je_pa),
                     "p_rate": float(nu_thresh * brunel["eta"] * CE * 1000.0)},
            events_ex=events, events_in=None, rate_ex=rate, rate_in=0.0, rate_ex_all=rate,
            rate_in_all=0.0, spikes_total=events, build_time=build, sim_time=presim + sim,
            time_simulate=presim + sim,
            spike_digest=digest() if digest else None,
            peak_rss_bytes=peak_rss)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
