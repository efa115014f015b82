"""Facts the platform built itself, which :func:`~steerco.rules.facts_handle` need not scan for depth.

The depth scan exists because datalogic crashes the process on deeply nested
data (RULES.md, "Hazards found"), so facts from outside (a trigger payload,
user JSON, a plugin) are walked before the engine copies them. That walk costs
as much as the engine's own parse (~10 us for a measure), once per measure per
impact preview. Facts built by :meth:`steerco.domain.measure.Measure.facts`
have a fixed shape, four containers deep at most whatever the data: text,
numbers and flat lists of validated field values, assembled by platform code.
Marking them :class:`PlatformFacts` skips the walk; the size cap, the work
budget and the engine's parse checks still apply to them.
"""

from __future__ import annotations


class PlatformFacts(dict):
    """A facts document whose depth is bounded by construction (a plain ``dict`` otherwise).

    Contract for the builder: every nested value is platform-shaped (no value
    taken as-is from outside JSON that could nest deeper than a few levels).
    Only the exact type is trusted: a copy (``dict(facts)``, ``{**facts}``),
    a subclass or a document loaded back from a JSON column is a plain value and is
    scanned again.
    """

    __slots__ = ()


def is_platform_facts(data) -> bool:
    """Whether ``data`` is exactly a :class:`PlatformFacts` (the one type that skips the depth scan)."""
    return type(data) is PlatformFacts
