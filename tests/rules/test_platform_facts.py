"""Facts the platform built (PlatformFacts) skip the facts walk; everything else keeps every cap."""

import json

import pytest

from steerco import rules
from steerco.rules import FactsError, PlatformFacts, RuleError
from steerco.rules import engine as rules_engine

from test_conformance import CASES, require_suite, same
from test_guards import THREE_MAPS, deep_list, in_small_stack_thread

MEASURE = {"code": "M-0001", "doi": 1, "sponsor": "bob", "potential": 400000.0, "risk": {"score": 9},
           "milestones": [{"title": "Kick-off", "due": "2026-12-01", "done": False}], "fields": {"tags": ["a"]}}


@pytest.fixture
def scans(monkeypatch):
    """Counts the depth scans facts_handle runs."""
    seen = []
    real = rules_engine.scan_facts

    def counting(data):
        seen.append(data)
        real(data)

    monkeypatch.setattr(rules_engine, "scan_facts", counting)
    return seen


# -- (a) platform facts skip the scan and give the same results ---------------------

def test_platform_facts_skip_the_depth_scan(scans):
    handle = rules.facts_handle(PlatformFacts(MEASURE))
    assert scans == []
    assert handle.data == MEASURE and rules.is_platform_facts(handle.data)
    rules.facts_handle(MEASURE)
    assert scans == [MEASURE]


@pytest.mark.parametrize("outside", [
    dict(PlatformFacts(MEASURE)), {**PlatformFacts(MEASURE)}, json.loads(json.dumps(PlatformFacts(MEASURE))),
    type("Sub", (PlatformFacts,), {})(MEASURE),
], ids=["dict-copy", "unpacked", "json-round-trip", "subclass"])
def test_only_the_exact_type_is_trusted(scans, outside):
    assert not rules.is_platform_facts(outside)
    rules.facts_handle(outside)
    assert len(scans) == 1


def test_platform_facts_are_still_a_plain_json_mapping():
    facts = PlatformFacts(MEASURE)
    assert isinstance(facts, dict) and facts == MEASURE
    assert json.loads(json.dumps(facts)) == MEASURE
    assert type(dict(facts)) is dict


def test_the_conformance_suite_gives_identical_results_on_platform_facts(scans):
    require_suite()
    covered = 0
    for case_id, rule, data, expected in CASES:
        if not isinstance(data, dict):
            continue  # the facts of a measure are an object; the suite also has arrays and scalars
        covered += 1
        trusted = PlatformFacts(data)
        compiled = rules.compile_rule(json.dumps(rule))
        assert same(rules.evaluate(rule, trusted), expected), case_id
        assert same(compiled.apply(trusted), rules.evaluate(rule, data)), case_id
        assert compiled.check(trusted) == compiled.check(data), case_id
        handle = rules.facts_handle(trusted)
        assert compiled.check_handle(handle) == compiled.check_handle(rules.facts_handle(data)), case_id
    assert covered >= 150
    assert all(not rules.is_platform_facts(d) for d in scans)  # only the plain copies were scanned


# -- (b) facts from outside are still refused when too deep -------------------------

def test_deep_outside_facts_are_refused_with_a_clear_error():
    compiled = rules.compile_rule({"var": "a"})
    with pytest.raises(FactsError, match="facts nested deeper than 32 levels at /a/0/0/"):
        compiled.check({"a": deep_list(40)})
    with pytest.raises(FactsError, match="facts nested deeper than 32 levels") as e:
        compiled.check({"a": deep_list(20000)})  # would crash the engine if it got through
    assert e.value.pointer.startswith("/a/0/0/") and "the facts root" not in str(e.value)
    with pytest.raises(FactsError):
        in_small_stack_thread(lambda: compiled.check({"a": deep_list(5000)}))


def test_outside_data_added_to_platform_facts_makes_them_outside_facts_again():
    mixed = {**PlatformFacts(MEASURE), "payload": deep_list(20000)}
    with pytest.raises(FactsError, match="nested deeper than 32 levels at /payload/0/0/"):
        rules.facts_handle(mixed)


# -- (c) the other caps hold for platform facts -------------------------------------

def test_platform_facts_are_not_walked_and_the_budget_still_bounds_the_work():
    big = PlatformFacts({"blob": "x" * (4 * 1024 * 1024 + 1), "n": 1})
    assert rules.facts_handle(big).facts == big  # the builder guarantees JSON values: no walk, no size cap
    with pytest.raises(FactsError, match="larger than 4 MiB"):
        rules.facts_handle(dict(big))  # the same values from outside are capped
    with pytest.raises(RuleError, match="work budget"):  # 200 copies of 4 MiB would be 800 MiB
        rules.evaluate({"cat": [{"var": "blob"}] * 200}, big)
    assert rules.evaluate({"+": [{"var": "n"}, 1]}, big) == 2


def test_platform_facts_keep_the_work_budget():
    compiled = rules.compile_rule(THREE_MAPS)
    with pytest.raises(RuleError, match="exceeded its work budget of 100000 operations") as e:
        compiled.check(PlatformFacts(MEASURE))
    assert e.value.pointer == "/map/1/map/1"
    per_item = rules.compile_rule({"map": [{"var": "xs"}, {"map": [list(range(100)), {"map": [[1, 2, 3], 1]}]}]})
    assert len(per_item.apply(PlatformFacts({"xs": list(range(10))}))) == 10  # the size of the facts decides
    with pytest.raises(RuleError, match="work budget"):
        per_item.check(PlatformFacts({"xs": list(range(1000))}))
