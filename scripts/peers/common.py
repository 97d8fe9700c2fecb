"""What both peer scripts share: the seed's parameters and derived
constants, the command line, and the result record `spindle bench` and
`spindle compare` read (record_version 1)."""

import argparse
import json
import os
import platform
import resource
import sys

import math


def parse_args(system):
    p = argparse.ArgumentParser(
        description=f"The seed network (brunel_alpha_nest.py) in {system}, "
        "printing the seed's summary and writing a Spindle result record.")
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


def write_record(path, **fields):
    rec = {
        "record_version": 1,
        "cpu_model": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "host": platform.node(),
        "dt": 0.1,
        "pin": False,
    }
    rec.update(fields)
    rec["real_time_factor"] = rec["sim_time"] * 1000.0 / rec["simtime"]
    rec["sim_factor"] = rec["real_time_factor"]
    if path:
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(rec, f, indent=1)
        os.replace(tmp, path)
