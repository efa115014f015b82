"""The Excel file of a steering-committee pack: one sheet per section, the data behind each chart.

Money is written as numbers (the snapshot's decimal text converted) so the
committee can sum and chart it; the file's properties carry the snapshot's
time, not the time of writing.
"""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from steerco.services.reporting.pack_zip import fixed_zip


def sheets(snap: dict) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, header, rows) per section, in the pack's order."""
    b, m = snap["bridge"], snap["status_matrix"]
    return [
        ("Cover", ["Figure", "Value"], [[f["label"], _num(f["value"])] for f in snap["cover"]]),
        ("Changes", ["Figure", "Before", "Now"], [[c["figure"], _num(c["before"]), _num(c["after"])]
                                                  for c in snap["changes"]]),
        ("Funnel", ["Model", "DoI", "Level", "Measures", "Potential", "Risk-weighted"],
         [[f["model_name"], f["doi"], f["name"], f["count"], _num(f["potential"]), _num(f["weighted"])]
          for f in snap["funnel"]]),
        ("Value bridge", ["Step", "Amount", "Measures"],
         [["Last pack's forecast", _num(b["start"]), None], ["New measures", _num(b["new"]), b["counts"]["new"]],
          ["Slips", _num(b["slips"]), b["counts"]["slips"]], ["Kills", _num(b["kills"]), b["counts"]["kills"]],
          ["Value changes", _num(b["changes"]), b["counts"]["changes"]],
          ["This pack's forecast", _num(b["end"]), None]]),
        ("Value at risk", ["Measure", "Title", "Node", "DoI", "Potential Status", "Potential", "Plan", "Forecast"],
         [["Total value at risk", None, None, None, None, _num(snap["value_at_risk"]["total"]), None, None]]
         + [[x["code"], x["title"], x["node"], x["doi"], x["potential_status"], _num(x["potential"]),
             _num(x["plan"]), _num(x["forecast"])] for x in snap["value_at_risk"]["measures"]]),
        ("Status matrix", ["Implementation \\ Potential", *m["columns"]],
         [[r, *m["counts"][i]] for i, r in enumerate(m["rows"])]),
        ("Approvals", ["Age", "Reviews"], [[a["label"], a["count"]] for a in snap["approvals"]["by_age"]]
         + [[f"SLA {k}", n] for k, n in snap["approvals"]["by_sla"].items()]),
        ("Decisions", ["Review", "Measure", "Title", "Gate", "Age (business days)", "SLA"],
         [[d["id"], d["measure"], d["title"], d["gate"], d["age"], d["sla"]] for d in snap["decisions"]]),
        ("Risks", ["Measure", "Risk", "Probability", "Impact", "Score", "Mitigation"],
         [[r["measure"], r["title"], r["probability"], r["impact"], r["score"], r["mitigation"]]
          for r in snap["risks"]]),
        ("Dependencies", ["Measure", "Waits on", "Why blocked", "Description"],
         [[d["measure"], d["on"], d["why"], d["description"]] for d in snap["dependencies"]]),
        ("Gates", ["Gate", "DoI", "Decided", "Kills", "Kill rate %", "Mean days in gate", "Pending"],
         [[g["gate"], g["doi"], g["decided"], g["kills"], g["kill_rate"], g["mean_days"], g["pending"]]
          for g in snap["gates"]]),
        ("Closures", ["Measure", "Title", "Node", "Closed on", "By", "Actual"],
         [[x["code"], x["title"], x["node"], x["closed_on"], x["closed_by"], _num(x["actual"])]
          for x in snap["closures"]["measures"]]),
    ]


def render_xlsx(snap: dict) -> bytes:
    when = datetime.fromisoformat(snap["built_at"])
    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets(snap):
        ws = wb.create_sheet(title)
        ws.append(header)
        for row in rows:
            ws.append([_text(x) for x in row])
        ws.column_dimensions["A"].width = 40
    wb.properties.creator = snap["built_by"]
    wb.properties.title = f"Steering-committee pack {snap['node']['code']} {snap['period']}"
    wb.properties.created = wb.properties.modified = when.replace(tzinfo=None)
    out = io.BytesIO()
    # openpyxl's save_workbook stamps the time of writing; its writer alone keeps ours
    with ZipFile(out, "w", ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return fixed_zip(out.getvalue(), when)


# text such as a measure title starting with "=" would be stored as a formula and run on opening
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def _num(value):
    if isinstance(value, str):
        try:
            return float(Decimal(value))
        except ArithmeticError:
            return value
    return value
