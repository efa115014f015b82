"""The in-app inbox: what a user has to act on now, and their notifications (issue 3)."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import Text, and_, cast, exists, or_, select
from sqlalchemy.orm import selectinload

from steerco.domain import rights
from steerco.domain.measure import ModelVersion
from steerco.domain.people import MEASURE_ROLES
from steerco.domain.review import Condition, GateReview, stage_of, tally
from steerco.domain.sla import BusinessCalendar, sla_state
from steerco.services.models import model_of
from steerco.services.rights import delegation
from steerco.services.rights.decisions import review_rows
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
    rows = _shown(uow, [rid for rid, _p, _s in shown])
    approvals = [_approval(rows[rid], principal, actor, steps, calendar, today) for rid, principal, steps in shown]
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
    """``(review id, principal, open steps)`` of every review waiting for the actor's vote (or their
    delegator's), longest waiting first.

    The candidates come as plain rows, already ordered. A review without a live vote is decided on its
    row: nobody has voted, so a step waits for whoever may vote on it. Only reviews with votes are loaded
    as objects, for the vote counting of the domain (carried approvals, quorum).
    """
    delegations = delegation.received(uow, actor, today)
    rows = _candidates(uow, [actor, *(d.delegator for d in delegations)])
    voted = _reviews(uow, [row.id for row in rows if row.voted])
    gates: dict[tuple, object] = {}

    def gate_of(row):
        key = (row.model_version_id, row.doi_to)
        if key not in gates:
            gates[key] = model_of(uow.session.get(ModelVersion, row.model_version_id)).gate_for(row.doi_to)
        return gates[key]

    people = {p.id: _Person(p) for p in [actor, *(d.delegator for d in delegations)]}
    me = people[actor.id]
    steps_of: dict[str, list] = {}  # the steps as stored, decoded once: most reviews share a few routes
    out = []
    for row in rows:
        r = voted.get(row.id)
        steps = steps_of.get(row.steps)
        if steps is None:
            steps = steps_of[row.steps] = json.loads(row.steps)
        if row.current_step >= len(steps):  # no open step: nobody is awaited
            continue
        principals = [actor]
        if delegations:
            gate_type = gate_of(row).gate_type
            principals += [d.delegator for d in delegations if d.covers(today, row.path, gate_type)]
        for principal in principals:
            if r is not None:
                if (principal is actor and not rights.can_view(actor, r.measure) and not r.capacities(actor)) \
                        or r.is_own(actor) or r.is_own(principal):
                    continue
                open_steps = r.awaiting(principal, gate_of(row).policy.skip_counted)
            else:
                who = people[principal.id]
                if (principal is actor and not me.sees(row) and not me.capacities(row, steps[row.current_step])) \
                        or me.owns(row) or who.owns(row):
                    continue
                open_steps = [i for i in stage_of(steps, row.current_step) if who.capacities(row, steps[i])
                              and not tally(steps[i], [], 10**6).step_passed]
            if open_steps:
                out.append((row.id, principal, open_steps))
    return out


class _Person:
    """A principal as the checks on candidate rows read them: :meth:`GateReview.capacities`,
    :meth:`GateReview.is_own` and :func:`rights.can_view`, with the roles read once and the answers per
    node path remembered (a portfolio's reviews sit on a few nodes)."""

    def __init__(self, user):
        self.id = user.id
        self.admin = user.is_admin
        self.held = [(a.role, a.scope) for a in user.assignments]
        self._holds: dict[tuple, bool] = {}
        self._sees: dict[str, bool] = {}

    def holds(self, role: str, path: str) -> bool:
        key = (role, path)
        if key not in self._holds:
            self._holds[key] = any(r == role and path.startswith(scope) for r, scope in self.held)
        return self._holds[key]

    def capacities(self, row, step: dict) -> list[str]:
        return [r for r in step["roles"]
                if (r in MEASURE_ROLES and getattr(row, f"{r}_id") == self.id) or self.holds(r, row.path)]

    def owns(self, row) -> bool:
        return self.id in (row.owner_id, row.submitted_by_id)

    def sees(self, row) -> bool:
        if self.admin or self.id in (row.owner_id, row.sponsor_id, row.controller_id):
            return True
        if row.path not in self._sees:
            self._sees[row.path] = any(row.path.startswith(scope) for _r, scope in self.held)
        return self._sees[row.path]


def _approval(r, principal, actor, steps, calendar, today) -> dict:
    return {"review_id": r.id, "measure": r.code, "measure_id": r.measure_id, "title": r.title,
            "gate": r.gate_name, "steps": [r.steps[i]["name"] for i in steps],
            "on_behalf_of": None if principal is actor else principal.username,
            "submitted_at": r.submitted_at.isoformat(), "submitted_by": r.username, "score": r.score,
            "decisions": list(r.gate.decisions), "sla": sla_state(calendar, r.gate.sla, r.submitted_at.date(), today)}


def _shown(uow, ids: list[int]) -> dict[int, SimpleNamespace]:
    """What the page shows of the reviews ``ids`` (one page: a bounded list), as plain rows with their gate."""
    if not ids:
        return {}
    g, m = t.gate_reviews.c, t.measures.c
    q = (select(g.id, g.measure_id, m.code, m.title, g.gate_name, g.steps, g.submitted_at, t.users.c.username,
                g.score, g.model_version_id, g.doi_to)
         .select_from(t.gate_reviews.join(t.measures, m.id == g.measure_id)
                      .join(t.users, t.users.c.id == g.submitted_by_id, isouter=True))
         .where(g.id.in_(ids)))
    rows = [SimpleNamespace(**row._mapping) for row in uow.session.execute(q)]
    versions = {v.id: v for v in uow.session.scalars(
        select(ModelVersion).where(t.model_versions.c.id.in_({r.model_version_id for r in rows})))}
    for r in rows:
        r.gate = model_of(versions[r.model_version_id]).gate_for(r.doi_to)
    return {r.id: r for r in rows}


def _candidates(uow, principals) -> list:
    """Pending reviews that one of ``principals`` (the actor and who delegated to them) could be asked
    to vote on, as plain rows, longest waiting first: those under a node where they hold a role, or
    whose measure names one of them. ``steps`` is the stored JSON text; ``voted`` says whether the review
    has a live vote.
    """
    g, m = t.gate_reviews.c, t.measures.c
    live = exists().where(and_(t.votes.c.review_id == g.id, t.votes.c.voided_at.is_(None)))
    q = (select(g.id, cast(g.steps, Text).label("steps"), g.current_step, g.submitted_by_id, g.model_version_id, g.doi_to, t.nodes.c.path,
                m.owner_id, m.sponsor_id, m.controller_id, live.label("voted"))
         .select_from(t.gate_reviews.join(t.measures, m.id == g.measure_id).join(t.nodes, t.nodes.c.id == m.node_id))
         .where(g.status == "pending").order_by(g.submitted_at, g.id))
    scopes = {a.scope for p in principals for a in p.assignments}
    people = sorted(p.id for p in principals)
    if "/" not in scopes:
        where = [t.nodes.c.path.startswith(s, autoescape=True) for s in sorted(scopes)]
        where += [m.owner_id.in_(people), m.sponsor_id.in_(people), m.controller_id.in_(people)]
        q = q.where(or_(*where))
    return list(uow.session.execute(q))


def _reviews(uow, ids: list[int]) -> dict[int, GateReview]:
    """The reviews ``ids`` as objects, by id."""
    out = {}
    for i in range(0, len(ids), CHUNK):  # bounded IN lists: databases cap bound parameters
        q = select(GateReview).where(GateReview.id.in_(ids[i:i + CHUNK])).options(*review_rows())
        out.update((r.id, r) for r in uow.session.scalars(q))
    return out
