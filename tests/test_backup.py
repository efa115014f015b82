"""`steerco backup` and `steerco restore` on SQLite and PostgreSQL, as an operator runs them."""

from __future__ import annotations

import io
import itertools
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parents[1]
STEERCO = [sys.executable, "-m", "steerco.cli.main"]
_names = itertools.count()


def run(env, *args):
    return subprocess.run(STEERCO + list(args), env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)


def ok(env, *args) -> str:
    p = run(env, *args)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout + p.stderr


def instance(request, tmp_path, backend: str, name: str) -> dict:
    """The environment of a new, empty instance (no schema yet) on ``backend``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEERCO_")}
    env["STEERCO_INSTANCE_PATH"] = str(tmp_path / name)
    if backend == "postgresql":
        postgres = request.getfixturevalue("postgres")
        db = f"backup{next(_names)}"
        postgres.create_database(db)
        request.addfinalizer(lambda: postgres.drop_database(db))
        env["STEERCO_DATABASE_URL"] = postgres.url(db)
    return env


def url_of(env) -> str:
    return env.get("STEERCO_DATABASE_URL") or f"sqlite:///{env['STEERCO_INSTANCE_PATH']}/steerco.db"


def count_measures(env) -> int:
    from steerco.store import tables as t

    engine = create_engine(url_of(env))
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(t.measures))
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backed_up(request, tmp_path_factory):
    """An instance with the demo portfolio (evidence files included) and its backup (made once per backend)."""
    tmp_path = tmp_path_factory.mktemp(f"backup-{request.param}")
    source = instance(request, tmp_path, request.param, "source")
    ok(source, "db", "upgrade")
    ok(source, "config", "apply", "config/governance/default.yaml")
    ok(source, "demo", "--measures", "4")
    archive = tmp_path / "backup.tar"
    out = ok(source, "backup", "--out", str(archive))
    assert "backup written" in out and "evidence file(s)" in out and "dumping the database" in out
    return request.param, source, archive


def test_a_backup_restored_into_a_fresh_database_passes_audit_verify(backed_up, request, tmp_path):
    backend, source, archive = backed_up
    evidence = sorted(p.relative_to(Path(source["STEERCO_INSTANCE_PATH"]) / "evidence")
                      for p in (Path(source["STEERCO_INSTANCE_PATH"]) / "evidence").rglob("*") if p.is_file())
    assert evidence, "the demo attaches evidence files"
    target = instance(request, tmp_path, backend, "target")
    out = ok(target, "restore", str(archive))
    assert "checking:" in out and "restoring the database" in out
    assert "audit trail intact" in out and "evidence files intact" in out
    assert count_measures(target) == count_measures(source) > 0
    restored = Path(target["STEERCO_INSTANCE_PATH"]) / "evidence"
    assert sorted(p.relative_to(restored) for p in restored.rglob("*") if p.is_file()) == evidence
    assert "audit trail intact" in ok(target, "audit", "verify")

    again = run(target, "restore", str(archive))
    assert again.returncode == 1 and "already holds data" in again.stderr and "--force" in again.stderr
    assert "audit trail intact" in ok(target, "restore", "--force", str(archive))


def _rewrite(archive: Path, out: Path, change) -> None:
    """Copy ``archive`` to ``out`` with ``change(name, bytes) -> bytes`` applied to each member."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src:
            data = change(member.name, src.extractfile(member).read())
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


def test_an_altered_archive_is_refused_and_nothing_restored(backed_up, request, tmp_path):
    backend, _source, archive = backed_up
    target = instance(request, tmp_path, backend, "target")
    tampered = tmp_path / "tampered.tar"

    def flip_evidence(name, data):
        return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("evidence/") else data

    _rewrite(archive, tampered, flip_evidence)
    p = run(target, "restore", str(tampered))
    assert p.returncode == 1 and "does not match its SHA-256 in the manifest" in p.stderr, p.stderr
    assert "nothing restored" in p.stderr and "Traceback" not in p.stderr
    assert not (Path(target["STEERCO_INSTANCE_PATH"]) / "evidence").exists()

    def add_a_file_to_the_manifest(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["files"].append({"name": "evidence/00/missing", "size": 1, "sha256": "0" * 64})
        return json.dumps(manifest).encode()

    _rewrite(archive, tampered, add_a_file_to_the_manifest)
    p = run(target, "restore", str(tampered))
    assert p.returncode == 1 and "missing from the archive" in p.stderr, p.stderr

    not_a_backup = tmp_path / "notes.tar"
    not_a_backup.write_bytes(b"just some bytes")
    p = run(target, "restore", str(not_a_backup))
    assert p.returncode == 1 and "not a Steerco backup archive" in p.stderr, p.stderr
    # Still empty: the real archive restores into it.
    assert "audit trail intact" in ok(target, "restore", str(archive))
