"""Actuals import speed: 1,000,000 actual lines from CSV into SQLite, all or nothing (issue 4).

Run on demand: ``python tests/benchmarks/bench_actuals.py [--lines 1000000] [--measures 50000]``.

Baselines measured in the same run: reading the CSV with the csv module alone,
and a bare ``executemany`` INSERT of the same rows in one transaction (the floor
for writing them). Target: ``actuals.import_file`` (validate every row, map to
value lines, check rights, locks, FX, then write) under 60 s. The same file is
imported a second time to show the re-import is idempotent (all unchanged).
"""

from __future__ import annotations

import argparse
import csv
import io
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_rollup import build_portfolio, periods  # noqa: E402

from steerco.migrate import upgrade  # noqa: E402
from steerco.store.uow import Store  # noqa: E402


def make_csv(lines: int, measures: int) -> bytes:
    per = -(-lines // measures)
    ps = periods(per)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["measure", "period", "amount", "currency"])
    n = 0
    for i in range(1, measures + 1):
        cur = "USD" if i % 10 == 0 else "EUR"
        for p in ps:
            if n == lines:
                break
            w.writerow([f"M-{i:06d}", p, f"{1000 + (n % 997)}.{n % 100:02d}", cur])
            n += 1
    return out.getvalue().encode()


def main():
    from steerco.services.rights import people
    from steerco.services.value import actuals

    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--measures", type=int, default=50_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        url = f"sqlite:///{d}/bench.db"
        upgrade(url)
        store = Store(url)
        build_portfolio(store, args.measures, 36, versions=(), progress=lambda _m: None)
        # admin owns the portfolio's measures: a controller who owns none books their actuals
        store.run("system", lambda uow: people.add_user(uow, "ctl", roles=[("controller", None)]) and None)
        data = make_csv(args.lines, args.measures)
        print(f"portfolio of {args.measures} measures; CSV of {args.lines} lines, {len(data) / 1e6:.0f} MB")

        t = time.perf_counter()
        rows = list(csv.reader(io.StringIO(data.decode())))
        t_parse = time.perf_counter() - t

        floor_db = sqlite3.connect(f"{d}/floor.db", isolation_level=None)
        floor_db.execute("PRAGMA journal_mode=WAL")
        floor_db.execute("PRAGMA synchronous=NORMAL")
        floor_db.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, line_id INT, measure_id INT, version TEXT, "
                         "period TEXT, amount NUMERIC, UNIQUE (line_id, version, period))")
        t = time.perf_counter()
        floor_db.execute("BEGIN")
        floor_db.executemany("INSERT INTO a (line_id, measure_id, version, period, amount) VALUES (?, ?, ?, ?, ?)",
                             ((int(r[0][2:]), int(r[0][2:]), "actual", r[1], float(r[2])) for r in rows[1:]))
        floor_db.execute("COMMIT")
        t_floor = time.perf_counter() - t
        floor_db.close()

        phases = {}

        def progress(phase, done, total):
            phases.setdefault(phase, time.perf_counter())

        t0 = time.perf_counter()
        first = store.run("ctl", lambda uow: actuals.import_file(uow, data, "actuals.csv", progress=progress))
        t_import = time.perf_counter() - t0
        t_validate = phases.get("write", t0 + t_import) - t0
        t = time.perf_counter()
        again = store.run("ctl", lambda uow: actuals.import_file(uow, data, "actuals.csv"))
        t_again = time.perf_counter() - t
        assert first["inserted"] == again["unchanged"] == args.lines, (first, again)
        print(f"csv module parse only    {t_parse:6.1f} s")
        print(f"bare executemany INSERT  {t_floor:6.1f} s (floor for writing)")
        print(f"actuals.import_file      {t_import:6.1f} s ({t_import / t_floor:.1f}x the bare insert; "
              f"{args.lines / t_import:,.0f} lines/s; target < 60 s): read+validate {t_validate:.1f} s, "
              f"write+commit {t_import - t_validate:.1f} s")
        print(f"re-import, same file     {t_again:6.1f} s (inserted {again['inserted']}, updated {again['updated']}, "
              f"unchanged {again['unchanged']}: idempotent)")
        store.dispose()


if __name__ == "__main__":
    main()
