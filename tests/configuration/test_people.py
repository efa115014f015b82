"""People and their roles per node travel in a bundle when asked for (``with_people``): exported without
passwords, applied so each listed person holds exactly the bundle's roles, compared in words."""

import pytest
import yaml
from steerco.domain.errors import ConfigProblems
from steerco.services.configuration import bundle as configuration
from steerco.services.configuration import diff, export
from steerco.services.rights import people


def _export(store, **kw) -> dict:
    return store.run("admin", lambda uow: export.export(uow, with_nodes=True, **kw), readonly=True)


def _apply(store, data) -> dict:
    return store.run("system", lambda uow: configuration.apply(uow, data).as_dict())


def _roles(store, username) -> set:
    def read(uow):
        return {(a.role, a.node.code if a.node else None) for a in uow.user(username).assignments}
    return store.run("admin", read, readonly=True)


def test_people_are_exported_only_when_asked_sorted_and_without_secrets(configured):
    assert "people" not in _export(configured)
    listed = _export(configured, with_people=True)["people"]
    assert [p["username"] for p in listed] == sorted(p["username"] for p in listed)
    bob = next(p for p in listed if p["username"] == "bob")
    assert bob["roles"] == [{"role": "sponsor", "node": "PA"}]
    assert next(p for p in listed if p["username"] == "admin")["roles"] == [{"role": "admin"}]
    assert not {k for p in listed for k in p} - {"username", "name", "email", "roles"}


def test_a_bundle_with_people_round_trips_to_an_empty_instance(configured, other_store):
    first = export.dump(_export(configured, with_people=True))
    report = _apply(other_store, yaml.safe_load(first))
    assert "person bob" in report["created"]
    assert export.dump(_export(other_store, with_people=True)) == first
    assert _apply(other_store, yaml.safe_load(first))["updated"] == []


def test_applying_gives_a_listed_person_exactly_the_bundles_roles_and_leaves_others_alone(configured):
    configured.run("system", lambda uow: people.add_user(uow, "zed", roles=[("viewer", None)]) and None)
    data = {"people": [{"username": "bob", "name": "Bob Builder", "email": "bob@acme.example",
                        "roles": [{"role": "sponsor", "node": "PB"}, {"role": "steering_committee", "node": "ACME"}]}]}
    before = _export(configured, with_people=True)
    lines = [diff.as_text(x) for x in diff.what_applying_changes(before, data)]
    assert any(line.startswith("person 'bob': roles: sponsor on PA → sponsor on PB, steering_committee on ACME")
               for line in lines), lines
    assert not any("zed" in line for line in lines)
    report = _apply(configured, data)
    assert report["updated"] == ["person bob"]
    assert _roles(configured, "bob") == {("sponsor", "PB"), ("steering_committee", "ACME")}
    assert _roles(configured, "zed") == {("viewer", None)}
    name = configured.run("admin", lambda uow: uow.user("bob").name, readonly=True)
    assert name == "Bob Builder"


def test_unknown_roles_nodes_and_a_person_listed_twice_are_named_and_nothing_is_applied(configured):
    data = {"people": [{"username": "newbie", "roles": [{"role": "wizard"}, {"role": "owner", "node": "NOPE"}]},
                       {"username": "newbie", "roles": []},
                       {"username": "", "roles": "owner"}]}
    with pytest.raises(ConfigProblems) as e:
        _apply(configured, data)
    where = {p["location"]: p["problem"] for p in e.value.problems}
    assert where["people[0].roles[0].role"] == "unknown role 'wizard'"
    assert where["people[0].roles[1].node"] == "unknown node 'NOPE'"
    assert "listed twice" in where["people[1].username"]
    assert any(k.startswith("people[2]") for k in where), where
    assert configured.run("admin", lambda uow: uow.user("newbie"), readonly=True) is None
