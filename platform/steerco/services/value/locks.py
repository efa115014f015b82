"""Period locks, baseline freeze and the closure lock (issue 4).

A controller's monthly sign-off locks a period for one measure or for all;
edits to a locked period are refused except through an approved change
request. Whoever locks or reopens a period must not own a measure it covers:
a lock for all is refused to someone who owns any measure whose value is
still open, since it would sign off their own measure along with the rest.
The baseline is copied from the plan when the baseline gate of the measure's
governance model is approved; the closure decision (the controller confirming
at the model's closure gate) makes the measure's value read-only.
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select

from steerco.domain import rights
from steerco.domain.errors import Conflict, NotFound, PeriodLocked, PermissionDenied
from steerco.domain.fiscal import check_period
from steerco.domain.governance import APPROVING
from steerco.domain.people import ADMIN
from steerco.domain.value import PeriodLock
from steerco.services.access import visible_measure
from steerco.services.models import model_of
from steerco.services.value import totals as value_totals
from steerco.services.value.state import state
from steerco.store import tables as t
from steerco.store import tables_value as v


def locked_periods(uow, measure) -> set[str]:
    q = select(PeriodLock.period).where(or_(PeriodLock.measure_id.is_(None), PeriodLock.measure == measure))
    return set(uow.session.scalars(q))


def require_open_periods(uow, measure, periods: set[str]) -> None:
    """:raises PeriodLocked: naming the locked periods among ``periods``."""
    closed = sorted(periods & locked_periods(uow, measure)) if periods else []
    if closed:
        raise PeriodLocked(closed, f"period(s) {', '.join(closed)} of measure {measure.code} are locked after the "
                                   "controller's sign-off; change them through an approved change request")


def lock_period(uow, period: str, measure_id: int | None = None, reason: str = "") -> PeriodLock:
    """The controller's sign-off of ``period``, for one measure or (``measure_id`` None) for all.

    :raises PermissionDenied: not a controller of the measure (or, for a global lock, not a
        controller for the whole organisation or an admin).
    :raises SegregationOfDuties: the measure's owner; for a global lock, the owner of any measure whose
        value is not yet confirmed at closure.
    """
    check_period(period)
    actor = uow.require_user(uow.actor)
    measure = None
    if measure_id is not None:
        _a, measure = visible_measure(uow, measure_id)
        rights.require(actor is measure.controller or actor.holds("controller", measure.node.path)
                       or actor.is_admin, f"{actor.username} is not a controller of measure {measure.code}")
        rights.require_not_owner(actor, measure, "lock its periods")
    else:
        rights.require(actor.holds("controller", "/") or actor.is_admin,
                       f"{actor.username} may not lock a period for every measure (controller for the whole "
                       "organisation or admin only)")
        _require_owns_none(uow, actor, f"lock period {period} for every measure",
                           "lock it per measure for the others and let another controller lock it for these")
    q = select(PeriodLock).where(PeriodLock.period == period)
    q = q.where(PeriodLock.measure_id.is_(None)) if measure is None else q.where(PeriodLock.measure == measure)
    if uow.session.scalar(q) is not None:
        raise Conflict(f"period {period} is already locked" + (f" for measure {measure.code}" if measure else ""))
    lock = uow.add(PeriodLock(period, measure, actor.username, uow.now, reason))
    uow.flush()
    uow.record("period.locked", "period_lock", lock.id, measure.code if measure else None, after=lock.as_dict())
    return lock


def unlock_period(uow, period: str, measure_id: int | None = None) -> None:
    """Reopen a period; only an admin (a correction of a wrong sign-off, audited).

    :raises SegregationOfDuties: as for :func:`lock_period`: the lock covers a measure the admin owns.
    """
    actor = uow.require_user(uow.actor)
    if not actor.holds(ADMIN):
        raise PermissionDenied(f"{actor.username} may not reopen a signed-off period (admin only)")
    q = select(PeriodLock).where(PeriodLock.period == period)
    q = q.where(PeriodLock.measure_id.is_(None)) if measure_id is None else q.where(PeriodLock.measure_id == measure_id)
    lock = uow.session.scalar(q)
    if lock is None:
        raise NotFound(f"period lock: {period} is not locked")
    if lock.measure is not None:
        rights.require_not_owner(actor, lock.measure, "reopen its periods")
    else:
        _require_owns_none(uow, actor, f"reopen period {period} for every measure")
    uow.record("period.unlocked", "period_lock", lock.id, lock.measure.code if lock.measure else None,
               before=lock.as_dict())
    uow.session.delete(lock)


def _require_owns_none(uow, actor, act: str, hint: str = "") -> None:
    """:raises SegregationOfDuties: ``actor`` owns measures whose value is open (a closed one's is read-only)."""
    m, mv = t.measures.c, v.measure_values.c
    q = (select(m.code).select_from(t.measures.outerjoin(v.measure_values, mv.measure_id == m.id))
         .where(m.owner_id == actor.id, mv.closed_at.is_(None)).order_by(m.code))
    owned = list(uow.session.scalars(q))
    if owned:
        raise rights.owned_measures_conflict(actor, owned, act, hint)


def locks(uow, measure_id: int | None = None) -> list[dict]:
    q = select(PeriodLock).order_by(PeriodLock.period)
    if measure_id is not None:
        _a, measure = visible_measure(uow, measure_id)
        q = q.where(or_(PeriodLock.measure_id.is_(None), PeriodLock.measure == measure))
    else:
        q = q.where(PeriodLock.measure_id.is_(None))
    return [lk.as_dict() for lk in uow.session.scalars(q)]


def freeze_baseline(uow, measure) -> int:
    """Copy the current plan into the baseline version; returns how many amounts were frozen."""
    st = state(uow, measure)
    s, a = uow.session, v.value_amounts
    with value_totals.tracking(uow, measure):
        s.execute(delete(a).where(a.c.measure_id == measure.id, a.c.version == "baseline"))
        plan = list(s.execute(select(a.c.line_id, a.c.period, a.c.amount)
                              .where(a.c.measure_id == measure.id, a.c.version == "plan")))
        if plan:
            s.execute(a.insert(), [{"line_id": r.line_id, "measure_id": measure.id, "version": "baseline",
                                    "period": r.period, "amount": r.amount} for r in plan])
    st.baseline_frozen_at = uow.now
    uow.record("value.baseline_frozen", "measure", measure.id, measure.code,
               after={"amounts": len(plan), "plan_revision": st.plan_revision})
    return len(plan)


def on_decided(uow, review, decision: str) -> None:
    """After a gate decision: freeze the baseline at the model's baseline gate; lock the value at closure."""
    if decision == "kill":
        value_totals.measure_cancelled(uow, review.measure)
    if decision not in APPROVING:
        return
    measure = review.measure
    model = model_of(review.model_version)
    if review.doi_to == model.baseline_gate:
        freeze_baseline(uow, measure)
    gate = model.gate_for(review.doi_to)
    if gate is not None and gate.gate_type == "closure":
        st = state(uow, measure)
        confirmer = next((x.voter.username for x in reversed(review.live_votes()) if x.decision in APPROVING),
                         uow.actor)
        st.closed_at, st.closed_by = uow.now, confirmer
        uow.record("value.closure_confirmed", "measure", measure.id, measure.code,
                   after={"confirmed_by": confirmer, "review": review.id})
