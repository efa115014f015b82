"""Large portfolios inserted in bulk, for statement counts and benchmarks.

The services create measures one by one with every check; a portfolio of
thousands is inserted here straight into the tables instead (then the kept
value totals rebuilt), shaped as the services would leave it.
"""

from __future__ import annotations

import copy
import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from steerco.services.models import checksum
from steerco.services.value import totals as value_totals
from steerco.store import tables as t
from steerco.store import tables_value as v

NOW = datetime(2026, 11, 2, tzinfo=timezone.utc)
PROJECTS = 20  # leaf nodes P00..P19, alternately under PA and PB
PEOPLE = 200
CATEGORIES = ("savings", "ebitda", "revenue", "cost_avoidance", "one_time_cost", "capex", "recurring_benefit")
AMOUNT_COLUMNS = ["id", "line_id", "measure_id", "version", "period", "amount"]


def periods(n: int, first_year: int = 2026) -> list[str]:
    return [f"{first_year + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def portfolio(store, measures: int, *, n_periods: int = 12, versions=("plan", "forecast"), fx_periods: int = 60,
              seed: int = 1, progress=lambda _message: None) -> dict:
    """A portfolio as the services would leave it, loaded in bulk: the default configuration with 20
    projects under PA and PB, the test users and 200 more owners, and ``measures`` measures spread over
    the projects, every DoI and two versions of the governance model (counting value differently), each
    with a measure value (one in ten at risk) and one value line (one of seven categories; every tenth in
    USD) holding an amount per ``versions`` x ``n_periods`` months from 2026-01. One measure in fifty is
    on hold, one in 97 cancelled; 2% of the measures at DoI 1 wait at the gate to DoI 2 for their sponsor.
    Returns ``{"amounts": n, "model_versions": [id, id]}``.
    """
    from conftest import USERS, default_config
    from steerco.services.configuration import bundle as configuration
    from steerco.services.rights import people

    rng = random.Random(seed)
    cfg = default_config()
    cfg["hierarchy"]["nodes"] += [{"code": f"P{i:02d}", "name": f"Project {i}", "level": "project",
                                   "parent": "PA" if i % 2 else "PB"} for i in range(PROJECTS)]
    cfg["value"]["fx_rates"] = {"USD": {p: round(0.85 + 0.1 * rng.random(), 4) for p in periods(fx_periods)}}
    store.run("system", lambda uow: configuration.apply(uow, cfg) and None)
    for name, roles in USERS.items():
        store.run("system", lambda uow: people.add_user(uow, name, roles=roles) and None)
    for i in range(PEOPLE):
        store.run("system", lambda uow: people.add_user(uow, f"person{i:03d}", roles=[("owner", None)]) and None)
    with store.engine.begin() as conn:
        model_versions = [conn.execute(select(t.model_versions.c.id).order_by(t.model_versions.c.id.desc())).first().id,
                          second_model_version(conn)]
        nodes = [r.id for r in conn.execute(select(t.nodes.c.id).where(t.nodes.c.code.like("P__"))
                                            .order_by(t.nodes.c.code))]
        mtype = conn.execute(select(t.measure_types.c.id).where(t.measure_types.c.code == "cost")).scalar_one()
        users = {r.username: r.id for r in conn.execute(select(t.users.c.username, t.users.c.id))}
    ps = periods(n_periods)
    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        m_rows, v_rows, l_rows, r_rows = [], [], [], []
        step = '[{"name": "Sponsor approval", "roles": ["sponsor"], "mode": "any", "quorum": null}]'
        at_doi_1 = 0
        for i in range(1, measures + 1):
            doi = i % 6
            who = _people(users, i)
            m_rows.append((i, f"M-{i:06d}", f"Measure {i} {'freight' if i % 7 == 0 else 'energy'}", "",
                           nodes[i % PROJECTS], mtype, model_versions[i % 2], who["owner_id"], who["sponsor_id"],
                           who["controller_id"], doi, i % 50 == 0, cancelled(i), 1000 + i, "EUR", "{}", NOW, NOW, 1))
            v_rows.append((i, 0, "at_risk" if rng.random() < 0.1 else "on_track", "on_track"))
            l_rows.append((i, i, CATEGORIES[i % len(CATEGORIES)], "USD" if i % 10 == 0 else "EUR", "Line", "", "", "",
                           NOW))
            if doi == 1 and not cancelled(i) and at_doi_1 % 50 == 0:
                r_rows.append((i, model_versions[i % 2], 1, 2, "Detailed", users["alice"],
                               NOW - timedelta(days=at_doi_1 % 15), "pending", step, 0, "{}", "[]", "", 1))
            at_doi_1 += doi == 1
        _load(store, cur, "measures", ["id", "code", "title", "description", "node_id", "measure_type_id",
                                      "model_version_id", "owner_id", "sponsor_id", "controller_id", "doi", "on_hold",
                                      "cancelled", "potential", "currency", "fields", "created_at", "updated_at",
                                      "version_id"], m_rows)
        _load(store, cur, "measure_values", ["measure_id", "plan_revision", "potential_status",
                                            "implementation_status"], v_rows)
        _load(store, cur, "value_lines", ["id", "measure_id", "category", "currency", "title", "cost_centre",
                                         "account", "wbs", "created_at"], l_rows)
        _load(store, cur, "gate_reviews", ["measure_id", "model_version_id", "doi_from", "doi_to", "gate_name",
                                          "submitted_by_id", "submitted_at", "status", "steps", "current_step",
                                          "facts", "results", "rationale", "version_id"], r_rows)
        progress(f"{measures:,} measures, lines and {len(r_rows):,} pending reviews loaded")
        chunk, n = [], 0
        for i in range(1, measures + 1):
            base = rng.randint(1_000, 500_000)
            for ver in versions:
                for p in ps:
                    n += 1
                    chunk.append((n, i, i, ver, p, f"{base + rng.randint(-999, 999)}.{rng.randint(0, 99):02d}"))
            if len(chunk) >= 500_000:
                _load(store, cur, "value_amounts", AMOUNT_COLUMNS, chunk)
                chunk = []
                progress(f"{n:,} amounts loaded")
        if chunk:
            _load(store, cur, "value_amounts", AMOUNT_COLUMNS, chunk)
        if store.engine.dialect.name == "postgresql":
            for name in ("value_amounts", "value_lines", "measures", "gate_reviews"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"GREATEST((SELECT max(id) FROM {name}), 1))")
        raw.commit()
    finally:
        raw.close()
    with store.engine.begin() as conn:
        value_totals.rebuild(conn)  # bulk inserts bypass the services that keep the totals
    analyze(store)
    progress(f"{n:,} amounts in all; totals rebuilt")
    return {"amounts": n, "model_versions": model_versions}


def cancelled(i: int) -> bool:
    """Whether :func:`portfolio` cancels its ``i``-th measure (ids count from 1)."""
    return i % 97 == 0


def second_model_version(conn, model_code: str = "doi-default") -> int:
    """A second version of the governance model that counts value differently (half the risk weights), so
    roll-ups must group by version; returns its id."""
    latest = conn.execute(select(t.model_versions).where(t.model_versions.c.model_code == model_code)
                          .order_by(t.model_versions.c.version.desc())).first()
    definition = copy.deepcopy(latest.definition)
    for level in definition["levels"]:
        level["risk_weight"] = level.get("risk_weight", 0) / 2
    return conn.execute(t.model_versions.insert().values(
        model_code=model_code, version=latest.version + 1, checksum=checksum(definition), definition=definition,
        created_at=NOW)).inserted_primary_key[0]


def analyze(store) -> None:
    raw = store.engine.raw_connection()
    try:
        raw.cursor().execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def _people(users, i: int) -> dict:
    """Owners, sponsors and controllers spread over PEOPLE people; alice, bob and carol hold one measure in
    a hundred each, across both programmes (so some lie outside the node they hold their role on)."""
    if i % 100 == 0:
        return {"owner_id": users["alice"], "sponsor_id": users["bob"], "controller_id": users["carol"]}
    return {f"{role}_id": users[f"person{(i * 7 + k * 31) % PEOPLE:03d}"]
            for k, role in enumerate(("owner", "sponsor", "controller"))}


def _naive_utc(when: datetime) -> str:
    """As UtcDateTime stores a timestamp on SQLite: naive UTC text."""
    return (when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when).isoformat(" ")


def _load(store, cur, table, cols, rows):
    if not rows:
        return
    if store.engine.dialect.name == "postgresql":
        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
        return
    # The engine's SQLite connections run in autocommit mode (BEGIN IMMEDIATE comes from the engine):
    # one explicit transaction per batch, or every row is its own commit.
    conv = [tuple(_naive_utc(x) if isinstance(x, datetime) else x for x in r) for r in rows]
    cur.execute("BEGIN")
    cur.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", conv)
    cur.execute("COMMIT")


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
