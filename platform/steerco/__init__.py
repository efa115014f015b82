"""Steerco: phase-gate governance for measures.

``from steerco import hookimpl`` is all a plugin needs; it is resolved lazily so
that importing the domain core never pulls in pluggy.
"""

__version__ = "0.1.0"


def __getattr__(name):
    if name == "hookimpl":
        from steerco.plugins import hookimpl

        return hookimpl
    raise AttributeError(f"module 'steerco' has no attribute {name!r}")
