"""Roll-up with mixed governance-model versions against the best hand-written SQL for the same figures.

Run: ``python tests/benchmarks/bench_rollup.py [--quick] [--measures 50000] [--periods 36] [--rounds 5]
[--backends sqlite,postgresql]``.

The portfolio (tests/support/bulk.py) spreads its measures over two versions of
the governance model that weight risk differently, so the roll-up must group by
version; each measure has one value line (one in ten in USD) with an amount per
month in each of baseline, plan, forecast and actual (7.2 M amounts at full size).

Goal: ``rollup.rollup`` of a node's subtree costs at most 1.2x the floor, the
best hand-written SQL computing the same figures: amounts converted to
reporting-currency cents with the same exact FX arithmetic, the part at risk,
grouped by node x DoI x model version x category x version. The ratio to a
plain ``SUM(amount)`` (no FX, no at-risk, no version grouping) is printed for
scale. The three run in interleaved rounds, wall time (the work is the database's).
"""

from __future__ import annotations

import tempfile

from harness import Timer, arguments, bench, finish, info, interleaved, note
from sqlalchemy import text

from steerco.migrate import upgrade
from steerco.store.uow import Store
from support import bulk

GOAL = 1.2
VERSIONS = ("baseline", "plan", "forecast", "actual")
CONV = """CASE WHEN fx.rate IS NULL THEN CAST(ROUND(a.amount * 100) AS BIGINT)
     WHEN CAST(ROUND(a.amount * 100) AS BIGINT) * CAST(ROUND(fx.rate * 1000000) AS BIGINT) >= 0
     THEN (CAST(ROUND(a.amount * 100) AS BIGINT) * CAST(ROUND(fx.rate * 1000000) AS BIGINT) + 500000) / 1000000
     ELSE -((-(CAST(ROUND(a.amount * 100) AS BIGINT) * CAST(ROUND(fx.rate * 1000000) AS BIGINT)) + 500000)
            / 1000000) END"""
# Risk weights and the committed / realized DoIs per model version are constants applied to the few
# grouped rows afterwards, at no SQL cost: the query is the whole of the floor's work.
HAND_WRITTEN = f"""
SELECT m.node_id, m.doi, m.model_version_id, l.category, a.version, SUM({CONV}),
       SUM(CASE WHEN mv.potential_status IN ('at_risk', 'critical') THEN {CONV} ELSE 0 END)
FROM value_amounts a
JOIN value_lines l ON l.id = a.line_id
JOIN measures m ON m.id = a.measure_id
JOIN nodes n ON n.id = m.node_id
LEFT JOIN measure_values mv ON mv.measure_id = m.id
LEFT JOIN fx_rates fx ON fx.currency = l.currency AND fx.period = a.period AND l.currency <> 'EUR'
WHERE n.path LIKE :prefix AND m.cancelled = :no
GROUP BY m.node_id, m.doi, m.model_version_id, l.category, a.version
"""
PLAIN_SUM = """
SELECT m.node_id, m.doi, l.category, a.version, SUM(a.amount)
FROM value_amounts a JOIN value_lines l ON l.id = a.line_id JOIN measures m ON m.id = a.measure_id
JOIN nodes n ON n.id = m.node_id
WHERE n.path LIKE :prefix GROUP BY m.node_id, m.doi, l.category, a.version
"""


def run(url: str, args, backend: str) -> None:
    from steerco.services.value import rollup

    upgrade(url)
    store = Store(url)
    with Timer() as built:
        out = bulk.portfolio(store, args.measures, n_periods=args.periods, versions=VERSIONS, progress=note)
    note(f"{backend}: {args.measures:,} measures x {args.periods} periods x {len(VERSIONS)} versions = "
         f"{out['amounts']:,} amounts over model versions {out['model_versions']}, built in {built.seconds:.0f} s")
    with store.engine.connect() as c:
        paths = dict(c.execute(text("SELECT code, path FROM nodes WHERE code IN ('ACME', 'PA')")).all())
    for node in ("ACME", "PA"):
        params = {"prefix": paths[node] + "%", "no": False}

        def hand():
            with store.read_engine.connect() as c:
                return c.execute(text(HAND_WRITTEN), params).all()

        def plain():
            with store.read_engine.connect() as c:
                return c.execute(text(PLAIN_SUM), params).all()

        def service():
            return store.run("admin", lambda uow: rollup.rollup(uow, node), readonly=True)

        t = interleaved({"rollup": service, "hand": hand, "sum": plain}, args.rounds)
        rows, result = t["hand"][1], t["rollup"][1]
        plan_hand = sum(r[5] for r in rows if r[4] == "plan" and r[3] not in ("one_time_cost", "capex"))
        assert plan_hand == round(float(result["totals"]["plan"]) * 100), "the floor computes other figures"
        note(f"{backend} {node}: rollup {t['rollup'][0] * 1000:.0f} ms, hand-written SQL "
             f"{t['hand'][0] * 1000:.0f} ms, plain SUM {t['sum'][0] * 1000:.0f} ms (medians of {args.rounds})")
        bench(f"rollup_{backend}_{node}_vs_hand_sql", t["rollup"][0] / t["hand"][0], "x", GOAL, strict=False)
        info(f"rollup_{backend}_{node}_vs_plain_sum", t["rollup"][0] / t["sum"][0], "x")
    store.dispose()


def main():
    def configure(ap):
        ap.add_argument("--periods", type=int, default=36)
        ap.add_argument("--backends", default="sqlite", help="sqlite,postgresql (PostgreSQL needs its server "
                        "binaries; tests/support/servers.py starts one on 127.0.0.1)")

    args = arguments(__doc__.splitlines()[0], configure, measures=50_000)
    backends = [b for b in args.backends.split(",") if b]
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory(prefix="steerco-bench-rollup-") as d:
            run(f"sqlite:///{d}/bench.db", args, "sqlite")
    if "postgresql" in backends:
        from support.servers import PostgresServer

        with PostgresServer() as pg:
            pg.create_database("bench")
            run(pg.url("bench"), args, "postgresql")
    finish()


if __name__ == "__main__":
    main()
