"""Value lines and the value grid of a measure: amounts per version and fiscal period (issue 4).

Every write checks, in this order: the right to edit, the closure lock (a
confirmed measure's value is read-only), segregation of duties (the owner
never enters the measure's actuals), the version (baseline is set only by
approval of the baseline gate), period locks (only an approved change request
may change a locked period), FX rates for foreign currencies. A write is
all-or-nothing, audited cell by cell, and re-derives the Potential Status.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from steerco.domain import rights
from steerco.domain.errors import ValidationFailed
from steerco.domain.fiscal import check_period
from steerco.domain.value import (
    EDITABLE_VERSIONS,
    MAX_FOREIGN_AMOUNT,
    VERSIONS,
    ValueLine,
    money,
    parse_money,
    totals,
    value_facts,
)
from steerco.services import events
from steerco.services.access import editable_measure, visible_measure
from steerco.services.models import model_of
from steerco.services.value import changed as value_events
from steerco.services.value import settings as value_settings
from steerco.services.value import status as status_service
from steerco.services.value import totals as value_totals
from steerco.services.value.locks import locked_periods, require_open_periods
from steerco.services.value.reconciliation import reconciled_many
from steerco.services.value.state import amount_rows, lines_of, measure_totals, peek_state, require_writable, state
from steerco.store import tables as t
from steerco.store import tables_value as v
from steerco.store import versions


def add_line(uow, measure_id: int, data: dict, *, expected_version: int | None = None) -> ValueLine:
    """Add a value line: ``category`` (required), ``currency`` (default: the measure's), title, mapping.

    :param expected_version: the grid's version the caller read (:func:`value_version`).
    :raises ValidationFailed: unknown category or bad currency.
    :raises StaleUpdate: the grid changed since ``expected_version``.
    """
    _actor, measure = editable_measure(uow, measure_id)
    settings = value_settings.load(uow)
    require_writable(uow, measure)
    _bump(uow, measure, expected_version)
    category = settings.category(data.get("category") or "")
    if category is None:
        raise ValidationFailed({"category": [f"one of {', '.join(c.code for c in settings.categories)}"]})
    line = ValueLine(measure, category, data.get("currency") or measure.currency, data.get("title") or "",
                     cost_centre=data.get("cost_centre") or "", account=data.get("account") or "",
                     wbs=data.get("wbs") or "", now=uow.now)
    uow.add(line)
    uow.flush()
    uow.record("value_line.added", "value_line", line.id, measure.code, after=line.as_dict())
    return line


def write(uow, measure_id: int, cells: list, *, via_change_request: bool = False, measure=None,
          expected_version: int | None = None) -> dict:
    """Set amounts ``[{line, version, period, amount}]`` (amount null removes the cell); all or nothing.

    :param via_change_request: the cells come from an approved change request, which may change
        locked periods and is the only way to do so.
    :returns: ``{"changed": n}``.
    :raises ValidationFailed: per cell (``cells[i].field``); nothing is written.
    :raises PeriodLocked: a cell in a locked period.
    :raises ValueReadOnly: the value was confirmed at closure.
    :raises SegregationOfDuties: actual cells from the measure's owner (who holds a role that books them).
    :raises StaleUpdate: the grid changed since ``expected_version`` (the :func:`value_version` read).
    """
    if measure is None:
        actor, measure = editable_measure(uow, measure_id)
    else:
        actor = uow.require_user(uow.actor)
    st = state(uow, measure)
    require_writable(uow, measure, st)
    _bump(uow, measure, expected_version)
    settings = value_settings.load(uow)
    if not isinstance(cells, list) or not cells:
        raise ValidationFailed({"cells": ["a non-empty list of {line, version, period, amount}"]})
    # Refused as a whole, before any cell: no correction of the cells would make the write allowed.
    if not via_change_request and rights.holds_actuals_role(actor, measure) \
            and any(isinstance(c, dict) and c.get("version") == "actual" for c in cells):
        rights.require_not_owner(actor, measure, "enter its actuals")
    lines = {ln.id: ln for ln in lines_of(uow, measure)}
    errors: dict[str, list[str]] = {}
    wanted: dict[tuple, Decimal | None] = {}
    for i, c in enumerate(cells):
        where = f"cells[{i}]"
        if not isinstance(c, dict):
            errors[where] = ["expected {line, version, period, amount}"]
            continue
        line = lines.get(c.get("line"))
        if line is None:
            errors[f"{where}.line"] = [f"no value line {c.get('line')!r} on measure {measure.code}"]
            continue
        version = c.get("version")
        if version not in EDITABLE_VERSIONS:
            why = ("the baseline is frozen from the plan when the baseline gate is approved"
                   if version == "baseline" else f"one of {', '.join(EDITABLE_VERSIONS)}")
            errors[f"{where}.version"] = [why]
            continue
        if version == "actual" and not via_change_request and not rights.holds_actuals_role(actor, measure):
            errors[f"{where}.version"] = ["actuals are entered by the controller, the PMO or imported"]
            continue
        try:
            period = check_period(c.get("period"), f"{where}.period")
            amount = None if c.get("amount") is None else parse_money(c.get("amount"), f"{where}.amount")
        except ValidationFailed as e:
            errors.update(e.errors)
            continue
        if amount is not None and line.currency != settings.reporting_currency:
            if abs(amount) > MAX_FOREIGN_AMOUNT:
                errors[f"{where}.amount"] = [f"at most {MAX_FOREIGN_AMOUNT} in a foreign currency"]
                continue
            if not value_settings.rates(uow, [line.currency]).get((line.currency, period)):
                errors[f"{where}.amount"] = [f"no FX rate {line.currency} -> {settings.reporting_currency} "
                                             f"for {period}; a controller sets it first"]
                continue
        wanted[(line.id, version, period)] = amount
    if errors:
        raise ValidationFailed(errors)
    if not via_change_request:
        require_open_periods(uow, measure, {p for (_l, _v, p) in wanted})
    with value_totals.tracking(uow, measure):
        changed = _put(uow, measure, wanted)
    if changed:
        measure.updated_at = uow.now
        uow.record("value.amounts_changed", "measure", measure.id, measure.code,
                   before={"cells": [[ln, ver, p, b] for ln, ver, p, b, _a in changed]},
                   after={"cells": [[ln, ver, p, a] for ln, ver, p, _b, a in changed],
                          "via_change_request": via_change_request})
        status_service.refresh(uow, measure, settings=settings)
        events.facts_changed(uow, measure)
        value_events.amounts_changed(uow, measure, changed)
    return {"changed": len(changed)}


def _put(uow, measure, wanted: dict) -> list:
    """Upsert/delete; returns ``[(line, version, period, before, after)]`` of real changes (text amounts)."""
    s, a = uow.session, v.value_amounts
    existing = {(r.line_id, r.version, r.period): (r.id, Decimal(str(r.amount)).quantize(Decimal("0.01")))
                for r in s.execute(select(a.c.id, a.c.line_id, a.c.version, a.c.period, a.c.amount)
                                   .where(a.c.measure_id == measure.id))}
    changed = []
    for key, amount in sorted(wanted.items()):
        old = existing.get(key)
        before = str(old[1]) if old else None
        if old is not None and amount is not None and old[1] == amount:
            continue
        if old is None and amount is None:
            continue
        if amount is None:
            s.execute(a.delete().where(a.c.id == old[0]))
        elif old is None:
            s.execute(a.insert().values(line_id=key[0], measure_id=measure.id, version=key[1], period=key[2],
                                        amount=amount))
        else:
            s.execute(a.update().where(a.c.id == old[0]).values(amount=amount))
        changed.append((*key, before, str(amount) if amount is not None else None))
    return changed


def facts(uow, measure) -> tuple[dict, dict]:
    """The ``value`` and ``statuses`` facts gate criteria read."""
    settings = value_settings.load(uow)
    t = measure_totals(uow, measure, settings)
    closure = model_of(measure.model_version).closure
    facts = value_facts(t, settings, closure) | {"reconciled": reconciled_many(uow, [measure.id]).get(measure.id)}
    return facts, status_service.current(uow, measure, settings, t)


def facts_from(measure, today, settings, rows, rates, st, reconciled=None) -> tuple[dict, dict]:
    """:func:`facts` from preloaded data (the batch facts path; no queries but the measure's milestones).

    :param rows: the measure's :func:`amount_rows`; :param rates: FX rates covering their currencies
        (:func:`value_settings.rates`); :param st: its :func:`peek_state`; :param reconciled: its
        :func:`~steerco.services.value.reconciliation.reconciled_many` result (None: no ERP feeds it).
    """
    t = totals([r[1:] for r in rows], settings, rates)
    closure = model_of(measure.model_version).closure
    facts = value_facts(t, settings, closure) | {"reconciled": reconciled}
    return facts, status_service.effective(status_service.derive(measure, today, settings, t), st)


def value_version(uow, measure) -> int:
    """The version of a measure's value grid (its lines and amounts), raised by every write."""
    return uow.session.scalar(select(t.measures.c.value_version).where(t.measures.c.id == measure.id))


def _bump(uow, measure, expected_version: int | None) -> None:
    versions.bump(uow, t.measures, t.measures.c.id == measure.id, expected_version, column="value_version",
                  kind="value grid", key=measure.id, audit=("measure", measure.id), label=measure.code)


def grid(uow, measure_id: int) -> dict:
    """The value grid: lines with amounts per version and period, totals in the reporting currency."""
    _actor, measure = visible_measure(uow, measure_id)
    settings = value_settings.load(uow)
    rows = amount_rows(uow, measure)
    by_line: dict[int, dict] = {}
    for line_id, _cat, _cur, version, period, amount in rows:
        by_line.setdefault(line_id, {ver: {} for ver in VERSIONS})[version][period] = \
            str(Decimal(str(amount)).quantize(Decimal("0.01")))
    t = measure_totals(uow, measure, settings, rows)
    st = peek_state(uow, measure)
    return {
        "measure": measure.code,
        "currency": settings.reporting_currency,
        "lines": [{**ln.as_dict(), "amounts": by_line.get(ln.id, {ver: {} for ver in VERSIONS})}
                  for ln in lines_of(uow, measure)],
        "periods": sorted({r[4] for r in rows}),
        "totals": {ver: money(t["benefit"][ver]) for ver in VERSIONS},
        "cost_totals": {ver: money(t["cost"][ver]) for ver in VERSIONS},
        "by_category": {c: {ver: money(x) for ver, x in vs.items()} for c, vs in t["by_category"].items()},
        "locked_periods": sorted(locked_periods(uow, measure)),
        "plan_revision": st.plan_revision if st else 0,
        "baseline_frozen_at": st.baseline_frozen_at.isoformat() if st and st.baseline_frozen_at else None,
        "read_only": st.read_only_reason if st else None,
        "version": value_version(uow, measure),
    }
