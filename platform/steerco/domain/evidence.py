"""Evidence supplied for a gate's requirements, and waivers an approver grants."""

from __future__ import annotations

import re
from datetime import datetime

from steerco.domain.errors import ValidationFailed

MAX_FILENAME = 255
# Types a browser shows but never runs; anything else (text/html, image/svg+xml...) is served as bytes,
# or a file an owner uploaded would run as a page of Steerco's origin for whoever opens it.
SERVED_AS_IS = frozenset({
    "application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain", "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
})


def served_type(content_type: str | None) -> str:
    """The content type an evidence file is served with: the uploader's if harmless, else bytes."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind if kind in SERVED_AS_IS else "application/octet-stream"


class Evidence:
    def __init__(self, requirement: str, kind: str, uploaded_by, uploaded_at: datetime, *,
                 filename: str | None = None, sha256: str | None = None, size: int | None = None,
                 content_type: str | None = None, url: str | None = None, title: str = ""):
        if kind == "file":
            if not filename or len(filename) > MAX_FILENAME or not sha256:
                raise ValidationFailed({"file": ["a named file is required"]})
        elif kind == "link":
            if not isinstance(url, str) or not re.match(r"^https?://\S+$", url) or len(url) > 2000:
                raise ValidationFailed({"url": ["expected an http(s) link of at most 2000 characters"]})
        else:
            raise ValidationFailed({"kind": ["file or link"]})
        self.requirement = requirement
        self.kind = kind
        self.filename = filename
        self.sha256 = sha256
        self.size = size
        self.content_type = content_type
        self.url = url
        self.title = title or filename or url
        self.uploaded_by = uploaded_by
        self.uploaded_at = uploaded_at


class EvidenceWaiver:
    """An approver's "not required" for one requirement, with the reason."""

    def __init__(self, requirement: str, reason: str, waived_by, waived_at: datetime):
        if not isinstance(reason, str) or len(reason.strip()) < 5:
            raise ValidationFailed({"reason": ["say why this evidence is not required (5 characters at least)"]})
        self.requirement = requirement
        self.reason = reason.strip()
        self.waived_by = waived_by
        self.waived_at = waived_at
