"""People are told at the events they wait for, in the transaction of the event and without the SLA scan:
approvers when a review waits for them (at submission, and when it reaches their step), the owner and the
submitter when the gate is decided, the owner when a condition comes due. In the in-app inbox at once."""

from datetime import date, timedelta

from steerco.services.governance import announcements, gates
from steerco.services.rights import notify
from steerco.store import tables_rights as tr

from .conftest import ready_measure


def _notes(store, kind=None):
    def read(uow):
        n = tr.notifications.c
        q = tr.notifications.select().where(n.kind == kind) if kind else tr.notifications.select()
        users = {u.id: u.username for u in uow.users()}
        return [(r.kind, users[r.user_id], r.subject, r.body, r.link) for r in uow.session.execute(q.order_by(n.id))]
    return store.run("admin", read, readonly=True)


def test_each_step_tells_its_approvers_when_the_review_reaches_it(routed):
    mid = ready_measure(routed, potential=2500000)
    rid = routed.run("alice", lambda uow: gates.submit(uow, mid).id)
    [(kind, who, subject, body, link)] = _notes(routed)
    code = routed.run("admin", lambda uow: uow.measure(mid).code, readonly=True)
    assert (kind, who) == ("waiting", "bob") and subject == f"Your decision: {code} at gate 'Identified'"
    assert "step 'Sponsor approval'" in body and link == f"/measures/{mid}#review-{rid}"
    # the CFO hears of it when the sponsor's step passes, not before
    routed.run("bob", lambda uow: gates.vote(uow, rid, "go") and None)
    assert [(k, w) for k, w, *_ in _notes(routed, "waiting")] == [("waiting", "bob"), ("waiting", "frank")]
    inbox = routed.run("frank", lambda uow: notify.notifications_of(uow, uow.user("frank")), readonly=True)
    assert [n["subject"] for n in inbox] == [f"Your decision: {code} at gate 'Identified'"]


def test_the_owner_hears_how_the_gate_was_decided_with_its_conditions(routed):
    mid = ready_measure(routed, potential=2500000)
    rid = routed.run("alice", lambda uow: gates.submit(uow, mid).id)
    routed.run("bob", lambda uow: gates.vote(uow, rid, "go") and None)
    routed.run("frank", lambda uow: gates.vote(uow, rid, "conditional_go", "fine once signed", [
        {"text": "Sign the frame contract", "due_date": "2026-12-31"}]) and None)
    [(_k, who, subject, body, link)] = _notes(routed, "decided")
    assert who == "alice" and subject.endswith(": Conditional Go at gate 'Identified'")
    assert "- Sign the frame contract (due 2026-12-31)" in body and link == f"/measures/{mid}#review-{rid}"


def test_a_vote_rolled_back_tells_nobody(routed):
    mid = ready_measure(routed)
    rid = routed.run("alice", lambda uow: gates.submit(uow, mid).id)

    def vote_then_fail(uow):
        gates.vote(uow, rid, "go")
        raise RuntimeError("the request failed after the vote")

    try:
        routed.run("bob", vote_then_fail)
    except RuntimeError:
        pass
    assert _notes(routed, "decided") == []


def test_owners_hear_of_conditions_coming_due_once_before_and_once_on_the_day(routed, clock):
    mid = ready_measure(routed, potential=2500000)
    rid = routed.run("alice", lambda uow: gates.submit(uow, mid).id)
    routed.run("bob", lambda uow: gates.vote(uow, rid, "go") and None)
    due = clock().date() + timedelta(days=10)
    routed.run("frank", lambda uow: gates.vote(uow, rid, "conditional_go", "", [
        {"text": "Book the pilot", "due_date": due.isoformat()}]) and None)

    def scan(day: date) -> int:
        return routed.run("system", lambda uow: announcements.conditions_due(uow, day))

    assert scan(due - timedelta(days=4)) == 0
    assert scan(due - timedelta(days=3)) == 1 and scan(due - timedelta(days=1)) == 1
    assert scan(due) == 1 and scan(due + timedelta(days=2)) == 1
    notes = _notes(routed, "condition")
    assert [(w, s.split(": ", 1)[1]) for _k, w, s, _b, _l in notes] == [
        ("alice", f"a condition is due on {due.isoformat()}"), ("alice", "a condition is due today")]
    assert "'Book the pilot'" in notes[0][3]
