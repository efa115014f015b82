"""Facts the platform built itself, which :func:`~steerco.rules.facts_handle` need not walk.

Facts from outside (a trigger payload, user JSON, a plugin) are walked before a
rule reads them: depth, JSON types, size. That walk costs about as much as
checking a gate, once per measure per impact preview. Facts built by
:meth:`steerco.domain.measure.Measure.facts` have a fixed shape, four
containers deep at most whatever the data, of text, numbers and flat lists of
validated field values, assembled by platform code. Marking them
:class:`PlatformFacts` skips the walk; the work budget still bounds what a rule
does with them (it charges text and lists by their size).
"""

from __future__ import annotations


class PlatformFacts(dict):
    """A facts document of JSON values whose depth is bounded by construction (a plain ``dict`` otherwise).

    Contract for the builder: every value is a JSON value (``str``, ``int``,
    ``float``, ``bool``, ``None``, ``list``, ``dict`` with text keys), platform-shaped
    (no value taken as-is from outside JSON that could nest deeper than a few
    levels). Only the exact type is trusted: a copy (``dict(facts)``,
    ``{**facts}``), a subclass or a document loaded back from a JSON column is
    a plain value and is walked again.
    """

    __slots__ = ()


def is_platform_facts(data) -> bool:
    """Whether ``data`` is exactly a :class:`PlatformFacts` (the one type that skips the walk)."""
    return type(data) is PlatformFacts
