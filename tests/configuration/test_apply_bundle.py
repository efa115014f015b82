"""Applying a bundle: a schema check listing every problem with its path, all or nothing, dry run, audit."""

import copy

import pytest
from conftest import default_config
from steerco.domain.errors import ConfigProblems
from steerco.services.configuration import bundle as configuration


def _problems(store, data) -> list[tuple[str, str]]:
    with pytest.raises(ConfigProblems) as e:
        store.run("system", lambda uow: configuration.apply(uow, data))
    return [(p["location"], p["problem"]) for p in e.value.problems]


def _nothing_applied(store):
    return store.run("system", lambda uow: (uow.latest_model_version("doi-default"), uow.measure_types(),
                                            uow.levels(), uow.role("cfo")), readonly=True) == (None, [], [], None)


def _unknown_field(cfg):
    cfg["governance_models"][0]["gates"][1]["must_meet"][0]["lable"] = "Milestone plan"
    return "governance_models[0].gates[1].must_meet[0].lable", "unknown field"


def _bad_rule(cfg):
    cfg["governance_models"][0]["gates"][0]["should_meet"][0]["rule"] = {"no_such_operator": [1, 2]}
    return "governance_models[0].gates[0].should_meet[0].rule", "not a valid JSONLogic rule"


def _missing_form_field(cfg):
    cfg["governance_models"][0]["gates"][2]["required_fields"] = ["fields.vendor_contract"]
    return "governance model 'doi-default' gate 'Decided' required field", "vendor_contract"


def _cycle(cfg):
    cfg["hierarchy"]["nodes"] += [{"code": "X1", "name": "X1", "level": "program", "parent": "X2"},
                                  {"code": "X2", "name": "X2", "level": "project", "parent": "X1"}]
    return "hierarchy.nodes", "a cycle in the hierarchy: X1 -> X2 -> X1"


def _undefined_role(cfg):
    cfg["governance_models"][0]["gates"][3]["approval"]["steps"][0]["roles"] = ["transformation_office"]
    return "governance_models[0].gates[3].approval.steps[0].roles", "role 'transformation_office' is used but not defined"


BREAKAGES = [_unknown_field, _bad_rule, _missing_form_field, _cycle, _undefined_role]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda b: b.__name__.strip("_"))
def test_each_problem_is_refused_naming_its_path_and_nothing_is_applied(store, breakage):
    cfg = default_config()
    location, problem = breakage(cfg)
    found = _problems(store, cfg)
    assert any(loc.startswith(location) and problem in text for loc, text in found), found
    assert _nothing_applied(store)


def test_all_problems_are_listed_together(store):
    cfg = default_config()
    expected = [b(cfg) for b in BREAKAGES]
    found = _problems(store, cfg)
    for location, problem in expected:
        assert any(loc.startswith(location) and problem in text for loc, text in found), (location, found)
    assert _nothing_applied(store)


def test_shape_problems_name_the_path(store):
    cfg = default_config()
    cfg["colour"] = "blue"
    cfg["measure_types"][1]["fields"][0]["type"] = "colour"
    cfg["hierarchy"]["nodes"][1]["level"] = "division"
    cfg["triggers"] = {"sources": [{"code": "crm", "kind": "pipedrive", "secret_env": "CRM_SECRET"}],
                       "rules": [{"source": "crm", "name": "Won", "measure_type": "nope", "node": "PA",
                                  "owner": "pmo@acme.example", "fields": {"title": {"var": "name"}}}]}
    cfg["hierarchy"]["levels"][2] = "program"
    found = {loc.split(" (")[0]: text for loc, text in _problems(store, cfg)}
    assert found["colour"] == "unknown field"
    assert found["measure_types[1].fields[0].type"].startswith("Must be one of")
    assert found["hierarchy.nodes[1].level"] == "unknown level 'division'"
    assert found["triggers.sources[0].kind"].startswith("Must be one of")
    assert found["triggers.rules[0].measure_type"] == "unknown measure type 'nope'"
    assert found["hierarchy.levels[2]"] == "expected a mapping"
    assert "triggers.rules[0].owner" not in found  # a fixed e-mail is a literal, not a rule


def test_the_shipped_single_file_still_applies_and_twice_changes_nothing(store):
    first = store.run("system", lambda uow: configuration.apply(uow, default_config()).as_dict())
    assert "governance model doi-default v1" in first["created"]
    again = store.run("system", lambda uow: configuration.apply(uow, default_config()).as_dict())
    assert (again["created"], again["updated"]) == ([], [])


def test_a_dry_run_reports_what_would_change_and_writes_nothing(store):
    store.run("system", lambda uow: configuration.apply(uow, default_config()))
    changed = default_config()
    changed["governance_models"][0]["gates"][0]["min_score"] = 50
    changed["roles"].append({"code": "cio", "name": "CIO"})
    with store.unit("system") as uow:
        report = configuration.apply(uow, copy.deepcopy(changed)).as_dict()
    assert report["created"] == ["role cio"] and report["updated"] == ["governance model doi-default v2"]
    assert store.run("system", lambda uow: (uow.latest_model_version("doi-default").version, uow.role("cio")),
                     readonly=True) == (1, None)


def test_the_audit_trail_records_who_applied_which_bundle(portfolio):
    source = {"file": "client.yaml", "sha256": "ab" * 32}
    portfolio.run("admin", lambda uow: configuration.apply(uow, default_config(), source=source))
    events = portfolio.run("admin", lambda uow: [(e.actor, e.action, e.entity_id, e.after)
                                                 for e in uow.audit_events()], readonly=True)
    actor, _, entity_id, after = [e for e in events if e[1] == "configuration.applied"][-1]
    assert (actor, entity_id, after["file"], after["created"], after["updated"]) == ("admin", "ab" * 32,
                                                                                     "client.yaml", 0, 0)


def test_a_connector_no_installed_plugin_provides_is_refused(store):
    import steerco_jira
    from steerco.plugins.manager import make_plugin_manager

    store.plugins = make_plugin_manager(entrypoints=False, plugins=[steerco_jira])
    cfg = default_config()
    cfg["connectors"] = [{"name": "jira", "connector": "jira", "settings": {"base_url": "https://j.example"}},
                         {"name": "erp", "connector": "sap_s4", "settings": {}}]
    assert _problems(store, cfg) == [("connectors[1].connector (connector 'erp')",
                                      "unknown connector 'sap_s4'; installed: jira")]
