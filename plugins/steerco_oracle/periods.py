"""Oracle accounting period names to Steerco periods and back.

A Fusion or E-Business Suite accounting calendar names its periods by a
pattern of its own ("Nov-26", "11-2026", "NOV-26"); the ``period_format``
setting spells it with ``MON`` (Jan..Dec), ``MM``, ``YYYY`` and ``YY``.
Month names are English whatever the server's locale, as Oracle's are.
"""

from __future__ import annotations

import re

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TOKENS = re.compile(r"YYYY|YY|MON|MM")


def check_format(fmt: str) -> str:
    """:raises ValueError: a format without a month or a year."""
    found = _TOKENS.findall(fmt)
    if not any(t in ("MON", "MM") for t in found) or not any(t in ("YYYY", "YY") for t in found):
        raise ValueError("needs a month (MON or MM) and a year (YYYY or YY), e.g. MON-YY")
    return fmt


def name_of(period: str, fmt: str) -> str:
    """The calendar's name of Steerco period ``YYYY-MM``."""
    year, month = int(period[:4]), int(period[5:7])
    values = {"YYYY": f"{year:04d}", "YY": f"{year % 100:02d}", "MON": MONTHS[month - 1], "MM": f"{month:02d}"}
    return _TOKENS.sub(lambda m: values[m.group(0)], fmt)


def parser(fmt: str):
    """A function from a period name to ``YYYY-MM`` (None: not a name of this format); case-insensitive."""
    groups = {"YYYY": r"(?P<y4>\d{4})", "YY": r"(?P<y2>\d{2})", "MON": r"(?P<mon>[A-Za-z]{3})", "MM": r"(?P<mm>\d{2})"}
    parts, last = [], 0
    for m in _TOKENS.finditer(fmt):
        parts.append(re.escape(fmt[last:m.start()]) + groups[m.group(0)])
        last = m.end()
    pattern = re.compile("^" + "".join(parts) + re.escape(fmt[last:]) + "$", re.IGNORECASE)
    months = {m.lower(): i + 1 for i, m in enumerate(MONTHS)}

    def parse(name) -> str | None:
        m = pattern.match(str(name or "").strip())
        if not m:
            return None
        d = m.groupdict()
        month = months.get((d.get("mon") or "").lower()) if d.get("mon") else int(d["mm"])
        year = int(d["y4"]) if d.get("y4") else 2000 + int(d["y2"])
        if not month or not 1 <= month <= 12:
            return None
        return f"{year:04d}-{month:02d}"

    return parse
