"""Simultaneous writers: one decision per review, one open review per measure."""

import threading

from steerco.domain.errors import SteercoError
from steerco.services.governance import gates, measures


def _race(store, jobs):
    """Run ``jobs`` [(actor, work)] at the same moment; returns their results or domain errors."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, actor, work):
        barrier.wait()
        try:
            results[i] = store.run(actor, work)
        except SteercoError as e:
            results[i] = e

    threads = [threading.Thread(target=run, args=(i, a, w)) for i, (a, w) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _identified_ready(store):
    data = {"title": "Race", "node": "PA", "type": "cost", "owner": "alice", "sponsor": "bob", "controller": "carol",
            "potential": 500000, "baseline": 10, "target": 5}
    return store.run("admin", lambda uow: measures.create(uow, data).id)


def test_two_approvers_at_once_make_one_decision(portfolio):
    for _ in range(3):
        mid = _identified_ready(portfolio)
        rid = portfolio.run("alice", lambda uow: gates.submit(uow, mid).id)
        results = _race(portfolio, [
            ("pmo", lambda uow: gates.vote(uow, rid, "go").decision),
            ("pmo2", lambda uow: gates.vote(uow, rid, "kill", "no").decision),
        ])
        decided = [r for r in results if isinstance(r, str)]
        refused = [r for r in results if isinstance(r, SteercoError)]
        assert len(decided) == 1 and len(refused) == 1, results
        assert refused[0].code == "review_closed"

        def facts(uow):
            review = uow.review(rid)
            events = [e.action for e in uow.audit_events(measure_code=review.measure.code)]
            return len(review.votes), review.decision, events.count("review.decided")

        votes, decision, decided_events = portfolio.run("system", facts, readonly=True)
        assert (votes, decided_events) == (1, 1) and decision == decided[0]


def test_two_submissions_at_once_open_one_review(portfolio):
    mid = _identified_ready(portfolio)
    results = _race(portfolio, [("alice", lambda uow: gates.submit(uow, mid).id),
                                ("admin", lambda uow: gates.submit(uow, mid).id)])
    assert sum(isinstance(r, int) for r in results) == 1, results
    count = portfolio.run("system", lambda uow: len(uow.reviews_of(uow.measure(mid))), readonly=True)
    assert count == 1


def test_audit_chain_stays_intact_under_concurrent_writers(portfolio):
    from steerco.services.governance.audit import verify_chain

    ids = [_identified_ready(portfolio) for _ in range(4)]
    jobs = [("alice", lambda uow, m=m: measures.update(uow, m, {"description": f"edit {m}"}) and None) for m in ids]
    _race(portfolio, jobs)
    checked, broken = portfolio.run("system", verify_chain, readonly=True)
    assert broken is None and checked > 8


def test_the_first_measures_created_at_the_same_moment_all_get_a_code(portfolio):
    """The measure counter does not exist yet: each transaction would insert it, and all but one fail."""
    data = {"title": "First", "node": "PA", "type": "cost", "owner": "alice", "sponsor": "bob", "controller": "carol",
            "potential": 1000, "baseline": 10, "target": 5}
    results = _race(portfolio, [("admin", lambda uow: measures.create(uow, data).code) for _ in range(6)])
    assert all(isinstance(r, str) for r in results), results
    assert sorted(results) == [f"M-{i:04d}" for i in range(1, 7)]


def test_two_sla_scans_at_once_record_each_reminder_and_escalation_once(portfolio, clock):
    from steerco.domain.sla import parse_calendar
    from steerco.services.rights import sla

    for _ in range(3):
        mid = _identified_ready(portfolio)
        portfolio.run("alice", lambda uow: gates.submit(uow, mid).id)
    clock.advance(days=30)
    calendar, barrier, results = parse_calendar("mon-fri", ""), threading.Barrier(2), []

    def scan():
        barrier.wait()
        try:
            results.append(sla.scan(portfolio, calendar, "http://steerco.test"))
        except SteercoError as e:
            results.append(e)

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["escalations"] for r in results) == 3 and sum(r["reminders"] for r in results) == 3
