"""check_gate on platform-built facts: same results as the scanned path and as one check per criterion."""

import dataclasses
import functools
import itertools
from datetime import date
from types import SimpleNamespace

from steerco import rules
from steerco.domain.gatecheck import CriterionResult, check_gate
from steerco.domain.measure import Milestone, Risk

from .factories import default_model, measure, tree, user

TODAY = date(2026, 11, 2)


def reference(gate, facts):
    """The criteria results as check_gate built them before plans: one check_handle per criterion."""
    handle = rules.facts_handle(dict(facts))
    out, got, total = [], 0.0, 0.0
    for c in gate.must_meet:
        res = c.compiled.check_handle(handle)
        explanation = "" if res.passed else (
            f"{c.explanation} (value missing: {', '.join(res.missing)})" if res.missing else c.explanation)
        out.append(CriterionResult(c.code, c.label, "must_meet", res.passed, explanation, res.missing))
    for c in gate.should_meet:
        res = c.compiled.check_handle(handle)
        total += c.weight
        got += c.weight if res.passed else 0.0
        explanation = "" if res.passed else (
            f"{c.explanation} (value missing: {', '.join(res.missing)})" if res.missing else c.explanation)
        out.append(CriterionResult(c.code, c.label, "should_meet", res.passed, explanation, res.missing, c.weight))
    return out, (round(100.0 * got / total, 2) if gate.should_meet else None)


def depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


def full_facts(m):
    """A measure's facts with every part filled in, as the services assemble them."""
    evidence = [SimpleNamespace(requirement="business_case", kind="file", store=None),
                SimpleNamespace(requirement="approval_recommendation", kind="link", store=None)]
    waivers = [SimpleNamespace(requirement="implementation_report")]
    done = Milestone("Pilot", date(2026, 10, 1))
    done.done_on = date(2026, 10, 2)
    value = {"currency": "EUR", "plan": 500000.0, "forecast": 450000.0, "actual": 100000.0,
             "cost": {"plan": 20000.0, "actual": 5000.0}, "by_category": {"savings": {"plan": 500000.0}},
             "plan_periods": 4, "forecast_periods": 4, "actual_periods": 1, "forecast_share_of_plan": 0.9,
             "actual_share_of_plan": 0.2, "closure_share": 0.2, "closure_required": 0.8}
    statuses = {"implementation": {"status": "at_risk", "derived": "on_track", "why": "late milestone",
                                   "override": {"status": "at_risk", "reason": "supplier", "by": "pmo",
                                                "at": "2026-11-01T09:00:00+00:00"}}}
    dependencies = [{"predecessor": "M-0002", "external": None, "predecessor_doi": 2, "description": None,
                     "blocking": True, "required_doi": 3}]
    return m.facts(TODAY, evidence=evidence, waivers=waivers, milestones=[done, Milestone("Roll-out")],
                   risks=[Risk("Supplier", 4, 5, "second source")], open_conditions=0, value=value,
                   statuses=statuses, dependencies=dependencies)


@functools.lru_cache(maxsize=1)
def _measures():
    return tuple(_build_measures())


def measures():
    """Facts of measures in varied states: empty, partly and fully filled in (built once; not mutated)."""
    return list(_measures())


def _build_measures():
    _root, a, _b = tree()
    alice = user("alice")
    empty = measure(a, alice)
    partial = measure(a, alice)
    partial.sponsor = user("bob")
    partial.apply_changes({"potential": "1200", "description": "Fewer suppliers"}, {})
    full = measure(a, alice)
    full.sponsor, full.controller = user("bob"), user("carol")
    full.apply_changes({"potential": "250000", "baseline": 1000000, "target": 750000, "description": "Scope",
                        "fields": {"lever": "procurement", "one_time_cost": "5000", "go_live_date": "2027-01-01",
                                   "achieved_value": "240000"}}, {})
    return [empty.facts(TODAY), partial.facts(TODAY, milestones=[Milestone("Pilot")]), full_facts(full),
            full_facts(empty)]


def test_measure_facts_are_platform_facts_and_shallow():
    for facts in measures():
        assert rules.is_platform_facts(facts)
        assert depth(facts) <= 4  # far below FACTS_MAX_DEPTH: the scan has nothing to find
    assert depth(measures()[2]) == 4


MODEL = default_model()


def test_platform_facts_give_the_results_of_the_scanned_path_and_of_one_check_per_criterion():
    model = MODEL
    for facts, gate in itertools.product(measures(), [model.gate_for(d) for d in range(1, 6)]):
        trusted = check_gate(gate, facts)
        scanned = check_gate(gate, dict(facts))
        assert trusted == scanned
        criteria, score = reference(gate, facts)
        assert [r for r in trusted.results if r.kind in ("must_meet", "should_meet")] == criteria
        assert trusted.score == score
    assert any(check_gate(model.gate_for(1), f).passed for f in measures())  # both outcomes covered
    assert not all(check_gate(model.gate_for(1), f).passed for f in measures())


def test_remembered_outcomes_do_not_leak_between_measures():
    gate = MODEL.gate_for(2)
    facts = measures()
    first = [check_gate(gate, f) for f in facts]
    again = [check_gate(gate, f) for f in reversed(facts)][::-1]
    assert first == again
    fresh = dataclasses.replace(gate)  # a new gate object: a new plan
    assert [check_gate(fresh, f) for f in facts] == first


def test_a_changed_gate_is_not_judged_by_the_old_plan():
    gate = MODEL.gate_for(1)
    facts = measures()[0]
    before = check_gate(gate, facts)
    looser = dataclasses.replace(gate, must_meet=gate.must_meet[:1], should_meet=())
    after = check_gate(looser, facts)
    assert [r.criterion for r in after.failed] == ["sponsor_named"]
    assert len(before.failed) > len(after.failed)


def small_gate(*criteria):
    from steerco.domain.governance import parse_model

    must = [{"code": f"c{i}", "label": f"C{i}", "rule": r, "explanation": f"Explain {i}"}
            for i, r in enumerate(criteria)]
    return parse_model({"code": "t", "name": "T", "levels": [
        {"doi": 0, "name": "A", "risk_weight": 0}, {"doi": 1, "name": "B", "risk_weight": 100}],
        "gates": [{"doi": 1, "name": "B", "must_meet": must}]}).gate_for(1)


def test_list_results_are_checked_without_being_remembered():
    gate = small_gate({"var": "tags"}, {"!!": {"var": "sponsor"}})
    for facts in ({"tags": ["a"], "sponsor": "bob"}, {"tags": [], "sponsor": None}, {"tags": ["a"]}):
        trusted = check_gate(gate, rules.PlatformFacts(facts))
        assert trusted == check_gate(gate, facts)
        assert [r for r in trusted.results if r.kind == "must_meet"] == reference(gate, facts)[0]
    assert [r.passed for r in check_gate(gate, {"tags": ["a"], "sponsor": "bob"}).results] == [True, True]


def test_a_criterion_over_its_work_budget_on_these_facts_is_not_met_and_says_why():
    items = {"map": [{"var": "xs"}, {"map": [list(range(100)), {"map": [[1, 2, 3], 1]}]}]}
    gate = small_gate({"!!": {"var": "sponsor"}}, items)
    assert check_gate(gate, rules.PlatformFacts({"sponsor": "bob", "xs": [1]})).passed
    check = check_gate(gate, rules.PlatformFacts({"sponsor": "bob", "xs": list(range(1000))}))
    assert not check.passed
    first, over = check.results
    assert first.passed and not over.passed
    assert "exceeded its work budget of 100000 operations" in over.explanation


def test_one_gate_checked_from_many_threads_at_once():
    from concurrent.futures import ThreadPoolExecutor

    gate = dataclasses.replace(MODEL.gate_for(1))  # a fresh plan, built under contention
    facts = measures() * 50
    expected = [check_gate(MODEL.gate_for(1), f) for f in facts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda f: check_gate(gate, f), facts))
    assert got == expected
