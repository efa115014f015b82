import pytest

from steerco.domain.errors import (
    AlreadyVoted,
    NotAnApprover,
    ReviewClosed,
    SegregationOfDuties,
    SelfApprovalNotAllowed,
    ValidationFailed,
)
from steerco.domain.gatecheck import check_gate
from steerco.domain.governance import parse_model
from steerco.domain.review import GateReview, apply_decision, tally

from .factories import NOW, default_config, default_model, measure, tree, user


def review_at(gate_doi=1, steps=None, model=None):
    root, a, b = tree()
    alice = user("alice", ("owner", a))
    pmo = user("paula", ("pmo", None))
    m = measure(a, alice)
    m.doi = gate_doi - 1
    model = model or default_model()
    gate = model.gate_for(gate_doi)
    facts = m.facts(NOW.date())
    r = GateReview(m, gate, alice, NOW, facts, check_gate(gate, facts), list(steps or gate.policy.steps))
    return r, gate, m, alice, pmo, (root, a, b)


def test_pmo_go_decides_and_moves_the_measure():
    r, gate, m, _alice, pmo, _ = review_at()
    vote, outcome = r.cast(gate, pmo, "go", "", NOW, eligible=1)
    assert outcome.decision == "go" and vote.principal is pmo
    assert apply_decision(m, r, "go") == {"doi": (0, 1)}


def test_owner_cannot_approve_own_measure():
    r, gate, _m, alice, _pmo, _ = review_at()
    alice.assignments.append(type(alice.assignments[0])("pmo", None))
    with pytest.raises(SelfApprovalNotAllowed) as e:
        r.cast(gate, alice, "go", "", NOW, eligible=1)
    assert e.value.reason == "self_approval"


def test_someone_without_the_role_is_not_an_approver():
    r, gate, _m, _alice, _pmo, (_root, _a, b) = review_at()
    other = user("otto", ("pmo", b))  # PMO of another programme only
    with pytest.raises(NotAnApprover):
        r.cast(gate, other, "go", "", NOW, eligible=1)


def test_negative_decision_needs_a_reason_and_decides():
    r, gate, _m, _alice, pmo, _ = review_at()
    with pytest.raises(ValidationFailed):
        r.cast(gate, pmo, "kill", "", NOW, eligible=1)
    _v, outcome = r.cast(gate, pmo, "kill", "no business case", NOW, eligible=1)
    assert outcome.decision == "kill"


def test_conditional_go_needs_conditions_with_dates():
    r, gate, _m, _alice, pmo, _ = review_at()
    with pytest.raises(ValidationFailed, match="condition"):
        r.cast(gate, pmo, "conditional_go", "", NOW, eligible=1)
    with pytest.raises(ValidationFailed):
        r.cast(gate, pmo, "conditional_go", "", NOW, eligible=1, conditions=[{"text": "x", "due_date": "soon"}])
    _v, outcome = r.cast(gate, pmo, "conditional_go", "", NOW, eligible=1,
                         conditions=[{"text": "Sign the contract", "due_date": "2027-01-31"}])
    assert outcome.decision == "conditional_go"


def test_decided_review_takes_no_more_votes():
    r, gate, _m, _alice, pmo, _ = review_at()
    r.cast(gate, pmo, "go", "", NOW, eligible=1)
    r.decide("go", NOW)
    with pytest.raises(ReviewClosed):
        r.cast(gate, user("p2", ("pmo", None)), "go", "", NOW, eligible=1)


def _model_with_step(step):
    d = default_config()["governance_models"][0]
    d["gates"][0]["approval"] = {"steps": [step]}
    return parse_model(d)


def test_quorum_two_of_three():
    model = _model_with_step({"name": "Committee", "roles": ["steering_committee"], "mode": "quorum", "quorum": 2})
    r, gate, _m, _alice, _pmo, (root, _a, _b) = review_at(model=model)
    sam, tara = user("sam", ("steering_committee", root)), user("tara", ("steering_committee", root))
    _v, out = r.cast(gate, sam, "go", "", NOW, eligible=3)
    assert out.decision is None and not out.step_passed
    with pytest.raises(AlreadyVoted):
        r.cast(gate, sam, "go", "", NOW, eligible=3)
    _v, out = r.cast(gate, tara, "go", "", NOW, eligible=3)
    assert out.decision == "go"


def test_quorum_lost_takes_the_prevailing_negative():
    step = {"name": "c", "roles": ["steering_committee"], "mode": "quorum", "quorum": 2}
    from steerco.domain.review import Vote

    votes = [Vote(0, None, "kill", "x", NOW), Vote(0, None, "hold", "x", NOW)]
    assert tally(step, votes, eligible=3).decision == "hold"  # tie: the milder
    votes.append(Vote(0, None, "kill", "x", NOW))
    assert tally(step, votes, eligible=4).decision == "kill"


def test_mode_all_waits_for_everyone_and_any_veto_decides():
    step = {"name": "c", "roles": ["x"], "mode": "all", "quorum": None}
    from steerco.domain.review import Vote

    assert not tally(step, [Vote(0, None, "go", "", NOW)], eligible=2).step_passed
    assert tally(step, [Vote(0, None, "go", "", NOW)] * 2, eligible=2).step_passed
    assert tally(step, [Vote(0, None, "go", "", NOW), Vote(0, None, "recycle", "r", NOW)], eligible=3).decision == "recycle"


def test_closure_controller_must_not_be_owner():
    r, gate, m, alice, _pmo, _ = review_at(gate_doi=5)
    m.controller = alice
    with pytest.raises((SegregationOfDuties, SelfApprovalNotAllowed)):
        r.cast(gate, alice, "go", "", NOW, eligible=1)
    carol = user("carol")
    m.controller = carol
    m.owner = user("olga")
    r2 = GateReview(m, gate, m.owner, NOW, {}, check_gate(gate, m.facts(NOW.date())), list(gate.policy.steps))
    _v, out = r2.cast(gate, carol, "go", "", NOW, eligible=1)
    assert out.decision == "go"


def test_two_steps_pass_in_order_and_recycle_goes_back_one():
    r, gate, m, _alice, _pmo, _ = review_at(gate_doi=2)
    m.sponsor, m.controller = user("sofia"), user("carl")
    _v, out = r.cast(gate, m.sponsor, "go", "", NOW, eligible=1)
    assert out.step_passed and out.decision is None and r.current_step == 1
    with pytest.raises(NotAnApprover):
        r.cast(gate, m.sponsor, "go", "", NOW, eligible=1)
    _v, out = r.cast(gate, m.controller, "recycle", "numbers implausible", NOW, eligible=1)
    assert out.decision == "recycle"
    m.doi = 1
    assert apply_decision(m, r, "recycle") == {"doi": (1, 0)}


def test_voiding_restarts_voting():
    r, gate, m, _alice, _pmo, _ = review_at(gate_doi=2)
    m.sponsor = user("sofia")
    r.cast(gate, m.sponsor, "go", "", NOW, eligible=1)
    assert r.void_votes(NOW) == 1
    assert r.current_step == 0 and r.live_votes() == []


def test_routing_by_value_adds_committee_and_cfo():
    from steerco import rules

    gate = default_model().gate_for(3)

    def routed(potential):
        return [s.name for s in gate.route(rules.facts_handle({"potential": potential}))]

    assert routed(500_000) == ["Sponsor approval"]
    assert routed(2_000_000) == ["Sponsor approval", "Steering committee"]
    assert routed(9_000_000) == ["Sponsor approval", "Steering committee", "CFO approval"]
    assert routed(None) == ["Sponsor approval"]
