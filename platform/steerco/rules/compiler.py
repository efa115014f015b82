"""Compiling a validated rule into Python closures with json-logic-js's semantics.

Each operator node becomes one closure ``fn(data, budget)``; evaluation is a
call of the root closure. A rule is compiled twice: plainly (``apply``) and
with the null guards of :mod:`steerco.rules.analysis` around the strict
operands (``check``). Operators follow json-logic-js 2.0.5 (``logic.js``),
value semantics :mod:`steerco.rules.jsvalues`; the eager operators are in
:mod:`steerco.rules.eager`, the budget and fact reading in :mod:`steerco.rules.evaluation`.

Work is bounded by a :class:`Budget` of operations: every operator node the
rule holds is evaluated at most once per item of the arrays its iterators
walk, so an iterator charges ``items x nodes in its body`` before it walks,
and ``cat``, ``merge``, ``in`` and ``substr`` charge for the size they read or
build before they build it. A rule over budget is refused before the work.
"""

from __future__ import annotations

from typing import Any, Callable

from steerco.rules import jsvalues as js
from steerco.rules.eager import EAGER
from steerco.rules.errors import escape
from steerco.rules.evaluation import _UNDEFINED, DataError, Fn, Missing, charge, lookup, path_parts

# -- compiling ---------------------------------------------------------------------

class Compiler:
    """Turns a rule into closures; ``guards`` (node id -> strict kind, per-item name) makes a checker."""

    def __init__(self, operators, guards: dict[int, tuple[str, str | None]] | None = None):
        self.operators = operators
        self.guards = guards or {}

    def compile(self, node, ptr: str = "") -> Fn:
        fn, _ = self._node(node, ptr)
        return fn

    def _node(self, node, ptr: str) -> tuple[Fn, bool]:
        """``(closure, constant)``: constant when the closure always returns the same literal."""
        if isinstance(node, list):
            parts = [self._node(item, f"{ptr}/{i}") for i, item in enumerate(node)]
            if all(const for _, const in parts):
                value = [fn(None, None) for fn, _ in parts]
                return (lambda d, b: value), True
            fns = [fn for fn, _ in parts]
            return (lambda d, b: [f(d, b) for f in fns]), False
        if not isinstance(node, dict) or not node:
            return (lambda d, b: node), True
        ((op, args),) = node.items()
        where = f"{ptr}/{escape(op)}"
        arglist = args if isinstance(args, list) else [args]
        build = _LAZY.get(op)
        if build is not None:
            fn = build(self, arglist, where, op)
        else:
            argfns = [self._node(a, f"{where}/{i}" if isinstance(args, list) else where)[0]
                      for i, a in enumerate(arglist)]
            if op == "var":
                fn = _var(arglist, argfns, self.guards.get(id(node)))
                return fn, False
            fn = (EAGER.get(op) or self._registered)(argfns, where, op)
        return fn, False

    def cost(self, node) -> int:
        """Operator nodes in ``node``: what one evaluation of it may cost at most, nested iterators apart."""
        count, stack = 0, [node]
        while stack:
            n = stack.pop()
            if isinstance(n, list):
                stack.extend(n)
            elif isinstance(n, dict) and n:
                count += 1
                stack.extend(n.values())
        return max(count, 1)

    def _registered(self, argfns, where, op):
        fn = self.operators.get(op).fn

        def call(d, b):
            args = [f(d, b) for f in argfns]
            try:
                out = fn(*args)
            except Exception as e:  # a plugin's operator failing on these facts
                raise DataError(f"operator '{op}' failed ({type(e).__name__}: {e})", where, op) from None
            if out is not None and type(out) not in _JSON_TYPES:
                raise DataError(f"operator '{op}' returned a {type(out).__name__}, which is not JSON", where, op)
            return out

        return call


_JSON_TYPES = frozenset({str, int, float, bool, list, dict})


def _guarded(fn: Fn, strict: str, name: str | None) -> Fn:
    if strict == "numeric":  # JsonLogic reads "" as 0: as unknown as null for a number
        def numeric(d, b):
            v = fn(d, b)
            if v is None or v == "" and type(v) is str:
                raise Missing(name)
            return v
        return numeric

    def equality(d, b):
        v = fn(d, b)
        if v is None:
            raise Missing(name)
        return v
    return equality


def reader(parts: tuple[str, ...], default=None) -> Callable[[Any], Any]:
    """``lookup`` of fixed ``parts``, with the common case (objects all the way) inlined."""
    if len(parts) == 1:
        (key,) = parts

        def one(d):
            if type(d) is dict:
                v = d.get(key, _UNDEFINED)
                return default if v is _UNDEFINED else v
            return lookup(d, parts, default)
        return one
    if len(parts) == 2:
        first, second = parts

        def two(d):
            if type(d) is dict:
                inner = d.get(first)
                if type(inner) is dict:
                    v = inner.get(second, _UNDEFINED)
                    return default if v is _UNDEFINED else v
            return lookup(d, parts, default)
        return two
    return lambda d: lookup(d, parts, default)


def _var(arglist, argfns, guard) -> Fn:
    """A var; with ``guard`` (strict kind, per-item name), it stops a check where its value is missing."""
    if arglist and not isinstance(arglist[0], (dict, list)) and (len(arglist) < 2 or not isinstance(arglist[1], (dict, list))):
        parts = path_parts(arglist[0])
        if parts is None:
            fn = lambda d, b: d  # noqa: E731
        elif len(parts) == 1 and len(arglist) < 2:
            fn = _var_key(parts[0], guard)
            guard = None
        else:
            read = reader(parts, arglist[1] if len(arglist) > 1 else None)
            fn = lambda d, b: read(d)  # noqa: E731
    else:
        fn = _var_computed(argfns)
    return fn if guard is None else _guarded(fn, *guard)


def _var_key(key: str, guard) -> Fn:
    """``{"var": "key"}``, the commonest node of all, with its guard inlined."""
    parts = (key,)
    if guard is None:
        def plain(d, b):
            if type(d) is dict:
                return d.get(key)
            return lookup(d, parts)
        return plain
    strict, name = guard
    numeric = strict == "numeric"

    def guarded(d, b):
        v = d.get(key) if type(d) is dict else lookup(d, parts)
        if v is None or numeric and v == "" and type(v) is str:
            raise Missing(name)
        return v
    return guarded


def _var_computed(argfns) -> Fn:
    def computed(d, b):
        args = [f(d, b) for f in argfns]
        parts = path_parts(args[0] if args else None)
        default = args[1] if len(args) > 1 else None
        return d if parts is None else lookup(d, parts, default)
    return computed


# -- lazy operators: they decide which arguments run ---------------------------------

def _if(c: Compiler, args, where, op):
    fns = [c._node(a, f"{where}/{i}")[0] for i, a in enumerate(args)]
    pairs = [(fns[i], fns[i + 1]) for i in range(0, len(fns) - 1, 2)]
    last = fns[-1] if len(fns) % 2 else None
    truthy = js.truthy

    def run(d, b):
        for cond, then in pairs:
            if truthy(cond(d, b)):
                return then(d, b)
        return last(d, b) if last is not None else None
    return run


def _and(c: Compiler, args, where, op):
    fns = [c._node(a, f"{where}/{i}")[0] for i, a in enumerate(args)]
    truthy = js.truthy
    if op == "and":
        def run(d, b):
            v = None
            for f in fns:
                v = f(d, b)
                if not truthy(v):
                    return v
            return v
    else:
        def run(d, b):
            v = None
            for f in fns:
                v = f(d, b)
                if truthy(v):
                    return v
            return v
    return run


def _iterator(c: Compiler, args, where, op):
    source = c._node(args[0], f"{where}/0")[0] if args else (lambda d, b: None)
    body = c._node(args[1], f"{where}/1")[0] if len(args) > 1 else (lambda d, b: None)
    per_item = c.cost(args[1]) if len(args) > 1 else 1
    initial = c._node(args[2], f"{where}/2")[0] if len(args) > 2 else (lambda d, b: None)
    truthy = js.truthy

    def items(d, b):
        data = source(d, b)
        if type(data) is not list:
            return None
        charge(b, len(data) * per_item, where, op)
        return data

    if op == "map":
        def run(d, b):
            data = items(d, b)
            return [] if data is None else [body(x, b) for x in data]
    elif op == "filter":
        def run(d, b):
            data = items(d, b)
            return [] if data is None else [x for x in data if truthy(body(x, b))]
    elif op == "reduce":
        def run(d, b):
            data = items(d, b)
            acc = initial(d, b)
            if data is None:
                return acc
            for x in data:
                acc = body({"current": x, "accumulator": acc}, b)
            return acc
    elif op == "all":
        def run(d, b):
            data = items(d, b)
            if not data:
                return False
            for x in data:
                if not truthy(body(x, b)):
                    return False
            return True
    elif op == "some":
        def run(d, b):
            data = items(d, b)
            if not data:
                return False
            for x in data:
                if truthy(body(x, b)):
                    return True
            return False
    else:  # none
        def run(d, b):
            data = items(d, b)
            if not data:
                return True
            for x in data:
                if truthy(body(x, b)):
                    return False
            return True
    return run


_LAZY = {"if": _if, "?:": _if, "and": _and, "or": _and,
         "map": _iterator, "filter": _iterator, "reduce": _iterator, "all": _iterator, "some": _iterator,
         "none": _iterator}
