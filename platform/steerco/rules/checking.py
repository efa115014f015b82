"""How ``check`` gets a result *and* the missing values from one engine call.

A criterion fails often (portfolio previews run every gate over every
measure, most of them incomplete), so the failure path is as hot as the
success path. The checker is the guarded rule wrapped in ``try``: a guard
that throws, or a data error such as a division by zero, lands in the
fallback, which returns one string: a marker, the missing paths, and the
error. A plain ``false`` result asks a second small compiled rule for the
missing paths. Python only splits strings and remembers the answers; the
engine does every lookup (with ``val``, which reads a dotted path as ``var``
does, list indexes included).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

MARK = "\x00steerco:"
"""Starts a caught result. Facts holding a string with this prefix can only turn a check into a failure."""
SEP = "\x1f"
"""Follows each missing path."""
END = "\x1e"
"""Ends the list of missing paths; the error follows (empty for a guard at the facts root)."""
_CONTROL = re.compile("[\x1e\x1f]")


class Check(NamedTuple):
    """The outcome of a criterion.

    :ivar passed: the result is truthy (engine truthiness) and no strict operand was missing.
    :ivar missing: when not passed, the read paths that are missing, null or ``""``, in rule order.
    :ivar value: the raw JsonLogic result; None when a null guard or an evaluation error stopped it.
    """

    passed: bool
    missing: tuple[str, ...]
    value: Any


def listed_paths(explain) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The ``(name, parts)`` of ``explain`` a missing-paths list can report, in rule order.

    Per-item paths (parts None) are not listed; a path holding a separator
    character cannot be reported and is left out.
    """
    return tuple((name, parts) for name, parts in explain if parts is not None and not _CONTROL.search(name))


def missing_lister(paths, *, from_fallback: bool = False) -> dict | None:
    """``{"cat": [...]}`` yielding ``"name\\x1f"`` for each of ``paths`` (from :func:`listed_paths`)
    that is missing, null or ``""`` at the facts root; None when there are none.

    In the ``try`` fallback the data is the error, so ``val`` climbs one scope
    (``[[1], ...]``) to reach the facts.
    """
    up = [[1]] if from_fallback else []
    tests = [{"if": [{"in": [{"val": [*up, *parts]}, [None, ""]]}, name + SEP, ""]} for name, parts in paths]
    return {"cat": tests} if tests else None


CHECKER_PREFIX = "/try/0"
"""Where the guarded rule sits in the checker, as a JSON pointer."""


def checker_source(analysis) -> dict:
    """The rule to evaluate for ``check``: guarded, with caught errors explained."""
    missing = missing_lister(listed_paths(analysis.explain), from_fallback=True) or ""
    return {"try": [analysis.checked, {"cat": [MARK, missing, END, {"var": "type"}]}]}


def missing_source(analysis) -> dict | None:
    """The rule listing the missing paths at the facts root; None when the rule reads none."""
    return missing_lister(listed_paths(analysis.explain))
