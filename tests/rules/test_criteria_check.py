"""CompiledRule.check: null-strict criteria, the missing list, handle and dict paths agreeing."""

import pytest

from steerco import rules
from steerco.rules import Check


def check(rule, facts) -> Check:
    return rules.compile_rule(rule).check(facts)


RISK_OK = {"<=": [{"var": "risk.score"}, 12]}


def test_standard_jsonlogic_lets_a_missing_value_pass_but_check_does_not():
    assert rules.evaluate(RISK_OK, {}) is True
    assert check(RISK_OK, {}) == Check(False, ("risk.score",), None)
    assert check(RISK_OK, {"risk": None}) == Check(False, ("risk.score",), None)
    assert check(RISK_OK, {"risk": {"score": None}}) == Check(False, ("risk.score",), None)
    assert check(RISK_OK, {"risk": {"score": 5}}) == Check(True, (), True)
    assert check(RISK_OK, {"risk": {"score": 20}}) == Check(False, (), False)


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!=", "===", "!=="])
def test_every_comparison_is_strict(op):
    rule = {op: [{"var": "x"}, 0]}
    assert check(rule, {}) == Check(False, ("x",), None)
    assert check({op: [0, {"var": "x"}]}, {"x": None}).missing == ("x",)


@pytest.mark.parametrize("rule", [
    {">=": [{"+": [{"var": "capex"}, {"var": "opex"}]}, 0]},
    {">=": [{"-": [{"var": "capex"}, 1]}, 0]},
    {">=": [{"*": [{"var": "capex"}, 2]}, 0]},
    {"<=": [{"/": [{"var": "capex"}, 2]}, 10]},
    {"<=": [{"%": [{"var": "capex"}, 2]}, 10]},
    {"<=": [{"max": [{"var": "capex"}, 1]}, 10]},
    {"<=": [{"min": [{"var": "capex"}, 1]}, 10]},
    {"!": {"in": [{"var": "capex"}, [1, 2]]}},
    {"!": {"in": ["a", {"var": "capex"}]}},
])
def test_arithmetic_and_in_operands_are_strict(rule):
    result = check(rule, {"opex": 1})
    assert not result.passed and "capex" in result.missing


def test_empty_text_counts_as_missing_for_ordering_and_arithmetic_only():
    assert rules.evaluate({">=": [{"var": "npv"}, 0]}, {"npv": ""}) is True  # JsonLogic reads "" as 0
    assert check({">=": [{"var": "npv"}, 0]}, {"npv": ""}) == Check(False, ("npv",), None)
    assert check({"==": [{"var": "note"}, ""]}, {"note": ""}).passed


def test_a_negated_comparison_is_still_strict():
    rule = {"!": {">": [{"var": "risk"}, 12]}}
    assert rules.evaluate(rule, {}) is True
    assert check(rule, {}) == Check(False, ("risk",), None)
    assert check(rule, {"risk": 3}).passed


def test_inequality_with_a_missing_value_does_not_pass():
    rule = {"!=": [{"var": "status"}, "cancelled"]}
    assert rules.evaluate(rule, {}) is True
    assert check(rule, {}).missing == ("status",)


def test_comparing_with_a_literal_null_is_an_explicit_test():
    assert check({"==": [{"var": "closed_on"}, None]}, {}).passed
    assert check({"!=": [None, {"var": "closed_on"}]}, {"closed_on": "2025-01-01"}).passed


def test_a_default_counts_as_present():
    assert check({">=": [{"var": ["budget", 0]}, 0]}, {}).passed
    assert check({"<=": [{"var": ["risk.score", 99]}, 12]}, {}) == Check(False, (), False)


def test_not_and_double_not_are_not_strict_but_report_missing_values():
    assert check({"!": {"var": "on_hold"}}, {}).passed
    assert check({"!!": {"var": "sponsor"}}, {}) == Check(False, ("sponsor",), False)
    assert check({"!!": {"var": "sponsor"}}, {"sponsor": ""}) == Check(False, ("sponsor",), False)
    assert check({"!!": {"var": "sponsor"}}, {"sponsor": "ann"}) == Check(True, (), True)


def test_missing_and_missing_some_are_handled_by_the_rule():
    rule = {"!": {"missing": ["owner", "sponsor"]}}
    assert check(rule, {"owner": "a", "sponsor": "b"}).passed
    assert check(rule, {"owner": "a"}) == Check(False, ("sponsor",), False)
    some = {"!": {"missing_some": [1, ["email", "phone"]]}}
    assert check(some, {"phone": "1"}).passed
    assert check(some, {}) == Check(False, ("email", "phone"), False)


def test_missing_counts_null_and_empty_text_as_missing():
    """As json-logic-js does: facts carry every key (null when unset), so presence alone proves nothing."""
    assert rules.evaluate({"missing": ["a", "b", "c"]}, {"a": None, "b": "", "c": 0}) == ["a", "b"]
    rule = {"!": {"missing": ["baseline", "target"]}}
    assert check(rule, {"baseline": None, "target": None}) == Check(False, ("baseline", "target"), False)
    assert check(rule, {"baseline": "", "target": 5}) == Check(False, ("baseline",), False)
    assert check(rule, {"baseline": 0, "target": 5}).passed
    some = {"!": {"missing_some": [1, ["email", "phone"]]}}
    assert check(some, {"email": None, "phone": ""}) == Check(False, ("email", "phone"), False)
    assert check(some, {"email": None, "phone": "555"}).passed
    nested = {"!": {"missing": ["fields.one_time_cost"]}}
    assert check(nested, {"fields": {"one_time_cost": None}}) == Check(False, ("fields.one_time_cost",), False)


def test_if_conditions_are_not_strict_and_untaken_branches_do_not_matter():
    rule = {"if": [{">": [{"var": "capex"}, 0]}, {">=": [{"var": "npv"}, 0]}, True]}
    assert check(rule, {}).passed  # no capex: the rule says that is fine
    assert check(rule, {"capex": 5}) == Check(False, ("npv",), None)
    assert check(rule, {"capex": 5, "npv": 1}).passed
    guarded = {"or": [{"!": {"var": "has_capex"}}, {">=": [{"var": "capex"}, 0]}]}
    assert check(guarded, {}).passed
    assert check(guarded, {"has_capex": True}).missing == ("capex",)


def test_missing_lists_every_absent_read_in_rule_order_once():
    rule = {"and": [{">=": [{"var": "b"}, 1]}, {"!!": {"var": "c"}}, {"<=": [{"var": "a"}, 2]},
                    {"==": [{"var": "b"}, 3]}, {"!!": {"var": "present"}}]}
    assert check(rule, {"present": 1, "c": ""}) == Check(False, ("b", "c", "a"), None)


def test_missing_is_reported_when_the_check_fails_for_another_reason():
    rule = {"and": [{">=": [{"var": "score"}, 10]}, {"!!": {"var": "sponsor"}}]}
    assert check(rule, {"score": 5}) == Check(False, ("sponsor",), False)
    assert check(rule, {"score": 50, "sponsor": "x"}) == Check(True, (), True)


def test_nested_paths_and_list_indexes():
    rule = {"and": [{">=": [{"var": "risk.score"}, 3]}, {"!!": {"var": "milestones.0.due"}}]}
    assert check(rule, {"risk": {"score": 4}, "milestones": [{"due": "2025-01-01"}]}).passed
    assert check(rule, {"risk": {"score": 4}, "milestones": []}).missing == ("milestones.0.due",)
    assert check(rule, {"risk": "high", "milestones": [{}]}).missing == ("risk.score", "milestones.0.due")


ALL_DUE = {"all": [{"var": "milestones"}, {"!!": {"var": "due"}}]}


def test_all_over_milestones():
    assert check(ALL_DUE, {"milestones": [{"due": "2025-01-01"}, {"due": "2025-02-01"}]}).passed
    assert check(ALL_DUE, {"milestones": [{"due": "2025-01-01"}, {"due": None}]}) == Check(False, (), False)
    assert check(ALL_DUE, {"milestones": []}) == Check(False, (), False)  # JsonLogic: all of nothing is false
    assert check(ALL_DUE, {}) == Check(False, ("milestones",), False)


def test_strict_operands_inside_an_array_operator_are_checked_per_item():
    rule = {"all": [{"var": "milestones"}, {"<=": [{"var": "cost"}, 100]}]}
    facts = {"milestones": [{"cost": 10}, {"title": "no cost"}]}
    assert rules.evaluate(rule, facts) is True
    assert check(rule, facts) == Check(False, ("milestones.*.cost",), None)
    total = {">=": [{"reduce": [{"var": "benefits"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]}, 10]}
    assert check(total, {"benefits": [5, 6]}).passed
    assert check(total, {"benefits": [5, None, 6]}).missing == ("benefits.*",)


def test_per_item_paths_compose_through_nested_scopes():
    rule = {"some": [{"var": "projects"}, {"all": [{"var": "tasks"}, {">=": [{"var": "pct"}, 50]}]}]}
    facts = {"projects": [{"tasks": [{"pct": 60}, {"title": "no pct"}]}]}
    assert check(rule, facts) == Check(False, ("projects.*.tasks.*.pct",), None)
    assert check(rule, {"projects": [{"tasks": [{"pct": 60}]}]}).passed


def test_repeated_failures_are_reported_afresh_for_each_facts():
    """Failure answers are remembered per rule: the memo must never leak one measure's paths into another's."""
    compiled = rules.compile_rule({"and": [{">=": [{"var": "a"}, 1]}, {">=": [{"var": "b"}, 1]}, {"!!": {"var": "c"}}]})
    cases = [({}, ("a", "b", "c")), ({"a": 1}, ("b", "c")), ({"a": 1, "b": 1}, ("c",)), ({"b": 1, "c": 1}, ("a",)),
             ({"a": 0, "b": 1, "c": 1}, ()), ({"a": 1, "b": 1, "c": 1}, ())]
    for _ in range(3):
        for facts, missing in cases:
            assert compiled.check(facts).missing == missing, facts
    assert compiled.check({"a": 1, "b": 1, "c": 1}).passed


def test_non_boolean_results_use_engine_truthiness():
    assert check({"var": "n"}, {"n": 5}) == Check(True, (), 5)
    assert check({"var": "n"}, {"n": 0}) == Check(False, (), 0)
    assert check({"var": "n"}, {"n": "0"}).passed
    assert not check({"var": "n"}, {"n": []}).passed
    assert check({"var": "n"}, {"n": [0]}).passed


def test_a_rule_failing_on_the_facts_does_not_pass():
    rule = {">": [{"/": [{"var": "benefit"}, {"var": "cost"}]}, 1]}
    assert check(rule, {"benefit": 5, "cost": 0}) == Check(False, (), None)
    assert check(rule, {"benefit": 5, "cost": 2}).passed


def test_handle_check_equals_dict_check():
    criteria = [RISK_OK, ALL_DUE, {"in": [{"var": "sponsor"}, ["ann", "bob"]]},
                {"and": [{">=": [{"var": "value.planned"}, 1000]}, {"!!": {"var": "owner"}}]},
                {"<=": [{"days_since": [{"var": "updated"}, {"var": "today"}]}, 30]}]
    facts = [{}, {"sponsor": "ann", "risk": {"score": 3}, "milestones": [{"due": "2025-01-01"}]},
             {"sponsor": None, "risk": {"score": 30}, "value": {"planned": 5000}, "owner": "cy"},
             {"updated": "2025-01-01", "today": "2025-01-10", "milestones": [{"due": None}]}]
    for rule in criteria:
        compiled = rules.compile_rule(rule)
        for f in facts:
            handle = rules.facts_handle(f)
            assert compiled.check_handle(handle) == compiled.check(f) == compiled.check(handle)


def test_check_handle_wants_a_handle():
    with pytest.raises(TypeError, match="FactsHandle"):
        rules.compile_rule(RISK_OK).check_handle({"risk": {"score": 1}})


def test_reads_lists_root_paths_in_rule_order_and_match_the_engine():
    rule = {"and": [{">=": [{"var": "risk.score"}, 3]}, {"in": [{"var": "sponsor"}, ["a", "b"]]},
                    ALL_DUE, {"var": ["budget", 0]}, {"!": {"missing": ["owner"]}}, {"!!": {"var": "sponsor"}}]}
    compiled = rules.compile_rule(rule)
    assert compiled.reads == ("risk.score", "sponsor", "milestones", "budget", "owner")
    assert compiled.reads_complete
    assert not rules.compile_rule({"var": {"cat": ["a", "b"]}}).reads_complete
    assert not rules.compile_rule({"missing": {"merge": [["a"], {"var": "extra"}]}}).reads_complete
    assert not rules.compile_rule({"missing_some": [1, {"if": [True, ["a"], ["b"]]}]}).reads_complete
    assert rules.compile_rule({"missing_some": [1, ["a", "b"]]}).reads == ("a", "b")


def test_compiled_rule_keeps_its_own_copy_of_the_source():
    rule = {"<=": [{"var": "x"}, 3]}
    compiled = rules.compile_rule(rule)
    rule["<="][1] = 99
    assert compiled.source == {"<=": [{"var": "x"}, 3]}
    assert compiled.text == '{"<=":[{"var":"x"},3]}'
    assert rules.compile_rule(compiled.text).source == compiled.source
