"""The backup archive: one tar file holding the database dump, the evidence files and a manifest.

``manifest.json`` comes first and lists every other member with its size and SHA-256; a restore reads
and checks every member against it before it changes anything, so a damaged or altered archive is
refused whole.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

FORMAT = "steerco-backup"
VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1 << 20


class ArchiveRejected(Exception):
    """The archive is not a Steerco backup, or does not match its manifest; nothing was restored."""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def write(out: Path, backend: str, revision: str | None, members: list[tuple[str, Path]], progress) -> dict:
    """Write ``members`` (name in the archive, file on disk) and their manifest to ``out``."""
    files = []
    for i, (name, path) in enumerate(members, 1):
        files.append({"name": name, "size": path.stat().st_size, "sha256": sha256_of(path)})
        progress("hashing", i, len(members))
    manifest = {"format": FORMAT, "version": VERSION, "backend": backend, "schema_revision": revision,
                "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "files": files}
    raw = json.dumps(manifest, indent=1).encode()
    partial = out.with_name(out.name + ".partial")
    with tarfile.open(partial, "w") as tar:
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime = len(raw), int(datetime.now(timezone.utc).timestamp())
        tar.addfile(info, io.BytesIO(raw))
        for i, (name, path) in enumerate(members, 1):
            tar.add(path, arcname=name, recursive=False)
            progress("archiving", i, len(members))
    partial.replace(out)
    return manifest


def check(path: Path, into: Path, progress) -> dict:
    """Extract the archive at ``path`` into the folder ``into``, checking every member against the manifest.

    :returns: the manifest. :raises ArchiveRejected: naming the first member that does not match.
    """
    try:
        tar = tarfile.open(path, "r")
    except (tarfile.TarError, OSError) as e:
        raise ArchiveRejected(f"{path}: not a Steerco backup archive ({e})") from None
    with tar:
        manifest = _manifest(path, tar)
        expected = {f["name"]: f for f in manifest["files"]}
        seen = set()
        for member in tar:
            if member.name == MANIFEST:
                continue
            entry = expected.get(member.name)
            if entry is None or not member.isfile() or member.name in seen:
                raise ArchiveRejected(f"{path}: {member.name!r} is not listed in the manifest: the archive was "
                                      f"altered; nothing restored")
            seen.add(member.name)
            target = into / PurePosixPath(member.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            h, size = hashlib.sha256(), 0
            with tar.extractfile(member) as src, open(target, "wb") as dst:
                while chunk := src.read(CHUNK):
                    h.update(chunk)
                    size += len(chunk)
                    dst.write(chunk)
            if h.hexdigest() != entry["sha256"] or size != entry["size"]:
                raise ArchiveRejected(f"{path}: {member.name!r} does not match its SHA-256 in the manifest: the "
                                      f"archive was altered or damaged; nothing restored")
            progress("checking", len(seen), len(expected))
        missing = sorted(set(expected) - seen)
        if missing:
            raise ArchiveRejected(f"{path}: {len(missing)} file(s) of the manifest are missing from the archive "
                                  f"(first: {missing[0]!r}); nothing restored")
    return manifest


def _manifest(path: Path, tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.loads(tar.extractfile(member).read())
    except (KeyError, ValueError, AttributeError, tarfile.TarError):
        raise ArchiveRejected(f"{path}: no readable {MANIFEST}: not a Steerco backup archive") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), list):
        raise ArchiveRejected(f"{path}: {MANIFEST} is not a Steerco backup manifest")
    if manifest.get("version") != VERSION:
        raise ArchiveRejected(f"{path}: backup format version {manifest.get('version')!r}; this Steerco reads "
                              f"version {VERSION}")
    for entry in manifest["files"]:
        name = entry.get("name") if isinstance(entry, dict) else None
        parts = PurePosixPath(name).parts if isinstance(name, str) else ()
        if not parts or name.startswith("/") or ".." in parts or not isinstance(entry.get("sha256"), str) \
                or not isinstance(entry.get("size"), int):
            raise ArchiveRejected(f"{path}: {MANIFEST} lists a file it may not: {entry!r}")
    return manifest
