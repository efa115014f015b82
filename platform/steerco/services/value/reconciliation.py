"""Reconciliation of ERP totals with Steerco's actuals, per node, measure and period.

For each value line and period an ERP connector fed (``erp_amounts``), the
ERP's total is compared with the line's actual in Steerco; both are converted
to the reporting currency per amount, as every value total is. They differ
where an amount was held (a locked period, a measure confirmed at closure),
where someone changed the actual since, or where a read was refused. The
``value.reconciled`` fact of gate criteria says whether every ERP-fed period
of a measure matches within its connector's ``tolerance``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import and_, select

from steerco.domain.errors import NotFound, PermissionDenied, ValidationFailed
from steerco.domain.fiscal import check_period
from steerco.domain.people import ADMIN, PMO
from steerco.domain.value import convert_cents, money, to_cents
from steerco.services.value import settings as value_settings
from steerco.store import tables as t
from steerco.store import tables_connectors as tc
from steerco.store import tables_erp as e
from steerco.store import tables_value as v

CHUNK = 500
MAX_ROWS = 10_000


def report(uow, config_name: str, *, period: str | None = None, node: str | None = None,
           differences_only: bool = False, limit: int = 1000) -> dict:
    """ERP total vs Steerco actual per node, measure and period, with the difference and the ERP keys behind it.

    :param period: one period (``YYYY-MM``), else every period read; :param node: a node code (its subtree).
    :param differences_only: only rows outside the tolerance.
    :returns: ``rows`` (node, measure, title, period, erp, steerco, difference, reconciled, keys, held),
        ``nodes`` (per node and period: erp, steerco, difference), ``exceptions`` (unmapped and held records
        of the periods shown), ``periods`` (each period read and when), ``tolerance``, ``currency``.
    :raises PermissionDenied: not an admin, PMO or controller; :raises NotFound: no such configuration or node.
    """
    actor, cfg = _require(uow, config_name)
    if period is not None:
        check_period(period)
    if not 1 <= limit <= MAX_ROWS:
        raise ValidationFailed({"limit": [f"from 1 to {MAX_ROWS}"]})
    settings = value_settings.load(uow)
    tolerance = to_cents(tolerance_of(cfg.settings))
    ea, a, ln, m, n = e.erp_amounts.c, v.value_amounts.c, v.value_lines.c, t.measures.c, t.nodes.c
    q = (select(n.code.label("node"), n.path, m.code, m.title, ea.period, ea.currency, ea.amount, ea.status,
                ea.source_keys, a.amount.label("actual"))
         .join(v.value_lines, ln.id == ea.line_id).join(t.measures, m.id == ln.measure_id)
         .join(t.nodes, n.id == m.node_id)
         .outerjoin(v.value_amounts, and_(a.line_id == ea.line_id, a.version == "actual", a.period == ea.period))
         .where(ea.config_name == config_name).order_by(n.path, m.code, ea.period))
    if period is not None:
        q = q.where(ea.period == period)
    if node is not None:
        path = uow.session.scalar(select(n.path).where(n.code == node))
        if path is None:
            raise NotFound(f"node: no node '{node}'")
        q = q.where(n.path.startswith(path))
    found = uow.session.execute(q).all()
    rates = value_settings.rates(uow, {r.currency for r in found} - {settings.reporting_currency})
    cells: dict[tuple, dict] = {}
    for r in found:
        if not actor.holds_any((ADMIN, PMO, "controller"), r.path):
            continue
        rate = None if r.currency == settings.reporting_currency else rates.get((r.currency, r.period))
        row = cells.setdefault((r.path, r.code, r.period), {"node": r.node, "measure": r.code, "title": r.title,
                                                            "period": r.period, "erp": 0, "steerco": 0, "keys": [],
                                                            "held": False})
        row["erp"] += convert_cents(to_cents(Decimal(str(r.amount))), rate)
        row["steerco"] += convert_cents(to_cents(Decimal(str(r.actual))), rate) if r.actual is not None else 0
        row["keys"].extend(k for k in r.source_keys.split("; ") if k and k not in row["keys"])
        row["held"] = row["held"] or r.status == "held"
    rows, nodes = [], {}
    for row in cells.values():
        diff = row["erp"] - row["steerco"]
        total = nodes.setdefault((row["node"], row["period"]), {"node": row["node"], "period": row["period"],
                                                                "erp": 0, "steerco": 0})
        total["erp"] += row["erp"]
        total["steerco"] += row["steerco"]
        if differences_only and abs(diff) <= tolerance:
            continue
        rows.append({**row, "erp": money(row["erp"]), "steerco": money(row["steerco"]), "difference": money(diff),
                     "reconciled": abs(diff) <= tolerance})
    shown = sorted({r["period"] for r in rows}) if period is None else [period]
    return {"connector": config_name, "currency": settings.reporting_currency, "tolerance": money(tolerance),
            "rows": rows[:limit], "truncated": len(rows) > limit,
            "nodes": [{**x, "erp": money(x["erp"]), "steerco": money(x["steerco"]),
                       "difference": money(x["erp"] - x["steerco"])} for x in nodes.values()],
            "exceptions": exceptions(uow, config_name, shown, limit), "periods": periods_read(uow, config_name)}


def unbooked(uow, config_name: str, period: str | None = None, limit: int = 1000) -> list[dict]:
    """:func:`exceptions` of one period or all, for a controller, PMO or admin.

    :raises PermissionDenied: anyone else; :raises NotFound: no such configuration.
    """
    _require(uow, config_name)
    if not 1 <= limit <= MAX_ROWS:
        raise ValidationFailed({"limit": [f"from 1 to {MAX_ROWS}"]})
    return exceptions(uow, config_name, [check_period(period)] if period else None, limit)


def _require(uow, config_name: str):
    actor = uow.require_user(uow.actor)
    if not (actor.holds_any((ADMIN, PMO, "controller")) or any(a.role in ("controller", PMO)
                                                              for a in actor.assignments)):
        raise PermissionDenied(f"{actor.username} may not see the reconciliation (controller, PMO or admin)")
    cfg = uow.session.execute(select(tc.connector_configs).where(tc.connector_configs.c.name == config_name)).first()
    if cfg is None:
        raise NotFound(f"connector: no connector configured as '{config_name}'")
    return actor, cfg


def exceptions(uow, config_name: str, periods: list[str] | None = None, limit: int = 1000) -> list[dict]:
    """What the last read of each period could not book: unmapped keys and held amounts, with the reason."""
    x = e.erp_exceptions.c
    q = select(e.erp_exceptions).where(x.config_name == config_name).order_by(x.period, x.kind, x.source_keys)
    if periods is not None:
        q = q.where(x.period.in_(periods))
    return [{"period": r.period, "kind": r.kind, "keys": r.source_keys, "measure": r.measure, "currency": r.currency,
             "amount": str(Decimal(str(r.amount)).quantize(Decimal("0.01"))), "problem": r.problem}
            for r in uow.session.execute(q.limit(limit)).all()]


def periods_read(uow, config_name: str) -> list[dict]:
    p = e.erp_periods.c
    rows = uow.session.execute(select(p.period, p.read_at, p.records).where(p.config_name == config_name)
                               .order_by(p.period)).all()
    return [{"period": r.period, "read_at": r.read_at.isoformat(), "records": r.records} for r in rows]


def tolerance_of(settings: dict) -> Decimal:
    """The ``tolerance`` setting of an ERP connector (reporting currency; 0 when absent or unreadable)."""
    try:
        d = Decimal(str((settings or {}).get("tolerance", "0")))
    except InvalidOperation:
        return Decimal(0)
    return d if d.is_finite() and d >= 0 else Decimal(0)


def reconciled_many(uow, measure_ids) -> dict[int, bool]:
    """``value.reconciled`` of each measure an ERP feeds: True when every ERP-fed period matches within the
    tolerance; measures no ERP feeds are left out. One query per :data:`CHUNK` ids, plus the tolerances and
    FX rates when there is anything to compare."""
    ids = list(measure_ids)
    ea, a, ln = e.erp_amounts.c, v.value_amounts.c, v.value_lines.c
    found = []
    for i in range(0, len(ids), CHUNK):
        q = (select(ln.measure_id, ea.config_name, ea.period, ea.currency, ea.amount, a.amount)
             .select_from(v.value_lines).join(e.erp_amounts, ea.line_id == ln.id)
             .outerjoin(v.value_amounts, and_(a.line_id == ea.line_id, a.version == "actual", a.period == ea.period))
             .where(ln.measure_id.in_(ids[i:i + CHUNK])))
        found.extend(uow.session.execute(q).all())
    if not found:
        return {}
    tolerances = {name: to_cents(tolerance_of(s)) for name, s in uow.session.execute(
        select(tc.connector_configs.c.name, tc.connector_configs.c.settings)
        .where(tc.connector_configs.c.name.in_({r[1] for r in found})))}
    rep = value_settings.load(uow).reporting_currency
    rates = value_settings.rates(uow, {r[3] for r in found} - {rep})
    diffs: dict[tuple, int] = {}
    for mid, cfg, period, currency, erp, actual in found:
        rate = None if currency == rep else rates.get((currency, period))
        cents = to_cents(Decimal(str(erp))) - (to_cents(Decimal(str(actual))) if actual is not None else 0)
        diffs[(mid, cfg, period)] = diffs.get((mid, cfg, period), 0) + convert_cents(cents, rate)
    out: dict[int, bool] = {}
    for (mid, cfg, _period), diff in diffs.items():
        out[mid] = out.get(mid, True) and abs(diff) <= tolerances.get(cfg, 0)
    return out

