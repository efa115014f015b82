"""Tests for the real-server helpers in tests/support/servers.py."""

import os
import socket

import pytest
import sqlalchemy as sa

from . import servers
from .processes import pid_alive
from .servers import PostgresServer, ServerNotInstalled, ServerStartError, free_port

pytestmark = pytest.mark.postgresql

# The module fixture and server "a" below run initdb; the others copy the
# per-process initdb cache (reuse_initdb=True), which also tests that path.


@pytest.fixture(scope="module", autouse=True)
def postgres_installed():
    # No skip: a machine without PostgreSQL is a broken test setup.
    try:
        servers.find_postgres_bin_dir()
    except ServerNotInstalled as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="module")
def pg():
    with PostgresServer() as server:
        yield server


def test_free_port_is_bindable():
    port = free_port()
    assert 1024 < port < 65536
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_missing_binaries_tell_how_to_install(monkeypatch):
    monkeypatch.setattr(servers.glob, "glob", lambda pattern: [])
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ServerNotInstalled, match=r"\.ci/ensure-system-packages postgresql"):
        PostgresServer().start()


def test_start_and_stop_by_pid():
    server = PostgresServer(reuse_initdb=True).start()
    pid, base_dir, port = server.pid, server.base_dir, server.port
    try:
        assert pid_alive(pid)
        assert oct(os.stat(base_dir).st_mode & 0o777) == "0o755"
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        engine = sa.create_engine(server.url("postgres"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_user")).scalar() == "postgres"
            assert conn.execute(sa.text("SHOW fsync")).scalar() == "off"
            assert conn.execute(sa.text("SELECT pg_backend_pid()")).scalar() != pid
        engine.dispose()
    finally:
        server.stop()
    assert not pid_alive(pid)
    assert not os.path.exists(base_dir)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    server.stop()  # idempotent


def test_create_database_from_template_and_read_it(pg):
    pg.create_database("tmpl")
    engine = sa.create_engine(pg.url("tmpl"))
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE measure (id int PRIMARY KEY, name text)"))
        conn.execute(sa.text("INSERT INTO measure VALUES (1, 'Réduire les coûts'), (2, 'b')"))
    # a session still open on the template must not make the copy fail
    lingering = engine.connect()
    lingering.execute(sa.text("SELECT 1"))

    pg.create_database("copy1", template="tmpl")
    lingering.invalidate()  # create_database terminated it
    copy = sa.create_engine(pg.url("copy1"))
    with copy.begin() as conn:
        rows = conn.execute(sa.text("SELECT id, name FROM measure ORDER BY id")).all()
        assert rows == [(1, "Réduire les coûts"), (2, "b")]
        conn.execute(sa.text("DELETE FROM measure"))  # copies are independent
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM measure")).scalar() == 2

    # drop works with a connection still open on the copy
    held = copy.connect()
    held.execute(sa.text("SELECT 1"))
    pg.drop_database("copy1")
    held.invalidate()  # terminated by drop_database
    with sa.create_engine(pg.url("postgres")).connect() as conn:
        names = conn.execute(sa.text("SELECT datname FROM pg_database")).scalars().all()
    assert "copy1" not in names and "tmpl" in names
    pg.drop_database("copy1")  # IF EXISTS
    engine.dispose()
    copy.dispose()


def test_two_servers_at_once_are_isolated():
    # one from a fresh initdb, one copied from the per-process initdb cache
    with PostgresServer() as a, PostgresServer(reuse_initdb=True) as b:
        assert a.port != b.port and a.pid != b.pid
        assert pid_alive(a.pid) and pid_alive(b.pid)
        a.create_database("only_in_a")
        for server, expected in ((a, 1), (b, 0)):
            with sa.create_engine(server.url()).connect() as conn:
                n = conn.execute(sa.text(
                    "SELECT count(*) FROM pg_database WHERE datname = 'only_in_a'")).scalar()
                assert n == expected
                assert conn.execute(sa.text("SELECT inet_server_port()")).scalar() == server.port
        pids = (a.pid, b.pid)
    assert not any(pid_alive(p) for p in pids)


def test_retries_on_another_port_when_port_is_taken(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        ports = iter([busy])
        monkeypatch.setattr(servers, "free_port", lambda: next(ports, None) or free_port())
        with PostgresServer(reuse_initdb=True) as server:
            assert server.port != busy
            with sa.create_engine(server.url()).connect() as conn:
                assert conn.execute(sa.text("SELECT 1")).scalar() == 1


def test_start_failure_includes_log_tail_and_cleans_up():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        server = PostgresServer(port=busy, reuse_initdb=True)
        with pytest.raises(ServerStartError, match=r"(?s)tail of .*postgres\.log.*could not"):
            server.start()
    assert server.base_dir is None and server.pid is None

    bad = PostgresServer(extra_options=("-c shared_buffers=nonsense",), reuse_initdb=True)
    with pytest.raises(ServerStartError, match=r"(?s)tail of .*shared_buffers"):
        bad.start()
