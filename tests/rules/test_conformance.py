"""The official JsonLogic suite (shared/conformance/jsonlogic/tests.json) through steerco.rules."""

import json

import pytest

from steerco import rules
from support import shared

SUITE_PARTS = ("conformance", "jsonlogic", "tests.json")
SUITE_SIZE = 277


def _load():
    """``[(id, rule, data, expected)]``, or None when the suite file is absent (the tests then skip)."""
    suite = shared.path(*SUITE_PARTS)
    if not suite.is_file():
        return None
    section, cases = "start", []
    for entry in json.loads(suite.read_text(encoding="utf-8")):
        if isinstance(entry, str):  # a section comment such as "# Between"
            section = entry.strip("# ").strip() or section
            continue
        rule, data, expected = entry
        label = json.dumps(rule, separators=(",", ":"))
        label = label if len(label) <= 60 else label[:57] + "..."
        cases.append((f"{len(cases) + 1:03d} {section}: {label}", rule, data, expected))
    return cases


CASES = _load()
PARAMS = ([pytest.param(r, d, x, id=i) for i, r, d, x in CASES] if CASES is not None
          else [pytest.param(None, None, None, id="suite-file-missing")])


def require_suite():
    """Skip, saying why, where shared/ is absent."""
    shared.require(*SUITE_PARTS)


def same(a, b) -> bool:
    """Equal as JSON, telling 1 from 1.0 and true from 1."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_suite_has_all_cases():
    require_suite()
    assert len(CASES) == SUITE_SIZE


@pytest.mark.parametrize("rule, data, expected", PARAMS)
def test_case(rule, data, expected):
    require_suite()
    result = rules.evaluate(rule, data)
    assert same(result, expected), f"got {result!r}, expected {expected!r}"


def test_compiled_apply_equals_evaluate_on_the_suite():
    require_suite()
    for case_id, rule, data, _ in CASES:
        compiled = rules.compile_rule(json.dumps(rule))  # compile_rule reads a str as JSON text
        handle = rules.facts_handle(data)
        plain = rules.evaluate(rule, data)
        assert same(compiled.apply(data), plain), case_id
        assert same(compiled.apply(handle), plain), case_id


def test_check_agrees_with_evaluate_unless_a_strict_value_is_missing():
    """Null-strictness only ever turns a result into a failure, and says why."""
    require_suite()
    for case_id, rule, data, _ in CASES:
        compiled = rules.compile_rule(json.dumps(rule))
        plain = rules.evaluate(rule, data)
        check = compiled.check(data)
        assert check == compiled.check_handle(rules.facts_handle(data)), case_id
        if check.value is None and plain is not None:
            assert not check.passed and check.missing, case_id
        else:
            assert same(check.value, plain), case_id


def test_a_string_rule_is_a_literal_not_json_text():
    assert rules.evaluate("apple", {}) == "apple"
    assert rules.evaluate('{"var":"a"}', {"a": 1}) == '{"var":"a"}'
    assert rules.compile_rule('{"var":"a"}').apply({"a": 1}) == 1
