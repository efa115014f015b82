"""Compiling and evaluating rules: :func:`compile_rule`, :func:`evaluate`, :func:`facts_handle`."""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any

from steerco.rules.analysis import analyse
from steerco.rules.checking import Check, listed_paths
from steerco.rules.compiler import Compiler, reader
from steerco.rules.errors import RuleError
from steerco.rules.evaluation import Budget, DataError, Exceeded, Missing
from steerco.rules.facts import PlatformFacts
from steerco.rules.guards import WORK_BUDGET, check_facts, parse_rule_text, rule_text, scan_facts
from steerco.rules.jsvalues import truthy
from steerco.rules.operators import OperatorSet

log = logging.getLogger(__name__)

_PASSED = Check(True, (), True)
_new = tuple.__new__  # Check(...) without the generated __new__'s extra frame: the hot path makes many


class FactsHandle:
    """Facts checked against the caps once, for checking many rules; shareable across threads.

    :ivar data: the facts as given.
    :ivar facts: the facts as the rules read them: plain JSON values (see
        :func:`~steerco.rules.guards.check_facts`), often ``data`` itself.
    """

    __slots__ = ("data", "facts")

    def __init__(self, data, facts):
        self.data = data
        self.facts = facts

    def __repr__(self):
        return f"<FactsHandle {type(self.data).__name__}>"


def facts_handle(data) -> FactsHandle:
    """Check ``data`` against the facts caps once.

    :param data: a JSON value (normally the dict of a measure's facts); a
        :class:`FactsHandle` is returned as it is. A :class:`PlatformFacts`
        (facts the platform built: JSON values, shallow, by construction)
        skips the walk; the work budget still bounds what a rule does with them.
    :raises FactsError: too deep, too large, or not JSON. Non-finite floats read as null.
    """
    if type(data) is PlatformFacts:  # the exact type only: see steerco.rules.facts
        # A plain shallow copy: the rules read dicts by their exact type (the fast path of every lookup).
        return FactsHandle(data, dict.copy(data))
    if isinstance(data, FactsHandle):
        return data
    scan_facts(data)
    return FactsHandle(data, check_facts(dict(data) if type(data) is not dict and isinstance(data, dict) else data))


class CompiledRule:
    """A validated, compiled rule; thread-safe. Build with :func:`compile_rule`.

    :ivar source: the rule as a JSON value (a private copy).
    :ivar text: the rule as compact JSON text.
    :ivar reads: dotted paths the rule reads from the facts root, in rule order.
    :ivar reads_complete: False when a computed var path makes ``reads`` partial.
    """

    __slots__ = ("source", "text", "reads", "reads_complete", "_apply", "_check", "_listed")

    def __init__(self, source, text: str, analysis, plain, checker):
        self.source = source
        self.text = text
        self.reads: tuple[str, ...] = analysis.reads
        self.reads_complete: bool = analysis.reads_complete
        self._apply = plain
        self._check = checker
        # what the missing list may name, in rule order, each with its reader
        self._listed = tuple((name, reader(parts)) for name, parts in listed_paths(analysis.explain))

    def __repr__(self):
        return f"CompiledRule({self.text if len(self.text) <= 80 else self.text[:77] + '...'})"

    def apply(self, data) -> Any:
        """The plain JsonLogic result for ``data`` (a JSON value or a :class:`FactsHandle`).

        :raises RuleError: the work budget is exceeded or the rule fails on these facts.
        """
        handle = facts_handle(data)
        try:
            return self._apply(handle.facts, Budget(WORK_BUDGET))
        except Exceeded as e:
            raise _over_budget(e) from None
        except DataError as e:
            raise RuleError(f"rule failed on these facts: {e.problem}", _node(e.pointer)) from None

    def check(self, data) -> Check:
        """Null-strict criterion check of ``data`` (a JSON value or a :class:`FactsHandle`).

        :raises RuleError: the work budget is exceeded (the rule is at fault).
        """
        return self.check_handle(facts_handle(data))

    def check_handle(self, handle: FactsHandle) -> Check:
        """:meth:`check` on facts from :func:`facts_handle`: the hot path."""
        try:
            data = handle.facts
        except AttributeError:
            raise TypeError(f"check_handle() needs a FactsHandle from facts_handle(), "
                            f"not {type(handle).__name__}") from None
        try:
            value = self._check(data, Budget(WORK_BUDGET))
        except Missing as e:
            missing = self.missing(data)
            if e.name is not None and e.name not in missing:
                missing = (*missing, e.name)
            return _new(Check, (False, missing, None))
        except DataError as e:
            # A data-dependent failure (division by zero, a list compared with a number):
            # the criterion is not met rather than the whole gate check crashing.
            log.info("criterion %s not met: it failed on these facts (%s at %s)", self.text, e.problem,
                     _node(e.pointer) or "the rule root")
            return _new(Check, (False, self.missing(data), None))
        except Exceeded as e:
            raise _over_budget(e) from None
        if value is True:
            return _PASSED
        if value is False:
            return _new(Check, (False, self.missing(data), False))
        if truthy(value):
            return _new(Check, (True, (), value))
        return _new(Check, (False, self.missing(data), value))

    def missing(self, data) -> tuple[str, ...]:
        """The paths this rule reads that are missing, null or ``""`` in ``data``, in rule order."""
        out = []
        for name, read in self._listed:
            v = read(data)
            if v is None or v == "" and type(v) is str:
                out.append(name)
        return tuple(out)


def compile_rule(rule, *, operators: OperatorSet | None = None) -> CompiledRule:
    """Validate and compile a rule once (when an admin saves a criterion).

    :param rule: a JSON value, or JSON text (``str``/``bytes``).
    :param operators: the registered operators the rule may call; default
        :meth:`OperatorSet.default`.
    :raises RuleError: naming the problem and a JSON pointer: not JSON, too deep,
        too large, an unknown operator, a wrong argument count.
    """
    value = parse_rule_text(rule) if isinstance(rule, (str, bytes, bytearray)) else rule
    return _compile(rule_text(value), operators if operators is not None else _default_operators())


def evaluate(rule, data) -> Any:
    """Evaluate ``rule`` against ``data`` with plain JsonLogic semantics (not null-strict).

    A ``str`` rule is a string literal, as in JsonLogic. Uses the default operators.

    :raises RuleError: the rule is invalid, over a cap or over its work budget,
        or fails on these facts; :class:`FactsError` for facts over a cap.
    """
    return _compile_cached(rule_text(rule)).apply(data)


def _compile(text: str, operators: OperatorSet) -> CompiledRule:
    work = json.loads(text)
    analysis = analyse(work, operators)
    plain = Compiler(operators).compile(work)
    checker = Compiler(operators, analysis.guards).compile(work)
    return CompiledRule(json.loads(text), text, analysis, plain, checker)


@lru_cache(maxsize=1)
def _default_operators() -> OperatorSet:
    return OperatorSet.default()


def default_operators() -> OperatorSet:
    """The process-wide set used when ``operators`` is not given.

    Plugins' operators are registered into it once at start-up (see
    ``steerco.plugins.manager.install_operators``); rules compiled before keep
    the operators they were compiled with.
    """
    return _default_operators()


@lru_cache(maxsize=512)
def _compile_cached(text: str) -> CompiledRule:
    return _compile(text, _default_operators())


def _over_budget(e: Exceeded) -> RuleError:
    return RuleError(f"rule exceeded its work budget of {WORK_BUDGET} operations (in operator '{e.op}')",
                     _node(e.pointer))


def _node(where: str) -> str:
    """The pointer to an operator's node, from the pointer to its operator key (``/and/0/==`` -> ``/and/0``)."""
    return where[: where.rfind("/")]
