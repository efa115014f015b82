"""A criterion within the size caps but over the work budget: refused when saved, and where one is met
at run time (it only gets expensive on some facts) a not-met criterion that says so, never a 500."""

from __future__ import annotations

import copy

import pytest

from conftest import default_config
from steerco.domain.errors import ConfigError
from steerco.services.configuration import bundle as configuration
from value.helpers import new_measure

ITEMS = list(range(1000))
# 1,000 x 1,000 x 1,000 additions: about 4 KiB of rule, a billion operations.
COSTLY = {"!!": [{"map": [ITEMS, {"map": [ITEMS, {"map": [ITEMS, {"+": [{"var": ""}, 1]}]}]}]}]}
# Cheap while the measure has no potential, which is all the facts a save can try it on.
COSTLY_WITH_POTENTIAL = {"if": [{"var": "potential"}, COSTLY, True]}


def _config(rule) -> dict:
    cfg = default_config()
    crit = next(c for c in cfg["governance_models"][0]["gates"][0]["must_meet"] if c["code"] == "potential_estimated")
    crit["rule"] = copy.deepcopy(rule)
    return cfg


def _bearer(app, user):
    r = app.test_client().post("/api/v1/security/login", json={"username": user, "password": f"{user}-pw",
                                                                 "provider": "db"})
    return {"Authorization": f"Bearer {r.get_json()['access_token']}"}


def test_a_rule_over_the_work_budget_is_refused_when_applied_or_saved(app, portfolio):
    with pytest.raises(ConfigError, match="work budget"):
        portfolio.run("system", lambda uow: configuration.apply(uow, _config(COSTLY)))

    definition = portfolio.run("admin", lambda uow: uow.latest_model_version("doi-default").definition,
                               readonly=True)
    draft = copy.deepcopy(definition)
    next(c for c in draft["gates"][0]["must_meet"] if c["code"] == "potential_estimated")["rule"] = COSTLY
    r = app.test_client().put("/api/v1/ui/models/doi-default/draft", json={"definition": draft},
                              headers=_bearer(app, "admin"))
    assert r.status_code == 422, r.get_data(as_text=True)
    assert "work budget" in r.get_json()["message"]


def test_a_criterion_over_budget_at_run_time_is_not_met_with_its_reason(app, web, portfolio):
    portfolio.run("system", lambda uow: configuration.apply(uow, _config(COSTLY_WITH_POTENTIAL)) and None)
    mid = new_measure(portfolio, potential=250000, baseline=1000000, target=800000)
    api, alice = app.test_client(), _bearer(app, "alice")

    r = api.get(f"/api/v1/measures/{mid}/checklist", headers=alice)
    assert r.status_code == 200, r.get_data(as_text=True)
    crit = next(c for c in r.get_json()["results"] if c["criterion"] == "potential_estimated")
    assert not crit["passed"] and "work budget" in crit["explanation"]

    r = api.post(f"/api/v1/measures/{mid}/submit", headers=alice)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert any("work budget" in f["explanation"] for f in r.get_json()["failed"])

    alice_web = web.login("alice")
    assert alice_web.get(f"/measures/{mid}").status_code == 200
    page = alice_web.get(f"/measures/{mid}?tab=checklist")
    assert page.status_code == 200
    assert "work budget" in page.get_data(as_text=True)
