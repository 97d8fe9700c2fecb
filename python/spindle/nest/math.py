"""PyNEST's ``nest.math``: functions of parameters."""

from ._parameter import Parameter

__all__ = ["exp", "sin", "cos", "min", "max", "redraw"]


def exp(x):
    return Parameter(("exp", Parameter._of(x)))


def sin(x):
    return Parameter(("sin", Parameter._of(x)))


def cos(x):
    return Parameter(("cos", Parameter._of(x)))


def min(x, value):
    """The smaller of ``x`` and ``value``."""
    return Parameter(("min", Parameter._of(x), Parameter._of(value)))


def max(x, value):
    """The larger of ``x`` and ``value``."""
    return Parameter(("max", Parameter._of(x), Parameter._of(value)))


def redraw(x, min, max):
    """``x`` drawn again until the value lies in [min, max] (at most 1000
    times, as NEST)."""
    if not float(min) <= float(max):
        from . import NESTErrors

        # NEST refuses the bounds when the parameter is made.
        raise NESTErrors.BadParameterValue("BadParameterValue in Spindle: redraw: min <= max required.")
    return Parameter(("redraw", Parameter._of(x), float(min), float(max)))
