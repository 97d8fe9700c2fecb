"""step_current_generator and ac_generator against NEST 3.10: the cases of
``scripts/nest_reference/current_generators.py`` (windows, weights, delays,
off-grid change times, new times set between runs, an ac_generator over
two runs) run on spindle.nest and compared with NEST's output committed in
``tests/data/current_generators/nest.json``: V_m to 1e-9, spikes exactly.
"""

import importlib.util
import json
import os

import numpy as np
import pytest

import spindle.nest as nest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def _generator():
    path = os.path.join(ROOT, "scripts", "nest_reference", "current_generators.py")
    spec = importlib.util.spec_from_file_location("current_generators", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()
with open(os.path.join(ROOT, "tests", "data", "current_generators", "nest.json")) as f:
    REFERENCE = json.load(f)


@pytest.mark.parametrize("name", sorted(GEN.CASES))
def test_traces_equal_nest(name):
    ours = GEN.run(nest, GEN.CASES[name])
    theirs = REFERENCE["results"][name]
    assert ours["times"] == theirs["times"]
    np.testing.assert_allclose(ours["V_m"], theirs["V_m"], rtol=0, atol=1e-9)
    assert ours["spikes"] == theirs["spikes"]
    assert ours["step_params"] == theirs["step_params"]


def test_refusals_carry_nests_messages():
    nest.ResetKernel()
    with pytest.raises(nest.NESTError, match="same size"):
        nest.Create("step_current_generator",
                    params={"amplitude_times": [1.0, 2.0], "amplitude_values": [1.0]})
    with pytest.raises(nest.NESTError, match="not representable"):
        nest.Create("step_current_generator",
                    params={"amplitude_times": [1.05], "amplitude_values": [1.0]})
    with pytest.raises(nest.NESTError, match="strictly increasing"):
        nest.Create("step_current_generator",
                    params={"amplitude_times": [2.0, 1.0], "amplitude_values": [1.0, 2.0]})
    with pytest.raises(nest.NESTError, match="strictly positive"):
        nest.Create("step_current_generator",
                    params={"amplitude_times": [0.0], "amplitude_values": [1.0]})
    ac = nest.Create("ac_generator", params={"amplitude": 1.0, "frequency": 10.0})
    assert ac.get("frequency") == 10.0
    assert nest.GetDefaults("ac_generator")["offset"] == 0.0
    step = nest.Create("step_current_generator")
    assert isinstance(step.get("amplitude_times"), np.ndarray)
