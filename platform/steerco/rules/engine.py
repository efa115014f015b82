"""Compiling and evaluating rules: :func:`compile_rule`, :func:`evaluate`, :func:`facts_handle`."""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any

import datalogic_py
from datalogic_py import DataLogicError

from steerco.rules.analysis import GUARD_TAG, analyse
from steerco.rules.checking import (CHECKER_PREFIX, END, MARK, SEP, Check, checker_source, listed_paths,
                                    missing_source)
from steerco.rules.errors import RuleError
from steerco.rules.facts import PlatformFacts
from steerco.rules.guards import (WORK_BUDGET, check_facts_size, facts_problem, parse_rule_text, rule_text,
                                  scan_facts)
from steerco.rules.operators import OperatorSet

log = logging.getLogger(__name__)

_PASSED = Check(True, (), True)
_MARK_LEN = len(MARK)
_MEMO_SIZE = 256  # distinct failure answers remembered per rule
_new = tuple.__new__  # Check(...) without the generated __new__'s extra frame: the hot path makes many
_DataHandle = datalogic_py.DataHandle


class FactsHandle:
    """Facts parsed once (caps applied) for checking many rules; shareable across threads.

    :ivar data: the facts as given. :ivar native: the engine's parsed copy.
    """

    __slots__ = ("data", "native")

    def __init__(self, data, native: datalogic_py.DataHandle):
        self.data = data
        self.native = native

    def __repr__(self):
        return f"<FactsHandle {self.native.allocated_bytes} bytes>"


def facts_handle(data) -> FactsHandle:
    """Check ``data`` against the facts caps and parse it once.

    :param data: a JSON value (normally the dict of a measure's facts); a
        :class:`FactsHandle` is returned as it is. A :class:`PlatformFacts`
        (facts the platform built, shallow by construction) skips the depth
        scan; every other cap still applies.
    :raises FactsError: too deep, too large, or not JSON. Non-finite floats read as null.
    """
    if type(data) is PlatformFacts:  # the exact type only: see steerco.rules.facts
        try:
            # A plain shallow copy: the engine copies a dict subclass through a path about 3x slower.
            native = _DataHandle(dict.copy(data))
        except DataLogicError as e:
            raise facts_problem(data, str(e)) from None
        check_facts_size(data, native.allocated_bytes)
        return FactsHandle(data, native)
    if isinstance(data, FactsHandle):
        return data
    scan_facts(data)  # before the engine copies it: deep data crashes datalogic
    try:
        # DataHandle reads a str as JSON text: a bare string fact must be encoded.
        native = datalogic_py.DataHandle(json.dumps(data) if isinstance(data, str) else data)
    except DataLogicError as e:
        raise facts_problem(data, str(e)) from None
    check_facts_size(data, native.allocated_bytes)
    return FactsHandle(data, native)


class CompiledRule:
    """A validated, compiled rule; thread-safe. Build with :func:`compile_rule`.

    :ivar source: the rule as a JSON value (a private copy).
    :ivar text: the rule as compact JSON text.
    :ivar reads: dotted paths the rule reads from the facts root, in rule order.
    :ivar reads_complete: False when a computed var path makes ``reads`` partial.
    """

    __slots__ = ("source", "text", "reads", "reads_complete", "_evaluate", "_check", "_missing", "_truthy",
                 "_guards", "_order", "_when_false", "_when_caught", "_checker_text", "_listed", "_engine")

    def __init__(self, source, text: str, analysis, rule, checker, missing, engine, checker_text: str):
        self.source = source
        self.text = text
        self.reads: tuple[str, ...] = analysis.reads
        self.reads_complete: bool = analysis.reads_complete
        self._evaluate = rule.evaluate_data
        self._check = checker.evaluate_data
        self._missing = missing.evaluate_data if missing is not None else None
        self._truthy = engine.truthy
        self._guards = analysis.guards
        self._order = {name: i for i, (name, _) in enumerate(analysis.explain)}
        self._when_false: dict[str, Check] = {}
        self._when_caught: dict[str, Check] = {}
        # For steerco.rules.batch, which checks several rules in one engine call.
        self._checker_text = checker_text
        self._listed = listed_paths(analysis.explain)  # what the missing-paths list may name, in rule order
        self._engine = engine

    def __repr__(self):
        return f"CompiledRule({self.text if len(self.text) <= 80 else self.text[:77] + '...'})"

    def apply(self, data) -> Any:
        """The raw JsonLogic result for ``data`` (a JSON value or a :class:`FactsHandle`).

        :raises RuleError: the work budget is exceeded or the rule fails on these facts.
        """
        handle = facts_handle(data)
        try:
            return self._evaluate(handle.native)
        except DataLogicError as e:
            raise _evaluation_error(e) from None

    def check(self, data) -> Check:
        """Null-strict criterion check of ``data`` (a JSON value or a :class:`FactsHandle`).

        :raises RuleError: the work budget is exceeded (the rule is at fault).
        """
        return self.check_handle(facts_handle(data))

    def check_handle(self, handle: FactsHandle) -> Check:
        """:meth:`check` on facts parsed by :func:`facts_handle`: the hot path."""
        try:
            native = handle.native
        except AttributeError:
            raise TypeError(f"check_handle() needs a FactsHandle from facts_handle(), "
                            f"not {type(handle).__name__}") from None
        try:
            value = self._check(native)
        except DataLogicError as e:
            if e.error_type == "BudgetExceeded":  # the rule is at fault, not the facts
                raise _evaluation_error(e, CHECKER_PREFIX) from None
            return self._failed(self._missing_text(native), str(e))
        return _PASSED if value is True else self._decode(value, native)

    def _decode(self, value, native, missing: str | None = None) -> Check:
        """The Check for the checker's answer ``value`` on the facts ``native``.

        :param missing: the missing-paths text when already evaluated (see ``steerco.rules.batch``).
        """
        if value is True:
            return _PASSED
        # Failures repeat (the same paths missing across a portfolio): each distinct
        # engine answer is decoded once per rule and its Check reused.
        if value is False:
            if missing is None:
                missing = self._missing_text(native)
            return self._when_false.get(missing) or self._remember(
                self._when_false, missing, _new(Check, (False, _paths(missing), False)))
        if type(value) is str and value.startswith(MARK):  # a guard or an error was caught
            return self._when_caught.get(value) or self._caught(value)
        if value is not None and self._truthy(json.dumps(value)):
            return _new(Check, (True, (), value))
        return _new(Check, (False, _paths(self._missing_text(native) if missing is None else missing), value))

    def _missing_text(self, native) -> str:
        """``"a\\x1fb\\x1f"``: the root paths the engine finds missing, null or ``""``."""
        return self._missing(native) if self._missing is not None else ""

    def _caught(self, value: str) -> Check:
        head, _, error = value.partition(END)
        if error and not error.startswith(GUARD_TAG):
            return self._failed(head[_MARK_LEN:], error)
        missing = list(_paths(head[_MARK_LEN:]))
        if error:  # a per-item guard: name it in rule order
            name = self._guards[int(error[len(GUARD_TAG):])]
            if name not in missing:
                missing.append(name)
                missing.sort(key=self._order.__getitem__)
        return self._remember(self._when_caught, value, _new(Check, (False, tuple(missing), None)))

    def _failed(self, missing: str, error: str) -> Check:
        # A data-dependent failure (division by zero, an operator refusing its input):
        # the criterion is not met rather than the whole gate check crashing.
        log.info("criterion %s not met: it failed on these facts (%s)", self.text, error)
        return _new(Check, (False, _paths(missing), None))

    @staticmethod
    def _remember(memo: dict, key: str, check: Check) -> Check:
        if len(memo) < _MEMO_SIZE:  # a plain dict: get/set are atomic, safe across threads
            memo[key] = check
        return check


def _paths(text: str) -> tuple[str, ...]:
    """The paths in ``"a\\x1fb\\x1f"``."""
    return tuple(text.split(SEP)[:-1]) if text else ()


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
    analysis = analyse(json.loads(text), operators)
    engine = operators.engine()
    for d in engine.check(text):
        # An extra argument is only a warning to datalogic ("never evaluated"), a mistake to us.
        if d["severity"] == "error" or d["code"] == "ArgumentCount":
            raise RuleError(d["message"].replace("`", "'"), d["pointer"])
    missing = missing_source(analysis)
    checker_text = json.dumps(checker_source(analysis), separators=(",", ":"))
    try:
        rule = engine.compile(text)
        checker = engine.compile(checker_text)
        lister = engine.compile(json.dumps(missing, separators=(",", ":"))) if missing else None
    except DataLogicError as e:
        raise RuleError(f"rule cannot be compiled ({e})") from None
    return CompiledRule(json.loads(text), text, analysis, rule, checker, lister, engine, checker_text)


@lru_cache(maxsize=1)
def _default_operators() -> OperatorSet:
    return OperatorSet.default()


def default_operators() -> OperatorSet:
    """The process-wide set used when ``operators`` is not given.

    Plugins' operators are registered into it once at start-up (see
    ``steerco.plugins.manager.install_operators``); rules compiled before keep
    the engine they were compiled by.
    """
    return _default_operators()


@lru_cache(maxsize=512)
def _compile_cached(text: str) -> CompiledRule:
    return _compile(text, _default_operators())


def _evaluation_error(e: DataLogicError, wrapper: str = "") -> RuleError:
    """The RuleError for a failed evaluation; ``wrapper`` is the pointer prefix the checker added."""
    pointer = (e.path[-1].get("json_pointer") or "") if e.path else ""
    if wrapper and pointer.startswith(wrapper):
        pointer = pointer[len(wrapper):]
    if e.error_type == "BudgetExceeded":
        where = f" (in operator '{e.operator}')" if e.operator else ""
        return RuleError(f"rule exceeded its work budget of {WORK_BUDGET} operations{where}", pointer)
    return RuleError(f"rule failed on these facts: {str(e).replace('`', chr(39))}", pointer)
