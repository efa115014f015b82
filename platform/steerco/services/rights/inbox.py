"""The in-app inbox: what a user has to act on now, and their notifications (issue 3)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from steerco.domain import rights
from steerco.domain.review import Condition, GateReview
from steerco.domain.sla import BusinessCalendar
from steerco.services.models import model_of
from steerco.services.rights import delegation
from steerco.services.rights.decisions import review_rows, review_sla
from steerco.services.rights.forecasts import forecasts_due
from steerco.services.rights.notify import notifications_of
from steerco.store import tables as t

CONDITIONS_AHEAD = timedelta(days=14)
CHUNK = 500


def inbox(uow, calendar: BusinessCalendar, *, limit: int | None = None, offset: int = 0) -> dict:
    """Pending actions of the actor.

    :param limit: how many approvals to describe (the longest waiting first, after ``offset``); all by default.
    :returns: ``approvals`` (reviews waiting for the actor's vote, or for the vote of someone who delegated to
        them, with ``on_behalf_of``, oldest first; ``approvals_total`` counts them all), ``conditions``
        (Conditional Go items of the actor's measures due within two weeks or overdue), ``forecasts`` (the
        actor's measures with planned periods from this month on that have no forecast, see
        :mod:`steerco.services.rights.forecasts`) and ``notifications`` (newest first).
    """
    actor = uow.require_user(uow.actor)
    today = uow.now.date()
    waiting = _waiting(uow, actor, today)
    shown = waiting[offset:None if limit is None else offset + limit]
    approvals = [_approval(r, gate, principal, actor, steps, calendar, today) for r, gate, principal, steps in shown]
    q = (select(Condition).join(t.measures, t.measures.c.id == t.conditions.c.measure_id)
         .options(selectinload(Condition.measure), selectinload(Condition.review))
         .where(t.measures.c.owner_id == actor.id, t.conditions.c.cleared_at.is_(None),
                t.conditions.c.due_date <= today + CONDITIONS_AHEAD).order_by(t.conditions.c.due_date))
    conditions = [{"id": c.id, "measure": c.measure.code, "review_id": c.review.id, "text": c.text,
                   "due_date": c.due_date.isoformat(), "overdue": c.due_date < today}
                  for c in uow.session.scalars(q)]
    notes = notifications_of(uow, actor)
    return {"approvals": approvals, "approvals_total": len(waiting), "conditions": conditions,
            "forecasts": forecasts_due(uow, actor),
            "notifications": notes,
            "unread": sum(1 for n in notes if not n["read"])}


def _waiting(uow, actor, today) -> list[tuple]:
    """``(review, gate, principal, open steps)`` of every review waiting for the actor's vote (or their
    delegator's), longest waiting first. Rights are checked on objects loaded for all candidates at once."""
    delegations = delegation.received(uow, actor, today)
    out = []
    for r in _candidates(uow, [actor, *(d.delegator for d in delegations)]):
        gate = model_of(r.model_version).gate_for(r.doi_to)
        skip = gate.policy.skip_counted
        for principal in [actor] + [d.delegator for d in delegations
                                    if d.covers(today, r.measure.node.path, gate.gate_type)]:
            if (principal is actor and not rights.can_view(actor, r.measure) and not r.capacities(actor)) \
                    or r.is_own(actor) or r.is_own(principal):
                continue
            steps = r.awaiting(principal, skip)
            if steps:
                out.append((r, gate, principal, steps))
    out.sort(key=lambda w: (w[0].submitted_at, w[0].id))
    return out


def _approval(r, gate, principal, actor, steps, calendar, today) -> dict:
    return {"review_id": r.id, "measure": r.measure.code, "measure_id": r.measure.id, "title": r.measure.title,
            "gate": r.gate_name, "steps": [r.steps[i]["name"] for i in steps],
            "on_behalf_of": None if principal is actor else principal.username,
            "submitted_at": r.submitted_at.isoformat(), "submitted_by": r.submitted_by.username, "score": r.score,
            "decisions": list(gate.decisions), "sla": review_sla(r, calendar, today)}


def _candidates(uow, principals) -> list[GateReview]:
    """Pending reviews that one of ``principals`` (the actor and who delegated to them) could be asked
    to vote on: a remaining step names a role they hold on the measure's node, or a measure role
    (owner, sponsor, controller) the measure gives them.

    Plain rows are filtered first so that only candidates are loaded as objects: a PMO's scope
    may hold thousands of open reviews of which few wait for them.
    """
    m = t.measures.c
    q = (select(t.gate_reviews.c.id, t.gate_reviews.c.steps, t.gate_reviews.c.current_step, t.nodes.c.path,
                m.owner_id, m.sponsor_id, m.controller_id)
         .select_from(t.gate_reviews.join(t.measures, m.id == t.gate_reviews.c.measure_id)
                      .join(t.nodes, t.nodes.c.id == m.node_id))
         .where(t.gate_reviews.c.status == "pending"))
    held = [(a.role, a.scope) for p in principals for a in p.assignments]
    scopes = {scope for _role, scope in held}
    people = sorted(p.id for p in principals)
    if "/" not in scopes:
        where = [t.nodes.c.path.startswith(s, autoescape=True) for s in sorted(scopes)]
        where += [m.owner_id.in_(people), m.sponsor_id.in_(people), m.controller_id.in_(people)]
        q = q.where(or_(*where))
    ids = []
    for rid, steps, current, path, owner_id, sponsor_id, controller_id in uow.session.execute(q):
        named = {"owner": owner_id, "sponsor": sponsor_id, "controller": controller_id}
        roles = {r for step in steps[current:] for r in step["roles"]}
        if any(named.get(r) in people for r in roles) or any(
                r in roles and path.startswith(scope) for r, scope in held):
            ids.append(rid)
    out: list[GateReview] = []
    for i in range(0, len(ids), CHUNK):  # bounded IN lists: databases cap bound parameters
        out += uow.session.scalars(select(GateReview).where(GateReview.id.in_(ids[i:i + CHUNK])).options(*review_rows()))
    return sorted(out, key=lambda r: r.id)
