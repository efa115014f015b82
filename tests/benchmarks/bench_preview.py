"""Server time of the governance editor's impact preview for a large portfolio.

Run on demand: ``python tests/benchmarks/bench_preview.py [--measures 50000] [--runs 3]``.
The portfolio is bench_ui's (bulk-inserted on SQLite, one value line with plan
and forecast over 12 periods per measure), plus in bulk: evidence on every
third measure, two milestones (one done) on every second, a risk on every
fourth, a USD line with FX rates on every fifth, a potential override on every
seventh, a dependency on the previous measure on every tenth. The preview
checks the 2000 measures facing the gate to DoI 1 against the published and a
drafted gate, timed three ways in the same run:

- before: ``impact()`` building each measure's facts with ``facts_for`` (about ten queries per measure);
- after: ``impact()`` as it is, with ``facts_for_many`` (a bounded number of queries per 500 measures);
- floor: the two gate checks per measure alone, over facts built beforehand.

Target: the whole preview under 2 s on a quiet machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ui import build  # noqa: E402
from sqlalchemy import select  # noqa: E402

from steerco import rules  # noqa: E402
from steerco.domain.gatecheck import check_gate  # noqa: E402
from steerco.domain.governance import parse_model  # noqa: E402
from steerco.domain.measure import Measure  # noqa: E402
from steerco.migrate import upgrade  # noqa: E402
from steerco.services.configuration import preview
from steerco.services.governance import gates
from steerco.services.models import model_of  # noqa: E402
from steerco.services.value import totals as value_totals  # noqa: E402
from steerco.store import tables as t  # noqa: E402
from steerco.store import tables_value as v  # noqa: E402
from steerco.store.uow import Store  # noqa: E402

MODEL = "doi-default"
DOI = 1  # the gate to DoI 1: measures at DoI 0 face it


def enrich(store) -> None:
    """Evidence, milestones, risks, foreign-currency value, overrides and dependencies, in bulk."""
    now = datetime(2026, 11, 2, tzinfo=timezone.utc)
    with store.engine.begin() as conn:
        ids = [r.id for r in conn.execute(select(t.measures.c.id).order_by(t.measures.c.id))]
        uploader = conn.execute(select(t.users.c.id).where(t.users.c.username == "alice")).scalar_one()
        conn.execute(t.evidence.insert(), [
            {"measure_id": mid, "requirement": "business_case", "kind": "link", "title": "Business case",
             "url": "https://sp.example/bc", "uploaded_by_id": uploader, "uploaded_at": now} for mid in ids[::3]])
        conn.execute(t.milestones.insert(), [
            {"measure_id": mid, "title": title, "due_date": due, "done_on": done, "source": "steerco"}
            for mid in ids[::2] for title, due, done in (("Pilot", date(2026, 9, 1), date(2026, 9, 3)),
                                                         ("Roll-out", date(2027, 3, 1), None))])
        conn.execute(t.risks.insert(), [
            {"measure_id": mid, "title": "Supplier", "probability": 1 + mid % 5, "impact": 1 + mid % 3,
             "mitigation": "", "status": "open"} for mid in ids[::4]])
        conn.execute(v.fx_rates.insert(), [{"currency": "USD", "period": f"2026-{m:02d}", "rate": "0.91"}
                                           for m in range(1, 11)])  # 2026-11.. come with the configuration
        first = max(ids) + 1
        usd = {mid: first + k for k, mid in enumerate(ids[::5])}
        conn.execute(v.value_lines.insert(), [
            {"id": line, "measure_id": mid, "category": "revenue", "currency": "USD", "title": "US revenue",
             "created_at": now} for mid, line in usd.items()])
        conn.execute(v.value_amounts.insert(), [
            {"line_id": line, "measure_id": mid, "version": "plan", "period": f"2026-{m:02d}", "amount": 50 + m}
            for mid, line in usd.items() for m in range(1, 13)])
        conn.execute(v.measure_values.insert(), [
            {"measure_id": mid, "plan_revision": 0, "potential_status": "at_risk", "implementation_status": "on_track",
             "potential_override": {"status": "at_risk", "reason": "bench", "by": "bob", "at": now.isoformat()}}
            for mid in ids[::7]])
        conn.execute(v.dependencies.insert(), [
            {"successor_id": mid, "predecessor_id": prev, "external": "", "description": "", "created_by": "alice",
             "created_at": now} for prev, mid in zip(ids[9::10], ids[10::10])])
        value_totals.rebuild(conn)


def draft(store) -> dict:
    """The published model with a stricter gate to DoI 1 (a potential of more than 7,000: about half fail)."""
    def work(uow):
        return uow.latest_model_version(MODEL).definition
    definition = store.run("admin", work, readonly=True)
    gate = next(g for g in definition["gates"] if g["doi"] == DOI)
    gate["must_meet"] = list(gate.get("must_meet") or []) + [
        {"code": "big", "label": "Big enough", "rule": {">": [{"var": "potential"}, 7000]}}]
    return definition


def time_impact(store, definition, runs: int) -> tuple[float, dict]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = store.run("admin", lambda uow: preview.impact(uow, MODEL, definition, DOI), readonly=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def time_floor(store, definition, runs: int) -> tuple[float, float]:
    """The gate checks alone over prebuilt facts, and the batch facts alone (seconds, medians)."""
    draft_gate = parse_model({**definition, "code": MODEL}).gate_for(DOI)

    def work(uow):
        q = (select(Measure).where(t.measures.c.doi == DOI - 1, t.measures.c.cancelled.is_(False))
             .order_by(t.measures.c.code).limit(preview.IMPACT_LIMIT))
        ms = list(uow.session.scalars(q))
        start = time.perf_counter()
        facts = {}
        for i in range(0, len(ms), preview.IMPACT_CHUNK):
            facts.update(gates.facts_for_many(uow, ms[i:i + preview.IMPACT_CHUNK]))
        load = time.perf_counter() - start
        checks = []
        for _ in range(runs):
            start = time.perf_counter()
            for m in ms:
                f = facts[m.id]
                handle = rules.facts_handle(f)
                current = model_of(m.model_version).gate_for(DOI)
                check_gate(current, f, handle=handle)
                check_gate(draft_gate, f, handle=handle)
            checks.append(time.perf_counter() - start)
        return statistics.median(checks), load
    return store.run("admin", work, readonly=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--measures", type=int, default=50000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="steerco-bench-preview-"))
    url = f"sqlite:///{folder / 'steerco.db'}"
    upgrade(url)
    store = Store(url)
    start = time.perf_counter()
    build(store, args.measures)
    enrich(store)
    print(f"portfolio of {args.measures} measures built in {time.perf_counter() - start:.1f} s")
    definition = draft(store)
    after, result = time_impact(store, definition, args.runs)
    batched = preview.facts_for_many
    preview.facts_for_many = lambda uow, ms: {m.id: gates.facts_for(uow, m) for m in ms}
    try:
        before, baseline_result = time_impact(store, definition, 1)  # ~10 s: once is enough
    finally:
        preview.facts_for_many = batched
    assert baseline_result == result, "the batch facts changed the preview's answer"
    floor, load = time_floor(store, definition, args.runs)
    n = result["checked"]
    print(f"impact preview over {n} measures (more: {result['more']}; now {result['now']}, draft {result['draft']}, "
          f"{len(result['changed'])} changed)")
    print(f"  before (facts_for per measure)    {before * 1000:8.0f} ms   {before / floor:6.1f}x floor")
    print(f"  after  (facts_for_many per 500)   {after * 1000:8.0f} ms   {after / floor:6.1f}x floor   "
          f"{before / after:5.1f}x faster than before")
    print(f"    of which batch facts alone      {load * 1000:8.0f} ms")
    print(f"  floor  (two gate checks per measure over prebuilt facts) {floor * 1000:.0f} ms")
    print(f"\nwhole preview {after * 1000:.0f} ms: {'within' if after < 2 else 'OVER'} the 2 s target")
    store.dispose()


if __name__ == "__main__":
    main()
