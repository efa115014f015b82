"""Server time of submit + vote through the REST API on SQLite.

Run on demand: ``python tests/benchmarks/bench_api.py [--measures 200]``.
Requests go through the WSGI app in process (Flask's test client), so the
time is the server's: routing, JWT, validation, the transaction, the response.
Baseline in the same run: a bare SQL round trip (SELECT 1 on the same
database) and an authenticated GET of one measure. Target: median under 30 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from conftest import USERS, default_config  # noqa: E402
from steerco.migrate import upgrade  # noqa: E402
from steerco.services.configuration import bundle as configuration
from steerco.services.rights import people  # noqa: E402
from steerco.settings import Settings  # noqa: E402
from steerco.store.uow import Store  # noqa: E402
from steerco_admin.accounts import ensure_login  # noqa: E402
from steerco_admin.app import create_app, ensure_security_roles  # noqa: E402


def timed(fn):
    t = time.perf_counter()
    r = fn()
    return (time.perf_counter() - t) * 1000, r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--measures", type=int, default=200)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="steerco-bench-"))
    url = f"sqlite:///{folder / 'steerco.db'}"
    upgrade(url)
    store = Store(url)
    settings = Settings(folder, url, "benchmark-secret-of-thirty-two-bytes!")
    app = create_app(settings, store=store, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    ensure_security_roles(app)
    store.run("system", lambda uow: configuration.apply(uow, default_config()) and None)
    for name, roles in USERS.items():
        store.run("system", lambda uow: people.add_user(uow, name, roles=roles) and None)
        ensure_login(app, name, "pw")
    client = app.test_client()

    def token(user):
        r = client.post("/api/v1/security/login", json={"username": user, "password": "pw", "provider": "db"})
        return {"Authorization": f"Bearer {r.get_json()['access_token']}"}

    admin, pmo = token("admin"), token("pmo")
    ids = []
    for i in range(args.measures):
        r = client.post("/api/v1/measures/", headers=admin, json={
            "title": f"Measure {i}", "node": "PA", "type": "cost", "owner": "alice", "sponsor": "bob",
            "controller": "carol", "potential": 100000 + i, "baseline": 10, "target": 5})
        ids.append(r.get_json()["id"])
    submit, vote, get, sql = [], [], [], []
    for mid in ids:
        ms, r = timed(lambda: client.post(f"/api/v1/measures/{mid}/submit", headers=admin))
        assert r.status_code == 201, r.get_json()
        submit.append(ms)
        rid = r.get_json()["id"]
        ms, r = timed(lambda: client.post(f"/api/v1/reviews/{rid}/votes", headers=pmo, json={"decision": "go"}))
        assert r.status_code == 201, r.get_json()
        vote.append(ms)
        ms, r = timed(lambda: client.get(f"/api/v1/measures/{mid}", headers=admin))
        get.append(ms)
        with store.read_engine.connect() as conn:
            ms, _ = timed(lambda: conn.execute(text("SELECT 1")).scalar())
        sql.append(ms)

    def line(name, xs):
        xs = sorted(xs)
        print(f"  {name:<28} median {statistics.median(xs):6.2f} ms   p95 {xs[int(len(xs) * .95) - 1]:6.2f} ms")

    print(f"REST API on SQLite, {args.measures} measures (server time, in process)")
    line("bare SQL round trip", sql)
    line("GET measure", get)
    line("POST submit", submit)
    line("POST vote (decides)", vote)
    pair = [a + b for a, b in zip(submit, vote)]
    line("submit + vote", pair)
    print(f"  target: each median under 30 ms; submit / GET ratio {statistics.median(submit) / statistics.median(get):.1f}x")


if __name__ == "__main__":
    main()
