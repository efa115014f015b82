"""Real PostgreSQL for tests and benchmarks, started on 127.0.0.1 on a free port.

Plain Python (no pytest inside the classes) so benchmarks can use it too::

    with PostgresServer() as pg:
        pg.create_database("app")
        engine = sqlalchemy.create_engine(pg.url("app"))

The process plumbing (ports, PIDs, server directories, errors) is in
:mod:`support.processes`, shared with the OpenLDAP, Redis and SMTP helpers and
re-exported here. Missing binaries raise :class:`ServerNotInstalled`; install
them with ``.ci/ensure-system-packages`` (see docs/TESTING.md).
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import threading

from support.processes import (  # noqa: F401  (re-exported for the other server helpers)
    INSTALL_HINT,
    ServerError,
    ServerNotInstalled,
    ServerStartError,
    _clean_env,
    default_parent_dir,
    free_port,
    log_tail,
    make_server_dir,
    wait_pid_gone,
)

__all__ = [
    "free_port",
    "ServerError",
    "ServerNotInstalled",
    "ServerStartError",
    "PostgresServer",
]

# --------------------------------------------------------------------------- PostgreSQL


def find_postgres_bin_dir() -> str:
    """The newest /usr/lib/postgresql/*/bin that has initdb and pg_ctl (else PATH)."""

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", path.split("/")[-3]))

    candidates = [
        os.path.dirname(p)
        for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")
        if os.access(os.path.join(os.path.dirname(p), "pg_ctl"), os.X_OK)
    ]
    if candidates:
        return max(candidates, key=version)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl", path=os.path.dirname(initdb)):
        return os.path.dirname(initdb)
    raise ServerNotInstalled(
        "PostgreSQL server binaries (initdb, pg_ctl) not found under "
        "/usr/lib/postgresql/*/bin or on PATH: " + INSTALL_HINT.format(packages="postgresql")
    )


# One freshly initdb'd (never started) cluster per process, copied by later
# starts when reuse_initdb=True (see PostgresServer).
_initdb_cache: dict[tuple, str] = {}
_initdb_cache_lock = threading.Lock()


def _remove_initdb_cache(path: str, creator_pid: int) -> None:
    if os.getpid() == creator_pid:  # not in a forked child
        shutil.rmtree(path, ignore_errors=True)


class PostgresServer:
    """A throw-away PostgreSQL cluster: ``initdb`` + ``pg_ctl start`` on a free port.

    As root the binaries run as the ``postgres`` user (``runuser -u postgres --``),
    otherwise as the current user. Authentication is ``trust``; the superuser is
    ``postgres``. Durability is off (fsync, synchronous_commit, full_page_writes).
    With ``reuse_initdb=True`` the first such server of a process runs initdb
    once into a cache dir that later ones copy (``cp -a``; removed at exit). On
    /tmp here initdb ~1.8 s, copy ~1 s: it pays off only from the third server
    on; on tmpfs (/dev/shm) initdb ~0.6 s, copy ~0.06 s.
    """

    START_ATTEMPTS = 4

    def __init__(self, *, port: int | None = None, bin_dir: str | None = None,
                 start_timeout: int = 60, extra_options: tuple[str, ...] = (),
                 parent_dir: str | None = None, reuse_initdb: bool = False):
        self.requested_port = port
        self.port: int | None = None
        self.bin_dir = bin_dir
        self.start_timeout = start_timeout
        self.extra_options = tuple(extra_options)
        self.parent_dir = parent_dir or default_parent_dir()
        self.reuse_initdb = reuse_initdb
        self.base_dir: str | None = None
        self.pid: int | None = None
        self._owner: str | None = None
        self._atexit = None

    # ---- paths
    @property
    def data_dir(self) -> str:
        return os.path.join(self._need_base(), "data")

    @property
    def socket_dir(self) -> str:
        return os.path.join(self._need_base(), "sock")

    @property
    def log_file(self) -> str:
        return os.path.join(self._need_base(), "postgres.log")

    def _need_base(self) -> str:
        if self.base_dir is None:
            raise ServerError("PostgresServer is not started")
        return self.base_dir

    # ---- running the binaries
    def _cmd(self, tool: str, *args: str) -> list[str]:
        cmd = [os.path.join(self.bin_dir, tool), *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return cmd

    def _run(self, tool: str, *args: str, timeout: float = 120,
             cwd: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(self._cmd(tool, *args), cwd=cwd or self.base_dir, env=_clean_env(),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=timeout)

    # ---- lifecycle
    def start(self) -> "PostgresServer":
        if self.pid is not None:
            return self
        if self.bin_dir is None:
            self.bin_dir = find_postgres_bin_dir()
        owner = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise ServerNotInstalled(
                    "running as root but there is no `postgres` user: "
                    + INSTALL_HINT.format(packages="postgresql")) from None
            owner = "postgres"
        self._owner = owner
        self.base_dir = make_server_dir("steerco-pg-", owner, self.parent_dir)
        self._atexit = atexit.register(self.stop)
        try:
            os.mkdir(self.socket_dir)
            if owner:
                shutil.chown(self.socket_dir, owner, owner)
            if self.reuse_initdb:
                self._copy_cluster(self._cached_cluster())
            else:
                self._initdb(self.data_dir)
            self._start_postmaster()
        except BaseException:
            self.stop()
            raise
        return self

    def _cached_cluster(self) -> str:
        key = (self.bin_dir, self.parent_dir, self._owner)
        with _initdb_cache_lock:
            cached = _initdb_cache.get(key)
            if cached and os.path.isfile(os.path.join(cached, "data", "PG_VERSION")):
                return os.path.join(cached, "data")
            cache_dir = make_server_dir("steerco-pg-initdb-", self._owner, self.parent_dir)
            try:
                self._initdb(os.path.join(cache_dir, "data"), cwd=cache_dir)
            except BaseException:
                shutil.rmtree(cache_dir, ignore_errors=True)
                raise
            atexit.register(_remove_initdb_cache, cache_dir, os.getpid())
            _initdb_cache[key] = cache_dir
            return os.path.join(cache_dir, "data")

    def _copy_cluster(self, source: str) -> None:
        # as root, cp -a keeps the postgres ownership and the 0700 mode
        r = subprocess.run(["cp", "-a", source, self.data_dir], capture_output=True, text=True)
        if r.returncode != 0:
            raise ServerStartError(f"copying the initdb'd cluster failed: {r.stderr.strip()}")

    def _initdb(self, data_dir: str, cwd: str | None = None) -> None:
        locale = "C.UTF-8" if os.path.isdir("/usr/lib/locale/C.utf8") else "C"
        r = self._run("initdb", "--no-sync", "-A", "trust", "-U", "postgres",
                      "-E", "UTF8", f"--locale={locale}", "-D", data_dir, cwd=cwd)
        if r.returncode != 0:
            raise ServerStartError(
                f"initdb failed (exit {r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")

    def _start_postmaster(self) -> None:
        last_error = None
        for _ in range(1 if self.requested_port else self.START_ATTEMPTS):
            port = self.requested_port or free_port()
            options = " ".join([
                f"-p {port}", f"-k {self.socket_dir}",
                "-c listen_addresses=127.0.0.1",
                "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
                *self.extra_options,
            ])
            # truncate the log so the tail shown on failure is this attempt's
            open(self.log_file, "w").close()
            if os.geteuid() == 0:
                shutil.chown(self.log_file, "postgres", "postgres")
            r = self._run("pg_ctl", "-w", "-t", str(self.start_timeout), "-D", self.data_dir,
                          "-l", self.log_file, "-o", options, "start",
                          timeout=self.start_timeout + 30)
            if r.returncode == 0:
                self.port = port
                self.pid = self._read_pid()
                return
            tail = log_tail(self.log_file)
            last_error = ServerStartError(
                f"PostgreSQL did not start on 127.0.0.1:{port} (pg_ctl exit {r.returncode}).\n"
                f"pg_ctl: {(r.stdout + r.stderr).strip()[-2000:]}\n"
                f"--- tail of {self.log_file} ---\n{tail}")
            self._kill_leftover()
            if "already in use" not in tail and "could not bind" not in tail:
                break
        raise last_error

    def _read_pid(self) -> int:
        with open(os.path.join(self.data_dir, "postmaster.pid")) as f:
            return int(f.readline())

    def _kill_leftover(self) -> None:
        try:
            pid = self._read_pid()
        except (OSError, ValueError):
            return
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        wait_pid_gone(pid, 5)

    def stop(self) -> None:
        """Stop the server (``pg_ctl stop -m immediate``, SIGKILL as a fallback),
        wait until its PID is gone, and remove its directory. Idempotent."""
        if self._atexit is not None:
            atexit.unregister(self.stop)
            self._atexit = None
        if self.base_dir is None:
            return
        try:
            if self.pid is not None:
                try:
                    self._run("pg_ctl", "-D", self.data_dir, "-m", "immediate", "-w",
                              "-t", "30", "stop", timeout=60)
                except subprocess.TimeoutExpired:
                    pass
                if not wait_pid_gone(self.pid, 5):
                    try:
                        os.kill(self.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    wait_pid_gone(self.pid, 5)
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None
            self.pid = None

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<PostgresServer port={self.port} pid={self.pid} dir={self.base_dir}>"

    # ---- databases
    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3 driver)."""
        if self.port is None:
            raise ServerError("PostgresServer is not started")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def dsn(self, dbname: str = "postgres") -> str:
        """libpq connection string, for psycopg.connect()."""
        if self.port is None:
            raise ServerError("PostgresServer is not started")
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def _admin(self):
        import psycopg

        return psycopg.connect(self.dsn("postgres"), autocommit=True)

    def create_database(self, name: str, template: str | None = None) -> None:
        """CREATE DATABASE *name*, optionally copied from *template*.

        Other sessions on the template would make the copy fail, so they are
        terminated first (dispose your engine on the template anyway)."""
        from psycopg import sql

        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        with self._admin() as conn:
            if template is not None:
                self._terminate(conn, template)
                query = sql.SQL("{} TEMPLATE {}").format(query, sql.Identifier(template))
            conn.execute(query)

    def drop_database(self, name: str) -> None:
        """DROP DATABASE IF EXISTS *name*, terminating its connections first."""
        from psycopg import sql

        with self._admin() as conn:
            self._terminate(conn, name)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))

    @staticmethod
    def _terminate(conn, dbname: str) -> None:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (dbname,))
