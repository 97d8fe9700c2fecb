#!/usr/bin/env python3
"""The derived quantities of the vendored PD14 microcircuit example
(``tests/data/microcircuit/pd14``), computed by the example's own code, as
a JSON file for the Rust crate ``spindle-microcircuit`` to compare its own
derivation with (``crates/spindle-microcircuit/tests/derived.rs``).

The example derives them in ``Network.__derive_parameters``
(network.py) with the helpers of helpers.py. That method is run here on
an instance made without ``__init__`` (which would create the data
directory and reset a NEST kernel), with a stand-in ``nest`` module whose
``Rank()`` is 0: nothing else of NEST is touched by the derivation. Needs
numpy and matplotlib (helpers.py imports it); NEST is not needed.

For each scale (N_scaling = K_scaling) and background drive it writes the
example's attributes ``num_neurons``, ``num_synapses``, ``ext_indegrees``,
``weight_matrix_mean``, ``weight_ext``, ``DC_amp``, and the intermediate
values ``full_num_synapses`` (helpers.num_synapses_from_conn_probs),
``PSC_over_PSP`` (helpers.postsynaptic_potential_to_current), the Poisson
rates (``bg_rate * ext_indegrees``, as ``__create_poisson_bg_input`` sets
them), the rheobase current (helpers.compute_rheo_base_current), the
delay means and the lower delay bound (``resolution - 0.5 * resolution``).
Every float also as its IEEE-754 bits (``<name>_bits``), so the Rust side
can compare exactly whatever its JSON parser does with the last digit.

Usage (from the repository root)::

    python3 scripts/nest_reference/microcircuit_derived.py \\
        --out tests/data/microcircuit/derived.json
"""

import argparse
import copy
import json
import os
import struct
import sys
import types
import warnings

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PD14 = os.path.join(REPO, "tests", "data", "microcircuit", "pd14")


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", float(x)))[0]


def tolist(v):
    import numpy as np

    a = np.asarray(v)
    if a.dtype.kind in "iu":
        return a.tolist()
    return a.astype(float).tolist()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default="0.1,1.0")
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "data", "microcircuit", "derived.json"))
    args = ap.parse_args()

    os.environ.setdefault("MPLBACKEND", "Agg")
    # The derivation calls nest.Rank() only; helpers.py imports nest too.
    stub = types.ModuleType("nest")
    stub.Rank = lambda: 0
    sys.modules["nest"] = stub
    # Import the vendored package without writing __pycache__ into it.
    sys.dont_write_bytecode = True
    sys.path.insert(0, PD14)
    import numpy as np
    from microcircuit import helpers, network
    from microcircuit.network_params import default_net_dict
    from microcircuit.sim_params import default_sim_dict
    from microcircuit.stimulus_params import default_stim_dict

    out = {
        "description": "Derived quantities of the vendored PD14 example (tests/data/microcircuit/pd14), "
                       "computed by its own Network.__derive_parameters and helpers; made by "
                       "scripts/nest_reference/microcircuit_derived.py. Each float also as its "
                       "IEEE-754 bits (<name>_bits).",
        "numpy": np.__version__,
        "cases": [],
    }
    for scale in [float(s) for s in args.scales.split(",")]:
        for drive in ("poisson", "dc"):
            net_dict = copy.deepcopy(default_net_dict)
            net_dict["N_scaling"] = scale
            net_dict["K_scaling"] = scale
            net_dict["bg_input_type"] = drive
            net = object.__new__(network.Network)
            net.sim_dict = copy.deepcopy(default_sim_dict)
            net.net_dict = net_dict
            net.stim_dict = copy.deepcopy(default_stim_dict)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                net._Network__derive_parameters()
            sub_threshold = [str(w.message).strip() for w in caught]
            p = net_dict["neuron_params"]
            res = net.sim_dict["sim_resolution"]
            case = {
                "scale": scale,
                "drive": drive,
                "num_neurons": tolist(net.num_neurons),
                "num_synapses": tolist(net.num_synapses),
                "ext_indegrees": tolist(net.ext_indegrees),
                "full_num_synapses": tolist(helpers.num_synapses_from_conn_probs(
                    net_dict["conn_probs"], net_dict["full_num_neurons"], net_dict["full_num_neurons"])),
                "PSC_over_PSP": float(helpers.postsynaptic_potential_to_current(p["C_m"], p["tau_m"], p["tau_syn"])),
                "weight_matrix_mean": tolist(net.weight_matrix_mean),
                "weight_ext": float(net.weight_ext),
                "DC_amp": tolist(net.DC_amp),
                "poisson_rates": tolist(net_dict["bg_rate"] * net.ext_indegrees),
                "rheobase": float(helpers.compute_rheo_base_current(p["V_th"], p["E_L"], p["C_m"], p["tau_m"])),
                "delay_matrix_mean": tolist(net_dict["delay_matrix_mean"]),
                "delay_min": res - 0.5 * res,
                "sub_threshold_warnings": len(sub_threshold),
            }
            for key in list(case):
                v = case[key]
                if isinstance(v, float) and key != "scale":
                    case[key + "_bits"] = bits(v)
                elif isinstance(v, list) and v and isinstance(np.asarray(v).flat[0].item(), float):
                    case[key + "_bits"] = np.vectorize(bits, otypes=[object])(np.asarray(v)).tolist()
            out["cases"].append(case)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out} ({len(out['cases'])} cases)")


if __name__ == "__main__":
    main()
