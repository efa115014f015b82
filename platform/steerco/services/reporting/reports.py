"""The measure report: one flat row per measure, for exports (CSV, Excel) and BI tools (Power BI).

The rows cover exactly the measures the actor may see (the dashboard's
scope), with the list's filters. Value totals are in the reporting currency,
converted per period like the roll-up, so a sum over the report equals the
dashboard and the roll-up to the cent. Three set-based queries, whatever the
portfolio size: measures, value totals, open reviews.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from steerco.domain.measure import search_pattern
from steerco.services.reporting.dashboard import models_of, scope
from steerco.services.value import settings as value_settings
from steerco.store import tables as t
from steerco.store import tables_totals as tt
from steerco.store import tables_value as v

COLUMNS = ("code", "title", "node", "node_name", "type", "model", "model_version", "doi", "doi_name", "state",
           "owner", "sponsor", "controller", "potential", "currency", "implementation_status", "potential_status",
           "baseline_value", "plan", "forecast", "actual", "cost_plan", "cost_actual", "reporting_currency",
           "open_review", "updated_at")
NUMERIC = {"model_version", "doi", "potential", "baseline_value", "plan", "forecast", "actual", "cost_plan",
           "cost_actual"}
# benefit categories sum into the value columns, the others (one-time costs) apart, as in the roll-up
VERSION_COLUMN = {("benefit", "baseline"): "baseline_value", ("benefit", "plan"): "plan",
                  ("benefit", "forecast"): "forecast", ("benefit", "actual"): "actual",
                  ("cost", "plan"): "cost_plan", ("cost", "actual"): "cost_actual"}


def measure_rows(uow, *, q: str | None = None, node: str | None = None, doi: int | None = None,
                 mine: bool = False, with_fields: bool = False, model: str | None = None) -> list[dict]:
    """The report rows, ordered by measure code.

    :param q: part of a code or title; :param node: a node's subtree; :param doi: one DoI;
    :param mine: only measures the actor owns, sponsors or controls;
    :param model: only measures of this governance model;
    :param with_fields: add each custom field of the measure types as a column ``fields.<key>``.
    :returns: dicts keyed by :data:`COLUMNS`; money as decimal text, empty cells as None.
    :raises NotFound: ``node`` does not exist.
    """
    actor, conds = scope(uow, node)
    m, n = t.measures, t.nodes
    if doi is not None:
        conds.append(m.c.doi == doi)
    if like := search_pattern(q):
        conds.append(or_(func.lower(m.c.title).like(like), func.lower(m.c.code).like(like)))
    if mine:
        conds.append(or_(*[m.c[f"{r}_id"] == actor.id for r in ("owner", "sponsor", "controller")]))
    if model:
        versions = select(t.model_versions.c.id).where(t.model_versions.c.model_code == model)
        conds.append(m.c.model_version_id.in_(versions))
    people = {r: aliased(t.users) for r in ("owner", "sponsor", "controller")}
    frm = (m.join(n, n.c.id == m.c.node_id).join(t.measure_types, t.measure_types.c.id == m.c.measure_type_id)
           .join(t.model_versions, t.model_versions.c.id == m.c.model_version_id)
           .outerjoin(v.measure_values, v.measure_values.c.measure_id == m.c.id))
    for role, u in people.items():
        frm = frm.outerjoin(u, u.c.id == m.c[f"{role}_id"])
    query = (select(m.c.id, m.c.code, m.c.title, n.c.code, n.c.name, t.measure_types.c.code,
                    t.model_versions.c.model_code, t.model_versions.c.version, m.c.model_version_id, m.c.doi,
                    m.c.on_hold, m.c.cancelled, *(u.c.username for u in people.values()), m.c.potential,
                    m.c.currency, v.measure_values.c.implementation_status, v.measure_values.c.potential_status,
                    v.measure_values.c.closed_at, m.c.updated_at, m.c.fields)
             .select_from(frm).where(*conds).order_by(m.c.code))
    rows = uow.session.execute(query).all()
    models = {vid: model for vid, (_version, model) in models_of(uow, {r.model_version_id for r in rows}).items()}
    reporting = value_settings.load(uow).reporting_currency
    chosen = select(m.c.id).select_from(m.join(n, n.c.id == m.c.node_id)).where(*conds)
    totals = _totals(uow, chosen)
    reviews = _open_reviews(uow, chosen)
    out = []
    for r in rows:
        (mid, code, title, node_code, node_name, type_code, model, version, version_id, level, on_hold, cancelled,
         owner, sponsor, controller, potential, currency, impl, pot, closed_at, updated, fields) = r
        money = totals.get(mid, {})
        custom = {f"fields.{k}": _cell(x) for k, x in (fields or {}).items()} if with_fields else {}
        out.append({**custom,
            "code": code, "title": title, "node": node_code, "node_name": node_name, "type": type_code,
            "model": model, "model_version": version, "doi": level, "doi_name": models[version_id].level_name(level),
            "state": "killed" if cancelled else "on hold" if on_hold else "closed" if closed_at else "active",
            "owner": owner, "sponsor": sponsor, "controller": controller,
            "potential": _money(potential), "currency": currency, "implementation_status": impl,
            "potential_status": pot, **{col: _cents(money.get(key)) for key, col in VERSION_COLUMN.items()},
            "reporting_currency": reporting, "open_review": reviews.get(mid),
            "updated_at": updated.isoformat() if updated else None,
        })
    return out


def columns(uow, rows: list[dict]) -> tuple[tuple[str, ...], set[str]]:
    """The report's columns with the custom fields of the rows' measure types (in their forms' order),
    and which of all columns are numbers; each row gets every custom column (empty where it has none)."""
    present = {k for r in rows for k in r if k.startswith("fields.")}
    types = {r["type"] for r in rows}
    custom, numeric = [], set(NUMERIC)
    for mt in uow.measure_types():
        for f in mt.form if mt.code in types else ():
            col = f"fields.{f.key}"
            if col not in custom:
                custom.append(col)
                if f.type in ("number", "money"):
                    numeric.add(col)
    custom += sorted(present - set(custom))  # values of fields a type no longer has
    for r in rows:  # a measure of another type has no value in the column
        for col in custom:
            r.setdefault(col, None)
    return COLUMNS + tuple(custom), numeric


def _cell(value):
    if isinstance(value, list):
        return ", ".join(str(x) for x in value)
    return value


def _totals(uow, chosen) -> dict[int, dict[tuple, int]]:
    """Cents in the reporting currency per measure and (kind, version), from the kept totals."""
    mt = tt.measure_totals.c
    out: dict[int, dict[tuple, int]] = {}
    for mid, kind, version, cents in uow.session.execute(
            select(mt.measure_id, mt.kind, mt.version, mt.cents).where(mt.measure_id.in_(chosen), mt.amounts > 0)):
        out.setdefault(mid, {})[(kind, version)] = int(cents)
    return out


def _open_reviews(uow, chosen) -> dict[int, str]:
    g = t.gate_reviews.c
    return dict(uow.session.execute(select(g.measure_id, g.gate_name)
                                    .where(g.status == "pending", g.measure_id.in_(chosen))).all())


def _money(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def _cents(cents: int | None) -> str | None:
    return None if cents is None else str((Decimal(cents) / 100).quantize(Decimal("0.01")))
