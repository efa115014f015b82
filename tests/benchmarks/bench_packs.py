"""Pack build speed: the whole tree of a 50,000-measure organisation and a 2,000-measure programme.

Run on demand: ``python tests/benchmarks/bench_packs.py [--measures 50000] [--programme 2000] [--periods 24]
[--backends sqlite,postgresql]``.

The portfolio is bulk-loaded (plan and forecast amounts per measure and period,
statuses, 5 % of the measures waiting at a gate, 2 % killed after a decided
review, a risk on every tenth measure), the kept value totals are rebuilt, and
a first pack is built so that the timed one reads a previous pack for its
bridge. Goals (issue: packs and the monthly cycle): the organisation's pack in
under 30 s, the programme's in under 5 s, both rendered in all three formats
and stored.
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
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from bench_rollup import build_portfolio  # noqa: E402
from sqlalchemy import text  # noqa: E402

from steerco.domain.sla import BusinessCalendar  # noqa: E402
from steerco.migrate import upgrade  # noqa: E402
from steerco.store.uow import Store  # noqa: E402

NOW = datetime(2026, 11, 30, 9, tzinfo=timezone.utc)
STEP = [{"name": "PMO review", "roles": ["pmo"], "mode": "any", "quorum": None, "parallel": False}]


def add_reviews_and_risks(store: Store, measures: int) -> None:
    from steerco.store import tables as t

    with store.engine.begin() as c:
        mv = c.execute(text("SELECT id FROM model_versions ORDER BY id DESC")).scalar()
        owner = c.execute(text("SELECT id FROM users WHERE username = 'admin'")).scalar()
        reviews, risks, killed = [], [], []
        for i in range(1, measures + 1):
            if i % 20 == 0:
                reviews.append({"measure_id": i, "status": "pending", "decision": None, "decided_at": None,
                                "submitted_at": NOW - timedelta(days=i % 15)})
            elif i % 50 == 1:
                reviews.append({"measure_id": i, "status": "decided", "decision": "kill",
                                "submitted_at": NOW - timedelta(days=30), "decided_at": NOW - timedelta(days=20)})
                killed.append(i)
            if i % 10 == 0:
                risks.append({"measure_id": i, "title": f"Risk {i}", "probability": i % 5 + 1, "impact": i % 4 + 1,
                              "mitigation": "", "status": "open"})
        c.execute(t.gate_reviews.insert(), [{
            "model_version_id": mv, "doi_from": 0, "doi_to": 1, "gate_name": "Identified", "submitted_by_id": owner,
            "steps": STEP, "current_step": 0, "facts": {}, "results": [], "score": 100.0, "rationale": "",
            "version_id": 1, **r} for r in reviews])
        c.execute(t.risks.insert(), risks)
        for start in range(0, len(killed), 500):
            c.execute(t.measures.update().where(t.measures.c.id.in_(killed[start:start + 500])).values(cancelled=True))


def prepare(url: str, measures: int, periods: int) -> Store:
    from steerco.services.value.totals import rebuild

    upgrade(url)
    store = Store(url, clock=lambda: NOW)
    build_portfolio(store, measures, periods, versions=("plan", "forecast"), progress=lambda _m: None)
    add_reviews_and_risks(store, measures)
    with store.engine.begin() as c:
        rebuild(c)
    return store


def timed_pack(store: Store, node: str) -> tuple[float, dict]:
    from steerco.services.reporting import packs

    calendar = BusinessCalendar()
    store.run("admin", lambda uow: packs.build(uow, node, "2026-10", calendar))
    t0 = time.perf_counter()
    pack = store.run("admin", lambda uow: packs.build(uow, node, "2026-11", calendar))
    return time.perf_counter() - t0, pack


def report(name: str, seconds: float, goal: float) -> None:
    print(f"BENCH {name} {seconds:.2f} s goal {goal:g} {'met' if seconds < goal else 'missed'}")


def run(urls, label: str, args) -> None:
    t0 = time.perf_counter()
    org = prepare(urls("org"), args.measures, args.periods)
    print(f"{label}: {args.measures} measures x {args.periods} periods loaded in {time.perf_counter() - t0:.0f} s")
    seconds, pack = timed_pack(org, "ACME")
    print(f"{label}: organisation pack: {len(pack['changes'])} changed figures, "
          f"pdf {len(pack['files']['pdf'])} B, pptx {len(pack['files']['pptx'])} B")
    report(f"pack_organisation_{args.measures}_{label}", seconds, 30)
    org.dispose()
    programme = prepare(urls("programme"), args.programme, args.periods)
    seconds, _pack = timed_pack(programme, "ACME")
    report(f"pack_programme_{args.programme}_{label}", seconds, 5)
    programme.dispose()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--measures", type=int, default=50_000)
    ap.add_argument("--programme", type=int, default=2_000)
    ap.add_argument("--periods", type=int, default=24)
    ap.add_argument("--backends", default="sqlite")
    ap.add_argument("--quick", action="store_true", help="a tenth of the sizes (make bench-quick)")
    args = ap.parse_args()
    if args.quick:
        args.measures, args.programme = args.measures // 10, args.programme // 10
    with tempfile.TemporaryDirectory(prefix="steerco-bench-packs-") as tmp:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                run(lambda name: f"sqlite:///{tmp}/{name}.db", "sqlite", args)
            elif backend == "postgresql":
                from support.servers import PostgresServer

                with PostgresServer() as pg:
                    for name in ("org", "programme"):
                        pg.create_database(f"bench_{name}")
                    run(lambda name: pg.url(f"bench_{name}"), "postgresql", args)
            else:
                raise SystemExit(f"unknown backend {backend!r}")


if __name__ == "__main__":
    main()
