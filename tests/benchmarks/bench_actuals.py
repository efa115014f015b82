"""Import of 1,000,000 actual lines into a table already holding 7.2 M amounts, against bare executemany.

Run: ``python tests/benchmarks/bench_actuals.py [--quick] [--lines 1000000] [--measures 50000] [--rounds 5]``.

The portfolio is bench_rollup's (tests/support/bulk.py: two model versions,
36 months x baseline, plan, forecast and actual per measure: 7.2 M amounts at
full size, a tenth with --quick); the CSV books actuals for the 20 months after
those, so the first import inserts every line. Each round, interleaved:

- ``actuals.import_file`` of the file (validate, map to value lines, rights, FX, write, totals, audit);
- the same file again, unchanged (every amount compared, none written);
- the floor: bare ``executemany`` of the same rows into the same table, in one transaction;

then what the round wrote is deleted (untimed), so every round starts from the same amounts
(the kept value totals are left as the import moved them: the next import moves them alike).

Goals: the import at most 2.5x the floor; the re-import at most 25% of the
import; each under 30 s.
"""

from __future__ import annotations

import csv
import io
import tempfile

from harness import Timer, arguments, bench, finish, interleaved, note

from steerco.migrate import upgrade
from steerco.store.uow import Store
from support import bulk

EXISTING_PERIODS = 36
VERSIONS = ("baseline", "plan", "forecast", "actual")


def make_csv(lines: int, measures: int) -> tuple[bytes, list[tuple]]:
    """The file, and the rows it stands for as value_amounts columns (line and measure ids are equal in
    the bulk portfolio)."""
    bookable = [i for i in range(1, measures + 1) if not bulk.cancelled(i)]
    ps = bulk.periods(EXISTING_PERIODS + -(-lines // len(bookable)))[EXISTING_PERIODS:]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["measure", "period", "amount", "currency"])
    rows = []
    for i in bookable:
        currency = "USD" if i % 10 == 0 else "EUR"
        for p in ps:
            if len(rows) == lines:
                break
            amount = f"{1000 + len(rows) % 997}.{len(rows) % 100:02d}"
            w.writerow([f"M-{i:06d}", p, amount, currency])
            rows.append((i, i, p, amount))
    return out.getvalue().encode(), rows


def main():
    from steerco.services.rights import people
    from steerco.services.value import actuals

    args = arguments(__doc__.splitlines()[0], lines=1_000_000, measures=50_000)
    with tempfile.TemporaryDirectory(prefix="steerco-bench-actuals-") as d:
        url = f"sqlite:///{d}/bench.db"
        upgrade(url)
        store = Store(url)
        with Timer() as built:
            out = bulk.portfolio(store, args.measures, n_periods=EXISTING_PERIODS, versions=VERSIONS, progress=note)
        # a controller who owns no measure books their actuals (segregation of duties)
        store.run("system", lambda uow: people.add_user(uow, "ctl", roles=[("controller", None)]) and None)
        data, rows = make_csv(args.lines, args.measures)
        first_new = rows[0][2]
        note(f"{out['amounts']:,} amounts in the table, built in {built.seconds:.0f} s; CSV of {len(rows):,} lines "
             f"({len(data) / 1e6:.0f} MB) from {first_new}")
        raw = store.engine.raw_connection()
        cur = raw.cursor()

        def undo():
            cur.execute("BEGIN")
            cur.execute("DELETE FROM value_amounts WHERE version = 'actual' AND period >= ?", (first_new,))
            cur.execute("DELETE FROM actual_imports")
            cur.execute("COMMIT")

        def floor():
            cur.execute("BEGIN")
            cur.executemany("INSERT INTO value_amounts (line_id, measure_id, version, period, amount) "
                            "VALUES (?, ?, 'actual', ?, ?)", rows)
            cur.execute("COMMIT")

        def imported():
            return store.run("ctl", lambda uow: actuals.import_file(uow, data, "actuals.csv"))

        t = interleaved({"import": imported, "reimport": imported, "floor": floor}, args.rounds,
                        reset={"reimport": undo, "floor": undo})
        first, again = t["import"][1], t["reimport"][1]
        assert first["inserted"] == again["unchanged"] == len(rows), (first, again)
        note(f"medians of {args.rounds} interleaved rounds: import {t['import'][0]:.1f} s "
             f"({len(rows) / t['import'][0]:,.0f} lines/s), re-import {t['reimport'][0]:.1f} s, "
             f"bare executemany {t['floor'][0]:.1f} s")
        bench("import_vs_executemany", t["import"][0] / t["floor"][0], "x", 2.5, strict=False)
        bench("reimport_vs_import", t["reimport"][0] / t["import"][0], "x", 0.25, strict=False)
        bench("import_seconds", t["import"][0], "s", 30)
        bench("reimport_seconds", t["reimport"][0], "s", 30)
        raw.close()
        store.dispose()
    finish()


if __name__ == "__main__":
    main()
