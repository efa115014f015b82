"""A session cookie stops working when its login logs out, changes its password or is deactivated,
even when a copy of the cookie is replayed from another client."""

from __future__ import annotations

from sqlalchemy import select

from steerco.store import tables as t


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def _events(store, action):
    q = select(t.audit_events.c.entity_id).where(t.audit_events.c.action == action)
    return store.run("admin", lambda uow: list(uow.session.scalars(q)), readonly=True)


def test_a_cookie_captured_before_logout_is_refused_after_it(web, app, portfolio):
    alice = web.login("alice")
    captured = _cookie(alice)
    assert _replay(app, captured).get("/inbox/").status_code == 200
    assert _replay(app, captured).get("/api/v1/inbox/").status_code == 200

    assert alice.get("/logout/").status_code == 302
    assert _replay(app, captured).get("/inbox/").status_code == 302  # to the login page
    r = _replay(app, captured).get("/api/v1/inbox/")
    assert r.status_code == 401 and r.get_json()["error"] == "unauthorized"
    assert "alice" in _events(portfolio, "login.sessions_revoked")


def test_logging_in_again_after_logout_works_and_other_logins_keep_their_sessions(web, app):
    alice, bob = web.login("alice"), web.login("bob")
    alice.get("/logout/")
    assert web.login("alice").get("/inbox/").status_code == 200
    assert bob.get("/inbox/").status_code == 200


def test_a_password_set_again_by_the_operator_ends_the_sessions(web, app):
    from steerco_admin.accounts import ensure_login

    alice = web.login("alice")
    ensure_login(app, "alice", "a new password for alice")  # what steerco users add --password does
    assert alice.get("/inbox/").status_code == 302
