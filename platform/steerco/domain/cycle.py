"""The monthly steering cycle: the steps after a period ends, each due on a business day of the next month.

A governance model may carry it as data (``cycle:`` in its YAML)::

    cycle:
      forecasts_due: 3     # owners have updated their forecasts by the 3rd business day
      remind_before: 2     # owners are reminded 2 business days before that
      sign_off: 5          # the controller signs the period off (locks it) by the 5th
      pack: 6              # the pack is built and mailed to the committee on the 6th
      meeting: 8           # the committee meets; the decisions needed are collected for it

Business days follow the installation's calendar (STEERCO_WORKDAYS, STEERCO_HOLIDAYS),
as the SLAs of gate reviews do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from steerco.domain.errors import ConfigError
from steerco.domain.fiscal import add_months
from steerco.domain.sla import BusinessCalendar

STEPS = ("reminded", "forecasts_due", "sign_off", "pack", "meeting")
SETTINGS = ("forecasts_due", "remind_before", "sign_off", "pack", "meeting")


@dataclass(frozen=True)
class MonthlyCycle:
    forecasts_due: int = 3
    remind_before: int = 2
    sign_off: int = 5
    pack: int = 6
    meeting: int = 8

    def due_dates(self, calendar: BusinessCalendar, period: str) -> dict[str, date]:
        """The day each step of ``period``'s cycle is due (in the month after the period)."""
        days = business_days(calendar, add_months(period, 1))
        remind = max(self.forecasts_due - self.remind_before, 1)
        return {"reminded": days[remind - 1], "forecasts_due": days[self.forecasts_due - 1],
                "sign_off": days[self.sign_off - 1], "pack": days[self.pack - 1], "meeting": days[self.meeting - 1]}

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in SETTINGS}


def business_days(calendar: BusinessCalendar, period: str) -> list[date]:
    day = date(int(period[:4]), int(period[5:7]), 1)
    out = []
    while day.month == int(period[5:7]):
        if calendar.is_business_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def earliest(cycles: list[MonthlyCycle]) -> MonthlyCycle:
    """Where the measures under a committee follow several models, each step is due at the earliest of them."""
    if not cycles:
        return MonthlyCycle()
    return MonthlyCycle(**{k: min(getattr(c, k) for c in cycles) for k in SETTINGS})


def parse_cycle(raw: Any, where: str) -> MonthlyCycle | None:
    """:raises ConfigError: an unknown setting, a day that is not a whole number from 1 to 15, steps out of order."""
    if raw is None:
        return None
    where = f"{where} cycle"
    if not isinstance(raw, dict):
        raise ConfigError(where, f"expected a mapping of {', '.join(SETTINGS)}")
    unknown = sorted(set(raw) - set(SETTINGS))
    if unknown:
        raise ConfigError(where, f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(SETTINGS)}")
    values = {}
    for key in SETTINGS:
        value = raw.get(key, getattr(MonthlyCycle, key))
        lowest = 0 if key == "remind_before" else 1
        if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= 15:
            raise ConfigError(f"{where} {key}", f"a business day from {lowest} to 15, not {value!r}")
        values[key] = value
    order = [values[k] for k in ("forecasts_due", "sign_off", "pack", "meeting")]
    if order != sorted(order):
        raise ConfigError(where, "the steps must follow each other: forecasts_due ≤ sign_off ≤ pack ≤ meeting")
    return MonthlyCycle(**values)
