"""The starter packs under config/packs: each applies cleanly on an empty instance, and its demo works."""

from pathlib import Path

import pytest
import yaml
from conftest import CONFIG
from steerco.services.configuration import bundle as configuration
from steerco.services.governance import gates, measures
from steerco.services.integration import triggers
from steerco.services.integration.signatures import Delivery
from steerco.services.rights import people
from support.crm import body_of, hmac_headers, salesforce_opportunity

PACKS = Path(__file__).resolve().parents[2] / "config" / "packs"


def _load(name: str) -> dict:
    return yaml.safe_load((PACKS / f"{name}.yaml").read_text(encoding="utf-8"))


def _apply(store, data) -> dict:
    return store.run("system", lambda uow: configuration.apply(uow, data).as_dict())


@pytest.mark.parametrize("pack", sorted(p.stem for p in PACKS.glob("*.yaml")))
def test_each_pack_applies_cleanly_on_an_empty_instance_and_twice_changes_nothing(store, pack):
    first = _apply(store, _load(pack))
    assert first["created"] and first["updated"] == [] and first["warnings"] == []
    again = _apply(store, _load(pack))
    assert (again["created"], again["updated"]) == ([], [])


def test_the_packs_are_the_three_promised():
    assert sorted(p.stem for p in PACKS.glob("*.yaml")) == ["cost-programme", "customer-onboarding", "product-launch"]


def test_the_cost_programme_is_the_default_model():
    pack, default = _load("cost-programme"), yaml.safe_load(CONFIG.read_text())
    for section in ("roles", "measure_types", "governance_models", "value"):
        assert pack[section] == default[section], section
    assert pack["hierarchy"]["levels"] == default["hierarchy"]["levels"]


def _add(store, username, roles, email=""):
    store.run("system", lambda uow: people.add_user(uow, username, email=email, roles=roles) and None)


def test_cost_programme_demo_a_measure_is_held_at_its_first_gate_until_it_has_a_sponsor(store):
    _apply(store, _load("cost-programme"))
    _add(store, "olga", [("owner", "PROCUREMENT")])
    mid = store.run("olga", lambda uow: measures.create(uow, {"title": "Bundle freight", "node": "PROCUREMENT",
                                                              "type": "cost"}).id)
    check = store.run("olga", lambda uow: gates.check(uow, mid))
    assert (check.gate, check.passed) == ("Identified", False)
    assert "sponsor_named" in {f.criterion for f in check.failed}


def test_customer_onboarding_demo_a_won_deal_in_salesforce_starts_an_onboarding(store, clock):
    _apply(store, _load("customer-onboarding"))
    _add(store, "omar", [("onboarding_manager", "ONBOARDING"), ("owner", "ONBOARDING")], email="omar@acme.example")
    secret = "sf-pack-secret"
    event = salesforce_opportunity("evt-1", "0065g00000Pack1AAA", "Initech", "Closed Won", 240000,
                                   "omar@acme.example")
    body = body_of(event)
    ts = int(clock().timestamp())
    delivery = Delivery("POST", "http://localhost/api/v1/triggers/salesforce", hmac_headers(secret, body, ts), body)
    status, outcome = triggers.receive(store, "salesforce", delivery, env={"SALESFORCE_WEBHOOK_SECRET": secret})
    assert (status, outcome["accepted"]) == (200, 1), outcome
    [m] = store.run("system", lambda uow: [(m.title, m.node.code, m.owner.username, str(m.potential), m.id)
                                           for m in uow.measures(limit=10)[1]], readonly=True)
    assert m[:4] == ("Onboarding Initech", "ENTERPRISE", "omar", "240000.00")
    check = store.run("omar", lambda uow: gates.check(uow, m[4]))
    assert check.gate == "Kicked off"
    assert {f.criterion for f in check.failed} == {"customer_named", "kickoff_held"}


def test_product_launch_demo_an_idea_passes_the_idea_screen_with_a_gatekeeper(store):
    _apply(store, _load("product-launch"))
    _add(store, "ines", [("owner", "CONSUMER")])
    _add(store, "gita", [("gatekeeper", "PRODUCTS")])
    mid = store.run("ines", lambda uow: measures.create(uow, {
        "title": "Smart kettle", "node": "CONSUMER", "type": "launch",
        "fields": {"market": "EU households", "customer_problem": "Water boils too slowly"}}).id)
    rid = store.run("ines", lambda uow: gates.submit(uow, mid).id)
    store.run("gita", lambda uow: gates.vote(uow, rid, "go", "worth scoping"))
    assert store.run("ines", lambda uow: (measures.get(uow, mid).doi, gates.check(uow, mid).gate)) == (
        1, "Second screen")
