"""The Excel writer: a workbook openpyxl (and so Excel) reads back cell for cell."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from steerco_admin.xlsx import workbook


def test_text_numbers_gaps_and_awkward_characters_read_back():
    columns = [f"col{i}" for i in range(28)]  # past Z: AA, AB
    rows = [{c: None for c in columns} | {"col0": "a & <b> \"c\" 'd'", "col1": "  kept spaces ", "col2": "x\x01y",
                                          "col3": "Grüße 😀", "col26": Decimal("-1234.50"), "col27": 7}]
    data = workbook("Measures & more", columns, rows, {"col26", "col27"})
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    assert ws.title == "Measures & more"
    assert [c.value for c in ws[1]] == columns and ws["A1"].font.b
    assert ws["A2"].value == "a & <b> \"c\" 'd'" and ws["B2"].value == "  kept spaces "
    assert ws["C2"].value == "xy" and ws["D2"].value == "Grüße 😀"
    assert ws["AA2"].value == -1234.5 and ws["AB2"].value == 7 and ws["E2"].value is None
    assert ws.auto_filter.ref == "A1:AB2" and ws.freeze_panes == "A2"


def test_an_empty_report_is_a_header():
    ws = load_workbook(io.BytesIO(workbook("Empty", ["a", "b"], [], set()))).active
    assert [c.value for c in ws[1]] == ["a", "b"] and ws.max_row == 1
