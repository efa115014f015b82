"""Fast unit tests of the directory connector on ldap3's offline MOCK_SYNC strategy."""

import ldap3
import pytest

from steerco.plugins.manager import connector_classes
from steerco.services.integration.directory import (
    DirectoryEntry,
    LoginRefused,
    group_matches,
    parse_mapping,
    wanted_roles,
)

BASE = "dc=corp,dc=example"


@pytest.fixture
def ldap(pm):
    cls = connector_classes(pm)["ldap"]
    server = ldap3.Server("mock-ad")
    seed = ldap3.Connection(server, client_strategy=ldap3.MOCK_SYNC)
    svc_dn = f"CN=svc,{BASE}"
    seed.strategy.add_entry(svc_dn, {"objectClass": ["person"], "userPassword": "svc-pw", "cn": "svc"})
    for sam, groups, uac in (("jdoe", [f"CN=PMO,OU=Groups,{BASE}"], 512), ("left", [], 514)):
        seed.strategy.add_entry(f"CN={sam},OU=Users,{BASE}", {
            "objectClass": ["user"], "objectCategory": "person", "sAMAccountName": sam, "displayName": sam.title(),
            "mail": f"{sam}@corp.example", "memberOf": groups, "userPassword": f"{sam}-pw",
            "userAccountControl": uac, "employeeType": "disabled" if uac & 2 else "active"})
    connector = cls(cls.load_settings({
        "url": "ldaps://dc1.corp.example:636", "bind_dn": svc_dn, "bind_password_env": "SVC", "base_dn": BASE,
        "user_filter": "(objectClass=user)", "disabled_filter": "(employeeType=disabled)",
        "group_roles": [{"group": "pmo", "role": "pmo"}]}, env={"SVC": "svc-pw"}))
    connector.strategy, connector.mock_server = ldap3.MOCK_SYNC, server
    return connector


def test_ad_defaults_and_ldaps_settings(ldap):
    assert ldap.settings["username_attribute"] == "sAMAccountName"
    assert ldap.settings["url"].startswith("ldaps://") and ldap.settings["verify_tls"] is True


def test_authenticate_on_mock(ldap):
    entry = ldap.authenticate("jdoe", "jdoe-pw")
    assert entry.username == "jdoe" and entry.groups == (f"CN=PMO,OU=Groups,{BASE}",)
    with pytest.raises(LoginRefused):
        ldap.authenticate("jdoe", "nope")
    with pytest.raises(LoginRefused, match="disabled"):
        ldap.authenticate("left", "left-pw")


def test_injection_is_escaped_not_interpreted(ldap):
    with pytest.raises(LoginRefused, match="0 directory entries"):
        ldap.authenticate("*)(sAMAccountName=*", "jdoe-pw")


def test_users_lists_disabled_flag(ldap):
    users = {u.username: u.disabled for u in ldap.users()}
    assert users == {"jdoe": False, "left": True}


def test_group_matching_by_dn_or_cn():
    dn = "CN=Steerco PMO,OU=Groups,DC=corp,DC=example"
    assert group_matches("steerco pmo", dn) and group_matches(dn.lower(), dn)
    assert not group_matches("Steerco", dn)
    mapping = parse_mapping([{"group": "Steerco PMO", "role": "pmo"}, {"group": "Other", "role": "admin"}])
    assert wanted_roles(DirectoryEntry("x", "x", groups=(dn,)), mapping) == {("pmo", None)}


def test_mapping_rows_are_named_when_wrong():
    with pytest.raises(Exception) as info:
        parse_mapping([{"group": "a", "role": "pmo"}, {"role": "pmo"}])
    assert info.value.errors == {"group_roles.1": ["needs 'group' (a DN or CN) and 'role'"]}
