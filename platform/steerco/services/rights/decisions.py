"""Decisions needed (open reviews against their SLA, conditions due, escalations)
and the decisions register of steering committees (issue 3)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from steerco.domain import rights
from steerco.domain.decisions import DecisionRecord, check_record
from steerco.domain.errors import NotFound, PermissionDenied, ValidationFailed
from steerco.domain.people import ADMIN, PMO
from steerco.domain.review import Condition, GateReview
from steerco.domain.sla import BusinessCalendar, sla_state
from steerco.services.models import model_of
from steerco.store import tables as t
from steerco.store import tables_rights as tr

DUE_WITHIN = timedelta(days=14)


def review_rows() -> tuple:
    """Loader options for a list of reviews: what it shows comes in one statement each, not one per review.

    Built on use: the classes are mapped when the store is made, after this module is imported.
    """
    return selectinload(GateReview.measure), selectinload(GateReview.submitted_by)
RECORDERS = (ADMIN, PMO, "steering_committee")


def _scoped(query, uow, actor, node: str | None):
    """``query`` (joined to measures) limited to what the actor may see, under ``node``."""
    query = query.join(t.nodes, t.nodes.c.id == t.measures.c.node_id)
    if node:
        query = query.where(t.nodes.c.path.startswith(uow.require_node(node).path, autoescape=True))
    scopes = rights.visible_scopes(actor)
    if scopes is not None:
        mine = [t.measures.c[f"{r}_id"] == actor.id for r in ("owner", "sponsor", "controller")]
        query = query.where(or_(*[t.nodes.c.path.startswith(p, autoescape=True) for p in scopes], *mine))
    return query


def review_sla(review: GateReview, calendar: BusinessCalendar, today: date) -> dict:
    gate = model_of(review.model_version).gate_for(review.doi_to)
    return sla_state(calendar, gate.sla, review.submitted_at.date(), today)


def needed(uow, calendar: BusinessCalendar, *, node: str | None = None, role: str | None = None,
           oldest: int | None = None) -> dict:
    """What waits for a decision, as the actor may see it.

    :param node: a node code: its subtree only.
    :param role: only reviews (and their escalations) whose current stage needs this role; conditions
        of a Conditional Go are listed by node only.
    :param oldest: only this many reviews, the longest waiting first (the dashboard's short list).
    :returns: reviews (age in business days and SLA state), conditions due or overdue, escalations.
    """
    actor = uow.require_user(uow.actor)
    today = uow.now.date()
    q = _scoped(select(GateReview).join(t.measures, t.measures.c.id == t.gate_reviews.c.measure_id), uow, actor,
                node).where(t.gate_reviews.c.status == "pending").options(*review_rows()) \
        .order_by(t.gate_reviews.c.submitted_at, t.gate_reviews.c.id)
    if oldest is not None and role is None:
        q = q.limit(oldest)
    reviews = []
    for r in uow.session.scalars(q):
        stage = [r.steps[i] for i in r.stage()]
        roles = sorted({x for s in stage for x in s["roles"]})
        if role and role not in roles:
            continue
        reviews.append((r, stage, roles))
    events = {}
    if reviews:
        e = tr.sla_events.c
        for row in uow.session.execute(select(e.review_id, e.kind, e.step, e.at, e.role, e.age, e.recipients)
                                       .where(e.review_id.in_([r.id for r, _s, _x in reviews])).order_by(e.id)):
            events.setdefault(row.review_id, []).append(row)
    out_reviews, escalations = [], []
    for r, stage, roles in reviews:
        done = {ev.kind: ev for ev in events.get(r.id, []) if ev.step == r.current_step}
        out_reviews.append({
            "id": r.id, "measure": r.measure.code, "measure_id": r.measure.id, "title": r.measure.title,
            "node": r.measure.node.code, "gate": r.gate_name, "steps": [s["name"] for s in stage], "roles": roles,
            "submitted_at": r.submitted_at.isoformat(), "sla": review_sla(r, calendar, today),
            "reminded_at": done["reminder"].at.isoformat() if "reminder" in done else None,
            "escalated_at": done["escalation"].at.isoformat() if "escalation" in done else None,
        })
        escalations += [{"review_id": r.id, "measure": r.measure.code, "gate": r.gate_name, "to": ev.role,
                         "age": ev.age, "at": ev.at.isoformat(), "recipients": ev.recipients}
                        for ev in events.get(r.id, []) if ev.kind == "escalation"]
    cq = _scoped(select(Condition).join(t.measures, t.measures.c.id == t.conditions.c.measure_id), uow, actor, node) \
        .options(selectinload(Condition.measure), selectinload(Condition.review)) \
        .where(t.conditions.c.cleared_at.is_(None), t.conditions.c.due_date <= today + DUE_WITHIN) \
        .order_by(t.conditions.c.due_date)
    conditions = [{"id": c.id, "measure": c.measure.code, "review_id": c.review.id, "text": c.text,
                   "due_date": c.due_date.isoformat(), "overdue": c.due_date < today,
                   "owner": c.measure.owner.username if c.measure.owner else None}
                  for c in uow.session.scalars(cq)]
    return {"reviews": out_reviews, "conditions": conditions, "escalations": escalations}


# -- the register ---------------------------------------------------------------
def record(uow, data: dict) -> DecisionRecord:
    """Record a steering-committee decision tied to a review (or a measure).

    :raises ValidationFailed: naming the field; :raises NotFound, PermissionDenied:
    """
    actor = uow.require_user(uow.actor)
    review = None
    if data.get("review_id") is not None:
        review = uow.review(data["review_id"])
        measure = review.measure
    elif data.get("measure_id") is not None:
        measure = uow.measure(data["measure_id"])
    else:
        raise ValidationFailed({"review_id": ["name the review (or the measure) the decision is about"]})
    if not rights.can_view(actor, measure):
        raise NotFound(f"measure: no measure with id {measure.id}")
    may = actor.holds_any(RECORDERS, measure.node.path) or (review is not None and bool(review.capacities(actor)))
    if not may:
        raise PermissionDenied(f"{actor.username} may not record steering-committee decisions on {measure.code}")
    title, decision, rationale, attendees, follow_ups = check_record(
        data.get("title"), data.get("decision"), data.get("rationale"), data.get("attendees"), data.get("follow_ups"))
    decided_on = data.get("decided_on") or uow.now.date()
    if isinstance(decided_on, str):
        try:
            decided_on = date.fromisoformat(decided_on)
        except ValueError:
            raise ValidationFailed({"decided_on": ["a date as YYYY-MM-DD"]}) from None
    rec = uow.add(DecisionRecord(measure, review, title, decision, rationale, attendees, follow_ups, decided_on,
                                 actor, uow.now))
    uow.flush()
    uow.record("decision.recorded", "decision_record", rec.id, measure.code, after=decision_view(rec))
    return rec


def listing(uow, *, review_id: int | None = None, measure_id: int | None = None) -> list[DecisionRecord]:
    actor = uow.require_user(uow.actor)
    q = select(DecisionRecord).join(t.measures, t.measures.c.id == tr.decision_records.c.measure_id)
    q = _scoped(q, uow, actor, None).order_by(tr.decision_records.c.id)
    if review_id is not None:
        q = q.where(tr.decision_records.c.review_id == review_id)
    if measure_id is not None:
        q = q.where(tr.decision_records.c.measure_id == measure_id)
    return list(uow.session.scalars(q))


def decision_view(d: DecisionRecord) -> dict:
    return {"id": d.id, "measure": d.measure.code, "review_id": d.review.id if d.review else None,
            "title": d.title, "decision": d.decision, "rationale": d.rationale, "attendees": d.attendees,
            "follow_ups": d.follow_ups, "decided_on": d.decided_on.isoformat(),
            "recorded_by": d.recorded_by.username, "recorded_at": d.recorded_at.isoformat() if d.recorded_at else None}
