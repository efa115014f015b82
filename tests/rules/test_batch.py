"""CheckBatch: a gate's rules checked together, with the results of checking each on its own."""

import json

import pytest

from steerco import rules
from steerco.rules import CheckBatch, OperatorSet, PlatformFacts, RuleError

from test_conformance import CASES, require_suite
from test_guards import THREE_MAPS

GATE = [
    {"!!": {"var": "sponsor"}},
    {">": [{"var": "potential"}, 0]},
    {"!": {"missing": ["baseline", "target"]}},
    {"all": [{"var": "milestones"}, {"!!": {"var": "due"}}]},
    {"<=": [{"var": "risk.score"}, 12]},
    {"/": [{"var": "potential"}, {"var": "zero"}]},  # fails on the facts: not met, not an error
    {"var": "tags"},  # a list result: not hashable, still checked
    {"cat": ["a", {"var": "sponsor"}]},
]
FACTS = [
    {},
    {"sponsor": "bob", "potential": 5.0, "baseline": 1, "target": 2, "zero": 0, "tags": ["x"],
     "milestones": [{"due": "2026-01-01"}, {"due": None}], "risk": {"score": 3}},
    {"sponsor": "", "potential": None, "risk": {}, "milestones": [], "tags": []},
    {"sponsor": "\x00steerco:", "potential": "12", "risk": {"score": 20}, "zero": 2},
]


def one_by_one(compiled, handle):
    return [c.check_handle(handle) for c in compiled]


@pytest.mark.parametrize("facts", FACTS, ids=range(len(FACTS)))
def test_batch_equals_checking_each_rule(facts):
    compiled = [rules.compile_rule(r) for r in GATE]
    batch = CheckBatch(compiled)
    for data in (facts, PlatformFacts(facts)):
        handle = rules.facts_handle(data)
        assert batch.answer(handle) == tuple(one_by_one(compiled, handle))
        assert batch.check_handle(handle) == one_by_one(compiled, handle)


def test_batch_equals_checking_each_rule_on_the_conformance_suite():
    require_suite()
    compiled = [rules.compile_rule(json.dumps(rule)) for _, rule, _, _ in CASES]
    for start in range(0, len(compiled), 10):  # gate-sized batches, against every case's facts
        group = compiled[start:start + 10]
        batch = CheckBatch(group)
        for case_id, _, data, _ in CASES:
            handle = rules.facts_handle(data)
            assert batch.check_handle(handle) == one_by_one(group, handle), (start, case_id)


def test_each_rule_of_a_batch_has_its_own_budget():
    heavy = rules.compile_rule({"some": [{"var": "xs"}, {">": [{"var": ""}, 10**6]}]})  # 2 operations per item
    handle = rules.facts_handle(PlatformFacts({"xs": list(range(40_000))}))
    assert heavy.check_handle(handle).passed is False  # 80,000 operations: within its own budget
    batch = CheckBatch([heavy, heavy, heavy])
    assert batch.check_handle(handle) == one_by_one([heavy] * 3, handle)  # 240,000 together
    over = rules.facts_handle(PlatformFacts({"xs": list(range(60_000))}))
    with pytest.raises(RuleError, match="work budget"):
        batch.check_handle(over)


def test_a_rule_over_its_own_budget_raises_as_on_its_own():
    handle = rules.facts_handle({"sponsor": "bob"})
    batch = CheckBatch([rules.compile_rule({"!!": {"var": "sponsor"}}), rules.compile_rule(THREE_MAPS)])
    with pytest.raises(RuleError, match="exceeded its work budget of 100000 operations") as e:
        batch.check_handle(handle)
    assert e.value.pointer == "/map/1/map/1"


def test_rules_compiled_with_different_operators_check_together():
    ops = OperatorSet.default()
    ops.register("double", lambda x: 2 * x, min_args=1, max_args=1)
    mine = rules.compile_rule({"==": [{"double": [{"var": "n"}]}, 4]}, operators=ops)
    plain = rules.compile_rule({"==": [{"var": "n"}, 2]})
    batch = CheckBatch([mine, plain])
    handle = rules.facts_handle({"n": 2})
    assert [c.passed for c in batch.check_handle(handle)] == [True, True]


def test_empty_batch_and_wrong_argument():
    assert CheckBatch([]).check_handle(rules.facts_handle({})) == []
    with pytest.raises(TypeError, match="needs a FactsHandle"):
        CheckBatch([rules.compile_rule({"var": "a"})]).check_handle({"a": 1})
