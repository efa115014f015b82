"""Every response carries the security headers; session cookies are HttpOnly, SameSite=Lax, and Secure
when Steerco is served over HTTPS."""

from __future__ import annotations

import dataclasses
import re

import pytest

EXPECTED = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


@pytest.mark.parametrize("url", ["/login/", "/health", "/api/v1/measures/", "/no-such-page", "/static/steerco/editor.js"])
def test_every_response_has_the_security_headers(app, url):
    r = app.test_client().get(url)
    for name, value in EXPECTED.items():
        assert r.headers.get(name) == value, (url, name, dict(r.headers))
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]


def _session_cookie(app) -> str:
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/login/", data={"username": "alice", "password": "alice-pw", "csrf_token": token})
    assert r.status_code == 302
    return next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_session_cookie_flags_and_secure_behind_https(app, portfolio, settings):
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    plain = _session_cookie(app)
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    https = create_app(dataclasses.replace(settings, base_url="https://steerco.example"), store=portfolio,
                       FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    ensure_login(https, "alice", "alice-pw")
    assert "Secure" in _session_cookie(https)


def test_scripts_run_only_from_steerco_or_with_a_fresh_nonce(app):
    client = app.test_client()
    first, second = (client.get("/login/") for _ in range(2))
    nonces = []
    for r in (first, second):
        policy = r.headers["Content-Security-Policy"]
        nonce = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{20,})'", policy).group(1)
        assert "unsafe-inline" not in policy
        assert f'nonce="{nonce}"' in r.get_data(as_text=True)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
