"""Steerco periods (calendar months, ``YYYY-MM``) and SAP fiscal years and periods (``2026``, ``011``).

With a fiscal year that starts in another month than January, SAP names the
year after the calendar year it ends in or starts in (the fiscal-year
variant's year shift); the setting ``fiscal_year_named_after`` says which.
Special periods 013-016 (closing adjustments) count toward period 012.
"""

from __future__ import annotations

SPECIAL = ("013", "014", "015", "016")


def to_sap(period: str, start_month: int, named_after: str) -> tuple[str, list[str]]:
    """The SAP fiscal year of a Steerco period and the SAP periods that make it up."""
    y, m = int(period[:4]), int(period[5:7])
    first_year = y if m >= start_month else y - 1   # calendar year the fiscal year starts in
    year = first_year + 1 if start_month > 1 and named_after == "end" else first_year
    number = (m - start_month) % 12 + 1
    return f"{year:04d}", [f"{number:03d}", *(SPECIAL if number == 12 else ())]


def to_steerco(year: str, fiscal_period: str, start_month: int, named_after: str) -> str | None:
    """The Steerco period of an SAP fiscal year and period; None for what is not one."""
    try:
        y, p = int(year), int(fiscal_period)
    except (TypeError, ValueError):
        return None
    if not 1 <= p <= 16 or not 1000 <= y <= 9999:
        return None
    p = min(p, 12)
    first_year = y - 1 if start_month > 1 and named_after == "end" else y
    months = first_year * 12 + (start_month - 1) + (p - 1)
    return f"{months // 12:04d}-{months % 12 + 1:02d}"
