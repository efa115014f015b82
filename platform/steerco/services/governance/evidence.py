"""Evidence: files stored by content (SHA-256) under the instance folder, or links."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select

from steerco.domain.errors import Conflict, NotFound, ValidationFailed
from steerco.domain.evidence import Evidence
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
    model = model_of(measure.model_version)
    known = {e.code for g in model.gates for e in g.evidence}
    if requirement not in known:
        raise ValidationFailed({"requirement": [
            f"unknown evidence requirement '{requirement}'; this measure's model asks for: {', '.join(sorted(known))}"]})
    return requirement


def attach_file(uow, measure_id: int, requirement: str, filename: str, stream: BinaryIO, storage: Path,
                *, content_type: str = "", max_bytes: int = 25 << 20) -> Evidence:
    actor, measure = editable_measure(uow, measure_id)
    _requirement(measure, requirement)
    name = _safe_name(filename)
    digest, size, tmp = _spool(stream, storage, max_bytes)
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


def open_file(uow, measure_id: int, evidence_id: int, storage: Path) -> tuple[Evidence, Path]:
    _actor, measure = visible_measure(uow, measure_id)
    ev = next((e for e in measure.evidence if e.id == evidence_id and e.kind == "file"), None)
    if ev is None:
        raise NotFound(f"evidence: no file {evidence_id} on measure {measure.code}")
    path = storage / ev.sha256[:2] / ev.sha256
    if not path.exists():
        raise NotFound(f"evidence: the stored file of '{ev.filename}' is missing")
    found = _digest(path)
    if found != ev.sha256:
        raise EvidenceAltered(f"evidence: the stored file of '{ev.filename}' was altered: its SHA-256 is "
                              f"{found}, not {ev.sha256} as attached; restore it from a backup")
    return ev, path


def altered_files(uow, storage: Path) -> list[dict]:
    """Every evidence file whose stored copy is missing or no longer has its recorded SHA-256."""
    out = []
    rows = uow.session.execute(select(t.evidence.c.id, t.evidence.c.filename, t.evidence.c.sha256, t.measures.c.code)
                               .join(t.measures, t.measures.c.id == t.evidence.c.measure_id)
                               .where(t.evidence.c.kind == "file").order_by(t.evidence.c.id))
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


def _spool(stream, storage: Path, max_bytes: int):
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


def _safe_name(filename: str) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    name = re.sub(r"[\x00-\x1f]", "", name)
    if not name or name in (".", ".."):
        raise ValidationFailed({"file": ["the file needs a name"]})
    return name[:255]
