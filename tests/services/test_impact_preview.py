"""The impact preview judges the draft as edited, criterion by criterion, and names every measure that changes."""

import copy

from value.helpers import new_measure

from conftest import default_config
from steerco.services.configuration import bundle as configuration
from steerco.domain.gatecheck import check_gate
from steerco.domain.governance import parse_model
from steerco.services.configuration import drafts, preview
from steerco.services.governance import gates
from steerco.services.governance.facts import facts_for

THRESHOLD = {"and": [{"!=": [{"var": "potential"}, None]}, {">": [{"var": "potential"}, 100000]}]}


def with_threshold(store) -> dict:
    """The default model with 'potential above 100,000' at the gate to DoI 1; returns its published definition."""
    cfg = default_config()
    gate = cfg["governance_models"][0]["gates"][0]
    crit = next(c for c in gate["must_meet"] if c["code"] == "potential_estimated")
    crit["label"], crit["rule"] = "Potential above 100,000", copy.deepcopy(THRESHOLD)
    store.run("system", lambda uow: configuration.apply(uow, cfg) and None)
    return store.run("admin", lambda uow: uow.latest_model_version("doi-default").definition, readonly=True)


def threshold_portfolio(store) -> dict:
    """Measures facing the gate to DoI 1; all but 'Ready 200k' lack a controller, so they fail it anyway."""
    kpi = {"baseline": 1000000, "target": 800000}
    ids = {title: new_measure(store, title, potential=p, controller=None, **kpi) for title, p in
           (("Small 50k", 50000), ("Mid 200k", 200000), ("Large 400k", 400000))}
    ids["Ready 200k"] = new_measure(store, "Ready 200k", potential=200000, **kpi)
    return {t: store.run("admin", lambda uow: uow.measure(mid).code, readonly=True) for t, mid in ids.items()}


def set_threshold(definition: dict, amount: int) -> dict:
    draft = copy.deepcopy(definition)
    crit = next(c for c in draft["gates"][0]["must_meet"] if c["code"] == "potential_estimated")
    crit["rule"]["and"][1][">"][1] = amount
    return draft


def test_raised_threshold_changes_the_counts_and_names_the_measures(portfolio):
    published = with_threshold(portfolio)
    code = threshold_portfolio(portfolio)
    draft = set_threshold(published, 300000)

    out = portfolio.run("admin", lambda uow: preview.impact(uow, "doi-default", draft, 1), readonly=True)

    assert out["checked"] == 4
    changed = {m["code"]: m for m in out["changed"]}
    # 'Mid 200k' fails the gate either way, but its potential criterion changes: it is named too
    assert set(changed) == {code["Mid 200k"], code["Ready 200k"]}
    crit = next(c for c in out["criteria"] if c["criterion"] == "potential_estimated")
    assert crit["now"] == {"pass": 3, "fail": 1} and crit["draft"] == {"pass": 1, "fail": 3}
    assert (crit["to_fail"], crit["to_pass"]) == (2, 0)
    assert out["now"] == {"pass": 1, "fail": 3} and out["draft"] == {"pass": 0, "fail": 4}
    mid = changed[code["Mid 200k"]]
    assert (mid["before"], mid["after"]) == (False, False)
    assert mid["criteria"] == [{"criterion": "potential_estimated", "label": "Potential above 100,000",
                                "before": True, "after": False}]
    assert (changed[code["Ready 200k"]]["before"], changed[code["Ready 200k"]]["after"]) == (True, False)
    # unchanged criteria are still counted
    sponsor = next(c for c in out["criteria"] if c["criterion"] == "sponsor_named")
    assert sponsor["now"] == sponsor["draft"] == {"pass": 4, "fail": 0} and sponsor["to_fail"] == 0


def test_raised_threshold_seen_where_the_gate_fails_anyway(portfolio):
    # the reported case: the gate's totals stay the same (the measure misses its controller either way)
    published = with_threshold(portfolio)
    mid = new_measure(portfolio, "Mid 200k", potential=200000, controller=None)
    out = portfolio.run("admin", lambda uow: preview.impact(uow, "doi-default", set_threshold(published, 300000), 1),
                        readonly=True)
    assert out["now"] == out["draft"] == {"pass": 0, "fail": 1}
    assert [(m["id"], m["criteria"]) for m in out["changed"]] == [(mid, [
        {"criterion": "potential_estimated", "label": "Potential above 100,000", "before": True, "after": False}])]
    crit = next(c for c in out["criteria"] if c["criterion"] == "potential_estimated")
    assert (crit["now"], crit["draft"]) == ({"pass": 1, "fail": 0}, {"pass": 0, "fail": 1})


def test_lowered_threshold_names_the_measures_that_now_pass(portfolio):
    published = with_threshold(portfolio)
    code = threshold_portfolio(portfolio)
    out = portfolio.run("admin", lambda uow: preview.impact(uow, "doi-default", set_threshold(published, 30000), 1),
                        readonly=True)
    crit = next(c for c in out["criteria"] if c["criterion"] == "potential_estimated")
    assert (crit["to_fail"], crit["to_pass"]) == (0, 1)
    assert [(m["code"], m["criteria"][0]["before"], m["criteria"][0]["after"]) for m in out["changed"]] == [
        (code["Small 50k"], False, True)]


def test_added_and_removed_criteria_count_as_changes(portfolio):
    published = with_threshold(portfolio)
    code = threshold_portfolio(portfolio)
    draft = copy.deepcopy(published)
    must = draft["gates"][0]["must_meet"]
    must[:] = [c for c in must if c["code"] != "controller_named"]
    must.append({"code": "big", "label": "Above 300k", "rule": {">": [{"var": "potential"}, 300000]}})
    out = portfolio.run("admin", lambda uow: preview.impact(uow, "doi-default", draft, 1), readonly=True)
    crits = {c["criterion"]: c for c in out["criteria"]}
    assert crits["big"]["now"] is None and crits["big"]["draft"] == {"pass": 1, "fail": 3}
    assert crits["controller_named"]["draft"] is None and crits["controller_named"]["to_pass"] == 3
    large = next(m for m in out["changed"] if m["code"] == code["Large 400k"])
    # the dropped criterion no longer blocks it and the new one passes: it now passes the gate
    assert (large["before"], large["after"]) == (False, True)
    assert {(c["criterion"], c["before"], c["after"]) for c in large["criteria"]} == {
        ("controller_named", False, None)}


def test_preview_without_a_definition_judges_the_saved_draft(portfolio):
    published = with_threshold(portfolio)
    code = threshold_portfolio(portfolio)
    portfolio.run("admin", lambda uow: drafts.save_draft(uow, "doi-default", set_threshold(published, 300000)))
    out = portfolio.run("admin", lambda uow: preview.impact(uow, "doi-default", None, 1), readonly=True)
    assert {m["code"] for m in out["changed"]} == {code["Mid 200k"], code["Ready 200k"]}


def test_every_facing_measure_is_judged_as_its_one_measure_check(portfolio):
    definition = with_threshold(portfolio)
    codes = list(threshold_portfolio(portfolio).values())
    draft = set_threshold(definition, 300000)
    out = portfolio.run("admin", lambda uow: preview.impact(uow, "doi-default", draft, 1), readonly=True)
    assert out["checked"] == len(codes) and not out["more"]
    drafted = parse_model({**draft, "code": "doi-default"}).gate_for(1)

    def one_by_one(uow):
        ms = [uow.measure_by_code(c) for c in codes]
        return ({m.code: gates.check(uow, m.id).passed for m in ms},
                {m.code: check_gate(drafted, facts_for(uow, m)).passed for m in ms})
    now, after = portfolio.run("admin", one_by_one, readonly=True)
    assert out["now"] == {"pass": sum(now.values()), "fail": len(now) - sum(now.values())}
    assert out["draft"] == {"pass": sum(after.values()), "fail": len(after) - sum(after.values())}
    changed = {r["code"]: (r["before"], r["after"]) for r in out["changed"]}
    assert {c for c in codes if now[c] != after[c]} <= set(changed)
    assert all(changed[c] == (now[c], after[c]) for c in changed)
    assert any(now[c] != after[c] for c in codes)  # the draft does turn a measure
