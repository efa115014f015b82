"""Caps checked in Python *before* the engine sees a rule or facts.

datalogic-py segfaults on a rule passed as a deeply nested Python value and on
deeply nested data (RULES.md, "Hazards found"), so depth is measured here,
iteratively, and the engine is only ever handed rule JSON *text*.
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
"""datalogic operations one evaluation may charge (a 10-clause criterion charges a few dozen)."""

_SCALARS = (str, int, float, bool, type(None))
_CONTAINERS = (dict, list, tuple)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _finite(v) -> bool:
    return not isinstance(v, float) or v - v == 0.0


def _bad_value(v) -> str | None:
    """Why ``v`` is not a JSON scalar or container, or None when it is one."""
    if isinstance(v, _CONTAINERS):
        return None
    if not isinstance(v, _SCALARS):
        return f"holds a {type(v).__name__}, which is not a JSON value"
    if not _finite(v):
        return f"holds the number {v}, which JSON cannot represent"
    return None


def _first_problem(root, max_depth: int, max_bytes: int | None = None):
    """Depth-first search for the first node too deep or not JSON: ``(problem, pointer)`` or None.

    :param max_bytes: give up early, with ``larger than`` as the problem, once
        the nodes and string characters seen exceed it (each takes a JSON byte at least).
    """
    stack = [(root, "", 0)]
    seen = 0
    while stack:
        node, ptr, depth = stack.pop()
        why = _bad_value(node)
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


def check_facts_size(data, parsed_bytes: int) -> None:
    """Apply the facts size cap, given the size of the engine's parsed copy.

    Serialising costs more than parsing, so the JSON is measured only when the
    parsed copy is big enough to matter: the copy holds every string's bytes and
    at least 8 bytes per value, while JSON spends at most 6 bytes per string
    byte (\\u escapes) and 25 per number, so JSON size <= 6 x parsed size
    (tests/rules/test_guards.py checks this on pathological facts).

    :raises FactsError: larger than :data:`FACTS_MAX_BYTES` of compact UTF-8 JSON.
    """
    if parsed_bytes * 6 <= FACTS_MAX_BYTES:
        return
    size = len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
    if size > FACTS_MAX_BYTES:
        raise FactsError(f"facts larger than {FACTS_MAX_BYTES // (1024 * 1024)} MiB of JSON ({size} bytes)")


def facts_problem(data, engine_message: str) -> FactsError:
    """The error for facts the engine could not parse, located when Python can tell where."""
    found = _first_problem(data, FACTS_MAX_DEPTH)
    if found:
        return FactsError(f"facts {found[0]}", found[1])
    return FactsError(f"facts cannot be read ({engine_message})")
