"""Active Directory / LDAP against a real OpenLDAP (slapd) started by the tests."""

import subprocess

import pytest

from steerco.plugins.connector import ConnectorError, SyncContext
from steerco.services.integration import connectors as svc
from steerco.services.integration.directory import LoginRefused
from steerco.services.rights import people
from support.servers import free_port
from support.slapd import ROOT_DN, ROOT_PW, SUFFIX, SlapdServer, ad_like_ldif

SVC_PW = "svc-secret-93f"
ENV = {"LDAP_SVC_PW": SVC_PW}
GROUP_ROLES = [
    {"group": "Steerco PMO", "role": "pmo"},
    {"group": f"cn=Programme A Owners,ou=groups,{SUFFIX}", "role": "owner", "node": "PA"},
    {"group": "Steerco Admins", "role": "admin"},
]


def settings_for(url):
    return {"url": url, "bind_dn": f"cn=steerco-svc,ou=service,{SUFFIX}", "bind_password_env": "LDAP_SVC_PW",
            "base_dn": SUFFIX, "user_filter": "(objectClass=inetOrgPerson)", "username_attribute": "uid",
            "name_attribute": "displayName", "disabled_filter": "(employeeType=disabled)",
            "group_roles": GROUP_ROLES, "timeout": 2}


@pytest.fixture(scope="module")
def slapd():
    with SlapdServer() as server:
        server.add_ldif(ad_like_ldif())
        yield server


@pytest.fixture
def ldap(pm, slapd):
    cls = svc.connector_classes(pm)["ldap"]
    return cls(cls.load_settings(settings_for(slapd.url), env=ENV))


def test_login_binds_as_the_user_and_reads_groups(ldap):
    entry = ldap.authenticate("dora", "dora-pw")
    assert entry.dn == f"uid=dora,ou=people,{SUFFIX}"
    assert entry.name == "Dora Director" and entry.email == "dora@example.com"
    assert sorted(g.split(",")[0] for g in entry.groups) == ["cn=Programme A Owners", "cn=Steerco PMO"]


@pytest.mark.parametrize("username, password, reason", [
    ("dora", "wrong", "wrong password"),
    ("dora", "", "empty password"),
    ("nobody", "x", "0 directory entries"),
    ("*)(uid=*", "dora-pw", "0 directory entries"),
    ("*", "dora-pw", "0 directory entries"),
    ("xavier", "xavier-pw", "disabled"),
])
def test_refused_logins(ldap, username, password, reason):
    with pytest.raises(LoginRefused, match=reason):
        ldap.authenticate(username, password)


def test_unreachable_directory_is_a_named_retryable_error(pm):
    cls = svc.connector_classes(pm)["ldap"]
    ldap = cls(cls.load_settings(settings_for(f"ldap://127.0.0.1:{free_port()}"), env=ENV))
    with pytest.raises(ConnectorError) as info:
        ldap.authenticate("dora", "dora-pw")
    assert info.value.retryable and "cannot reach ldap://127.0.0.1" in str(info.value)
    assert SVC_PW not in str(info.value)


def test_wrong_service_password_is_reported_not_swallowed(pm, slapd):
    cls = svc.connector_classes(pm)["ldap"]
    ldap = cls(cls.load_settings(settings_for(slapd.url), env={"LDAP_SVC_PW": "nope"}))
    with pytest.raises(ConnectorError, match="invalidCredentials") as info:
        ldap.users()
    assert info.value.operation == "list users" and not info.value.retryable


def test_invalid_settings_name_the_field(pm):
    cls = svc.connector_classes(pm)["ldap"]
    with pytest.raises(svc.ValidationFailed) as info:
        cls.load_settings({**settings_for("http://example.com"), "group_roles": [{"group": "x"}]}, env=ENV)
    assert "settings.url" in info.value.errors and "settings.group_roles" in info.value.errors


def _configure(store, pm, url):
    store.run("admin", lambda uow: svc.save_config(uow, pm, "corp", "ldap", settings_for(url), env=ENV))


def _users(store):
    def work(uow):
        return {u.username: (u.active, sorted((a.role, a.node.code if a.node else None) for a in u.assignments))
                for u in uow.users() if u.username in ("dora", "erin", "gina", "xavier")}
    return store.run("system", work, readonly=True)


def test_sync_maps_groups_to_roles_and_is_idempotent(portfolio, pm, slapd, monkeypatch):
    monkeypatch.setenv("LDAP_SVC_PW", SVC_PW)
    _configure(portfolio, pm, slapd.url)
    run = svc.run_sync(portfolio, pm, "corp")
    assert run["status"] == "succeeded", run
    assert run["counts"] == {"created": 4, "updated": 0, "unchanged": 0, "disabled": 1}
    users = _users(portfolio)
    assert users["dora"] == (True, [("owner", "PA"), ("pmo", None)])
    assert users["erin"] == (True, [("owner", "PA")])
    assert users["gina"] == (True, [])
    assert users["xavier"] == (False, [])  # disabled in the directory: no admin role from its group
    again = svc.run_sync(portfolio, pm, "corp")
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 4, "disabled": 0}
    log = portfolio.run("system", lambda uow: svc.runs(uow, "corp"), readonly=True)
    assert [r["status"] for r in log] == ["succeeded", "succeeded"]


def test_user_who_left_is_disabled_and_loses_directory_roles(portfolio, pm, monkeypatch):
    monkeypatch.setenv("LDAP_SVC_PW", SVC_PW)
    with SlapdServer() as server:
        server.add_ldif(ad_like_ldif())
        _configure(portfolio, pm, server.url)
        svc.run_sync(portfolio, pm, "corp")
        portfolio.run("system", lambda uow: people.assign(uow, uow.user("erin"), "viewer") and None)
        r = subprocess.run(["ldapdelete", "-x", "-H", server.url, "-D", ROOT_DN, "-w", ROOT_PW,
                            f"uid=erin,ou=people,{SUFFIX}"], capture_output=True)
        assert r.returncode == 0, r.stderr
        run = svc.run_sync(portfolio, pm, "corp")
    assert run["counts"]["disabled"] == 1
    active, roles = _users(portfolio)["erin"]
    assert not active and roles == [("viewer", None)]  # roles given in Steerco by hand are kept


def test_unreachable_directory_fails_its_run_after_retries(portfolio, pm, monkeypatch):
    monkeypatch.setenv("LDAP_SVC_PW", SVC_PW)
    _configure(portfolio, pm, f"ldap://127.0.0.1:{free_port()}")
    waits = []
    run = svc.run_sync(portfolio, pm, "corp", sleep=waits.append)
    assert run["status"] == "failed" and run["attempts"] == 3
    assert waits == [2.0, 4.0]
    assert all("cannot reach" in e for e in run["errors"])


def test_contract_sync_context(pm, slapd, portfolio):
    cls = svc.connector_classes(pm)["ldap"]
    ldap = cls(cls.load_settings(settings_for(slapd.url), env=ENV))
    assert ldap.sync(SyncContext(portfolio, "connector:corp"))["created"] == 4
