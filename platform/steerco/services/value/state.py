"""A measure's value as stored: its state (plan revision, baseline freeze, closure), lines and amounts.

The reading side of the value area, which the status, the locks, the roll-up
and the gates' facts share; writes are in :mod:`steerco.services.value.amounts`.
"""

from __future__ import annotations

from sqlalchemy import and_, select

from steerco.domain.errors import ValueReadOnly
from steerco.domain.value import MeasureValue, ValueLine, totals
from steerco.services.value import settings as value_settings
from steerco.store import tables_value as v


def state(uow, measure) -> MeasureValue:
    """The measure's value state, created on first use."""
    found = uow.session.get(MeasureValue, measure.id)
    if found is None:
        found = uow.add(MeasureValue(measure))
        uow.flush()
    return found


def peek_state(uow, measure) -> MeasureValue | None:
    return uow.session.get(MeasureValue, measure.id)


def lines_of(uow, measure) -> list[ValueLine]:
    return list(uow.session.scalars(select(ValueLine).where(ValueLine.measure == measure).order_by(ValueLine.id)))


def require_writable(uow, measure, st: MeasureValue | None = None) -> None:
    """:raises ValueReadOnly: the measure's value was confirmed at closure."""
    st = st or peek_state(uow, measure)
    if st is not None and st.read_only_reason:
        raise ValueReadOnly(st.read_only_reason)


def amount_rows(uow, measure) -> list[tuple]:
    """``(line_id, category, currency, version, period, amount)`` of one measure."""
    a, ln = v.value_amounts, v.value_lines
    q = (select(a.c.line_id, ln.c.category, ln.c.currency, a.c.version, a.c.period, a.c.amount)
         .join(ln, and_(ln.c.id == a.c.line_id)).where(a.c.measure_id == measure.id))
    return [tuple(r) for r in uow.session.execute(q)]


def amount_rows_many(uow, measure_ids, chunk: int = 500) -> dict[int, list[tuple]]:
    """:func:`amount_rows` of many measures, one query per ``chunk`` ids: ``{measure id: rows}`` (no rows: omitted)."""
    a, ln = v.value_amounts, v.value_lines
    out: dict[int, list[tuple]] = {}
    ids = list(measure_ids)
    for start in range(0, len(ids), chunk):
        q = (select(a.c.measure_id, a.c.line_id, ln.c.category, ln.c.currency, a.c.version, a.c.period, a.c.amount)
             .join(ln, and_(ln.c.id == a.c.line_id)).where(a.c.measure_id.in_(ids[start:start + chunk]))
             .order_by(a.c.id))
        for r in uow.session.execute(q).all():  # all(): one fetch, not a round per row
            out.setdefault(r[0], []).append(tuple(r[1:]))
    return out


def states_many(uow, measure_ids, chunk: int = 500) -> dict[int, MeasureValue]:
    """:func:`peek_state` of many measures, one query per ``chunk`` ids (no state stored yet: omitted)."""
    out: dict[int, MeasureValue] = {}
    ids = list(measure_ids)
    for start in range(0, len(ids), chunk):
        q = select(MeasureValue).where(v.measure_values.c.measure_id.in_(ids[start:start + chunk]))
        out.update((st.measure_id, st) for st in uow.session.scalars(q))
    return out


def measure_totals(uow, measure, settings=None, rows=None) -> dict:
    settings = settings or value_settings.load(uow)
    rows = amount_rows(uow, measure) if rows is None else rows
    rates = value_settings.rates(uow, {r[2] for r in rows if r[2] != settings.reporting_currency})
    return totals([r[1:] for r in rows], settings, rates)
