"""Measure list, dashboard and sponsor inbox through the real WSGI server (waitress) at 50,000 measures.

Run: ``python tests/benchmarks/bench_ui.py [--quick] [--measures 50000] [--requests 10] [--rounds 5]``.

The portfolio is tests/support/bulk.py's (SQLite, spread over 20 projects, every
DoI and two model versions), plus 1,000 measures under PA whose reviews wait
for the sponsor bob. The app is served by waitress, as ``steerco serve`` does
(8 threads), on 127.0.0.1 at a free port; the clients are separate processes
(so their Python does not share the server's interpreter lock), logged in
through the login form, each with one keep-alive connection.

Goals:

- the sponsor's inbox with 1,000 waiting reviews (the first page, 50 shown):
  under 150 ms and under 20 SQL statements per request, one client at a time
  (every statement of every engine in the server process counted with an
  engine event); the time is the client's round trip on 127.0.0.1, an upper
  bound of the server time;
- the measure list and the dashboard for admin (who sees every measure): p95
  under 200 ms with 8 concurrent clients each issuing ``--requests`` requests.

Every figure comes from interleaved rounds with the floor, ``/health`` (one
trivial query) under the same load, whose ratio is printed for information.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
import statistics
import tempfile
import threading
import time
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from harness import Timer, arguments, bench, finish, info, note, percentile
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from conftest import USERS
from steerco.migrate import upgrade
from steerco.settings import Settings
from steerco.store import tables as t
from steerco.store.uow import Store
from steerco_admin.accounts import ensure_login
from steerco_admin.app import create_app, ensure_security_roles
from support import bulk

CLIENTS = 8
INBOX = 1000
HOST = "127.0.0.1"
TIMEOUT = 120  # seconds per request: a bound, not a goal


def login(port: int, user: str) -> str:
    """The Cookie header of a session logged in through the login form."""
    conn = HTTPConnection(HOST, port, timeout=TIMEOUT)
    conn.request("GET", "/login/")
    r = conn.getresponse()
    page = r.read().decode()
    jar = SimpleCookie(r.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    conn.request("POST", "/login/", body=urlencode({"username": user, "password": "pw", "csrf_token": token}),
                 headers={"Content-Type": "application/x-www-form-urlencoded",
                          "Cookie": "; ".join(f"{k}={m.value}" for k, m in jar.items())})
    r = conn.getresponse()
    r.read()
    assert r.status == 302, f"login of {user} failed: {r.status}"
    jar.load(r.getheader("Set-Cookie") or "")
    conn.close()
    return "; ".join(f"{k}={m.value}" for k, m in jar.items())


def client(job) -> list[float]:
    """One client: ``n`` GETs of ``path`` on one keep-alive connection; the latencies in seconds."""
    port, cookie, path, n = job
    conn = HTTPConnection(HOST, port, timeout=TIMEOUT)
    out = []
    try:
        for _ in range(n):
            start = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            r = conn.getresponse()
            r.read()
            out.append(time.perf_counter() - start)
            if r.status != 200:
                raise RuntimeError(f"GET {path}: {r.status}")
    finally:
        conn.close()
    return out


class Statements:
    """Every SQL statement any engine of this process sends (the app's and the login's)."""

    def __init__(self):
        self.count = 0
        self._lock = threading.Lock()
        event.listen(Engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args):
        with self._lock:
            self.count += 1


def build(folder: Path, measures: int):
    url = f"sqlite:///{folder / 'steerco.db'}"
    upgrade(url)
    store = Store(url)
    app = create_app(Settings(folder, url, "benchmark-secret-of-thirty-two-bytes!"), store=store,
                     FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    ensure_security_roles(app)
    with Timer() as built:
        bulk.portfolio(store, measures, progress=note)
        bulk.add_measures(store, INBOX, node="PA", sponsor="bob", pending=INBOX)
        bulk.analyze(store)
    for name, roles in USERS.items():
        ensure_login(app, name, "pw", admin=any(r == "admin" for r, _ in roles))
    waiting = store.run("system", lambda uow: uow.session.scalar(
        select(func.count()).select_from(t.gate_reviews).join(t.measures, t.measures.c.id == t.gate_reviews.c.measure_id)
        .join(t.users, t.users.c.id == t.measures.c.sponsor_id)
        .where(t.gate_reviews.c.status == "pending", t.users.c.username == "bob")), readonly=True)
    note(f"{measures + INBOX:,} measures built in {built.seconds:.0f} s; {waiting:,} reviews wait for bob")
    return store, app


def main():
    args = arguments(__doc__.splitlines()[0], measures=50_000)
    requests = 5 if args.quick else 10
    ctx = multiprocessing.get_context("fork")
    # the client processes are forked before the server's threads start
    with tempfile.TemporaryDirectory(prefix="steerco-bench-ui-") as d, ctx.Pool(CLIENTS) as pool:
        store, app = build(Path(d), args.measures)
        from waitress import create_server

        # "Task queue depth" warnings mean requests waited for a server thread: the p95 already says it
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)

        server = create_server(app, host=HOST, port=0, threads=8, ident="steerco")
        port = server.effective_port
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            statements = Statements()
            bob = login(port, "bob")
            inbox_ms, health_ms, counts = [], [], []
            for _ in range(max(args.rounds, 5) * 4):
                before = statements.count
                inbox_ms.append(client((port, bob, "/inbox/", 1))[0] * 1000)
                counts.append(statements.count - before)
                health_ms.append(client((port, bob, "/health", 1))[0] * 1000)
            inbox, health = statistics.median(inbox_ms), statistics.median(health_ms)
            note(f"inbox of bob: median {inbox:.0f} ms over {len(inbox_ms)} requests (/health {health:.1f} ms), "
                 f"{min(counts)}-{max(counts)} SQL statements per request")
            bench("inbox_1000_ms", inbox, "ms", 150)
            bench("inbox_1000_statements", max(counts), "statements", 20)
            info("inbox_1000_vs_health", inbox / health, "x")

            admin = login(port, "admin")
            pages = {"list": "/measures/", "dashboard": "/dashboard/"}
            p95: dict[str, list[float]] = {name: [] for name in [*pages, "health"]}
            for _ in range(args.rounds):
                for name, path in [*pages.items(), ("health", "/health")]:
                    latencies = [x for lat in pool.map(client, [(port, admin, path, requests)] * CLIENTS, chunksize=1)
                                 for x in lat]
                    p95[name].append(percentile(latencies, 95) * 1000)
            floor = statistics.median(p95["health"])
            for name, path in pages.items():
                value = statistics.median(p95[name])
                note(f"{path} for admin, {CLIENTS} clients x {requests} requests: p95 {value:.0f} ms "
                     f"(median over {args.rounds} rounds; /health p95 {floor:.1f} ms)")
                bench(f"{name}_p95_ms_{CLIENTS}_clients", value, "ms", 200)
                info(f"{name}_p95_vs_health", value / floor, "x")
        finally:
            server.close()
            store.dispose()
    finish()


if __name__ == "__main__":
    main()
