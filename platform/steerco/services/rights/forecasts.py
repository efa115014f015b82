"""Forecasts due: owners keep the forecast of every planned period from now on.

A measure's Potential Status compares forecast with plan, so a plan period
from the current month onwards without a forecast makes that status
meaningless. The inbox lists such gaps for the owner until a forecast is
entered (zero is a forecast; only a missing amount is due).
"""

from __future__ import annotations

from sqlalchemy import select

from steerco.domain.fiscal import period_of
from steerco.services.rights.notify import queue
from steerco.store import tables as t
from steerco.store import tables_value as v

SHOWN_PERIODS = 6


def forecasts_due(uow, actor) -> list[dict]:
    """The actor's open measures with plan periods (current month onwards) that have no forecast.

    :returns: ``[{measure, measure_id, title, missing: [period...] (first six), count, from_period}]``
        by measure code.
    """
    return _due(uow, actor.id).get(actor.id, [])


def remind(uow, base_url: str) -> int:
    """Queue one reminder per owner with forecasts due, once a month (the key holds owner and month).

    :returns: how many owners have forecasts due (those reminded earlier this month are not reminded again).
    """
    current = period_of(uow.now.date())
    link = base_url.rstrip("/") + "/inbox/"
    items = []
    for owner_id, due in sorted(_due(uow, None).items()):
        lines = [f"- {d['measure']} {d['title']}: no forecast for {', '.join(d['missing'])}"
                 + (f" and {d['count'] - len(d['missing'])} more" if d["count"] > len(d["missing"]) else "")
                 for d in due]
        items.append({"key": f"forecast:{owner_id}:{current}", "user_id": owner_id, "kind": "forecast_due",
                      "subject": f"Forecasts due for {len(due)} measure(s)",
                      "body": "These measures have a plan from this month on without a forecast:\n"
                              + "\n".join(lines), "link": link})
    queue(uow, items)
    return len(items)


def _due(uow, owner_id: int | None) -> dict[int, list[dict]]:
    current = period_of(uow.now.date())
    a, m, mv = v.value_amounts.c, t.measures.c, v.measure_values.c
    q = (select(m.owner_id, m.id, m.code, m.title, a.line_id, a.version, a.period)
         .select_from(v.value_amounts.join(t.measures, m.id == a.measure_id)
                      .outerjoin(v.measure_values, mv.measure_id == m.id))
         .where(m.cancelled.is_(False), mv.closed_at.is_(None), m.owner_id.is_not(None),
                a.version.in_(("plan", "forecast")), a.period >= current))
    if owner_id is not None:
        q = q.where(m.owner_id == owner_id)
    planned: dict[int, set] = {}
    forecast: set = set()
    about: dict[int, tuple] = {}
    for owner, mid, code, title, line, version, period in uow.session.execute(q):
        about[mid] = (owner, code, title)
        if version == "plan":
            planned.setdefault(mid, set()).add((line, period))
        else:
            forecast.add((line, period))
    out: dict[int, list[dict]] = {}
    for mid, cells in planned.items():
        missing = sorted({p for line, p in cells if (line, p) not in forecast})
        if missing:
            owner, code, title = about[mid]
            out.setdefault(owner, []).append({"measure": code, "measure_id": mid, "title": title,
                                              "missing": missing[:SHOWN_PERIODS], "count": len(missing),
                                              "from_period": current})
    return {o: sorted(d, key=lambda x: x["measure"]) for o, d in out.items()}
