"""Domain errors. Each carries the data the edge needs to say what was wrong.

The web layer maps classes to HTTP statuses explicitly; ``code`` is the
machine-readable reason clients branch on.
"""

from __future__ import annotations

from dataclasses import dataclass


class SteercoError(Exception):
    code = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def payload(self) -> dict:
        return {"error": self.code, "message": self.message}


class NotFound(SteercoError):
    code = "not_found"


class ValidationFailed(SteercoError):
    """Input that does not fit: ``errors`` maps a field path to its problems."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str]], message: str | None = None):
        self.errors = errors
        first = next(iter(errors.items()), ("input", ["invalid"]))
        super().__init__(message or f"{first[0]}: {first[1][0]}")

    def payload(self) -> dict:
        return {**super().payload(), "errors": self.errors}


class ConfigError(SteercoError):
    """A configuration that cannot be accepted; ``location`` says where."""

    code = "invalid_configuration"

    def __init__(self, location: str, problem: str):
        self.location = location
        self.problem = problem
        super().__init__(f"{location}: {problem}")

    def payload(self) -> dict:
        return {**super().payload(), "location": self.location, "problem": self.problem}


class ConfigProblems(ConfigError):
    """Every problem found in a configuration, reported together; none of it was applied or saved.

    :ivar problems: ``{"location", "problem", ...}`` each, in the order found; ``location`` and
        ``problem`` of the error itself are the first one's.
    """

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__(problems[0]["location"], problems[0]["problem"])
        self.message = f"{len(problems)} problem(s): " + "; ".join(f"{p['location']}: {p['problem']}"
                                                                  for p in problems)
        self.args = (self.message,)

    def payload(self) -> dict:
        return {**super().payload(), "problems": self.problems}


class Conflict(SteercoError):
    code = "conflict"


class StaleUpdate(Conflict):
    """A write based on a version of an object that someone else has changed since (a lost update refused).

    ``sent`` is the version the writer had read, ``current`` the one stored; ``changed_by`` (display name)
    and ``changed_at`` say who made the latest change and when, when the audit trail knows.
    """

    code = "stale_update"

    def __init__(self, kind: str, key, sent, current, changed_by: str | None = None, changed_at=None,
                 label: str | None = None):
        self.kind, self.key, self.sent, self.current = kind, key, sent, current
        self.changed_by, self.changed_at = changed_by, changed_at
        who = f" by {changed_by}" if changed_by else ""
        when = f" at {changed_at:%Y-%m-%d %H:%M} UTC" if changed_at else ""
        super().__init__(f"Changed{who}{when} meanwhile: reload to see their change "
                         f"({kind} {label or key}: you sent version {sent}, it is now at version {current})")

    def payload(self) -> dict:
        return {**super().payload(), "object": {"kind": self.kind, "id": self.key}, "sent_version": self.sent,
                "current_version": self.current, "changed_by": self.changed_by,
                "changed_at": self.changed_at.isoformat() if self.changed_at else None}


class UnsupportedFile(SteercoError):
    """An upload of a kind the endpoint does not read (the wrong file type or content type)."""

    code = "unsupported_media_type"


class PreconditionRequired(SteercoError):
    """A write of an existing object that does not say which version it is based on, where one is required."""

    code = "precondition_required"


class GateError(SteercoError):
    code = "gate_error"


class TransitionNotAllowed(GateError):
    code = "transition_not_allowed"


class ReviewClosed(GateError):
    code = "review_closed"


@dataclass(frozen=True)
class FailedCriterion:
    criterion: str
    label: str
    explanation: str
    kind: str = "must_meet"
    missing: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "criterion": self.criterion,
            "label": self.label,
            "kind": self.kind,
            "explanation": self.explanation,
            "missing": list(self.missing),
        }


class CriteriaNotMet(GateError):
    code = "criteria_not_met"

    def __init__(self, gate: str, failed: list[FailedCriterion], score: float | None = None):
        self.gate = gate
        self.failed = failed
        self.score = score
        names = ", ".join(f.label for f in failed)
        super().__init__(f"gate '{gate}' is not ready: {names}")

    def payload(self) -> dict:
        return {
            **super().payload(),
            "gate": self.gate,
            "score": self.score,
            "failed": [f.as_dict() for f in self.failed],
        }


class PermissionDenied(SteercoError):
    """A decision right that the actor does not hold; ``reason`` is machine-readable."""

    code = "forbidden"
    reason = "not_permitted"

    def payload(self) -> dict:
        return {**super().payload(), "reason": self.reason}


class SelfApprovalNotAllowed(PermissionDenied):
    reason = "self_approval"


class SegregationOfDuties(PermissionDenied):
    """Two duties one person may not hold together; ``rows`` names the rows of a refused file, if any."""

    reason = "segregation_of_duties"

    def __init__(self, message: str, rows: list[dict] | None = None):
        super().__init__(message)
        self.rows = rows

    def payload(self) -> dict:
        out = super().payload()
        if self.rows is not None:
            out["rows"] = self.rows
        return out


class NotAnApprover(PermissionDenied):
    reason = "not_an_approver"


class AlreadyVoted(Conflict):
    code = "already_voted"


class NotDelegated(PermissionDenied):
    """A vote on behalf of someone who has not delegated their approval rights to the voter (issue 3)."""

    reason = "no_delegation"


class IdempotencyKeyReused(Conflict):
    """The same Idempotency-Key sent again with a different request (issue 3)."""

    code = "idempotency_key_reused"


class PeriodLocked(Conflict):
    """A period closed by a controller's sign-off (issue 4); only an approved change request changes it."""

    code = "period_locked"

    def __init__(self, periods: list[str], message: str):
        self.periods = periods
        super().__init__(message)

    def payload(self) -> dict:
        return {**super().payload(), "periods": self.periods}


class ValueReadOnly(Conflict):
    """The measure's value was confirmed at closure and can no longer change (issue 4)."""

    code = "value_read_only"


class ImportRejected(SteercoError):
    """A file that cannot be imported as a whole: ``problems`` lists (row, column, problem); nothing was written."""

    code = "import_rejected"

    def __init__(self, problems: list[dict], total: int, rows: int):
        self.problems = problems
        self.total = total
        self.rows = rows
        first = problems[0] if problems else {"row": None, "column": None, "problem": "invalid"}
        super().__init__(f"{total} problem(s) in {rows} row(s), nothing imported; first: row {first['row']}, "
                         f"column {first['column']}: {first['problem']}")

    def payload(self) -> dict:
        return {**super().payload(), "problems": self.problems, "problem_count": self.total, "rows": self.rows}
