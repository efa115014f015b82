"""Routing by value, delegation, parallel steps, skipping counted approvers, rejection reasons (issue 3)."""

from datetime import timedelta

import pytest

from steerco.domain.errors import NotDelegated, SegregationOfDuties, ValidationFailed
from steerco.services.governance import audit, gates
from steerco.services.rights import delegation

from .conftest import ready_measure, with_first_gate


def submit(store, mid):
    return store.run("alice", lambda uow: gates.submit(uow, mid).id)


def review(store, rid):
    return store.run("admin", lambda uow: (lambda r: {
        "status": r.status, "decision": r.decision, "rationale": r.rationale, "steps": [s["name"] for s in r.steps],
        "votes": [(v.voter.username, v.on_behalf_of.username if v.on_behalf_of else None, v.step) for v in r.votes],
    })(uow.review(rid)), readonly=True)


def delegate(store, delegator, delegate_to, days=5, **kw):
    today = store.clock().date()
    return store.run(delegator, lambda uow: delegation.create(
        uow, delegate_to, today, today + timedelta(days=days), **kw).id)


def test_above_the_threshold_the_review_goes_to_the_sponsor_then_the_cfo(routed):
    rid = submit(routed, ready_measure(routed, potential=2500000))
    assert review(routed, rid)["steps"] == ["Sponsor approval", "CFO approval"]
    with pytest.raises(Exception) as e:  # the CFO waits for the sponsor
        routed.run("frank", lambda uow: gates.vote(uow, rid, "go"))
    assert getattr(e.value, "reason", None) == "not_an_approver"
    assert routed.run("bob", lambda uow: gates.vote(uow, rid, "go").status) == "pending"
    assert routed.run("frank", lambda uow: gates.vote(uow, rid, "go").decision) == "go"


def test_below_the_threshold_the_sponsor_alone_decides(routed):
    rid = submit(routed, ready_measure(routed, potential=400000))
    assert review(routed, rid)["steps"] == ["Sponsor approval"]
    assert routed.run("bob", lambda uow: gates.vote(uow, rid, "go").decision) == "go"


def test_a_delegate_votes_for_the_absent_sponsor_and_the_audit_says_so(routed):
    mid = ready_measure(routed)
    rid = submit(routed, mid)
    with pytest.raises(NotDelegated):
        routed.run("dave", lambda uow: gates.vote(uow, rid, "go", on_behalf_of="bob"))
    delegate(routed, "bob", "dave", reason="holiday")
    assert routed.run("dave", lambda uow: gates.vote(uow, rid, "go", on_behalf_of="bob").decision) == "go"
    assert review(routed, rid)["votes"] == [("dave", "bob", 0)]
    trail = routed.run("admin", lambda uow: audit.measure_trail(uow, mid), readonly=True)
    voted = [e for e in trail["events"] if e["action"] == "review.voted"]
    assert voted[0]["after"]["by"] == "dave" and voted[0]["after"]["on_behalf_of"] == "bob"
    created = routed.run("admin", lambda uow: [e.after for e in uow.audit_events() if e.action == "delegation.created"],
                         readonly=True)
    assert created[0]["delegator"] == "bob" and created[0]["delegate"] == "dave"


def test_an_owner_delegate_is_refused(routed):
    rid = submit(routed, ready_measure(routed))
    delegate(routed, "bob", "alice")
    with pytest.raises(SegregationOfDuties) as e:
        routed.run("alice", lambda uow: gates.vote(uow, rid, "go", on_behalf_of="bob"))
    assert e.value.reason == "segregation_of_duties"
    assert review(routed, rid)["votes"] == []


def test_revoked_expired_and_out_of_scope_delegations_do_not_count(routed, clock):
    rid = submit(routed, ready_measure(routed))
    did = delegate(routed, "bob", "dave", days=1)
    routed.run("bob", lambda uow: delegation.revoke(uow, did) and None)
    with pytest.raises(NotDelegated):
        routed.run("dave", lambda uow: gates.vote(uow, rid, "go", on_behalf_of="bob"))
    delegate(routed, "bob", "dave", days=1, node="PB")  # another programme
    delegate(routed, "bob", "dave", days=1, gate_type="closure")  # another gate type
    with pytest.raises(NotDelegated):
        routed.run("dave", lambda uow: gates.vote(uow, rid, "go", on_behalf_of="bob"))
    delegate(routed, "bob", "dave", days=1, node="PA", gate_type="go_no_go")
    clock.advance(days=3)  # past its end
    with pytest.raises(NotDelegated):
        routed.run("dave", lambda uow: gates.vote(uow, rid, "go", on_behalf_of="bob"))


def test_delegation_input_is_checked(routed):
    today = routed.clock().date()
    with pytest.raises(ValidationFailed, match="ends_on"):
        routed.run("bob", lambda uow: delegation.create(uow, "dave", today, today - timedelta(days=1)))
    with pytest.raises(ValidationFailed, match="delegate"):
        routed.run("bob", lambda uow: delegation.create(uow, "bob", today, today))
    with pytest.raises(Exception) as e:  # only admins delegate for others
        routed.run("dave", lambda uow: delegation.create(uow, "dave", today, today, delegator="bob"))
    assert getattr(e.value, "reason", None) == "not_permitted"
    assert routed.run("admin", lambda uow: delegation.create(uow, "dave", today, today, delegator="bob").id)


def test_parallel_steps_run_together_and_both_must_pass(portfolio):
    with_first_gate(portfolio, {"steps": [
        {"name": "Sponsor approval", "roles": ["sponsor"]},
        {"name": "Controller check", "roles": ["controller"], "parallel": True},
        {"name": "PMO review", "roles": ["pmo"]},
    ]})
    rid = submit(portfolio, ready_measure(portfolio))
    assert portfolio.run("carol", lambda uow: gates.vote(uow, rid, "go").current_step) == 0  # controller first
    assert portfolio.run("bob", lambda uow: gates.vote(uow, rid, "go").current_step) == 2
    assert review(portfolio, rid)["votes"] == [("carol", None, 1), ("bob", None, 0)]
    assert portfolio.run("pmo", lambda uow: gates.vote(uow, rid, "go").decision) == "go"


def test_a_rejected_parallel_step_ends_the_review_with_its_reason(portfolio):
    with_first_gate(portfolio, {"steps": [
        {"name": "Sponsor approval", "roles": ["sponsor"]},
        {"name": "Controller check", "roles": ["controller"], "parallel": True},
    ]})
    mid = ready_measure(portfolio)
    rid = submit(portfolio, mid)
    portfolio.run("bob", lambda uow: gates.vote(uow, rid, "go") and None)
    portfolio.run("carol", lambda uow: gates.vote(uow, rid, "recycle", "baseline not plausible") and None)
    r = review(portfolio, rid)
    assert r["status"] == "decided" and r["decision"] == "recycle"
    assert r["rationale"] == "step 'Controller check' rejected (recycle) by carol: baseline not plausible"
    trail = portfolio.run("admin", lambda uow: audit.measure_trail(uow, mid), readonly=True)
    rejected = [e["after"] for e in trail["events"] if e["action"] == "review.rejected"]
    assert rejected == [{"step": "Controller check", "decision": "recycle", "by": "carol", "on_behalf_of": None,
                         "reason": "baseline not plausible"}]


@pytest.mark.parametrize("skip", [True, False])
def test_skip_an_approver_already_counted_in_an_earlier_step(portfolio, skip):
    with_first_gate(portfolio, {"skip_counted": skip, "steps": [
        {"name": "PMO review", "roles": ["pmo"]},
        {"name": "Programme office sign-off", "roles": ["pmo"], "mode": "any"},
    ]})
    rid = submit(portfolio, ready_measure(portfolio))
    after_first = portfolio.run("pmo", lambda uow: gates.vote(uow, rid, "go").decision)
    if skip:
        assert after_first == "go"
        steps = portfolio.run("admin", lambda uow: [e.after for e in uow.audit_events()
                                                    if e.action == "review.decided"], readonly=True)
        assert steps[-1]["decision"] == "go"
    else:
        assert after_first is None
        assert portfolio.run("pmo", lambda uow: gates.vote(uow, rid, "go").decision) == "go"


def test_quorum_two_of_the_committee_with_a_delegate(portfolio):
    with_first_gate(portfolio, {"steps": [
        {"name": "Steering committee", "roles": ["steering_committee"], "mode": "quorum", "quorum": 2}]})
    rid = submit(portfolio, ready_measure(portfolio))
    today = portfolio.clock().date()
    portfolio.run("tara", lambda uow: delegation.create(uow, "pmo2", today, today + timedelta(days=1)) and None)
    assert portfolio.run("sam", lambda uow: gates.vote(uow, rid, "go").decision) is None
    assert portfolio.run("pmo2", lambda uow: gates.vote(uow, rid, "go", on_behalf_of="tara").decision) == "go"
