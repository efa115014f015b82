"""The periodic SLA scan over a large backlog of open reviews on SQLite (issue 3).

Run: ``python tests/benchmarks/bench_sla.py [--quick] [--reviews 50000] [--late 0.05] [--rounds 5]``.

Builds a migrated SQLite database with ``--reviews`` pending gate reviews
(bulk-inserted), of which the fraction ``--late`` is past its reminder and
half of those past its escalation. Each round works on a fresh copy of that
database (copied untimed) and times, interleaved with the floor (a bare
``SELECT count(*)`` of the pending reviews): the scan that records what is due
(reminders, escalations, notifications, audit), the mail delivery of what it
queued, and a second scan and delivery, which must find and send nothing.

Goals: the first scan under 5 s; nothing sent twice.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone

from harness import Timer, arguments, bench, finish, info, note
from sqlalchemy import func, select, text

from conftest import USERS, default_config
from steerco.domain.sla import BusinessCalendar
from steerco.migrate import upgrade
from steerco.services.configuration import bundle as configuration
from steerco.services.rights import (
    notify,
    people,
    sla,
)
from steerco.store import tables as t
from steerco.store import tables_rights as tr
from steerco.store.uow import Store

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


class Counting:
    def __init__(self):
        self.keys = []

    def send(self, to, subject, body, message_id):
        self.keys.append(message_id)


def build(url: str, reviews: int, late: float) -> Store:
    upgrade(url)
    store = Store(url, clock=lambda: NOW)
    store.run("system", lambda uow: configuration.apply(uow, default_config()).as_dict())
    for name, roles in USERS.items():
        store.run("system", lambda uow: setattr(people.add_user(uow, name, roles=roles), "email",
                                                f"{name}@example.test"))
    ids = store.run("system", lambda uow: {
        "node": uow.node("PA").id, "type": uow.measure_type("cost").id,
        "mv": uow.latest_model_version("doi-default").id, "alice": uow.user("alice").id,
        "bob": uow.user("bob").id, "carol": uow.user("carol").id}, readonly=True)
    n_late = int(reviews * late)
    step = [{"name": "PMO review", "roles": ["pmo"], "mode": "any", "quorum": None, "parallel": False}]
    with store.engine.begin() as conn:
        for start in range(0, reviews, 5000):
            chunk = range(start, min(start + 5000, reviews))
            conn.execute(t.measures.insert(), [{
                "id": i + 1, "code": f"B-{i:06d}", "title": f"Bench measure {i}", "description": "",
                "node_id": ids["node"], "measure_type_id": ids["type"], "model_version_id": ids["mv"],
                "owner_id": ids["alice"], "sponsor_id": ids["bob"], "controller_id": ids["carol"], "doi": 0,
                "on_hold": False, "cancelled": False, "currency": "EUR", "fields": {}, "created_at": NOW,
                "updated_at": NOW, "version_id": 1} for i in chunk])
            conn.execute(t.gate_reviews.insert(), [{
                "id": i + 1, "measure_id": i + 1, "model_version_id": ids["mv"], "doi_from": 0, "doi_to": 1,
                "gate_name": "Identified", "submitted_by_id": ids["alice"],
                # Late ones: 7 days (past the 5-day reminder) or 20 days (past the 10-day escalation) ago.
                "submitted_at": NOW - timedelta(days=(20 if i % 2 else 7) if i < n_late else (i % 4)),
                "status": "pending", "steps": step, "current_step": 0, "facts": {}, "results": [], "score": 100.0,
                "rationale": "", "version_id": 1} for i in chunk])
    return store


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main():
    def configure(ap):
        ap.add_argument("--late", type=float, default=0.05)

    args = arguments(__doc__.splitlines()[0], configure, reviews=50_000)
    cal = BusinessCalendar()
    base = "http://localhost:5000"  # only written into the mails, never requested
    with tempfile.TemporaryDirectory(prefix="steerco-bench-sla-") as tmp:
        with Timer() as built:
            store = build(f"sqlite:///{tmp}/built.db", args.reviews, args.late)
            with store.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            store.dispose()  # the last connection closing folds the write-ahead log into the file copied below
        note(f"{args.reviews:,} open reviews ({args.late:.0%} late) built in {built.seconds:.1f} s")
        times = {"count": [], "scan1": [], "send1": [], "scan2": [], "send2": []}
        twice = 0
        for k in range(args.rounds):
            shutil.copy(f"{tmp}/built.db", f"{tmp}/round{k}.db")
            store = Store(f"sqlite:///{tmp}/round{k}.db", clock=lambda: NOW)
            t_count, _ = timed(lambda: store.run("system", lambda uow: uow.session.scalar(
                select(func.count()).select_from(t.gate_reviews).where(t.gate_reviews.c.status == "pending")),
                readonly=True))
            mailer = Counting()
            t_scan1, first = timed(lambda: sla.scan(store, cal, base))
            t_send1, _sent1 = timed(lambda: notify.deliver(store, mailer))
            t_scan2, second = timed(lambda: sla.scan(store, cal, base))
            t_send2, sent2 = timed(lambda: notify.deliver(store, mailer))
            queued = store.run("system", lambda uow: uow.session.scalar(
                select(func.count()).select_from(tr.notifications)), readonly=True)
            store.dispose()
            for name, value in zip(times, (t_count, t_scan1, t_send1, t_scan2, t_send2)):
                times[name].append(value)
            twice += (len(mailer.keys) - len(set(mailer.keys)) + sent2["sent"]
                      + second["reminders"] + second["escalations"] + abs(len(set(mailer.keys)) - queued))
        med = {name: statistics.median(ts) for name, ts in times.items()}
        note(f"medians of {args.rounds} rounds: count {med['count'] * 1000:.1f} ms, scan {med['scan1'] * 1000:.0f} ms "
             f"({first}), deliver {med['send1'] * 1000:.0f} ms ({len(mailer.keys)} mails for {queued} "
             f"notifications), second scan {med['scan2'] * 1000:.0f} ms ({second}), second deliver "
             f"{med['send2'] * 1000:.0f} ms ({sent2})")
    bench("sla_first_scan_seconds", med["scan1"], "s", 5)
    bench("sla_sent_twice", twice, "mails", 0, strict=False)
    info("sla_first_scan_vs_count", med["scan1"] / med["count"], "x")
    finish()


if __name__ == "__main__":
    main()
