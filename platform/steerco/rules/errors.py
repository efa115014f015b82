"""The one error type of :mod:`steerco.rules`: a rule (or the facts given to it) cannot be accepted."""

from __future__ import annotations


class RuleError(ValueError):
    """A rule that cannot be accepted: invalid, too big, or too costly to evaluate.

    :ivar problem: what is wrong, in plain language (``"unknown operator 'foo'"``).
    :ivar pointer: RFC 6901 JSON pointer into the rule, ``''`` for its root.
    """

    root = "the rule root"

    def __init__(self, problem: str, pointer: str = ""):
        self.problem = problem
        self.pointer = pointer
        super().__init__(f"{problem} at {pointer or self.root}")


class FactsError(RuleError):
    """The facts a rule was given cannot be accepted (too deep, too large, not JSON).

    :ivar pointer: here a JSON pointer into the *facts*.
    """

    root = "the facts root"


def escape(token) -> str:
    """One RFC 6901 reference token: ``~`` becomes ``~0``, ``/`` becomes ``~1``."""
    return str(token).replace("~", "~0").replace("/", "~1")
