"""Change requests through the change gate, and dependencies between measures (issue 4).

A change request proposes new plan amounts (and says why: scope, cost, timing
or value). Its approval policy is the change gate's: ordered steps, each passed
by one approval from a holder of one of its roles; neither the requester nor the
measure's owner approves the request unless the policy allows it (an owner who is
also the measure's controller would otherwise pass the controller's step on their
own measure). Approved, it becomes a new plan
revision, and may touch periods that are locked (the only way to do so).
"""

from __future__ import annotations

from datetime import datetime

from steerco.domain.errors import Conflict, PermissionDenied, SegregationOfDuties, ValidationFailed
from steerco.domain.value import ChangePolicy

KINDS = ("scope", "cost", "timing", "value")


class ChangeRequest:
    def __init__(self, measure, kind: str, title: str, reason: str, changes: list[dict], requested_by: str,
                 now: datetime, policy: ChangePolicy):
        if kind not in KINDS:
            raise ValidationFailed({"kind": [f"one of {', '.join(KINDS)}"]})
        if not isinstance(title, str) or not title.strip():
            raise ValidationFailed({"title": ["required"]})
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationFailed({"reason": ["say why the plan must change"]})
        self.measure = measure
        self.kind = kind
        self.title = title.strip()[:200]
        self.reason = reason.strip()
        self.changes = changes
        self.requested_by = requested_by
        self.requested_at = now
        self.status = "pending"
        self.steps = [{"name": n, "roles": list(r)} for n, r in policy.steps]
        self.allow_self_approval = policy.allow_self_approval
        self.current_step = 0
        self.approvals: list[dict] = []
        self.decided_at: datetime | None = None
        self.plan_revision: int | None = None

    @property
    def pending(self) -> bool:
        return self.status == "pending"

    def is_own(self, username: str) -> bool:
        """Self-approval: the requester, or the owner of the measure the request changes."""
        owner = getattr(self.measure, "owner", None)
        return username == self.requested_by or (owner is not None and owner.username == username)

    def decide(self, actor: str, roles_held: set[str], decision: str, comment: str, now: datetime) -> bool:
        """Record ``actor``'s decision at the current step.

        :param roles_held: the roles of the current step that ``actor`` holds for this measure.
        :returns: True when the request is now approved (the last step passed).
        :raises Conflict: the request was already decided.
        :raises PermissionDenied: not an approver of this step, or approving one's own request.
        """
        if not self.pending:
            raise Conflict(f"change request {self.id} was already {self.status}")
        if decision not in ("approve", "reject"):
            raise ValidationFailed({"decision": ["approve or reject"]})
        step = self.steps[self.current_step]
        if not roles_held & set(step["roles"]):
            raise PermissionDenied(f"{actor} is not an approver of step '{step['name']}' "
                                   f"(roles: {', '.join(step['roles'])})")
        if actor == self.requested_by and not self.allow_self_approval:
            raise PermissionDenied(f"{actor} requested this change and may not approve it")
        if self.is_own(actor) and not self.allow_self_approval:
            raise SegregationOfDuties(f"{actor} owns measure {self.measure.code} and may not decide a change "
                                      "request on it: an approver of its plan must not be its owner")
        self.approvals = [*self.approvals, {"step": step["name"], "by": actor, "decision": decision,
                                            "comment": (comment or "")[:2000], "at": now.isoformat()}]
        if decision == "reject":
            self.status, self.decided_at = "rejected", now
            return False
        if self.current_step + 1 < len(self.steps):
            self.current_step += 1
            return False
        self.status, self.decided_at = "approved", now
        return True

    def as_dict(self) -> dict:
        return {"id": self.id, "measure": self.measure.code, "kind": self.kind, "title": self.title,
                "reason": self.reason, "changes": self.changes, "status": self.status,
                "requested_by": self.requested_by, "requested_at": self.requested_at.isoformat(),
                "steps": self.steps, "current_step": self.current_step if self.pending else None,
                "approvals": self.approvals, "decided_at": self.decided_at.isoformat() if self.decided_at else None,
                "plan_revision": self.plan_revision}


class Dependency:
    """``successor`` depends on ``predecessor`` (a measure) or on something outside Steerco (``external``)."""

    def __init__(self, successor, predecessor=None, external: str = "", description: str = "",
                 created_by: str = "", now: datetime | None = None):
        external = (external or "").strip()
        if (predecessor is None) == (not external):
            raise ValidationFailed({"predecessor": ["name either a predecessor measure or an external dependency"]})
        if predecessor is not None and predecessor is successor:
            raise ValidationFailed({"predecessor": ["a measure cannot depend on itself"]})
        self.successor = successor
        self.predecessor = predecessor
        self.external = external[:200]
        self.description = (description or "").strip()[:2000]
        self.created_by = created_by
        self.created_at = now

    def facts(self) -> dict:
        p = self.predecessor
        return {"predecessor": p.code if p else None, "external": self.external or None,
                "predecessor_doi": p.doi if p else None, "description": self.description or None}
