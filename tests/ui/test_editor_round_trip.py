"""The model editor in headless Chromium holds everything a model has: opened and saved unchanged it
publishes nothing new; the routing of an approval step by value is shown and edited on the page."""

from __future__ import annotations

from playwright.sync_api import expect

from steerco.domain.governance import parse_model
from steerco.services.configuration import drafts
from steerco.services.configuration.model_diff import model_diff


def _latest_and_draft(store):
    def work(uow):
        return uow.latest_model_version("doi-default").definition, drafts.draft(uow, "doi-default")["definition"]
    return store.run("admin", work, readonly=True)


def test_opened_and_saved_unchanged_the_model_is_identical(open_page, app):
    store = app.extensions["steerco.store"]
    admin = open_page("admin")
    admin.goto(f"{admin.base}/governance/doi-default/edit")
    admin.get_by_test_id("save-draft").click()
    expect(admin.get_by_test_id("editor-status")).to_have_text("Draft saved.")
    latest, draft = _latest_and_draft(store)
    # routing, escalation targets, SLA, baseline gate, closure rule and risk weights all came back
    assert parse_model(draft) == parse_model(latest)
    assert model_diff(latest, draft) == []
    admin.goto(f"{admin.base}/governance/doi-default/publish")
    expect(admin.get_by_test_id("diff")).to_have_count(0)
    expect(admin.locator(".sc-page")).to_contain_text("The draft is the same as the published version.")


def test_routing_by_value_and_escalation_are_shown_and_edited(open_page, app):
    store = app.extensions["steerco.store"]
    admin = open_page("admin")
    admin.goto(f"{admin.base}/governance/doi-default/edit")
    admin.get_by_test_id("index-gate-3").click()
    gate = admin.get_by_test_id("gate-3")
    steps = gate.get_by_test_id("approval-step")
    expect(steps.nth(0).get_by_test_id("routing-sentence")).to_have_text("Applies to every measure.")
    committee = steps.nth(1)
    expect(committee.get_by_test_id("routing-sentence")).to_have_text(
        "Applies only when Potential is greater than 1000000.")
    expect(gate.get_by_test_id("gate-summary")).to_contain_text("3 approval steps (2 routed by value)")
    expect(gate.get_by_test_id("escalate-to")).to_have_value("steering_committee")
    committee.get_by_test_id("cond-value").fill("2000000")
    expect(committee.get_by_test_id("routing-sentence")).to_have_text(
        "Applies only when Potential is greater than 2000000.")
    steps.nth(2).get_by_test_id("remove-routing").click()
    steps.nth(0).get_by_test_id("add-routing").click()
    steps.nth(0).get_by_test_id("cond-value").fill("50000")
    gate.get_by_test_id("escalate-to").select_option("pmo")
    admin.get_by_test_id("save-draft").click()
    expect(admin.get_by_test_id("editor-status")).to_have_text("Draft saved.")
    latest, draft = _latest_and_draft(store)
    decided = parse_model(draft).gate_for(3)
    assert [s.name for s in decided.policy.steps] == ["Sponsor approval", "Steering committee", "CFO approval"]
    assert decided.policy.steps[2].condition is None
    assert decided.sla.escalate_to == "pmo"
    admin.goto(f"{admin.base}/governance/doi-default/publish")
    rows = admin.get_by_test_id("diff").locator("tbody tr").all_inner_texts()
    assert rows == [
        "gate 'Decided'\tchanged\tsla: reminder after 5 days, escalation after 15 days, escalated to steering committee"
        " → reminder after 5 days, escalation after 15 days, escalated to pmo",
        "gate 'Decided'\tchanged\tapproval step 'Sponsor approval': always → only when Potential is greater than 50,000",
        "gate 'Decided'\tchanged\tapproval step 'Steering committee': only when Potential is greater than 1,000,000 →"
        " only when Potential is greater than 2,000,000",
        "gate 'Decided'\tchanged\tapproval step 'CFO approval': only when Potential is greater than 5,000,000 → always",
    ]
