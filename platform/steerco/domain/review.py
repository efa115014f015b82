"""Gate reviews: one submission of a measure at a gate, its votes and its decision.

The approval policy is data (steps, roles, modes, routing conditions); the
predicates below say who may vote and when a step or review is decided.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from steerco.domain.errors import (
    AlreadyVoted,
    NotAnApprover,
    ReviewClosed,
    SegregationOfDuties,
    SelfApprovalNotAllowed,
    ValidationFailed,
)
from steerco.domain.gatecheck import GateCheck
from steerco.domain.governance import APPROVING, ApprovalStep, Gate
from steerco.domain.people import MEASURE_ROLES

# Milder first: a failed quorum takes the negative decision cast most often,
# and on a tie the mildest, so a split committee never kills by accident.
NEGATIVE_ORDER = ("hold", "recycle", "kill")


class Vote:
    def __init__(self, step: int, voter, decision: str, comment: str, cast_at: datetime,
                 on_behalf_of=None, conditions: list | None = None):
        self.step = step
        self.voter = voter
        self.on_behalf_of = on_behalf_of
        self.decision = decision
        self.comment = comment
        self.conditions = conditions or []
        self.cast_at = cast_at
        self.voided_at = None

    @property
    def principal(self):
        return self.on_behalf_of or self.voter


class Condition:
    """A condition of a Conditional Go; open ones block the next gate."""

    def __init__(self, measure, review, text: str, due_date: date):
        self.measure = measure
        self.review = review
        self.text = text
        self.due_date = due_date
        self.cleared_at = None
        self.cleared_by = None
        self.note = ""

    def set_by_approver(self, user) -> bool:
        """Whether ``user`` may approve some step of the review that set this condition.

        Every step counts, not only the one whose vote attached it: the condition is
        the review's, and any of its approvers can judge whether it was met.
        """
        return user is not None and any(self.review.capacities(user, step) for step in self.review.steps)

    def clear(self, user, now: datetime, note: str):
        if self.cleared_at is not None:
            raise ReviewClosed("this condition is already cleared")
        self.cleared_at, self.cleared_by, self.note = now, user, (note or "").strip()


@dataclass(frozen=True)
class Outcome:
    step_passed: bool = False
    decision: str | None = None
    # The step whose negative vote decided the review (its reason is the vote's comment).
    step: str | None = None
    # Steps passed without a vote because earlier approvals count there (skip_counted).
    skipped: tuple[str, ...] = ()


class GateReview:
    def __init__(self, measure, gate: Gate, submitted_by, now: datetime, facts: dict, check: GateCheck,
                 steps: list[ApprovalStep]):
        self.measure = measure
        self.model_version = measure.model_version
        self.doi_from = measure.doi
        self.doi_to = gate.doi
        self.gate_name = gate.name
        self.submitted_by = submitted_by
        self.submitted_at = now
        self.status = "pending"
        self.steps = [s.as_dict() for s in steps]
        self.current_step = 0
        self.decision = None
        self.decided_at = None
        self.rationale = ""
        self.votes: list[Vote] = []
        self.record_check(facts, check)

    def record_check(self, facts: dict, check: GateCheck):
        self.facts = facts
        self.results = [r.as_dict() for r in check.results]
        self.score = check.score

    @property
    def pending(self) -> bool:
        return self.status == "pending"

    @property
    def step(self) -> dict | None:
        return self.steps[self.current_step] if self.pending and self.current_step < len(self.steps) else None

    def live_votes(self, step: int | None = None) -> list[Vote]:
        return [v for v in self.votes if v.voided_at is None and (step is None or v.step == step)]

    def capacities(self, user, step: dict | None = None) -> list[str]:
        """The roles in which ``user`` may vote on ``step`` (default: the current one)."""
        step = step or self.step
        if step is None or user is None:
            return []
        path = self.measure.node.path
        return [r for r in step["roles"]
                if (r in MEASURE_ROLES and self.measure.person(r) is user) or user.holds(r, path)]

    def eligible(self, step: dict, role_holders, allow_self_approval: bool) -> list:
        """Active people who may vote on ``step``: ``role_holders`` (holders of its roles at the measure's node)
        and the measure's own people in its roles, less the owner and submitter unless self-approval is allowed."""
        people = {u.id: u for u in role_holders}
        for role in step["roles"]:
            p = self.measure.person(role) if role in MEASURE_ROLES else None
            if p is not None and p.active:
                people[p.id] = p
        if not allow_self_approval:
            people = {k: u for k, u in people.items() if not self.is_own(u)}
        return list(people.values())

    def is_own(self, user) -> bool:
        """Self-approval: the owner or the submitter voting on their own review."""
        return user is self.measure.owner or user is self.submitted_by

    def stage(self) -> list[int]:
        """Indices of the steps open now: the current step and the steps running in parallel with it."""
        return stage_of(self.steps, self.current_step) if self.pending else []

    def counted(self, index: int, skip_counted: bool) -> list[Vote]:
        """The votes that count on step ``index``: its own, and with ``skip_counted`` the approvals
        given in earlier steps by people who may also approve this one (each person once)."""
        own = self.live_votes(index)
        if not skip_counted:
            return own
        seen = {id(v.principal) for v in own}
        step = self.steps[index]
        carried = []
        for v in self.live_votes():
            if v.step < index and v.decision in APPROVING and id(v.principal) not in seen \
                    and self.capacities(v.principal, step):
                seen.add(id(v.principal))
                carried.append(v)
        return own + carried

    def step_passed(self, index: int, eligible, skip_counted: bool = False) -> bool:
        return tally(self.steps[index], self.counted(index, skip_counted), _count(eligible, index)).step_passed

    def awaiting(self, user, skip_counted: bool = False) -> list[int]:
        """Open steps of the current stage on which ``user`` may still vote (for inboxes and reminders)."""
        if user is None:
            return []
        return [i for i in self.stage()
                if self.capacities(user, self.steps[i])
                and not any(v.principal is user for v in self.counted(i, skip_counted))
                and not self.step_passed(i, 10**6, skip_counted)]

    def cast(self, gate: Gate, voter, decision: str, comment: str, now: datetime, *, eligible,
             on_behalf_of=None, conditions: list | None = None) -> tuple[Vote, Outcome]:
        """Record a vote and say what it decided.

        The vote goes to the first open step of the current stage on which the
        principal (``on_behalf_of`` or the voter) may vote and has not voted yet.

        :param eligible: how many people may vote on a step (for mode "all" and quorum): one number
            for every step, or a mapping of step index to number.
        :param on_behalf_of: the absent approver a delegate votes for; the caller checks the delegation.
        :raises ReviewClosed, ValidationFailed, NotAnApprover, SelfApprovalNotAllowed,
            SegregationOfDuties, AlreadyVoted:
        """
        if not self.pending:
            raise ReviewClosed(f"this review was already {self.status}" +
                               (f" ({self.decision})" if self.decision else ""))
        if decision not in gate.decisions:
            raise ValidationFailed({"decision": [f"one of {', '.join(gate.decisions)} at gate '{gate.name}'"]})
        principal = on_behalf_of or voter
        if on_behalf_of is not None and on_behalf_of is not voter and self.is_own(voter):
            raise SegregationOfDuties(f"{voter.username} owns or submitted this review and cannot vote on it, "
                                      f"not even on behalf of {on_behalf_of.username}")
        if not gate.policy.allow_self_approval and (self.is_own(principal) or self.is_own(voter)):
            raise SelfApprovalNotAllowed(f"{voter.username} owns or submitted this review and cannot vote on it")
        skip = gate.policy.skip_counted
        stage = self.stage()
        if not stage:
            raise ReviewClosed("every step of this review has passed; it waits for its decision")
        open_steps = [i for i in stage if not self.step_passed(i, eligible, skip)]
        mine = [i for i in open_steps if self.capacities(principal, self.steps[i])]
        if not mine:
            names = " / ".join(self.steps[i]["name"] for i in (open_steps or stage))
            roles = ", ".join(r for i in (open_steps or stage) for r in self.steps[i]["roles"])
            raise NotAnApprover(f"{principal.username} is not an approver of step '{names}' at gate "
                                f"'{gate.name}' (approvers: {roles})")
        for a, b in gate.policy.distinct:
            pa, pb = self.measure.person(a), self.measure.person(b)
            if pa is not None and pa is pb:
                raise SegregationOfDuties(f"the {a} and the {b} of this measure are the same person")
        free = [i for i in mine if not any(v.principal is principal for v in self.counted(i, skip))]
        if not free:
            raise AlreadyVoted(f"{principal.username} has already voted on step '{self.steps[mine[0]]['name']}'")
        index = free[0]
        comment = (comment or "").strip()
        conditions = _conditions(decision, conditions)
        if decision not in APPROVING and not comment:
            raise ValidationFailed({"comment": [f"say why you decide '{decision}'"]})
        vote = Vote(index, voter, decision, comment, now, on_behalf_of, conditions)
        self.votes.append(vote)
        outcome = tally(self.steps[index], self.counted(index, skip), _count(eligible, index))
        if outcome.decision:
            return vote, Outcome(decision=outcome.decision, step=self.steps[index]["name"])
        if not all(self.step_passed(i, eligible, skip) for i in stage):
            return vote, Outcome()
        skipped = []
        self.current_step = stage[-1] + 1
        # A later stage that earlier approvals already satisfy passes at once (skip_counted).
        while skip and self.stage() and all(self.step_passed(i, eligible, skip) for i in self.stage()):
            skipped += [self.steps[i]["name"] for i in self.stage()]
            self.current_step = self.stage()[-1] + 1
        if self.current_step >= len(self.steps):
            approving = [v for v in self.live_votes() if v.decision in APPROVING]
            final = "conditional_go" if any(v.decision == "conditional_go" for v in approving) else "go"
            return vote, Outcome(True, final, skipped=tuple(skipped))
        return vote, Outcome(step_passed=True, skipped=tuple(skipped))

    def decide(self, decision: str, now: datetime, rationale: str = ""):
        self.status = "decided"
        self.decision = decision
        self.decided_at = now
        self.rationale = rationale

    def void_votes(self, now: datetime) -> int:
        live = self.live_votes()
        for v in live:
            v.voided_at = now
        self.current_step = 0
        return len(live)

    def withdraw(self, now: datetime, reason: str):
        self.status = "withdrawn"
        self.decided_at = now
        self.rationale = reason


def stage_of(steps: list[dict], current_step: int) -> list[int]:
    """Indices of the steps open in a pending review at ``current_step`` (see :meth:`GateReview.stage`)."""
    if current_step >= len(steps):
        return []
    out = [current_step]
    while out[-1] + 1 < len(steps) and steps[out[-1] + 1].get("parallel"):
        out.append(out[-1] + 1)
    return out


def tally(step: dict, votes: list[Vote], eligible: int) -> Outcome:
    approvals = sum(1 for v in votes if v.decision in APPROVING)
    negatives = [v.decision for v in votes if v.decision not in APPROVING]
    mode = step["mode"]
    if mode == "any":
        if approvals:
            return Outcome(step_passed=True)
        return Outcome(decision=negatives[0]) if negatives else Outcome()
    if mode == "all":
        if negatives:
            return Outcome(decision=_prevailing(negatives))
        return Outcome(step_passed=approvals >= max(eligible, 1))
    need = step["quorum"]
    if approvals >= need:
        return Outcome(step_passed=True)
    if negatives and eligible - len(negatives) < need:
        return Outcome(decision=_prevailing(negatives))
    return Outcome()


def apply_decision(measure, review: GateReview, decision: str) -> dict:
    """Move the measure as the decision says; returns what changed (before, after)."""
    changes = {}

    def put(attr, value):
        before = getattr(measure, attr)
        if before != value:
            setattr(measure, attr, value)
            changes[attr] = (before, value)

    if decision in APPROVING:
        put("doi", review.doi_to)
    elif decision == "hold":
        put("on_hold", True)
    elif decision == "recycle":
        put("doi", max(0, review.doi_from - 1))
    elif decision == "kill":
        put("cancelled", True)
    return changes


def _count(eligible, index: int) -> int:
    return eligible.get(index, 0) if isinstance(eligible, dict) else eligible


def _prevailing(negatives: list[str]) -> str:
    counts = Counter(negatives)
    best = max(counts.values())
    return next(d for d in NEGATIVE_ORDER if counts.get(d) == best)


def _conditions(decision: str, raw) -> list[dict]:
    if decision != "conditional_go":
        if raw:
            raise ValidationFailed({"conditions": ["conditions belong to a Conditional Go only"]})
        return []
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed({"conditions": ["a Conditional Go needs at least one condition with a due date"]})
    out = []
    for i, c in enumerate(raw):
        where = f"conditions[{i}]"
        if not isinstance(c, dict) or not isinstance(c.get("text"), str) or not c["text"].strip():
            raise ValidationFailed({f"{where}.text": ["required"]})
        try:
            due = date.fromisoformat(str(c.get("due_date")))
        except ValueError:
            raise ValidationFailed({f"{where}.due_date": ["a date as YYYY-MM-DD"]}) from None
        out.append({"text": c["text"].strip()[:1000], "due_date": due.isoformat()})
    return out
