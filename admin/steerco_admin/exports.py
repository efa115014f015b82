"""Write report rows as CSV or Excel files, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from flask import Response

from steerco_admin.xlsx import workbook

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# A text cell starting with one of these is run as a formula by spreadsheets
# (CSV injection); a leading apostrophe makes it plain text again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def download(fmt: str, name: str, columns, rows, numeric) -> Response:
    """``rows`` as an attachment ``steerco-<name>.<fmt>`` (csv or xlsx)."""
    data = as_csv(columns, rows, numeric) if fmt == "csv" else as_xlsx(columns, rows, numeric, name.title())
    return Response(data, mimetype=FORMATS[fmt].split(";")[0], headers={
        "Content-Disposition": f"attachment; filename=steerco-{name}.{fmt}", "Cache-Control": "no-store"})


def as_csv(columns, rows, numeric) -> bytes:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(columns)
    for row in rows:
        out.writerow(["" if row[c] is None else row[c] if c in numeric else _text(row[c]) for c in columns])
    # the byte-order mark makes Excel read the file as UTF-8 (names with accents)
    return buf.getvalue().encode("utf-8-sig")


def as_xlsx(columns, rows, numeric, title: str) -> bytes:
    # text cells are inline strings, which spreadsheets never run as formulas: no apostrophe needed
    return workbook(title, columns, rows, numeric)


def _text(value):
    if value is None:
        return None
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
