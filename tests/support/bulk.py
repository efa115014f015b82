"""Large portfolios inserted in bulk, for statement counts and benchmarks.

The services create measures one by one with every check; a portfolio of
thousands is inserted here straight into the tables instead (then the kept
value totals rebuilt), shaped as the services would leave it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from steerco.services.value import totals as value_totals
from steerco.store import tables as t
from steerco.store import tables_value as v

NOW = datetime(2026, 11, 2, tzinfo=timezone.utc)


def add_measures(store, n: int, *, node: str = "PA", sponsor: str = "bob", owner: str = "alice",
                 controller: str = "carol", pending: int = 0, periods: int = 12, prefix: str = "B") -> list[int]:
    """Insert ``n`` measures under ``node`` (DoI 1, one value line with plan and forecast per period); the
    first ``pending`` of them wait at the gate to DoI 2 for the sponsor. Returns their ids."""
    with store.engine.begin() as conn:
        node_id = conn.execute(t.nodes.select().where(t.nodes.c.code == node)).first().id
        mtype = conn.execute(t.measure_types.select().where(t.measure_types.c.code == "cost")).first().id
        version = conn.execute(t.model_versions.select().order_by(t.model_versions.c.id)).first().id
        users = {r.username: r.id for r in conn.execute(t.users.select())}
        start = conn.execute(t.measures.select().with_only_columns(t.measures.c.id)).all()
        base = len(start)
        rows = [{"code": f"{prefix}-{base + i:06d}", "title": f"Bulk measure {i}", "description": "",
                 "node_id": node_id, "measure_type_id": mtype, "model_version_id": version,
                 "owner_id": users[owner], "sponsor_id": users[sponsor], "controller_id": users[controller],
                 "doi": 1, "on_hold": False, "cancelled": False, "potential": 1000 + i, "currency": "EUR",
                 "fields": {}, "created_at": NOW, "updated_at": NOW, "version_id": 1} for i in range(n)]
        for chunk in range(0, n, 5000):
            conn.execute(t.measures.insert(), rows[chunk:chunk + 5000])
        codes = [r["code"] for r in rows]
        ids = [r.id for r in conn.execute(t.measures.select().with_only_columns(t.measures.c.id, t.measures.c.code)
                                          .where(t.measures.c.code.in_(codes)).order_by(t.measures.c.id))]
        if pending:
            conn.execute(t.gate_reviews.insert(), [
                {"measure_id": mid, "model_version_id": version, "doi_from": 1, "doi_to": 2, "gate_name": "Detailed",
                 "submitted_by_id": users[owner], "submitted_at": NOW - timedelta(days=k % 15), "status": "pending",
                 "steps": [{"name": "Sponsor approval", "roles": ["sponsor"], "mode": "any", "quorum": None}],
                 "current_step": 0, "facts": {}, "results": [], "rationale": "", "version_id": 1}
                for k, mid in enumerate(ids[:pending])])
        conn.execute(v.value_lines.insert(), [{"measure_id": mid, "category": "savings", "currency": "EUR",
                                               "title": "Savings", "created_at": NOW} for mid in ids])
        lines = {r.measure_id: r.id for r in conn.execute(v.value_lines.select().where(v.value_lines.c.measure_id.in_(ids)))}
        amounts = [{"line_id": lines[mid], "measure_id": mid, "version": ver, "period": f"2026-{m:02d}",
                    "amount": 100 + m} for mid in ids for ver in ("plan", "forecast") for m in range(1, periods + 1)]
        for chunk in range(0, len(amounts), 50000):
            conn.execute(v.value_amounts.insert(), amounts[chunk:chunk + 50000])
        value_totals.rebuild(conn)  # bulk inserts bypass the services that keep the totals
    return ids


def add_rows(store, measure_id: int, n: int) -> None:
    """Give one measure ``n`` more of every kind of row its page shows: milestones, risks, evidence links,
    value lines with amounts, decided reviews with a vote each, and cleared conditions."""
    with store.engine.begin() as conn:
        users = {r.username: r.id for r in conn.execute(t.users.select())}
        version = conn.execute(t.model_versions.select().order_by(t.model_versions.c.id)).first().id
        conn.execute(t.milestones.insert(), [{"measure_id": measure_id, "title": f"Milestone {i}",
                                              "due_date": (NOW + timedelta(days=i)).date(), "source": "steerco"}
                                             for i in range(n)])
        conn.execute(t.risks.insert(), [{"measure_id": measure_id, "title": f"Risk {i}", "probability": 1 + i % 5,
                                         "impact": 1 + i % 3, "mitigation": "", "status": "open"} for i in range(n)])
        conn.execute(t.evidence.insert(), [{"measure_id": measure_id, "requirement": "business_case", "kind": "link",
                                            "title": f"Link {i}", "url": f"https://docs.example/{i}",
                                            "uploaded_by_id": users["alice"], "uploaded_at": NOW} for i in range(n)])
        conn.execute(v.value_lines.insert(), [{"measure_id": measure_id, "category": "savings", "currency": "EUR",
                                               "title": f"Line {i}", "created_at": NOW} for i in range(n)])
        lines = [r.id for r in conn.execute(v.value_lines.select().where(v.value_lines.c.measure_id == measure_id))]
        conn.execute(v.value_amounts.insert(), [{"line_id": line, "measure_id": measure_id, "version": "plan",
                                                 "period": "2026-11", "amount": 10} for line in lines[-n:]])
        step = [{"name": "Sponsor approval", "roles": ["sponsor"], "mode": "any", "quorum": None}]
        conn.execute(t.gate_reviews.insert(), [
            {"measure_id": measure_id, "model_version_id": version, "doi_from": 0, "doi_to": 1, "gate_name": "Identified",
             "submitted_by_id": users["alice"], "submitted_at": NOW - timedelta(days=i), "status": "decided",
             "decision": "recycle", "decided_at": NOW, "steps": step, "current_step": 1, "facts": {}, "results": [],
             "rationale": "", "version_id": 1} for i in range(n)])
        reviews = [r.id for r in conn.execute(t.gate_reviews.select().where(t.gate_reviews.c.measure_id == measure_id)
                                              .order_by(t.gate_reviews.c.id))][-n:]
        conn.execute(t.votes.insert(), [{"review_id": rid, "step": 0, "voter_id": users["bob"], "decision": "recycle",
                                         "comment": "again", "conditions": [], "cast_at": NOW} for rid in reviews])
        conn.execute(t.conditions.insert(), [{"measure_id": measure_id, "review_id": rid, "text": "Condition",
                                              "due_date": NOW.date(), "cleared_at": NOW, "cleared_by_id": users["pmo"],
                                              "note": ""} for rid in reviews])
        value_totals.rebuild(conn)
