"""Criteria that read what no measure can have are refused where they are written, naming gate, criterion and path.

The rule: a path whose first part is not a fact the platform builds is an error;
``fields.X`` is an error when the model has measure types and none has field X
(at ``config apply``, the types as they will be once the file is applied), and a
warning while the model has no measure type yet.
"""

import copy

import pytest

from conftest import default_config
from steerco.domain.errors import ConfigError
from steerco.services.configuration import bundle as configuration
from steerco.services.configuration import drafts
from steerco.store.tables_ui import model_drafts

UNKNOWN_FIELD = {">": [{"var": "fields.nonexistent"}, 0]}
TYPO = {">": [{"var": "vaule.plan"}, 0]}


def _set_rule(model: dict, gate: int, code: str, rule) -> None:
    g = next(g for g in model["gates"] if g["doi"] == gate)
    crit = next(c for c in g.get("must_meet", []) + g.get("should_meet", []) if c["code"] == code)
    crit["rule"] = copy.deepcopy(rule)


def _lean(**gate_extra) -> dict:
    model = drafts.skeleton("lean", "Lean model")
    model["gates"][0]["must_meet"] = [{"code": "vendor_named", "label": "Vendor named",
                                       "rule": {"!!": {"var": "fields.vendor"}}}]
    model["gates"][0].update(gate_extra)
    return model


def test_config_apply_lists_every_unknown_path_and_applies_nothing(store):
    cfg = default_config()
    model = cfg["governance_models"][0]
    _set_rule(model, 1, "potential_estimated", UNKNOWN_FIELD)
    _set_rule(model, 2, "value_plan", TYPO)
    model["gates"][2]["approval"]["steps"][2]["condition"] = {">": [{"var": "potentail"}, 5000000]}

    with pytest.raises(ConfigError) as e:
        store.run("system", lambda uow: configuration.apply(uow, cfg))

    found = {(p["location"], p["path"]) for p in e.value.problems}
    assert found == {
        ("governance model 'doi-default' gate 'Identified' criterion 'potential_estimated'", "fields.nonexistent"),
        ("governance model 'doi-default' gate 'Detailed' criterion 'value_plan'", "vaule.plan"),
        ("governance model 'doi-default' gate 'Decided' approval step 'CFO approval' condition", "potentail"),
    }
    assert all(p["severity"] == "error" for p in e.value.problems)
    message = e.value.message
    assert "field 'nonexistent'" in message and "cost" in message and "growth" in message
    assert "did you mean 'value'" in message and "did you mean 'potential'" in message
    # nothing of the file was applied: no model, no type, no role
    assert store.run("admin", lambda uow: (uow.latest_model_version("doi-default"), uow.measure_types(),
                                           uow.role("cfo")), readonly=True) == (None, [], None)


def test_config_apply_judges_fields_by_the_types_as_applied(portfolio):
    cfg = default_config()
    _set_rule(cfg["governance_models"][0], 1, "potential_estimated", {"!!": {"var": "fields.vendor"}})
    with pytest.raises(ConfigError, match="fields.vendor"):
        portfolio.run("system", lambda uow: configuration.apply(uow, cfg))
    # the same file giving the cost type a 'vendor' field is accepted
    cfg["measure_types"][0]["fields"].append({"key": "vendor", "label": "Vendor", "type": "text"})
    report = portfolio.run("system", lambda uow: configuration.apply(uow, cfg).as_dict())
    assert "governance model doi-default v2" in report["updated"] and report["warnings"] == []


def test_unknown_top_level_fact_is_refused_even_without_measure_types(store):
    model = _lean()
    model["gates"][1]["should_meet"] = [{"code": "planned", "label": "Planned", "rule": TYPO}]
    with pytest.raises(ConfigError) as e:
        store.run("system", lambda uow: configuration.apply(uow, {"governance_models": [model]}))
    assert [(p["location"], p["path"]) for p in e.value.problems] == [
        ("governance model 'lean' gate 'Approved' criterion 'planned'", "vaule.plan")]


def test_a_field_on_a_model_without_measure_types_is_a_warning(portfolio):
    report = portfolio.run("system", lambda uow: configuration.apply(uow, {"governance_models": [_lean()]}).as_dict())
    assert report["created"] == ["governance model lean v1"]
    assert [(w["severity"], w["location"], w["path"]) for w in report["warnings"]] == [
        ("warning", "governance model 'lean' gate 'Scoped' criterion 'vendor_named'", "fields.vendor")]
    assert "no measure type" in report["warnings"][0]["problem"]
    # the draft editor says the same
    saved = portfolio.run("admin", lambda uow: drafts.save_draft(uow, "lean", _lean()))
    assert [w["path"] for w in saved["warnings"]] == ["fields.vendor"]
    # once a type on the model has the field, nothing is left to say
    portfolio.run("admin", lambda uow: drafts.save_measure_type(
        uow, "supply", "Supply measure", "lean", [{"key": "vendor", "label": "Vendor", "type": "text"}]))
    assert portfolio.run("admin", lambda uow: drafts.save_draft(uow, "lean", _lean()))["warnings"] == []


def test_draft_save_refuses_an_unknown_field_and_keeps_nothing(portfolio):
    model = portfolio.run("admin", lambda uow: drafts.draft(uow, "doi-default"), readonly=True)["definition"]
    _set_rule(model, 1, "potential_estimated", UNKNOWN_FIELD)
    model["gates"][0]["required_fields"] = ["owner", "fields.nonexistent"]
    with pytest.raises(ConfigError) as e:
        portfolio.run("admin", lambda uow: drafts.save_draft(uow, "doi-default", model))
    assert [(p["location"], p["path"], p["doi"], p["criterion"]) for p in e.value.problems] == [
        ("governance model 'doi-default' gate 'Identified' criterion 'potential_estimated'", "fields.nonexistent",
         1, "potential_estimated"),
        ("governance model 'doi-default' gate 'Identified' required field", "fields.nonexistent", 1, None)]
    assert portfolio.run("admin", lambda uow: uow.session.execute(model_drafts.select()).all(), readonly=True) == []


def test_publish_refuses_a_draft_whose_field_a_type_has_since_dropped(portfolio):
    model = portfolio.run("admin", lambda uow: drafts.draft(uow, "doi-default"), readonly=True)["definition"]
    _set_rule(model, 1, "potential_estimated", {"!!": {"var": "fields.lever"}})
    assert portfolio.run("admin", lambda uow: drafts.save_draft(uow, "doi-default", model))["warnings"] == []
    cost = default_config()["measure_types"][0]
    portfolio.run("admin", lambda uow: drafts.save_measure_type(
        uow, "cost", cost["name"], "doi-default", [f for f in cost["fields"] if f["key"] != "lever"]))
    with pytest.raises(ConfigError, match="fields.lever"):
        portfolio.run("admin", lambda uow: drafts.publish(uow, "doi-default"))
    assert portfolio.run("admin", lambda uow: uow.latest_model_version("doi-default").version, readonly=True) == 1


def test_rule_check_names_the_unknown_field(portfolio):
    from steerco.services.configuration import rule_checks

    def check(rule, model="doi-default", **kw):
        return portfolio.run("admin", lambda uow: rule_checks.check_rule(uow, rule, model, **kw), readonly=True)

    out = check(UNKNOWN_FIELD, gate="Identified", criterion="potential_estimated")
    assert out["ok"] is False and out["reads"] == ["fields.nonexistent"]
    assert "fields.nonexistent" in out["problem"] and "field 'nonexistent'" in out["problem"]
    assert out["errors"][0]["location"] == "governance model 'doi-default' gate 'Identified' criterion " \
                                           "'potential_estimated'"
    typo = check({">": [{"var": "fields.one_time_cots"}, 0]})
    assert typo["ok"] is False and "did you mean 'one_time_cost'" in typo["problem"]
    assert check({">": [{"var": "fields.one_time_cost"}, 0]}) == {
        "ok": True, "reads": ["fields.one_time_cost"], "problem": None, "errors": [], "warnings": []}
    assert check(TYPO)["ok"] is False and "'vaule'" in check(TYPO)["problem"]
    assert check({"frobnicate": []})["ok"] is False
    # a model without measure types yet: accepted, with a warning naming the field
    portfolio.run("admin", lambda uow: drafts.start_model(uow, "lean", "Lean model"))
    lean = check({"!!": {"var": "fields.vendor"}}, model="lean")
    assert lean["ok"] is True and [w["path"] for w in lean["warnings"]] == ["fields.vendor"]
    # a var path computed from the facts cannot be checked: said, not refused
    computed = check({"var": {"cat": ["fields.", "lever"]}})
    assert computed["ok"] is True and "computed" in computed["warnings"][0]["problem"]


def test_testing_a_rule_on_a_measure_refuses_an_unknown_field(portfolio):
    from value.helpers import new_measure

    from steerco.domain.errors import ValidationFailed
    from steerco.services.configuration import preview

    new_measure(portfolio, potential=1000)
    with pytest.raises(ValidationFailed) as e:
        portfolio.run("admin", lambda uow: preview.test_rule(uow, UNKNOWN_FIELD, "M-0001"), readonly=True)
    assert "field 'nonexistent'" in e.value.errors["rule"][0]
    out = portfolio.run("admin", lambda uow: preview.test_rule(uow, {">": [{"var": "potential"}, 500]}, "M-0001"),
                        readonly=True)
    assert out["passed"] is True and out["warnings"] == []


def test_every_fact_the_platform_builds_is_known(portfolio):
    from value.helpers import new_measure

    from steerco.domain.measure import FACT_ROOTS
    from steerco.services.governance import gates

    mid = new_measure(portfolio, potential=1000)
    facts = portfolio.run("admin", lambda uow: gates.facts_for(uow, uow.measure(mid)), readonly=True)
    assert set(facts) == FACT_ROOTS
