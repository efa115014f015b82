"""Compiling and evaluating rules: :func:`compile_rule`, :func:`evaluate`, :func:`facts_handle`."""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any, NamedTuple

import datalogic_py
from datalogic_py import DataLogicError

from steerco.rules.analysis import GUARD_TAG, analyse
from steerco.rules.errors import FactsError, RuleError
from steerco.rules.guards import WORK_BUDGET, parse_rule_text, rule_text, scan_facts
from steerco.rules.operators import OperatorSet

log = logging.getLogger(__name__)

# The checker wraps a rule in `try`, whose fallback returns this prefix plus the error type:
# a thrown guard ("steerco:null:3") or a data error ("NaN"). Catching in the engine costs
# ~0.7 us where a Python exception costs ~6 us, and criteria fail on missing data often.
# Facts could hold a string with this prefix and make the result look like a caught
# error: that only ever turns a check into a failure.
_CAUGHT = "\x00steerco-caught:"


class Check(NamedTuple):
    """The outcome of a criterion.

    :ivar passed: the result is truthy (engine truthiness) and no strict operand was missing.
    :ivar missing: when not passed, the read paths that are missing, null or ``""``, in rule order.
    :ivar value: the raw JsonLogic result; None when a null guard or an evaluation error stopped it.
    """

    passed: bool
    missing: tuple[str, ...]
    value: Any


_PASSED = Check(True, (), True)


class FactsHandle:
    """Facts parsed once (caps applied) for checking many rules; immutable, shareable across threads."""

    __slots__ = ("data", "native")

    def __init__(self, data, native: datalogic_py.DataHandle):
        self.data = data
        self.native = native

    def __repr__(self):
        return f"<FactsHandle {self.native.allocated_bytes} bytes>"


def facts_handle(data) -> FactsHandle:
    """Check ``data`` against the facts caps and parse it once.

    :param data: a JSON value (normally the dict of a measure's facts); a
        :class:`FactsHandle` is returned as it is.
    :raises FactsError: too deep, too large, or not JSON.
    """
    if isinstance(data, FactsHandle):
        return data
    scan_facts(data)
    try:
        # DataHandle reads a str as JSON text: a bare string fact must be encoded.
        native = datalogic_py.DataHandle(json.dumps(data) if isinstance(data, str) else data)
    except DataLogicError as e:
        raise FactsError(f"facts cannot be read ({e})") from None
    return FactsHandle(data, native)


class CompiledRule:
    """A validated, compiled rule; thread-safe. Build with :func:`compile_rule`.

    :ivar source: the rule as a JSON value (a private copy).
    :ivar text: the rule as compact JSON text.
    :ivar reads: dotted paths the rule reads from the facts root, in rule order.
    :ivar reads_complete: False when a computed var path makes ``reads`` partial.
    """

    __slots__ = ("source", "text", "reads", "reads_complete", "_evaluate", "_check", "_truthy",
                 "_explain", "_guards")

    def __init__(self, source, text: str, analysis, rule, checker, engine):
        self.source = source
        self.text = text
        self.reads: tuple[str, ...] = analysis.reads
        self.reads_complete: bool = analysis.reads_complete
        self._evaluate = rule.evaluate_data
        self._check = checker.evaluate_data
        self._truthy = engine.truthy
        self._explain = analysis.explain
        self._guards = analysis.guards

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
            value = self._check(handle.native)
        except DataLogicError as e:
            if e.error_type == "BudgetExceeded":  # the rule is at fault, not the facts
                raise _evaluation_error(e) from None
            return self._failed(handle.data, str(e))
        except AttributeError:
            raise TypeError(f"check_handle() needs a FactsHandle from facts_handle(), "
                            f"not {type(handle).__name__}") from None
        if value is True:
            return _PASSED
        if type(value) is str and value.startswith(_CAUGHT):
            return self._failed(handle.data, value[len(_CAUGHT):])
        if value is not False and value is not None and self._truthy(json.dumps(value)):
            return Check(True, (), value)
        return Check(False, self._absent(handle.data), value)

    def _failed(self, data, error: str) -> Check:
        if error.startswith(GUARD_TAG):
            return Check(False, self._absent(data, self._guards[int(error[len(GUARD_TAG):])]), None)
        # A data-dependent failure (division by zero, an operator refusing its input):
        # the criterion is not met rather than the whole gate check crashing.
        log.info("criterion %s not met: it failed on these facts (%s)", self.text, error)
        return Check(False, self._absent(data), None)

    def _absent(self, data, thrown: str | None = None) -> tuple[str, ...]:
        return tuple(name for name, parts in self._explain
                     if name == thrown or (parts is not None and _is_absent(data, parts)))


def _is_absent(data, parts: tuple[str, ...]) -> bool:
    """Whether JsonLogic's var would find nothing, null or "" at ``parts``."""
    node = data
    for part in parts:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, (list, tuple)) and part.isascii() and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return True
    return node is None or node == ""


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
    checked = {"try": [analysis.checked, {"cat": [_CAUGHT, {"var": "type"}]}]}
    try:
        rule = engine.compile(text)
        checker = engine.compile(json.dumps(checked, separators=(",", ":")))
    except DataLogicError as e:
        raise RuleError(f"rule cannot be compiled ({e})") from None
    return CompiledRule(json.loads(text), text, analysis, rule, checker, engine)


@lru_cache(maxsize=1)
def _default_operators() -> OperatorSet:
    return OperatorSet.default()


@lru_cache(maxsize=512)
def _compile_cached(text: str) -> CompiledRule:
    return _compile(text, _default_operators())


def _evaluation_error(e: DataLogicError) -> RuleError:
    pointer = (e.path[-1].get("json_pointer") or "") if e.path else ""
    if e.error_type == "BudgetExceeded":
        where = f" (in operator '{e.operator}')" if e.operator else ""
        return RuleError(f"rule exceeded its work budget of {WORK_BUDGET} operations{where}", pointer)
    return RuleError(f"rule failed on these facts: {str(e).replace('`', chr(39))}", pointer)
