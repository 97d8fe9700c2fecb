"""PyNEST's ``Parameter``: a value drawn per node or connection, built
from ``nest.random`` distributions, numbers and ``nest.math`` functions.

A parameter is only a description (a nested tuple the kernel reads); the
kernel draws it, each node's or connection's value from a random stream
of its own, so the values do not depend on threads or ranks.
"""

import numbers


class Parameter:
    """What ``nest.random.normal(...)`` and friends return. Arithmetic with
    numbers and other parameters makes new parameters."""

    def __init__(self, spec):
        self._spec = spec

    @staticmethod
    def _of(value):
        if isinstance(value, Parameter):
            return value._spec
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            return ("const", float(value))
        raise TypeError(f"unsupported operand: a Parameter and {type(value).__name__}")

    def _bin(self, op, other, reverse=False):
        a, b = self._spec, Parameter._of(other)
        return Parameter((op, b, a) if reverse else (op, a, b))

    def __add__(self, other):
        return self._bin("add", other)

    def __radd__(self, other):
        return self._bin("add", other, True)

    def __sub__(self, other):
        return self._bin("sub", other)

    def __rsub__(self, other):
        return self._bin("sub", other, True)

    def __mul__(self, other):
        return self._bin("mul", other)

    def __rmul__(self, other):
        return self._bin("mul", other, True)

    def __truediv__(self, other):
        return self._bin("div", other)

    def __rtruediv__(self, other):
        return self._bin("div", other, True)

    def __pow__(self, other):
        # NEST raises a parameter to a number's power only.
        if isinstance(other, Parameter):
            return NotImplemented
        return self._bin("pow", other)

    def __lt__(self, other):
        return self._bin("lt", other)

    def __le__(self, other):
        return self._bin("le", other)

    def __gt__(self, other):
        return self._bin("gt", other)

    def __ge__(self, other):
        return self._bin("ge", other)

    def __eq__(self, other):
        return self._bin("eq", other)

    def __ne__(self, other):
        return self._bin("ne", other)

    __hash__ = object.__hash__

    def __neg__(self):
        return Parameter(("neg", self._spec))

    def __pos__(self):
        return self

    def __abs__(self):
        return Parameter(("abs", self._spec))

    def GetValue(self):
        """One value drawn from the parameter."""
        from . import _kernel, _call
        return _call(_kernel.sample_parameter, self._spec)

    def __repr__(self):
        return f"Parameter({self._spec!r})"


def is_parameter(value):
    return isinstance(value, Parameter)
