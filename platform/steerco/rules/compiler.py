"""Compiling a validated rule into Python closures with json-logic-js's semantics.

Each operator node becomes one closure ``fn(data, budget)``; evaluation is a
call of the root closure. A rule is compiled twice: plainly (``apply``) and
with the null guards of :mod:`steerco.rules.analysis` around the strict
operands (``check``). Operators follow json-logic-js 2.0.5 (``logic.js``),
value semantics :mod:`steerco.rules.jsvalues`.

Work is bounded by a :class:`Budget` of operations: every operator node the
rule holds is evaluated at most once per item of the arrays its iterators
walk, so an iterator charges ``items x nodes in its body`` before it walks,
and ``cat``, ``merge``, ``in`` and ``substr`` charge for the size they read or
build before they build it. A rule over budget is refused before the work.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from steerco.rules import jsvalues as js
from steerco.rules.errors import escape

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
            fn = (_EAGER.get(op) or self._registered)(argfns, where, op)
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


# -- eager operators: every argument runs first -------------------------------------

def _failing(where, op, e) -> DataError:
    if isinstance(e, RecursionError):
        return DataError("values nested too deeply", where, op)
    return DataError(str(e), where, op)


def _compare(argfns, where, op):
    a = argfns[0]
    bf = argfns[1] if len(argfns) > 1 else (lambda d, b: None)
    if op in ("==", "!="):
        equal, negate = js.loose_equal, op == "!="
    elif op in ("===", "!=="):
        equal, negate = js.strict_equal, op == "!=="
    else:
        equal = None
    if equal is not None:
        def eq(d, b):
            x, y = a(d, b), bf(d, b)
            try:
                return equal(x, y) is not negate
            except _FAILURES as e:
                raise _failing(where, op, e) from None
        return eq
    less = js.less
    if op in (">", ">="):
        or_equal = op == ">="

        def greater(d, b):
            x, y = a(d, b), bf(d, b)
            if type(x) in _NUMBERS and type(y) in _NUMBERS:
                return x >= y if or_equal else x > y
            try:
                return less(y, x, or_equal)
            except _FAILURES as e:
                raise _failing(where, op, e) from None
        return greater
    or_equal = op == "<="
    if len(argfns) > 2:
        c = argfns[2]

        def between(d, b):
            x, y, z = a(d, b), bf(d, b), c(d, b)
            try:
                return less(x, y, or_equal) and less(y, z, or_equal)
            except _FAILURES as e:
                raise _failing(where, op, e) from None
        return between

    def lesser(d, b):
        x, y = a(d, b), bf(d, b)
        if type(x) in _NUMBERS and type(y) in _NUMBERS:
            return x <= y if or_equal else x < y
        try:
            return less(x, y, or_equal)
        except _FAILURES as e:
            raise _failing(where, op, e) from None
    return lesser


def _not(argfns, where, op):
    a = argfns[0] if argfns else (lambda d, b: None)
    truthy = js.truthy
    if op == "!":
        return lambda d, b: not truthy(a(d, b))
    return lambda d, b: truthy(a(d, b))


def _arithmetic(argfns, where, op):
    parse, number, result = js.parse_float, js.number, js.result
    if op == "+":
        def calc(values):
            total = 0.0
            for v in values:
                total += parse(v)
            return result(total)
    elif op == "*":
        def calc(values):
            if not values:
                raise ArithmeticError("'*' needs at least one value")
            if len(values) == 1:  # json-logic-js reduces without a start value: one value comes back as it is
                return values[0]
            product = parse(values[0])
            for v in values[1:]:
                product *= parse(v)
            return result(product)
    elif op == "-":
        def calc(values):
            if len(values) == 1:
                return result(-number(values[0]))
            return result(number(values[0]) - number(values[1]))
    elif op == "/":
        def calc(values):
            x, y = number(values[0]), number(values[1])
            if y == 0:
                raise ArithmeticError("division by zero")
            return result(x / y)
    elif op == "%":
        def calc(values):
            x, y = number(values[0]), number(values[1])
            if y == 0:
                raise ArithmeticError("remainder of a division by zero")
            return result(math.fmod(x, y))  # JavaScript's %: the sign of the dividend
    else:  # min, max
        pick = min if op == "min" else max

        def calc(values):
            if not values:
                raise ArithmeticError(f"'{op}' of no values")
            numbers = [number(v) for v in values]
            if any(n != n for n in numbers):
                raise ArithmeticError("the result is not a number")
            return result(pick(numbers))

    def run(d, b):
        values = [f(d, b) for f in argfns]
        try:
            return calc(values)
        except _FAILURES as e:
            raise _failing(where, op, e) from None
    return run


def _cat(argfns, where, op):
    string = js.string

    def run(d, b):
        try:
            parts = ["" if v is None else string(v) for v in (f(d, b) for f in argfns)]
        except _FAILURES as e:
            raise _failing(where, op, e) from None
        charge(b, sum(map(len, parts)) // CHARS_PER_OPERATION, where, op)
        return "".join(parts)
    return run


def _substr(argfns, where, op):
    def run(d, b):
        values = [f(d, b) for f in argfns]
        source = values[0] if values else None
        start = values[1] if len(values) > 1 else None
        end = values[2] if len(values) > 2 else _UNDEFINED
        try:
            text = js.string(source)
            charge(b, len(text) // CHARS_PER_OPERATION, where, op)
            if end is not _UNDEFINED and js.less(end, 0, False):
                rest = _js_substr(text, start, _UNDEFINED)
                return _js_substr(rest, 0, len(rest) + _integer(end))
            return _js_substr(text, start, end)
        except _FAILURES as e:
            raise _failing(where, op, e) from None
    return run


def _integer(v) -> int | float:
    """ECMAScript ToIntegerOrInfinity."""
    n = js.number(v)
    if n != n:
        return 0
    if n in (float("inf"), float("-inf")):
        return n
    return int(n)


def _js_substr(text: str, start, length) -> str:
    """``String.prototype.substr`` (counting code points, where JavaScript counts UTF-16 units)."""
    size = len(text)
    s = _integer(start)
    s = 0 if s == float("-inf") else (max(size + s, 0) if s < 0 else min(s, size))
    n = size if length is _UNDEFINED else _integer(length)
    n = min(max(n, 0), size)
    return text[int(s):int(min(s + n, size))]


def _in(argfns, where, op):
    a, bf = argfns[0], argfns[1]

    def run(d, b):
        needle, hay = a(d, b), bf(d, b)
        t = type(hay)
        if t is str:
            charge(b, len(hay) // CHARS_PER_OPERATION, where, op)
            if type(needle) in (list, dict):
                raise DataError(f"{js.describe(needle)} looked for in a text", where, op)
            return js.string(needle) in hay
        if t is list:
            charge(b, len(hay), where, op)
            strict = js.strict_equal
            return any(strict(needle, item) for item in hay)
        return False
    return run


def _merge(argfns, where, op):
    def run(d, b):
        out = []
        for v in (f(d, b) for f in argfns):
            if type(v) is list:
                charge(b, len(v) // CHARS_PER_OPERATION + 1, where, op)
                out.extend(v)
            else:
                out.append(v)
        return out
    return run


def _missing(argfns, where, op):
    def keys_of(values):
        return values[0] if values and type(values[0]) is list else values

    def absent(d, keys):
        out = []
        for key in keys:
            parts = path_parts(key)
            v = d if parts is None else lookup(d, parts)
            if v is None or v == "" and type(v) is str:
                out.append(key)
        return out

    if op == "missing":
        def run(d, b):
            keys = keys_of([f(d, b) for f in argfns])
            charge(b, len(keys) // CHARS_PER_OPERATION, where, op)
            return absent(d, keys)
        return run

    def some(d, b):
        need, options = argfns[0](d, b), argfns[1](d, b)
        if type(options) is not list:
            raise DataError(f"'missing_some' needs a list of keys, not {js.describe(options)}", where, op)
        charge(b, len(options) // CHARS_PER_OPERATION, where, op)
        gone = absent(d, options)
        try:
            enough = not js.less(len(options) - len(gone), need, False)
        except _FAILURES as e:
            raise _failing(where, op, e) from None
        return [] if enough else gone
    return some


_EAGER = {
    "==": _compare, "!=": _compare, "===": _compare, "!==": _compare,
    ">": _compare, ">=": _compare, "<": _compare, "<=": _compare,
    "!": _not, "!!": _not,
    "+": _arithmetic, "-": _arithmetic, "*": _arithmetic, "/": _arithmetic, "%": _arithmetic,
    "min": _arithmetic, "max": _arithmetic,
    "cat": _cat, "substr": _substr, "in": _in, "merge": _merge,
    "missing": _missing, "missing_some": _missing,
}
