"""Delegation of approval rights: for a date range, optionally limited to a node
subtree or a gate type. A vote cast under a delegation records "by X on behalf of Y".
"""

from __future__ import annotations

from datetime import date, datetime

from steerco.domain.errors import Conflict, ValidationFailed
from steerco.domain.governance import GATE_TYPES

MAX_DAYS = 366


class Delegation:
    def __init__(self, delegator, delegate, starts_on: date, ends_on: date, created_by, created_at: datetime,
                 node=None, gate_type: str | None = None, reason: str = ""):
        self.delegator = delegator
        self.delegate = delegate
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.node = node
        self.gate_type = gate_type
        self.reason = reason
        self.created_by = created_by
        self.created_at = created_at
        self.revoked_at = None
        self.revoked_by = None

    def active_on(self, day: date) -> bool:
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on

    def covers(self, day: date, path: str, gate_type: str | None) -> bool:
        """Whether the delegate may act for the delegator on ``day`` at a node ``path`` and gate type."""
        return (self.active_on(day)
                and (self.node is None or path.startswith(self.node.path))
                and (self.gate_type is None or self.gate_type == gate_type))

    def revoke(self, user, now: datetime):
        """:raises Conflict: when already revoked."""
        if self.revoked_at is not None:
            raise Conflict("this delegation is already revoked")
        self.revoked_at, self.revoked_by = now, user

    def as_dict(self) -> dict:
        return {"delegator": self.delegator.username, "delegate": self.delegate.username,
                "starts_on": self.starts_on.isoformat(), "ends_on": self.ends_on.isoformat(),
                "node": self.node.code if self.node is not None else None, "gate_type": self.gate_type,
                "reason": self.reason}


def new_delegation(delegator, delegate, starts_on: date, ends_on: date, created_by, now: datetime, *,
                   node=None, gate_type: str | None = None, reason: str = "") -> Delegation:
    """A checked delegation.

    :raises ValidationFailed: naming the field (self-delegation, inverted or too long range, past end,
        unknown gate type, inactive delegate).
    """
    if delegate is delegator:
        raise ValidationFailed({"delegate": ["a user cannot delegate to themselves"]})
    if not delegate.active:
        raise ValidationFailed({"delegate": [f"{delegate.username} is not an active user"]})
    if ends_on < starts_on:
        raise ValidationFailed({"ends_on": ["must be on or after starts_on"]})
    if ends_on < now.date():
        raise ValidationFailed({"ends_on": ["lies in the past"]})
    if (ends_on - starts_on).days > MAX_DAYS:
        raise ValidationFailed({"ends_on": [f"a delegation lasts at most {MAX_DAYS} days"]})
    if gate_type is not None and gate_type not in GATE_TYPES:
        raise ValidationFailed({"gate_type": [f"one of {', '.join(GATE_TYPES)}"]})
    return Delegation(delegator, delegate, starts_on, ends_on, created_by, now, node, gate_type,
                      (reason or "").strip()[:1000])
