"""Value totals kept in step with every change, so dashboards and reports never scan all amounts.

Two sums in reporting-currency cents (tables in ``store/tables_totals.py``):

- per measure, kind (benefit or cost) and version: the measure report;
- per node, version and period, benefit lines of measures that are not
  cancelled: the dashboard's plan / forecast / actual over time.

Each amount is converted exactly as the roll-up converts it
(:func:`converted_cents`; :func:`convert_cents` is
the same arithmetic in Python), so the sums equal a scan to the cent. They
change in the same transaction as what they sum:

- one measure's amounts, node or cancellation: :class:`tracking` compares
  the measure's contribution before and after (a few rows);
- imports of actuals: :func:`amounts_changed` with each cell's before/after;
- an FX rate: :func:`rates_changed` re-converts the amounts it applies to;
- benefit categories or the reporting currency: :func:`rebuild`.

Each sum carries how many amounts make it, so "nothing entered" (no
amounts) stays apart from a total of zero.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, and_, case, cast, delete, func, literal, select

from steerco.domain.value import ValueSettings
from steerco.services.value.settings import rates, read
from steerco.store import tables as t
from steerco.store import tables_totals as tt
from steerco.store import tables_value as v

CHUNK = 500


def converted_cents(amount, rate):
    """SQL for one amount in reporting-currency cents (``rate`` NULL: already in it); see the module doc."""
    cents = cast(func.round(amount * 100), BigInteger)
    product = cents * cast(func.round(rate * 1_000_000), BigInteger)
    return case((rate.is_(None), cents),
                (product >= 0, (product + 500_000) // 1_000_000),
                else_=-((-product + 500_000) // 1_000_000))


def convert_cents(amount, rate) -> int:
    """One amount in reporting-currency cents; ``rate`` None: already in it. SQL rounds half away from zero."""
    cents = int((Decimal(str(amount)) * 100).to_integral_value(ROUND_HALF_UP))
    if rate is None:
        return cents
    product = cents * int((Decimal(str(rate)) * 1_000_000).to_integral_value(ROUND_HALF_UP))
    return (product + 500_000) // 1_000_000 if product >= 0 else -((-product + 500_000) // 1_000_000)


class Tally:
    """Deltas to add to both tables, written with one upsert per table."""

    def __init__(self):
        self.measures: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        self.nodes: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])

    def add(self, measure_id, node_id, cancelled, kind, version, period, cents: int, count: int) -> None:
        slot = self.measures[(measure_id, kind, version)]
        slot[0] += cents
        slot[1] += count
        if kind == "benefit" and not cancelled:
            slot = self.nodes[(node_id, version, period)]
            slot[0] += cents
            slot[1] += count

    def write(self, conn) -> None:
        # Keys in one order for every writer: concurrent writers to the same node's rows wait, never deadlock.
        _upsert(conn, tt.measure_totals, ("measure_id", "kind", "version"),
                [{"measure_id": m, "kind": k, "version": ver, "cents": c, "amounts": n}
                 for (m, k, ver), (c, n) in sorted(self.measures.items()) if c or n])
        _upsert(conn, tt.node_period_totals, ("node_id", "version", "period"),
                [{"node_id": nd, "version": ver, "period": p, "cents": c, "amounts": n}
                 for (nd, ver, p), (c, n) in sorted(self.nodes.items()) if c or n])


class tracking:  # noqa: N801 (used as a statement: ``with tracking(uow, measure): ...``)
    """Keep the totals in step with whatever the block does to one measure (amounts, node, cancellation)."""

    def __init__(self, uow, measure):
        self.uow, self.measure = uow, measure

    def __enter__(self):
        self.uow.flush()
        self.node_id, self.cancelled = self.measure.node.id, self.measure.cancelled
        self.before = _contribution(self.uow, self.measure.id)
        return self

    def __exit__(self, kind, exc, tb):
        if kind is not None:
            return False
        self.uow.flush()
        m = self.measure
        after = _contribution(self.uow, m.id)
        tally = Tally()
        for (k, ver, p), (cents, count) in self.before.items():
            tally.add(m.id, self.node_id, self.cancelled, k, ver, p, -cents, -count)
        for (k, ver, p), (cents, count) in after.items():
            tally.add(m.id, m.node.id, m.cancelled, k, ver, p, cents, count)
        tally.write(self.uow.session.connection())
        return False


def measure_cancelled(uow, measure) -> None:
    """A measure was just cancelled (killed): its amounts leave its node's totals."""
    tally = Tally()
    for (k, ver, p), (cents, count) in _contribution(uow, measure.id).items():
        tally.add(measure.id, measure.node.id, False, k, ver, p, -cents, -count)
    tally.measures.clear()  # the measure's own totals stand: a killed measure still reports what it had
    tally.write(uow.session.connection())


def amounts_changed(uow, cells) -> None:
    """Many cells of many measures changed (an import): ``[(line_id, version, period, before, after)]``,
    amounts as Decimal or None (no amount)."""
    cells = list(cells)
    if not cells:
        return
    s = uow.session
    settings = _settings(s.connection())
    lines: dict[int, tuple] = {}
    ids = sorted({c[0] for c in cells})
    for i in range(0, len(ids), CHUNK):
        for r in s.execute(select(v.value_lines.c.id, v.value_lines.c.category, v.value_lines.c.currency,
                                  t.measures.c.id, t.measures.c.node_id, t.measures.c.cancelled)
                           .join(t.measures, t.measures.c.id == v.value_lines.c.measure_id)
                           .where(v.value_lines.c.id.in_(ids[i:i + CHUNK]))):
            lines[r[0]] = r[1:]
    fx = rates(uow, {cur for _c, cur, *_ in lines.values() if cur != settings.reporting_currency})
    tally = Tally()
    for line_id, version, period, before, after in cells:
        category, currency, measure_id, node_id, cancelled = lines[line_id]
        rate = None if currency == settings.reporting_currency else fx.get((currency, period))
        cents = (0 if after is None else convert_cents(after, rate)) - (0 if before is None else convert_cents(before, rate))
        count = (after is not None) - (before is not None)
        tally.add(measure_id, node_id, cancelled, _kind(category, settings), version, period, cents, count)
    tally.write(s.connection())


def rates_changed(uow, changed) -> None:
    """FX rates changed: ``[(currency, period, before or None, after)]``; the amounts they convert follow."""
    conn = uow.session.connection()
    settings = _settings(conn)
    a, ln, m = v.value_amounts, v.value_lines, t.measures
    tally = Tally()
    for currency, period, before, after in changed:
        if currency == settings.reporting_currency:
            continue
        rows = conn.execute(select(a.c.amount, a.c.version, ln.c.category, m.c.id, m.c.node_id, m.c.cancelled)
                            .join(ln, ln.c.id == a.c.line_id).join(m, m.c.id == a.c.measure_id)
                            .where(ln.c.currency == currency, a.c.period == period))
        for amount, version, category, measure_id, node_id, cancelled in rows:
            delta = convert_cents(amount, after) - convert_cents(amount, before)
            if delta:
                tally.add(measure_id, node_id, cancelled, _kind(category, settings), version, period, delta, 0)
    tally.write(conn)


def rebuild(conn) -> dict:
    """Recompute both tables from every amount (settings changed, or a repair).

    :param conn: a Connection inside a transaction (also used by the migration that creates the tables).
    :returns: how many rows each table holds.
    """
    settings = _settings(conn)
    conn.execute(delete(tt.measure_totals))
    conn.execute(delete(tt.node_period_totals))
    conn.execute(tt.measure_totals.insert().from_select(
        ["measure_id", "kind", "version", "cents", "amounts"], _sums(settings, by_node=False)))
    conn.execute(tt.node_period_totals.insert().from_select(
        ["node_id", "version", "period", "cents", "amounts"], _sums(settings, by_node=True)))
    return {"measure_totals": conn.scalar(select(func.count()).select_from(tt.measure_totals)),
            "node_period_totals": conn.scalar(select(func.count()).select_from(tt.node_period_totals))}


def _sums(settings: ValueSettings, *, by_node: bool):
    a, ln, m, fx = v.value_amounts, v.value_lines, t.measures, v.fx_rates
    conv = converted_cents(a.c.amount, fx.c.rate)
    frm = (a.join(ln, ln.c.id == a.c.line_id)
           .outerjoin(fx, and_(fx.c.currency == ln.c.currency, fx.c.period == a.c.period,
                               ln.c.currency != literal(settings.reporting_currency))))
    if by_node:
        return (select(m.c.node_id, a.c.version, a.c.period, func.sum(conv), func.count())
                .select_from(frm.join(m, m.c.id == a.c.measure_id))
                .where(ln.c.category.in_(sorted(settings.benefit_codes)), m.c.cancelled.is_(False))
                .group_by(m.c.node_id, a.c.version, a.c.period))
    kind = _kind_sql(ln.c.category, settings)
    return (select(a.c.measure_id, kind, a.c.version, func.sum(conv), func.count())
            .select_from(frm).group_by(a.c.measure_id, kind, a.c.version))


def _contribution(uow, measure_id: int) -> dict[tuple, tuple[int, int]]:
    """``{(kind, version, period): (cents, amounts)}`` of one measure, converted as the tables hold it."""
    conn = uow.session.connection()
    settings = _settings(conn)
    a, ln, fx = v.value_amounts, v.value_lines, v.fx_rates
    kind = _kind_sql(ln.c.category, settings)
    q = (select(kind, a.c.version, a.c.period, func.sum(converted_cents(a.c.amount, fx.c.rate)), func.count())
         .select_from(a.join(ln, ln.c.id == a.c.line_id)
                      .outerjoin(fx, and_(fx.c.currency == ln.c.currency, fx.c.period == a.c.period,
                                          ln.c.currency != literal(settings.reporting_currency))))
         .where(a.c.measure_id == measure_id).group_by(kind, a.c.version, a.c.period))
    return {(k, ver, p): (int(c), int(n)) for k, ver, p, c, n in conn.execute(q)}


def _kind(category: str, settings: ValueSettings) -> str:
    return "benefit" if category in settings.benefit_codes else "cost"


def _kind_sql(category, settings: ValueSettings):
    return case((category.in_(sorted(settings.benefit_codes)), literal("benefit")), else_=literal("cost"))


def _settings(conn) -> ValueSettings:
    return read(conn)


def _upsert(conn, table, keys, rows) -> None:
    """Add deltas to existing sums, or insert them (concurrent writers add, never overwrite)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={
        "cents": table.c.cents + stmt.excluded.cents, "amounts": table.c.amounts + stmt.excluded.amounts})
    for i in range(0, len(rows), 5000):
        conn.execute(stmt, rows[i:i + 5000])
