"""Spindle: a multithreaded spiking-network simulation engine with NEST's
semantics. ``import spindle.nest as nest`` runs PyNEST scripts on it."""

from ._spindle import Kernel, KernelError  # noqa: F401

__version__ = "0.1.0"
