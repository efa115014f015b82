"""Evidence supplied for a gate's requirements, and waivers an approver grants."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    """One file or link supplied for a requirement.

    A file lives in the instance folder (``store`` None, found by its SHA-256) or
    in a document store a connector provides (``store`` names the connector
    configuration; ``item_id`` is the item there, ``web_url`` opens it). For a
    stored item Steerco keeps the version it saw at submission (``etag`` and
    the store's ``remote_hash``) and, after each check, the version it sees now
    or why it cannot read it (``problem``).
    """

    def __init__(self, requirement: str, kind: str, uploaded_by, uploaded_at: datetime, *,
                 filename: str | None = None, sha256: str | None = None, size: int | None = None,
                 content_type: str | None = None, url: str | None = None, title: str = "",
                 remote: RemoteItem | None = None, store: str | None = None):
        if kind == "file":
            if not filename or len(filename) > MAX_FILENAME or not (sha256 or remote):
                raise ValidationFailed({"file": ["a named file is required"]})
            if (remote is None) != (store is None):
                raise ValidationFailed({"file": ["a stored item needs the store it lives in"]})
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
        self.store = store
        self.item_id = remote.item_id if remote else None
        self.web_url = remote.web_url if remote else None
        self.etag = self.current_etag = remote.etag if remote else None
        self.remote_hash = self.current_hash = remote.hash if remote else None
        self.problem = None
        self.checked_at = uploaded_at if remote else None

    @property
    def location(self) -> str:
        return "local" if self.store is None else "remote"

    @property
    def changed(self) -> bool:
        """Whether the stored item's content differs from the version seen at submission."""
        if self.store is None:
            return False
        if self.remote_hash and self.current_hash:
            return self.remote_hash != self.current_hash
        return self.etag != self.current_etag

    @property
    def status(self) -> str:
        """``current``, ``changed`` (since submitted) or ``unreadable`` (see :attr:`problem`)."""
        if self.problem:
            return "unreadable"
        return "changed" if self.changed else "current"

    def observe(self, remote: RemoteItem | None, problem: str | None, when: datetime) -> bool:
        """Record what a check of the stored item found now.

        :param remote: the item as the store shows it, or None when it could not be read.
        :param problem: why it could not be read (permissions, deleted...).
        :returns: whether anything a gate reads changed: the content's version (a rename
            changes the eTag only, when the store gives a content hash) or readability.
        """
        before = (self.fingerprint(), self.problem)
        if remote is not None:
            self.current_etag, self.current_hash = remote.etag, remote.hash
            self.web_url = remote.web_url or self.web_url
        self.problem = (problem or "")[:500] or None
        self.checked_at = when
        return before != (self.fingerprint(), self.problem)

    def fingerprint(self) -> str:
        """What a gate reads of a stored item: its current version, or that it cannot be read."""
        return "unreadable" if self.problem else f"{self.item_id}@{self.current_hash or self.current_etag}"


@dataclass(frozen=True)
class RemoteItem:
    """A file in a document store, as a connector reports it."""

    item_id: str
    name: str
    web_url: str | None = None
    size: int | None = None
    etag: str | None = None
    hash: str | None = None
    folder: bool = False


class EvidenceWaiver:
    """An approver's "not required" for one requirement, with the reason."""

    def __init__(self, requirement: str, reason: str, waived_by, waived_at: datetime):
        if not isinstance(reason, str) or len(reason.strip()) < 5:
            raise ValidationFailed({"reason": ["say why this evidence is not required (5 characters at least)"]})
        self.requirement = requirement
        self.reason = reason.strip()
        self.waived_by = waived_by
        self.waived_at = waived_at
