"""Service levels of gate reviews, counted in business days.

A review's age is the number of business days after the day it was submitted,
up to and including today. Reminders and escalations fall due when the age
reaches the gate's ``reminder_days`` / ``escalation_days``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from steerco.domain.errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class BusinessCalendar:
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: tuple[date, ...] = ()
    _sorted: tuple[date, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self):
        if not self.workdays:
            raise ConfigError("business calendar", "name at least one working day")
        object.__setattr__(self, "_sorted", tuple(sorted(set(self.holidays))))

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in self.workdays and not self._holiday(day)

    def _holiday(self, day: date) -> bool:
        i = bisect_left(self._sorted, day)
        return i < len(self._sorted) and self._sorted[i] == day

    def days_between(self, start: date, end: date) -> int:
        """Business days in (start, end]; 0 when end is not after start."""
        if end <= start:
            return 0
        span = (end - start).days
        weeks, rest = divmod(span, 7)
        count = weeks * len(self.workdays)
        for k in range(1, rest + 1):
            if (start + timedelta(days=weeks * 7 + k)).weekday() in self.workdays:
                count += 1
        lo, hi = bisect_right(self._sorted, start), bisect_right(self._sorted, end)
        return count - sum(1 for d in self._sorted[lo:hi] if d.weekday() in self.workdays)

    def latest_start(self, today: date, days: int) -> date:
        """The latest submission day whose age reaches ``days`` business days today."""
        day, counted = today, 0
        while counted < days:
            if self.is_business_day(day):
                counted += 1
            day -= timedelta(days=1)
        return day


def parse_calendar(workdays: str = "mon-fri", holidays: str = "") -> BusinessCalendar:
    """A calendar from settings text: ``"mon-fri"`` or ``"mon,tue,thu"``; holidays ``"2026-12-25,2027-01-01"``.

    :raises ConfigError: naming the part that is wrong.
    """
    days: set[int] = set()
    for part in filter(None, (p.strip().lower() for p in (workdays or "mon-fri").split(","))):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ConfigError("business calendar workdays", f"'{part}' is not a day like mon or a range like mon-fri")
        a, b = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    dates = []
    for part in filter(None, (p.strip() for p in (holidays or "").split(","))):
        try:
            dates.append(date.fromisoformat(part))
        except ValueError:
            raise ConfigError("business calendar holidays", f"'{part}' is not a date as YYYY-MM-DD") from None
    return BusinessCalendar(frozenset(days), tuple(dates))


def sla_state(calendar: BusinessCalendar, sla, submitted: date, today: date) -> dict:
    """Age and state of a review against its gate's SLA.

    :returns: ``age`` in business days and ``state``: on_time, reminder_due or escalation_due.
    """
    age = calendar.days_between(submitted, today)
    state = "on_time"
    if sla.escalation_days is not None and age >= sla.escalation_days:
        state = "escalation_due"
    elif sla.reminder_days is not None and age >= sla.reminder_days:
        state = "reminder_due"
    return {"age": age, "state": state, "reminder_days": sla.reminder_days,
            "escalation_days": sla.escalation_days, "escalate_to": sla.escalate_to}
