"""Fiscal periods ("YYYY-MM") and the fiscal calendar (issue 4).

Periods are text so that ranges compare as text, in Python and in SQL alike.
"""

from __future__ import annotations

import re
from datetime import date

from steerco.domain.errors import ValidationFailed

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def check_period(period: str, field_name: str = "period") -> str:
    if not isinstance(period, str) or not PERIOD.match(period):
        raise ValidationFailed({field_name: ["a period as YYYY-MM"]})
    return period


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(period: str, n: int) -> str:
    y, m = int(period[:4]), int(period[5:7])
    total = y * 12 + (m - 1) + n
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def fiscal_year(period: str, start_month: int) -> int:
    """The fiscal year a period falls in, named after the calendar year in which that fiscal year ends."""
    y, m = int(period[:4]), int(period[5:7])
    return y + 1 if start_month > 1 and m >= start_month else y


def fiscal_periods(year: int, start_month: int) -> list[str]:
    """The twelve periods of fiscal ``year`` (see :func:`fiscal_year` for the naming)."""
    first = f"{year - (1 if start_month > 1 else 0):04d}-{start_month:02d}"
    return [add_months(first, i) for i in range(12)]
