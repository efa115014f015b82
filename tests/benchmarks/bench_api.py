"""Server time of submit + vote through the REST API on SQLite.

Run: ``python tests/benchmarks/bench_api.py [--quick] [--measures 200]``.
Requests go through the WSGI app in process (Flask's test client), so the
time is the server's: routing, JWT, validation, the transaction, the response.
Per measure, interleaved: submit, vote, an authenticated GET of the measure,
and the floor, a bare SQL round trip (SELECT 1 on the same database); each
figure is the median over the measures. Goal: each median under 30 ms.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from harness import arguments, bench, finish, info, note, percentile
from sqlalchemy import text

from conftest import USERS, default_config
from steerco.migrate import upgrade
from steerco.services.configuration import bundle as configuration
from steerco.services.rights import people
from steerco.settings import Settings
from steerco.store.uow import Store
from steerco_admin.accounts import ensure_login
from steerco_admin.app import create_app, ensure_security_roles


def timed(fn):
    t = time.perf_counter()
    r = fn()
    return (time.perf_counter() - t) * 1000, r


def main():
    args = arguments(__doc__.splitlines()[0], measures=200)
    with tempfile.TemporaryDirectory(prefix="steerco-bench-api-") as d:
        measure(args, Path(d))
    finish()


def measure(args, folder: Path):
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

    base = statistics.median(sql)
    note(f"REST API on SQLite, {args.measures} measures, in process; SELECT 1 median {base:.2f} ms")
    for name, xs in (("submit", submit), ("vote", vote), ("get", get)):
        note(f"{name}: median {statistics.median(xs):.2f} ms, p95 {percentile(xs, 95):.2f} ms")
        bench(f"api_{name}_median_ms", statistics.median(xs), "ms", 30)
        info(f"api_{name}_vs_select_1", statistics.median(xs) / base, "x")
    store.dispose()


if __name__ == "__main__":
    main()
