"""Measures through gates via the services, on SQLite and PostgreSQL."""

import io

import pytest

from steerco.domain.errors import (
    CriteriaNotMet,
    NotFound,
    PermissionDenied,
    ReviewClosed,
    SegregationOfDuties,
    SelfApprovalNotAllowed,
    TransitionNotAllowed,
)
from steerco.services.governance import audit, evidence, gates, measures


def create(store, actor="admin", **extra):
    data = {"title": "Consolidate steel suppliers", "node": "PA", "type": "cost", "owner": "alice", **extra}
    return store.run(actor, lambda uow: measures.create(uow, data).id)


def ready_for_identified(store, mid):
    store.run("alice", lambda uow: measures.update(uow, mid, {
        "sponsor": "bob", "controller": "carol", "potential": 400000, "baseline": 2000000, "target": 1600000}) and None)


def test_submit_without_sponsor_names_the_failed_criterion(portfolio):
    mid = create(portfolio)
    with pytest.raises(CriteriaNotMet) as e:
        portfolio.run("admin", lambda uow: gates.submit(uow, mid))
    failed = {f.criterion: f for f in e.value.failed}
    assert "sponsor_named" in failed
    assert "value missing: sponsor" in failed["sponsor_named"].explanation


def test_identified_gate_end_to_end(portfolio, clock):
    mid = create(portfolio)
    ready_for_identified(portfolio, mid)
    rid = portfolio.run("admin", lambda uow: gates.submit(uow, mid).id)
    with pytest.raises(SelfApprovalNotAllowed):
        portfolio.run("alice", lambda uow: gates.vote(uow, rid, "go"))
    with pytest.raises(NotFound):  # PMO of another programme: the review is not even visible
        portfolio.run("pmo_b", lambda uow: gates.vote(uow, rid, "go"))
    with pytest.raises(PermissionDenied) as e:  # sees it, but holds no right at this gate
        portfolio.run("sam", lambda uow: gates.vote(uow, rid, "go"))
    assert e.value.reason == "not_an_approver"
    clock.advance(days=2)
    status = portfolio.run("pmo", lambda uow: gates.vote(uow, rid, "go", "fine").status)
    assert status == "decided"
    doi = portfolio.run("admin", lambda uow: measures.get(uow, mid).doi, readonly=True)
    assert doi == 1
    with pytest.raises(ReviewClosed):
        portfolio.run("pmo", lambda uow: gates.vote(uow, rid, "go"))
    trail = portfolio.run("admin", lambda uow: audit.measure_trail(uow, mid), readonly=True)
    actions = [e["action"] for e in trail["events"]]
    assert actions[0] == "measure.created"
    for a in ("measure.updated", "review.submitted", "review.voted", "review.decided", "measure.doi_changed"):
        assert a in actions
    assert trail["days_in_doi"]["0"] == pytest.approx(2.0)


def test_changing_gate_data_voids_votes(portfolio, tmp_path):
    mid = create(portfolio)
    ready_for_identified(portfolio, mid)
    portfolio.run("alice", lambda uow: measures.update(uow, mid, {"description": "x"}) and None)
    rid = portfolio.run("alice", lambda uow: gates.submit(uow, mid).id)
    portfolio.run("pmo", lambda uow: gates.vote(uow, rid, "go") and None)
    # At DoI 1 now; gate 2 has two steps: sponsor, then controller.
    def prepare(uow):
        measures.update(uow, mid, {"fields": {"one_time_cost": 50000, "go_live_date": "2027-03-01"}})
        measures.add_milestone(uow, mid, "Pilot", "2027-01-15")
        measures.add_risk(uow, mid, {"title": "Pushback", "probability": 2, "impact": 3})
        evidence.attach_link(uow, mid, "business_case", "https://sharepoint.example/bc")

    portfolio.run("alice", prepare)
    with pytest.raises(CriteriaNotMet) as e:  # business case must be a file
        portfolio.run("alice", lambda uow: gates.submit(uow, mid))
    assert [f.criterion for f in e.value.failed] == ["evidence:business_case"]
    portfolio.run("alice", lambda uow: evidence.attach_file(uow, mid, "business_case", "bc.pdf",
                                                            io.BytesIO(b"%PDF-1.4 case"), tmp_path) and None)
    rid = portfolio.run("alice", lambda uow: gates.submit(uow, mid).id)
    step = portfolio.run("bob", lambda uow: gates.vote(uow, rid, "go").current_step)
    assert step == 1
    portfolio.run("alice", lambda uow: measures.update(uow, mid, {"potential": 450000}) and None)
    review = portfolio.run("admin", lambda uow: (lambda r: (r.status, r.current_step, [v.voided_at is not None for v in r.votes]))(uow.review(rid)), readonly=True)
    assert review == ("pending", 0, [True])
    # A change the gate does not read keeps the votes.
    portfolio.run("bob", lambda uow: gates.vote(uow, rid, "go") and None)
    portfolio.run("alice", lambda uow: measures.update(uow, mid, {"title": "Consolidate steel suppliers (EU)"}) and None)
    live = portfolio.run("admin", lambda uow: len(uow.review(rid).live_votes()), readonly=True)
    assert live == 1


def test_second_submission_while_open_is_refused(portfolio):
    mid = create(portfolio)
    ready_for_identified(portfolio, mid)
    portfolio.run("alice", lambda uow: gates.submit(uow, mid) and None)
    with pytest.raises(TransitionNotAllowed, match="already has an open review"):
        portfolio.run("alice", lambda uow: gates.submit(uow, mid))


def test_measures_of_other_nodes_are_invisible(portfolio):
    mid = create(portfolio)
    with pytest.raises(NotFound):
        portfolio.run("pmo_b", lambda uow: measures.get(uow, mid), readonly=True)
    total, _ = portfolio.run("pmo_b", lambda uow: measures.search(uow), readonly=True)
    assert total == 0


def test_conditional_go_blocks_next_gate_until_cleared(portfolio):
    mid = create(portfolio)
    ready_for_identified(portfolio, mid)
    rid = portfolio.run("alice", lambda uow: gates.submit(uow, mid).id)
    portfolio.run("pmo", lambda uow: gates.vote(uow, rid, "conditional_go", "", [
        {"text": "Confirm the baseline with finance", "due_date": "2026-12-15"}]) and None)
    check = portfolio.run("alice", lambda uow: gates.check(uow, mid), readonly=True)
    assert any(f.criterion == "conditions_cleared" for f in check.failed)
    cid = portfolio.run("admin", lambda uow: uow.open_conditions(uow.measure(mid))[0].id, readonly=True)
    with pytest.raises(SegregationOfDuties):  # the owner does not judge the conditions set on them
        portfolio.run("alice", lambda uow: gates.clear_condition(uow, cid, "Finance signed off"))
    portfolio.run("pmo", lambda uow: gates.clear_condition(uow, cid, "Finance signed off") and None)
    check = portfolio.run("alice", lambda uow: gates.check(uow, mid), readonly=True)
    assert not any(f.criterion == "conditions_cleared" for f in check.failed)
