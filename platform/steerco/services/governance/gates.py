"""Gate use cases: check, submit, vote, waive evidence, clear conditions.

Facts are taken from the measure inside the same transaction that records the
review, so the snapshot is exactly what the criteria saw.
"""

from __future__ import annotations

from datetime import date

from steerco import rules
from steerco.domain import rights
from steerco.domain.errors import (
    Conflict,
    CriteriaNotMet,
    NotDelegated,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from steerco.domain.evidence import EvidenceWaiver
from steerco.domain.gatecheck import GateCheck, check_gate, project
from steerco.domain.people import MEASURE_ROLES, PMO
from steerco.domain.review import Condition, GateReview, apply_decision
from steerco.services import events
from steerco.services.access import visible_measure
from steerco.services.governance import announcements
from steerco.services.governance.facts import facts_for
from steerco.services.models import model_of
from steerco.services.rights import delegation
from steerco.services.value import locks as value_locks
from steerco.services.views import measure_view, review_view


def next_gate(measure):
    model = model_of(measure.model_version)
    if measure.cancelled:
        raise TransitionNotAllowed(f"measure {measure.code} was killed; it cannot go through another gate")
    if measure.on_hold:
        raise TransitionNotAllowed(f"measure {measure.code} is on hold; resume it before submitting")
    gate = model.gate_for(measure.doi + 1)
    if gate is None:
        raise TransitionNotAllowed(f"measure {measure.code} is at {model.level_name(measure.doi)}, the last DoI")
    return model, gate


def check(uow, measure_id: int) -> GateCheck:
    """The checklist of the next gate, without submitting."""
    _actor, measure = visible_measure(uow, measure_id)
    _model, gate = next_gate(measure)
    return check_gate(gate, facts_for(uow, measure))


def submit(uow, measure_id: int) -> GateReview:
    """Submit a measure at its next gate.

    :raises CriteriaNotMet: with every failed requirement and its explanation.
    """
    actor, measure = visible_measure(uow, measure_id, for_update=True)
    rights.require(rights.can_submit(actor, measure), f"{actor.username} may not submit measure {measure.code}")
    if uow.pending_review(measure) is not None:
        raise TransitionNotAllowed(f"measure {measure.code} already has an open review")
    _model, gate = next_gate(measure)
    facts = facts_for(uow, measure)
    handle = rules.facts_handle(facts)
    result = check_gate(gate, facts, handle=handle)
    if not result.passed:
        raise CriteriaNotMet(gate.name, result.failed, result.score)
    steps = gate.route(handle)
    review = uow.add(GateReview(measure, gate, actor, uow.now, facts, result, steps))
    uow.flush()
    uow.record("review.submitted", "gate_review", review.id, measure.code,
               after={"gate": gate.name, "doi_to": gate.doi, "score": result.score,
                      "steps": [s["name"] for s in review.steps]})
    _notify(uow, "steerco_on_review_submitted", review, measure)
    if not steps:
        _decide(uow, review, "go", "no approval steps apply at this gate")
    else:
        announcements.review_waiting(uow, review, gate, lambda r, g, i: eligible_voters(uow, r, g, i))
    return review


def vote(uow, review_id: int, decision: str, comment: str = "", conditions=None,
         on_behalf_of: str | None = None) -> GateReview:
    """Vote on the current stage of a review, in one's own right or for an absent approver.

    :param on_behalf_of: the username of the approver the actor votes for under a delegation.
    :raises NotDelegated: no delegation in force from that approver to the actor.
    """
    actor = uow.require_user(uow.actor)
    review = uow.review(review_id, for_update=True)
    measure = uow.measure(review.measure.id, for_update=True)
    gate = model_of(review.model_version).gate_for(review.doi_to)
    principal = None
    if on_behalf_of and on_behalf_of != actor.username:
        principal = uow.require_user(on_behalf_of, "on_behalf_of")
        if not rights.can_view(actor, measure) and not review.capacities(principal):
            raise NotFound(f"review: no review with id {review_id}")
        delegation.require_delegation(uow, principal, actor, measure.node.path, gate.gate_type)
    elif not rights.can_view(actor, measure) and not review.capacities(actor):
        raise NotFound(f"review: no review with id {review_id}")
    eligible = {i: len(eligible_voters(uow, review, gate, i)) for i in review.stage()}
    ballot, outcome = review.cast(gate, actor, decision, comment, uow.now, eligible=eligible,
                                  on_behalf_of=principal, conditions=conditions)
    uow.flush()
    uow.record("review.voted", "gate_review", review.id, measure.code,
               after={"step": review.steps[ballot.step]["name"], "decision": decision, "comment": ballot.comment,
                      "conditions": ballot.conditions, "by": actor.username,
                      "on_behalf_of": ballot.on_behalf_of.username if ballot.on_behalf_of else None})
    if outcome.decision and outcome.step:
        # A rejected step ends the review; the reason recorded is the rejecting vote's (issue 3).
        by = actor.username + (f" on behalf of {principal.username}" if principal else "")
        reason = f"step '{outcome.step}' rejected ({outcome.decision}) by {by}: {ballot.comment}"
        uow.record("review.rejected", "gate_review", review.id, measure.code,
                   after={"step": outcome.step, "decision": outcome.decision, "by": actor.username,
                          "on_behalf_of": principal.username if principal else None, "reason": ballot.comment})
        _decide(uow, review, outcome.decision, reason)
    elif outcome.decision:
        _decide(uow, review, outcome.decision, ballot.comment)
    elif outcome.step_passed:
        uow.record("review.step_passed", "gate_review", review.id, measure.code,
                   after={"next_step": review.steps[review.current_step]["name"],
                          "counted_from_earlier_steps": list(outcome.skipped)})
        announcements.review_waiting(uow, review, gate, lambda r, g, i: eligible_voters(uow, r, g, i))
    return review


def eligible_voters(uow, review, gate, index: int | None = None) -> list:
    """Active people who may vote on step ``index`` (default: the current one) of a pending review."""
    step = review.steps[index] if index is not None and review.pending else review.step
    if step is None:
        return []
    holders = uow.users_with_roles(list(step["roles"]), review.measure.node.path)
    return review.eligible(step, holders, gate.policy.allow_self_approval)


def _decide(uow, review: GateReview, decision: str, rationale: str):
    measure = review.measure
    review.decide(decision, uow.now, rationale)
    uow.record("review.decided", "gate_review", review.id, measure.code,
               after={"decision": decision, "gate": review.gate_name, "rationale": rationale})
    changes = apply_decision(measure, review, decision)
    if changes:
        measure.updated_at = uow.now
    for attr, (before, after) in changes.items():
        action = "measure.doi_changed" if attr == "doi" else "measure.updated"
        uow.record(action, "measure", measure.id, measure.code, before={attr: before}, after={attr: after})
    if decision == "conditional_go":
        for v in review.live_votes():
            for c in v.conditions:
                cond = uow.add(Condition(measure, review, c["text"], date.fromisoformat(c["due_date"])))
                uow.flush()
                uow.record("condition.set", "condition", cond.id, measure.code, after=c)
    value_locks.on_decided(uow, review, decision)
    announcements.gate_decided(uow, review)
    _notify(uow, "steerco_on_gate_decided", review, measure)


def _notify(uow, hook: str, review, measure) -> None:
    """Tell plugins once the unit has committed (issue 6); never inside the gate transaction."""
    from steerco.plugins.manager import notify_after_commit

    notify_after_commit(uow, hook, lambda: {"review": review_view(review), "measure": measure_view(measure),
                                            "actor": uow.actor})


@events.facts_changed.handler
def refresh_pending_review(uow, measure):
    """Re-check a pending review after its measure changed.

    If anything the gate reads changed, the votes cast so far no longer refer
    to what is now true: they are voided and voting restarts; if the gate's
    requirements no longer hold, the review is withdrawn with the reasons.
    """
    review = uow.pending_review(measure)
    if review is None:
        return
    gate = model_of(review.model_version).gate_for(review.doi_to)
    facts = facts_for(uow, measure)
    relevant = gate.relevant_paths()
    if project(facts, relevant) == project(review.facts, relevant):
        return
    result = check_gate(gate, facts)
    voided = review.void_votes(uow.now)
    review.record_check(facts, result)
    uow.record("review.facts_changed", "gate_review", review.id, measure.code,
               after={"votes_voided": voided, "passed": result.passed})
    if not result.passed:
        reason = "; ".join(f.explanation for f in result.failed)
        review.withdraw(uow.now, f"gate requirements no longer met: {reason}")
        uow.record("review.withdrawn", "gate_review", review.id, measure.code, after={"reason": review.rationale})


def waive_evidence(uow, measure_id: int, requirement: str, reason: str) -> EvidenceWaiver:
    actor, measure = visible_measure(uow, measure_id, for_update=True)
    _model, gate = next_gate(measure)
    if requirement not in {e.code for e in gate.evidence}:
        raise ValidationFailed({"requirement": [f"gate '{gate.name}' has no evidence requirement '{requirement}'"]})
    roles = {r for s in gate.policy.steps for r in s.roles}
    may = any((r in MEASURE_ROLES and measure.person(r) is actor) or actor.holds(r, measure.node.path) for r in roles)
    if not may or actor is measure.owner:
        raise PermissionDenied(f"only an approver of gate '{gate.name}' other than the owner may waive evidence")
    if any(w.requirement == requirement for w in measure.waivers):
        raise Conflict(f"evidence '{requirement}' is already waived")
    waiver = EvidenceWaiver(requirement, reason, actor, uow.now)
    measure.waivers.append(waiver)
    uow.flush()
    uow.record("evidence.waived", "evidence_waiver", waiver.id, measure.code,
               after={"requirement": requirement, "reason": waiver.reason})
    refresh_pending_review(uow, measure)
    return waiver


def clear_condition(uow, condition_id: int, note: str, on_behalf_of: str | None = None):
    """Clear a condition of a Conditional Go (see :func:`steerco.domain.rights.check_clear_condition`).

    :param on_behalf_of: the approver the actor acts for under a delegation; found by itself when the
        actor holds no right of their own but a delegation in force from an approver of the review.
    :raises NotFound: no such condition, or one on a measure the actor may not see (the same answer).
    :raises SegregationOfDuties, NotAnApprover, NotDelegated: the actor may not clear it.
    :raises ReviewClosed: already cleared.
    """
    actor = uow.require_user(uow.actor)
    cond = uow.condition(condition_id)
    measure = cond.measure
    principal = clearing_principal(uow, actor, cond, on_behalf_of)
    rights.check_clear_condition(actor, cond, principal)
    cond.clear(actor, uow.now, note)
    uow.record("condition.cleared", "condition", cond.id, measure.code,
               after={"note": cond.note, "on_behalf_of": principal.username if principal else None})
    return cond


def clearing_principal(uow, actor, cond, on_behalf_of: str | None = None):
    """The approver ``actor`` clears ``cond`` for under a delegation in force, or None (own right).

    :raises NotFound: the actor may not see the measure and acts for no approver of the review.
    :raises NotDelegated: ``on_behalf_of`` names someone who has not delegated to the actor.
    """
    measure, review = cond.measure, cond.review
    gate = model_of(review.model_version).gate_for(review.doi_to)
    today, path = uow.now.date(), measure.node.path
    delegators = [d.delegator for d in delegation.received(uow, actor, today)
                  if d.covers(today, path, gate.gate_type if gate else None) and cond.set_by_approver(d.delegator)]
    named = None
    if on_behalf_of and on_behalf_of != actor.username:
        named = uow.require_user(on_behalf_of, "on_behalf_of")
        delegators = [p for p in delegators if p is named]
    if not (delegators or rights.can_view(actor, measure) or cond.set_by_approver(actor)):
        raise NotFound(f"condition: no condition with id {cond.id}")
    if named is not None and not delegators:
        raise NotDelegated(f"{named.username} has not delegated approval rights for this review to "
                           f"{actor.username}")
    if named is not None:
        return named
    mine = cond.set_by_approver(actor) or actor.holds(PMO, path)
    return None if mine or not delegators else delegators[0]


def clear_refusal(uow, cond) -> str | None:
    """Why the actor may not clear ``cond`` (None: they may), so a page offers only what will work."""
    actor = uow.require_user(uow.actor)
    try:
        rights.check_clear_condition(actor, cond, clearing_principal(uow, actor, cond))
    except (PermissionDenied, NotFound) as e:
        return e.message
    return None
