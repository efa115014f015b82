"""Roll-up speed: a node subtree x DoI x category over a generated portfolio, SQLite and PostgreSQL (issue 4).

Run on demand: ``python tests/benchmarks/bench_rollup.py [--measures 50000] [--periods 36] [--repeats 3]
[--backends sqlite,postgresql]``.

Baseline measured in the same run: the best hand-written SQL aggregate over the
same tables giving the same figures (plan / forecast / actual / baseline by node
x DoI x category, with the same exact FX conversion in integer cents), and the
naive ``SUM(amount)`` without conversion for scale. Target: ``rollup.rollup``
(which also groups by model version and Potential Status for risk-adjusted and
value-at-risk figures, and maps nodes to the root's children) within 1.5x of the
hand-written aggregate.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from sqlalchemy import text  # noqa: E402

from steerco.migrate import upgrade  # noqa: E402
from steerco.store.uow import Store  # noqa: E402

VERSIONS = ("baseline", "plan", "forecast", "actual")
CONV = """CASE WHEN fx.rate IS NULL THEN CAST(ROUND(a.amount * 100) AS BIGINT)
     WHEN CAST(ROUND(a.amount * 100) AS BIGINT) * CAST(ROUND(fx.rate * 1000000) AS BIGINT) >= 0
     THEN (CAST(ROUND(a.amount * 100) AS BIGINT) * CAST(ROUND(fx.rate * 1000000) AS BIGINT) + 500000) / 1000000
     ELSE -((-(CAST(ROUND(a.amount * 100) AS BIGINT) * CAST(ROUND(fx.rate * 1000000) AS BIGINT)) + 500000)
            / 1000000) END"""
# The same figures by hand: converted sums per version, and the part of measures at risk (value at risk);
# risk weights per DoI are constants applied to the forecast rows afterwards, at no SQL cost.
HAND_WRITTEN = f"""
SELECT m.node_id, m.doi, l.category, a.version, SUM({CONV}),
       SUM(CASE WHEN mv.potential_status IN ('at_risk', 'critical') THEN {CONV} ELSE 0 END)
FROM value_amounts a
JOIN value_lines l ON l.id = a.line_id
JOIN measures m ON m.id = a.measure_id
JOIN nodes n ON n.id = m.node_id
LEFT JOIN measure_values mv ON mv.measure_id = m.id
LEFT JOIN fx_rates fx ON fx.currency = l.currency AND fx.period = a.period AND l.currency <> 'EUR'
WHERE n.path LIKE :prefix AND m.cancelled = :no
GROUP BY m.node_id, m.doi, l.category, a.version
"""
NAIVE = """
SELECT m.node_id, m.doi, l.category, a.version, SUM(a.amount)
FROM value_amounts a JOIN value_lines l ON l.id = a.line_id JOIN measures m ON m.id = a.measure_id
JOIN nodes n ON n.id = m.node_id
WHERE n.path LIKE :prefix GROUP BY m.node_id, m.doi, l.category, a.version
"""


def periods(n: int) -> list[str]:
    return [f"{2026 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def build_portfolio(store: Store, measures: int, n_periods: int, versions=VERSIONS, seed: int = 1,
                    progress=print) -> dict:
    """Configuration through the services, then measures, lines and amounts bulk-loaded (fast)."""
    from conftest import default_config
    from steerco.services.configuration import bundle as configuration
    from steerco.services.rights import people

    rng = random.Random(seed)
    cfg = default_config()
    cfg["hierarchy"]["nodes"] = [{"code": "ACME", "name": "Acme", "level": "organization"}]
    ps = periods(n_periods)
    cfg["value"]["fx_rates"] = {"USD": {p: round(0.85 + 0.1 * rng.random(), 4) for p in ps}}
    store.run("system", lambda uow: configuration.apply(uow, cfg) and None)
    store.run("system", lambda uow: people.add_user(uow, "admin", roles=[("admin", None)]) and None)
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with store.engine.begin() as c:
        lv = dict(c.execute(text("SELECT code, id FROM hierarchy_levels")).all())
        root = c.execute(text("SELECT id FROM nodes WHERE code = 'ACME'")).scalar()
        mt = c.execute(text("SELECT id FROM measure_types WHERE code = 'cost'")).scalar()
        mv = c.execute(text("SELECT id FROM model_versions ORDER BY id DESC")).scalar()
        owner = c.execute(text("SELECT id FROM users WHERE username = 'admin'")).scalar()
        leaves = []
        for p in range(5):
            c.execute(text("INSERT INTO nodes (code, name, level_id, parent_id, path, archived) "
                           "VALUES (:c, :c, :l, :p, :path, :f)"),
                      {"c": f"P{p}", "l": lv["portfolio"], "p": root, "path": f"/ACME/P{p}/", "f": False})
            pid = c.execute(text("SELECT id FROM nodes WHERE code = :c"), {"c": f"P{p}"}).scalar()
            for g in range(20):
                code = f"P{p}-G{g}"
                c.execute(text("INSERT INTO nodes (code, name, level_id, parent_id, path, archived) "
                               "VALUES (:c, :c, :l, :p, :path, :f)"),
                          {"c": code, "l": lv["program"], "p": pid, "path": f"/ACME/P{p}/{code}/", "f": False})
                leaves.append(c.execute(text("SELECT id FROM nodes WHERE code = :c"), {"c": code}).scalar())
    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        m_rows, v_rows, l_rows, a_rows = [], [], [], []
        cats = ["savings", "ebitda", "revenue", "cost_avoidance", "one_time_cost", "capex", "recurring_benefit"]
        for i in range(1, measures + 1):
            m_rows.append((i, f"M-{i:06d}", f"Measure {i}", "", leaves[i % len(leaves)], mt, mv, owner,
                           rng.choice([0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5]), False, False, "EUR", "{}", now, now, 1))
            v_rows.append((i, 0, "at_risk" if rng.random() < 0.1 else "on_track", "on_track"))
            l_rows.append((i, i, rng.choice(cats), "USD" if i % 10 == 0 else "EUR", "Line", "", "", ""))
        _load(store, cur, "measures", ["id", "code", "title", "description", "node_id", "measure_type_id",
                                      "model_version_id", "owner_id", "doi", "on_hold", "cancelled", "currency",
                                      "fields", "created_at", "updated_at", "version_id"], m_rows)
        _load(store, cur, "measure_values", ["measure_id", "plan_revision", "potential_status",
                                            "implementation_status"], v_rows)
        _load(store, cur, "value_lines", ["id", "measure_id", "category", "currency", "title", "cost_centre",
                                         "account", "wbs"], l_rows)
        raw.commit()
        progress(f"  {measures} measures and lines loaded")
        chunk, n = [], 0
        for i in range(1, measures + 1):
            base = rng.randint(1_000, 500_000)
            for ver in versions:
                for p in ps:
                    n += 1
                    chunk.append((n, i, i, ver, p, f"{base + rng.randint(-999, 999)}.{rng.randint(0, 99):02d}"))
            if len(chunk) >= 500_000:
                _load(store, cur, "value_amounts", ["id", "line_id", "measure_id", "version", "period", "amount"],
                      chunk)
                chunk = []
                progress(f"  {n} amounts loaded")
        if chunk:
            _load(store, cur, "value_amounts", ["id", "line_id", "measure_id", "version", "period", "amount"], chunk)
        raw.commit()
        if store.engine.dialect.name == "postgresql":
            for tname in ("value_amounts", "value_lines", "measures"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{tname}', 'id'), (SELECT max(id) FROM {tname}))")
            raw.commit()
            cur.execute("ANALYZE")
            raw.commit()
        else:
            cur.execute("ANALYZE")
            raw.commit()
        progress(f"  {n} amounts loaded")
        return {"amounts": n}
    finally:
        raw.close()


def _load(store, cur, table, cols, rows):
    if store.engine.dialect.name == "postgresql":
        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
    else:
        # The engine's SQLite connections run in autocommit mode (BEGIN IMMEDIATE comes from the engine):
        # one explicit transaction per batch, or every row is its own commit.
        conv = [tuple(x.isoformat(" ") if isinstance(x, datetime) else x for x in r) for r in rows]
        cur.execute("BEGIN")
        cur.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", conv)
        cur.execute("COMMIT")


def best(fn, repeats):
    times = []
    out = None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def bench(url: str, args, label: str):
    from steerco.services.value import rollup

    upgrade(url)
    store = Store(url)
    t0 = time.perf_counter()
    built = build_portfolio(store, args.measures, args.periods, progress=print)
    print(f"{label}: portfolio of {args.measures} measures x {args.periods} periods x 4 versions "
          f"= {built['amounts']} amounts, built in {time.perf_counter() - t0:.0f} s")
    params = {"prefix": "/ACME/%", "no": False}

    def hand():
        with store.read_engine.connect() as c:
            return c.execute(text(HAND_WRITTEN), params).all()

    def naive():
        with store.read_engine.connect() as c:
            return c.execute(text(NAIVE), params).all()

    for node, prefix in (("ACME", "/ACME/%"), ("P1", "/ACME/P1/%")):
        params["prefix"] = prefix
        t_hand, rows = best(hand, args.repeats)
        t_naive, _ = best(naive, args.repeats)
        t_service, out = best(lambda: store.run("admin", lambda uow: rollup.rollup(uow, node), readonly=True),
                              args.repeats)
        plan_hand = sum(r[4] for r in rows if r[3] == "plan" and r[2] not in ("one_time_cost", "capex"))
        plan_service = round(float(out["totals"]["plan"]) * 100)
        assert plan_hand == plan_service, (plan_hand, plan_service)
        print(f"{label} {node:5s} hand-written SQL {t_hand:7.2f} s | naive SUM {t_naive:7.2f} s "
              f"({t_naive / t_hand:.2f}x) | rollup.rollup {t_service:7.2f} s ({t_service / t_hand:.2f}x of "
              f"hand-written; target <= 1.5x) | plan totals equal")
    store.dispose()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--measures", type=int, default=50_000)
    ap.add_argument("--periods", type=int, default=36)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--backends", default="sqlite,postgresql")
    args = ap.parse_args()
    backends = args.backends.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as d:
            bench(f"sqlite:///{d}/bench.db", args, "sqlite    ")
    if "postgresql" in backends:
        from support.servers import PostgresServer

        with PostgresServer() as pg:
            pg.create_database("bench")
            bench(pg.url("bench"), args, "postgresql")


if __name__ == "__main__":
    main()
