"""The operators a rule may call: the JsonLogic allow-list plus registered ones."""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any, Callable, NamedTuple

JSONLOGIC_OPERATORS = frozenset({
    "var", "missing", "missing_some",
    "if", "?:", "and", "or", "!", "!!",
    "==", "===", "!=", "!==", ">", ">=", "<", "<=",
    "+", "-", "*", "/", "%", "min", "max",
    "map", "filter", "reduce", "all", "some", "none", "merge",
    "in", "cat", "substr",
})
"""Every operator the official JsonLogic suite (tests.json) uses; the only built-ins a rule may call."""

RESERVED_NAMES = frozenset({
    # json-logic-js's own extras, and the newer JsonLogic specification's operators
    "log", "method", "val", "exists", "??", "throw", "try", "preserve", "length", "keys", "values",
    # names other engines give built-ins, so a plugin's rule means the same everywhere
    "abs", "ceil", "floor", "round", "trunc", "upper", "lower", "trim", "split", "slice", "starts_with",
    "ends_with", "match", "switch", "now", "timestamp", "parse_date", "format_date", "date_diff", "sort",
    "find", "entries", "group_by", "concat", "join", "coalesce", "exp", "pow", "sqrt", "sum", "avg",
})


class Operator(NamedTuple):
    name: str
    fn: Callable[..., Any]
    min_args: int
    max_args: int | None
    doc: str


class OperatorSet:
    """Extra operators beyond the JsonLogic allow-list.

    ``fn`` receives the evaluated arguments as Python JSON values, positionally,
    and returns a JSON value. It must be pure and fast: it runs inside the
    evaluation of every rule that calls it.
    """

    def __init__(self):
        self._ops: dict[str, Operator] = {}
        self._lock = threading.Lock()

    @classmethod
    def default(cls) -> OperatorSet:
        """A new set holding the platform's own operators (``days_since``, ``days_until``)."""
        ops = cls()
        ops.register("days_since", days_since, min_args=1, max_args=2, doc=days_since.__doc__)
        ops.register("days_until", days_until, min_args=1, max_args=2, doc=days_until.__doc__)
        return ops

    def register(self, name: str, fn: Callable[..., Any], *, min_args: int = 0,
                 max_args: int | None = None, doc: str = "") -> None:
        """Add the operator ``name``.

        :raises ValueError: the name is empty, already registered, or shadows a
            built-in or reserved operator name.
        """
        if not isinstance(name, str) or not name or name != name.strip() or not name.isprintable():
            raise ValueError(f"operator name must be printable text without surrounding spaces, not {name!r}")
        if name in builtin_names():
            raise ValueError(f"operator '{name}' would shadow a built-in operator")
        if not callable(fn):
            raise ValueError(f"operator '{name}' needs a callable, not {type(fn).__name__}")
        if min_args < 0 or (max_args is not None and max_args < min_args):
            raise ValueError(f"operator '{name}': need 0 <= min_args <= max_args")
        with self._lock:
            if name in self._ops:
                raise ValueError(f"operator '{name}' is already registered")
            self._ops[name] = Operator(name, fn, min_args, max_args, (doc or "").strip())

    def __contains__(self, name) -> bool:
        return name in self._ops

    def __iter__(self):
        return iter(sorted(self._ops))

    def get(self, name: str) -> Operator | None:
        return self._ops.get(name)


@lru_cache(maxsize=1)
def builtin_names() -> frozenset[str]:
    """Names no registered operator may take: JsonLogic's and the reserved ones."""
    return JSONLOGIC_OPERATORS | RESERVED_NAMES


# -- platform operators ---------------------------------------------------------

def _as_date(value) -> date | None:
    """An ISO date or datetime string as a UTC calendar date; None for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.date()


_CLOCK = object()


def _reference(today) -> date | None:
    return datetime.now(timezone.utc).date() if today is _CLOCK else _as_date(today)


def days_since(value, today=_CLOCK):
    """Whole days from an ISO date/datetime to today (UTC); negative for a future date.

    ``{"days_since": {"var": "submitted_on"}}``; an optional second argument is
    the reference date, e.g. ``{"var": "today"}``. Either date null or
    unparsable: null.
    """
    start, end = _as_date(value), _reference(today)
    return None if start is None or end is None else (end - start).days


def days_until(value, today=_CLOCK):
    """Whole days from today (UTC) to an ISO date/datetime; negative once it has passed.

    ``{"days_until": {"var": "due"}}``; optional reference date as second
    argument. Either date null or unparsable: null.
    """
    end, start = _as_date(value), _reference(today)
    return None if start is None or end is None else (end - start).days
