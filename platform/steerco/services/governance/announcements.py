"""Notifications at the events people wait for: a review waiting for its approvers, a gate decided,
a condition coming due.

They are queued in the transaction of the event itself, so a vote rolled back tells nobody and a
committed one is in the in-app inbox at once; the worker mails them at its next delivery (every
minute). Reminders and escalations of reviews that wait too long stay the SLA scan's.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from steerco.domain.review import Condition
from steerco.services.rights import delegation
from steerco.services.rights.notify import REVIEW_PATH, queue

DECISION_WORDS = {"go": "Go", "conditional_go": "Conditional Go", "hold": "Hold", "recycle": "Recycle",
                  "kill": "Kill"}
# Owners hear of a condition this many days before its due date, and again on the day it is due.
CONDITION_NOTICE_DAYS = 3


def _link(review) -> str:
    # Relative: the in-app inbox opens it as it is; delivery puts the instance's address in front.
    return REVIEW_PATH.format(measure_id=review.measure.id, review_id=review.id)


def review_waiting(uow, review, gate, eligible) -> None:
    """Tell each person who may vote on the open steps of ``review`` that it waits for them.

    :param eligible: ``eligible(review, gate, index)``: who may vote on step ``index``.
    """
    if not review.pending:
        return
    measure, today = review.measure, uow.now.date()
    waiting: dict[int, tuple] = {}  # user id -> (user, step index, delegator or None)
    for i in review.stage():
        for user in eligible(review, gate, i):
            if i in review.awaiting(user, gate.policy.skip_counted):
                waiting.setdefault(user.id, (user, i, None))
    # Approvers who are away have their delegates told too, as the SLA's reminders do.
    for d in delegation.given(uow, set(waiting), today):
        held = waiting.get(d.delegator.id)
        if held and held[2] is None and d.covers(today, measure.node.path, gate.gate_type) \
                and not review.is_own(d.delegate):
            waiting.setdefault(d.delegate.id, (d.delegate, held[1], d.delegator))
    notes = []
    for uid, (_user, i, via) in waiting.items():
        text = (f"{measure.code} '{measure.title}' waits for your decision at gate '{review.gate_name}', "
                f"step '{review.steps[i]['name']}' (submitted by {review.submitted_by.name} on "
                f"{review.submitted_at.date().isoformat()}).")
        if via is not None:
            text += f"\nYou receive this because {via.username} delegated their approval rights to you."
        notes.append({"key": f"waiting:{review.id}:{i}:{uid}", "user_id": uid, "kind": "waiting",
                      "review_id": review.id, "link": _link(review), "body": text,
                      "subject": f"Your decision: {measure.code} at gate '{review.gate_name}'"[:300]})
    queue(uow, notes)


def gate_decided(uow, review) -> None:
    """Tell the measure's owner, and the person who submitted, how the gate was decided."""
    measure = review.measure
    people = {p.id: p for p in (measure.owner, review.submitted_by) if p is not None and p.active}
    decision = DECISION_WORDS.get(review.decision, review.decision)
    text = (f"Gate '{review.gate_name}' of {measure.code} '{measure.title}' was decided: {decision}."
            + (f"\nRationale: {review.rationale}" if getattr(review, "rationale", "") else ""))
    conditions = [c for v in review.live_votes() for c in v.conditions]
    if conditions:
        text += "\nConditions:\n" + "\n".join(f"- {c['text']} (due {c['due_date']})" for c in conditions)
    queue(uow, [{"key": f"decided:{review.id}:{uid}", "user_id": uid, "kind": "decided", "review_id": review.id,
                 "link": _link(review), "subject": f"{measure.code}: {decision} at gate '{review.gate_name}'"[:300],
                 "body": text} for uid in people])


def conditions_due(uow, today=None) -> int:
    """Tell owners of the open conditions due within :data:`CONDITION_NOTICE_DAYS` days (once), and on or
    after their due date (once more); returns how many open conditions are due or nearly due (a notice
    already queued is not queued again)."""
    today = today or uow.now.date()
    q = select(Condition).where(Condition.cleared_at.is_(None),
                                Condition.due_date <= today + timedelta(days=CONDITION_NOTICE_DAYS))
    notes = []
    for cond in uow.session.scalars(q):
        measure, owner = cond.measure, cond.measure.owner
        if owner is None or not owner.active or measure.cancelled:
            continue
        late = cond.due_date <= today
        when = "is due today" if cond.due_date == today else (
            f"was due on {cond.due_date.isoformat()}" if late else f"is due on {cond.due_date.isoformat()}")
        notes.append({
            "key": f"condition:{cond.id}:{'due' if late else 'soon'}", "user_id": owner.id, "kind": "condition",
            "review_id": cond.review.id, "link": _link(cond.review),
            "subject": f"{measure.code}: a condition {when}"[:300],
            "body": (f"The condition '{cond.text}' set at gate '{cond.review.gate_name}' of {measure.code} "
                     f"'{measure.title}' {when}. Meet it and ask an approver of the gate or the PMO to clear it; "
                     "open conditions hold the next gate.")})
    queue(uow, notes)
    return len(notes)
