"""The value bridge of a steering-committee pack: last pack's forecast to this one's.

The forecast a pack reports is the benefit forecast of the fiscal year its
period falls in, in reporting-currency cents, over the measures not killed.
Each pack keeps every measure's figure (``pack_measures``) so the next pack
can say where the difference comes from:

- **new**: measures the last pack did not count (created or revived since);
- **kills**: measures the last pack counted and that are killed now;
- **slips**: value moved between this fiscal year and later ones (a slip
  out is negative, a pull-in positive), the smaller of the two moves;
- **value changes**: the rest of the change of the measures in both.

start + new + kills + slips + value changes = end, to the cent.
"""

from __future__ import annotations

from sqlalchemy import case, func, select

from steerco.domain.fiscal import fiscal_periods, fiscal_year
from steerco.services.value import settings as value_settings
from steerco.services.value.totals import converted_cents
from steerco.store import tables as t
from steerco.store import tables_packs as tp
from steerco.store import tables_value as v


def measure_forecasts(uow, chosen, period: str) -> dict[int, tuple[int, int, bool]]:
    """``{measure id: (cents this fiscal year, cents later, killed)}`` of the measures ``chosen`` selects.

    One aggregate query over the amounts (benefit forecast only), however many measures.
    """
    settings = value_settings.load(uow)
    periods = fiscal_periods(fiscal_year(period, settings.fiscal_year_start_month), settings.fiscal_year_start_month)
    a, ln, fx, m = v.value_amounts, v.value_lines, v.fx_rates, t.measures
    cents = converted_cents(a.c.amount, fx.c.rate)
    sums = {mid: (int(inside or 0), int(later or 0)) for mid, inside, later in uow.session.execute(
        select(a.c.measure_id, func.sum(case((a.c.period.between(periods[0], periods[-1]), cents), else_=0)),
               func.sum(case((a.c.period > periods[-1], cents), else_=0)))
        .select_from(a.join(ln, ln.c.id == a.c.line_id)
                     .outerjoin(fx, (fx.c.currency == ln.c.currency) & (fx.c.period == a.c.period)
                                & (ln.c.currency != settings.reporting_currency)))
        .where(a.c.measure_id.in_(chosen), a.c.version == "forecast", a.c.period >= periods[0],
               ln.c.category.in_(sorted(settings.benefit_codes)))
        .group_by(a.c.measure_id))}
    out = {}
    for mid, killed in uow.session.execute(select(m.c.id, m.c.cancelled).where(m.c.id.in_(chosen))):
        inside, later = sums.get(mid, (0, 0))
        out[mid] = (inside, later, bool(killed))
    return out


def previous_forecasts(uow, pack_id: int | None) -> dict[int, tuple[int, int, bool]]:
    if pack_id is None:
        return {}
    pm = tp.pack_measures.c
    return {mid: (int(i), int(la), bool(k)) for mid, i, la, k in uow.session.execute(
        select(pm.measure_id, pm.in_year_cents, pm.later_cents, pm.killed).where(pm.pack_id == pack_id))}


def bridge(previous: dict, current: dict) -> dict:
    """The waterfall in cents: ``{"start", "new", "kills", "slips", "changes", "end"}`` plus the counts."""
    start = sum(i for i, _l, k in previous.values() if not k)
    new = kills = slips = changes = 0
    counts = {"new": 0, "kills": 0, "slips": 0, "changes": 0}
    for mid, (inside, later, killed) in current.items():
        before = previous.get(mid)
        counted_before = before is not None and not before[2]
        if killed:
            if counted_before:
                kills -= before[0]
                counts["kills"] += 1
            continue
        if not counted_before:
            new += inside
            counts["new"] += 1 if inside else 0
            continue
        d_in, d_later = inside - before[0], later - before[1]
        slip = 0
        if d_in < 0 < d_later:
            slip = -min(-d_in, d_later)
        elif d_later < 0 < d_in:
            slip = min(d_in, -d_later)
        slips += slip
        changes += d_in - slip
        counts["slips"] += 1 if slip else 0
        counts["changes"] += 1 if d_in - slip else 0
    # measures the last pack counted that left the subtree (moved to another node) leave with their value
    for mid, (inside, _later, killed) in previous.items():
        if mid not in current and not killed:
            changes -= inside
            counts["changes"] += 1 if inside else 0
    end = sum(i for i, _l, k in current.values() if not k)
    return {"start": start, "new": new, "kills": kills, "slips": slips, "changes": changes, "end": end,
            "counts": counts}
