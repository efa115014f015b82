"""``steerco backup`` and ``steerco restore``: the database and the evidence files in one archive.

The archive (see :mod:`steerco.backup.archive`) holds the database dump and every file of the instance's
evidence store, each with its SHA-256 in a manifest. A restore checks the whole archive first, refuses to
replace a database that holds data unless forced, then restores the database and the files; the caller
verifies the audit chain and the evidence files afterwards.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from steerco.backup import archive, databases
from steerco.backup.archive import ArchiveRejected
from steerco.backup.databases import BackupError

__all__ = ["ArchiveRejected", "BackupError", "backup", "restore"]

EVIDENCE = "evidence"


def backup(settings, out: Path, progress) -> dict:
    """Write the backup of ``settings``' instance to ``out``; returns the manifest."""
    url = settings.database_url
    backend = databases.backend_of(url)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=_scratch(settings)) as scratch:
        dumped = Path(scratch) / databases.dump_name(backend)
        progress("dumping the database", 0, 1)
        databases.dump(url, dumped, progress)
        members = [(dumped.name, dumped)] + [(f"{EVIDENCE}/{p.relative_to(settings.evidence_dir).as_posix()}", p)
                                            for p in _evidence_files(settings.evidence_dir)]
        return archive.write(out, backend, _revision(url), members, progress)


def restore(settings, source: Path, *, force: bool, progress) -> dict:
    """Restore the archive ``source`` into ``settings``' database and evidence store; returns the manifest.

    :raises ArchiveRejected: the archive does not match its manifest (nothing was changed).
    :raises BackupError: the database holds data and ``force`` is not set, or the dump is of another backend.
    """
    url = settings.database_url
    backend = databases.backend_of(url)
    held = databases.rows_in(url) if _exists(url) else 0
    if held and not force:
        raise BackupError(f"the database already holds data ({held} rows of users, measures and audit events): "
                          f"restore into an empty database, or add --force to replace it")
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=_scratch(settings)) as scratch:
        folder = Path(scratch)
        manifest = archive.check(source, folder, progress)
        if manifest["backend"] != backend:
            raise BackupError(f"{source} holds a {manifest['backend']} database; this instance uses {backend} "
                              f"(restore it into a {manifest['backend']} database)")
        progress("restoring the database", 0, 1)
        databases.restore(url, folder / databases.dump_name(backend), progress)
        files = [f["name"] for f in manifest["files"] if f["name"].startswith(EVIDENCE + "/")]
        for i, name in enumerate(files, 1):
            target = settings.evidence_dir / Path(name).relative_to(EVIDENCE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(folder / name, target)
            progress("restoring evidence files", i, len(files))
    return manifest


def _evidence_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    # Uploads still being received are not part of any evidence.
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".upload-"))


def _scratch(settings) -> Path:
    """Work files live in the instance folder: on the evidence store's file system, so files move, not copy."""
    folder = settings.instance_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _exists(url: str) -> bool:
    if databases.backend_of(url) == "sqlite":
        return databases.sqlite_path(url).exists()
    return True


def _revision(url: str) -> str | None:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if "alembic_version" not in inspect(conn).get_table_names():
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
