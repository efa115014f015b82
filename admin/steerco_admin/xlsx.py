"""A small, fast writer of one-sheet Excel workbooks (Office Open XML).

openpyxl spends about 20 µs per cell, so a 50,000-measure report took
10–20 s; this writes the same sheet as plain XML strings. Text goes in as
inline strings, which spreadsheets never run as formulas; numbers as numbers.
The header row is bold, frozen and filterable.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# XML 1.0 has no place for most control characters; a title pasted from elsewhere may hold one.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

PARTS = {
    "[Content_Types].xml": HEAD + (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'),
    "_rels/.rels": HEAD + (
        f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": HEAD + (
        f'<Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{DOC}/styles" Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": HEAD + (
        f'<styleSheet xmlns="{MAIN}">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
}


def workbook(sheet: str, columns, rows, numeric) -> bytes:
    """One sheet named ``sheet``: a header of ``columns``, then ``rows`` (dicts by column).

    :param numeric: columns written as numbers (values: int, Decimal or decimal text); others as text.
    """
    letters = [_letter(i) for i in range(len(columns))]
    out = [HEAD, f'<worksheet xmlns="{MAIN}"><sheetViews><sheetView workbookViewId="0">'
                 '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                 '<cols>']
    out += [f'<col min="{i + 1}" max="{i + 1}" width="{max(10, min(40, len(c) + 4))}" customWidth="1"/>'
            for i, c in enumerate(columns)]
    out.append('</cols><sheetData><row r="1">')
    out += [f'<c r="{letters[j]}1" t="inlineStr" s="1"><is><t>{_text(c)}</t></is></c>' for j, c in enumerate(columns)]
    out.append("</row>")
    n = 1
    for n, row in enumerate(rows, start=2):
        cells = []
        for j, c in enumerate(columns):
            value = row[c]
            if value is None or value == "":
                continue
            if c in numeric:
                cells.append(f'<c r="{letters[j]}{n}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{letters[j]}{n}" t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>')
        out.append(f'<row r="{n}">{"".join(cells)}</row>')
    out.append(f'</sheetData><autoFilter ref="A1:{letters[-1]}{n}"/></worksheet>')
    parts = {**PARTS, "xl/workbook.xml": HEAD + (
        f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
        f'<sheet name="{_text(sheet[:31])}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/worksheets/sheet1.xml": "".join(out)}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text.encode("utf-8"))
    return buf.getvalue()


def _text(value) -> str:
    return escape(NOT_XML.sub("", str(value)), {'"': "&quot;"})


def _letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s
