"""Who the inbox asks to vote: reviews without votes are decided on their rows, reviews with votes by the
domain's counting; both must agree with what voting accepts (issue 22)."""

from datetime import timedelta

from steerco.domain.sla import BusinessCalendar
from steerco.services.governance import gates
from steerco.services.rights import delegation, inbox

from .conftest import ready_measure, with_first_gate


def waiting(store, user, **page):
    box = store.run(user, lambda uow: inbox.inbox(uow, BusinessCalendar(), **page), readonly=True)
    return box["approvals_total"], [(a["review_id"], a["steps"], a["on_behalf_of"]) for a in box["approvals"]]


def submit(store, clock):
    rid = store.run("alice", lambda uow: gates.submit(uow, ready_measure(store)).id)
    clock.advance(hours=1)
    return rid


def test_parallel_steps_wait_for_each_approver_until_they_vote(portfolio, clock):
    with_first_gate(portfolio, {"steps": [
        {"name": "Sponsor approval", "roles": ["sponsor"]},
        {"name": "Controller check", "roles": ["controller"], "parallel": True},
        {"name": "PMO review", "roles": ["pmo"]},
    ]})
    first, second = submit(portfolio, clock), submit(portfolio, clock)
    assert waiting(portfolio, "bob") == (2, [(first, ["Sponsor approval"], None), (second, ["Sponsor approval"], None)])
    assert waiting(portfolio, "carol") == (2, [(first, ["Controller check"], None), (second, ["Controller check"], None)])
    assert waiting(portfolio, "pmo") == (0, [])
    assert waiting(portfolio, "alice") == (0, [])  # the owner never approves their own measure
    portfolio.run("carol", lambda uow: gates.vote(uow, first, "go") and None)
    assert waiting(portfolio, "carol") == (1, [(second, ["Controller check"], None)])
    assert waiting(portfolio, "bob") == (2, [(first, ["Sponsor approval"], None), (second, ["Sponsor approval"], None)])
    portfolio.run("bob", lambda uow: gates.vote(uow, first, "go") and None)
    assert waiting(portfolio, "bob") == (1, [(second, ["Sponsor approval"], None)])
    assert waiting(portfolio, "pmo") == (1, [(first, ["PMO review"], None)])


def test_a_quorum_waits_for_who_has_not_voted_and_for_a_delegate(portfolio, clock):
    with_first_gate(portfolio, {"steps": [
        {"name": "Steering committee", "roles": ["steering_committee"], "mode": "quorum", "quorum": 2}]})
    rid = submit(portfolio, clock)
    today = portfolio.clock().date()
    portfolio.run("tara", lambda uow: delegation.create(uow, "pmo2", today, today + timedelta(days=1)) and None)
    assert waiting(portfolio, "pmo2") == (1, [(rid, ["Steering committee"], "tara")])
    portfolio.run("sam", lambda uow: gates.vote(uow, rid, "go") and None)
    assert waiting(portfolio, "sam") == (0, [])
    assert waiting(portfolio, "tara") == (1, [(rid, ["Steering committee"], None)])
    assert waiting(portfolio, "pmo2") == (1, [(rid, ["Steering committee"], "tara")])


def test_pages_are_cut_from_the_longest_waiting_first(portfolio, clock):
    with_first_gate(portfolio, {"steps": [{"name": "Sponsor approval", "roles": ["sponsor"]}]})
    ids = [submit(portfolio, clock) for _ in range(5)]
    total, shown = waiting(portfolio, "bob", limit=2, offset=1)
    assert total == 5 and [rid for rid, _steps, _by in shown] == ids[1:3]
