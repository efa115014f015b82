"""Actuals import from CSV and XLSX (issue 4), and from ERP connectors through the same :func:`import_rows`.

A file is read whole and validated before anything is written: every problem is
reported with its row, column and reason, and one problem rejects the whole
file. Rows are mapped to a value line by measure code (and category / cost
centre / account / WBS element when a measure has several lines) or by cost
centre and account, or WBS element, alone. A row booking to a measure the
importer owns refuses the whole file (segregation of duties: a controller who
is not its owner books a measure's actuals). Amounts of the same line and
period are summed within the file and *replace* the stored actual, so
importing the same file twice gives the same totals.

An ERP connector books as the books themselves (no person, so no ownership) and
*holds* what Steerco's state refuses (a locked period, a measure confirmed at
closure, a mapping that names no single line) instead of rejecting the read:
those amounts are reported, not written, and everything else is.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path
from typing import Callable

from sqlalchemy import select

from steerco.domain import rights
from steerco.domain.errors import ImportRejected, PermissionDenied, UnsupportedFile, ValidationFailed
from steerco.domain.fiscal import PERIOD
from steerco.domain.people import ADMIN, PMO
from steerco.domain.value import MAX_FOREIGN_AMOUNT, parse_money
from steerco.services import events
from steerco.services.value import changed as value_events
from steerco.services.value import settings as value_settings
from steerco.services.value import totals as value_totals
from steerco.store import tables as t
from steerco.store import tables_value as v

FIELDS = ("measure", "category", "cost_centre", "account", "wbs", "period", "amount", "currency")
KEYS = ("measure", "category", "cost_centre", "account", "wbs")
MAX_REPORTED = 200
CHUNK = 20_000


def read_table(data: bytes, filename: str) -> tuple[list[str], list[tuple]]:
    """The header and rows of a CSV (UTF-8, comma or semicolon) or XLSX file's first sheet."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises many types for a damaged file
            raise ValidationFailed({"file": [f"not a readable XLSX workbook: {e}"]}) from None
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, ())]
        body = [r for r in rows if any(c not in (None, "") for c in r)]
        wb.close()
        return header, body
    if not name.endswith((".csv", ".txt")):
        raise UnsupportedFile(f"file: '{name[-100:]}' is not a .csv or .xlsx file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed({"file": ["CSV must be UTF-8"]}) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader, [])]
    return header, [r for r in reader if any(r)]


def import_file(uow, data: bytes, filename: str, *, mapping: dict | None = None, dry_run: bool = False,
                progress: Callable[[str, int, int], None] = lambda _phase, _done, _total: None) -> dict:
    """Validate and import actuals; all or nothing.

    :param mapping: file column -> field (one of FIELDS); columns named like the fields map themselves.
    :param dry_run: validate and count only.
    :returns: counts: rows, amounts, inserted, updated, unchanged, measures, sha256, repeat (same file before).
    :raises ImportRejected: with every problem (row, column, problem) up to MAX_REPORTED; nothing written.
    :raises PermissionDenied: the actor may not import actuals at all.
    :raises SegregationOfDuties: rows book to measures the actor owns (named, up to MAX_REPORTED);
        nothing written, also on a dry run.
    """
    actor = uow.require_user(uow.actor)
    if not (actor.holds_any((ADMIN, PMO, "controller"))
            or any(a.role in ("controller", PMO) for a in actor.assignments)):
        raise PermissionDenied(f"{actor.username} may not import actuals (controller, PMO or admin)")
    header, rows = read_table(data, filename)
    columns = _columns(header, mapping or {})
    source = {"sha256": hashlib.sha256(data).hexdigest(), "filename": Path(filename).name[:255]}
    return import_rows(uow, header, columns, rows, actor=actor, source=source, dry_run=dry_run,
                       progress=progress).counts


@dataclass
class Booking:
    """What :func:`import_rows` did: ``sums`` ``{(line id, period): amount}`` booked (written or unchanged),
    ``held`` ``[{row, column, problem, measure, period}]`` not booked (with ``hold``)."""

    counts: dict
    sums: dict = field(default_factory=dict)
    line_measure: dict = field(default_factory=dict)
    held: list = field(default_factory=list)
    lines: dict = field(default_factory=dict)  # the rows' key columns -> ((line, measure, currency), ...)


def import_rows(uow, header: list[str], columns: dict[str, int], rows: list, *, actor, source: dict,
                dry_run: bool = False, hold: bool = False, skip: Callable[[int, str, Decimal], bool] | None = None,
                row_label: Callable[[int], object] = lambda k: k + 2,  # a file's header is row 1
                progress: Callable[[str, int, int], None] = lambda _phase, _done, _total: None) -> Booking:
    """Validate rows of actuals and write them; all or nothing. The one path of files and ERP connectors.

    :param header: the name of each column, used in problems; ``columns``: field -> column index.
    :param actor: the importing user, or None for the books themselves (an ERP connector): every measure,
        no ownership.
    :param source: ``sha256`` (what was read) and ``filename`` (or a description of the read) for the log.
    :param hold: keep a row that Steerco's state refuses (unmapped line, locked period, closed measure) out
        of the booking and list it in ``held``, instead of rejecting everything.
    :param skip: ``skip(line_id, period, amount)`` True: the source says the cell did not change since it
        was last booked; it is counted as unchanged and not written.
    :param row_label: how problems name the row of index k (the row number of a file, an ERP record's keys).
    :raises ImportRejected: every problem (row, column, problem) up to MAX_REPORTED; nothing written.
    """
    settings = value_settings.load(uow)
    ctx = _Context(uow, actor, settings)
    problems: list[dict] = []
    total_problems = 0
    sums: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    line_measure: dict[int, int] = {}
    own, owned_rows = ctx.own, []
    held: list[dict] = []

    def bad(row, column, problem, measure=None, period=None, holdable=False):
        nonlocal total_problems
        if hold and holdable:
            held.append({"row": row, "column": column, "problem": problem, "measure": measure, "period": period})
            return
        total_problems += 1
        if len(problems) < MAX_REPORTED:
            problems.append({"row": row, "column": column, "problem": problem})

    width = max(columns.values()) + 1
    present_names = [f for f in KEYS if f in columns]
    present = [columns[f] for f in present_names]
    pick = itemgetter(*present)
    fast = not ctx.global_locks and not ctx.locks
    i_period, i_amount, i_currency = columns["period"], columns["amount"], columns.get("currency")
    rep = settings.reporting_currency
    resolved: dict[tuple, tuple] = {}  # rows of one file repeat the same few mappings: resolve each once
    n = len(rows)
    for k, r in enumerate(rows):
        rowno = row_label(k)
        if len(r) < width:
            r = tuple(r) + (None,) * (width - len(r))
        raw_period = r[i_period]
        period = raw_period if isinstance(raw_period, str) and PERIOD.match(raw_period) else _period(raw_period)
        if period is None:
            bad(rowno, _col(header, columns, "period"), f"a period as YYYY-MM, not {raw_period!r}")
        amount = _amount(r[i_amount])
        if amount is None:
            try:
                parse_money(r[i_amount], "amount")
                problem = "expected an amount such as 125000.50"
            except ValidationFailed as e:
                problem = e.errors["amount"][0]
            bad(rowno, _col(header, columns, "amount"), problem)
        key = pick(r)
        found = resolved.get(key)
        if found is None:
            raw = key if len(present) > 1 else (key,)
            texts = dict.fromkeys(KEYS, "")
            texts.update({f: _text(x) for f, x in zip(present_names, raw)})
            found = resolved[key] = ctx.line_for(texts)
        line, column, problem = found[:3]
        if line is None:
            bad(rowno, _col(header, columns, column), problem, found[3] if len(found) > 3 else None, period, True)
            continue
        line_id, measure_id, currency = line
        if own and measure_id in own:
            if len(owned_rows) < MAX_REPORTED:
                owned_rows.append((rowno, own[measure_id]))
            continue
        cur = _text(r[i_currency]) if i_currency is not None else ""
        if cur and cur != currency:
            bad(rowno, _col(header, columns, "currency"), f"{cur} differs from the value line's currency {currency}")
            continue
        if period is None or amount is None:
            continue
        problem = None if fast and currency == rep else ctx.period_problem(measure_id, currency, period, amount)
        if problem:
            bad(rowno, _col(header, columns, problem[0]), problem[1], ctx.code_of[measure_id], period,
                problem[0] == "period")
            continue
        sums[(line_id, period)] += amount
        line_measure[line_id] = measure_id
        if k % CHUNK == 0:
            progress("validate", k, n)
    progress("validate", n, n)
    if not rows:
        raise ImportRejected([{"row": 1, "column": None, "problem": "the file has no data rows"}], 1, 0)
    if owned_rows:
        raise rights.owned_rows_conflict(actor, owned_rows)
    if total_problems:
        raise ImportRejected(problems, total_problems, n)
    sha = source["sha256"]
    repeat = uow.session.execute(select(v.actual_imports.c.id).where(v.actual_imports.c.sha256 == sha)).first()
    counts = {"rows": n, "amounts": len(sums), "measures": len(set(line_measure.values())), "sha256": sha,
              "repeat": repeat is not None, "dry_run": dry_run, "inserted": 0, "updated": 0, "unchanged": 0}
    booking = Booking(counts, sums, line_measure, held, resolved)
    if dry_run:
        return booking
    wanted = sums if skip is None else {k: x for k, x in sums.items() if not skip(k[0], k[1], x)}
    counts.update(_write(uow, wanted, line_measure, progress))
    counts["unchanged"] += len(sums) - len(wanted)
    importer = actor.username if actor is not None else uow.actor
    uow.session.execute(v.actual_imports.insert().values(sha256=sha, filename=source["filename"], rows=n,
                                                         amounts_written=counts["inserted"] + counts["updated"],
                                                         imported_by=importer, imported_at=uow.now))
    uow.record("actuals.imported", "actual_import", sha[:16], None,
               after={k: counts[k] for k in ("rows", "amounts", "measures", "inserted", "updated", "unchanged")}
               | {"filename": source["filename"], "sha256": sha} | ({"held": len(held)} if held else {}))
    _refresh_reviews(uow, set(line_measure.values()))
    return booking


CENT = Decimal("0.01")


def _write(uow, sums, line_measure, progress) -> dict:
    s, a = uow.session, v.value_amounts
    progress("write", 0, len(sums))
    lines = sorted({ln for ln, _p in sums})
    periods = sorted({p for _ln, p in sums})
    # Only the periods the file books: the lines' actuals of other months (years of them) are not compared.
    in_periods = [a.c.period.in_(periods)] if len(periods) <= 500 else []
    existing: dict[tuple[int, str], tuple[int, Decimal]] = {}
    for i in range(0, len(lines), 500):
        for row_id, line_id, period, amount in s.execute(
                select(a.c.id, a.c.line_id, a.c.period, a.c.amount)
                .where(a.c.version == "actual", a.c.line_id.in_(lines[i:i + 500]), *in_periods)).all():
            existing[(line_id, period)] = (row_id, Decimal(str(amount)).quantize(CENT))
    inserts, updates, unchanged = [], [], 0
    listening = value_events.subscribed(uow, value_events.HOOK)
    changed: dict[int, list] = {}
    cells = []
    for (line_id, period), amount in sums.items():
        old = existing.get((line_id, period))
        if old is None:
            inserts.append((line_id, line_measure[line_id], period, amount))
        elif old[1] != amount:
            updates.append((old[0], amount))
        else:
            unchanged += 1
            continue
        cells.append((line_id, "actual", period, old[1] if old else None, amount))
        if listening:
            changed.setdefault(line_measure[line_id], []).append(
                (line_id, period, str(old[1]) if old else None, str(amount.quantize(CENT))))
    total = len(inserts) + len(updates)
    # 10^6 rows through the ORM's parameter processing cost more than writing them: straight to the driver.
    conn = s.connection()
    pg = conn.dialect.name == "postgresql"
    mark = "%s" if pg else "?"
    money = (lambda d: d) if pg else str  # sqlite3 has no Decimal adapter; NUMERIC affinity reads the text
    sql_insert = (f"INSERT INTO value_amounts (line_id, measure_id, version, period, amount) "
                  f"VALUES ({mark}, {mark}, 'actual', {mark}, {mark})")
    sql_update = f"UPDATE value_amounts SET amount = {mark} WHERE id = {mark}"
    for i in range(0, len(inserts), CHUNK):
        part = inserts[i:i + CHUNK]
        conn.exec_driver_sql(sql_insert, [(ln, m, p, money(x)) for ln, m, p, x in part])
        progress("write", i + len(part), total)
    for i in range(0, len(updates), CHUNK):
        part = updates[i:i + CHUNK]
        conn.exec_driver_sql(sql_update, [(money(x), row_id) for row_id, x in part])
        progress("write", len(inserts) + i + len(part), total)
    value_totals.amounts_changed(uow, cells)
    value_events.actuals_imported(uow, changed)
    return {"inserted": len(inserts), "updated": len(updates), "unchanged": unchanged}


def _refresh_reviews(uow, measure_ids: set[int]) -> None:
    pending = set(uow.session.scalars(select(t.gate_reviews.c.measure_id).where(t.gate_reviews.c.status == "pending")))
    for mid in sorted(pending & measure_ids):
        events.facts_changed(uow, uow.measure(mid))


class _Context:
    """Everything rows are checked against, loaded once per import."""

    def __init__(self, uow, actor, settings):
        self.uow, self.actor, self.settings = uow, actor, settings
        s = uow.session
        ln, m, n = v.value_lines, t.measures, t.nodes
        q = (select(ln.c.id, ln.c.measure_id, ln.c.category, ln.c.cost_centre, ln.c.account, ln.c.wbs, ln.c.currency,
                    m.c.code, m.c.controller_id, m.c.owner_id, m.c.sponsor_id, n.c.path)
             .join(m, m.c.id == ln.c.measure_id).join(n, n.c.id == m.c.node_id)
             .where(m.c.cancelled.is_(False)))
        self.by_measure: dict[str, list] = defaultdict(list)
        self.by_cc: dict[tuple[str, str], list] = defaultdict(list)
        self.by_wbs: dict[str, list] = defaultdict(list)
        self.measure_path: dict[int, tuple] = {}
        self.code_of: dict[int, str] = {}
        self.own: dict[int, str] = {}
        for r in s.execute(q):
            self.by_measure[r.code].append(r)
            if r.cost_centre:
                self.by_cc[(r.cost_centre, r.account or "")].append(r)
                self.by_cc[(r.cost_centre, "*")].append(r)
            if r.wbs:
                self.by_wbs[r.wbs].append(r)
            self.measure_path[r.measure_id] = (r.path, r.controller_id)
            self.code_of[r.measure_id] = r.code
            if actor is not None and r.owner_id == actor.id:
                self.own[r.measure_id] = r.code
        mv = v.measure_values
        self.closed = set(s.scalars(select(mv.c.measure_id).where(mv.c.closed_at.isnot(None))))
        self.global_locks, self.locks = set(), defaultdict(set)
        for r in s.execute(select(v.period_locks.c.measure_id, v.period_locks.c.period)):
            (self.global_locks.add(r.period) if r.measure_id is None else self.locks[r.measure_id].add(r.period))
        foreign = {r.currency for rs in self.by_measure.values() for r in rs} - {settings.reporting_currency}
        self.rates = value_settings.rates(uow, foreign)
        self._allowed: dict[int, bool] = {}

    def allowed(self, measure_id: int) -> bool:
        if self.actor is None:  # the books (an ERP connector an admin configured) feed every measure
            return True
        ok = self._allowed.get(measure_id)
        if ok is None:
            path, controller_id = self.measure_path[measure_id]
            a = self.actor
            ok = (a.id == controller_id or a.holds("controller", path) or a.holds_any((ADMIN, PMO), path))
            self._allowed[measure_id] = ok
        return ok

    def line_for(self, vals) -> tuple:
        """:returns: ((line_id, measure_id, currency), None, None) or (None, column, problem[, measure code])."""
        code, cat = _text(vals.get("measure")), _text(vals.get("category"))
        cc, acct, wbs = _text(vals.get("cost_centre")), _text(vals.get("account")), _text(vals.get("wbs"))
        if code:
            cands = self.by_measure.get(code)
            if not cands or not self.allowed(cands[0].measure_id):
                # One message for "unknown" and "not yours": codes of other nodes' measures do not leak.
                return None, "measure", f"no measure {code!r} with a value line you may book actuals to"
            where = "measure"
        elif cc or wbs:
            # a line mapped to a cost centre alone takes the accounts no other line of it names
            cands = (self.by_cc.get((cc, acct or "*")) or (acct and self.by_cc.get((cc, ""))) or []) if cc else []
            where = "cost_centre" if cands else "wbs"
            cands = [c for c in cands or self.by_wbs.get(wbs, []) if self.allowed(c.measure_id)]
            if not cands:
                return None, "cost_centre" if cc else "wbs", "no value line mapped to " + " or ".join(
                    ([f"cost centre {cc!r}" + (f" and account {acct!r}" if acct else "")] if cc else [])
                    + ([f"WBS element {wbs!r}"] if wbs else []))
        else:
            return None, "measure", "give a measure code, a cost centre or a WBS element"
        if cat:
            cands = [c for c in cands if c.category == cat]
        if code and cc:
            cands = [c for c in cands if c.cost_centre == cc]
        if code and acct:
            cands = [c for c in cands if c.account == acct]
        if code and wbs:
            cands = [c for c in cands if c.wbs == wbs]
        if len(cands) != 1:
            what = "no line matches" if not cands else f"{len(cands)} lines match"
            return None, "category" if cat else where, f"{what}; give the category, cost centre or account"
        c = cands[0]
        if c.measure_id in self.closed:
            return (None, where, f"the value of measure {c.code} was confirmed at closure and is read-only",
                    c.code)
        return (c.id, c.measure_id, c.currency), None, None

    def period_problem(self, measure_id, currency, period, amount):
        if period in self.global_locks or period in self.locks.get(measure_id, ()):
            return "period", f"period {period} is locked after the controller's sign-off"
        if currency != self.settings.reporting_currency:
            if (currency, period) not in self.rates:
                return "amount", f"no FX rate {currency} -> {self.settings.reporting_currency} for {period}"
            if abs(amount) > MAX_FOREIGN_AMOUNT:
                return "amount", "amount too large for a foreign currency"
        return None


def _columns(header: list[str], mapping: dict) -> dict[str, int]:
    wanted = {str(k).strip().lower(): str(f) for k, f in mapping.items()}
    bad = sorted(f for f in wanted.values() if f not in FIELDS)
    if bad:
        raise ValidationFailed({"mapping": [f"unknown field(s) {', '.join(bad)}; fields: {', '.join(FIELDS)}"]})
    cols = {}
    for i, h in enumerate(header):
        key = h.strip().lower()
        field = wanted.get(key) or (key.replace(" ", "_") if key.replace(" ", "_") in FIELDS else None)
        if field and field not in cols:
            cols[field] = i
    missing = [f for f in ("period", "amount") if f not in cols]
    if "measure" not in cols and "cost_centre" not in cols and "wbs" not in cols:
        missing.append("measure, cost_centre or wbs")
    if missing:
        raise ImportRejected([{"row": 1, "column": None, "problem": f"missing column(s): {', '.join(missing)}; "
                               f"header: {', '.join(header)}"}], 1, 0)
    return cols


def _col(header, columns, field) -> str:
    i = columns.get(field)
    return header[i] if i is not None else field


def _amount(value) -> Decimal | None:
    """The fast path of parse_money for the common case; None sends the row to parse_money for the reason."""
    if isinstance(value, str) and _AMOUNT.match(value):
        return Decimal(value)
    if type(value) is Decimal:  # parsed already (an ERP connector's totals)
        return value if value.is_finite() and value.as_tuple().exponent >= -2 and abs(value) < _MAX_AMOUNT else None
    if value is None or isinstance(value, bool):
        return None
    try:
        d = Decimal(value.strip() if isinstance(value, str) else str(value))
    except (InvalidOperation, ValueError):
        return None
    if not d.is_finite() or d.as_tuple().exponent < -2 or abs(d) >= _MAX_AMOUNT:
        return None
    return d


_MAX_AMOUNT = Decimal("1e15")
_AMOUNT = re.compile(r"-?\d{1,15}(\.\d{1,2})?\Z")


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _period(value) -> str | None:
    if isinstance(value, (datetime, date)):
        return f"{value.year:04d}-{value.month:02d}"
    text = _text(value)
    if PERIOD.match(text):
        return text
    if len(text) == 10 and PERIOD.match(text[:7]) and text[7] == "-":
        return text[:7]
    return None


