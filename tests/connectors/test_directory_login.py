"""A directory user logs into the web app (API login, provider "ldap") against a real slapd."""

import pytest

from connectors.test_directory import ENV, settings_for
from steerco.services.integration import connectors as svc
from support.servers import free_port
from support.slapd import SlapdServer, ad_like_ldif


@pytest.fixture(scope="module")
def slapd():
    with SlapdServer() as server:
        server.add_ldif(ad_like_ldif())
        yield server


@pytest.fixture
def client(portfolio, settings, pm, slapd, monkeypatch):
    from steerco_admin.app import create_app

    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    portfolio.run("admin", lambda uow: svc.save_config(uow, pm, "corp", "ldap", settings_for(slapd.url)))
    app = create_app(settings, store=portfolio, plugins=pm, TESTING=True, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    return app.test_client()


def login(client, username, password, provider="ldap"):
    return client.post("/api/v1/security/login", json={"username": username, "password": password,
                                                       "provider": provider, "refresh": False})


def test_directory_user_logs_in_with_the_roles_of_their_groups(client, portfolio):
    r = login(client, "dora", "dora-pw")
    assert r.status_code == 200, r.get_json()
    token = r.get_json()["access_token"]
    listing = client.get("/api/v1/measures/", headers={"Authorization": f"Bearer {token}"})
    assert listing.status_code == 200
    roles = portfolio.run("system", lambda uow: sorted((a.role, a.node.code if a.node else None)
                                                      for a in uow.user("dora").assignments), readonly=True)
    assert roles == [("owner", "PA"), ("pmo", None)]
    created = client.post("/api/v1/measures/", headers={"Authorization": f"Bearer {token}"},
                          json={"title": "Directory-made", "node": "PA", "type": "cost"})
    assert created.status_code == 201, created.get_json()


@pytest.mark.parametrize("username, password, status", [
    ("dora", "wrong", 401), ("dora", "", 400), ("*)(uid=*", "dora-pw", 401), ("*", "x", 401),
    ("xavier", "xavier-pw", 401), ("ghost", "x", 401),
])
def test_refused_logins_get_no_token_and_no_user(client, portfolio, username, password, status):
    r = login(client, username, password)
    assert r.status_code == status and "access_token" not in (r.get_json() or {})
    assert portfolio.run("system", lambda uow: uow.user("xavier") is None and uow.user("ghost") is None,
                         readonly=True)


def test_directory_login_does_not_open_a_database_password(client):
    assert login(client, "dora", "dora-pw").status_code == 200
    assert login(client, "dora", "", provider="db").status_code in (400, 401)
    assert login(client, "dora", "dora-pw", provider="db").status_code == 401


def test_unreachable_directory_is_named_not_a_500(portfolio, pm, client):
    # FAB's login view maps only BadRequest to a message of ours, hence 400 rather than 502.
    portfolio.run("admin", lambda uow: svc.save_config(uow, pm, "corp", "ldap",
                                                        settings_for(f"ldap://127.0.0.1:{free_port()}")))
    r = login(client, "dora", "dora-pw")
    assert r.status_code == 400
    assert "the directory cannot check this login now" in r.get_json()["message"]
    assert "cannot reach ldap://127.0.0.1" in r.get_json()["message"]
