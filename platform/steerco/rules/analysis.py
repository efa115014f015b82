"""What a rule calls and reads, and the null guards that make ``check`` null-strict.

One iterative walk per compile: it refuses operators outside the allow-list,
checks the argument counts of registered operators, lists the paths the rule
reads, and splices a guard around every var that is an operand of a strict
operator. A guard throws when the var is null/missing, so a criterion fails
when a comparison that actually runs is missing a value, while a comparison
in an ``if`` branch that is not taken, or after a short-circuit, does not
matter (the rule handles that case itself).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from steerco.rules.errors import RuleError, escape
from steerco.rules.operators import JSONLOGIC_OPERATORS, OperatorSet

STRICT_NUMERIC = frozenset({"<", "<=", ">", ">=", "+", "-", "*", "/", "%", "min", "max"})
"""Operand vars that are null, missing or "" (JsonLogic reads "" as 0) fail the check."""
STRICT_EQUALITY = frozenset({"==", "!=", "===", "!==", "in"})
"""Operand vars that are null or missing fail the check, unless an operand is a literal null."""
GUARD_TAG = "steerco:null:"

_SCOPED = frozenset({"map", "filter", "reduce", "all", "some", "none"})  # argument 1 runs once per item
_CONDITIONAL = frozenset({"if", "?:"})


class Analysis(NamedTuple):
    reads: tuple[str, ...]
    """Dotted paths read from the facts root, in rule order (vars, ``missing`` keys)."""
    reads_complete: bool
    """False when a var path is computed, so ``reads`` cannot name it."""
    explain: tuple[tuple[str, tuple[str, ...] | None], ...]
    """Paths to report when absent: ``(name, parts)``; parts None for per-item paths (reported only when guarded)."""
    guards: tuple[str, ...]
    """Path of each per-item guard, by number (a root guard throws ``""``; its path is in the missing list)."""
    checked: Any
    """The rule with its guards spliced in."""


def analyse(work, operators: OperatorSet) -> Analysis:
    """Validate and analyse ``work``, a private copy of the rule that receives the guards.

    :raises RuleError: an object with several keys, an unknown operator, or a
        registered operator given the wrong number of arguments.
    """
    reads: dict[str, None] = {}
    explain: dict[str, tuple[str, ...] | None] = {}
    guards: list[str] = []
    splices = []
    complete = True
    # frame: node, pointer, parent container, key in parent, scope, lenient, strict kind
    stack = [(work, "", None, None, None, False, None)]
    while stack:
        node, ptr, parent, key, scope, lenient, strict = stack.pop()
        if isinstance(node, list):
            stack.extend((node[i], f"{ptr}/{i}", node, i, scope, lenient, None) for i in reversed(range(len(node))))
            continue
        if not isinstance(node, dict) or not node:
            continue
        if len(node) > 1:
            raise RuleError(f"an object with {len(node)} keys is not an operator call (use one key, the operator)", ptr)
        ((op, args),) = node.items()
        if op not in JSONLOGIC_OPERATORS:
            _check_registered(op, args, operators, ptr)
        arglist = args if isinstance(args, list) else [args]
        if op == "var":
            path = arglist[0] if arglist else None
            defaulted = len(arglist) >= 2
            if not _literal(path):
                complete = False
            else:
                name = _name(path, scope)
                if scope is None and name:
                    reads.setdefault(name)
                    if not defaulted:
                        explain.setdefault(name, tuple(name.split(".")))
                if strict and not lenient and not defaulted and name:
                    explain.setdefault(name, None)
                    # A root path is in the missing list anyway; a per-item one must be named.
                    tag = "" if scope is None else f"{GUARD_TAG}{len(guards)}"
                    if tag:
                        guards.append(name)
                    splices.append((parent, key, _guard(node, strict, tag)))
        elif op in ("missing", "missing_some") and scope is None:
            if op == "missing":
                keys = arglist[0] if arglist and isinstance(arglist[0], list) else arglist
            else:
                keys = arglist[1] if len(arglist) > 1 and isinstance(arglist[1], list) else []
            for k in keys:
                if isinstance(k, str) and k:
                    reads.setdefault(k)
                    explain.setdefault(k, tuple(k.split(".")))
        stack.extend(reversed(_children(node, op, args, arglist, ptr, scope, lenient)))
    for parent, key, guard in splices:
        parent[key] = guard
    return Analysis(tuple(reads), complete, tuple(explain.items()), tuple(guards), work)


def _children(node, op, args, arglist, ptr, scope, lenient):
    strict = None
    if op in STRICT_NUMERIC:
        strict = "numeric"
    elif op in STRICT_EQUALITY and not any(a is None for a in arglist):
        strict = "equality"
    base = f"{ptr}/{escape(op)}"
    last = len(arglist) - 1
    out = []
    for i, arg in enumerate(arglist):
        if isinstance(args, list):
            where, parent, key = f"{base}/{i}", args, i
        else:
            where, parent, key = base, node, op
        child_scope, child_lenient = scope, lenient
        if op in _CONDITIONAL and i % 2 == 0 and i < last:
            child_lenient = True  # an if condition: the rule decides what a missing value means
        if op in _SCOPED and i == 1:
            child_scope = ("reduce" if op == "reduce" else "item", _items_prefix(arglist[0], scope))
        out.append((arg, where, parent, key, child_scope, child_lenient, strict))
    return out


def _check_registered(op, args, operators: OperatorSet, ptr: str) -> None:
    registered = operators.get(op)
    if registered is None:
        raise RuleError(f"unknown operator '{op}'", ptr)
    count = len(args) if isinstance(args, list) else 1
    low, high = registered.min_args, registered.max_args
    if count < low or (high is not None and count > high):
        if high is None:
            span = f"at least {low}"
        else:
            span = str(low) if low == high else f"{low} to {high}"
        raise RuleError(f"operator '{op}' takes {span} argument{'' if span == '1' else 's'}, not {count}", ptr)


def _literal(path) -> bool:
    return path is None or isinstance(path, str) or (isinstance(path, int) and not isinstance(path, bool))


def _name(path, scope) -> str | None:
    """The display path of a literal var path: ``risk.score`` at the root, ``milestones.*.due`` per item."""
    text = "" if path is None else str(path)
    if scope is None:
        return text or None
    kind, prefix = scope
    if kind == "item":
        return f"{prefix}.{text}" if text else prefix
    if text == "current" or text.startswith("current."):
        return prefix + text[len("current"):]
    return None  # the reduce accumulator is computed, not read


def _items_prefix(source, scope) -> str:
    if isinstance(source, dict) and len(source) == 1 and "var" in source:
        args = source["var"]
        path = (args[0] if args else None) if isinstance(args, list) else args
        name = _name(path, scope) if _literal(path) else None
        if name:
            return f"{name}.*"
    return "*"


def _guard(var_node: dict, strict: str, tag: str) -> dict:
    test = {"in": [var_node, [None, ""]]} if strict == "numeric" else {"===": [var_node, None]}
    return {"if": [test, {"throw": tag}, var_node]}
