"""The operators that evaluate every argument first, as json-logic-js's ``operations`` table does.

Each builder takes the compiled arguments, the operator's JSON pointer and
name, and returns the closure ``fn(data, budget)``; :data:`EAGER` maps
operator names to builders.
"""

from __future__ import annotations

import math

from steerco.rules import jsvalues as js
from steerco.rules.evaluation import (
    _FAILURES,
    _NUMBERS,
    _UNDEFINED,
    CHARS_PER_OPERATION,
    DataError,
    charge,
    lookup,
    path_parts,
)


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


EAGER = {
    "==": _compare, "!=": _compare, "===": _compare, "!==": _compare,
    ">": _compare, ">=": _compare, "<": _compare, "<=": _compare,
    "!": _not, "!!": _not,
    "+": _arithmetic, "-": _arithmetic, "*": _arithmetic, "/": _arithmetic, "%": _arithmetic,
    "min": _arithmetic, "max": _arithmetic,
    "cat": _cat, "substr": _substr, "in": _in, "merge": _merge,
    "missing": _missing, "missing_some": _missing,
}
