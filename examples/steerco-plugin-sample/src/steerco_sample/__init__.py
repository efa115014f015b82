"""A sample Steerco plugin: one connector and one criteria operator."""

from __future__ import annotations

from steerco import hookimpl
from steerco.rules import Operator
from steerco_sample.risks import RiskFeed

__version__ = "0.3.1"


def within_pct(value, reference, pct):
    """True when ``value`` is within ``pct`` percent of ``reference``; null if any is not a number."""
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (value, reference, pct)):
        return None
    return abs(value - reference) <= abs(reference) * pct / 100


@hookimpl
def steerco_register_connectors():
    return [RiskFeed]


@hookimpl
def steerco_register_operators():
    return [Operator("within_pct", within_pct, 3, 3, within_pct.__doc__)]
