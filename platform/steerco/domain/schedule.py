"""Project plans (MS Project and the like) as the source of a measure's milestones.

A plan is read by a plugin into :class:`Plan`: its tasks with their planned,
baseline and actual dates and % complete, whatever the file format. Which tasks
become milestones, how late they run against their baseline (the *slip*) and
when a slip is large enough to ask for a change request are decided here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from steerco.domain.errors import SteercoError, ValidationFailed

BASELINES = range(0, 11)
"""MS Project keeps Baseline (0) and Baseline1..Baseline10."""


@dataclass(frozen=True, slots=True)
class PlanTask:
    """One task of a plan; dates are calendar days (the plan's local time of day is dropped).

    :ivar uid: the task's unique id in the plan; stable across saves, so re-imports match on it.
    :ivar baselines: ``{number: (start, finish)}`` of the baselines the task carries.
    :ivar line: where the task starts in the file, for messages.
    """

    uid: str
    name: str
    outline_level: int
    milestone: bool
    summary: bool
    start: date | None
    finish: date | None
    actual_start: date | None = None
    actual_finish: date | None = None
    percent_complete: int | None = None
    baselines: dict = field(default_factory=dict)
    line: int | None = None

    def baseline(self, number: int) -> tuple[date | None, date | None]:
        return self.baselines.get(number, (None, None))

    def as_json(self) -> list:
        """A compact JSON form, kept with the import so the plan can be applied again with other options."""
        return [self.uid, self.name, self.outline_level, int(self.milestone), int(self.summary), _iso(self.start),
                _iso(self.finish), _iso(self.actual_start), _iso(self.actual_finish), self.percent_complete,
                {str(n): [_iso(s), _iso(f)] for n, (s, f) in self.baselines.items()}]

    @classmethod
    def from_json(cls, row: list) -> "PlanTask":
        uid, name, level, ms, summary, start, finish, a_start, a_finish, pct, baselines = row
        return cls(uid, name, level, bool(ms), bool(summary), _day(start), _day(finish), _day(a_start),
                   _day(a_finish), pct, {int(n): (_day(s), _day(f)) for n, (s, f) in baselines.items()})


@dataclass(frozen=True)
class Plan:
    """A plan as read from a file.

    :ivar application: what wrote it, e.g. "Microsoft Project (SaveVersion 14, build 16.0.10730.20102)".
    :ivar warnings: oddities that did not stop the import (a baseline finishing before it starts...).
    """

    title: str
    application: str
    tasks: tuple[PlanTask, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanOptions:
    """How a plan becomes milestones.

    :ivar summary_tasks: summary tasks become milestones too (their finish is the phase's end).
    :ivar baseline: which baseline slips are measured against (0 = "Baseline", 1-10 = "Baseline1".."Baseline10").
    :ivar slip_threshold_days: a milestone slipping more than this asks for a change request (None: never).
    """

    summary_tasks: bool = False
    baseline: int = 0
    slip_threshold_days: int | None = 10

    def __post_init__(self):
        if self.baseline not in BASELINES:
            raise ValidationFailed({"baseline": ["a baseline number from 0 to 10"]})
        if self.slip_threshold_days is not None and not 0 <= self.slip_threshold_days <= 3650:
            raise ValidationFailed({"slip_threshold_days": ["a number of days from 0 to 3650"]})


class PlanRejected(SteercoError):
    """A plan file that cannot be imported; nothing was written.

    :ivar problems: ``[{"line", "task", "problem"}]``, ``line`` and ``task`` None when they do not apply.
    """

    code = "plan_rejected"

    def __init__(self, problems: list[dict], code: str | None = None):
        self.problems = problems
        if code:
            self.code = code
        first = problems[0]
        where = f"line {first['line']}: " if first.get("line") else ""
        task = f"task {first['task']}: " if first.get("task") else ""
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        super().__init__(f"{where}{task}{first['problem']}{more}; nothing was imported")

    def payload(self) -> dict:
        return {**super().payload(), "problems": self.problems}


def as_milestones(plan: Plan, options: PlanOptions) -> list[PlanTask]:
    """The tasks that become milestones: flagged milestones and, if asked, summary tasks.

    The project summary task (outline level 0) is the plan itself and never a milestone.
    """
    return [t for t in plan.tasks
            if t.outline_level > 0 and (t.milestone or (options.summary_tasks and t.summary))]


def slip_days(baseline_due: date | None, due: date | None, done_on: date | None) -> int | None:
    """Days a milestone finishes (or will finish) after its baseline; negative when early, None without a baseline."""
    end = done_on or due
    if baseline_due is None or end is None:
        return None
    return (end - baseline_due).days


def slipped_beyond(milestones, threshold: int, reported: dict[str, int]) -> list[tuple[str, str, int]]:
    """Milestones slipping more than ``threshold`` days by more than was already reported.

    :param milestones: ``(key, title, slip)`` triples.
    :param reported: ``{key: slip}`` already put to a change request; a slip that only stays or shrinks
        asks for nothing new, so re-importing the same plan never asks twice.
    :returns: ``(key, title, slip)`` of each milestone that needs a new change request.
    """
    return [(k, title, s) for k, title, s in milestones
            if s is not None and s > threshold and s > reported.get(k, threshold)]


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _day(s: str | None) -> date | None:
    return date.fromisoformat(s) if s else None
