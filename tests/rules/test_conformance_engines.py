"""Other engines' JsonLogic suites (shared/conformance/jsonlogic/), where json-logic-js agrees with them.

A rule never silently answers differently from the reference: on every case
where json-logic-js 2.0.5 agrees with the suite, Steerco returns the same
value, or refuses with one of the deliberate differences of ``docs/rules.md``
(never another value); on the cases that must fail, it fails.
"""

import json
import math
import re

import pytest

from steerco import rules
from support import shared

FOLDER = ("conformance", "jsonlogic")
BASELINE = "json-logic-js-baseline.json"

# docs/rules.md, "Deliberate differences": each refusal must be one of these.
DELIBERATE = {
    "coercion": re.compile(r"(a list|an object) is not a number|(a list|an object) compared with|"
                           r"compared with (a list|an object)|(a list|an object) looked for in a text"),
    "arguments": re.compile(r"'[^']+' takes .* arguments?, not \d+"),
    "unknown operator": re.compile(r"unknown operator '"),
}


def _files():
    where = shared.path(*FOLDER, BASELINE)
    if not where.is_file():
        return []
    return sorted(name for name in json.loads(where.read_text(encoding="utf-8")) if name != "_about")


def agreeing(name: str):
    """``[(description, rule, data, expected or None, must_fail)]`` of file ``name`` where json-logic-js agrees."""
    root = shared.require(*FOLDER)
    baseline = json.loads((root / BASELINE).read_text(encoding="utf-8"))[name]
    against = {d["index"] for d in baseline.get("disagree", [])}
    cases = json.loads((root / name).read_text(encoding="utf-8"))
    out = [(c.get("description", str(i)), c["rule"], c.get("data", {}), c.get("result"), "error" in c)
           for i, c in enumerate(cases) if not isinstance(c, str) and i not in against]
    assert len(out) == baseline["agree"], f"{name}: the baseline counts {baseline['agree']} agreeing cases"
    return out


def equal(a, b) -> bool:
    """Deep equality as JavaScript has it for JSON: one number type, compared within 1e-9."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def outcome(rule, data):
    """``("value", v)``, or ``("refused", category or the message when it is none of them)``."""
    try:
        return "value", rules.evaluate(rule, data)
    except rules.RuleError as e:
        category = next((k for k, pattern in DELIBERATE.items() if pattern.search(str(e))), str(e))
        return "refused", category


FILES = _files()


@pytest.mark.parametrize("name", FILES or [pytest.param(None, id="suites-missing")])
def test_same_value_as_the_reference_or_a_deliberate_refusal(name):
    shared.require(*FOLDER, BASELINE)
    wrong = []
    for description, rule, data, expected, must_fail in agreeing(name):
        kind, got = outcome(rule, data)
        if must_fail:
            if kind != "refused":
                wrong.append(f"{description}: {json.dumps(rule)} must fail, gave {got!r}")
        elif kind == "value" and not equal(got, expected):
            wrong.append(f"{description}: {json.dumps(rule)} on {json.dumps(data)} gave {got!r}, "
                         f"the reference {expected!r}")
        elif kind == "refused" and got not in DELIBERATE:
            wrong.append(f"{description}: {json.dumps(rule)} refused for an undocumented reason: {got}")
    assert not wrong, "\n".join(wrong)


def test_most_cases_give_the_reference_value():
    """The refusals stay few: a new one shows here as well as in its file's test."""
    shared.require(*FOLDER, BASELINE)
    same = refused = 0
    for name in FILES:
        for _, rule, data, expected, must_fail in agreeing(name):
            if must_fail:
                continue
            kind, got = outcome(rule, data)
            same += kind == "value" and equal(got, expected)
            refused += kind == "refused"
    assert same >= 1_110 and refused <= 115, (same, refused)


@pytest.mark.parametrize("rule, data, expected", [
    ({"missing": ["a", "b"]}, {"a": None, "b": ""}, ["a", "b"]),
    ({"missing": ["a", "b", "c"]}, {"a": 0, "b": "0", "c": []}, []),
    ({"missing": ["a.b"]}, {"a": {"b": ""}}, ["a.b"]),
    ({"missing_some": [1, ["a", "b"]]}, {"a": None, "b": ""}, ["a", "b"]),
    ({"missing_some": [1, ["a", "b"]]}, {"a": None, "b": "x"}, []),
    ({"==": [None, False]}, {}, False),
    ({"!!": [{}]}, {}, True),
    ({"if": [{}, "yes", "no"]}, {}, "yes"),
    ({"cat": ["v", 2.0, ["a", "b"], None]}, {}, "v2a,b"),
    ({"merge": [[1], None, [2]]}, {}, [1, None, 2]),
    ({"var": [[1]]}, [10, 20], 20),
    ({"in": [1, "133"]}, {}, True),
    ({"*": [True]}, {}, True),
])
def test_reference_semantics_without_shared_data(rule, data, expected):
    """The differences this engine was written to remove, checked in every clone."""
    assert equal(rules.evaluate(rule, data), expected)
