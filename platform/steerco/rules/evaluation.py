"""What evaluating a compiled rule works with: the work budget, its errors, and reading the facts.

Shared by :mod:`steerco.rules.compiler` (the closures) and
:mod:`steerco.rules.eager` (the operators that evaluate every argument).
"""

from __future__ import annotations

from typing import Any, Callable

from steerco.rules import jsvalues as js

Fn = Callable[[Any, "Budget"], Any]
CHARS_PER_OPERATION = 64
"""Text built or searched, per operation charged."""
_UNDEFINED = object()  # JavaScript's undefined: a path that reaches nothing (null is a value)


class Budget:
    """Operations one evaluation may still spend."""

    __slots__ = ("left",)

    def __init__(self, ops: int):
        self.left = ops


class Exceeded(Exception):
    """The rule charged more operations than its budget."""

    def __init__(self, pointer: str, op: str):
        super().__init__(pointer, op)
        self.pointer, self.op = pointer, op


class DataError(Exception):
    """The rule cannot be evaluated on these facts (not a number, a list compared with text...)."""

    def __init__(self, problem: str, pointer: str, op: str):
        super().__init__(problem, pointer, op)
        self.problem, self.pointer, self.op = problem, pointer, op


class Missing(Exception):
    """A null guard found a strict operand missing; ``name`` is a per-item path, or None at the root."""

    def __init__(self, name: str | None):
        super().__init__(name)
        self.name = name


_FAILURES = (js.Coercion, ArithmeticError, RecursionError)
_NUMBERS = frozenset({int, float})  # by exact type: bool is not a number here


def charge(budget: Budget, ops: int, pointer: str, op: str) -> None:
    budget.left -= ops
    if budget.left < 0:
        raise Exceeded(pointer, op)


# -- reading the facts ---------------------------------------------------------------

def step(node, key: str):
    """``node[key]`` as JavaScript reads it; :data:`_UNDEFINED` when there is nothing there."""
    t = type(node)
    if t is dict:
        return node.get(key, _UNDEFINED)
    if t is list or t is str:
        if key.isdigit() and (key == "0" or key[0] != "0") and key.isascii():
            i = int(key)
            return node[i] if i < len(node) else _UNDEFINED
        return len(node) if key == "length" else _UNDEFINED
    return _UNDEFINED


def lookup(data, parts: tuple[str, ...], default=None):
    """json-logic-js's ``var``: follow ``parts``; ``default`` where a step reaches nothing."""
    for part in parts:
        if data is None or data is _UNDEFINED:
            return default
        data = step(data, part)
        if data is _UNDEFINED:
            return default
    return data


def path_parts(path) -> tuple[str, ...] | None:
    """The steps of a var path; None for the whole data (no path, null or ``""``)."""
    if path is None or path == "" and type(path) is str:
        return None
    return tuple(js.string(path).split("."))
