"""Booking what an ERP connector read (SAP, Oracle...) as actuals, period by period.

A connector reads the ERP's totals for some periods, completely, then hands
them to :func:`book` in one unit of work. The totals go through the same
validated, all-or-nothing path as a file of actuals
(:func:`steerco.services.value.actuals.import_rows`), as the books themselves:
mapped by the configuration's :class:`~steerco.domain.erp.Mapping`, refused
whole for bad data (an amount in a currency without an FX rate, in a currency
other than the value line's), *held* where Steerco's state refuses them (a
locked period, a measure confirmed at closure, keys that name no single value
line). What each period delivered is kept (``erp_amounts``,
``erp_exceptions``, ``erp_periods``): an incremental sync writes only the
totals that changed since the last successful read of their period, and the
reconciliation compares them with Steerco's actuals.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable

from sqlalchemy import delete, select

from steerco.domain.erp import Mapping
from steerco.domain.errors import ImportRejected
from steerco.plugins.connector import ConnectorError
from steerco.domain.fiscal import add_months, period_of
from steerco.services.value import actuals
from steerco.store import tables_erp as e
from steerco.store import tables_value as v

HEADER = ["measure", "category", "cost_centre", "account", "wbs", "period", "amount", "currency"]
COLUMNS = {name: i for i, name in enumerate(HEADER)}
CENT = Decimal("0.01")
KEYS_SHOWN = 20      # ERP keys kept per total; more are counted
REPORTED = 50        # held and refused records named in the run log
CHUNK = 20_000


@dataclass
class ErpRead:
    """A complete read of some periods.

    :ivar periods: the Steerco periods (``YYYY-MM``) read; every amount of them is in ``records``.
    :ivar roles: the key roles (:data:`steerco.domain.erp.ROLES`) of each record's keys, in order.
    :ivar names: the ERP's field name of each role, to show keys as the ERP names them.
    :ivar records: ``(period, keys, currency, amount)``; several records may share keys and period.
    :ivar sha256: a digest of what was read (the import log).
    """

    periods: list[str]
    roles: tuple[str, ...]
    names: tuple[str, ...]
    records: list[tuple]
    sha256: str
    #: the ERP's last-update stamp of the newest record (ERPs that have one): saved with the booking
    cursor: str | None = None


@contextmanager
def bulk():
    """No cyclic garbage collection while a large read is parsed and booked.

    A read of a million totals keeps millions of small acyclic objects alive (records, groups, rows);
    every collection pass walks all of them, which cost a quarter of a sync's time. Collection is
    back on (and catches up) as soon as the block ends.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def periods_in_range(first: str, last: str | None, today) -> list[str]:
    """``first`` to ``last`` (default: the period of ``today``), inclusive."""
    last = last or period_of(today)
    out, p = [], first
    while p <= last and len(out) < 600:
        out.append(p)
        p = add_months(p, 1)
    return out


def periods_to_read(uow, config_name: str, candidates: list[str], *, full: bool) -> list[str]:
    """The periods a sync reads: all of them on a full sync; else those still open in Steerco (no lock
    for every measure) and those never read yet."""
    if full:
        return list(candidates)
    locked = set(uow.session.scalars(select(v.period_locks.c.period).where(v.period_locks.c.measure_id.is_(None))))
    read = set(uow.session.scalars(select(e.erp_periods.c.period).where(e.erp_periods.c.config_name == config_name)))
    return [p for p in candidates if p not in locked or p not in read]


def line_keys(uow, limit: int) -> dict[str, set[str]] | None:
    """The cost centres and WBS elements value lines of measures still running carry (their own mapping);
    None when there are more than ``limit`` of them (too many to filter a read by)."""
    from steerco.store import tables as t

    ln = v.value_lines.c
    out = {}
    for role, col in (("cost_centre", ln.cost_centre), ("wbs", ln.wbs)):
        q = (select(col).distinct().join(t.measures, t.measures.c.id == ln.measure_id)
             .where(t.measures.c.cancelled.is_(False), col != "").limit(limit + 1))
        out[role] = set(uow.session.scalars(q))
        limit -= len(out[role])
        if limit < 0:
            return None
    return out


def periods_read(uow, config_name: str) -> set[str]:
    """The periods a booked read of ``config_name`` covered."""
    return set(uow.session.scalars(select(e.erp_periods.c.period).where(e.erp_periods.c.config_name == config_name)))


def cursor(uow, config_name: str) -> str | None:
    """The ERP's last-update stamp saved by the last booked read of ``config_name`` (None: never)."""
    return uow.session.scalar(select(e.erp_cursors.c.cursor).where(e.erp_cursors.c.config_name == config_name))


def save_cursor(uow, config_name: str, stamp: str) -> None:
    c = e.erp_cursors.c
    if cursor(uow, config_name) is None:
        uow.session.execute(e.erp_cursors.insert().values(config_name=config_name, cursor=stamp, read_at=uow.now))
    else:
        uow.session.execute(e.erp_cursors.update().where(c.config_name == config_name)
                            .values(cursor=stamp, read_at=uow.now))


def book(uow, config_name: str, read: ErpRead, mapping: Mapping, *, full: bool,
         progress: Callable[[str, int, int], None] = lambda _p, _d, _t: None) -> dict:
    """Book a read as actuals (see the module docstring).

    :param full: write every total, also those unchanged since the last read (a full re-sync).
    :returns: counts (records, periods, inserted, updated, unchanged, held, unmapped) and ``problems``,
        the held and unmapped records named (at most :data:`REPORTED`).
    :raises ImportRejected: problems with ``row`` the record's keys; nothing was written.
    """
    groups, unmapped = _group(read, mapping)
    rows = [(*texts, period, amount, currency) for (texts, period, currency), (amount, _keys) in groups.items()]
    targets = list(groups)
    sources = [keys for _amount, keys in groups.values()]
    del groups
    stored = _stored(uow, config_name, read.periods)

    def unchanged(line_id, period, amount):
        old = stored.get((period, line_id))
        return old is not None and old[2] == "written" and old[1] == amount

    try:
        booking = actuals.import_rows(
            uow, HEADER, COLUMNS, rows, actor=None, hold=True, skip=None if full else unchanged,
            source={"sha256": read.sha256, "filename": f"{config_name}: {_span(read.periods)}"},
            row_label=lambda k: k, progress=progress) if rows else None
    except ImportRejected as err:
        for p in err.problems:
            p["row"] = _keys_text(sources[p["row"]]) if isinstance(p["row"], int) else p["row"]
        raise
    held_rows = {h["row"]: h for h in booking.held} if booking else {}
    cells: dict[tuple[str, int], list] = {}
    exceptions = [("unmapped", period, keys, None, currency, amount, "no mapping rule or value line takes these keys")
                  for (period, keys, currency), amount in unmapped.items()]
    lines = booking.lines if booking else {}
    for k, (texts, period, currency) in enumerate(targets):
        amount = rows[k][6]
        held = held_rows.get(k) if held_rows else None
        if held is not None:
            exceptions.append(("held" if held["measure"] else "unmapped", period, _keys_text(sources[k]),
                               held["measure"], currency, amount, held["problem"]))
        line = lines.get(texts)
        if line is None or line[0] is None or (held and held["column"] != "period"):
            continue  # no line, or a measure that cannot take amounts at all
        line_id = line[0][0]
        cell = cells.get((period, line_id))
        if cell is None:
            src = sources[k] if isinstance(sources[k], str) else list(sources[k])  # a list of its own, to grow
            cells[(period, line_id)] = [amount, currency, src, "held" if held else "written"]
        else:
            cell[0] += amount
            if isinstance(cell[2], str):
                cell[2] = [cell[2]]
            cell[2].extend(_listed(sources[k]))
            if held:
                cell[3] = "held"
    vanished = _save_amounts(uow, config_name, stored, cells)
    for period, _line, amount, currency, measure in vanished:
        exceptions.append(("held", period, "", measure, currency, amount,
                           "no longer delivered under this mapping; the Steerco actual was left as it was"))
    _save_exceptions(uow, config_name, read.periods, exceptions)
    _save_periods(uow, config_name, read)
    if read.cursor is not None:
        save_cursor(uow, config_name, read.cursor)
    counts = booking.counts if booking else {"inserted": 0, "updated": 0, "unchanged": 0}
    held_n = sum(1 for x in exceptions if x[0] == "held")
    out = {"records": len(read.records), "periods": len(read.periods), "inserted": counts["inserted"],
           "updated": counts["updated"], "unchanged": counts["unchanged"], "held": held_n,
           "unmapped": len(exceptions) - held_n}
    out["problems"] = [f"{x[1]} {x[2] or x[3]}: {x[6]}" for x in exceptions if x[0] == "held"][:REPORTED]
    return out


def _group(read: ErpRead, mapping: Mapping):
    """Records summed per (mapping result, period, currency), with their keys; and the unmapped ones."""
    groups: dict[tuple, list] = {}
    unmapped: dict[tuple, Decimal] = {}
    resolved: dict[tuple, tuple] = {}  # the same keys come back in every period: resolve them once
    roles, names = read.roles, read.names
    for period, keys, currency, amount in read.records:
        found = resolved.get(keys)
        if found is None:
            text = ",".join(f"{n}={k}" for n, k in zip(names, keys) if k)
            found = resolved[keys] = (mapping.resolve(dict(zip(roles, keys))), text)
        texts, text = found
        amount = amount.quantize(CENT, ROUND_HALF_UP)
        if texts is None:
            k = (period, text, currency)
            unmapped[k] = unmapped.get(k, Decimal(0)) + amount
            continue
        g = groups.get((texts, period, currency))
        if g is None:
            groups[(texts, period, currency)] = [amount, text]   # most totals have one source: no list for it
        else:
            g[0] += amount
            if isinstance(g[1], str):
                g[1] = [g[1]]
            g[1].append(text)
    return groups, unmapped


def _listed(keys) -> list[str]:
    return [keys] if isinstance(keys, str) else keys


def _keys_text(keys) -> str:
    """The ERP keys behind a total as one text: at most :data:`KEYS_SHOWN`, then how many more."""
    if isinstance(keys, str):
        return keys
    more = len(keys) - KEYS_SHOWN
    return "; ".join(keys[:KEYS_SHOWN]) + (f"; and {more} more" if more > 0 else "")


def _span(periods: list[str]) -> str:
    return f"{periods[0]}..{periods[-1]}" if periods else "no period"


def _stored(uow, config_name, periods) -> dict:
    a, ln = e.erp_amounts.c, v.value_lines.c
    out = {}
    for i in range(0, len(periods), 100):
        q = (select(a.id, a.period, a.line_id, a.amount, a.status, a.source_keys, a.currency, ln.measure_id)
             .join(v.value_lines, ln.id == a.line_id)
             .where(a.config_name == config_name, a.period.in_(periods[i:i + 100])))
        for r in uow.session.execute(q).all():
            out[(r.period, r.line_id)] = (r.id, Decimal(str(r.amount)).quantize(CENT), r.status, r.source_keys, r.currency,
                                          r.measure_id)
    return out


def _save_amounts(uow, config_name, stored, cells) -> list:
    """Insert or change the ERP totals per period and line; totals no longer delivered become 0, held.

    :returns: ``(period, line, last amount, currency, measure code)`` of each total no longer delivered.
    """
    conn = uow.session.connection()
    pg = conn.dialect.name == "postgresql"
    mark = "%s" if pg else "?"
    money = (lambda d: d) if pg else str  # as in actuals._write: sqlite3 has no Decimal adapter
    inserts, updates = [], []
    for (period, line_id), (amount, currency, keys, status) in cells.items():
        text = _keys_text(keys)
        old = stored.pop((period, line_id), None)
        if old is None:
            inserts.append((config_name, period, line_id, currency, money(amount), status, text))
        elif (old[1], old[2], old[3]) != (amount, status, text):
            updates.append((money(amount), status, text, old[0]))
    vanished = []
    for (period, line_id), (row_id, amount, status, _keys, currency, measure_id) in stored.items():
        if amount or status != "held":
            updates.append((money(Decimal(0)), "held", "", row_id))
            vanished.append((period, line_id, amount, currency, measure_id))
    if vanished:
        codes = _codes(uow, {x[4] for x in vanished})
        vanished = [(p, ln, amt, cur, codes.get(mid)) for p, ln, amt, cur, mid in vanished]
    for i in range(0, len(inserts), CHUNK):
        conn.exec_driver_sql(
            f"INSERT INTO erp_amounts (config_name, period, line_id, currency, amount, status, source_keys) "
            f"VALUES ({', '.join([mark] * 7)})", inserts[i:i + CHUNK])
    for i in range(0, len(updates), CHUNK):
        conn.exec_driver_sql(f"UPDATE erp_amounts SET amount = {mark}, status = {mark}, source_keys = {mark} "
                             f"WHERE id = {mark}", updates[i:i + CHUNK])
    return vanished


def _codes(uow, measure_ids) -> dict:
    from steerco.store import tables as t

    return dict(uow.session.execute(select(t.measures.c.id, t.measures.c.code)
                                    .where(t.measures.c.id.in_(list(measure_ids)))).all())


def _save_exceptions(uow, config_name, periods, exceptions) -> None:
    x = e.erp_exceptions
    for i in range(0, len(periods), 100):
        uow.session.execute(delete(x).where(x.c.config_name == config_name, x.c.period.in_(periods[i:i + 100])))
    if exceptions:
        uow.session.execute(x.insert(), [
            {"config_name": config_name, "kind": kind, "period": period, "source_keys": keys[:4000], "measure": measure,
             "currency": currency[:5], "amount": amount, "problem": problem[:1000]}
            for kind, period, keys, measure, currency, amount, problem in exceptions])


def _save_periods(uow, config_name, read: ErpRead) -> None:
    p = e.erp_periods
    per_period: dict[str, int] = dict.fromkeys(read.periods, 0)
    for record in read.records:
        per_period[record[0]] = per_period.get(record[0], 0) + 1
    known = set(uow.session.scalars(select(p.c.period).where(p.c.config_name == config_name,
                                                             p.c.period.in_(read.periods))))
    for period, n in per_period.items():
        if period in known:
            uow.session.execute(p.update().where(p.c.config_name == config_name, p.c.period == period)
                                .values(read_at=uow.now, records=n))
        else:
            uow.session.execute(p.insert().values(config_name=config_name, period=period, read_at=uow.now, records=n))


SHOWN_PROBLEMS = 5


def book_run(connector: str, ctx, read: "ErpRead", mapping) -> dict:
    """Book what a sync ``read`` in one unit of work of its own; held records become the run's warnings
    (a partial run). What every ERP connector does once it has read its periods.

    :raises ConnectorError: the read was refused whole (nothing written), naming the first records.
    """
    ctx.progress(f"booking {len(read.records):,} records of {len(read.periods)} period(s)")
    try:
        with bulk():
            counts = ctx.store.run(ctx.actor, lambda uow: book(uow, ctx.config_name, read, mapping, full=ctx.full))
    except ImportRejected as e:
        first = "; ".join(f"{p['row']}: {p['column']}: {p['problem']}" for p in e.problems[:SHOWN_PROBLEMS])
        raise ConnectorError(connector, "book actuals", f"{e.total} record(s) refused, nothing written; "
                                                        f"{first}") from None
    for problem in counts.pop("problems"):
        ctx.warn(problem)
    counts["created"] = counts.pop("inserted")
    return counts
