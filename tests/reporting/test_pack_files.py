"""The pack's PDF, PowerPoint and Excel files, read back: every section, the snapshot's figures, a stable hash."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pypdf import PdfReader

from reporting.portfolio import build
from steerco.domain.sla import BusinessCalendar
from steerco.services.reporting import packs

SECTIONS = ("DoI funnel", "Value bridge", "Value at risk", "Implementation Status vs Potential Status",
            "Approvals pending", "Decisions needed from this committee", "Top risks", "locked dependencies",
            "Gates with teeth", "Closures confirmed this period")


@pytest.fixture
def pack(portfolio):
    build(portfolio)
    built = portfolio.run("admin", lambda uow: packs.build(uow, "ACME", "2026-11", BusinessCalendar()))
    snap = portfolio.run("admin", lambda uow: packs.stored(uow, built["id"]), readonly=True)["snapshot"]
    return built, snap


def test_the_pdf_has_every_section_and_the_cover_figures(pack):
    built, snap = pack
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(built["files"]["pdf"])).pages)
    flat = " ".join(text.split())
    for title in SECTIONS:
        assert title in flat, title
    for figure in snap["cover"]:
        assert f"{figure['label']} {figure['value']}" in flat, figure
    steel = snap["decisions"][0]
    assert steel["measure"] in flat and steel["gate"] in flat


def test_the_powerpoint_has_one_slide_per_section_with_native_charts(pack):
    built, snap = pack
    prs = Presentation(io.BytesIO(built["files"]["pptx"]))
    titles = [s.shapes.title.text for s in prs.slides]
    for title in SECTIONS:
        assert any(title in t for t in titles), title
    charts = {s.shapes.title.text: sh.chart for s in prs.slides for sh in s.shapes if sh.has_chart}
    funnel = next(c for t, c in charts.items() if t.startswith("DoI funnel"))
    assert list(funnel.plots[0].series[0].values) == [float(f["potential"]) for f in snap["funnel"]]
    bridge = next(c for t, c in charts.items() if t.startswith("Value bridge"))
    assert list(bridge.plots[0].categories)[-1] == "This pack"
    assert bridge.plots[0].series[1].values[-1] == float(snap["bridge"]["end"])


def test_the_workbook_holds_the_data_behind_each_chart(pack):
    built, snap = pack
    wb = load_workbook(io.BytesIO(built["files"]["xlsx"]))
    assert {"Cover", "Funnel", "Value bridge", "Value at risk", "Status matrix", "Approvals", "Decisions", "Risks",
            "Dependencies", "Gates", "Closures", "Changes"} <= set(wb.sheetnames)
    funnel = list(wb["Funnel"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[3], Decimal(str(r[4]))) for r in funnel] == [
        (f["doi"], f["count"], Decimal(f["potential"])) for f in snap["funnel"]]
    bridge = {r[0]: r[1] for r in wb["Value bridge"].iter_rows(min_row=2, values_only=True)}
    assert bridge["This pack's forecast"] == float(snap["bridge"]["end"]) == 4000
    matrix = [list(r[1:]) for r in wb["Status matrix"].iter_rows(min_row=2, values_only=True)]
    assert matrix == snap["status_matrix"]["counts"]


def test_a_rebuilt_pack_has_the_stored_hashes(pack, portfolio, clock):
    built, _snap = pack
    clock.advance(days=3)
    for fmt in packs.FORMATS:
        data, same = portfolio.run("admin", lambda uow: packs.rebuild(uow, built["id"], fmt), readonly=True)
        assert same, fmt
        assert data == built["files"][fmt]
        assert packs.digest(data) == built["sha256"][fmt]


def test_the_workbook_writes_text_that_starts_like_a_formula_as_text_and_numbers_as_numbers(pack):
    import copy

    from steerco.services.reporting import pack_xlsx

    _built, snap = pack
    snap = copy.deepcopy(snap)
    snap["risks"] = [{"measure": "=HYPERLINK(\"http://evil\")", "title": "+1+1", "probability": 3, "impact": -4,
                      "score": 12, "mitigation": "@SUM(A1)"},
                     {"measure": "-2+3", "title": "\tTab", "probability": 1, "impact": 1, "score": 1,
                      "mitigation": "\rCR"}]
    wb = load_workbook(io.BytesIO(pack_xlsx.render_xlsx(snap)))
    rows = list(wb["Risks"].iter_rows(min_row=2, values_only=True))
    assert rows[0] == ("'=HYPERLINK(\"http://evil\")", "'+1+1", 3, -4, 12, "'@SUM(A1)")
    assert rows[1][:2] == ("'-2+3", "'\tTab") and rows[1][5] == "'\rCR"
    assert all(cell.data_type != "f" for row in wb["Risks"].iter_rows() for cell in row)
