"""PyNEST's interface on Spindle: change ``import nest`` to
``import spindle.nest as nest`` and the script runs here.

This layer only translates: names, node collections, exceptions, NEST's
messages. Every call goes to the Rust kernel
(``spindle._spindle.Kernel``), which builds and runs the network with the
same engine as the ``spindle`` command.
"""

import builtins
import enum
import json
import numbers
import os
import sys
import tempfile
import time
import types
import warnings

import numpy as np

from .._spindle import Kernel, KernelError
from ._parameter import Parameter

__all__ = [
    "ResetKernel", "SetKernelStatus", "GetKernelStatus", "Create", "Connect",
    "CopyModel", "SetDefaults", "GetDefaults", "GetConnections", "GetStatus",
    "SetStatus", "Simulate", "Prepare", "Run", "Cleanup", "NodeCollection",
    "NESTError", "NESTErrors", "Models", "VerbosityLevel", "message",
    "get_verbosity", "set_verbosity", "Rank", "NumProcesses", "raster_plot",
    "voltage_trace", "random", "math", "Parameter", "GetNodes", "RunManager",
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
        "UnknownModelName", "UnknownComponent", "UnknownSynapseType",
        "NewModelNameExists", "BadProperty", "BadParameter",
        "BadParameterValue", "BadDelay", "IllegalConnection",
        "UnaccessedDictionaryEntry", "UnknownNode", "KernelException",
        "IOError", "TypeMismatch", "NotImplemented", "IncompatibleReceptorType",
        "UnknownReceptorType", "StepMultipleRequired",
    ]


for _name in NESTErrors._names:
    setattr(NESTErrors, _name, type(_name, (NESTError,), {}))


def _error(name, message):
    """NEST's exception ``name`` with Spindle's ``message``."""
    return getattr(NESTErrors, name, NESTError)(f"{name} in Spindle: {message}")


def _call(f, *args):
    """Call the kernel, turning its errors into NEST's."""
    try:
        return f(*args)
    except KernelError as e:
        name, message = e.args
        if name == "KeyError":
            raise KeyError(message) from None
        raise _error(name, message) from None


# -------------------------------------------------------------- messages

class VerbosityLevel(enum.IntEnum):
    """NEST's message levels, from most to least chatty: a message shows
    when its level is at least ``nest.verbosity``."""

    ALL = 0
    DEBUG = 5
    STATUS = 7
    INFO = 10
    PROGRESS = 15
    DEPRECATED = 18
    WARNING = 20
    ERROR = 30
    FATAL = 40
    QUIET = 100

    # As NEST's (and Python 3.11's IntEnum): str() is the number.
    def __str__(self):
        return str(int(self))

    def __format__(self, spec):
        return format(int(self), spec)


# NEST keeps the verbosity across ResetKernel.
_verbosity = VerbosityLevel.INFO


def _set_verbosity_level(level):
    global _verbosity
    if not isinstance(level, VerbosityLevel):
        raise _error(
            "TypeMismatch",
            f"verbosity must be a nest.VerbosityLevel such as nest.VerbosityLevel.WARNING "
            f"(got {level!r})",
        )
    _verbosity = level


def _log(severity, text, function, filename, lineno):
    """Print ``text`` as NEST's logger does: ``[LEVEL] [date time] text``
    (with the place it comes from at verbosity DEBUG or lower), on stdout
    below WARNING and on stderr from WARNING up, if ``severity`` is at
    least ``nest.verbosity``."""
    if not isinstance(severity, numbers.Integral) or severity < 0:
        raise TypeError(
            f"message: severity must be a nest.VerbosityLevel or an integer >= 0 (got {severity!r})"
        )
    if not isinstance(text, str):
        raise AttributeError(f"message: the message must be a str (got {type(text).__name__})")
    severity = int(severity)
    if severity < _verbosity:
        return
    try:
        level = VerbosityLevel(severity).name
    except ValueError:
        level = f"Undefined ({severity})"
    where = f" {filename}:{lineno} @ {function}" if _verbosity <= VerbosityLevel.DEBUG else ""
    stream = sys.stdout if severity < VerbosityLevel.WARNING else sys.stderr
    stream.write(f"[{level}] [{time.strftime('%Y-%m-%d %H:%M:%S')}{where}] {text}\n")
    stream.flush()


def message(message, severity=VerbosityLevel.INFO, *, function=None, filename=None, lineno=None):
    """NEST's ``nest.message(text, nest.VerbosityLevel.WARNING)``: log
    ``message`` at ``severity`` (default INFO). The calling function, file
    and line are shown at verbosity DEBUG or lower."""
    caller = sys._getframe(1)
    _log(severity, message, function or caller.f_code.co_name,
         filename or caller.f_code.co_filename, lineno or caller.f_lineno)


def _kernel_message(severity, text):
    """One of the kernel's messages (NEST prints them from C++)."""
    caller = sys._getframe(1)
    _log(severity, text, caller.f_code.co_name, caller.f_code.co_filename, caller.f_lineno)


_deprecation_shown = builtins.set()


def _deprecated(name, text):
    """NEST's deprecation warning: a UserWarning, once per function."""
    if name not in _deprecation_shown:
        _deprecation_shown.add(name)
        warnings.warn("\n" + text, stacklevel=3)


def get_verbosity():
    """The verbosity as a number (deprecated in NEST 3.10: read
    ``nest.verbosity``)."""
    _deprecated("get_verbosity", "Provided for backward compatibility only. Look up `nest.verbosity` instead.")
    return int(_verbosity)


def set_verbosity(level):
    """Set the verbosity by its old name, ``"M_WARNING"`` (deprecated in
    NEST 3.10: set ``nest.verbosity = nest.VerbosityLevel.WARNING``)."""
    _deprecated(
        "set_verbosity",
        "Provided for backward compatibility only. Set `nest.verbosity = nest.VerbosityLevel.XYZ` instead.",
    )
    if not isinstance(level, str):
        raise AttributeError(
            f"set_verbosity takes a level name such as 'M_WARNING' (got {type(level).__name__})"
        )
    parts = level.split("_")
    if len(parts) < 2:
        raise IndexError(f"set_verbosity takes a level name such as 'M_WARNING' (got {level!r})")
    name = parts[1]
    if name not in VerbosityLevel.__members__:
        raise AttributeError(
            f"set_verbosity: {name!r} is not a level ({', '.join(VerbosityLevel.__members__)})"
        )
    _set_verbosity_level(VerbosityLevel[name])


# ---------------------------------------------------------------- kernel

_KERNEL_ATTRIBUTES = tuple(Kernel.kernel_keys())
# What PyNEST offers as module attributes (``nest.resolution``, ...).
_MODULE_ATTRIBUTES = frozenset(
    k for k in _KERNEL_ATTRIBUTES if k != "mpi_rank" and not k.startswith("time_")
)
_READ_ONLY_ATTRIBUTES = frozenset(
    {"kernel_status", "memory_size", "num_processes", "node_models", "synapse_models"}
)


def _status_value(key, value):
    """NEST gives the timers each thread keeps as numpy arrays."""
    if isinstance(value, list) and key.startswith("time_"):
        return np.asarray(value, dtype=np.float64)
    return value


def _kernel_attribute(key):
    if key == "verbosity":
        return _verbosity
    if key in ("node_models", "synapse_models"):
        return sorted(Models(key.split("_")[0] + "s"))
    return _status_value(key, _call(_kernel.get_kernel, key))


def ResetKernel():
    """Forget every node, connection and setting (not the verbosity)."""
    _kernel.reset()
    _recorders.clear()


def SetKernelStatus(params):
    for key, value in params.items():
        if key == "verbosity":
            _set_verbosity_level(value)
            continue
        old = _call(_kernel.get_kernel, "resolution") if key == "resolution" else None
        _call(_kernel.set_kernel, key, value)
        if key == "resolution":
            new = _call(_kernel.get_kernel, "resolution")
            _kernel_message(VerbosityLevel.INFO, f"Temporal resolution changed from {old:g} to {new:g} ms.")


def GetKernelStatus(keys=None):
    """The kernel's attributes: all as a dict, one by name, or a tuple for
    a list of names. Timers are NEST's (``time_simulate``, ``time_update``,
    ...; those NEST keeps per thread are arrays)."""
    if keys is None:
        status = {k: _status_value(k, v) for k, v in _call(_kernel.status).items()}
        status["verbosity"] = _verbosity
        for key in ("node_models", "synapse_models"):
            status[key] = _kernel_attribute(key)
        return status
    if isinstance(keys, str):
        return _kernel_attribute(keys)
    try:
        names = list(keys)
    except TypeError:
        raise TypeError("keys should be either a string or an iterable") from None
    return tuple(_kernel_attribute(k) for k in names)


def set(params=None, **kwargs):  # noqa: A001 (PyNEST's name)
    """``nest.set(local_num_threads=2, ...)``: SetKernelStatus."""
    SetKernelStatus(dict(params or {}, **kwargs))


def get(*keys):  # noqa: A001 (PyNEST's name)
    """``nest.get("biological_time")``: GetKernelStatus."""
    if not keys:
        return GetKernelStatus()
    if len(keys) == 1:
        return GetKernelStatus(keys[0])
    return {k: GetKernelStatus(k) for k in keys}


def Rank():
    """The MPI rank of this process (0: spindle.nest runs in one process)."""
    return _call(_kernel.get_kernel, "mpi_rank")


def NumProcesses():
    """The number of MPI processes (1)."""
    return _call(_kernel.get_kernel, "num_processes")


def Models(mtype="all"):
    nodes = list(_kernel.node_model_names())
    synapses = list(_kernel.synapse_model_names())
    return {"nodes": nodes, "synapses": synapses}.get(mtype, nodes + synapses)


# ----------------------------------------------------------------- nodes

def _merge(runs):
    """Runs of ids, (first, count), in order, adjacent ones joined."""
    out = []
    for first, n in runs:
        if n <= 0:
            continue
        if out and out[-1][0] + out[-1][1] == first:
            out[-1] = (out[-1][0], out[-1][1] + n)
        else:
            out.append((first, n))
    return tuple(out)


def _runs_of(ids):
    """Runs of a sorted list of unique ids."""
    return _merge((int(i), 1) for i in ids)


def _iterable(v):
    try:
        iter(v)
    except TypeError:
        return False
    return True


def _iterable_not_str(v):
    return not isinstance(v, str) and _iterable(v)


def _plain(v):
    """numpy values as Python's (the kernel compares parameter dicts)."""
    if isinstance(v, int) and not isinstance(v, bool) and not -(2**63) <= v < 2**63:
        # NEST passes Python ints to its kernel as C longs.
        raise OverflowError(f"Python int too large to convert to C long: {v}")
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, NodeCollection):
        return v.tolist()
    return v


def _event_arrays(ev):
    """A recorder's events as NEST gives them: numpy arrays, senders as
    integers once there are any."""
    steps = "offsets" in ev  # time_in_steps: times are whole steps
    return {
        k: np.asarray(v, dtype=np.int64 if (k in ("senders", "targets", "receptors")
                                            or (k == "times" and steps)) and len(v)
                      else np.float64)
        for k, v in sorted(ev.items())  # NEST's order: by name
    }


# Parameters NEST gives as numpy arrays: a spike generator's times, a step
# current generator's times and values, and the
# neuron models' list-valued parameters (``tau_syn``).
_ARRAY_KEYS = frozenset(
    {"spike_times", "spike_weights", "amplitude_times", "amplitude_values",
     *Kernel.list_params()}
)


def _py_value(key, v):
    if isinstance(v, dict) and key == "events":
        return _event_arrays(v)
    if key in _ARRAY_KEYS and isinstance(v, list):
        return np.asarray(v, dtype=np.float64)
    if key == "spike_multiplicities" and isinstance(v, list):
        return np.asarray(v, dtype=np.int64)
    if key in ("senders", "targets") and isinstance(v, list):
        return NodeCollection(v)  # a weight_recorder's filters
    return v


def _node_ids(data):
    """The ids of ``NodeCollection(data)``, checked as NEST checks them."""
    if isinstance(data, NodeCollection):
        return data.tolist()
    try:
        items = list(data)
    except TypeError:
        raise TypeError(f"'{type(data).__name__}' object is not iterable") from None
    ids = []
    for x in items:
        if isinstance(x, (numbers.Integral, np.integer)):
            i = int(x)
        elif isinstance(x, (float, np.floating)) and float(x).is_integer():
            i = int(x)
        else:
            raise TypeError(f"NodeCollection: node ids must be integers (got {x!r})")
        if i < 0:
            raise OverflowError(f"NodeCollection: node ids are >= 1 (got {i})")
        ids.append(i)
    size = _call(_kernel.get_kernel, "network_size")
    for prev, i in zip(ids, ids[1:]):
        if i == prev:
            raise _error("BadProperty", "All node IDs in a NodeCollection have to be unique")
        if i < prev:
            raise _error("BadProperty", "Indices must be sorted in ascending order")
    for i in ids:
        if not 1 <= i <= size:
            raise _error("UnknownNode", f"Node with id {i} does not exist.")
    return ids


class NodeCollection:
    """Node ids, as ``Create`` returns them (a contiguous range) or as
    ``NodeCollection([ids])``, joining and slicing make them (any sorted
    ids, held as contiguous runs)."""

    __slots__ = ("_runs",)

    def __init__(self, data=None):
        object.__setattr__(self, "_runs", _runs_of(_node_ids([] if data is None else data)))

    @classmethod
    def _of(cls, runs):
        nc = cls.__new__(cls)
        object.__setattr__(nc, "_runs", _merge(runs))
        return nc

    def __len__(self):
        return sum(n for _, n in self._runs)

    def __bool__(self):
        return bool(self._runs)

    def __iter__(self):
        for first, n in self._runs:
            for i in range(first, first + n):
                yield NodeCollection._of(((i, 1),))

    def tolist(self):
        return [i for first, n in self._runs for i in range(first, first + n)]

    def __array__(self, dtype=None, copy=None):
        return np.array(self.tolist(), dtype=dtype)

    def _to_array(self, selection="all"):
        """NEST's debugging helper: the ids, all of them (``"all"``), this
        rank's (``"rank"``) or per thread (``"thread"``: a dict by thread)."""
        ids = self.tolist()
        if selection == "all":
            return {"All": ids}
        if selection == "rank":
            return {f"Rank {Rank()}": ids}
        if selection == "thread":
            by_thread = {}
            threads = _call(_kernel.get_values, list(self._runs), "thread") if ids else []
            for i, t in zip(ids, threads):
                by_thread.setdefault(t, []).append(i)
            return by_thread
        raise _error("BadProperty", f"selection must be 'all', 'rank' or 'thread' (got {selection!r})")

    def __contains__(self, node_id):
        return any(first <= node_id < first + n for first, n in self._runs)

    def index(self, node_id):
        """The position of ``node_id`` in the collection."""
        before = 0
        for first, n in self._runs:
            if first <= node_id < first + n:
                return before + node_id - first
            before += n
        raise ValueError(f"{node_id} is not in NodeCollection")

    def _id_at(self, i):
        for first, n in self._runs:
            if i < n:
                return first + i
            i -= n
        raise IndexError("index value outside of the NodeCollection")

    def _take(self, positions):
        """The nodes at sorted, unique ``positions``."""
        ids = np.concatenate([np.arange(f, f + n) for f, n in self._runs] or [np.array([], int)])
        return NodeCollection._of(_runs_of(ids[positions]))

    def __getitem__(self, key):
        size = len(self)
        if isinstance(key, slice):
            if key.start is not None and not -size <= key.start < size:
                raise IndexError("slice start value outside of the NodeCollection")
            if key.stop is not None and not -size < key.stop <= size:
                raise IndexError("slice stop value outside of the NodeCollection")
            if key.step is not None and key.step < 1:
                raise IndexError("slicing step for NodeCollection must be strictly positive")
            start, stop, step = key.indices(size)
            if start >= stop:
                raise _error("BadParameter", "start < stop required.")
            if len(self._runs) == 1 and step == 1:
                return NodeCollection._of(((self._runs[0][0] + start, stop - start),))
            return self._take(np.arange(start, stop, step))
        if isinstance(key, (numbers.Integral, np.integer)):
            key = int(key)
            if abs(key + (key >= 0)) > size:
                raise IndexError("index value outside of the NodeCollection")
            return NodeCollection._of(((self._id_at(key % size), 1),))
        if isinstance(key, (list, tuple, np.ndarray)):
            key = np.asarray(key)
            if key.size == 0:
                return NodeCollection._of(())
            if key.ndim != 1:
                raise TypeError("NumPy indices must one-dimensional")
            if key.dtype == bool:
                if len(key) != size:
                    raise IndexError("Bool index array must be the same length as NodeCollection")
                return self._take(np.flatnonzero(key))
            if not np.issubdtype(key.dtype, np.integer):
                raise TypeError("Indices must be integers or bools")
            if len(np.unique(key)) != len(key):
                raise ValueError("All node IDs in a NodeCollection have to be unique")
            if np.any(np.diff(key) < 0):
                raise _error("BadProperty", "Indices must be sorted in ascending order")
            if key[0] < -size or key[-1] >= size:
                raise IndexError("index value outside of the NodeCollection")
            return self._take(key % size)
        raise IndexError("only integers, slices, lists, tuples, and numpy arrays are valid indices")

    def __add__(self, other):
        if not isinstance(other, NodeCollection):
            if isinstance(other, numbers.Number) and other == 0:
                return self
            raise TypeError(f"Cannot add object of type '{type(other).__name__}' to 'NodeCollection'")
        runs = sorted(self._runs + other._runs)
        for (f1, n1), (f2, _) in zip(runs, runs[1:]):
            if f1 + n1 > f2:
                raise _error("BadProperty", "Cannot join overlapping NodeCollections.")
        return NodeCollection._of(runs)

    def __radd__(self, other):
        return self + other

    def __eq__(self, other):
        return isinstance(other, NodeCollection) and self._runs == other._runs

    def __hash__(self):
        return hash(self._runs)

    def __repr__(self):
        if not self._runs:
            return "NodeCollection(<empty>)"
        parts = []
        for first, n in self._runs:
            for model, f, k in _call(_kernel.model_runs, first, n):
                last = f", last={f + k - 1}" if k > 1 else ""
                parts.append(f"model={model}, size={k}, first={f}{last}")
        if len(parts) == 1:
            return f"NodeCollection(metadata=None, {parts[0]})"
        indent = "\n" + " " * len("NodeCollection(")
        return "NodeCollection(metadata=None," + indent + (";" + indent).join(parts) + ")"

    __str__ = __repr__

    def _values(self, key):
        """``key`` of every node: one value for one node, else a tuple
        (None for nodes without it; KeyError if none has it)."""
        values = [_py_value(key, v) for v in _call(_kernel.get_values, list(self._runs), key)]
        return values[0] if len(values) == 1 else tuple(values)

    def get(self, *params, **kwargs):
        """``nodes.get()`` (a dict of every parameter), ``nodes.get("V_m")``,
        ``nodes.get(["V_m", "t_ref"])`` (a dict), and the hierarchical
        ``recorder.get("events", "V_m")`` or ``get("events", ["V_m", "times"])``.
        For one node, values; for several, tuples of values."""
        if not self:
            raise ValueError("Cannot get parameter of empty NodeCollection")
        if kwargs:
            if builtins.set(kwargs) != {"output"}:
                raise TypeError("Got unexpected keyword argument")
            output = kwargs["output"]
            if output not in ("", "pandas", "json"):
                raise _error("BadProperty", f"output must be '', 'pandas' or 'json', got {output!r}")
            if output == "json":
                # NEST: the plain result, as JSON.
                return json.dumps(_json_value(self.get(*params)), default=_plain)
            if output:
                return self._as_output(self.get(*params), params, output)
        if not params:
            return {k: self._values(k) for k in _call(_kernel.keys_of, list(self._runs))}
        if len(params) == 1:
            return self._parameters(params[0])
        # Hierarchical addressing: a dict-valued key, then names in it.
        if not isinstance(params[0], str):
            raise TypeError("First argument must be a string, specifying path into hierarchical dictionary")
        values = self.get(params[0])
        if not isinstance(values, (tuple, list)):
            values = (values,)
        if not all(isinstance(v, dict) for v in values):
            raise TypeError(
                f"get({params[0]!r}, ...): hierarchical addressing needs a key whose values are "
                f"dicts, such as 'events'; use get([...]) for several parameters"
            )
        if len(values) == 1:
            tree = values[0]
        else:
            names = sorted({k for v in values for k in v})
            tree = {k: [v.get(k) for v in values] for k in names}
        if isinstance(params[-1], str):
            return tree[params[-1]]
        return {k: tree[k] for k in params[-1]}

    def _as_output(self, result, params, output):
        """``get``'s ``result`` for ``params`` as NEST's ``output="pandas"``
        (a DataFrame indexed by node id, a column per name) or ``"json"``
        (the names' values, a list per name for several nodes)."""
        if isinstance(result, dict) and (not params or not isinstance(params[0], str)
                                         or len(params) == 1 and _iterable_not_str(params[0])):
            table = result
        else:
            table = {params[-1] if isinstance(params[-1], str) else "value": result}
        several = len(self) > 1
        columns = {k: (list(v) if several and isinstance(v, tuple) else [v]) for k, v in table.items()}
        if output == "pandas":
            import pandas
            return pandas.DataFrame(columns, index=self.tolist())
        plain = {k: [_plain(x) for x in v] if several else _plain(v[0]) for k, v in columns.items()}
        return json.dumps(plain, default=_plain)

    def _parameters(self, param):
        if isinstance(param, str):
            return self._values(param)
        if _iterable_not_str(param):
            return {name: self._parameters(name) for name in param}
        raise TypeError("Params should be either a string or an iterable")

    def set(self, params=None, **kwargs):
        """``nodes.set(V_th=20.0)``, ``nodes.set({"V_th": 20.0})``, one
        value per node as a list (``nodes.set(I_e=[...])``) or a list of
        dicts; before the first Simulate and between runs."""
        if not self:
            return
        if kwargs and params is None:
            params = kwargs
        elif kwargs and params:
            raise TypeError("must either provide params or kwargs, but not both.")
        if params is None:
            return
        if isinstance(params, dict) and any(isinstance(v, Parameter) for v in params.values()):
            drawn = {k: v for k, v in params.items() if isinstance(v, Parameter)}
            self.set({k: v for k, v in params.items() if k not in drawn})
            for key, param in drawn.items():
                _call(_kernel.set_random, self._runs, key, param._spec)
            return
        if isinstance(params, dict):
            if not params:
                return
            per_node = self._split(params)
            if per_node is None:
                _call(_kernel.set, [(f, n, {k: _plain(v) for k, v in params.items()})
                                    for f, n in self._runs])
                return
        elif isinstance(params, (list, tuple)) and all(isinstance(p, dict) for p in params):
            if len(params) != len(self):
                raise TypeError("list of params must have one dictionary per node")
            per_node = [{k: _plain(v) for k, v in p.items()} for p in params]
        else:
            raise TypeError(f"params must be a dict or a list of dicts (got {type(params).__name__})")
        runs = []
        for i, d in zip(self.tolist(), per_node):
            if runs and runs[-1][2] == d and runs[-1][0] + runs[-1][1] == i:
                runs[-1][1] += 1
            else:
                runs.append([i, 1, d])
        _call(_kernel.set, [tuple(r) for r in runs])

    def _split(self, params):
        """NEST's rule: a list for a parameter that holds one number gives
        one value per node. The per-node dicts, or None if nothing splits."""
        first = self._runs[0][0]
        split = []
        for key, v in params.items():
            if not _iterable_not_str(v):
                continue
            try:
                current = _call(_kernel.get, first, key)
            except NESTError:
                continue  # not a parameter of the node: the kernel says so
            if not _iterable(current):
                split.append(key)
        if not split:
            return None
        n = len(self)
        for key in split:
            if len(params[key]) != n:
                raise IndexError(f"'{key}' has {len(params[key])} values for {n} nodes")
        return [{k: _plain(params[k][i] if k in split else params[k]) for k in params}
                for i in range(n)]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if not self:
            raise AttributeError("Cannot get attribute of empty NodeCollection")
        return self.get(name)

    def __setattr__(self, name, value):
        self.set({name: value})


def _per_node_params(model, n, params):
    """Create's ``params`` as a list of ``n`` dicts, one per node, or None
    if one dict holds for all (NEST's rule: a list for a parameter whose
    default is one number gives one value per node)."""
    if isinstance(params, (list, tuple)):
        return [{k: _plain(v) for k, v in p.items()} for p in params]
    if not params:
        return None
    if model not in _kernel.node_model_names():
        return None  # the kernel names the unknown model
    defaults = _call(_kernel.get_defaults, model)
    split = [k for k, v in params.items()
             if _iterable_not_str(v) and k in defaults and not _iterable(defaults[k])]
    if not split:
        return None
    for key in split:
        # NEST takes the first n values, and fails indexing past fewer.
        if len(params[key]) < n:
            size = len(params[key])
            if isinstance(params[key], (list, tuple)):
                raise IndexError("list index out of range")
            raise IndexError(f"index {size} is out of bounds for axis 0 with size {size}")
    return [{k: _plain(params[k][i] if k in split else params[k]) for k in params}
            for i in range(n)]


def Create(model, n=1, params=None, positions=None):
    """Create ``n`` nodes of ``model``. ``params``: a dict for all nodes (a
    list for a parameter gives one value per node), or a list of ``n``
    dicts; ``Create(model, params_dict)`` makes one node. Nodes with
    different values are made by separate Create calls of the kernel, in
    order: the ids stay contiguous."""
    if isinstance(n, dict):
        if not (params is None and positions is None):
            raise ValueError(
                "A parameter dictionary can be passed as second argument only if Create() "
                "is called with two arguments."
            )
        params, n = n, 1
    if positions is not None:
        raise _error("NotImplemented", "Spindle has no spatial networks (positions)")
    if int(n) != n:
        raise TypeError("n must have an integer value")
    n = int(n)
    if isinstance(params, (list, tuple)) and len(params) != n:
        raise TypeError("list of params must have one dictionary per node")
    if params is not None and not (
        isinstance(params, dict)
        or (isinstance(params, (list, tuple)) and all(isinstance(p, dict) for p in params))
    ):
        raise TypeError("params must be either a dict of parameters or a list or tuple of dicts")
    drawn = {}
    if isinstance(params, dict):
        drawn = {k: v for k, v in params.items() if isinstance(v, Parameter)}
        params = {k: v for k, v in params.items() if k not in drawn}
    per_node = _per_node_params(model, n, params) if n > 0 else None
    if per_node is None:
        runs = [(n, {k: _plain(v) for k, v in params.items()} if params else None)]
    else:
        runs = []
        for d in per_node:
            if runs and runs[-1][1] == d:
                runs[-1][0] += 1
            else:
                runs.append([1, d])
        runs = [(k, d or None) for k, d in runs]
    first, count = _call(_kernel.create, model, runs)
    nodes = NodeCollection._of(((first, count),))
    for key, param in drawn.items():
        _call(_kernel.set_random, nodes._runs, key, param._spec)
    if model == "spike_recorder":
        _recorders.append(nodes)
    return nodes


def _has_value(node_id, key, value):
    """Whether node ``node_id`` has parameter ``key`` equal to ``value``
    (a node without it has not)."""
    try:
        return _call(_kernel.get, node_id, key) == value
    except (KeyError, NESTErrors.UnaccessedDictionaryEntry):
        return False


def GetNodes(properties=None, local_only=False):
    """The nodes whose values match ``properties`` (all nodes if empty),
    as one NodeCollection (NEST's GetNodes)."""
    properties = dict(properties or {})
    n = GetKernelStatus("network_size")
    if n == 0:
        return NodeCollection([])
    model = properties.pop("model", None)
    ids = []
    for name, first, count in _call(_kernel.model_runs, 1, n):
        if model is not None and name != model:
            continue
        for i in range(first, first + count):
            if all(_has_value(i, k, v) for k, v in properties.items()):
                ids.append(i)
    return NodeCollection(ids)


def _json_value(v):
    """numpy arrays and values, and NodeCollections, as JSON takes them."""
    v = _plain(v)
    if isinstance(v, (tuple, list)):
        return [_json_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _json_value(x) for k, x in v.items()}
    return v


def GetStatus(nodes, keys=None, output=""):
    """NEST's (deprecated) GetStatus: a tuple with one entry per node or
    connection (a dict of every parameter, one value, or a tuple of values
    for a list of keys); ``output="json"`` gives it as a JSON string."""
    if output not in ("", "json"):
        raise _error("BadProperty", f"output must be '' or 'json', got {output!r}")
    if len(nodes) == 0:
        return "[]" if output == "json" else ()
    one = len(nodes) == 1
    if keys:
        got = nodes.get(keys)
        if isinstance(keys, str):
            result = (got,) if one else tuple(got)
        else:
            result = (tuple(got.values()),) if one else tuple(zip(*got.values()))
    else:
        got = nodes.get()
        result = (got,) if one else tuple({k: v[j] for k, v in got.items()} for j in range(len(nodes)))
    if output == "json":
        return json.dumps(_json_value(result))
    return result


def SetStatus(nodes, params, val=None):
    if isinstance(params, str):
        params = {params: val}
    nodes.set(params)


# ----------------------------------------------------------- connections

def _weight_recorder_id(wr):
    """A synapse model's ``weight_recorder`` as the kernel takes it: a node
    id, 0 for none."""
    if isinstance(wr, NodeCollection):
        if len(wr) > 1:
            raise _error("BadProperty", "weight_recorder must be a single node")
        return wr.tolist()[0] if len(wr) else 0
    return int(wr)


def CopyModel(existing, new, params=None):
    params = dict(params or {})
    wr = params.pop("weight_recorder", None)
    _call(_kernel.copy_model, existing, new, {k: _plain(v) for k, v in params.items()} or None)
    if wr is not None:
        _call(_kernel.set_weight_recorder, new, _weight_recorder_id(wr))


def SetDefaults(model, params, val=None):
    """New defaults for the later nodes (or synapses) of ``model``:
    neuron, device and synapse models."""
    if val is None:
        if not isinstance(params, dict):
            raise TypeError("params must be dictionary unless val is given.")
        if not params:
            return
    elif isinstance(params, str):
        params = {params: val}
    else:
        raise TypeError("If val is given, params must be string giving the parameter name.")
    if "weight_recorder" in params:
        params = dict(params)
        _call(_kernel.set_weight_recorder, model, _weight_recorder_id(params.pop("weight_recorder")))
        if not params:
            return
    defaults = _call(_kernel.get_defaults, model)
    if any(isinstance(v, Parameter)
           or (_iterable_not_str(v) and k in defaults and not _iterable(defaults[k]))
           for k, v in params.items()):
        raise ValueError("SetDefaults() accepts only explicit, single parameter values.")
    _call(_kernel.set_defaults, model, {k: _plain(v) for k, v in params.items()})


def GetDefaults(model, keys=None, output=""):
    """A model's defaults: all as a dict, one by name, or a list for a list
    of names."""
    if output != "":
        raise _error("NotImplemented", "Spindle's GetDefaults offers output='' only (not json)")
    d = {k: _py_value(k, v) for k, v in _call(_kernel.get_defaults, model).items()}
    if keys is None:
        return d

    def one(key):
        try:
            return d[key]
        except KeyError:
            raise KeyError(f"{model} has no parameter '{key}'") from None

    if _iterable_not_str(keys):
        return [one(k) for k in keys]
    return one(keys)


def _kind_runs(nodes):
    """``nodes``' runs of ids, split where devices of different models (or
    devices and neurons) meet: the kernel connects one kind at a time."""
    runs = []
    for first, n in nodes._runs:
        parts = _call(_kernel.model_runs, first, n)
        if len(parts) > 1 and any(_call(_kernel.get, f, "element_type") != "neuron" for _, f, _ in parts):
            runs.extend((f, c) for _, f, c in parts)
        else:
            runs.append((first, n))
    return runs


def _connect_pairs(pre, post, rule):
    """The (first, count) pairs to connect for NodeCollections that may
    hold several runs of ids: the kernel connects contiguous ranges of one
    kind of node."""
    pre_runs, post_runs = _kind_runs(pre), _kind_runs(post)
    if len(pre_runs) == 1 and len(post_runs) == 1:
        return [(pre_runs[0], post_runs[0])]
    if rule == "all_to_all":
        return [(a, b) for a in pre_runs for b in post_runs]
    if rule == "one_to_one":
        if len(pre) != len(post):
            raise _error("IllegalConnection", f"one_to_one needs as many sources ({len(pre)}) as "
                                              f"targets ({len(post)})")
        pairs, a, b = [], list(pre_runs), list(post_runs)
        while a:
            (fa, na), (fb, nb) = a[0], b[0]
            k = min(na, nb)
            pairs.append(((fa, k), (fb, k)))
            a[0], b[0] = (fa + k, na - k), (fb + k, nb - k)
            a, b = [r for r in a if r[1]], [r for r in b if r[1]]
        return pairs
    if rule == "pairwise_bernoulli":
        # Each pair is drawn on its own: any split of the pairs draws the
        # same distribution.
        return [(a, b) for a in pre_runs for b in post_runs]
    if rule == "fixed_indegree" and len(pre_runs) == 1:
        return [(pre_runs[0], b) for b in post_runs]
    if rule == "fixed_outdegree" and len(post_runs) == 1:
        return [(a, post_runs[0]) for a in pre_runs]
    if rule in ("fixed_indegree", "fixed_outdegree", "fixed_total_number"):
        drawn = {"fixed_indegree": "sources", "fixed_outdegree": "targets"}.get(rule)
        which = f"its {drawn} from one contiguous range of ids; the {drawn} here are" \
            if drawn else "from one contiguous range of sources and one of targets; these are"
        raise _error("NotImplemented", f"Spindle draws {rule} {which} not contiguous")
    return [(pre_runs[0], post_runs[0])]  # the kernel names the rule


# The syn_spec keys that take an array of values, one per connection.
_PER_CONNECTION_KEYS = ("weight", "delay", "receptor_type")


def _array_values(pre, post, rule, conn_spec, syn_spec):
    """The ``weight``, ``delay`` and ``receptor_type`` arrays of a syn_spec, checked as NEST
    checks them: one value per connection, in NEST's shapes (targets x
    sources for all_to_all, targets x indegree for fixed_indegree, sources
    x outdegree for fixed_outdegree; flat for one_to_one and
    fixed_total_number)."""
    conn_spec = conn_spec or {}
    arrays = {}
    for k, v in syn_spec.items():
        if k not in _PER_CONNECTION_KEYS or isinstance(v, numbers.Number):
            continue
        a = np.asarray(v, dtype=float)
        if a.ndim == 1 and rule == "one_to_one":
            if len(pre) != len(post):
                raise _error("IllegalConnection", f"one_to_one needs as many sources ({len(pre)}) as "
                                                  f"targets ({len(post)})")
            if a.shape[0] != len(pre):
                raise ValueError(f"'{k}' has to be an array of dimension {len(pre)}, a scalar or a "
                                 f"dictionary.")
        elif a.ndim == 1 and rule == "fixed_total_number":
            n = conn_spec.get("N")
            if a.shape[0] != n:
                raise ValueError(f"'{k}' has to be an array of dimension {n}, a scalar or a dictionary")
        elif a.ndim == 1:
            raise TypeError(f"'{k}' has the wrong type. One-dimensional parameter arrays can only be "
                            f"used in conjunction with rule 'one_to_one' or 'fixed_total_number'.")
        elif a.ndim == 2 and rule in ("all_to_all", "fixed_indegree", "fixed_outdegree"):
            rows, cols, what = {
                "all_to_all": (len(post), len(pre), "n_target x n_sources"),
                "fixed_indegree": (len(post), conn_spec.get("indegree"), "n_target x indegree"),
                "fixed_outdegree": (len(pre), conn_spec.get("outdegree"), "n_sources x outdegree"),
            }[rule]
            if a.shape != (rows, cols):
                raise ValueError(f"'{k}' has to be an array of dimension {rows}x{cols} ({what}), a "
                                 f"scalar or a dictionary.")
        else:
            raise TypeError(f"'{k}' has the wrong type. Two-dimensional parameter arrays can only be "
                            f"used in conjunction with rules 'all_to_all', 'fixed_indegree' or "
                            f"fixed_outdegree'.")
        arrays[k] = a
    return arrays


def _scalar(key, value):
    """One value of an array for a syn_spec: a receptor type as an int."""
    one = float(value)
    return int(one) if key == "receptor_type" and one.is_integer() else one


def _table_spec(key, values):
    """Values given one per connection, for the kernel: the number where
    all are the same, else a table read at each connection's position."""
    flat = np.asarray(values, dtype=float).ravel()
    if flat.size and (flat == flat[0]).all():
        return _scalar(key, flat[0])
    return ("table", flat.tolist())


def _counted_rule_specs(pre, post, rule, syn_spec, arrays, pairs):
    """The syn_spec of each kernel call of ``pairs`` (``_connect_pairs``)
    under fixed_indegree, fixed_outdegree or fixed_total_number, with its
    part of ``arrays`` as tables: the rows of its targets (fixed_indegree)
    or of its sources (fixed_outdegree)."""
    if len(pairs) == 1:
        return [dict(syn_spec, **{k: _table_spec(k, v) for k, v in arrays.items()})]
    ids = (post if rule == "fixed_indegree" else pre).tolist()
    at = {node: i for i, node in enumerate(ids)}
    specs = []
    for a, b in pairs:
        first, n = b if rule == "fixed_indegree" else a
        lo = at[first]
        specs.append(dict(syn_spec, **{k: _table_spec(k, v[lo:lo + n]) for k, v in arrays.items()}))
    return specs


def _kernel_pairs(sources, targets, syn_spec, per):
    """``sources[i] -> targets[i]`` as one set of pairs in the kernel, the
    arrays ``per`` giving one value per pair; False where the ids are not
    all neurons, connecting nothing."""
    scalar = {k: v for k, v in syn_spec.items() if k not in per}
    values = [(k, np.asarray(v, dtype=float).ravel().tolist()) for k, v in per.items()]
    return _call(_kernel.connect_arrays, list(sources), list(targets), scalar, values, True)


def _connect_array_values(pre, post, rule, conn_spec, syn_spec, arrays):
    """Connect with ``arrays`` of weights or delays as one set of pairs in
    the kernel; False where it cannot (devices, rule options), connecting
    nothing."""
    if builtins.set(conn_spec or {}) - {"rule"}:
        return False
    sources, targets = np.asarray(pre.tolist()), np.asarray(post.tolist())
    if rule == "all_to_all":
        # Values v[i, j]: source j onto target i, flattened row by row.
        sources, targets = np.tile(sources, len(targets)), np.repeat(targets, len(sources))
    return _kernel_pairs(sources.tolist(), targets.tolist(), syn_spec, arrays)


def _array_pairs(pre, post, rule, syn_spec, arrays):
    """Connections whose ``weight`` or ``delay`` is one of ``arrays``, as
    (source, targets, syn_spec) with scalar values: one call per source
    whose column is uniform, else per pair."""
    sources, targets = pre.tolist(), post.tolist()
    out = []
    if rule == "one_to_one":
        for i, (s, t) in enumerate(zip(sources, targets)):
            spec = dict(syn_spec, **{k: _scalar(k, v[i]) for k, v in arrays.items()})
            out.append(((s, 1), (t, 1), spec))
        return out
    for j, s in enumerate(sources):
        columns = {k: v[:, j] for k, v in arrays.items()}
        if all((c == c[0]).all() for c in columns.values()):
            spec = dict(syn_spec, **{k: _scalar(k, c[0]) for k, c in columns.items()})
            out.extend(((s, 1), b, spec) for b in post._runs)
        else:
            for i, t in enumerate(targets):
                spec = dict(syn_spec, **{k: _scalar(k, c[i]) for k, c in columns.items()})
                out.append(((s, 1), (t, 1), spec))
    return out


def _input_nodes(pre, post, conn_spec):
    """NEST's reading of Connect's ``pre`` and ``post``: NodeCollections,
    lists of unique ids made NodeCollections, or (with ``one_to_one``, or
    ids repeated) two arrays of ids connected pair by pair. Returns
    (pre, post, whether they are arrays)."""
    rule = conn_spec.get("rule", "all_to_all") if isinstance(conn_spec, dict) else conn_spec
    one_to_one = rule == "one_to_one"
    as_arrays = False
    out = []
    for nodes in (pre, post):
        if isinstance(nodes, NodeCollection):
            out.append(nodes)
            continue
        if isinstance(nodes, numbers.Integral) or not _iterable_not_str(nodes):
            raise TypeError("Connect takes NodeCollections or arrays of node IDs")
        ids = list(nodes)
        if not one_to_one and len(builtins.set(ids)) == len(ids):
            out.append(NodeCollection(sorted(ids)))
        else:
            out.append(ids)
            as_arrays = True
    pre, post = out
    if not as_arrays:
        return pre, post, False
    if len(pre) != len(post):
        raise ValueError("If 'pre' or 'post' contain non-unique IDs, then they must have the same length.")
    pre, post = np.asarray(_plain_ids(pre)), np.asarray(_plain_ids(post))
    for name, a in (("pre", pre), ("post", post)):
        if not issubclass(a.dtype.type, (int, np.integer)):
            raise TypeError(f"'{name}' node IDs must be integers.")
    if pre.ndim != 1 or post.ndim != 1:
        raise ValueError("Sources and targets must be 1-dimensional arrays")
    if not one_to_one:
        raise ValueError("When connecting two arrays with non-unique IDs, `conn_spec` must be 'one_to_one'.")
    return pre, post, True


def _plain_ids(nodes):
    return nodes.tolist() if isinstance(nodes, NodeCollection) else list(nodes)


def _connect_arrays(pre, post, syn_spec):
    """NEST's ``connect_arrays``: ``pre[i] -> post[i]`` for every i, with
    the syn_spec's arrays (weight, delay, ...) read per connection."""
    if isinstance(syn_spec, str):
        syn_spec = {"synapse_model": syn_spec}
    syn_spec = syn_spec or {}
    for plural in ("weights", "delays"):
        if plural in syn_spec:
            raise ValueError(f"To specify {plural}, use '{plural[:-1]}' in syn_spec.")
    # NEST's syn_spec processing names the default model.
    syn_spec = {"synapse_model": "static_synapse", **syn_spec}
    for key in ("weight", "delay"):
        if key in syn_spec and np.ndim(syn_spec[key]) != 1:
            raise TypeError(f"{key}s must be a 1-dimensional NumPy array")
    n = len(pre)
    per = {}
    for k, v in syn_spec.items():
        if _iterable_not_str(v):
            v = np.asarray(v)
            if v.shape != (n,):
                raise _error("BadProperty", f"'{k}' must have one value per connection ({n}), "
                                            f"not shape {v.shape}")
            per[k] = v
    # Between neurons, one projection of the pairs in the kernel.
    if builtins.set(per) <= {"weight", "delay", "receptor_type"} and _kernel_pairs(
            pre.tolist(), post.tolist(), syn_spec, per):
        return
    for i, (s, t) in enumerate(zip(pre.tolist(), post.tolist())):
        spec = {k: (_plain(per[k][i]) if k in per else v) for k, v in syn_spec.items()}
        _call(_kernel.connect, (int(s), 1), (int(t), 1), {"rule": "one_to_one"}, spec, i == n - 1)


def Connect(pre, post, conn_spec=None, syn_spec=None, return_synapsecollection=False):
    """NEST's Connect with the rules ``all_to_all``, ``one_to_one``,
    ``fixed_indegree`` (``indegree``), ``fixed_outdegree`` (``outdegree``),
    ``fixed_total_number`` (``N``) and ``pairwise_bernoulli`` (``p``), with
    ``allow_autapses`` and ``allow_multapses`` as in NEST 3.10 (which
    refuses ``allow_multapses=False`` for ``fixed_total_number``);
    ``syn_spec`` a model name or a dict, its weight and delay numbers or
    (all_to_all, one_to_one) arrays.

    NodeCollections of several id ranges: ``pairwise_bernoulli`` takes any;
    ``fixed_indegree`` needs contiguous sources, ``fixed_outdegree``
    contiguous targets, ``fixed_total_number`` both (else NotImplemented).
    Between neurons and devices, ``all_to_all`` and ``one_to_one`` only."""
    pre, post, arrays = _input_nodes(pre, post, conn_spec)
    if arrays:
        if return_synapsecollection:
            raise ValueError("SynapseCollection cannot be returned when connecting two arrays of node IDs")
        return _connect_arrays(pre, post, syn_spec)
    if not pre or not post:
        raise _error("IllegalConnection", "Connect: the sources and the targets must not be empty")
    if isinstance(conn_spec, str):
        conn_spec = {"rule": conn_spec}
    if isinstance(syn_spec, str):
        syn_spec = {"synapse_model": syn_spec}
    rule = (conn_spec or {}).get("rule", "all_to_all")
    if syn_spec and any(isinstance(v, Parameter) for v in syn_spec.values()):
        syn_spec = {k: (v._spec if isinstance(v, Parameter) else v) for k, v in syn_spec.items()}
    elif syn_spec and any(k in _PER_CONNECTION_KEYS and not isinstance(v, numbers.Number)
                          for k, v in syn_spec.items()):
        arrays = _array_values(pre, post, rule, conn_spec, syn_spec)
        if rule in ("fixed_indegree", "fixed_outdegree", "fixed_total_number"):
            # The kernel draws the connections and reads the k-th value
            # for the k-th it draws.
            pairs = _connect_pairs(pre, post, rule)
            specs = _counted_rule_specs(pre, post, rule, syn_spec, arrays, pairs)
            for i, ((a, b), spec) in enumerate(zip(pairs, specs)):
                _call(_kernel.connect, a, b, dict(conn_spec), spec, i == len(pairs) - 1)
            return GetConnections(pre, post) if return_synapsecollection else None
        if _connect_array_values(pre, post, rule, conn_spec, syn_spec, arrays):
            return GetConnections(pre, post) if return_synapsecollection else None
        pairs = _array_pairs(pre, post, rule, syn_spec, arrays)
        # One build of the simulation for the whole Connect, not one per
        # call (5,000 pairs took minutes).
        for i, (a, b, spec) in enumerate(pairs):
            _call(_kernel.connect, a, b, dict(conn_spec) if conn_spec else None, spec,
                  i == len(pairs) - 1)
        if return_synapsecollection:
            return GetConnections(pre, post)
        return None
    pairs = _connect_pairs(pre, post, rule)
    for i, (a, b) in enumerate(pairs):
        _call(
            _kernel.connect, a, b,
            dict(conn_spec) if conn_spec else None,
            dict(syn_spec) if syn_spec else None,
            i == len(pairs) - 1,
        )
    if return_synapsecollection:
        return GetConnections(pre, post)


class SynapseCollection:
    """What ``GetConnections`` returns: the connections it selected, in
    NEST's order. ``get`` reads their current values (``output="pandas"``
    for a DataFrame), ``set(weight=...)`` changes plastic synapses'
    weights; the values are attributes too (``conns.weight``). Indexing,
    slicing and iterating give collections of the chosen connections;
    ``sources()``/``targets()`` iterate node ids. Without ``source`` and
    ``target`` its length counts devices' connections too, as NEST's
    does."""

    # Row columns of the kernel's get_connections.
    _COLUMNS = ("source", "target", "synapse_model", "delay", "weight")
    # What every connection has in NEST's get(), in its (sorted) order.
    _BASE = ("delay", "port", "receptor", "sizeof", "source", "synapse_id", "synapse_model",
             "target", "target_thread", "weight")

    def __init__(self, filters, n=None, rows=None):
        self._filters = filters
        self._n = n
        # A chosen subset (index, slice, iteration): its rows, fixed.
        self._fixed = rows

    def _rows(self):
        if self._fixed is not None:
            return self._fixed
        if self._filters is None:
            return []
        return [tuple(r) for r in _call(_kernel.get_connections, *self._filters)]

    def __len__(self):
        if self._fixed is None and self._n is not None:
            return self._n
        return len(self._rows())

    def __repr__(self):
        return f"SynapseCollection(size={len(self)})"

    def __iter__(self):
        for r in self._rows():
            yield SynapseCollection(self._filters, rows=[r])

    def __getitem__(self, key):
        rows = self._rows()
        if isinstance(key, slice):
            return SynapseCollection(self._filters, rows=rows[key])
        if isinstance(key, (int, np.integer)):
            if not -len(rows) <= key < len(rows):
                raise IndexError("index value outside of the SynapseCollection")
            return SynapseCollection(self._filters, rows=[rows[key]])
        raise TypeError(f"SynapseCollection indices must be integers or slices, not "
                        f"{type(key).__name__}")

    def __eq__(self, other):
        if not isinstance(other, SynapseCollection):
            return NotImplemented
        key = lambda rows: [(r[0], r[1], r[2], r[5], r[6]) for r in rows]  # noqa: E731
        return key(self._rows()) == key(other._rows())

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = None

    def sources(self):
        """The connections' source node ids, in order."""
        return iter([r[0] for r in self._rows()])

    def targets(self):
        """The connections' target node ids, in order."""
        return iter([r[1] for r in self._rows()])

    def _table(self, rows, names):
        """Per name, the list of its values over ``rows``."""
        extra = {}
        models = {}
        ports = {}
        ids = Models("synapses")
        cols = {k: [] for k in names}
        # quantal_stp_synapse's u and a change with each spike, a per
        # connection: read now (only its projections have "n").
        state = [None] * len(rows)
        if "a" in names or "u" in names:
            for r in rows:
                if r[5] not in extra:
                    extra[r[5]] = _call(_kernel.projection_params, r[5])
            if any("n" in extra[r[5]] for r in rows):
                state = _call(_kernel.quantal_state, [(r[0], r[1], r[5], r[6]) for r in rows])
        for r, now in zip(rows, state):
            if r[5] not in extra:
                extra[r[5]] = _call(_kernel.projection_params, r[5])
            if r[2] not in models:
                models[r[2]] = _call(_kernel.get_defaults, r[2])
            port = ports.get(r[2], 0)
            ports[r[2]] = port + 1
            own = extra[r[5]]
            if now is not None:
                own = dict(own, u=now[0], a=now[1])
            values = {
                "source": r[0], "target": r[1], "synapse_model": r[2], "delay": r[3],
                "weight": r[4], "port": port, "sizeof": 32, "target_thread": 0,
                "synapse_id": ids.index(r[2]) if r[2] in ids else len(ids),
                "receptor": r[7] if len(r) > 7 and r[7] is not None else own.get("receptor") or 0,
            }
            for k in names:
                if k in values:
                    cols[k].append(values[k])
                elif k in own:
                    cols[k].append(own[k])
                elif k in models[r[2]] and k not in ("element_type", "num_connections", "receptor_type",
                                                     "synapse_modelid"):
                    cols[k].append(models[r[2]][k])
                else:
                    raise KeyError(k)
        return cols

    def _names(self, rows):
        names = list(self._BASE)
        seen = builtins.set(names)
        for m in dict.fromkeys(r[2] for r in rows):
            for k in _call(_kernel.get_defaults, m):
                if k not in seen and k not in ("element_type", "num_connections", "receptor_type",
                                               "synapse_modelid"):
                    names.append(k)
                    seen.add(k)
        return sorted(names)

    def get(self, keys=None, output=""):
        """Values of ``keys`` (a name or a list of names; all if None) per
        connection: a value for one connection, else a list; a dict for a
        list of names (or all); a DataFrame with ``output="pandas"``."""
        if output not in ("", "pandas", "json"):
            raise _error("BadProperty", f"output must be '', 'pandas' or 'json', got {output!r}")
        rows = self._rows()
        if not rows and output == "":
            return () if isinstance(keys, str) else {}
        single = isinstance(keys, str)
        if keys is None:
            names = self._names(rows)
        elif single:
            names = [keys]
        elif _iterable_not_str(keys):
            names = list(keys)
        else:
            raise TypeError("keys should be either a string or an iterable")
        cols = self._table(rows, names)
        if output == "pandas":
            import pandas
            return pandas.DataFrame(cols)
        if output == "json":
            return json.dumps(cols if len(rows) != 1 else {k: v[0] for k, v in cols.items()})
        if single:
            v = cols[keys]
            return v[0] if len(v) == 1 else v
        return {k: (v[0] if len(v) == 1 else v) for k, v in cols.items()}

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "distance":
            raise _error("NotImplemented", "Spindle has no spatial networks: no distance")
        try:
            return self.get(name)
        except KeyError:
            raise AttributeError(f"'SynapseCollection' object has no attribute '{name}'") from None

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self.set({name: value})

    def set(self, params=None, **kwargs):
        """``set(weight=w)``: one weight for all, or one per connection
        (plastic synapses only: Spindle holds one weight per static
        projection)."""
        if isinstance(params, (list, tuple)):
            raise _error("NotImplemented", "Spindle's SynapseCollection.set takes one dict")
        params = dict(params or {}, **kwargs)
        unknown = [k for k in params if k != "weight"]
        if unknown:
            raise _error("NotImplemented", f"Spindle sets the weight of connections only, not {unknown[0]}")
        if "weight" not in params:
            return
        rows = self._rows()
        w = params["weight"]
        weights = [float(x) for x in w] if _iterable_not_str(w) else [float(w)] * len(rows)
        if len(weights) != len(rows):
            raise _error("BadProperty", f"{len(weights)} weights for {len(rows)} connections")
        keys = [(r[0], r[1], r[5], r[6]) for r in rows]
        _call(_kernel.set_weights, keys, weights)


def GetConnections(source=None, target=None, synapse_model=None, synapse_label=None):
    """NEST's GetConnections: the connections between neurons from
    ``source`` to ``target`` of ``synapse_model`` (each None for any)."""
    if synapse_label is not None:
        raise _error("NotImplemented", "Spindle's GetConnections has no synapse_label")
    for c in (source, target):
        if c is not None and not isinstance(c, NodeCollection):
            raise TypeError("source and target must be NodeCollections")
    runs = [None if c is None else [tuple(r) for r in c._runs] for c in (source, target)]
    n = None
    if source is None and target is None:
        n = _call(_kernel.num_connections, synapse_model)
    return SynapseCollection((runs[0], runs[1], synapse_model), n)


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
    checked = builtins.set()
    for nodes in _recorders:
        for i in nodes.tolist():
            if _call(_kernel.get, i, "record_to") != "ascii":
                continue
            path = _call(_kernel.get, i, "filenames")[0]
            directory = os.path.dirname(path) or "."
            if directory in checked:
                continue
            problem = _unwritable(directory)
            if problem:
                raise NESTErrors.IOError(
                    f"IOError in Spindle: I/O error while opening file '{path}': {problem}"
                )
            checked.add(directory)


_MIN_DELAY_WARNING = (
    "The requested simulation time is not an integer multiple of the minimal delay in the "
    "network. This may result in inconsistent results under the following conditions: (i) A "
    "network contains more than one source of randomness, e.g., two different "
    "poisson_generators, and (ii) Simulate is called repeatedly with simulation times that are "
    "not multiples of the minimal delay."
)


def Prepare():
    """Build the network for simulating (NEST's Prepare)."""
    _check_recorder_files()
    _call(_kernel.prepare_run)
    n = _call(_kernel.num_local_nodes)
    _kernel_message(VerbosityLevel.INFO, f"Preparing {n} node{'' if n == 1 else 's'} for simulation.")


def Run(t):
    """Advance the network by ``t`` ms (after Prepare; NEST's Run)."""
    _check_recorder_files()
    t = float(t)
    if not _call(_kernel.check_simtime, t):
        _kernel_message(VerbosityLevel.WARNING, _MIN_DELAY_WARNING)
    _kernel_message(
        VerbosityLevel.INFO,
        f"Number of local nodes: {_call(_kernel.num_local_nodes)}\n"
        f"Simulation time (ms): {t:g}\n"
        f"Number of OpenMP threads: {_call(_kernel.get_kernel, 'local_num_threads')}\n"
        "Not using MPI",
    )
    _call(_kernel.simulate, t)
    _kernel_message(VerbosityLevel.INFO, "Simulation finished.")


def Cleanup():
    pass


class RunManager:
    """NEST's ``with nest.RunManager(): nest.Run(t) ...``: Prepare on
    entry, Cleanup on exit; the Runs between continue one another (an
    ac_generator's oscillator is not restarted between them)."""

    def __enter__(self):
        Prepare()
        return self

    def __exit__(self, *exc):
        Cleanup()
        return False


def Simulate(t):
    """Advance the network by ``t`` ms, on ``local_num_threads`` threads
    (Prepare, Run, Cleanup)."""
    Prepare()
    Run(t)
    Cleanup()


# CreateParameter's types with the names of their specs, and what makes each.
_PARAMETER_TYPES = {
    "constant": (("value",), lambda value: Parameter(("const", float(value)))),
    "uniform": (("min", "max"), lambda min=0.0, max=1.0: random.uniform(min, max)),
    "normal": (("mean", "std"), lambda mean=0.0, std=1.0: random.normal(mean, std)),
    "lognormal": (("mean", "std"), lambda mean=0.0, std=1.0: random.lognormal(mean, std)),
    "exponential": (("beta",), lambda beta=1.0: random.exponential(beta)),
}


def CreateParameter(parametertype, specs):
    """NEST's CreateParameter for the types without space: ``constant``
    (``value``), ``uniform`` (``min``, ``max``), ``normal`` and
    ``lognormal`` (``mean``, ``std``), ``exponential`` (``beta``)."""
    if parametertype not in _PARAMETER_TYPES:
        if parametertype in ("linear", "gaussian", "gaussian2D", "distance", "position", "gamma",
                             "exp_distribution", "gaussian_distribution"):
            raise _error("NotImplemented", f"Spindle has no spatial networks: no '{parametertype}' parameter")
        raise _error("BadParameter", f"unknown parameter type '{parametertype}'")
    names, make = _PARAMETER_TYPES[parametertype]
    for key in specs:
        if key not in names:
            raise _error("UnaccessedDictionaryEntry",
                         f"'{key}' is not a specification of a {parametertype} parameter ({', '.join(names)})")
    if parametertype == "constant" and "value" not in specs:
        raise _error("BadParameter", "a constant parameter needs 'value'")
    return make(**specs)


def spike_digest():
    """Spindle's digest of every spike so far (not in NEST)."""
    return _kernel.spike_digest()


def _build_info():
    """PyNEST's ``nest.build_info``, for what Spindle has: threads always;
    MPI not through Python (one process); "GSL" where the models NEST
    integrates with GSL exist (Spindle's own stepper does what GSL does);
    no HDF5, MUSIC, SIONlib, libneurosim or Boost."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("spindle")
    except PackageNotFoundError:
        release = "unknown"
    return {
        "version": release,
        "have_threads": True,
        "threads_model": "std::thread",
        "have_mpi": False,
        "have_gsl": "iaf_cond_exp" in Models(),
        "have_boost": False,
        "have_hdf5": False,
        "have_music": False,
        "have_sionlib": False,
        "have_libneurosim": False,
        "ndebug": True,
        "hostos": sys.platform,
    }


# ---------------------------------------------- nest.resolution and co.

class _NestModule(types.ModuleType):
    """Kernel attributes as module attributes, as PyNEST 3 has them
    (``nest.resolution``, ``nest.verbosity``, ``nest.kernel_status``, ...)."""

    def __getattr__(self, name):
        if name == "verbosity":
            return _verbosity
        if name == "kernel_status":
            return GetKernelStatus()
        if name == "build_info":
            return _build_info()
        if name in ("node_models", "synapse_models"):
            return _kernel_attribute(name)
        if name in _MODULE_ATTRIBUTES:
            return _kernel_attribute(name)
        raise AttributeError(f"module 'spindle.nest' has no attribute '{name}'")

    def __setattr__(self, name, value):
        if name in _READ_ONLY_ATTRIBUTES:
            raise AttributeError(f"`{name}` is a read only kernel attribute.")
        if name == "verbosity" or name in _MODULE_ATTRIBUTES:
            SetKernelStatus({name: value})
        else:
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _NestModule

from . import raster_plot  # noqa: E402,F401
from . import voltage_trace  # noqa: E402,F401
from . import random  # noqa: E402,F401
from . import math  # noqa: E402,F401
