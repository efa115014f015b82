"""The difference of two bundles, by object and field, in words."""

import copy

import yaml
from conftest import CONFIG
from steerco.services.configuration.diff import as_text, bundle_diff


def _default() -> dict:
    return yaml.safe_load(CONFIG.read_text())


def _texts(before, after) -> list[str]:
    return [as_text(line) for line in bundle_diff(before, after)]


def test_the_same_bundle_has_no_difference():
    assert bundle_diff(_default(), _default()) == []


def test_changes_are_named_by_object_and_field():
    before, after = _default(), _default()
    gate = after["governance_models"][0]["gates"][2]
    gate["must_meet"].append({"code": "bc_signed", "label": "Business case signed", "rule": {"!!": {"var": "x"}}})
    gate["sla"]["escalation_days"] = 20
    after["governance_models"][0]["levels"][1]["name"] = "Spotted"
    after["roles"][0]["name"] = "Chief financial officer"
    after["roles"].append({"code": "cio", "name": "CIO"})
    after["hierarchy"]["levels"].pop()
    after["measure_types"][0]["fields"][0]["choices"].append("energy")
    after["measure_types"][1]["fields"].append({"key": "region", "label": "Region", "type": "text"})
    after["value"]["fx_rates"]["USD"]["2027-02"] = 0.93
    after["value"]["potential_status"]["at_risk_below"] = 90
    after["model_history"] = [{"code": "doi-default", "version": 1, "definition": before["governance_models"][0]}]
    after["triggers"] = {"sources": [{"code": "hubspot", "kind": "hubspot", "secret_env": "HS_SECRET"}]}
    texts = _texts(before, after)
    assert "governance model 'doi-default' gate 'Decided': must-meet 'Business case signed' added" in texts
    assert any(t.startswith("governance model 'doi-default' gate 'Decided': sla: ") for t in texts)
    assert "governance model 'doi-default' DoI 1: level Identified (10%) → Spotted (10%) changed" in texts
    assert "governance model 'doi-default': published versions: 1 → 2 changed" in texts
    assert "role 'cfo': name: CFO → Chief financial officer changed" in texts
    assert "role 'cio' added" in texts
    assert "hierarchy level 'package' removed" in texts
    assert any(t.startswith("measure type 'cost' form field 'lever': choices: ") for t in texts)
    assert "measure type 'growth' form field 'region' added" in texts
    assert "value settings: FX rate USD 2027-02 added" in texts
    assert any(t.startswith("value settings: potential status: ") for t in texts)
    assert "trigger source 'hubspot' added" in texts
    assert len(texts) == 12, texts


def test_the_diff_is_directional():
    before, after = _default(), copy.deepcopy(_default())
    after["roles"] = []
    assert _texts(before, after) == ["role 'cfo' removed"]
    assert _texts(after, before) == ["role 'cfo' added"]


def test_mappings_are_compared_as_values_not_by_the_order_of_their_keys():
    before, after = _default(), _default()
    after["governance_models"][0]["closure"] = dict(reversed(list(before["governance_models"][0]["closure"].items())))
    assert bundle_diff(before, after) == []


def test_what_applying_changes_leaves_out_what_applying_keeps():
    from steerco.services.configuration.diff import what_applying_changes

    live = _default()
    live["roles"].append({"code": "cio", "name": "CIO"})
    live["connectors"] = [{"name": "jira", "connector": "jira", "settings": {}}]
    data = _default()
    data["governance_models"][0]["gates"][0]["must_meet"].pop(0)
    data["value"]["categories"].pop()
    del data["value"]["fx_rates"]["USD"]["2026-11"]
    texts = [as_text(line) for line in what_applying_changes(live, data)]
    assert texts == ["governance model 'doi-default' gate 'Identified': must-meet 'Sponsor named' removed",
                     "category 'recurring_benefit' removed"]
