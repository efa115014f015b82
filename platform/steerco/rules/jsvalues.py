"""JavaScript's value semantics, as the reference JsonLogic (json-logic-js 2.0.5) applies them.

JsonLogic is defined by what json-logic-js does, and json-logic-js is
JavaScript: ``==`` is JavaScript's loose equality, ``cat`` writes numbers the
way JavaScript prints them, ``+`` reads text with ``parseFloat``. Criteria
written against jsonlogic.com's playground must answer the same here, so these
functions follow the ECMAScript algorithms they name. JSON values map as:
``None`` null, ``bool`` boolean, ``int``/``float`` number, ``str`` string,
``list`` array, ``dict`` object (arrays and objects compare by identity).

Where JavaScript would coerce an array or an object to a number, or compare
one with a scalar, :class:`Coercion` is raised instead: in a gate criterion
that is a data error (a list where a number belongs), and refusing it is the
deliberate difference documented in ``docs/rules.md``.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

_FINITE_MAX = 2.0 ** 53
_INF = math.inf
_NAN = math.nan
# JavaScript's StringToNumber: optional sign, decimal digits with an optional
# fraction and exponent, or Infinity; hexadecimal, octal and binary integers unsigned.
_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\Z")
_RADIX = re.compile(r"0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)\Z")
_FLOAT_PREFIX = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
# ECMAScript's WhiteSpace and LineTerminator code points, which Number() and parseFloat() trim.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
            "\u2028\u2029\u202f\u205f\u3000\ufeff"


class Coercion(ValueError):
    """An array or object used where JavaScript would silently turn it into a number or text."""


def is_number(v) -> bool:
    return (type(v) is int or type(v) is float) and v is not True and v is not False


def truthy(v) -> bool:
    """JsonLogic's truthiness: JavaScript's, except that an empty array is false."""
    if v is None or v is False:
        return False
    if v is True:
        return True
    t = type(v)
    if t is str or t is list:
        return len(v) > 0
    if t is int:
        return v != 0
    if t is float:
        return v == v and v != 0.0
    return True  # objects, even {}


def number(v) -> float:
    """``Number(v)`` (ECMAScript ToNumber) for a scalar; NaN for text that is not a number.

    :raises Coercion: ``v`` is an array or an object.
    """
    t = type(v)
    if t is float:
        return v
    if t is int:
        return _float(v)
    if v is None or v is False:
        return 0.0
    if v is True:
        return 1.0
    if t is str:
        text = v.strip(_JS_SPACE)
        if not text:
            return 0.0
        if _DECIMAL.match(text):
            return float(text.replace("Infinity", "inf"))
        if _RADIX.match(text):
            return float(int(text, 0))
        return _NAN
    raise Coercion(f"{describe(v)} is not a number")


def parse_float(v) -> float:
    """``parseFloat(v)``: the longest number at the start of ``String(v)``, else NaN.

    :raises Coercion: ``v`` is an array or an object.
    """
    t = type(v)
    if t is float:
        return v
    if t is int and v is not True and v is not False:
        return _float(v)
    if t is list or t is dict:
        raise Coercion(f"{describe(v)} is not a number")
    found = _FLOAT_PREFIX.match(string(v).lstrip(_JS_SPACE))
    if not found:
        return _NAN
    text = found.group()
    return float(text.replace("Infinity", "inf"))


def _float(i: int) -> float:
    try:
        return float(i)
    except OverflowError:
        return _INF if i > 0 else -_INF


def result(x: float):
    """An arithmetic result as JSON: a whole number as ``int``, like JSON has it.

    :raises ArithmeticError: NaN or an infinity, which JSON cannot carry.
    """
    if x != x:
        raise ArithmeticError("the result is not a number")
    if x in (_INF, -_INF):
        raise ArithmeticError("the result is infinite")
    if x.is_integer() and -_FINITE_MAX <= x <= _FINITE_MAX:
        return int(x)
    return x


def number_text(x) -> str:
    """``String(x)`` for a number (ECMAScript Number::toString, radix 10)."""
    if type(x) is int:
        if -_FINITE_MAX <= x <= _FINITE_MAX:
            return str(x)
        x = _float(x)
    if x != x:
        return "NaN"
    if x in (_INF, -_INF):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    # repr gives the shortest digits that read back as x, as JavaScript's algorithm does;
    # only where the point and the exponent go differ.
    _, figures, exponent = Decimal(repr(abs(x))).as_tuple()
    digits = "".join(map(str, figures)).rstrip("0")
    exponent += len(figures) - len(digits)
    k = len(digits)
    n = k + exponent
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + text


def string(v, depth: int = 0) -> str:
    """``String(v)``: arrays joined with commas (null as empty), objects as ``[object Object]``."""
    t = type(v)
    if t is str:
        return v
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is int or t is float:
        return number_text(v)
    if t is list:
        if depth > 64:
            raise Coercion("an array nested deeper than 64 levels cannot be written as text")
        return ",".join("" if item is None else string(item, depth + 1) for item in v)
    return "[object Object]"


def strict_equal(a, b) -> bool:
    """``a === b``: same type and value; arrays and objects only equal themselves."""
    ta, tb = type(a), type(b)
    if ta is list or ta is dict or tb is list or tb is dict:
        return a is b
    if is_number(a) and is_number(b):
        return a == b
    return ta is tb and a == b


def loose_equal(a, b) -> bool:
    """``a == b`` (ECMAScript IsLooselyEqual).

    :raises Coercion: an array or object compared with a scalar (JavaScript compares their text).
    """
    ta, tb = type(a), type(b)
    a_obj, b_obj = ta is list or ta is dict, tb is list or tb is dict
    if a_obj or b_obj:
        if a_obj and b_obj:
            return a is b
        if a is None or b is None:
            return False
        raise Coercion(f"{describe(a)} compared with {describe(b)}")
    if a is None or b is None:
        return a is None and b is None
    if ta is str and tb is str:
        return a == b
    return number(a) == number(b)


def less(a, b, or_equal: bool) -> bool:
    """``a < b`` or ``a <= b`` (ECMAScript IsLessThan): text against text by UTF-16 code units, else as numbers.

    :raises Coercion: an array or object in the comparison.
    """
    ta, tb = type(a), type(b)
    if ta is str and tb is str:
        if not (a.isascii() and b.isascii()):
            a, b = a.encode("utf-16-be"), b.encode("utf-16-be")
        return a <= b if or_equal else a < b
    if ta is list or ta is dict or tb is list or tb is dict:
        raise Coercion(f"{describe(a)} compared with {describe(b)}")
    x, y = number(a), number(b)
    return x <= y if or_equal else x < y


def describe(v) -> str:
    """A short name for a value in an error message."""
    if v is None:
        return "null"
    if v is True or v is False:
        return "a yes/no value"
    t = type(v)
    if t is list:
        return "a list"
    if t is dict:
        return "an object"
    if t is str:
        return "a text"
    return "a number"
