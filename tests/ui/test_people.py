"""People in Steerco's own pages: add a person (password policy), roles on nodes, deactivate and
reactivate, an admin's password reset, and anyone's own password change; FAB's user pages lead here."""

from __future__ import annotations

import re

from ui.conftest import csrf_of

GOOD = "correct horse battery"


def _login(app, username, password):
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/login/", data={"username": username, "password": password, "csrf_token": token})
    return client, r.status_code == 302 and "/login" not in r.headers["Location"]


def _logged_in(client) -> bool:
    return client.get("/inbox/").status_code == 200


def _person(store, username):
    from steerco.services.rights.people import user_view

    return store.run("admin", lambda uow: uow.user(username) and user_view(uow.user(username)), readonly=True)


def _add(admin, **form):
    token = csrf_of(admin.get("/people/").get_data(as_text=True))
    return admin.post("/people/", data={"csrf_token": token, **form})


def test_an_admin_adds_a_person_under_the_password_policy(web, app, portfolio):
    admin = web.login("admin")
    for password, problem in (("short", "at least 12 characters"), ("dora-the-pmo", "must not be the username")):
        r = _add(admin, username="dora-the-pmo", name="Dora Pym", password=password)
        assert r.status_code == 422 and problem in r.get_data(as_text=True)
        assert 'value="Dora Pym"' in r.get_data(as_text=True)  # nothing typed is lost, the password aside
    assert _person(portfolio, "dora-the-pmo") is None
    assert _login(app, "dora-the-pmo", "short")[1] is False

    r = _add(admin, username="dora-the-pmo", name="Dora Pym", email="dora@acme.example", password=GOOD,
             role="pmo", node="PA")
    assert r.status_code == 302, r.get_data(as_text=True)[:600]
    assert _person(portfolio, "dora-the-pmo")["roles"] == [{"role": "pmo", "node": "PA"}]
    dora, ok = _login(app, "dora-the-pmo", GOOD)
    assert ok and _logged_in(dora)
    r = _add(admin, username="dora-the-pmo", name="Dora again", password=GOOD)
    assert r.status_code == 422 and "is taken" in r.get_data(as_text=True)
    r = _add(admin, username="dora2", name="Dora Two", email="dora@acme.example", password=GOOD)
    assert r.status_code == 422 and "another login" in r.get_data(as_text=True)


def test_only_admins_manage_people(web):
    alice = web.login("alice")
    assert alice.get("/people/").status_code == 403
    token = csrf_of(alice.get("/inbox/").get_data(as_text=True))
    r = alice.post("/people/", data={"csrf_token": token, "username": "mallory", "name": "M", "password": GOOD})
    assert r.status_code == 403
    r = alice.post("/people/bob/password", data={"csrf_token": token, "password": GOOD}, follow_redirects=True)
    assert "may not manage people" in r.get_data(as_text=True)
    assert _login(alice.application, "bob", GOOD)[1] is False


def test_deactivating_logs_a_person_out_and_reactivating_lets_them_in(web, app, portfolio):
    admin, bob = web.login("admin"), web.login("bob")
    token = csrf_of(admin.get("/people/").get_data(as_text=True))
    assert admin.post("/people/bob/active", data={"csrf_token": token, "active": "0"}).status_code == 302
    assert _person(portfolio, "bob")["active"] is False
    assert not _logged_in(bob)
    assert _login(app, "bob", "bob-pw")[1] is False
    admin.post("/people/bob/active", data={"csrf_token": token, "active": "1"})
    assert _person(portfolio, "bob")["active"] is True and _logged_in(_login(app, "bob", "bob-pw")[0])
    r = admin.post("/people/admin/active", data={"csrf_token": token, "active": "0"}, follow_redirects=True)
    assert "cannot deactivate yourself" in r.get_data(as_text=True) and _logged_in(admin)


def test_an_admin_resets_a_password_under_the_policy(web, app):
    admin, carol = web.login("admin"), web.login("carol")
    token = csrf_of(admin.get("/people/").get_data(as_text=True))
    r = admin.post("/people/carol/password", data={"csrf_token": token, "password": "carol"})
    assert r.status_code == 422 and "at least 12 characters" in r.get_data(as_text=True)
    assert _logged_in(carol)
    assert admin.post("/people/carol/password", data={"csrf_token": token, "password": GOOD}).status_code == 302
    assert not _logged_in(carol)
    assert _login(app, "carol", "carol-pw")[1] is False and _login(app, "carol", GOOD)[1] is True


def test_a_person_changes_their_own_password_and_other_sessions_end(web, app):
    here, elsewhere = web.login("alice"), web.login("alice")
    token = csrf_of(here.get("/account/password").get_data(as_text=True))

    def change(current, new, confirm=None):
        return here.post("/account/password", data={"csrf_token": token, "current_password": current,
                                                     "new_password": new, "confirm": new if confirm is None else confirm})
    for args, problem in ((("wrong-pw", GOOD), "is not your present password"),
                          (("alice-pw", "alice"), "at least 12 characters"),
                          (("alice-pw", GOOD, GOOD + "x"), "does not match"),
                          (("alice-pw", "ALICE"), "at least 12 characters")):
        r = change(*args)
        assert r.status_code == 422 and problem in r.get_data(as_text=True), args
    assert _logged_in(elsewhere)
    r = change("alice-pw", GOOD)
    assert r.status_code == 302
    assert _logged_in(here) and not _logged_in(elsewhere)
    assert _login(app, "alice", "alice-pw")[1] is False and _login(app, "alice", GOOD)[1] is True


def test_fab_user_and_role_pages_lead_to_steerco_pages(web, app):
    admin = web.login("admin")
    for path in ("/users/list/", "/roles/list/", "/users/add", "/permissions/list/"):
        r = admin.get(path)
        assert r.status_code == 303 and r.headers["Location"].endswith("/people/"), path
    assert admin.get("/resetmypassword/form").headers["Location"].endswith("/account/password")
    token = csrf_of(admin.get("/people/").get_data(as_text=True))
    r = admin.post("/resetpassword/form?pk=2", data={"csrf_token": token, "password": "a", "conf_password": "a"})
    assert r.status_code == 303
    assert 'data-testid="nav-people"' in admin.get("/inbox/").get_data(as_text=True)
    assert 'data-testid="nav-people"' not in web.login("alice").get("/inbox/").get_data(as_text=True)
