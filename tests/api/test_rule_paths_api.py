"""The editor's endpoints refuse rules on paths no measure can have, and say so about fields no type has yet."""

import copy

from steerco.services.configuration import drafts

CHECK = "/api/v1/ui/rules/check"


def test_rule_check_refuses_an_unknown_field_and_a_typo(api):
    r = api.post(CHECK, json={"rule": {">": [{"var": "fields.nonexistent"}, 0]}, "model": "doi-default",
                              "gate": "Identified", "criterion": "potential_estimated"})
    body = r.get_json()
    assert r.status_code == 200 and body["ok"] is False, body
    assert "fields.nonexistent" in body["problem"] and "field 'nonexistent'" in body["problem"]
    assert body["errors"][0]["path"] == "fields.nonexistent"
    assert "gate 'Identified' criterion 'potential_estimated'" in body["errors"][0]["location"]
    typo = api.post(CHECK, json={"rule": {">": [{"var": "vaule.plan"}, 0]}}).get_json()
    assert typo["ok"] is False and "did you mean 'value'" in typo["problem"]
    good = api.post(CHECK, json={"rule": {">": [{"var": "fields.one_time_cost"}, 0]}, "model": "doi-default"})
    assert good.get_json() == {"ok": True, "reads": ["fields.one_time_cost"], "problem": None, "errors": [],
                               "warnings": []}


def test_a_field_no_type_has_yet_is_a_warning(api):
    model = drafts.skeleton("lean", "Lean model")
    model["gates"][0]["must_meet"] = [{"code": "vendor_named", "label": "Vendor named",
                                       "rule": {"!!": {"var": "fields.vendor"}}}]
    r = api.put("/api/v1/ui/models/lean/draft", json={"definition": model})
    assert r.status_code == 200, r.get_json()
    warning = r.get_json()["warnings"][0]
    assert (warning["severity"], warning["path"], warning["doi"], warning["criterion"]) == (
        "warning", "fields.vendor", 1, "vendor_named")
    check = api.post(CHECK, json={"rule": {"!!": {"var": "fields.vendor"}}, "model": "lean"}).get_json()
    assert check["ok"] is True and check["warnings"][0]["path"] == "fields.vendor"


def test_draft_save_refuses_errors_naming_gate_criterion_and_path(api, portfolio):
    model = copy.deepcopy(portfolio.run("admin", lambda uow: drafts.draft(uow, "doi-default"),
                                        readonly=True)["definition"])
    model["gates"][0]["must_meet"][2]["rule"] = {">": [{"var": "fields.nonexistent"}, 0]}
    model["gates"][1]["should_meet"][2]["rule"] = {">": [{"var": "vaule.plan_periods"}, 0]}
    r = api.put("/api/v1/ui/models/doi-default/draft", json={"definition": model})
    body = r.get_json()
    assert r.status_code == 422, body
    assert [(p["location"], p["path"]) for p in body["problems"]] == [
        ("governance model 'doi-default' gate 'Identified' criterion 'potential_estimated'", "fields.nonexistent"),
        ("governance model 'doi-default' gate 'Detailed' criterion 'value_plan'", "vaule.plan_periods")]
    assert portfolio.run("admin", lambda uow: drafts.draft(uow, "doi-default"), readonly=True)["open"] is False


def test_testing_a_rule_on_a_measure_refuses_an_unknown_field(api, portfolio):
    from value.helpers import new_measure

    new_measure(portfolio, potential=1000)
    r = api.post("/api/v1/ui/rules/test", json={"rule": {">": [{"var": "fields.nonexistent"}, 0]},
                                                "measure": "M-0001"})
    assert r.status_code == 422 and "field 'nonexistent'" in r.get_json()["errors"]["rule"][0]
