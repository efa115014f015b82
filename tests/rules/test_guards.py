"""Untrusted rules and facts: caps, work budget, operator allow-list, registered operators."""

import json
import resource
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from steerco import rules
from steerco.rules import FactsError, OperatorSet, RuleError


def nested(levels: int, leaf=True) -> dict:
    rule = leaf
    for _ in range(levels):
        rule = {"!": [rule]}
    return rule


def deep_list(levels: int):
    data = 1
    for _ in range(levels):
        data = [data]
    return data


def in_small_stack_thread(fn):
    """Run ``fn`` in a thread with a 256 KiB stack: deep rules and facts must not exhaust a small stack."""
    out = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as e:  # handed back to the test below
            out["error"] = e

    old = threading.stack_size(256 * 1024)
    try:
        t = threading.Thread(target=run)
        t.start()
        t.join()
    finally:
        threading.stack_size(old)
    if "error" in out:
        raise out["error"]
    return out["value"]


# -- rule caps ----------------------------------------------------------------------

def test_deep_rule_as_dict_is_refused_with_a_pointer():
    with pytest.raises(RuleError) as e:
        rules.compile_rule(nested(5000))
    assert e.value.problem == "rule nested deeper than 64 levels"
    assert e.value.pointer.startswith("/!/0/!/0/")
    with pytest.raises(RuleError, match="deeper than 64"):
        rules.evaluate(nested(5000), {})


def test_deep_rule_as_text_is_refused():
    text = '{"!":[' * 5000 + "true" + "]}" * 5000
    with pytest.raises(RuleError, match="deeper than 64"):
        rules.compile_rule(text)
    with pytest.raises(RuleError, match="deeper than 64"):
        rules.compile_rule("[" * 20000 + "]" * 20000)


def test_deep_rules_are_refused_in_a_small_stack_thread():
    with pytest.raises(RuleError, match="deeper than 64"):
        in_small_stack_thread(lambda: rules.compile_rule(nested(2000)))


def test_a_rule_at_the_depth_cap_compiles_and_checks_in_a_small_stack_thread():
    rule = {"<=": [{"var": ["x"]}, 3]}  # 4 levels
    for _ in range(30):
        rule = {"and": [True, rule]}  # +2 levels each: 64 in all
    assert rules.RULE_MAX_DEPTH == 64
    compiled = in_small_stack_thread(lambda: rules.compile_rule(rule))
    assert in_small_stack_thread(lambda: compiled.check({"x": 1})).passed
    assert in_small_stack_thread(lambda: compiled.check({})).missing == ("x",)
    with pytest.raises(RuleError, match="deeper than 64"):
        rules.compile_rule({"and": [True, rule]})


def test_oversized_rule():
    with pytest.raises(RuleError, match="larger than 64 KiB") as e:
        rules.compile_rule({"cat": ["x" * (65 * 1024)]})
    assert e.value.pointer == ""
    with pytest.raises(RuleError, match="larger than 64 KiB"):
        rules.compile_rule(json.dumps({"cat": ["x" * (65 * 1024)]}, indent=2))


def test_rule_that_is_not_json():
    with pytest.raises(RuleError, match="not valid JSON"):
        rules.compile_rule('{"==": [1, }')
    with pytest.raises(RuleError, match=r"holds a set") as e:
        rules.compile_rule({"in": [{"var": "a"}, {"x", "y"}]})
    assert e.value.pointer == "/in/1"
    with pytest.raises(RuleError, match="cannot represent"):
        rules.compile_rule({"<": [{"var": "a"}, float("inf")]})
    with pytest.raises(RuleError, match="cannot represent"):
        rules.compile_rule('{"<": [{"var": "a"}, 1e400]}')
    with pytest.raises(RuleError, match="not JSON-serialisable"):
        rules.compile_rule({"<": [{"var": "a"}, 10**5000]})
    with pytest.raises(RuleError, match="not UTF-8"):
        rules.compile_rule(b"\xff\xfe")
    with pytest.raises(RuleError, match="larger than 64 KiB"):  # refused before serialising it
        rules.compile_rule({"in": [{"var": "a"}, list(range(1_000_000))]})


# -- facts caps ---------------------------------------------------------------------

def test_deep_data_is_refused_before_the_engine_sees_it():
    compiled = rules.compile_rule({"var": "a"})
    with pytest.raises(FactsError, match="facts nested deeper than 32 levels") as e:
        compiled.apply({"a": deep_list(20000)})
    assert e.value.pointer.startswith("/a/0/0/")
    assert isinstance(e.value, RuleError)
    with pytest.raises(FactsError):
        rules.evaluate({"var": "a"}, deep_list(20000))
    with pytest.raises(FactsError):
        in_small_stack_thread(lambda: rules.facts_handle({"a": deep_list(5000)}))


def test_facts_at_the_depth_cap_are_accepted():
    assert rules.FACTS_MAX_DEPTH == 32
    assert rules.evaluate({"var": "a"}, {"a": deep_list(31)}) == deep_list(31)
    with pytest.raises(FactsError):
        rules.facts_handle({"a": deep_list(32)})


def test_oversized_facts():
    with pytest.raises(FactsError, match="larger than 4 MiB"):
        rules.facts_handle({"blob": "x" * (4 * 1024 * 1024 + 1)})
    many = {"items": [{"n": i, "label": "ok"} for i in range(300_000)]}
    with pytest.raises(FactsError, match="larger than 4 MiB"):
        rules.facts_handle(many)
    rules.facts_handle({"blob": "x" * (3 * 1024 * 1024)})  # big but within the cap


def test_facts_that_are_not_json():
    with pytest.raises(FactsError, match="holds a date") as e:
        rules.facts_handle({"milestones": [{"due": date(2025, 1, 1)}]})
    assert e.value.pointer == "/milestones/0/due"
    assert "the facts root" in str(FactsError("facts larger than 4 MiB of JSON"))
    with pytest.raises(FactsError, match="not text"):
        rules.facts_handle({"a": {1: "one"}})
    assert rules.evaluate({"+": [{"var": "a"}, 0]}, {"a": 2**70}) == float(2**70)  # a number, read as JavaScript does


def test_non_finite_numbers_in_facts_read_as_missing():
    compiled = rules.compile_rule({">=": [{"var": "npv"}, 0]})
    assert compiled.apply({"npv": float("nan")}) is True  # null >= 0, as JsonLogic has it
    assert compiled.check({"npv": float("inf")}) == rules.Check(False, ("npv",), None)


@pytest.mark.parametrize("facts", [
    {"s": "\x01" * 800_000}, {"s": '"' * 2_100_000}, ["\x01"] * 700_000, [-1.2345678901234567e-300] * 180_000,
    {f"\x01{i}": None for i in range(300_000)}, {"s": "\U0001F600" * 1_100_000},
], ids=["control-chars", "quotes", "short-escaped-strings", "long-floats", "escaped-keys", "emoji"])
def test_the_size_cap_is_the_size_of_the_compact_json(facts):
    """The walk bounds the JSON size without serialising; where the bounds straddle the cap it measures."""
    size = len(json.dumps(facts, ensure_ascii=False, separators=(",", ":")).encode())
    if size > rules.FACTS_MAX_BYTES:
        with pytest.raises(FactsError, match="larger than 4 MiB"):
            rules.facts_handle(facts)
    else:
        rules.facts_handle(facts)
    assert abs(size - rules.FACTS_MAX_BYTES) < 3 * rules.FACTS_MAX_BYTES  # near the cap, where it matters


# -- work budget --------------------------------------------------------------------

THREE_MAPS = {"map": [list(range(100)), {"map": [list(range(100)), {"map": [list(range(100)), 1]}]}]}


def test_three_nested_maps_exceed_the_work_budget():
    started = time.perf_counter()
    with pytest.raises(RuleError, match="exceeded its work budget of 100000 operations"):
        rules.evaluate(THREE_MAPS, {})
    compiled = rules.compile_rule(THREE_MAPS)
    with pytest.raises(RuleError, match="work budget"):
        compiled.apply({})
    with pytest.raises(RuleError, match="work budget") as from_check:
        compiled.check({})  # the rule is at fault: not silently "not met"
    assert from_check.value.pointer == "/map/1/map/1"
    assert time.perf_counter() - started < 5


def test_string_and_array_blowups_are_bounded():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    with pytest.raises(RuleError):  # JsonLogic has no format strings: % on text is NaN
        rules.evaluate({"%": ["%010000000d", 1]}, {})
    doubling = {"reduce": [list(range(64)), {"cat": [{"var": "accumulator"}, {"var": "accumulator"}]}, "x"]}
    with pytest.raises(RuleError, match="work budget"):
        rules.evaluate(doubling, {})
    merging = {"reduce": [list(range(64)), {"merge": [{"var": "accumulator"}, {"var": "accumulator"}]}, [1]]}
    with pytest.raises(RuleError, match="work budget"):
        rules.evaluate(merging, {})
    with pytest.raises(RuleError, match="work budget"):  # 1000 copies of 3 MiB would be 3 GiB
        rules.evaluate({"cat": [{"var": "s"}] * 1000}, {"s": "x" * (3 * 1024 * 1024)})
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 200


# -- operators ----------------------------------------------------------------------

def test_unknown_operator_names_the_operator_and_where():
    with pytest.raises(RuleError) as e:
        rules.compile_rule({"and": [True, {"or": [{"foo": [1]}]}]})
    assert e.value.problem == "unknown operator 'foo'"
    assert e.value.pointer == "/and/1/or/0"
    assert str(e.value) == "unknown operator 'foo' at /and/1/or/0"
    with pytest.raises(RuleError) as e:
        rules.compile_rule({"/": [1, {"bar": 2}]})
    assert e.value.pointer == "/~1/1"


@pytest.mark.parametrize("rule", [
    {"val": "a"}, {"upper": "a"}, {"now": []}, {"throw": "x"}, {"try": [1, 2]}, {"log": 1},
    {"method": ["a", "upper"]}, {"length": "abc"}, {"keys": {"var": ""}}, {"sem_ver": [1, "=", 2]},
])
def test_operators_outside_the_allow_list_are_refused(rule):
    with pytest.raises(RuleError, match=f"unknown operator '{next(iter(rule))}'"):
        rules.compile_rule(rule)


def test_allow_list_is_the_suite_operators():
    assert len(rules.JSONLOGIC_OPERATORS) == 34
    assert {"var", "missing_some", "?:", "reduce", "substr"} <= rules.JSONLOGIC_OPERATORS
    assert not {"val", "log", "throw"} & rules.JSONLOGIC_OPERATORS


def test_wrong_argument_counts():
    with pytest.raises(RuleError, match="'!=' takes exactly 2 arguments, not 1") as e:
        rules.compile_rule({"and": [{"!=": [1]}]})
    assert e.value.pointer == "/and/0"
    with pytest.raises(RuleError, match="never evaluated"):
        rules.compile_rule({"!=": [1, 2, 3]})
    with pytest.raises(RuleError, match="'days_since' takes 1 to 2 arguments, not 3"):
        rules.compile_rule({"days_since": ["2025-01-01", "2025-01-02", 3]})


def test_object_with_several_keys_is_not_an_operator():
    with pytest.raises(RuleError, match="2 keys is not an operator call"):
        rules.compile_rule({"and": [1], "or": [2]})


def test_registered_operator_is_used_and_checked():
    ops = OperatorSet.default()
    ops.register("sum_value", lambda items, key: sum(i.get(key) or 0 for i in items or []),
                 min_args=2, max_args=2, doc="Sum ``key`` over a list of objects.")
    rule = {">=": [{"sum_value": [{"var": "benefits"}, "amount"]}, 100]}
    compiled = rules.compile_rule(rule, operators=ops)
    assert compiled.check({"benefits": [{"amount": 60}, {"amount": 50}]}).passed
    assert not compiled.check({"benefits": [{"amount": 60}]}).passed
    assert "sum_value" in ops and list(ops) == ["days_since", "days_until", "sum_value"]
    with pytest.raises(RuleError, match="'sum_value' takes 2 arguments, not 1"):
        rules.compile_rule({"sum_value": [[]]}, operators=ops)
    with pytest.raises(RuleError, match="unknown operator 'sum_value'"):
        rules.compile_rule(rule)  # the default set does not know it


def test_registered_operator_failing_on_data():
    ops = OperatorSet()
    ops.register("boom", lambda x: 1 / x, min_args=1, max_args=1)
    compiled = rules.compile_rule({"boom": {"var": "x"}}, operators=ops)
    assert compiled.apply({"x": 2}) == 0.5
    assert compiled.check({"x": 0}) == rules.Check(False, (), None)
    with pytest.raises(RuleError, match="failed on these facts"):
        compiled.apply({"x": 0})


@pytest.mark.parametrize("name", ["and", "var", "?:", "upper", "val", "throw", "log", "match"])
def test_shadowing_a_built_in_is_refused(name):
    with pytest.raises(ValueError, match="shadow a built-in"):
        OperatorSet().register(name, lambda *a: None)


def test_registering_twice_or_badly_is_refused():
    ops = OperatorSet.default()
    with pytest.raises(ValueError, match="already registered"):
        ops.register("days_since", lambda *a: None)
    with pytest.raises(ValueError):
        ops.register("", lambda *a: None)
    with pytest.raises(ValueError):
        ops.register("x", "not callable")


def test_registering_after_use_rebuilds_the_engine_and_keeps_old_rules():
    ops = OperatorSet()
    ops.register("one", lambda: 1)
    first = rules.compile_rule({"one": []}, operators=ops)
    ops.register("two", lambda: 2)
    assert first.apply({}) == 1
    assert rules.compile_rule({"+": [{"one": []}, {"two": []}]}, operators=ops).apply({}) == 3


# -- platform operators -------------------------------------------------------------

def test_days_since_and_until_with_a_reference_date():
    facts = {"start": "2025-01-01", "due": "2025-03-01T23:30:00-02:00", "today": "2025-02-01"}
    assert rules.evaluate({"days_since": [{"var": "start"}, {"var": "today"}]}, facts) == 31
    assert rules.evaluate({"days_until": [{"var": "due"}, {"var": "today"}]}, facts) == 29  # 01:30Z on 2 March
    assert rules.evaluate({"days_since": ["2025-02-01T00:00:00Z", "2025-02-01"]}, {}) == 0
    assert rules.evaluate({"days_until": ["2025-01-01", "2025-02-01"]}, {}) == -31


def test_days_since_uses_today_in_utc():
    today = datetime.now(timezone.utc).date()
    week_ago = (today - timedelta(days=7)).isoformat()
    assert rules.evaluate({"days_since": {"var": "d"}}, {"d": week_ago}) == 7
    assert rules.evaluate({"days_until": week_ago}, {}) == -7


@pytest.mark.parametrize("value", [None, "", "soon", "2025-13-01", 20250101, [], {"y": 2025}])
def test_days_since_of_nothing_or_nonsense_is_null(value):
    assert rules.evaluate({"days_since": {"var": "d"}}, {"d": value}) is None
    assert rules.evaluate({"days_since": ["2025-01-01", {"var": "d"}]}, {"d": value}) is None


def test_days_since_in_a_criterion():
    stale = rules.compile_rule({"<=": [{"days_since": [{"var": "updated"}, {"var": "today"}]}, 30]})
    assert stale.check({"updated": "2025-01-20", "today": "2025-02-01"}).passed
    assert not stale.check({"updated": "2024-11-01", "today": "2025-02-01"}).passed


# -- process hygiene ----------------------------------------------------------------

def test_import_builds_no_engine_and_pulls_in_no_framework():
    code = ("import sys, steerco.rules as r\n"
            "from steerco.rules import engine, operators\n"
            "assert engine._default_operators.cache_info().currsize == 0\n"
            "assert operators.builtin_names.cache_info().currsize == 0\n"
            "bad = [m for m in ('flask', 'flask_appbuilder', 'sqlalchemy', 'pluggy') if m in sys.modules]\n"
            "assert not bad, bad\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=None)
    assert done.returncode == 0, done.stderr


def test_compiled_rules_are_shared_across_threads():
    compiled = rules.compile_rule({"and": [{">=": [{"var": "n"}, 50]}, {"!!": {"var": "owner"}}]})
    facts = [{"n": i, "owner": "o" if i % 3 else None} for i in range(100)]
    expected = [compiled.check(f) for f in facts]
    results = {}

    def run(k):
        handles = [rules.facts_handle(f) for f in facts]
        results[k] = [compiled.check_handle(h) for h in handles for _ in range(20)][::20]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[k] == expected for k in range(8))
