"""SAP connector speed against the fake S/4HANA service, compared with the CSV import of the same lines.

Run on demand: ``python tests/benchmarks/bench_sap.py [--rows 1000000] [--measures 50000]``, or ``--quick``
(100,000 rows into 5,000 measures), or with the others through ``run.py``. Prints ``BENCH`` lines
(tests/benchmarks/harness.py).

Two identical SQLite portfolios (each measure one value line on its own cost centre, a tenth in USD), one
total per measure and period over rows / measures periods: the CSV import of the lines (cost centre,
period, amount, currency) into the first, then a full sync of the same totals from the fake SAP service
into the second (pages of 50,000 rows in SAP's JSON, ``__metadata`` included, read, mapped by the
lines' cost centres, booked through the same path as the CSV import). Goals:

- ``sap_full_sync``: within 1.5x of the CSV import measured in the same run;
- ``sap_incremental``: at month end (every period but the last locked after sign-off) with 1% of all
  amounts changed, in the open period, an incremental sync under 10% of the full sync's time.

Each figure is given as wall-clock time and as CPU time of this process (all its threads): other work on
a shared machine stretches the first, hardly the second. A full sync of a million rows takes minutes, so
each side is timed once, not in interleaved rounds; the goals are ratios within the run. The fake runs in its own process with every row
rendered once when it starts (and again when its amount changes); its CPU during the sync is printed.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import arguments, bench, finish, info, note  # noqa: E402

from steerco.migrate import upgrade  # noqa: E402
from steerco.store.uow import Store  # noqa: E402
from support import bulk  # noqa: E402
from support.fake_sap import ENTITY_SET, FakeSap, gateway_error  # noqa: E402

USER, PASSWORD = "STEERCO_BENCH", "bench-password"
PAGE = 50_000
SELECT = ("LedgerFiscalYear,FiscalPeriod,CompanyCode,CostCenter,GLAccount,WBSElement,CompanyCodeCurrency,"
          "AmountInCompanyCodeCurrency")


def amount_cents(i: int, period_index: int, bump: int = 0) -> int:
    return 100_000 + (i * 7919 + period_index * 104_729) % 9_900_000 + bump


class BenchSap(FakeSap):
    """The fake with generated totals: cost centre ``CC<i>`` of measure i, one total per period.

    Every row's JSON is rendered once when the fake starts (and again when its amount changes), so a page
    is a join of ready rows: what is timed is the connector, not the fake's rendering.
    """

    def __init__(self, measures: int, ps: list[str]):
        super().__init__(USER, PASSWORD, page_size=PAGE)
        self.measures, self.ps = measures, ps

    def prepare(self):
        self.rows = {p: [self._row(i, pi, p) for i in range(1, self.measures + 1)] for pi, p in enumerate(self.ps)}

    def _row(self, i: int, pi: int, p: str, bump: int = 0) -> str:
        cents = amount_cents(i, pi, bump)
        uri = f"{self.service_url}/{ENTITY_SET}('.1~1010.2~CC{i:06d}.3~{p}')"
        values = {"LedgerFiscalYear": str(sap_year(p)), "FiscalPeriod": f"{int(p[5:]):03d}", "CompanyCode": "1010",
                  "CostCenter": f"CC{i:06d}", "GLAccount": "", "WBSElement": "",
                  "CompanyCodeCurrency": "USD" if i % 10 == 0 else "EUR",
                  "AmountInCompanyCodeCurrency": f"{cents // 100}.{cents % 100:02d}0"}
        return (f'{{"__metadata":{{"id":"{uri}","uri":"{uri}","type":"{self.type_name}"}},'
                + ",".join(f'"{k}":"{values[k]}"' for k in SELECT.split(",")) + "}")

    def change(self, share: float, period_index: int) -> int:
        step = max(1, round(1 / share))
        p = self.ps[period_index]
        for i in range(1, self.measures + 1, step):
            self.rows[p][i - 1] = self._row(i, period_index, p, 1_300)
        return len(range(1, self.measures + 1, step))

    def _entities(self, req):
        q = req.query
        if q.get("$select") != SELECT:
            return 400, {}, gateway_error("BENCH", f"the benchmark serves $select={SELECT} only")
        where = q.get("$filter") or ""
        year = re.search(r"LedgerFiscalYear eq '(\d{4})'", where).group(1)
        wanted = {f"{year}-{int(x):02d}" for x in re.findall(r"FiscalPeriod eq '(\d{3})'", where) if int(x) <= 12}
        rows = [r for p in self.ps if p in wanted for r in self.rows[p]]
        start = int(q.get("$skiptoken") or 0)
        tail = ""
        if start + PAGE < len(rows):
            rest = urlencode({"$select": SELECT, "$filter": where, "$skiptoken": start + PAGE}, quote_via=quote,
                             safe="$,()")
            tail = ',"__next":' + json.dumps(f"{self.service_url}/{ENTITY_SET}?{rest}")
        body = '{"d":{"results":[' + ",".join(rows[start:start + PAGE]) + "]" + tail + "}}"
        return 200, {"Content-Type": "application/json", "dataserviceversion": "2.0"}, body.encode()


def sap_year(period: str) -> int:
    return int(period[:4])


def serve(measures, ps, conn):
    with BenchSap(measures, ps) as sap:
        sap.prepare()
        conn.send(sap.service_url)
        while True:
            cmd = conn.recv()
            if cmd[0] == "stop":
                return
            if cmd[0] == "cpu":
                conn.send(cpu())
                continue
            conn.send(sap.change(*cmd[1:]))


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def make_csv(measures: int, ps: list[str]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["cost_centre", "period", "amount", "currency"])
    for pi, p in enumerate(ps):
        for i in range(1, measures + 1):
            cents = amount_cents(i, pi)
            w.writerow([f"CC{i:06d}", p, f"{cents // 100}.{cents % 100:02d}", "USD" if i % 10 == 0 else "EUR"])
    return out.getvalue().encode()


def main():
    args = arguments(__doc__.splitlines()[0], rows=1_000_000, measures=50_000)
    n_periods = max(2, args.rows // args.measures)
    ps = bulk.periods(n_periods)
    rows = n_periods * args.measures
    with tempfile.TemporaryDirectory() as d:
        template = f"{d}/template.db"
        url = f"sqlite:///{template}"
        upgrade(url)
        store = Store(url)
        bulk.portfolio(store, args.measures, n_periods=36, versions=(), progress=lambda _m: None)
        _setup(store)
        store.dispose()
        shutil.copyfile(template, f"{d}/csv.db")
        shutil.copyfile(template, f"{d}/sap.db")
        print(f"portfolio of {args.measures:,} measures; {rows:,} totals over {n_periods} periods "
              f"({ps[0]}..{ps[-1]}); SQLite")

        from steerco.services.value import actuals

        data = make_csv(args.measures, ps)
        csv_store = Store(f"sqlite:///{d}/csv.db")
        with Timer() as csv_t:
            out = csv_store.run("ctl", lambda uow: actuals.import_file(uow, data, "actuals.csv"))
        assert out["inserted"] == rows, out
        csv_total = _actual_total(csv_store)
        csv_store.dispose()

        ctx = multiprocessing.get_context("fork")
        parent, child = ctx.Pipe()
        server = ctx.Process(target=serve, args=(args.measures, ps, child), daemon=True)
        server.start()
        try:
            service_url = parent.recv()
            full_t, inc_t, sap_total, inc = _sync(f"sqlite:///{d}/sap.db", service_url, ps, parent)
        finally:
            parent.send(("stop",))
            server.join(10)
    assert sap_total == csv_total, (sap_total, csv_total)
    note(f"csv import of {rows:,} lines          {csv_t}")
    note(f"sap full sync of {rows:,} result rows {full_t}; the fake's own CPU {full_t.server:.1f} s "
         f"(same actual total as the CSV import: {sap_total})")
    note(f"incremental sync, {inc['changed']:,} of {rows:,} amounts changed in {ps[-1]}, {n_periods - 1} periods "
         f"locked: {inc_t} (read {inc['records']:,} records, updated {inc['updated']:,})")
    for what in ("wall", "cpu"):
        c, f, i = getattr(csv_t, what), getattr(full_t, what), getattr(inc_t, what)
        info(f"sap_csv_import_{what}", c, "s")
        info(f"sap_full_sync_{what}", f, "s")
        info(f"sap_incremental_{what}", i, "s")
        bench(f"sap_full_sync_vs_csv_{what}", f / c, "x", 1.5, strict=False)
        bench(f"sap_incremental_share_{what}", 100 * i / f, "%", 10)
    finish()


class Timer:
    """Wall-clock and CPU time (this process, every thread) of a block: other work on a shared machine
    stretches the first, hardly the second."""

    server = 0.0

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), cpu()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self._wall, cpu() - self._cpu

    def __str__(self):
        return f"{self.wall:7.1f} s wall, {self.cpu:7.1f} s CPU"


def _setup(store):
    from sqlalchemy import text

    from steerco.services.rights import people

    with store.engine.begin() as c:
        c.execute(text("UPDATE value_lines SET cost_centre = 'CC' || substr('000000' || id, -6, 6)"))
        # every measure running, so that the CSV import and the sync book the same lines
        c.execute(text("UPDATE measures SET cancelled = :no, on_hold = :no"), {"no": False})
    store.run("system", lambda uow: people.add_user(uow, "ctl", roles=[("controller", None)]) and None)


def _sync(url, service_url, ps, conn):
    import steerco_sap

    from steerco.plugins.manager import make_plugin_manager
    from steerco.services.integration import connectors as svc
    from steerco.services.value import locks as value_locks

    pm = make_plugin_manager(entrypoints=False, plugins=[steerco_sap])
    store = Store(url)
    env = {"BENCH_SAP_PASSWORD": PASSWORD}
    settings = {"service_url": service_url, "user": USER, "password_env": "BENCH_SAP_PASSWORD",
                "company_codes": ["1010"], "periods_from": ps[0], "periods_to": ps[-1]}
    store.run("admin", lambda uow: svc.save_config(uow, pm, "s4", "sap", settings, env=env))
    conn.send(("cpu",))
    server_cpu = conn.recv()
    with Timer() as full_t:
        full = svc.run_sync(store, pm, "s4", full=True, env=env)
    conn.send(("cpu",))
    full_t.server = conn.recv() - server_cpu
    assert full["status"] == "succeeded" and full["counts"]["created"] == len(ps) * _measures(store), full
    total = _actual_total(store)
    for p in ps[:-1]:   # month end: every period but the last signed off
        store.run("ctl", lambda uow, p=p: value_locks.lock_period(uow, p) and None)
    conn.send(("change", 0.01 * len(ps), len(ps) - 1))   # 1% of all amounts, all in the open period
    changed = conn.recv()
    with Timer() as inc_t:
        inc = svc.run_sync(store, pm, "s4", env=env)
    assert inc["status"] == "succeeded" and inc["counts"]["updated"] == changed, inc
    store.dispose()
    return full_t, inc_t, total, {**inc["counts"], "changed": changed}


def _measures(store):
    from sqlalchemy import text

    with store.engine.connect() as c:
        return c.execute(text("SELECT count(*) FROM measures")).scalar()


def _actual_total(store):
    from sqlalchemy import text

    with store.engine.connect() as c:
        return str(c.execute(text("SELECT sum(amount) FROM value_amounts WHERE version = 'actual'")).scalar())


if __name__ == "__main__":
    main()
