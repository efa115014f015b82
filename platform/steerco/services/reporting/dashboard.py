"""Portfolio read models for the web app: the dashboard figures, my measures,
the nodes a user may pick.

Every figure is computed over the measures the actor may see (the same scope
as ``measures.search``): nothing from another node leaks into counts or charts.
Aggregates run in SQL so a 50,000-measure portfolio stays fast.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import case, false, func, or_, select

from steerco.domain import rights
from steerco.domain.measure import Measure, search_pattern
from steerco.services.models import model_of
from steerco.services.value import settings as value_settings
from steerco.services.value.totals import converted_cents
from steerco.store import tables as t
from steerco.store import tables_totals as tt
from steerco.store import tables_value as v

AGE_BUCKETS = ((0, 2, "0–2 days"), (3, 5, "3–5 days"), (6, 10, "6–10 days"), (11, None, "over 10 days"))


def scope(uow, node: str | None = None):
    """SQL conditions restricting measures to what the actor may see (and to ``node``'s subtree)."""
    actor = uow.require_user(uow.actor)
    conds = []
    if node:
        conds.append(t.nodes.c.path.startswith(uow.require_node(node).path, autoescape=True))
    scopes = rights.visible_scopes(actor)
    if scopes is not None:
        own = [t.measures.c[f"{r}_id"] == actor.id for r in ("owner", "sponsor", "controller")]
        conds.append(or_(*[t.nodes.c.path.startswith(p, autoescape=True) for p in scopes], *own))
    return actor, conds


def _from():
    return t.measures.join(t.nodes, t.nodes.c.id == t.measures.c.node_id)


def my_measures(uow, *, q: str | None = None, offset: int = 0, limit: int = 50):
    """Measures the actor owns, sponsors or controls; returns (total, page)."""
    actor = uow.require_user(uow.actor)
    query = select(Measure).where(or_(*[t.measures.c[f"{r}_id"] == actor.id
                                        for r in ("owner", "sponsor", "controller")]))
    if like := search_pattern(q):
        query = query.where(or_(func.lower(t.measures.c.title).like(like), func.lower(t.measures.c.code).like(like)))
    total = uow.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = uow.session.scalars(query.order_by(t.measures.c.code).offset(offset).limit(limit))
    return total, list(rows)


def node_choices(uow, *, creatable: bool = False) -> list[dict]:
    """Active nodes the actor may filter by (or create measures in), in tree order."""
    actor = uow.require_user(uow.actor)
    scopes = rights.visible_scopes(actor)
    out = []
    for n in uow.nodes():
        if n.archived:
            continue
        if creatable and not rights.can_create_in(actor, n):
            continue
        if not creatable and scopes is not None and not any(n.path.startswith(s) for s in scopes):
            continue
        out.append({"code": n.code, "name": n.name, "depth": n.path.count("/") - 2})
    return out


def figures(uow, node: str | None = None) -> dict:
    """Everything the portfolio dashboard shows, as plain data.

    A portfolio may mix governance models whose levels share DoI numbers but not names or meaning
    (DoI 1 is "Identified" in one, "Scoped" in another), so the funnel has one row per model and
    DoI, named as that model names it; the versions of one model are counted together.

    :returns: funnel (per model and DoI: count, potential, weighted), value at risk, approvals pending
        by age, decisions needed, closure status (each model's closure gate).
    """
    _actor, conds = scope(uow, node)
    m = t.measures
    active = (m.c.cancelled.is_(False))
    rows = uow.session.execute(
        select(m.c.model_version_id, m.c.doi, func.count(), func.coalesce(func.sum(m.c.potential), 0),
               func.sum(case((m.c.on_hold.is_(True), 1), else_=0)))
        .select_from(_from()).where(active, *conds).group_by(m.c.model_version_id, m.c.doi)).all()
    versions = models_of(uow, {r[0] for r in rows})
    funnel: dict[tuple[str, int], dict] = {}
    at_risk = weighted_total = Decimal(0)
    on_hold = awaiting = closed = 0
    # the newest version names a model and its levels, whatever the order the rows come in
    for version_id, doi, count, potential, held in sorted(rows, key=lambda r: versions[r[0]][0].version):
        version, model = versions[version_id]
        potential = Decimal(potential)
        weight = Decimal(str(model.levels[doi].risk_weight if doi < len(model.levels) else 0)) / 100
        slot = funnel.setdefault((version.model_code, doi), {
            "model": version.model_code, "doi": doi, "count": 0, "potential": Decimal(0), "weighted": Decimal(0)})
        slot.update(model_name=model.name, name=model.level_name(doi))
        slot["count"] += count
        slot["potential"] += potential
        slot["weighted"] += potential * weight
        weighted_total += potential * weight
        if doi < model.closed_doi:
            at_risk += potential * (1 - weight)
        awaiting += count if doi == model.closed_doi - 1 else 0
        closed += count if doi == model.closed_doi else 0
        on_hold += held
    funnel_list = [funnel[k] for k in sorted(funnel)]
    for f in funnel_list:
        f["potential"], f["weighted"] = _money(f["potential"]), _money(f["weighted"])
    killed = uow.session.scalar(select(func.count()).select_from(_from()).where(m.c.cancelled.is_(True), *conds))
    return {
        "funnel": funnel_list,
        "total": sum(f["count"] for f in funnel_list),
        "potential": _money(sum((Decimal(f["potential"]) for f in funnel_list), Decimal(0))),
        "weighted": _money(weighted_total),
        "value_at_risk": _money(at_risk),
        "on_hold": on_hold,
        "approvals": _approvals_by_age(uow, conds),
        "conditions_due": _conditions_due(uow, conds),
        "closure": {"awaiting": awaiting, "closed": closed, "killed": killed},
    }


def level_choices(uow) -> list[dict]:
    """The DoIs a list can be filtered by, each labelled with the level names the models give it.

    :returns: ``[{"doi", "label"}]`` from DoI 0 to the last level of any model, e.g.
        ``{"doi": 1, "label": "DoI 1 · Identified / Scoped"}``.
    """
    latest = {}
    for version in uow.model_versions():
        if version.model_code not in latest or version.version > latest[version.model_code].version:
            latest[version.model_code] = version
    models = [model_of(latest[code]) for code in sorted(latest)]
    out = []
    for doi in range(max((mo.final_doi for mo in models), default=-1) + 1):
        names = list(dict.fromkeys(mo.level_name(doi) for mo in models if doi <= mo.final_doi))
        out.append({"doi": doi, "label": f"DoI {doi} · {' / '.join(names)}"})
    return out


def _approvals_by_age(uow, conds) -> list[dict]:
    g = t.gate_reviews
    stamps = uow.session.scalars(select(g.c.submitted_at).select_from(
        g.join(t.measures, t.measures.c.id == g.c.measure_id).join(t.nodes, t.nodes.c.id == t.measures.c.node_id))
        .where(g.c.status == "pending", *conds)).all()
    today = uow.now
    out = [{"label": label, "count": 0} for _lo, _hi, label in AGE_BUCKETS]
    for at in stamps:
        age = (today - at).days
        for i, (lo, hi, _label) in enumerate(AGE_BUCKETS):
            if age >= lo and (hi is None or age <= hi):
                out[i]["count"] += 1
                break
    return out


def _conditions_due(uow, conds) -> dict:
    c = t.conditions
    base = (select(func.count()).select_from(c.join(t.measures, t.measures.c.id == c.c.measure_id)
                                             .join(t.nodes, t.nodes.c.id == t.measures.c.node_id))
            .where(c.c.cleared_at.is_(None), *conds))
    today = uow.now.date()
    return {"open": uow.session.scalar(base),
            "overdue": uow.session.scalar(base.where(c.c.due_date < today)),
            "due_soon": uow.session.scalar(base.where(c.c.due_date >= today,
                                                      c.c.due_date <= today + timedelta(days=14)))}


def models_of(uow, version_ids) -> dict:
    """``{model version id: (stored version, parsed model)}``."""
    out = {}
    for vid in version_ids:
        version = uow.model_version(vid)
        out[vid] = (version, model_of(version))
    return out


def _money(v: Decimal) -> str:
    return str(Decimal(v).quantize(Decimal("0.01")))


def over_time(uow, node: str | None = None) -> dict:
    """Benefit amounts by fiscal period for plan, forecast and actual, in the reporting currency.

    Summed from the node totals kept by :mod:`steerco.services.value.totals` (a few rows per node and
    period, whatever the number of amounts); measures the actor sees only as their owner, sponsor or
    controller, outside the nodes they may see, are added from their amounts.

    :returns: ``{"currency", "periods": [{"period", "plan", "forecast", "actual"}]}``, money as decimal
        text, None where nothing was entered.
    """
    actor = uow.require_user(uow.actor)
    settings = value_settings.load(uow)
    n, nt = t.nodes, tt.node_period_totals
    versions = ("plan", "forecast", "actual")
    where = [nt.c.version.in_(versions), nt.c.amounts > 0]
    root = uow.require_node(node).path if node else None
    if root:
        where.append(n.c.path.startswith(root, autoescape=True))
    scopes = rights.visible_scopes(actor)
    in_scope = or_(false(), *[n.c.path.startswith(p, autoescape=True) for p in scopes or ()])
    if scopes is not None:
        where.append(in_scope)
    sums: dict[tuple, list] = {}
    for period, version, cents, count in uow.session.execute(
            select(nt.c.period, nt.c.version, func.sum(nt.c.cents), func.sum(nt.c.amounts))
            .join(n, n.c.id == nt.c.node_id).where(*where).group_by(nt.c.period, nt.c.version)):
        sums[(period, version)] = [int(cents), int(count)]
    if scopes is not None:
        for period, version, cents, count in _own_outside_scope(uow, actor, settings, root, in_scope, versions):
            slot = sums.setdefault((period, version), [0, 0])
            slot[0] += int(cents)
            slot[1] += int(count)
    periods: dict[str, dict] = {}
    for (period, version), (cents, count) in sums.items():
        periods.setdefault(period, {"period": period, "plan": None, "forecast": None, "actual": None})
        if count:  # a version without amounts in a period stays None: "not entered" is not zero
            periods[period][version] = _money(Decimal(cents) / 100)
    return {"currency": settings.reporting_currency, "periods": [periods[p] for p in sorted(periods)]}


def _own_outside_scope(uow, actor, settings, root, in_scope, versions):
    """Sums of the actor's own measures (owner, sponsor, controller) that lie outside the nodes they see."""
    a, ln, fx, m, n = v.value_amounts, v.value_lines, v.fx_rates, t.measures, t.nodes
    where = [or_(*[m.c[f"{r}_id"] == actor.id for r in ("owner", "sponsor", "controller")]), ~in_scope,
             m.c.cancelled.is_(False)]
    if root:
        where.append(n.c.path.startswith(root, autoescape=True))
    # the measures first (usually none or a few), then only their amounts, through the measure_id index
    own = select(m.c.id).select_from(m.join(n, n.c.id == m.c.node_id)).where(*where)
    if uow.session.execute(own.limit(1)).first() is None:
        return []
    return uow.session.execute(
        select(a.c.period, a.c.version, func.sum(converted_cents(a.c.amount, fx.c.rate)), func.count())
        .select_from(a.join(ln, ln.c.id == a.c.line_id)
                     .outerjoin(fx, (fx.c.currency == ln.c.currency) & (fx.c.period == a.c.period)
                                & (ln.c.currency != settings.reporting_currency)))
        .where(a.c.measure_id.in_(own), ln.c.category.in_(sorted(settings.benefit_codes)),
               a.c.version.in_(versions))
        .group_by(a.c.period, a.c.version)).all()
