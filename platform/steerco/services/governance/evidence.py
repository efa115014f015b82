"""Evidence: files stored by content (SHA-256) under the instance folder or in a connector's document store, or links.

Files in a document store are uploaded or looked up outside any unit of work
(``steerco.services.integration.remote_evidence``); the functions here only
record what the store answered, in short transactions.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select

from steerco.domain.errors import Conflict, NotFound, ValidationFailed
from steerco.domain.evidence import Evidence, RemoteItem
from steerco.services.access import editable_measure, visible_measure
from steerco.services.governance.gates import refresh_pending_review
from steerco.services.models import model_of
from steerco.store import tables as t

CHUNK = 1 << 16


class TooLarge(ValidationFailed):
    code = "too_large"


class EvidenceAltered(Conflict):
    """A stored file no longer has the SHA-256 recorded when it was attached."""

    code = "evidence_altered"


def _requirement(measure, requirement: str) -> str:
    """:returns: the name of the first gate asking for ``requirement``."""
    model = model_of(measure.model_version)
    gates = {}
    for g in model.gates:
        for e in g.evidence:
            gates.setdefault(e.code, g.name)
    if requirement not in gates:
        raise ValidationFailed({"requirement": [
            f"unknown evidence requirement '{requirement}'; this measure's model asks for: {', '.join(sorted(gates))}"]})
    return gates[requirement]


def folder_for(uow, measure_id: int, requirement: str) -> tuple[str, str, str]:
    """Check that the actor may attach ``requirement`` evidence; the store folder for it (node, measure, gate).

    :raises ValidationFailed: unknown requirement. :raises PermissionDenied, NotFound: as for editing the measure.
    """
    _actor, measure = editable_measure(uow, measure_id)
    gate = _requirement(measure, requirement)
    return measure.node.code, measure.code, gate


def attach_stored(uow, measure_id: int, requirement: str, store: str, item: RemoteItem, *,
                  sha256: str | None = None, content_type: str = "") -> Evidence:
    """Record a file a document store holds (uploaded by Steerco, with its SHA-256, or linked by its owner)."""
    actor, measure = editable_measure(uow, measure_id)
    _requirement(measure, requirement)
    if item.folder:
        raise ValidationFailed({"item": [f"'{item.name}' is a folder; pick a file"]})
    ev = Evidence(requirement, "file", actor, uow.now, filename=safe_name(item.name), sha256=sha256,
                  size=item.size, content_type=(content_type or "application/octet-stream")[:200],
                  remote=item, store=store)
    return _attach(uow, measure, ev)


def stored_items(uow, store: str) -> list[tuple[int, str]]:
    """``(evidence id, item id)`` of every file kept in the document store ``store``."""
    from sqlalchemy import select

    from steerco.store import tables as t

    q = select(t.evidence.c.id, t.evidence.c.item_id).where(t.evidence.c.store == store).order_by(t.evidence.c.id)
    return [(i, item) for i, item in uow.session.execute(q).all()]


def observe(uow, evidence_id: int, item: RemoteItem | None, problem: str | None) -> bool:
    """Record what a check of a stored file found; re-check the measure's open review when that changed.

    :returns: whether the file's version or readability changed.
    """
    ev = uow.session.get(Evidence, evidence_id)
    if ev is None:  # removed since the check started
        return False
    before = ev.status
    if not ev.observe(item, problem, uow.now):
        return False
    measure = uow.measure(ev.measure_id, for_update=True)
    uow.record("evidence.checked", "evidence", ev.id, measure.code,
               before={"status": before}, after={"status": ev.status, "problem": ev.problem,
                                                 "etag": ev.current_etag, "hash": ev.current_hash})
    refresh_pending_review(uow, measure)
    return True


def attach_file(uow, measure_id: int, requirement: str, filename: str, stream: BinaryIO, storage: Path,
                *, content_type: str = "", max_bytes: int = 25 << 20) -> Evidence:
    actor, measure = editable_measure(uow, measure_id)
    _requirement(measure, requirement)
    name = safe_name(filename)
    digest, size, tmp = spool(stream, storage, max_bytes)
    target = storage / digest[:2] / digest
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        os.unlink(tmp)
    else:
        os.replace(tmp, target)
    ev = Evidence(requirement, "file", actor, uow.now, filename=name, sha256=digest, size=size,
                  content_type=(content_type or "application/octet-stream")[:200])
    return _attach(uow, measure, ev)


def attach_link(uow, measure_id: int, requirement: str, url: str, title: str = "") -> Evidence:
    actor, measure = editable_measure(uow, measure_id)
    _requirement(measure, requirement)
    ev = Evidence(requirement, "link", actor, uow.now, url=url, title=(title or "")[:2000])
    return _attach(uow, measure, ev)


def _attach(uow, measure, ev):
    measure.evidence.append(ev)
    measure.updated_at = uow.now
    uow.flush()
    uow.record("evidence.attached", "evidence", ev.id, measure.code,
               after={"requirement": ev.requirement, "kind": ev.kind, "title": ev.title, "sha256": ev.sha256,
                      "url": ev.url})
    refresh_pending_review(uow, measure)
    return ev


def open_file(uow, measure_id: int, evidence_id: int, storage: Path) -> tuple[Evidence, Path | None]:
    """The evidence file and its path in the instance folder (None: a document store holds it, see ``web_url``)."""
    _actor, measure = visible_measure(uow, measure_id)
    ev = next((e for e in measure.evidence if e.id == evidence_id and e.kind == "file"), None)
    if ev is None:
        raise NotFound(f"evidence: no file {evidence_id} on measure {measure.code}")
    if ev.store is not None:
        return ev, None
    path = storage / ev.sha256[:2] / ev.sha256
    if not path.exists():
        raise NotFound(f"evidence: the stored file of '{ev.filename}' is missing")
    found = _digest(path)
    if found != ev.sha256:
        raise EvidenceAltered(f"evidence: the stored file of '{ev.filename}' was altered: its SHA-256 is "
                              f"{found}, not {ev.sha256} as attached; restore it from a backup")
    return ev, path


def altered_files(uow, storage: Path) -> list[dict]:
    """Every evidence file kept in the instance folder whose copy is missing or no longer has its recorded SHA-256
    (files in a document store are checked by their connector's sync)."""
    out = []
    rows = uow.session.execute(select(t.evidence.c.id, t.evidence.c.filename, t.evidence.c.sha256, t.measures.c.code)
                               .join(t.measures, t.measures.c.id == t.evidence.c.measure_id)
                               .where(t.evidence.c.kind == "file", t.evidence.c.store.is_(None)).order_by(t.evidence.c.id))
    for ev_id, filename, sha256, code in rows:
        path = storage / sha256[:2] / sha256
        problem = "missing" if not path.exists() else None if _digest(path) == sha256 else "altered (SHA-256 differs)"
        if problem:
            out.append({"measure": code, "evidence": ev_id, "filename": filename, "problem": problem})
    return out


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def spool(stream, storage: Path, max_bytes: int) -> tuple[str, int, str]:
    """Copy an upload to a temporary file under ``storage``, piece by piece.

    :returns: its SHA-256, its size and the temporary file's path (the caller removes or moves it).
    :raises TooLarge: over ``max_bytes``. :raises ValidationFailed: empty.
    """
    storage.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(dir=storage, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge({"file": [f"larger than the limit of {max_bytes // (1 << 20)} MiB"]})
                h.update(chunk)
                out.write(chunk)
    except BaseException:
        os.unlink(tmp)
        raise
    if size == 0:
        os.unlink(tmp)
        raise ValidationFailed({"file": ["the file is empty"]})
    return h.hexdigest(), size, tmp


def safe_name(filename: str) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    name = re.sub(r"[\x00-\x1f]", "", name)
    if not name or name in (".", ".."):
        raise ValidationFailed({"file": ["the file needs a name"]})
    return name[:255]
