"""The sections of a steering-committee pack that the dashboard does not already compute.

Each function takes the scope conditions of :func:`steerco.services.reporting.dashboard.scope`
and returns plain data (money as decimal text); each is a few aggregate queries,
whatever the number of measures.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from steerco.domain.fiscal import add_months
from steerco.domain.status import IMPLEMENTATION, POTENTIAL
from steerco.store import tables as t
from steerco.store import tables_totals as tt
from steerco.store import tables_value as v

SHOWN = 15  # rows of a list section: the committee reads the worst, the Excel has the counts


def _frm():
    return t.measures.join(t.nodes, t.nodes.c.id == t.measures.c.node_id)


def status_matrix(uow, conds) -> dict:
    """Active measures counted by Implementation Status (rows) and Potential Status (columns)."""
    m, mv = t.measures, v.measure_values
    # a measure without value yet has no status row: it has the statuses' defaults
    impl = func.coalesce(mv.c.implementation_status, "on_track")
    pot = func.coalesce(mv.c.potential_status, "on_track")
    counts = {(i, p): n for i, p, n in uow.session.execute(
        select(impl, pot, func.count()).select_from(_frm().outerjoin(mv, mv.c.measure_id == m.c.id))
        .where(m.c.cancelled.is_(False), *conds).group_by(impl, pot))}
    return {"rows": list(IMPLEMENTATION), "columns": list(POTENTIAL),
            "counts": [[int(counts.get((i, p), 0)) for p in POTENTIAL] for i in IMPLEMENTATION]}


def value_at_risk_measures(uow, conds) -> dict:
    """The measures behind the value at risk: active, value at risk or critical, the largest first."""
    m, mv, mt = t.measures, v.measure_values, tt.measure_totals
    plan, forecast = mt.alias("plan"), mt.alias("forecast")
    where = [m.c.cancelled.is_(False), mv.c.potential_status.in_(("at_risk", "critical")), *conds]
    frm = _frm().join(mv, mv.c.measure_id == m.c.id)
    count, potential = uow.session.execute(
        select(func.count(), func.coalesce(func.sum(m.c.potential), 0)).select_from(frm).where(*where)).one()
    rows = uow.session.execute(
        select(m.c.code, m.c.title, t.nodes.c.code, m.c.doi, mv.c.potential_status, m.c.potential,
               plan.c.cents, forecast.c.cents)
        .select_from(frm.outerjoin(plan, and_(plan.c.measure_id == m.c.id, plan.c.kind == "benefit",
                                              plan.c.version == "plan"))
                     .outerjoin(forecast, and_(forecast.c.measure_id == m.c.id, forecast.c.kind == "benefit",
                                               forecast.c.version == "forecast")))
        .where(*where).order_by(m.c.potential.desc(), m.c.code).limit(SHOWN)).all()
    return {"count": int(count), "potential": money(potential),
            "measures": [{"code": c, "title": ti, "node": n, "doi": d, "potential_status": s,
                          "potential": money(p), "plan": cents(pl), "forecast": cents(fo)}
                         for c, ti, n, d, s, p, pl, fo in rows]}


def top_risks(uow, conds) -> list[dict]:
    """Open risks of active measures, the highest probability × impact first."""
    r, m = t.risks, t.measures
    score = r.c.probability * r.c.impact
    return [{"measure": code, "title": title, "probability": p, "impact": i, "score": p * i,
             "mitigation": mitigation}
            for code, title, p, i, mitigation in uow.session.execute(
                select(m.c.code, r.c.title, r.c.probability, r.c.impact, r.c.mitigation)
                .select_from(_frm().join(r, r.c.measure_id == m.c.id))
                .where(r.c.status == "open", m.c.cancelled.is_(False), *conds)
                .order_by(score.desc(), m.c.code, r.c.id).limit(SHOWN))]


def blocked_dependencies(uow, conds) -> list[dict]:
    """Dependencies of active measures on a measure that is killed, on hold, delayed or critical."""
    d, m, mv = v.dependencies, t.measures, v.measure_values
    pre = t.measures.alias("pre")
    pre_status = mv.alias("pre_status")
    blocked = or_(pre.c.cancelled.is_(True), pre.c.on_hold.is_(True),
                  pre_status.c.implementation_status.in_(("delayed", "critical")))
    rows = uow.session.execute(
        select(m.c.code, pre.c.code, pre.c.cancelled, pre.c.on_hold, pre_status.c.implementation_status,
               d.c.description)
        .select_from(_frm().join(d, d.c.successor_id == m.c.id).join(pre, pre.c.id == d.c.predecessor_id)
                     .outerjoin(pre_status, pre_status.c.measure_id == pre.c.id))
        .where(m.c.cancelled.is_(False), blocked, *conds).order_by(m.c.code, pre.c.code).limit(SHOWN)).all()
    return [{"measure": code, "on": on, "why": "killed" if killed else "on hold" if held else status,
             "description": text} for code, on, killed, held, status, text in rows]


def gates_with_teeth(uow, conds) -> list[dict]:
    """Per gate: reviews decided, kills and the kill rate, mean days from submission to decision, pending."""
    g, m = t.gate_reviews, t.measures
    out: dict[str, dict] = {}
    for gate, doi, status, decision, submitted, decided in uow.session.execute(
            select(g.c.gate_name, g.c.doi_to, g.c.status, g.c.decision, g.c.submitted_at, g.c.decided_at)
            .select_from(_frm().join(g, g.c.measure_id == m.c.id)).where(*conds)):
        slot = out.setdefault(gate, {"gate": gate, "doi": doi, "decided": 0, "kills": 0, "pending": 0, "_days": 0.0})
        slot["doi"] = min(slot["doi"], doi)
        if status == "pending":
            slot["pending"] += 1
        elif decided is not None:
            slot["decided"] += 1
            slot["kills"] += decision == "kill"
            slot["_days"] += (decided - submitted).total_seconds() / 86400
    rows = []
    for slot in sorted(out.values(), key=lambda s: (s["doi"], s["gate"])):
        days = slot.pop("_days")
        decided = slot["decided"]
        slot["kill_rate"] = round(100 * slot["kills"] / decided, 1) if decided else 0.0
        slot["mean_days"] = round(days / decided, 1) if decided else 0.0
        rows.append(slot)
    return rows


def closures(uow, conds, period: str) -> dict:
    """Measures whose value the controller confirmed at closure within ``period``."""
    m, mv, mt = t.measures, v.measure_values, tt.measure_totals
    start = datetime.fromisoformat(f"{period}-01").replace(tzinfo=timezone.utc)
    end = datetime.fromisoformat(f"{add_months(period, 1)}-01").replace(tzinfo=timezone.utc)
    rows = uow.session.execute(
        select(m.c.code, m.c.title, t.nodes.c.code, mv.c.closed_by, mv.c.closed_at, mt.c.cents)
        .select_from(_frm().join(mv, mv.c.measure_id == m.c.id)
                     .outerjoin(mt, and_(mt.c.measure_id == m.c.id, mt.c.kind == "benefit",
                                         mt.c.version == "actual")))
        .where(mv.c.closed_at >= start, mv.c.closed_at < end, *conds).order_by(mv.c.closed_at, m.c.code)).all()
    measures = [{"code": c, "title": ti, "node": n, "closed_by": by, "closed_on": at.date().isoformat(),
                 "actual": cents(a)} for c, ti, n, by, at, a in rows]
    total = sum((Decimal(x["actual"]) for x in measures if x["actual"] is not None), Decimal(0))
    return {"count": len(measures), "actual": money(total), "measures": measures}


def money(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def cents(value) -> str | None:
    return None if value is None else str((Decimal(int(value)) / 100).quantize(Decimal("0.01")))
