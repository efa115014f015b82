"""Exporting the whole configuration: stable bytes, codes instead of ids, every version, no secrets."""

import copy

import yaml
from steerco.services.configuration import bundle as configuration
from steerco.services.configuration import export

from configuration.conftest import CONNECTORS


def _export(store, **kw) -> str:
    return store.run("admin", lambda uow: export.dump(export.export(uow, **kw)), readonly=True)


def test_two_exports_of_the_same_configuration_are_byte_identical(configured):
    first = _export(configured, with_nodes=True)
    assert _export(configured, with_nodes=True) == first
    data = yaml.safe_load(first)
    assert list(data) == sorted(data)
    assert "id:" not in first and "_id" not in first


def test_the_export_holds_every_section_named_by_codes(configured):
    data = yaml.safe_load(_export(configured, with_nodes=True))
    assert [lvl["code"] for lvl in data["hierarchy"]["levels"]] == ["organization", "portfolio", "program",
                                                                    "project", "package"]
    assert {n["code"]: n.get("parent") for n in data["hierarchy"]["nodes"]} == {"ACME": None, "PA": "ACME",
                                                                               "PB": "ACME"}
    assert [r["code"] for r in data["roles"]] == ["cfo"]
    assert [mt["code"] for mt in data["measure_types"]] == ["cost", "growth"]
    assert data["measure_types"][0]["model"] == "doi-default"
    model = data["governance_models"][0]
    assert model["levels"][1]["name"] == "Spotted"
    assert [(h["code"], h["version"]) for h in data["model_history"]] == [("doi-default", 1)]
    assert data["model_history"][0]["definition"]["levels"][1]["name"] == "Identified"
    assert model["gates"][2]["sla"] == {"reminder_days": 5, "escalation_days": 15, "escalate_to": "steering_committee"}
    assert data["value"]["fx_rates"] == {"USD": {"2026-11": 0.92, "2026-12": 0.93, "2027-01": 0.9215}}
    assert data["value"]["fiscal_year_start_month"] == 1
    assert [c["code"] for c in data["value"]["categories"]][:2] == ["savings", "ebitda"]
    assert data["triggers"]["sources"] == [{"code": "hubspot", "kind": "hubspot", "secret_env": "HUBSPOT_SECRET",
                                            "replay_window": 300, "public_url": "", "enabled": True}]
    rule = data["triggers"]["rules"][0]
    assert (rule["source"], rule["name"], rule["node"], rule["owner"]) == ("hubspot", "Deal won", "PA",
                                                                          {"var": "owner"})
    assert data["connectors"] == CONNECTORS


def test_nodes_only_on_request(configured):
    assert "nodes" not in yaml.safe_load(_export(configured))["hierarchy"]


def test_secrets_are_never_exported_only_the_names_of_their_variables(configured):
    text = _export(configured, with_nodes=True)
    assert "JIRA_TOKEN" in text and "HUBSPOT_SECRET" in text
    assert "jira-secret-value-77" not in text


def test_applying_the_export_to_its_own_instance_changes_nothing(configured):
    data = yaml.safe_load(_export(configured, with_nodes=True))
    report = configured.run("admin", lambda uow: configuration.apply(uow, copy.deepcopy(data)).as_dict())
    assert (report["created"], report["updated"]) == ([], [])


def test_rates_set_after_the_apply_are_exported(configured):
    from steerco.services.value import configure

    configured.run("admin", lambda uow: configure.set_fx_rates(uow, [{"currency": "CHF", "period": "2026-11",
                                                                        "rate": "1.0712"}]))
    rates = yaml.safe_load(_export(configured))["value"]["fx_rates"]
    assert rates["CHF"] == {"2026-11": 1.0712} and rates["USD"]["2027-01"] == 0.9215
