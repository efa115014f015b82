"""The production topology, end to end: PostgreSQL, Redis, three gunicorn workers and `steerco worker`.

Every request opens its own connection (the server closes each after answering), so concurrent users
land on different worker processes. Checked through the database afterwards, not through the answers:

- 50 approvers voting at once on the same reviews: one decision per review, never a 5xx;
- the SLA scan run at the same moment by the worker (twice) and by two `steerco sla-scan` processes:
  each reminder and escalation recorded and queued once, and every run ends without an error;
- a web worker killed (SIGKILL) while votes are in flight: every vote answered 2xx is in the database,
  a vote retried with its Idempotency-Key counts once, and the master replaces the worker;
- the audit chain is intact after all of it.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, update
from support.processes import pid_alive
from support.redis_smtp import RedisServer
from support.servers import free_port

from conftest import USERS, default_config

ROOT = Path(__file__).resolve().parents[1]
STEERCO = [sys.executable, "-m", "steerco.cli.main"]
APPROVERS = [f"approver{i:02d}" for i in range(50)]
PASSWORD = "topology-pw-1"

pytestmark = [pytest.mark.topology, pytest.mark.postgresql]


class Client:
    """JSON over HTTP, a new connection per request (so requests spread over the worker processes)."""

    def __init__(self, port: int):
        self.port = port
        self.tokens: dict[str, str] = {}

    def call(self, method: str, path: str, user: str | None = None, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            h = {"Content-Type": "application/json", **(headers or {})}
            if user:
                h["Authorization"] = f"Bearer {self.tokens[user]}"
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
            r = conn.getresponse()
            raw = r.read()
            return r.status, json.loads(raw) if raw.startswith((b"{", b"[")) else raw
        finally:
            conn.close()

    def login(self, user: str) -> None:
        status, data = self.call("POST", "/api/v1/security/login",
                                 body={"username": user, "password": PASSWORD, "provider": "db", "refresh": False})
        assert status == 200, (user, status, data)
        self.tokens[user] = data["access_token"]


def _env(pg_url: str, redis_url: str, instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEERCO_")}
    env.update(STEERCO_DATABASE_URL=pg_url, STEERCO_REDIS_URL=redis_url, STEERCO_INSTANCE_PATH=str(instance),
               STEERCO_SECRET_KEY="topology-secret-of-at-least-thirty-two-bytes", STEERCO_LOG_FORMAT="json")
    return env


def _setup_portfolio(env: dict) -> None:
    """The default model, the test users and 50 PMO approvers with logins (while the servers start)."""
    from steerco.services.configuration import bundle as configuration
    from steerco.services.rights import people
    from steerco.settings import Settings
    from steerco.store.uow import Store
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    store = Store(env["STEERCO_DATABASE_URL"])
    try:
        store.run("system", lambda uow: configuration.apply(uow, default_config()) and None)
        accounts = {**USERS, **{name: [("pmo", None)] for name in APPROVERS}}
        for name, roles in accounts.items():
            store.run("system", lambda uow: people.add_user(uow, name, roles=roles) and None)
        settings = Settings(Path(env["STEERCO_INSTANCE_PATH"]), env["STEERCO_DATABASE_URL"],
                            env["STEERCO_SECRET_KEY"])
        app = create_app(settings, store=store, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
        for name, roles in accounts.items():
            ensure_login(app, name, PASSWORD, admin=any(r == "admin" for r, _ in roles))
    finally:
        store.dispose()


def _workers(master: int) -> set[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as f:
            return {int(pid) for pid in f.read().split()}
    except OSError:
        return set()


def _wait_ready(client: Client, server: subprocess.Popen, log: Path, workers: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, f"steerco serve exited:\n{log.read_text()[-3000:]}"
        try:
            if client.call("GET", "/ready")[0] == 200 and len(_workers(server.pid)) == workers:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"steerco serve --workers {workers} not ready in {seconds} s:\n{log.read_text()[-3000:]}")


def _new_reviews(client: Client, n: int, tag: str) -> list[int]:
    reviews = []
    for i in range(n):
        status, m = client.call("POST", "/api/v1/measures/", "admin", {
            "title": f"{tag} {i}", "node": "PA", "type": "cost", "owner": "alice", "sponsor": "bob",
            "controller": "carol", "potential": 100000 + i, "baseline": 10, "target": 5})
        assert status == 201, m
        status, r = client.call("POST", f"/api/v1/measures/{m['id']}/submit", "admin")
        assert status == 201, r
        reviews.append(r["id"])
    return reviews


@pytest.fixture(scope="module")
def topology(postgres, tmp_path_factory):
    folder = tmp_path_factory.mktemp("topology")
    postgres.create_database("topology")
    with RedisServer() as redis:
        env = _env(postgres.url("topology"), redis.url, folder / "instance")
        p = subprocess.run(STEERCO + ["db", "upgrade"], env=env, cwd=ROOT, capture_output=True, text=True,
                           timeout=300)
        assert p.returncode == 0, p.stdout + p.stderr
        port = free_port()
        serve_log, worker_log = folder / "serve.log", folder / "worker.log"
        with open(serve_log, "w") as out:
            server = subprocess.Popen(STEERCO + ["serve", "--workers", "3", "--threads", "4", "--port", str(port)],
                                      env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        with open(worker_log, "w") as out:
            worker = subprocess.Popen(STEERCO + ["worker", "--workers", "2", "--no-periodic"],
                                      env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            _setup_portfolio(env)
            client = Client(port)
            _wait_ready(client, server, serve_log, 3)
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(client.login, ["admin", *APPROVERS]))
            engine = create_engine(env["STEERCO_DATABASE_URL"])
            yield {"client": client, "env": env, "server": server, "worker": worker, "serve_log": serve_log,
                   "worker_log": worker_log, "engine": engine}
            engine.dispose()
        finally:
            # Nothing is kept: gunicorn's quick shutdown (SIGQUIT); the job worker, idle by now, is killed.
            server.send_signal(signal.SIGQUIT)
            worker.kill()
            for proc in (server, worker):
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
    postgres.drop_database("topology")


def test_fifty_approvers_at_once_give_one_decision_per_review(topology):
    from steerco.store import tables as t

    client, engine = topology["client"], topology["engine"]
    reviews = _new_reviews(client, 6, "Crowded")
    answers: list[tuple[str, int, int]] = []
    lock = threading.Lock()
    start = threading.Barrier(len(APPROVERS))

    def approver(name: str):
        order = reviews[:]
        random.Random(name).shuffle(order)
        start.wait()
        for rid in order:
            decision = random.Random(f"{name}{rid}").choice(["go", "go", "hold", "recycle"])
            status, _ = client.call("POST", f"/api/v1/reviews/{rid}/votes", name,
                                    {"decision": decision, "comment": f"{decision} by {name}"})
            with lock:
                answers.append((name, rid, status))

    with ThreadPoolExecutor(len(APPROVERS)) as pool:
        list(pool.map(approver, APPROVERS))

    statuses = {s for _n, _r, s in answers}
    assert statuses <= {201, 409}, sorted({(r, s) for _n, r, s in answers if s not in (201, 409)})
    won = {rid: [n for n, r, s in answers if r == rid and s == 201] for rid in reviews}
    assert all(len(names) == 1 for names in won.values()), won
    with engine.connect() as conn:
        votes = dict(conn.execute(select(t.votes.c.review_id, func.count()).where(t.votes.c.review_id.in_(reviews))
                                  .group_by(t.votes.c.review_id)).all())
        decided = conn.execute(select(t.gate_reviews.c.id, t.gate_reviews.c.status, t.gate_reviews.c.decision)
                               .where(t.gate_reviews.c.id.in_(reviews))).all()
        audited = dict(conn.execute(select(t.audit_events.c.entity_id, func.count())
                                    .where(t.audit_events.c.action == "review.voted",
                                           t.audit_events.c.entity_id.in_([str(r) for r in reviews]))
                                    .group_by(t.audit_events.c.entity_id)).all())
    assert votes == {rid: 1 for rid in reviews}
    assert all(row.status != "pending" and row.decision for row in decided), decided
    assert audited == {str(rid): 1 for rid in reviews}


def test_two_scans_at_once_escalate_each_review_once(topology):
    from steerco.jobs import build
    from steerco.settings import Settings
    from steerco.store import tables as t
    from steerco.store import tables_rights as tr

    client, engine, env = topology["client"], topology["engine"], topology["env"]
    reviews = _new_reviews(client, 6, "Overdue")
    long_ago = datetime.now(timezone.utc) - timedelta(days=40)
    with engine.begin() as conn:
        conn.execute(update(t.gate_reviews).where(t.gate_reviews.c.id.in_(reviews)).values(submitted_at=long_ago))
    jobs = build(Settings(Path(env["STEERCO_INSTANCE_PATH"]), env["STEERCO_DATABASE_URL"], env["STEERCO_SECRET_KEY"],
                          redis_url=env["STEERCO_REDIS_URL"]))
    queued = [jobs.sla_scan(), jobs.sla_scan()]
    scans = [subprocess.Popen(STEERCO + ["sla-scan"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    counts = [r.get(blocking=True, timeout=120) for r in queued]
    for scan in scans:
        out = scan.communicate(timeout=120)[0]
        assert scan.returncode == 0, out
        counts.append(dict(part.split(": ") for part in out.strip().splitlines()[-1].split(", ")))
    assert sum(int(c["escalations"]) for c in counts) == len(reviews), counts
    assert sum(int(c["reminders"]) for c in counts) == len(reviews), counts
    with engine.connect() as conn:
        events = conn.execute(select(tr.sla_events.c.review_id, tr.sla_events.c.kind)
                              .where(tr.sla_events.c.review_id.in_(reviews))).all()
        escalated = conn.scalar(select(func.count()).where(t.audit_events.c.action == "review.escalated",
                                                           t.audit_events.c.entity_id.in_([str(r) for r in reviews])))
        notes = conn.execute(select(tr.notifications.c.kind, tr.notifications.c.review_id, tr.notifications.c.user_id)
                             .where(tr.notifications.c.review_id.in_(reviews))).all()
    assert sorted(events) == sorted((rid, kind) for rid in reviews for kind in ("reminder", "escalation"))
    assert escalated == len(reviews)
    # besides the notices of the submissions (waiting), each reminder and escalation once
    assert len(notes) == len(set(notes)) and {n.kind for n in notes} - {"waiting"} == {"reminder", "escalation"}


def test_a_worker_killed_mid_request_loses_no_answered_vote(topology):
    from steerco.store import tables as t

    client, engine, server = topology["client"], topology["engine"], topology["server"]
    reviews = _new_reviews(client, 24, "Interrupted")
    before = _workers(server.pid)
    assert len(before) == 3
    answered: dict[int, tuple[str, int]] = {}
    interrupted: list[int] = []
    lock = threading.Lock()
    started = threading.Event()

    def vote(i: int, rid: int):
        name, key = APPROVERS[i % len(APPROVERS)], uuid.uuid4().hex
        for _attempt in range(20):
            try:
                status, _ = client.call("POST", f"/api/v1/reviews/{rid}/votes", name, {"decision": "go"},
                                        headers={"Idempotency-Key": key})
            except (ConnectionError, http.client.HTTPException, OSError):
                with lock:
                    interrupted.append(rid)
                time.sleep(0.2)
                continue
            started.set()
            with lock:
                answered[rid] = (name, status)
            return

    with ThreadPoolExecutor(12) as pool:
        futures = [pool.submit(vote, i, rid) for i, rid in enumerate(reviews)]
        assert started.wait(60)
        victim = sorted(before)[0]
        os.kill(victim, signal.SIGKILL)
        for f in futures:
            f.result()

    assert {s for _n, s in answered.values()} <= {201}, answered
    assert sorted(answered) == sorted(reviews)
    with engine.connect() as conn:
        votes = conn.execute(select(t.votes.c.review_id, t.users.c.username)
                             .join(t.users, t.users.c.id == t.votes.c.voter_id)
                             .where(t.votes.c.review_id.in_(reviews))).all()
    assert sorted(votes) == sorted((rid, name) for rid, (name, _s) in answered.items())
    deadline = time.monotonic() + 60
    while len(after := _workers(server.pid)) != 3 or victim in after:
        assert time.monotonic() < deadline, f"the master did not replace worker {victim}: {after}"
        time.sleep(0.2)
    assert not pid_alive(victim) and client.call("GET", "/ready")[0] == 200
    print(f"requests cut off by the kill (then retried with their Idempotency-Key): {len(interrupted)}")


def test_the_audit_chain_is_intact_after_it_all(topology):
    p = subprocess.run(STEERCO + ["audit", "verify"], env=topology["env"], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0 and "audit trail intact" in p.stdout, p.stdout + p.stderr
    lines = [json.loads(line) for line in topology["serve_log"].read_text().splitlines() if line.startswith("{")]
    assert not [line for line in lines if line.get("status", 0) >= 500]
