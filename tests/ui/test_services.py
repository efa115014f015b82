"""The services behind the pages: dashboard figures and their scope, the inbox query, drafts, the diff."""

from __future__ import annotations

from steerco.services.configuration import drafts, preview, structure
from steerco.services.configuration.model_diff import model_diff
from steerco.services.governance import gates, measures
from steerco.services.reporting import dashboard


def _measure(store, user, node, potential, **extra):
    return store.run(user, lambda uow: measures.create(uow, {"title": f"In {node}", "node": node, "type": "cost",
                                                             "potential": potential, **extra}).id)


def test_dashboard_figures_are_scoped_and_weighted(portfolio):
    _measure(portfolio, "alice", "PA", "1000")
    _measure(portfolio, "pmo_b", "PB", "500")
    whole = portfolio.run("admin", lambda uow: dashboard.figures(uow), readonly=True)
    assert whole["total"] == 2 and whole["potential"] == "1500.00"
    assert whole["funnel"] == [{"model": "doi-default", "model_name": "Degree of Implementation", "doi": 0,
                                "name": "Defined", "count": 2, "potential": "1500.00", "weighted": "0.00"}]
    assert whole["value_at_risk"] == "1500.00"
    b_only = portfolio.run("pmo_b", lambda uow: dashboard.figures(uow), readonly=True)
    assert b_only["total"] == 1 and b_only["potential"] == "500.00"
    # asking for another node's subtree shows nothing of it
    assert portfolio.run("pmo_b", lambda uow: dashboard.figures(uow, "PA"), readonly=True)["total"] == 0
    assert [n["code"] for n in portfolio.run("pmo_b", lambda uow: dashboard.node_choices(uow), readonly=True)] == ["PB"]


def test_pending_approvals_are_counted_by_age_within_scope(portfolio, clock):
    mid = _measure(portfolio, "alice", "PA", "250000", sponsor="bob", controller="carol", baseline="10", target="5")
    portfolio.run("alice", lambda uow: gates.submit(uow, mid) and None)
    clock.advance(days=4)
    figures = portfolio.run("admin", lambda uow: dashboard.figures(uow), readonly=True)
    assert [a["count"] for a in figures["approvals"]] == [0, 1, 0, 0]
    assert sum(a["count"] for a in portfolio.run("pmo_b", lambda uow: dashboard.figures(uow),
                                                 readonly=True)["approvals"]) == 0


def test_draft_publish_records_a_new_version(portfolio):
    portfolio.run("admin", lambda uow: drafts.start_model(uow, "lean", "Lean model"))
    d = portfolio.run("admin", lambda uow: drafts.draft(uow, "lean"), readonly=True)
    assert d["open"] and len(d["definition"]["gates"]) == 3
    out = portfolio.run("admin", lambda uow: drafts.publish(uow, "lean"))
    assert out["version"] == 1
    d = portfolio.run("admin", lambda uow: drafts.draft(uow, "lean"), readonly=True)
    assert not d["open"] and d["latest_version"] == 1
    actions = portfolio.run("admin", lambda uow: [e.action for e in uow.audit_events()], readonly=True)
    assert "model.draft_saved" in actions and "model.published" in actions


def test_diff_names_what_changed():
    before = drafts.skeleton("m", "M")
    after = drafts.skeleton("m", "M")
    after["gates"][0]["must_meet"].append({"code": "c", "label": "Costed", "rule": True})
    after["gates"][1]["sla"] = {"reminder_days": 2}
    after["levels"][3]["risk_weight"] = 90
    lines = {(d["where"], d["change"], d["what"].split(":")[0]) for d in model_diff(before, after)}
    assert ("gate 'Scoped'", "added", "must-meet 'Costed'") in lines
    assert ("gate 'Approved'", "changed", "sla") in lines
    assert ("DoI 3", "changed", "level Delivered (100%) → Delivered (90%)") in lines


def test_moving_a_node_moves_its_subtree_and_rights(portfolio):
    portfolio.run("admin", lambda uow: structure.add_node(uow, "PA1", "Project A1", "project", "PA") and None)
    mid = _measure(portfolio, "alice", "PA1", "100")
    portfolio.run("admin", lambda uow: structure.move_node(uow, "PA", "PB"))
    paths = portfolio.run("admin", lambda uow: {n.code: n.path for n in uow.nodes()}, readonly=True)
    assert paths["PA1"] == "/ACME/PB/PA/PA1/"
    # pmo_b (PMO of PB) now sees the measure under the moved subtree
    assert portfolio.run("pmo_b", lambda uow: measures.get(uow, mid).code, readonly=True) == "M-0001"


def test_value_over_time_sums_benefits_by_period_within_scope(portfolio):
    from steerco.services.value import amounts as value

    mid = _measure(portfolio, "alice", "PA", "1000")
    other = _measure(portfolio, "pmo_b", "PB", "1000")
    for m, user in ((mid, "alice"), (other, "pmo_b")):
        line = portfolio.run(user, lambda uow: value.add_line(uow, m, {"category": "savings"}).id)
        portfolio.run(user, lambda uow: value.write(uow, m, [
            {"line": line, "version": "plan", "period": "2026-11", "amount": "100.50"},
            {"line": line, "version": "forecast", "period": "2026-12", "amount": "80"}]) and None)
    whole = portfolio.run("admin", lambda uow: dashboard.over_time(uow), readonly=True)
    assert whole["periods"] == [{"period": "2026-11", "plan": "201.00", "forecast": None, "actual": None},
                                {"period": "2026-12", "plan": None, "forecast": "160.00", "actual": None}]
    b_only = portfolio.run("pmo_b", lambda uow: dashboard.over_time(uow), readonly=True)
    assert b_only["periods"][0]["plan"] == "100.50"


def test_diff_names_changed_value_rules():
    before = drafts.skeleton("m", "M")
    after = drafts.skeleton("m", "M")
    after["baseline_gate"] = 3
    after["closure"] = {"share_of_plan": 100, "periods": 6}
    lines = {(d["where"], d["change"], d["what"]) for d in model_diff(before, after)}
    assert ("model", "changed", "baseline gate: 2 → 3") in lines
    assert ("model", "changed", "closure: default → {'share_of_plan': 100, 'periods': 6}") in lines
    del after["baseline_gate"]
    assert ("model", "changed", "baseline gate: 2 → default") in {
        (d["where"], d["change"], d["what"]) for d in model_diff(before, after)}


def test_new_models_freeze_at_approved_and_drafts_keep_the_value_rules(portfolio):
    from steerco.services.models import model_of

    assert drafts.skeleton("m", "M")["baseline_gate"] == 2   # "Approved", not the last gate
    portfolio.run("admin", lambda uow: drafts.start_model(uow, "copy", "Copy", copy_from="doi-default"))
    d = portfolio.run("admin", lambda uow: drafts.draft(uow, "copy"), readonly=True)["definition"]
    assert (d["baseline_gate"], d["closure"]) == (3, {"share_of_plan": 90, "periods": 12})
    d["baseline_gate"] = 9
    problem = portfolio.run("admin", lambda uow: drafts.save_draft(uow, "copy", d))["problem"]
    assert "baseline_gate" in problem["location"] and "1 to 5" in problem["problem"]
    d.update(baseline_gate=2, closure={"share_of_plan": 100, "periods": 6})
    assert portfolio.run("admin", lambda uow: drafts.save_draft(uow, "copy", d))["problem"] is None
    portfolio.run("admin", lambda uow: drafts.publish(uow, "copy"))
    model = portfolio.run("admin", lambda uow: model_of(uow.latest_model_version("copy")), readonly=True)
    assert (model.baseline_gate, model.closure.share_of_plan, model.closure.periods) == (2, 100, 6)
