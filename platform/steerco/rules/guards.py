"""Caps checked *before* a rule is compiled or evaluated.

Depth is measured iteratively, so no rule or facts document can exhaust the
stack of the thread that reads it; size is capped so a rule or a facts
document stays a bounded amount of work to read.
"""

from __future__ import annotations

import json
import re

from steerco.rules.errors import FactsError, RuleError, escape

RULE_MAX_DEPTH = 64
"""Most nested containers (objects and arrays) a rule may have; a real criterion needs about 12."""
RULE_MAX_BYTES = 64 * 1024
"""Largest rule, as compact UTF-8 JSON."""
FACTS_MAX_DEPTH = 32
"""Most nested containers the facts of one measure may have."""
FACTS_MAX_BYTES = 4 * 1024 * 1024
"""Largest facts document, as compact UTF-8 JSON."""
WORK_BUDGET = 100_000
"""Operations one evaluation may charge (see :mod:`steerco.rules.compiler`; a 10-clause criterion
charges nothing until it walks an array)."""

_SCALARS = (str, int, float, bool, type(None))
_CONTAINERS = (dict, list, tuple)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _finite(v) -> bool:
    return not isinstance(v, float) or v - v == 0.0


def _bad_value(v, non_finite_ok: bool = False) -> str | None:
    """Why ``v`` is not a JSON scalar or container, or None when it is one."""
    if isinstance(v, _CONTAINERS):
        return None
    if not isinstance(v, _SCALARS):
        return f"holds a {type(v).__name__}, which is not a JSON value"
    if not non_finite_ok and not _finite(v):
        return f"holds the number {v}, which JSON cannot represent"
    return None


def _first_problem(root, max_depth: int, max_bytes: int | None = None, non_finite_ok: bool = False):
    """Depth-first search for the first node too deep or not JSON: ``(problem, pointer)`` or None.

    :param max_bytes: give up early, with ``larger than`` as the problem, once
        the nodes and string characters seen exceed it (each takes a JSON byte at least).
    """
    stack = [(root, "", 0)]
    seen = 0
    while stack:
        node, ptr, depth = stack.pop()
        why = _bad_value(node, non_finite_ok)
        if why:
            return why, ptr
        if max_bytes is not None:
            seen += 1 + (len(node) if isinstance(node, str) else 0)
            if seen > max_bytes:
                return f"larger than {max_bytes // 1024} KiB of JSON", ""
        if isinstance(node, dict):
            children = list(node.items())
        elif isinstance(node, _CONTAINERS):
            children = list(enumerate(node))
        else:
            continue
        if depth + 1 > max_depth:
            return f"nested deeper than {max_depth} levels", ptr
        if isinstance(node, dict) and not all(isinstance(key, str) for key, _ in children):
            return "has an object key that is not text", ptr
        for key, child in reversed(children):
            stack.append((child, f"{ptr}/{escape(key)}", depth + 1))
    return None


def check_rule_value(rule) -> None:
    """Reject a rule value that is nested too deep or is not JSON, naming where.

    :raises RuleError: e.g. ``rule nested deeper than 64 levels at /and/0/or/1/...``.
    """
    found = _first_problem(rule, RULE_MAX_DEPTH, RULE_MAX_BYTES)
    if found:
        raise RuleError(f"rule {found[0]}", found[1])


def rule_text(rule) -> str:
    """The compact JSON text of a rule value, after the depth and size caps.

    :raises RuleError: too deep, not JSON, or larger than :data:`RULE_MAX_BYTES`.
    """
    check_rule_value(rule)
    try:
        text = json.dumps(rule, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError as e:  # e.g. an integer of thousands of digits
        raise RuleError(f"rule is not JSON-serialisable ({e})") from None
    if len(text.encode()) > RULE_MAX_BYTES:
        raise RuleError(f"rule larger than {RULE_MAX_BYTES // 1024} KiB of JSON")
    return text


def parse_rule_text(text: str | bytes):
    """Parse rule JSON text safely: size and bracket depth are checked before ``json.loads``.

    :raises RuleError: not JSON, too large or too deep.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode()
        except UnicodeDecodeError:
            raise RuleError("rule text is not UTF-8") from None
    # Pretty-printed text may be bigger than its compact form, which rule_text() caps.
    if len(text) > 4 * RULE_MAX_BYTES:
        raise RuleError(f"rule larger than {RULE_MAX_BYTES // 1024} KiB of JSON")
    if _text_depth(text) > RULE_MAX_DEPTH:
        raise RuleError(f"rule nested deeper than {RULE_MAX_DEPTH} levels")
    try:
        return json.loads(text)
    except ValueError as e:
        raise RuleError(f"rule is not valid JSON ({e})") from None


def _text_depth(text: str) -> int:
    """Deepest bracket nesting of JSON text (string literals ignored); malformed text is left to json.loads."""
    depth = deepest = 0
    for ch in _NOT_BRACKET.sub("", _JSON_STRING.sub('""', text)):
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def scan_facts(data) -> None:
    """Apply the facts depth cap: breadth-first over containers only, no recursion.

    Runs once per measure on the hot path; leaf types are left to the engine's
    parser (see :func:`facts_problem`) and size to :func:`check_facts_size`.

    :raises FactsError: naming the problem and a JSON pointer into the facts.
    """
    level, depth = ([data] if isinstance(data, _CONTAINERS) else []), 0
    while level:
        depth += 1
        if depth > FACTS_MAX_DEPTH:
            problem, ptr = _first_problem(data, FACTS_MAX_DEPTH) or (f"nested deeper than {FACTS_MAX_DEPTH} levels", "")
            raise FactsError(f"facts {problem}", ptr)
        deeper = []
        add = deeper.append
        for node in level:
            for v in node.values() if isinstance(node, dict) else node:
                if isinstance(v, _CONTAINERS):
                    add(v)
        level = deeper


def check_facts(data):
    """Apply the facts size cap and the JSON checks in one walk; depth is :func:`scan_facts`'s.

    :returns: ``data`` as the rules read it: itself when it is plain JSON values,
        else a copy where a dict subclass is a dict, a tuple a list, and a
        non-finite number (which JSON cannot carry) null.
    :raises FactsError: a value that is not JSON (naming where), an object key
        that is not text, or larger than :data:`FACTS_MAX_BYTES` of compact UTF-8 JSON.
    """
    least = most = 0  # bounds of the compact JSON size, without serialising it
    irregular = False
    stack = [data]
    while stack:
        node = stack.pop()
        t = type(node)
        if t is dict:
            least += 2 + len(node)
            most += 2 + 2 * len(node)
            for k, v in node.items():
                if type(k) is not str:
                    break
                least += len(k) + 2
                most += 6 * len(k) + 2
                stack.append(v)
            else:
                continue
            raise _facts_problem(data)
        elif t is list:
            least += 2 + len(node)
            most += 2 + len(node)
            stack.extend(node)
        elif t is str:
            least += len(node) + 2
            most += 6 * len(node) + 2
        elif t is bool or node is None:
            least += 4
            most += 5
        elif t is int:
            least += 1
            most += 25 if -2**63 <= node < 2**64 else len(str(node))
        elif t is float:
            least += 1
            most += 25
            irregular = irregular or node - node != 0.0
        elif isinstance(node, (dict, list, tuple)):
            irregular = True
            stack.append(dict(node) if isinstance(node, dict) else list(node))
        else:
            raise _facts_problem(data)
    if most > FACTS_MAX_BYTES:
        size = least if least > FACTS_MAX_BYTES else len(
            json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
        if size > FACTS_MAX_BYTES:
            raise FactsError(f"facts larger than {FACTS_MAX_BYTES // (1024 * 1024)} MiB of JSON "
                             f"({'at least ' if size == least else ''}{size} bytes)")
    return _regular_copy(data) if irregular else data


def _facts_problem(data) -> FactsError:
    found = _first_problem(data, 10**9, non_finite_ok=True)
    return FactsError(f"facts {found[0]}", found[1]) if found else FactsError("facts cannot be read")


def _regular_copy(data):
    """``data`` as plain JSON values: non-finite numbers as null, tuples as lists, dict subclasses as dicts."""
    if isinstance(data, float):
        return data if data - data == 0.0 else None
    if isinstance(data, dict):
        return {k: _regular_copy(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_regular_copy(v) for v in data]
    return data
