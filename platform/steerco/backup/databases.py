"""Dumping and restoring the database: SQLite through its online backup API, PostgreSQL through
``pg_dump -Fc`` and ``pg_restore`` (the newest under /usr/lib/postgresql/*/bin, else on PATH)."""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

# A database holding any of these rows is not overwritten without --force.
CONTENT_TABLES = ("audit_events", "measures", "users")


class BackupError(Exception):
    """A dump or a restore could not be done; the message says why."""


def backend_of(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups of {name} databases are not supported (SQLite and PostgreSQL are)")
    return name


def dump_name(backend: str) -> str:
    return "database.sqlite3" if backend == "sqlite" else "database.pgdump"


def rows_in(url: str) -> int:
    """How many rows the content tables hold (0 for a new or freshly migrated database)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            return sum(conn.execute(text(f"SELECT count(*) FROM {name}")).scalar()
                       for name in CONTENT_TABLES if name in present)
    finally:
        engine.dispose()


def dump(url: str, target: Path, progress) -> None:
    if backend_of(url) == "sqlite":
        _sqlite_copy(sqlite_path(url), target, progress)
    else:
        _run(_pg_tool("pg_dump"), "-Fc", "--no-owner", "--no-privileges", "-f", str(target), url=url)


def restore(url: str, source: Path, progress) -> None:
    if backend_of(url) == "sqlite":
        _sqlite_copy(source, sqlite_path(url), progress)
    else:
        # --clean drops what a freshly migrated (or, with --force, a filled) database already has.
        _run(_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--exit-on-error", str(source), url=url, dbname_option=True)


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return Path(database)


def _sqlite_copy(source: Path, target: Path, progress) -> None:
    """Page by page while the source stays usable: writers are not blocked for the whole copy."""
    if not source.exists():
        raise BackupError(f"no SQLite database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst, pages=256, progress=lambda _status, remaining, total:
                   progress("copying database pages", total - remaining, total))
    finally:
        dst.close()
        src.close()


def find_pg_bin_dir() -> str | None:
    """The newest /usr/lib/postgresql/*/bin with pg_dump (a pg_dump older than the server refuses to run)."""
    found = [os.path.dirname(p) for p in glob.glob("/usr/lib/postgresql/*/bin/pg_dump")]
    if found:
        return max(found, key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.split("/")[-2])))
    return None


def _pg_tool(name: str) -> str:
    folder = os.environ.get("STEERCO_PG_BIN") or find_pg_bin_dir()
    tool = os.path.join(folder, name) if folder else shutil.which(name)
    if not tool or not os.access(tool, os.X_OK):
        raise BackupError(f"{name} not found (looked in /usr/lib/postgresql/*/bin and on PATH; set STEERCO_PG_BIN "
                          f"to its folder): install the PostgreSQL client programs")
    return tool


def _run(tool: str, *args: str, url: str, dbname_option: bool = False) -> None:
    u = make_url(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(PGHOST=u.host or "localhost", PGPORT=str(u.port or 5432), PGUSER=u.username or "postgres",
               PGDATABASE=u.database or "postgres")
    if u.password:
        env["PGPASSWORD"] = u.password  # in the environment of the child, never on its command line
    cmd = [tool, *args]
    if dbname_option:
        cmd[1:1] = ["-d", u.database]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise BackupError(f"{os.path.basename(tool)} failed (exit {done.returncode}): "
                          f"{(done.stderr or done.stdout).strip()[-2000:]}")
