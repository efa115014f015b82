"""Checking a gate's compiled rules against one measure's facts together.

A gate's criteria are checked together for every measure of a portfolio (the
impact preview). The answer is plain data, the same for the same facts, so
callers may remember what they derive from it (:mod:`steerco.domain.gatecheck`
does). Each rule is checked with its own work budget, exactly as
:meth:`CompiledRule.check_handle` does on its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from steerco.rules.checking import Check
from steerco.rules.engine import CompiledRule, FactsHandle


class CheckBatch:
    """Compiled rules checked together; thread-safe, like the rules themselves.

    :ivar rules: the rules, in the order the checks are answered.
    """

    __slots__ = ("rules", "_checks")

    def __init__(self, compiled: Iterable[CompiledRule]):
        """:param compiled: rules from :func:`~steerco.rules.compile_rule`."""
        self.rules: tuple[CompiledRule, ...] = tuple(compiled)
        self._checks = tuple(r.check_handle for r in self.rules)

    def __len__(self):
        return len(self.rules)

    def answer(self, handle: FactsHandle) -> tuple[Check, ...]:
        """Every rule's check on ``handle``, in order: hashable when the rules' results are scalars.

        :raises RuleError: a rule exceeded its work budget.
        """
        return tuple([check(handle) for check in self._checks])

    def checks(self, answer: tuple[Check, ...] | None, handle: FactsHandle) -> list[Check]:
        """The checks of every rule, from :meth:`answer` (None: checked now)."""
        return list(answer if answer is not None else self.answer(handle))

    def check_handle(self, handle: FactsHandle) -> list[Check]:
        """:meth:`CompiledRule.check_handle` of every rule, in order, on facts from ``facts_handle``.

        :raises RuleError: a rule exceeded its work budget.
        """
        return list(self.answer(handle))
