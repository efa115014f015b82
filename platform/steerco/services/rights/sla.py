"""The periodic SLA scan: reminders to the approvers a review waits for, escalation to a named role.

Only reviews old enough are read: for each gate the scan turns "N business
days" into a submission cut-off and asks the database for pending reviews
submitted before it that have no reminder (or escalation) for their current
step yet. The event row, the audit entry and the notifications land in one
transaction; the event's unique key makes a rerun or retry a no-op.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import joinedload

from steerco.domain.people import MEASURE_ROLES
from steerco.domain.review import GateReview
from steerco.domain.sla import BusinessCalendar, parse_calendar
from steerco.services.models import model_of
from steerco.services.rights import delegation
from steerco.services.rights.notify import queue, review_link
from steerco.store import tables as t
from steerco.store import tables_rights as tr

KINDS = ("reminder", "escalation")


def calendar_of(settings) -> BusinessCalendar:
    return parse_calendar(settings.workdays, settings.holidays)


def _cutoff(calendar: BusinessCalendar, today, days: int) -> datetime:
    return datetime.combine(calendar.latest_start(today, days) + timedelta(days=1), time(), tzinfo=timezone.utc)


def due(store, calendar: BusinessCalendar) -> list[tuple[str, int]]:
    """(kind, review id) pairs whose reminder or escalation is due and not yet done."""
    g, e = t.gate_reviews.c, tr.sla_events.c

    def work(uow):
        today = uow.now.date()
        combos = uow.session.execute(select(g.model_version_id, g.doi_to).where(g.status == "pending").distinct())
        out = []
        for mv_id, doi_to in combos.all():
            gate = model_of(uow.model_version(mv_id)).gate_for(doi_to)
            if gate is None:
                continue
            for kind, days in (("reminder", gate.sla.reminder_days), ("escalation", gate.sla.escalation_days)):
                if days is None:
                    continue
                done = exists().where(and_(e.review_id == g.id, e.kind == kind, e.step == g.current_step))
                q = (select(g.id).where(g.status == "pending", g.model_version_id == mv_id, g.doi_to == doi_to,
                                        g.submitted_at < _cutoff(calendar, today, days), ~done).order_by(g.id))
                out += [(kind, rid) for rid in uow.session.scalars(q)]
        return out

    return store.run("system", work, readonly=True)


def scan(store, calendar: BusinessCalendar, base_url: str, *, batch: int = 500) -> dict:
    """Send what is due: one reminder and one escalation per review and step, never twice.

    :returns: counts of reminders and escalations recorded by this run.
    """
    todo = due(store, calendar)
    counts = {"reminders": 0, "escalations": 0}
    for start in range(0, len(todo), batch):
        chunk = todo[start:start + batch]
        done = store.run("system", lambda uow: _handle(uow, calendar, base_url, chunk))
        counts["reminders"] += done.count("reminder")
        counts["escalations"] += done.count("escalation")
    return counts


class _People:
    """Role holders per (roles, node path), asked once per batch."""

    def __init__(self, uow):
        self.uow = uow
        self.cache: dict = {}

    def holders(self, roles, path: str) -> list:
        key = (tuple(roles), path)
        if key not in self.cache:
            self.cache[key] = self.uow.users_with_roles(list(roles), path)
        return self.cache[key]

    def eligible(self, review, gate, index: int) -> list:
        step = review.steps[index]
        return review.eligible(step, self.holders(step["roles"], review.measure.node.path),
                               gate.policy.allow_self_approval)


def _handle(uow, calendar, base_url, chunk: list[tuple[str, int]]) -> list[str]:
    """Record the reminders and escalations of ``chunk`` in one transaction; returns the kinds recorded."""
    e = tr.sla_events.c
    ids = sorted({rid for _k, rid in chunk})
    # Locked in id order before the events are read: a scan running at the same moment in another process
    # waits here, then finds this one's events and skips them, instead of failing on their unique key.
    reviews = {r.id: r for r in uow.session.scalars(
        select(GateReview).where(GateReview.id.in_(ids)).order_by(GateReview.id)
        .options(joinedload(GateReview.measure)).with_for_update(of=GateReview))}
    done = set(uow.session.execute(select(e.review_id, e.kind, e.step).where(e.review_id.in_(ids))).all())
    people, today = _People(uow), uow.now.date()
    plans = []
    for kind, rid in chunk:
        review = reviews.get(rid)
        if review is None or not review.pending or (rid, kind, review.current_step) in done:
            continue
        gate = model_of(review.model_version).gate_for(review.doi_to)
        if kind == "reminder":
            recipients = {u.id: (u, None) for i in review.stage() for u in people.eligible(review, gate, i)
                          if i in review.awaiting(u, gate.policy.skip_counted)}
        else:
            role = gate.sla.escalate_to
            recipients = {u.id: (u, None) for u in _holders(people, review, role)} if role else {}
        plans.append((kind, review, gate, recipients))
    _forward(uow, plans, today)
    events, notes = [], []
    for kind, review, gate, recipients in plans:
        measure = review.measure
        age = calendar.days_between(review.submitted_at.date(), today)
        names = sorted(u.username for u, _ in recipients.values())
        step_names = " / ".join(review.steps[i]["name"] for i in review.stage())
        role = gate.sla.escalate_to if kind == "escalation" else None
        if kind == "reminder":
            subject = f"Reminder: {measure.code} waits for your decision at gate '{review.gate_name}'"
            text = (f"{measure.code} '{measure.title}' was submitted at gate '{review.gate_name}' on "
                    f"{review.submitted_at.date().isoformat()} and has waited {age} business days "
                    f"(reminder after {gate.sla.reminder_days}). It waits for: {step_names}.")
        else:
            subject = f"Escalation: {measure.code} has waited {age} business days at gate '{review.gate_name}'"
            text = (f"{measure.code} '{measure.title}' has waited {age} business days at gate "
                    f"'{review.gate_name}' (escalation after {gate.sla.escalation_days}), step {step_names}. "
                    f"It is escalated to you as {role}.")
        events.append({"review_id": review.id, "kind": kind, "step": review.current_step, "role": role, "age": age,
                       "recipients": names, "at": uow.now})
        link = review_link(base_url, review)
        notes += [{"key": f"{kind}:{review.id}:{review.current_step}:{uid}", "user_id": uid, "kind": kind,
                   "subject": subject[:300], "link": link, "review_id": review.id,
                   "body": text + (f"\nYou receive this because {via.username} delegated their approval rights "
                                   f"to you." if via is not None else "")}
                  for uid, (_u, via) in recipients.items()]
        uow.record(f"review.{'reminded' if kind == 'reminder' else 'escalated'}", "gate_review", review.id,
                   measure.code, after={"step": step_names, "age": age, "role": role, "recipients": names})
    if events:
        uow.session.execute(tr.sla_events.insert(), events)
    queue(uow, notes)
    return [kind for kind, *_rest in plans]


def _forward(uow, plans, today) -> None:
    """Add to each reminder the delegates of the approvers who are away (out-of-office forwarding)."""
    waiting = {uid for kind, _r, _g, rec in plans if kind == "reminder" for uid in rec}
    given = delegation.given(uow, waiting, today)
    if not given:
        return
    for kind, review, gate, recipients in plans:
        if kind != "reminder":
            continue
        for d in given:
            if d.delegator.id in recipients and recipients[d.delegator.id][1] is None \
                    and d.covers(today, review.measure.node.path, gate.gate_type) and not review.is_own(d.delegate):
                recipients.setdefault(d.delegate.id, (d.delegate, d.delegator))


def _holders(people: _People, review, role: str) -> list:
    measure = review.measure
    if role in MEASURE_ROLES:
        p = measure.person(role)
        return [p] if p is not None and p.active else []
    return people.holders([role], measure.node.path)
