"""The periodic SLA scan over a large backlog of open reviews on SQLite (issue 3).

Run on demand: ``python tests/benchmarks/bench_sla.py [--reviews 50000] [--late 0.05]``.

Builds a migrated SQLite database with ``--reviews`` pending gate reviews
(bulk-inserted), of which the fraction ``--late`` is past its reminder and
half of those past its escalation. Measures, in the same run:

- baseline: a bare ``SELECT count(*)`` of the pending reviews;
- the scan that records what is due (reminders, escalations, notifications, audit);
- the mail delivery of what it queued (outbox mailer);
- a second scan and delivery, which must find and send nothing.

Target: the first scan under 5 s; nothing sent twice.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from sqlalchemy import func, select, text  # noqa: E402

from conftest import USERS, default_config  # noqa: E402
from steerco.domain.sla import BusinessCalendar  # noqa: E402
from steerco.migrate import upgrade  # noqa: E402
from steerco.services.configuration import bundle as configuration
from steerco.services.rights import (
    notify,
    people,
    sla,  # noqa: E402
)
from steerco.store import tables as t  # noqa: E402
from steerco.store import tables_rights as tr  # noqa: E402
from steerco.store.uow import Store  # noqa: E402

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
    ap = argparse.ArgumentParser()
    ap.add_argument("--reviews", type=int, default=50_000)
    ap.add_argument("--late", type=float, default=0.05)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="steerco-bench-sla-") as tmp:
        url = f"sqlite:///{tmp}/steerco.db"
        t_build, store = timed(lambda: build(url, args.reviews, args.late))
        cal = BusinessCalendar()
        base = "http://localhost:5000"
        with store.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
        t_count, pending = timed(lambda: store.run("system", lambda uow: uow.session.scalar(
            select(func.count()).select_from(t.gate_reviews).where(t.gate_reviews.c.status == "pending")),
            readonly=True))
        mailer = Counting()
        t_scan1, first = timed(lambda: sla.scan(store, cal, base))
        t_send1, sent1 = timed(lambda: notify.deliver(store, mailer))
        t_scan2, second = timed(lambda: sla.scan(store, cal, base))
        t_send2, sent2 = timed(lambda: notify.deliver(store, mailer))
        queued = store.run("system", lambda uow: uow.session.scalar(select(func.count()).select_from(tr.notifications)),
                           readonly=True)
        store.dispose()
    print(f"setup: {pending} open reviews ({args.late:.0%} late) built in {t_build:.1f} s")
    print(f"baseline  bare count of open reviews        {t_count * 1000:9.1f} ms")
    print(f"scan 1    {first}  {t_scan1 * 1000:9.1f} ms  ({t_scan1 / t_count:,.0f}x the count)")
    print(f"deliver 1 {sent1}  {t_send1 * 1000:9.1f} ms  ({len(mailer.keys)} mails for {queued} notifications)")
    print(f"scan 2    {second}  {t_scan2 * 1000:9.1f} ms  ({t_scan2 / t_count:,.1f}x the count)")
    print(f"deliver 2 {sent2}  {t_send2 * 1000:9.1f} ms")
    ok = t_scan1 < 5 and second == {"reminders": 0, "escalations": 0} and sent2["sent"] == 0 \
        and len(mailer.keys) == len(set(mailer.keys)) == queued
    print("target (first scan < 5 s, nothing sent twice):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
