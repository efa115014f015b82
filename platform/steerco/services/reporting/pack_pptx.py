"""The PowerPoint file of a steering-committee pack: one slide per section.

Charts are native PowerPoint charts (their data sits in an embedded workbook
the committee can edit); the bridge is a stacked bar whose first series is an
invisible base, the usual way to draw a waterfall. Core properties carry the
snapshot's time and the archive is rewritten with it, so a rebuild is equal.
"""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Inches, Pt

from steerco.services.reporting.pack_pdf import bridge_steps
from steerco.services.reporting.pack_xlsx import sheets
from steerco.services.reporting.pack_zip import fixed_zip

ROWS_SHOWN = 14


def render_pptx(snap: dict) -> bytes:
    when = datetime.fromisoformat(snap["built_at"])
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    tables = {title: (header, rows) for title, header, rows in sheets(snap)}
    cover = prs.slides.add_slide(prs.slide_layouts[0])
    cover.shapes.title.text = f"Steering-committee pack: {snap['node']['name']} ({snap['node']['code']})"
    cover.placeholders[1].text = (f"Period {snap['period']} · built {snap['built_at']} by {snap['built_by']}\n"
                                  + "\n".join(f"{f['label']}: {f['value']}" for f in snap["cover"]))
    _table_slide(prs, "Changed since the last pack", *tables["Changes"])
    funnel = [(f"{f['model_name']} DoI {f['doi']} {f['name']}", f["count"], float(Decimal(f["potential"])))
              for f in snap["funnel"]]
    slide = _titled(prs, "DoI funnel: measures and potential by level")
    _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, [c for c, _n, _p in funnel],
           {f"Potential ({snap['currency']})": [p for _c, _n, p in funnel]}, left=0.4, width=7.6)
    _table(slide, *tables["Funnel"], left=8.2, width=4.8)
    steps = bridge_steps(snap["bridge"])
    slide = _titled(prs, "Value bridge: last pack's forecast to this pack's")
    chart = _chart(slide, XL_CHART_TYPE.COLUMN_STACKED, [label for label, *_r in steps],
                   {"base": [float(min(a, b)) for _l, a, b, _t in steps],
                    "change": [float(abs(b - a)) for _l, a, b, _t in steps]}, left=0.4, width=7.6)
    chart.plots[0].series[0].format.fill.background()
    chart.has_legend = False
    _table(slide, *tables["Value bridge"], left=8.2, width=4.8)
    _table_slide(prs, f"Value at risk: {snap['value_at_risk']['total']} {snap['currency']}", *tables["Value at risk"])
    _table_slide(prs, "Implementation Status vs Potential Status", *tables["Status matrix"])
    slide = _titled(prs, "Approvals pending by age and SLA")
    ages = snap["approvals"]["by_age"]
    _chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, [a["label"] for a in ages],
           {"Reviews": [a["count"] for a in ages]}, left=0.4, width=7.6)
    _table(slide, *tables["Approvals"], left=8.2, width=4.8)
    _table_slide(prs, "Decisions needed from this committee", *tables["Decisions"])
    _table_slide(prs, "Top risks", *tables["Risks"])
    _table_slide(prs, "Blocked dependencies", *tables["Dependencies"])
    slide = _titled(prs, "Gates with teeth: kill rate and time in gate")
    gates = snap["gates"]
    _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, [g["gate"] for g in gates],
           {"Kill rate %": [g["kill_rate"] for g in gates], "Mean days in gate": [g["mean_days"] for g in gates]},
           left=0.4, width=7.6)
    _table(slide, *tables["Gates"], left=8.2, width=4.8)
    _table_slide(prs, f"Closures confirmed this period: {snap['closures']['count']}", *tables["Closures"])
    props = prs.core_properties
    props.author = props.last_modified_by = snap["built_by"]
    props.title = f"Steering-committee pack {snap['node']['code']} {snap['period']}"
    props.created = props.modified = when.replace(tzinfo=None)
    props.revision = 1
    out = io.BytesIO()
    prs.save(out)
    return fixed_zip(out.getvalue(), when)


def _titled(prs, title: str):
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = title
    slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(28)
    return slide


def _chart(slide, kind, categories, series: dict, *, left: float, width: float):
    data = CategoryChartData()
    data.categories = categories or ["none"]
    for name, values in series.items():
        data.add_series(name, values or [0])
    chart = slide.shapes.add_chart(kind, Inches(left), Inches(1.5), Inches(width), Inches(5.6), data).chart
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    return chart


def _table_slide(prs, title: str, header, rows):
    _table(_titled(prs, title), header, rows, left=0.4, width=12.5)


def _table(slide, header, rows, *, left: float, width: float):
    shown = rows[:ROWS_SHOWN]
    shape = slide.shapes.add_table(len(shown) + 1, len(header), Inches(left), Inches(1.5), Inches(width),
                                   Inches(0.3 * (len(shown) + 1)))
    for j, name in enumerate(header):
        _cell(shape.table.cell(0, j), name)
    for i, row in enumerate(shown, start=1):
        for j, value in enumerate(row):
            _cell(shape.table.cell(i, j), "" if value is None else value)
    if len(rows) > ROWS_SHOWN:
        box = slide.shapes.add_textbox(Inches(left), Inches(7.0), Inches(width), Inches(0.4))
        box.text_frame.text = f"{len(rows) - ROWS_SHOWN} more rows in the Excel file"


def _cell(cell, value):
    cell.text = str(value)
    for p in cell.text_frame.paragraphs:
        p.font.size = Pt(10)
