"""Checking several compiled rules against one measure's facts in one engine call.

A gate's criteria are checked together for every measure of a portfolio (the
impact preview), and each crossing into the engine costs about as much as a
small rule's evaluation. :class:`CheckBatch` compiles every rule's checker,
and one list of the missing paths any of them reads, into one JsonLogic array,
which evaluates each element in turn with the same facts, so one call answers
all of them; each rule's missing paths are picked from the shared list. The
answer is plain data, the same for the same facts, so callers may remember
what they derive from it (:mod:`steerco.domain.gatecheck` does).

Results equal checking each rule on its own (``tests/rules/test_batch.py``),
work budget included: the array shares one budget of
:data:`~steerco.rules.WORK_BUDGET` operations, and when it runs over (or fails
in any way) every rule is checked on its own instead, with a budget each,
exactly as :meth:`CompiledRule.check_handle` does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from datalogic_py import DataLogicError

from steerco.rules.checking import SEP, Check, missing_lister
from steerco.rules.engine import CompiledRule, FactsHandle


class CheckBatch:
    """Compiled rules checked together; thread-safe, like the rules themselves.

    :ivar rules: the rules, in the order the checks are answered.
    """

    __slots__ = ("rules", "_evaluate", "_size")

    def __init__(self, compiled: Iterable[CompiledRule]):
        """:param compiled: rules from :func:`~steerco.rules.compile_rule`. Rules compiled by
        different engines (an operator registered in between) are checked one by one."""
        self.rules: tuple[CompiledRule, ...] = tuple(compiled)
        self._size = len(self.rules) + 1
        self._evaluate = None
        if self.rules and len({id(r._engine) for r in self.rules}) == 1:
            paths: dict[str, tuple[str, ...]] = {}
            for r in self.rules:
                for name, parts in r._listed:
                    paths.setdefault(name, parts)
            lister = missing_lister(paths.items())
            text = "[" + ",".join([*(r._checker_text for r in self.rules),
                                   json.dumps(lister, separators=(",", ":")) if lister else '""']) + "]"
            try:
                self._evaluate = self.rules[0]._engine.compile(text).evaluate_data
            except DataLogicError:  # each part compiled on its own: keep to one by one
                self._evaluate = None

    def __len__(self):
        return len(self.rules)

    def answer(self, handle: FactsHandle) -> tuple | None:
        """The engine's answer for every rule on ``handle``, in one call.

        :returns: a tuple: each rule's checker result, then the missing paths; it
            is hashable when the rules' results are scalars. None when the rules
            must be checked one by one (over the shared budget, or an error a
            checker does not catch): :meth:`checks` then does that.
        """
        if self._evaluate is None:
            return None
        try:
            values = self._evaluate(_native(handle))
        except DataLogicError:
            return None
        return tuple(values) if type(values) is list and len(values) == self._size else None

    def checks(self, answer: tuple | None, handle: FactsHandle) -> list[Check]:
        """The checks of every rule, from :meth:`answer` (None: each rule checked on its own).

        :raises RuleError: a rule exceeded its own work budget.
        """
        if answer is None:
            return [r.check_handle(handle) for r in self.rules]
        native = handle.native
        missing = answer[-1]
        if not missing:
            return [r._decode(value, native, "") for r, value in zip(self.rules, answer)]
        found = set(missing.split(SEP))
        return [r._decode(value, native, "".join([name + SEP for name, _ in r._listed if name in found]))
                for r, value in zip(self.rules, answer)]

    def check_handle(self, handle: FactsHandle) -> list[Check]:
        """:meth:`CompiledRule.check_handle` of every rule, in order, on facts parsed by ``facts_handle``.

        :raises RuleError: a rule exceeded its own work budget.
        """
        return self.checks(self.answer(handle), handle)


def _native(handle):
    try:
        return handle.native
    except AttributeError:
        raise TypeError(f"check_handle() needs a FactsHandle from facts_handle(), "
                        f"not {type(handle).__name__}") from None
