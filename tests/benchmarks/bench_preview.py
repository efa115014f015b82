"""Impact preview of a drafted gate over every measure facing it, at 50,000 measures (about 8,300 face it).

Run: ``python tests/benchmarks/bench_preview.py [--quick] [--measures 50000] [--rounds 5]``.

The portfolio is tests/support/bulk.py's (SQLite; measures spread over every DoI
and two model versions, one value line with plan and forecast over 12 months),
plus in bulk: evidence on every third measure, two milestones (one done) on
every second, a risk on every fourth, a USD line on every fifth, a potential
override on every seventh, a dependency on the previous measure on every tenth.
The draft adds a criterion to the gate to DoI 1, which the measures at DoI 0 face.

Goal: the preview checks every measure facing the gate and lists all whose
result changes, under 2 s. The service caps what it checks at
``preview.IMPACT_LIMIT`` (10,000) and says when more exist; so two figures:

- ``preview_all_facing_ms``: ``impact()`` with the cap lifted in this process
  to cover every facing measure, the work the goal asks for;
- ``preview_checks_all_facing``: the share of facing measures the service as
  shipped checks (goal: all of them).

Interleaved with the floor: the two gate checks per measure alone (the
measure's current gate and the drafted one) over facts built beforehand;
the ratio, and the preview as shipped, are printed for information.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

from harness import Timer, arguments, bench, finish, info, interleaved, note
from sqlalchemy import select, update

from steerco import rules
from steerco.domain.gatecheck import check_gate
from steerco.domain.governance import parse_model
from steerco.domain.measure import Measure
from steerco.migrate import upgrade
from steerco.services.configuration import preview
from steerco.services.models import model_of
from steerco.services.value import totals as value_totals
from steerco.store import tables as t
from steerco.store import tables_value as v
from steerco.store.uow import Store
from support import bulk

MODEL = "doi-default"
DOI = 1  # the gate to DoI 1: measures at DoI 0 face it
SHIPPED_LIMIT = preview.IMPACT_LIMIT


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
        first = max(ids) + 1
        usd = {mid: first + k for k, mid in enumerate(ids[::5])}
        conn.execute(v.value_lines.insert(), [
            {"id": line, "measure_id": mid, "category": "revenue", "currency": "USD", "title": "US revenue",
             "created_at": now} for mid, line in usd.items()])
        conn.execute(v.value_amounts.insert(), [
            {"line_id": line, "measure_id": mid, "version": "plan", "period": f"2026-{m:02d}", "amount": 50 + m}
            for mid, line in usd.items() for m in range(1, 13)])
        conn.execute(update(v.measure_values).where(v.measure_values.c.measure_id.in_(ids[::7])).values(
            potential_status="at_risk",
            potential_override={"status": "at_risk", "reason": "bench", "by": "bob", "at": now.isoformat()}))
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


def facing(uow) -> list:
    return list(uow.session.scalars(select(Measure).where(t.measures.c.doi == DOI - 1,
                                                          t.measures.c.cancelled.is_(False))
                                    .order_by(t.measures.c.code)))


def main():
    args = arguments(__doc__.splitlines()[0], measures=50_000)
    with tempfile.TemporaryDirectory(prefix="steerco-bench-preview-") as d:
        url = f"sqlite:///{Path(d) / 'steerco.db'}"
        upgrade(url)
        store = Store(url)
        with Timer() as built:
            bulk.portfolio(store, args.measures, progress=note)
            enrich(store)
            bulk.analyze(store)
        definition = draft(store)
        draft_gate = parse_model({**definition, "code": MODEL}).gate_for(DOI)

        def prebuilt(uow):
            ms = facing(uow)
            facts = {}
            for i in range(0, len(ms), preview.IMPACT_CHUNK):
                facts.update(preview.facts_for_many(uow, ms[i:i + preview.IMPACT_CHUNK]))
            return [(model_of(m.model_version).gate_for(DOI), facts[m.id]) for m in ms]

        checks = store.run("admin", prebuilt, readonly=True)
        n = len(checks)
        note(f"{args.measures:,} measures built in {built.seconds:.0f} s; {n:,} face the gate to DoI {DOI}")

        def floor():
            for current, f in checks:
                handle = rules.facts_handle(f)
                check_gate(current, f, handle=handle)
                check_gate(draft_gate, f, handle=handle)

        def impact(limit):
            def run():
                preview.IMPACT_LIMIT = limit
                try:
                    return store.run("admin", lambda uow: preview.impact(uow, MODEL, definition, DOI), readonly=True)
                finally:
                    preview.IMPACT_LIMIT = SHIPPED_LIMIT
            return run

        t = interleaved({"all": impact(max(n, SHIPPED_LIMIT)), "shipped": impact(SHIPPED_LIMIT), "floor": floor},
                        args.rounds)
        every, shipped = t["all"][1], t["shipped"][1]
        assert every["checked"] == n and not every["more"], every["checked"]
        note(f"every facing measure: {t['all'][0] * 1000:.0f} ms, {every['checked']:,} checked, "
             f"{len(every['changed']):,} changed; as shipped: {t['shipped'][0] * 1000:.0f} ms, "
             f"{shipped['checked']:,} checked (more: {shipped['more']}), {len(shipped['changed']):,} changed; "
             f"floor {t['floor'][0] * 1000:.0f} ms (medians of {args.rounds})")
        bench("preview_all_facing_ms", t["all"][0] * 1000, "ms", 2000)
        bench("preview_checks_all_facing", shipped["checked"] / n, "share", 1, below=False, strict=False)
        info("preview_all_facing_vs_floor", t["all"][0] / t["floor"][0], "x",
             "floor: two gate checks per measure over prebuilt facts")
        info("preview_shipped_ms", t["shipped"][0] * 1000, "ms", f"capped at {SHIPPED_LIMIT:,} measures")
        store.dispose()
    finish()


if __name__ == "__main__":
    main()
