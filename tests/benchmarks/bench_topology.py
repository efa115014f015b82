"""The production topology under load: gunicorn with 4 workers on PostgreSQL, 50 concurrent users.

Run: ``python tests/benchmarks/bench_topology.py [--quick] [--measures 50000] [--rounds 5]``.
A portfolio of ``--measures`` (5,000 with --quick) is loaded in bulk; then 50 users, each in its own
thread and on a new connection per request, each do per round: three pages of the measure list
(page size 50, a page picked at random) and one submit followed by another user's vote on it. The same
load runs against 1 worker and against 4 (same threads per worker), on the same database. Users do not
pause between requests (a closed loop): with 50 of them the server is saturated, and the time a request
waits for a free thread counts in its latency.
Goals: through 4 workers, list p95 under 300 ms, submit+vote p95 under 150 ms, no error (any answer
but the one expected). Printed for information: the p95 of /health sampled under the same load (the
floor: the time any request waits in the queues), a list page with nobody else on the server, and the
throughput (requests per second) of 4 workers against 1 as a ratio;
on a machine with fewer than 4 cores it cannot reach 4.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness import arguments, bench, finish, info, note, percentile

from support import bulk
from support.servers import PostgresServer, free_port

ROOT = Path(__file__).resolve().parents[2]
USERS = [f"user{i:02d}" for i in range(50)]
PASSWORD = "bench-password-1"
THREADS = 4
LISTS_PER_ROUND = 3


def call(port: int, method: str, path: str, token: str | None = None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        r = conn.getresponse()
        raw = r.read()
        return r.status, (json.loads(raw) if raw[:1] in (b"{", b"[") else None), time.perf_counter() - started
    finally:
        conn.close()


def setup(url: str, folder: Path, measures: int) -> None:
    from steerco.migrate import upgrade
    from steerco.services.rights import people
    from steerco.settings import Settings
    from steerco.store.uow import Store
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app, ensure_security_roles

    upgrade(url)
    store = Store(url)
    app = create_app(Settings(folder, url, "benchmark-secret-of-thirty-two-bytes!"), store=store,
                     FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    ensure_security_roles(app)
    started = time.perf_counter()
    bulk.portfolio(store, measures, progress=note)
    note(f"portfolio of {measures:,} measures loaded in {time.perf_counter() - started:.0f} s")
    for name in USERS:
        store.run("system", lambda uow: people.add_user(uow, name, roles=[("pmo", None)]) and None)
    for name in ["admin", *USERS]:
        ensure_login(app, name, PASSWORD, admin=name == "admin")
    store.dispose()


class Server:
    def __init__(self, env: dict, workers: int, folder: Path):
        self.port = free_port()
        self.log = open(folder / f"serve-{workers}.log", "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "steerco.cli.main", "serve", "--workers", str(workers),
                                      "--threads", str(THREADS), "--port", str(self.port)],
                                     env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while True:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"steerco serve --workers {workers} did not start: see {self.log.name}")
            try:
                if call(self.port, "GET", "/ready")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        # every worker has booted (each answers /ready only once its app is built)
        for _ in range(workers * 4):
            call(self.port, "GET", "/ready")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(60)
        self.log.close()


def load(port: int, tokens: dict, rounds: int, total_pages: int, tag: str) -> dict:
    """Each user: ``rounds`` x (3 list pages, submit one measure, a colleague votes on it)."""
    admin = tokens["admin"]

    def create(i: int) -> int:
        status, m, _ = call(port, "POST", "/api/v1/measures/", admin, {
            "title": f"{tag} {i}", "node": "PA", "type": "cost", "owner": "alice", "sponsor": "bob",
            "controller": "carol", "potential": 100000 + i, "baseline": 10, "target": 5})
        assert status == 201, m
        return m["id"]

    with ThreadPoolExecutor(8) as pool:
        fresh = list(pool.map(create, range(len(USERS) * rounds)))
    lists, pairs, errors = [], [], []
    lock = threading.Lock()
    start = threading.Barrier(len(USERS))

    def user(k: int):
        name, colleague = USERS[k], USERS[(k + 1) % len(USERS)]
        rng = random.Random(k)
        start.wait()
        for r in range(rounds):
            for _ in range(LISTS_PER_ROUND):
                page = rng.randrange(max(1, total_pages))
                status, _b, seconds = call(port, "GET", f"/api/v1/measures/?page_size=50&page={page}", tokens[name])
                with lock:
                    (lists if status == 200 else errors).append(seconds if status == 200 else ("list", status))
            mid = fresh[k * rounds + r]
            status, review, s1 = call(port, "POST", f"/api/v1/measures/{mid}/submit", tokens[name])
            if status != 201:
                with lock:
                    errors.append(("submit", status))
                continue
            status, _b, s2 = call(port, "POST", f"/api/v1/reviews/{review['id']}/votes", tokens[colleague],
                                  {"decision": "go"})
            with lock:
                (pairs if status == 201 else errors).append(s1 + s2 if status == 201 else ("vote", status))

    floor, done = [], threading.Event()

    def health():
        # The floor: the barest request, sampled under the same load, waits in the same queues.
        while not done.wait(0.2):
            floor.append(call(port, "GET", "/health")[2])

    sampler = threading.Thread(target=health)
    sampler.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(len(USERS)) as pool:
        list(pool.map(user, range(len(USERS))))
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    requests = len(lists) + 2 * len(pairs) + len(errors)
    return {"lists": lists, "pairs": pairs, "errors": errors, "throughput": requests / wall, "wall": wall,
            "floor": floor}


def alone(port: int, token: str, total_pages: int) -> float:
    """Median time of one list page with nobody else on the server (this process's requests only)."""
    times = [call(port, "GET", f"/api/v1/measures/?page_size=50&page={k % max(1, total_pages)}", token)[2]
             for k in range(10)]
    return sorted(times)[len(times) // 2]


def measure(args, pg: PostgresServer, folder: Path) -> None:
    pg.create_database("bench")
    url = pg.url("bench")
    setup(url, folder, args.measures)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEERCO_")}
    env.update(STEERCO_DATABASE_URL=url, STEERCO_INSTANCE_PATH=str(folder),
               STEERCO_SECRET_KEY="benchmark-secret-of-thirty-two-bytes!")
    rounds = max(1, args.rounds // (5 if args.quick else 1))
    results = {}
    for workers in (1, 4):
        server = Server(env, workers, folder)
        try:
            tokens = {}
            for name in ["admin", *USERS]:
                status, data, _ = call(server.port, "POST", "/api/v1/security/login", None,
                                       {"username": name, "password": PASSWORD, "provider": "db", "refresh": False})
                assert status == 200, data
                tokens[name] = data["access_token"]
            total = call(server.port, "GET", "/api/v1/measures/?page_size=50", tokens["admin"])[1]["count"]
            single = alone(server.port, tokens["admin"], total // 50)
            results[workers] = r = load(server.port, tokens, rounds, total // 50, f"W{workers}")
            r["alone"] = single
        finally:
            server.stop()
        note(f"{workers} worker(s) x {THREADS} threads: {len(r['lists'])} list pages, {len(r['pairs'])} "
             f"submit+vote, {len(r['errors'])} errors in {r['wall']:.1f} s; list p50 "
             f"{percentile(r['lists'], 50) * 1000:.0f} ms p95 {percentile(r['lists'], 95) * 1000:.0f} ms; "
             f"submit+vote p50 {percentile(r['pairs'], 50) * 1000:.0f} ms p95 "
             f"{percentile(r['pairs'], 95) * 1000:.0f} ms; {r['throughput']:.1f} requests/s; /health under "
             f"the same load p95 {percentile(r['floor'], 95) * 1000:.0f} ms; a list page alone "
             f"{r['alone'] * 1000:.0f} ms")
        if r["errors"]:
            note(f"errors: {sorted(set(map(str, r['errors'])))[:10]}")
    four, one = results[4], results[1]
    bench("topology_list_p95_4_workers", percentile(four["lists"], 95) * 1000, "ms", 300)
    bench("topology_submit_vote_p95_4_workers", percentile(four["pairs"], 95) * 1000, "ms", 150)
    bench("topology_errors", len(four["errors"]) + len(one["errors"]), "count", 0, strict=False)
    info("topology_list_p95_vs_health_p95_4_workers", percentile(four["lists"], 95) / percentile(four["floor"], 95),
         "x", "(the floor: /health sampled under the same load)")
    info("topology_list_page_alone_4_workers", four["alone"] * 1000, "ms", "(median of 10, nobody else on the server)")
    info("topology_throughput_4_vs_1_worker", four["throughput"] / one["throughput"], "x",
         f"({four['throughput']:.1f} vs {one['throughput']:.1f} requests/s; {os.cpu_count()} CPU cores)")


def main():
    args = arguments(__doc__.splitlines()[0], measures=50_000)
    with tempfile.TemporaryDirectory(prefix="steerco-bench-topology-") as d, PostgresServer() as pg:
        measure(args, pg, Path(d))
    finish()


if __name__ == "__main__":
    main()
