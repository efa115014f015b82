"""Stages of parallel steps and counted approvals in the pure domain (issue 3)."""

import pytest

from steerco.domain.errors import ConfigError, NotAnApprover, ReviewClosed, SegregationOfDuties
from steerco.domain.gatecheck import check_gate
from steerco.domain.governance import parse_model
from steerco.domain.review import GateReview

# from tests/ (on the path through conftest), not "tests.domain": pyodata's wheel installs a package named tests
from domain.factories import NOW, default_config, measure, tree, user


def _review(approval):
    d = default_config()["governance_models"][0]
    d["gates"][0]["approval"] = approval
    gate = parse_model(d).gate_for(1)
    root, a, _b = tree()
    alice = user("alice", ("owner", a))
    m = measure(a, alice)
    facts = m.facts(NOW.date())
    return GateReview(m, gate, alice, NOW, facts, check_gate(gate, facts), list(gate.policy.steps)), gate, root, alice


def test_a_stage_is_a_step_and_the_parallel_steps_after_it():
    r, _gate, _root, _alice = _review({"steps": [
        {"name": "A", "roles": ["pmo"]}, {"name": "B", "roles": ["cfo"], "parallel": True},
        {"name": "C", "roles": ["steering_committee"]}]})
    assert r.stage() == [0, 1]
    r.current_step = 2
    assert r.stage() == [2]


def test_one_person_in_two_parallel_steps_votes_once_per_step():
    r, gate, _root, _alice = _review({"steps": [
        {"name": "A", "roles": ["pmo"]}, {"name": "B", "roles": ["pmo", "cfo"], "parallel": True}]})
    pmo, cfo = user("p", ("pmo", None)), user("c", ("cfo", None))
    with pytest.raises(NotAnApprover):
        r.cast(gate, user("z", ("viewer", None)), "go", "", NOW, eligible=2)
    v, out = r.cast(gate, pmo, "go", "", NOW, eligible={0: 1, 1: 2})
    assert v.step == 0 and out.decision is None and not out.step_passed
    with pytest.raises(NotAnApprover):  # A has passed: the CFO may only approve B
        r.cast(gate, user("c2", ("viewer", None)), "go", "", NOW, eligible={0: 1, 1: 2})
    v, out = r.cast(gate, cfo, "go", "", NOW, eligible={0: 1, 1: 2})
    assert v.step == 1 and out.decision == "go"
    with pytest.raises(ReviewClosed):
        r.cast(gate, pmo, "go", "", NOW, eligible=2)


def test_skip_counted_passes_a_later_stage_at_once():
    r, gate, _root, _alice = _review({"skip_counted": True, "steps": [
        {"name": "A", "roles": ["pmo"]}, {"name": "B", "roles": ["pmo"]}, {"name": "C", "roles": ["cfo"]}]})
    _v, out = r.cast(gate, user("p", ("pmo", None), ("cfo", None)), "go", "", NOW, eligible=1)
    assert out.decision == "go" and out.skipped == ("B", "C")


def test_a_delegate_who_owns_the_measure_is_refused_even_with_self_approval_allowed():
    r, gate, _root, alice = _review({"allow_self_approval": True, "steps": [{"name": "A", "roles": ["pmo"]}]})
    with pytest.raises(SegregationOfDuties):
        r.cast(gate, alice, "go", "", NOW, eligible=1, on_behalf_of=user("p", ("pmo", None)))


def test_parallel_and_skip_counted_must_be_booleans():
    d = default_config()["governance_models"][0]
    d["gates"][0]["approval"] = {"steps": [{"name": "A", "roles": ["pmo"], "parallel": "yes"}]}
    with pytest.raises(ConfigError, match="parallel"):
        parse_model(d)
    d["gates"][0]["approval"] = {"skip_counted": 1, "steps": [{"name": "A", "roles": ["pmo"]}]}
    with pytest.raises(ConfigError, match="skip_counted"):
        parse_model(d)
