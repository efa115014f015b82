"""API tokens: access tokens expire (15 minutes by default), a refresh token gets a new one, and neither
works once the login is deactivated."""

from __future__ import annotations

import time
from datetime import timedelta

import jwt

LOGIN, REFRESH = "/api/v1/security/login", "/api/v1/security/refresh"


def _app(portfolio, settings, **config):
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    app = create_app(settings, store=portfolio, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000", **config)
    ensure_login(app, "alice", "alice-pw")
    return app


def _tokens(client):
    r = client.post(LOGIN, json={"username": "alice", "password": "alice-pw", "provider": "db", "refresh": True})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["access_token"], r.get_json()["refresh_token"]


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_access_tokens_last_15_minutes_and_refresh_tokens_30_days(portfolio, settings):
    client = _app(portfolio, settings).test_client()
    access, refresh = _tokens(client)
    for token, lifetime in ((access, 15 * 60), (refresh, 30 * 24 * 3600)):
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] == lifetime


def test_an_expired_access_token_is_refused_with_a_clear_message_and_refreshed(portfolio, settings):
    client = _app(portfolio, settings, JWT_ACCESS_TOKEN_EXPIRES=timedelta(seconds=1)).test_client()
    access, refresh = _tokens(client)
    assert client.get("/api/v1/inbox/", headers=_bearer(access)).status_code == 200
    time.sleep(2.1)
    r = client.get("/api/v1/inbox/", headers=_bearer(access))
    assert r.status_code == 401
    assert r.get_json()["error"] == "token_expired"
    assert "/api/v1/security/refresh" in r.get_json()["message"]

    r = client.post(REFRESH, headers=_bearer(refresh))
    assert r.status_code == 200, r.get_data(as_text=True)
    assert client.get("/api/v1/inbox/", headers=_bearer(r.get_json()["access_token"])).status_code == 200
    # a refresh token is not an access token, nor the other way round
    assert client.get("/api/v1/inbox/", headers=_bearer(refresh)).status_code == 401
    assert client.post(REFRESH, headers=_bearer(access)).status_code == 401


def test_a_deactivated_login_can_neither_refresh_nor_use_its_tokens(portfolio, settings):
    from steerco_admin.accounts import set_login_active

    app = _app(portfolio, settings)
    client = app.test_client()
    access, refresh = _tokens(client)
    with app.test_request_context():
        set_login_active("alice", False)
    r = client.post(REFRESH, headers=_bearer(refresh))
    assert r.status_code == 401 and r.is_json, r.get_data(as_text=True)
    r = client.get("/api/v1/inbox/", headers=_bearer(access))
    assert r.status_code == 401 and r.is_json
    r = client.post(LOGIN, json={"username": "alice", "password": "alice-pw", "provider": "db"})
    assert r.status_code == 401

    with app.test_request_context():
        set_login_active("alice", True)
    _tokens(client)


def test_a_new_password_or_a_logout_ends_the_tokens_issued_before(portfolio, settings):
    from steerco_admin.accounts import change_password

    app = _app(portfolio, settings)
    client = app.test_client()
    access, refresh = _tokens(client)
    with app.test_request_context():
        change_password("alice", "a much better password")
    assert client.get("/api/v1/inbox/", headers=_bearer(access)).status_code == 401
    assert client.post(REFRESH, headers=_bearer(refresh)).status_code == 401
    r = client.post(LOGIN, json={"username": "alice", "password": "a much better password", "provider": "db",
                                 "refresh": True})
    access, refresh = r.get_json()["access_token"], r.get_json()["refresh_token"]
    assert client.get("/api/v1/inbox/", headers=_bearer(access)).status_code == 200
    renewed = client.post(REFRESH, headers=_bearer(refresh)).get_json()["access_token"]
    assert client.get("/api/v1/inbox/", headers=_bearer(renewed)).status_code == 200


def test_the_api_changes_your_password_under_the_policy(portfolio, settings):
    client = _app(portfolio, settings).test_client()
    access, _ = _tokens(client)
    url = "/api/v1/account/password"
    for sent, field in (({"current_password": "nope", "new_password": "a much better password"}, "current_password"),
                        ({"current_password": "alice-pw", "new_password": "short"}, "password"),
                        ({"current_password": "alice-pw", "new_password": "Alice"}, "password"),
                        ({"new_password": "a much better password"}, "current_password")):
        r = client.post(url, json=sent, headers=_bearer(access))
        assert r.status_code == 422 and field in r.get_json()["errors"], (sent, r.get_json())
    r = client.post(url, json={"current_password": "alice-pw", "new_password": "a much better password"},
                    headers=_bearer(access))
    assert r.status_code == 200 and r.get_json()["changed"] is True
    assert client.get("/api/v1/inbox/", headers=_bearer(access)).status_code == 401
    assert client.post(LOGIN, json={"username": "alice", "password": "a much better password",
                                    "provider": "db"}).status_code == 200
