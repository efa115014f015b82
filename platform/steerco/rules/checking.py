"""The outcome of a criterion check, and which read paths it may name as missing."""

from __future__ import annotations

from typing import Any, NamedTuple


class Check(NamedTuple):
    """The outcome of a criterion.

    :ivar passed: the result is truthy (JsonLogic truthiness) and no strict operand was missing.
    :ivar missing: when not passed, the read paths that are missing, null or ``""``, in rule order.
    :ivar value: the raw JsonLogic result; None when a null guard or an evaluation error stopped it.
    """

    passed: bool
    missing: tuple[str, ...]
    value: Any


def listed_paths(explain) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The ``(name, parts)`` of ``explain`` a missing list can report, in rule order.

    Per-item paths (parts None) are reported only by the guard that finds them missing.
    """
    return tuple((name, parts) for name, parts in explain if parts is not None)
