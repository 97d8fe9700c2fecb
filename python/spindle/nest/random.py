"""PyNEST's ``nest.random``: distributions to draw node and connection
values from (``V_m``, ``weight``, ``delay``, ...)."""

from ._parameter import Parameter

__all__ = ["exponential", "lognormal", "normal", "uniform", "uniform_int"]


def uniform(min=0.0, max=1.0):
    """Uniform in [min, max)."""
    return Parameter(("uniform", float(min), float(max)))


def uniform_int(max):
    """A uniform integer in [0, max)."""
    if int(max) != max or max < 1:
        raise ValueError("uniform_int: 'max' must be a positive integer")
    return Parameter(("uniform_int", int(max)))


def normal(mean=0.0, std=1.0):
    """Normal with ``mean`` and standard deviation ``std``."""
    return Parameter(("normal", float(mean), float(std)))


def lognormal(mean=0.0, std=1.0):
    """``exp`` of a normal deviate of ``mean`` and ``std``."""
    return Parameter(("lognormal", float(mean), float(std)))


def exponential(beta=1.0):
    """Exponential with mean ``beta``."""
    return Parameter(("exponential", float(beta)))
