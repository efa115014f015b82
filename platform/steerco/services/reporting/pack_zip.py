"""Office files (PPTX, XLSX) are ZIP archives that carry the time they were written.

Every entry has a timestamp, and the core properties of workbooks written by
the libraries themselves (the data of a PowerPoint chart is such an embedded
workbook) hold the time of writing. Rewriting both with the snapshot's time
keeps a rebuilt pack byte-for-byte equal.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

STAMPED = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def fixed_zip(data: bytes, when: datetime) -> bytes:
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            blob = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                blob = STAMPED.sub(lambda m: m.group(1) + iso + m.group(2), blob)
            elif item.filename.endswith(".xlsx"):
                blob = fixed_zip(blob, when)
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, blob)
    return out.getvalue()
