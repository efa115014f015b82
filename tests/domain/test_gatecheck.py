from datetime import date

from steerco.domain.gatecheck import check_gate
from steerco.domain.measure import Milestone, Risk

from .factories import default_model, measure, tree, user


def setup():
    _root, a, _b = tree()
    alice = user("alice")
    return measure(a, alice), alice


def test_identified_gate_fails_without_sponsor_and_explains():
    m, _ = setup()
    result = check_gate(default_model().gate_for(1), m.facts(date(2026, 11, 2)))
    assert not result.passed
    failed = {f.criterion: f for f in result.failed}
    assert "sponsor_named" in failed
    assert failed["sponsor_named"].explanation.startswith("Name the sponsor")
    assert "value missing: sponsor" in failed["sponsor_named"].explanation
    assert failed["potential_estimated"].missing == ("potential",)


def test_identified_gate_passes_when_complete():
    m, _ = setup()
    m.sponsor, m.controller = user("bob"), user("carol")
    m.apply_changes({"potential": "250000", "baseline": 1000000, "target": 750000}, {})
    result = check_gate(default_model().gate_for(1), m.facts(date(2026, 11, 2)))
    assert result.passed, result.failed
    assert result.score == 0.0  # no description, no risks: should-meet only
    assert result.min_score == 0


def test_should_meet_score_below_minimum_fails():
    m, _ = setup()
    m.milestones = [Milestone("Pilot", date(2027, 1, 1))]
    m.risks = [Risk("Supplier", 2, 2)]
    m.fields = {"one_time_cost": "5000.00"}
    facts = m.facts(date(2026, 11, 2), milestones=m.milestones, risks=m.risks)
    result = check_gate(default_model().gate_for(2), facts)
    # go-live (weight 2) missing, positive case missing potential: score 0 < 50
    assert result.score == 0.0
    codes = [f.criterion for f in result.failed]
    assert "min_score" in codes and "evidence:business_case" in codes


def test_all_milestones_done_needs_milestones():
    m, _ = setup()
    gate = default_model().gate_for(4)
    assert not check_gate(gate, m.facts(date(2026, 11, 2))).passed
    ms = Milestone("Roll-out", date(2027, 1, 1))
    ms.done_on = date(2026, 12, 1)
    facts = m.facts(date(2026, 11, 2), milestones=[ms])
    result = check_gate(gate, facts)
    assert [r.passed for r in result.results if r.kind == "must_meet"] == [True]


def test_closure_gate_flags_controller_who_is_owner():
    m, alice = setup()
    m.controller = alice
    result = check_gate(default_model().gate_for(5), m.facts(date(2026, 11, 2)))
    seg = [r for r in result.results if r.kind == "segregation"][0]
    assert not seg.passed and "someone other than the owner" in seg.explanation


def test_open_conditions_block_the_next_gate():
    m, _ = setup()
    result = check_gate(default_model().gate_for(1), m.facts(date(2026, 11, 2), open_conditions=2))
    assert any(f.criterion == "conditions_cleared" for f in result.failed)
