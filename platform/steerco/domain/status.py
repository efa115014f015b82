"""The two statuses, kept apart (issue 4): is the work on time, and is the value still credible?

Implementation Status comes from milestones (own ones now; Jira and MS Project
feed the same milestones later); Potential Status from forecast against plan.
Either may be overridden with a reason; every change of the effective status
is kept as a :class:`StatusEntry`.
"""

from __future__ import annotations

from datetime import date, datetime

from steerco.domain.errors import ValidationFailed

IMPLEMENTATION = ("on_track", "delayed", "critical", "completed")
POTENTIAL = ("on_track", "at_risk", "critical")
KINDS = {"implementation": IMPLEMENTATION, "potential": POTENTIAL}


def implementation_status(milestones, today: date, delayed_after_days: int,
                          critical_after_days: int) -> tuple[str, str]:
    """:returns: (status, why) from the milestones' due dates against ``today`` and against their baseline.

    An open milestone is late by the days it is overdue or, when a plan moved it
    past its baseline, by its slip, whichever is more: a plan that slips turns
    the status before the due date passes. Milestones removed from their plan do not count.
    """
    ms = [m for m in milestones if m.removed_on is None]
    if ms and all(m.done_on is not None for m in ms):
        return "completed", f"all {len(ms)} milestones done"
    open_ = [m for m in ms if m.done_on is None]
    late = [(today - m.due_date).days for m in open_ if m.due_date and m.due_date < today]
    slips = [s for s in (m.slip_days for m in open_) if s is not None and s > 0]
    worst = max(late + slips, default=0)
    reasons = []
    if late:
        reasons.append(f"{len(late)} milestone(s) overdue, the oldest by {max(late)} days")
    if slips:
        reasons.append(f"{len(slips)} milestone(s) slipping against the baseline, the most by {max(slips)} days")
    why = "; ".join(reasons)
    if worst > critical_after_days:
        return "critical", why
    if worst > delayed_after_days:
        return "delayed", why
    if why:
        return "on_track", f"{why} (within {delayed_after_days} days)"
    return "on_track", "no milestone overdue" if ms else "no milestones planned"


def potential_status(plan_cents: int, forecast_cents: int, at_risk_below: float, critical_below: float,
                     has_forecast: bool = True) -> tuple[str, str]:
    """:returns: (status, why) from the forecast as a share of the plan (benefit categories)."""
    if plan_cents <= 0 or not has_forecast:
        return "on_track", "no plan or no forecast to compare"
    pct = 100.0 * forecast_cents / plan_cents
    if pct < critical_below:
        return "critical", f"forecast is {pct:.1f}% of plan (critical below {critical_below:g}%)"
    if pct < at_risk_below:
        return "at_risk", f"forecast is {pct:.1f}% of plan (at risk below {at_risk_below:g}%)"
    return "on_track", f"forecast is {pct:.1f}% of plan"


def check_override(kind: str, status: str, reason: str) -> None:
    """:raises ValidationFailed: unknown kind or status, or no reason given."""
    if kind not in KINDS:
        raise ValidationFailed({"kind": [f"one of {', '.join(KINDS)}"]})
    if status not in KINDS[kind]:
        raise ValidationFailed({"status": [f"one of {', '.join(KINDS[kind])}"]})
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed({"reason": ["say why the derived status is overridden"]})


class StatusEntry:
    """One change of a measure's effective status: what it became, whether derived or overridden, who and why."""

    def __init__(self, measure, kind: str, status: str, derived: str, overridden: bool, reason: str, actor: str,
                 now: datetime):
        self.measure = measure
        self.kind = kind
        self.status = status
        self.derived = derived
        self.overridden = overridden
        self.reason = reason[:1000]
        self.actor = actor
        self.at = now

    def as_dict(self) -> dict:
        return {"kind": self.kind, "status": self.status, "derived": self.derived, "overridden": self.overridden,
                "reason": self.reason, "by": self.actor, "at": self.at.isoformat()}
