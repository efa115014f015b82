"""What a rule calls and reads, and where ``check`` puts its null guards.

One iterative walk per compile: it refuses operators outside the allow-list,
checks every operator's argument count, lists the paths the rule reads, and
marks every var that is an operand of a strict operator for a guard (see
:mod:`steerco.rules.compiler`). A guard stops the check when the var is
null/missing, so a criterion fails when a comparison that actually runs is
missing a value, while a comparison in an ``if`` branch that is not taken, or
after a short-circuit, does not matter (the rule handles that case itself).
"""

from __future__ import annotations

from typing import NamedTuple

from steerco.rules.errors import RuleError, escape
from steerco.rules.operators import JSONLOGIC_OPERATORS, OperatorSet

STRICT_NUMERIC = frozenset({"<", "<=", ">", ">=", "+", "-", "*", "/", "%", "min", "max"})
"""Operand vars that are null, missing or "" (JsonLogic reads "" as 0) fail the check."""
STRICT_EQUALITY = frozenset({"==", "!=", "===", "!==", "in"})
"""Operand vars that are null or missing fail the check, unless an operand is a literal null."""
ARGUMENTS = {
    "var": (0, 2), "missing_some": (2, 2), "!": (0, 1), "!!": (0, 1),
    "==": (2, 2), "===": (2, 2), "!=": (2, 2), "!==": (2, 2), ">": (2, 2), ">=": (2, 2), "<": (2, 3), "<=": (2, 3),
    "*": (1, None), "-": (1, 2), "/": (2, 2), "%": (2, 2), "min": (1, None), "max": (1, None),
    "map": (2, 2), "filter": (2, 2), "reduce": (2, 3), "all": (2, 2), "some": (2, 2), "none": (2, 2),
    "in": (2, 2), "substr": (2, 3),
}
"""``(least, most)`` arguments of the built-ins that have limits. json-logic-js ignores arguments past
the ones it reads (``{"!=": [3, 2, 3]}`` is ``3 != 2``); a rule that has them is a mistake, and refused."""

_SCOPED = frozenset({"map", "filter", "reduce", "all", "some", "none"})  # argument 1 runs once per item
_CONDITIONAL = frozenset({"if", "?:"})


class Analysis(NamedTuple):
    reads: tuple[str, ...]
    """Dotted paths read from the facts root, in rule order (vars, ``missing`` keys)."""
    reads_complete: bool
    """False when a var path is computed, so ``reads`` cannot name it."""
    explain: tuple[tuple[str, tuple[str, ...] | None], ...]
    """Paths to report when absent: ``(name, parts)``; parts None for per-item paths (reported only when guarded)."""
    guards: dict[int, tuple[str, str | None]]
    """``id`` of each guarded var node -> (strict kind, per-item path or None at the root, whose path the
    missing list names anyway)."""


def analyse(work, operators: OperatorSet) -> Analysis:
    """Validate and analyse ``work``, a private copy of the rule that receives the guards.

    :raises RuleError: an object with several keys, an unknown operator, or a
        registered operator given the wrong number of arguments.
    """
    reads: dict[str, None] = {}
    explain: dict[str, tuple[str, ...] | None] = {}
    guards: dict[int, tuple[str, str | None]] = {}
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
        if op in JSONLOGIC_OPERATORS:
            _check_count(op, args, ARGUMENTS.get(op), ptr)
        else:
            registered = operators.get(op)
            if registered is None:
                raise RuleError(f"unknown operator '{op}'", ptr)
            _check_count(op, args, (registered.min_args, registered.max_args), ptr)
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
                    guards[id(node)] = (strict, None if scope is None else name)
        elif op in ("missing", "missing_some"):
            if op == "missing":
                keys = arglist[0] if arglist and isinstance(arglist[0], list) else arglist
            else:
                keys = arglist[1] if len(arglist) > 1 else []
                keys = keys if isinstance(keys, list) else [keys]
            for k in keys:
                if isinstance(k, str) and k and scope is None:
                    reads.setdefault(k)
                    explain.setdefault(k, tuple(k.split(".")))
                elif not isinstance(k, str):  # a computed key (merge, if, var...): reads cannot name it
                    complete = False
        stack.extend(reversed(_children(node, op, args, arglist, ptr, scope, lenient)))
    return Analysis(tuple(reads), complete, tuple(explain.items()), guards)


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


def _check_count(op, args, limits, ptr: str) -> None:
    if limits is None:
        return
    count = len(args) if isinstance(args, list) else 1
    low, high = limits
    if count < low or (high is not None and count > high):
        if high is None:
            span = f"at least {low}"
        else:
            span = (f"exactly {low}" if op in JSONLOGIC_OPERATORS else str(low)) if low == high else f"{low} to {high}"
        plural = "" if span.endswith(" 1") or span == "1" else "s"
        extra = ""
        if high is not None and count > high:
            extra = " (the extra one is never evaluated)" if count - high == 1 else \
                f" (the {count - high} extra ones are never evaluated)"
        kind = "" if op in JSONLOGIC_OPERATORS else "operator "
        raise RuleError(f"{kind}'{op}' takes {span} argument{plural}, not {count}{extra}", ptr)


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

