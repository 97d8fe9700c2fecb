"""PyNEST's interface on Spindle: change ``import nest`` to
``import spindle.nest as nest`` and the script runs here.

This layer only translates: names, node collections, exceptions. Every
call goes to the Rust kernel (``spindle._spindle.Kernel``), which builds
and runs the network with the same engine as the ``spindle`` command.
"""

import os
import sys
import tempfile
import types

import numpy as np

from .._spindle import Kernel, KernelError

__all__ = [
    "ResetKernel", "SetKernelStatus", "GetKernelStatus", "Create", "Connect",
    "CopyModel", "SetDefaults", "GetDefaults", "GetConnections", "GetStatus",
    "SetStatus", "Simulate", "Prepare", "Run", "Cleanup", "NodeCollection",
    "NESTError", "NESTErrors", "Models", "raster_plot",
]

_kernel = Kernel()

# The spike recorders created since ResetKernel, whose files' directories
# are checked before a run.
_recorders = []


class NESTError(Exception):
    """Base of the errors NEST raises (``nest.NESTError``)."""


class NESTErrors:
    """NEST's error classes, by name (``nest.NESTErrors.UnknownModelName``)."""

    _names = [
        "UnknownModelName", "UnknownSynapseType", "NewModelNameExists",
        "BadProperty", "BadParameter", "BadDelay", "IllegalConnection",
        "UnaccessedDictionaryEntry", "UnknownNode", "KernelException",
        "IOError",
    ]


for _name in NESTErrors._names:
    setattr(NESTErrors, _name, type(_name, (NESTError,), {}))


def _call(f, *args):
    """Call the kernel, turning its errors into NEST's."""
    try:
        return f(*args)
    except KernelError as e:
        name, message = e.args
        cls = getattr(NESTErrors, name, NESTError)
        raise cls(f"{name} in Spindle: {message}") from None


# ---------------------------------------------------------------- kernel

_KERNEL_ATTRIBUTES = tuple(Kernel.kernel_keys())


def ResetKernel():
    """Forget every node, connection and setting."""
    _kernel.reset()
    _recorders.clear()


def SetKernelStatus(params):
    for key, value in params.items():
        _call(_kernel.set_kernel, key, value)


def GetKernelStatus(keys=None):
    if keys is None:
        return {k: _call(_kernel.get_kernel, k) for k in _KERNEL_ATTRIBUTES}
    if isinstance(keys, str):
        return _call(_kernel.get_kernel, keys)
    return tuple(_call(_kernel.get_kernel, k) for k in keys)


def Models(mtype="all"):
    nodes = list(Kernel.node_models())
    synapses = ["static_synapse"]
    return {"nodes": nodes, "synapses": synapses}.get(mtype, nodes + synapses)


# ----------------------------------------------------------------- nodes

class NodeCollection:
    """A contiguous range of node ids, as ``Create`` returns."""

    __slots__ = ("_first", "_n")

    def __init__(self, first=0, n=0):
        object.__setattr__(self, "_first", int(first))
        object.__setattr__(self, "_n", int(n))

    def __len__(self):
        return self._n

    def __iter__(self):
        return (NodeCollection(i, 1) for i in range(self._first, self._first + self._n))

    def tolist(self):
        return list(range(self._first, self._first + self._n))

    @property
    def global_id(self):
        ids = self.tolist()
        return ids[0] if len(ids) == 1 else tuple(ids)

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop, step = key.indices(self._n)
            if step != 1:
                raise NESTErrors.BadParameter("Spindle's NodeCollections are contiguous: slices take step 1")
            return NodeCollection(self._first + start, max(0, stop - start))
        if isinstance(key, (int, np.integer)):
            i = int(key) + (self._n if key < 0 else 0)
            if not 0 <= i < self._n:
                raise IndexError("index value outside of the NodeCollection")
            return NodeCollection(self._first + i, 1)
        raise TypeError("NodeCollection indices must be integers or slices")

    def __add__(self, other):
        if not isinstance(other, NodeCollection):
            return NotImplemented
        if other._n == 0:
            return self
        if self._n == 0:
            return other
        if self._first + self._n != other._first:
            raise NESTErrors.BadParameter(
                "Spindle joins NodeCollections only when the second directly follows the first"
            )
        return NodeCollection(self._first, self._n + other._n)

    def __eq__(self, other):
        return isinstance(other, NodeCollection) and (self._first, self._n) == (other._first, other._n)

    def __hash__(self):
        return hash((self._first, self._n))

    def __repr__(self):
        if self._n == 0:
            return "NodeCollection()"
        model = _call(_kernel.model_of, self._first)
        last = self._first + self._n - 1
        return f"NodeCollection(metadata=None, model={model}, size={self._n}, first={self._first}, last={last})"

    def _one_or_tuple(self, key):
        values = [_call(_kernel.get, i, key) for i in self.tolist()]
        if key == "events":
            return values[0] if len(values) == 1 else tuple(values)
        return values[0] if len(values) == 1 else tuple(values)

    def get(self, *keys, output=""):
        """``nodes.get()``, ``nodes.get("V_m")``, ``nodes.get("V_m", "t_ref")``."""
        if len(keys) == 1 and isinstance(keys[0], (list, tuple)):
            keys = tuple(keys[0])
        if not keys:
            keys = tuple(_call(_kernel.keys_of, self._first))
        if len(keys) == 1:
            return self._one_or_tuple(keys[0])
        return {k: self._one_or_tuple(k) for k in keys}

    def set(self, params=None, **kwargs):
        """``nodes.set(V_th=20.0)`` or ``nodes.set({"V_th": 20.0})``."""
        p = dict(params or {})
        p.update(kwargs)
        _call(_kernel.set, self._first, self._n, p)

    @property
    def events(self):
        """Recorded events as numpy arrays (``senders``, ``times``, ...)."""
        out = []
        for i in self.tolist():
            ev = _call(_kernel.events, i)
            arrays = {k: np.asarray(v, dtype=np.int64 if k == "senders" else np.float64) for k, v in ev.items()}
            out.append(arrays)
        return out[0] if len(out) == 1 else tuple(out)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def __setattr__(self, name, value):
        self.set({name: value})


def Create(model, n=1, params=None, positions=None):
    """Create ``n`` nodes of ``model``; ``params`` a dict (one for all)."""
    if positions is not None:
        raise NESTErrors.BadParameter("Spindle has no spatial networks")
    if isinstance(params, (list, tuple)):
        raise NESTErrors.BadParameter("Spindle takes one parameter dict for all nodes")
    first, count = _call(_kernel.create, model, int(n), dict(params) if params else None)
    nodes = NodeCollection(first, count)
    if count and _call(_kernel.model_of, first) == "spike_recorder":
        _recorders.append(nodes)
    return nodes


def GetStatus(nodes, keys=None):
    if keys is None:
        return tuple(n.get() for n in nodes)
    if isinstance(keys, str):
        return tuple(n.get(keys) for n in nodes)
    return tuple(tuple(n.get(k) for k in keys) for n in nodes)


def SetStatus(nodes, params, val=None):
    if isinstance(params, str):
        params = {params: val}
    nodes.set(params)


# ----------------------------------------------------------- connections

def CopyModel(existing, new, params=None):
    _call(_kernel.copy_model, existing, new, dict(params) if params else None)


def SetDefaults(model, params, val=None):
    if isinstance(params, str):
        params = {params: val}
    _call(_kernel.set_defaults, model, dict(params))


def GetDefaults(model, keys=None, output=""):
    d = _call(_kernel.get_defaults, model)
    if keys is None:
        return d
    if isinstance(keys, str):
        return d[keys]
    return tuple(d[k] for k in keys)


def Connect(pre, post, conn_spec=None, syn_spec=None, return_synapsecollection=False):
    """NEST's Connect with ``all_to_all``, ``one_to_one`` and
    ``fixed_indegree``; ``syn_spec`` a model name or a dict."""
    if not isinstance(pre, NodeCollection) or not isinstance(post, NodeCollection):
        raise TypeError("Connect takes NodeCollections")
    if isinstance(conn_spec, str):
        conn_spec = {"rule": conn_spec}
    if isinstance(syn_spec, str):
        syn_spec = {"synapse_model": syn_spec}
    _call(
        _kernel.connect,
        (pre._first, pre._n),
        (post._first, post._n),
        dict(conn_spec) if conn_spec else None,
        dict(syn_spec) if syn_spec else None,
    )
    if return_synapsecollection:
        return GetConnections(pre, post)


class SynapseCollection:
    """What ``GetConnections`` returns; Spindle offers its length."""

    def __init__(self, n):
        self._n = n

    def __len__(self):
        return self._n

    def __repr__(self):
        return f"SynapseCollection(size={self._n})"


def GetConnections(source=None, target=None, synapse_model=None, synapse_label=None):
    if source is not None or target is not None or synapse_label is not None:
        raise NESTErrors.BadParameter(
            "Spindle's GetConnections counts connections by synapse model only"
        )
    return SynapseCollection(_call(_kernel.num_connections, synapse_model))


# ------------------------------------------------------------ simulation

def _unwritable(directory):
    """Why files cannot be created in ``directory``, or None."""
    if not os.path.exists(directory):
        return f"the directory {directory} does not exist"
    if not os.path.isdir(directory):
        return f"{directory} is not a directory"
    try:
        fd, probe = tempfile.mkstemp(prefix=".spindle-write-test-", dir=directory)
        os.close(fd)
        os.remove(probe)
    except OSError as e:
        return f"{directory} is not writable ({e.strerror})"
    return None


def _check_recorder_files():
    """NEST opens each ascii recorder's file at Prepare, so a label (with
    data_path and data_prefix) that points into a missing or unwritable
    directory raises IOError before any time passes. Spindle writes the
    files after the run, so it checks their directories first."""
    if not _recorders:
        return
    data_path = _call(_kernel.get_kernel, "data_path") or "."
    prefix = _call(_kernel.get_kernel, "data_prefix")
    checked = set()
    for nodes in _recorders:
        for i in nodes.tolist():
            if _call(_kernel.get, i, "record_to") != "ascii":
                continue
            label = _call(_kernel.get, i, "label") or "spike_recorder"
            path = os.path.join(data_path, f"{prefix}{label}-{i}.dat")
            directory = os.path.dirname(path) or "."
            if directory in checked:
                continue
            problem = _unwritable(directory)
            if problem:
                raise NESTErrors.IOError(
                    f"IOError in Spindle: I/O error while opening file '{path}': {problem}"
                )
            checked.add(directory)


def Prepare():
    _check_recorder_files()
    _call(_kernel.prepare_run)


def Run(t):
    _check_recorder_files()
    _call(_kernel.simulate, float(t))


def Cleanup():
    pass


def Simulate(t):
    """Advance the network by ``t`` ms, on ``local_num_threads`` threads."""
    _check_recorder_files()
    _call(_kernel.simulate, float(t))


def spike_digest():
    """Spindle's digest of every spike so far (not in NEST)."""
    return _kernel.spike_digest()


# ---------------------------------------------- nest.resolution and co.

class _NestModule(types.ModuleType):
    """Kernel attributes as module attributes, as PyNEST 3 has them."""

    def __getattr__(self, name):
        if name in _KERNEL_ATTRIBUTES:
            return _call(_kernel.get_kernel, name)
        raise AttributeError(f"module 'spindle.nest' has no attribute '{name}'")

    def __setattr__(self, name, value):
        if name in _KERNEL_ATTRIBUTES:
            _call(_kernel.set_kernel, name, value)
        else:
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _NestModule

from . import raster_plot  # noqa: E402,F401
