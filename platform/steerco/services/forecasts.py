"""Forecasts due: owners keep the forecast of every planned period from now on.

A measure's Potential Status compares forecast with plan, so a plan period
from the current month onwards without a forecast makes that status
meaningless. The inbox lists such gaps for the owner until a forecast is
entered (zero is a forecast; only a missing amount is due).
"""

from __future__ import annotations

from sqlalchemy import select

from steerco.domain.fiscal import period_of
from steerco.store import tables as t
from steerco.store import tables_value as v

SHOWN_PERIODS = 6


def forecasts_due(uow, actor) -> list[dict]:
    """The actor's open measures with plan periods (current month onwards) that have no forecast.

    :returns: ``[{measure, title, missing: [period...] (first six), count, from_period}]`` by measure code.
    """
    current = period_of(uow.now.date())
    a, m, mv = v.value_amounts.c, t.measures.c, v.measure_values.c
    q = (select(m.id, m.code, m.title, a.line_id, a.version, a.period)
         .select_from(v.value_amounts.join(t.measures, m.id == a.measure_id)
                      .outerjoin(v.measure_values, mv.measure_id == m.id))
         .where(m.owner_id == actor.id, m.cancelled.is_(False), mv.closed_at.is_(None),
                a.version.in_(("plan", "forecast")), a.period >= current))
    planned: dict[int, set] = {}
    forecast: set = set()
    names: dict[int, tuple[str, str]] = {}
    for mid, code, title, line, version, period in uow.session.execute(q):
        names[mid] = (code, title)
        if version == "plan":
            planned.setdefault(mid, set()).add((line, period))
        else:
            forecast.add((line, period))
    out = []
    for mid, cells in planned.items():
        missing = sorted({p for line, p in cells if (line, p) not in forecast})
        if missing:
            code, title = names[mid]
            out.append({"measure": code, "measure_id": mid, "title": title, "missing": missing[:SHOWN_PERIODS],
                        "count": len(missing), "from_period": current})
    return sorted(out, key=lambda d: d["measure"])
