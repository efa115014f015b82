"""Implementation Status and Potential Status of a measure: derived, overridden, with history (issue 4)."""

from __future__ import annotations

from sqlalchemy import select

from steerco.domain import rights
from steerco.domain.measure import Measure
from steerco.domain.errors import SegregationOfDuties
from steerco.domain.people import ADMIN, PMO
from steerco.domain.status import StatusEntry, check_override, implementation_status, potential_status
from steerco.services.access import visible_measure
from steerco.services.value import settings as value_settings
from steerco.services.value.state import measure_totals, peek_state, require_writable, state


def derived(uow, measure, settings=None, totals=None) -> dict:
    """:returns: ``{kind: (status, why)}`` derived now from milestones and forecast vs plan."""
    settings = settings or value_settings.load(uow)
    t = totals if totals is not None else measure_totals(uow, measure, settings)
    return derive(measure, uow.now.date(), settings, t)


def derive(measure, today, settings, totals: dict) -> dict:
    """:func:`derived` from preloaded data (shared with the batch facts path, no queries but milestones).

    :param totals: the measure's value totals (``steerco.domain.value.totals``).
    :returns: ``{kind: (status, why)}``.
    """
    b = totals["benefit"]
    has_forecast = any(totals["periods"]["forecast"].values())
    return {
        "implementation": implementation_status(measure.milestones, today, settings.delayed_after_days,
                                                settings.critical_after_days),
        "potential": potential_status(b["plan"], b["forecast"], settings.at_risk_below, settings.critical_below,
                                      has_forecast),
    }


def current(uow, measure, settings=None, totals=None) -> dict:
    """Both statuses as the API and criteria show them: effective status, derived status, override."""
    st = peek_state(uow, measure)
    return effective(derived(uow, measure, settings, totals), st)


def effective(derived_now: dict, st) -> dict:
    """:func:`current` from the derived statuses and the preloaded value state (None: none stored yet)."""
    out = {}
    for kind, (status, why) in derived_now.items():
        override = getattr(st, f"{kind}_override", None) if st else None
        out[kind] = {"status": override["status"] if override else status, "derived": status, "why": why,
                     "override": override}
    return out


def refresh(uow, measure, settings=None) -> set[str]:
    """Store the effective statuses and append history for each one that changed; returns the changed kinds."""
    st = state(uow, measure)
    changed = set()
    for kind, s in current(uow, measure, settings).items():
        if getattr(st, f"{kind}_status") != s["status"]:
            setattr(st, f"{kind}_status", s["status"])
            _entry(uow, measure, kind, s)
            changed.add(kind)
    return changed


def _entry(uow, measure, kind, s, note: str = ""):
    ov = s["override"]
    reason = ov["reason"] if ov else s["why"]
    uow.add(StatusEntry(measure, kind, s["status"], s["derived"], ov is not None, note + reason,
                        ov["by"] if ov else uow.actor, uow.now))
    uow.record("status.changed", "measure", measure.id, measure.code,
               after={"kind": kind, "status": s["status"], "derived": s["derived"], "overridden": ov is not None})


def may_override(actor, measure) -> bool:
    # The owner reports; sponsor, controller, PMO and admins judge: an owner cannot turn their own measure green.
    if actor is measure.owner:
        return False
    return actor in (measure.sponsor, measure.controller) or actor.holds_any((ADMIN, PMO), measure.node.path)


def override(uow, measure_id: int, kind: str, status: str | None, reason: str) -> dict:
    """Override ``kind`` with ``status`` and a reason; ``status`` None clears the override (a reason still required).

    :raises ValidationFailed: unknown kind/status or no reason.
    :raises PermissionDenied: the actor may not judge this measure's status.
    """
    actor, measure = visible_measure(uow, measure_id, for_update=True)
    if actor is measure.owner:
        raise SegregationOfDuties(f"{actor.username} owns measure {measure.code} and may not override its "
                                  "statuses: the owner reports, the sponsor, controller or PMO judges")
    rights.require(may_override(actor, measure),
                   f"{actor.username} may not override statuses of measure {measure.code} "
                   "(sponsor, controller or PMO)")
    check_override(kind, status or "on_track", reason)
    require_writable(uow, measure)
    st = state(uow, measure)
    before = getattr(st, f"{kind}_override")
    new = {"status": status, "reason": reason.strip(), "by": actor.username, "at": uow.now.isoformat()} \
        if status else None
    setattr(st, f"{kind}_override", new)
    uow.record("status.overridden" if new else "status.override_cleared", "measure", measure.id, measure.code,
               before={"override": before}, after={"kind": kind, "override": new, "reason": reason.strip()})
    uow.flush()
    if kind not in refresh(uow, measure):
        # The effective status stayed the same, but who decides it changed: keep that in the history too.
        _entry(uow, measure, kind, current(uow, measure)[kind], "" if new else f"override cleared ({reason.strip()}): ")
    return current(uow, measure)


def statuses(uow, measure_id: int) -> dict:
    """Both statuses now, and their history (newest last)."""
    _actor, measure = visible_measure(uow, measure_id)
    history = uow.session.scalars(select(StatusEntry).where(StatusEntry.measure == measure).order_by(StatusEntry.id))
    return {"measure": measure.code, **current(uow, measure), "history": [h.as_dict() for h in history]}


def refresh_all(uow, progress=lambda _msg: None) -> int:
    """Re-derive every active measure's statuses (the daily job: due dates pass without any edit)."""
    settings = value_settings.load(uow)
    n = 0
    for n, measure in enumerate(uow.session.scalars(select(Measure).where(Measure.cancelled.is_(False))), 1):
        refresh(uow, measure, settings)
        if n % 500 == 0:
            progress(f"{n} measures")
    return n
