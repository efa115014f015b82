"""Every upload route of the API answers a file over the size limit with 413 and a file of a kind it does not
read with 415, both as JSON naming the problem, and writes nothing."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from api.conftest import Api
from conftest import USERS
from value.helpers import new_measure

LIMIT_MB = 1


@pytest.fixture
def app(portfolio, settings):
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    app = create_app(replace(settings, max_upload_mb=LIMIT_MB), store=portfolio, TESTING=True,
                     FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    for name, roles in USERS.items():
        ensure_login(app, name, f"{name}-pw", admin=any(r == "admin" for r, _ in roles))
    return app


@pytest.fixture
def api(app):
    return Api(app.test_client())


def _big() -> io.BytesIO:
    return io.BytesIO(b"x" * ((LIMIT_MB + 2) << 20))


def _uploads(mid):
    """(route, user, form data with the file) for every API route that takes a file."""
    return [
        (f"/api/v1/measures/{mid}/evidence", "alice", lambda f, n: {"requirement": "business_case", "file": (f, n)}),
        ("/api/v1/value/actuals/import", "carol", lambda f, n: {"file": (f, n)}),
        (f"/api/v1/msproject/measures/{mid}/plan", "alice", lambda f, n: {"file": (f, n)}),
    ]


def test_too_large_is_413_json_on_every_upload_route(api, portfolio):
    mid = new_measure(portfolio)
    for url, user, form in _uploads(mid):
        r = api.post(url, user=user, content_type="multipart/form-data", data=form(_big(), "big.csv"))
        assert r.status_code == 413 and r.is_json, (url, r.status_code, r.get_data(as_text=True)[:300])
        assert r.get_json()["error"] and r.get_json()["message"], url
    for url in ("/api/v1/configuration/apply", "/api/v1/configuration/diff"):
        r = api.post(url, data=_big().getvalue(), content_type="application/json")
        assert r.status_code == 413 and r.is_json, (url, r.status_code)
    trail = api.get(f"/api/v1/measures/{mid}/audit", user="alice").get_json()
    assert "evidence" not in str(trail)


def test_a_kind_the_route_does_not_read_is_415_json(api, portfolio):
    mid = new_measure(portfolio)
    # Evidence is any file (it is served as an attachment that cannot run, see test_evidence_files.py);
    # imports and plans read given formats only.
    for url, user, form in _uploads(mid)[1:]:
        r = api.post(url, user=user, content_type="multipart/form-data",
                     data=form(io.BytesIO(b"MZ\x90\x00"), "tool.exe"))
        assert r.status_code == 415 and r.is_json, (url, r.status_code, r.get_data(as_text=True)[:300])
        assert r.get_json()["error"] == "unsupported_media_type" and "exe" in r.get_json()["message"], url
    for url in ("/api/v1/configuration/apply", "/api/v1/configuration/diff"):
        r = api.post(url, data="bundle: {}", content_type="application/yaml")
        assert r.status_code == 415 and r.is_json and r.get_json()["error"] == "unsupported_media_type", url
