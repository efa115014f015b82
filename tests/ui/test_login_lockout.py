"""Login rate limit and temporary lockout, for the page's login and the API's, per account and per address.

Refusals are 429 with Retry-After, say nothing about whether the account exists, and are audited."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from steerco.store import tables as t

API = "/api/v1/security/login"


def _app(portfolio, settings, **config):
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    app = create_app(settings, store=portfolio, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
                     STEERCO_LOGIN_MAX_FAILURES=3, STEERCO_LOGIN_LOCKOUT_MINUTES=15, **config)
    ensure_login(app, "alice", "alice-pw")
    return app


def _api_login(app, username, password, address="10.0.0.1"):
    return app.test_client().post(API, json={"username": username, "password": password, "provider": "db"},
                                  environ_base={"REMOTE_ADDR": address})


def _page_login(app, username, password, address="10.0.0.1"):
    client = app.test_client()
    env = {"REMOTE_ADDR": address}
    page = client.get("/login/", environ_base=env).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/login/", data={"username": username, "password": password, "csrf_token": token},
                       environ_base=env)


def _audit(store, action):
    q = (select(t.audit_events.c.entity_id, t.audit_events.c.after)
         .where(t.audit_events.c.action == action).order_by(t.audit_events.c.seq))
    return store.run("admin", lambda uow: [tuple(r) for r in uow.session.execute(q)], readonly=True)


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_the_api_locks_an_account_after_failures_alike_for_unknown_accounts(portfolio, settings, username):
    app = _app(portfolio, settings)
    for _ in range(3):
        assert _api_login(app, username, "wrong-password").status_code == 401
    r = _api_login(app, username, "alice-pw")  # even the right password waits out the lockout
    assert r.status_code == 429
    body = r.get_json()
    assert body["error"] == "too_many_requests" and "Try again in 15 minutes" in body["message"]
    assert 14 * 60 < int(r.headers["Retry-After"]) <= 15 * 60 and body["retry_after"] == int(r.headers["Retry-After"])
    assert "exist" not in body["message"] and username not in body["message"]
    assert [u for u, _ in _audit(portfolio, "login.locked")] == [username]
    assert [u for u, _ in _audit(portfolio, "login.refused")] == [username]
    # another account from the same address is not locked
    assert _api_login(app, "bob", "wrong-password").status_code == 401


def test_the_login_page_shows_the_lockout(portfolio, settings):
    app = _app(portfolio, settings)
    for _ in range(3):
        r = _page_login(app, "alice", "wrong-password")
        assert r.status_code == 302 and "/login/" in r.headers["Location"]
    r = _page_login(app, "alice", "alice-pw")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    html = r.get_data(as_text=True)
    assert 'data-testid="login-refused"' in html and "Too many login attempts. Try again in 15 minutes." in html
    # the API login of the same account is locked too
    assert _api_login(app, "alice", "alice-pw").status_code == 429


def test_a_successful_login_resets_the_count(portfolio, settings):
    app = _app(portfolio, settings)
    for _ in range(2):
        assert _api_login(app, "alice", "wrong-password").status_code == 401
    assert _api_login(app, "alice", "alice-pw").status_code == 200
    for _ in range(2):
        assert _api_login(app, "alice", "wrong-password").status_code == 401
    assert _api_login(app, "alice", "alice-pw").status_code == 200
    assert _audit(portfolio, "login.locked") == []


def test_one_address_is_limited_whatever_the_usernames(portfolio, settings):
    app = _app(portfolio, settings, STEERCO_LOGIN_RATE_LIMIT="4 per minute")
    for name in ("u1", "u2", "u3", "alice"):
        assert _api_login(app, name, "wrong-password" if name != "alice" else "alice-pw").status_code in (200, 401)
    r = _api_login(app, "alice", "alice-pw")
    assert r.status_code == 429 and 0 < int(r.headers["Retry-After"]) <= 60
    assert _page_login(app, "alice", "alice-pw").status_code == 429
    # another address is not held back
    assert _api_login(app, "alice", "alice-pw", address="10.0.0.2").status_code == 200
    refused = _audit(portfolio, "login.refused")
    assert refused and all(after["address"] == "10.0.0.1" for _, after in refused)


def test_web_workers_sharing_redis_share_the_counts(portfolio, settings):
    from support.redis_smtp import RedisServer

    with RedisServer() as redis:
        prefix = f"steerco-{uuid.uuid4().hex[:8]}"
        config = {"RATELIMIT_STORAGE_URI": redis.url, "RATELIMIT_KEY_PREFIX": prefix}
        one, two = _app(portfolio, settings, **config), _app(portfolio, settings, **config)
        assert _api_login(one, "alice", "wrong-password").status_code == 401
        assert _api_login(two, "alice", "wrong-password").status_code == 401
        assert _api_login(one, "alice", "wrong-password").status_code == 401
        assert _api_login(two, "alice", "alice-pw").status_code == 429
        import redis as redis_client

        keys = redis_client.Redis.from_url(redis.url).keys(f"*{prefix}*")
        assert keys, "the counts are kept in Redis"


def test_the_queue_redis_is_the_default_storage(portfolio, settings, monkeypatch):
    import dataclasses

    monkeypatch.delenv("STEERCO_RATELIMIT_STORAGE_URI", raising=False)
    app = _app(portfolio, dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0"))
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:1/0"
    assert _app(portfolio, settings).config["RATELIMIT_STORAGE_URI"] == "memory://"
