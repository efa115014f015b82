"""MSPDI files (MS Project's "Save As → XML") written by the tests themselves.

Tasks carry the elements Project 2010-2019 writes for every task, in its order,
so parsing cost and layout are those of real files; ``shared/vendor-samples/msproject``
holds real ones for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from xml.sax.saxutils import escape

NS = "http://schemas.microsoft.com/project"

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE Project [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&lol9;</Name><Tasks/></Project>
"""
"""The billion-laughs XML bomb: a gigabyte of text from ten nested entities."""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="http://schemas.microsoft.com/project"><Title>&secret;</Title><Tasks/></Project>
"""
"""An external entity that would read a file of the server into the plan's title."""


@dataclass
class T:
    uid: int
    name: str
    start: date
    finish: date
    level: int = 1
    milestone: bool = False
    summary: bool = False
    pct: int = 0
    actual_start: date | None = None
    actual_finish: date | None = None
    baselines: dict = field(default_factory=dict)
    active: bool = True


def _dt(d: date | None, hour: str = "08:00:00") -> str:
    return f"{d.isoformat()}T{hour}" if d else ""


def task_xml(t: T, task_id: int) -> str:
    days = max((t.finish - t.start).days, 0)
    dur = "PT0H0M0S" if t.milestone else f"PT{8 * max(days, 1)}H0M0S"
    parts = [
        f"<UID>{t.uid}</UID>", f"<ID>{task_id}</ID>", f"<Name>{escape(t.name)}</Name>", "<Type>0</Type>",
        "<IsNull>0</IsNull>", "<CreateDate>2026-01-05T09:12:00</CreateDate>", f"<WBS>{task_id}</WBS>",
        f"<OutlineNumber>{task_id}</OutlineNumber>", f"<OutlineLevel>{t.level}</OutlineLevel>",
        "<Priority>500</Priority>", f"<Start>{_dt(t.start)}</Start>", f"<Finish>{_dt(t.finish, '17:00:00')}</Finish>",
        f"<Duration>{dur}</Duration>", "<ManualStart>" + _dt(t.start) + "</ManualStart>",
        "<ManualFinish>" + _dt(t.finish, "17:00:00") + "</ManualFinish>", f"<ManualDuration>{dur}</ManualDuration>",
        "<DurationFormat>7</DurationFormat>", f"<Work>{dur}</Work>", "<ResumeValid>0</ResumeValid>",
        "<EffortDriven>0</EffortDriven>", "<Recurring>0</Recurring>", "<OverAllocated>0</OverAllocated>",
        "<Estimated>0</Estimated>", f"<Milestone>{int(t.milestone)}</Milestone>", f"<Summary>{int(t.summary)}</Summary>",
        "<DisplayAsSummary>0</DisplayAsSummary>", "<Critical>1</Critical>", "<IsSubproject>0</IsSubproject>",
        "<IsSubprojectReadOnly>0</IsSubprojectReadOnly>", "<ExternalTask>0</ExternalTask>",
        f"<EarlyStart>{_dt(t.start)}</EarlyStart>", f"<EarlyFinish>{_dt(t.finish, '17:00:00')}</EarlyFinish>",
        f"<LateStart>{_dt(t.start)}</LateStart>", f"<LateFinish>{_dt(t.finish, '17:00:00')}</LateFinish>",
        "<StartVariance>0</StartVariance>", "<FinishVariance>0</FinishVariance>", "<WorkVariance>0.00</WorkVariance>",
        "<FreeSlack>0</FreeSlack>", "<TotalSlack>0</TotalSlack>", "<StartSlack>0</StartSlack>",
        "<FinishSlack>0</FinishSlack>", "<FixedCost>0</FixedCost>", "<FixedCostAccrual>3</FixedCostAccrual>",
        f"<PercentComplete>{t.pct}</PercentComplete>", f"<PercentWorkComplete>{t.pct}</PercentWorkComplete>",
        "<Cost>0</Cost>", "<OvertimeCost>0</OvertimeCost>", "<OvertimeWork>PT0H0M0S</OvertimeWork>",
    ]
    if t.actual_start:
        parts.append(f"<ActualStart>{_dt(t.actual_start)}</ActualStart>")
    if t.actual_finish:
        parts.append(f"<ActualFinish>{_dt(t.actual_finish, '17:00:00')}</ActualFinish>")
    parts += [
        "<ActualDuration>PT0H0M0S</ActualDuration>", "<ActualCost>0</ActualCost>",
        "<ActualOvertimeCost>0</ActualOvertimeCost>", "<ActualWork>PT0H0M0S</ActualWork>",
        "<ActualOvertimeWork>PT0H0M0S</ActualOvertimeWork>", "<RegularWork>PT0H0M0S</RegularWork>",
        f"<RemainingDuration>{dur}</RemainingDuration>", "<RemainingCost>0</RemainingCost>",
        "<RemainingWork>PT0H0M0S</RemainingWork>", "<RemainingOvertimeCost>0</RemainingOvertimeCost>",
        "<RemainingOvertimeWork>PT0H0M0S</RemainingOvertimeWork>", "<ACWP>0.00</ACWP>", "<CV>0.00</CV>",
        "<ConstraintType>0</ConstraintType>", "<CalendarUID>-1</CalendarUID>", "<LevelAssignments>1</LevelAssignments>",
        "<LevelingCanSplit>1</LevelingCanSplit>", "<LevelingDelay>0</LevelingDelay>",
        "<LevelingDelayFormat>8</LevelingDelayFormat>", "<IgnoreResourceCalendar>0</IgnoreResourceCalendar>",
        "<HideBar>0</HideBar>", "<Rollup>0</Rollup>", "<BCWS>0.00</BCWS>", "<BCWP>0.00</BCWP>",
        "<PhysicalPercentComplete>0</PhysicalPercentComplete>", "<EarnedValueMethod>0</EarnedValueMethod>",
        "<IsPublished>1</IsPublished>", "<CommitmentType>0</CommitmentType>", f"<Active>{int(t.active)}</Active>",
        "<Manual>0</Manual>",
    ]
    for number, (b_start, b_finish) in sorted(t.baselines.items()):
        parts.append(f"<Baseline><Number>{number}</Number><Interim>0</Interim><Start>{_dt(b_start)}</Start>"
                     f"<Finish>{_dt(b_finish, '17:00:00')}</Finish><Duration>{dur}</Duration>"
                     "<DurationFormat>7</DurationFormat><EstimatedDuration>0</EstimatedDuration>"
                     "<Work>PT0H0M0S</Work><Cost>0</Cost></Baseline>")
    return "<Task>" + "".join(parts) + "</Task>"


def project_xml(tasks: list[T], title: str = "Supplier programme", *, save_version: int = 14,
                build: str = "16.0.10730.20102", pretty: bool = True) -> bytes:
    """An MSPDI file: the project summary task (UID 0) and ``tasks`` in order."""
    start = min((t.start for t in tasks), default=date(2026, 1, 5))
    finish = max((t.finish for t in tasks), default=start)
    root = T(0, title, start, finish, level=0, summary=True)
    sep = "\n\t\t" if pretty else ""
    body = sep.join(task_xml(t, i) for i, t in enumerate([root, *tasks]))
    head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Project xmlns="{NS}">\n'
            f"\t<SaveVersion>{save_version}</SaveVersion>\n\t<BuildNumber>{build}</BuildNumber>\n"
            f"\t<Name>{escape(title)}.xml</Name>\n\t<Title>{escape(title)}</Title>\n"
            f"\t<ScheduleFromStart>1</ScheduleFromStart>\n\t<StartDate>{_dt(start)}</StartDate>\n"
            "\t<MinutesPerDay>480</MinutesPerDay>\n\t<Calendars><Calendar><UID>1</UID><Name>Standard</Name>"
            "<IsBaseCalendar>1</IsBaseCalendar></Calendar></Calendars>\n")
    return (head + f"\t<Tasks>{sep}{body}\n\t</Tasks>\n\t<Resources/>\n\t<Assignments/>\n</Project>\n").encode()


def programme(today: date = date(2026, 11, 2)) -> list[T]:
    """A small plan: two phases (summary tasks), three milestones with a baseline, one slipping, one done."""
    d = today
    return [
        T(1, "Phase 1: Sourcing", d - timedelta(days=60), d + timedelta(days=20), summary=True,
          baselines={0: (d - timedelta(days=60), d + timedelta(days=10))}),
        T(2, "Shortlist suppliers", d - timedelta(days=60), d - timedelta(days=30), level=2, pct=100,
          actual_start=d - timedelta(days=60), actual_finish=d - timedelta(days=28)),
        T(3, "Suppliers shortlisted", d - timedelta(days=28), d - timedelta(days=28), level=2, milestone=True,
          pct=100, actual_start=d - timedelta(days=28), actual_finish=d - timedelta(days=28),
          baselines={0: (d - timedelta(days=30), d - timedelta(days=30))}),
        T(4, "Contracts signed", d + timedelta(days=20), d + timedelta(days=20), level=2, milestone=True,
          baselines={0: (d + timedelta(days=5), d + timedelta(days=5)),
                     1: (d + timedelta(days=15), d + timedelta(days=15))}),
        T(5, "Phase 2: Roll-out", d + timedelta(days=21), d + timedelta(days=90), summary=True),
        T(6, "Go-live", d + timedelta(days=90), d + timedelta(days=90), level=2, milestone=True,
          baselines={0: (d + timedelta(days=90), d + timedelta(days=90))}),
    ]


def big_plan(n: int, *, milestone_every: int = 5, start: date = date(2026, 1, 5)) -> list[T]:
    """``n`` tasks under phases of 50: a summary task each, every ``milestone_every``-th task a milestone."""
    out = []
    for i in range(1, n + 1):
        d = start + timedelta(days=i % 700)
        if i % 50 == 1:
            out.append(T(i, f"Phase {i // 50 + 1}", d, d + timedelta(days=50), summary=True))
        elif i % milestone_every == 0:
            out.append(T(i, f"Milestone {i}", d, d, level=2, milestone=True,
                         baselines={0: (d - timedelta(days=i % 7), d - timedelta(days=i % 7))}))
        else:
            out.append(T(i, f"Task {i}", d, d + timedelta(days=3), level=2, pct=(i * 7) % 101,
                         baselines={0: (d, d + timedelta(days=3))}))
    return out
