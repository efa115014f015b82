"""The browser journey in headless Chromium: an admin builds a model and a measure type, an owner
takes a measure through two gates, the sponsor decides from the inbox (a go, then a conditional go
with its condition), the dashboard moves."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from ui.conftest import shot


def test_admin_builds_owner_submits_sponsor_approves(open_page):
    admin = open_page("admin")
    base = admin.base
    admin.goto(f"{base}/dashboard/")
    shot(admin, "dashboard-before")
    before = int(admin.get_by_test_id("kpi-pending").inner_text())

    # -- the admin builds a three-gate model with a visual criterion and publishes it
    admin.goto(f"{base}/governance/")
    shot(admin, "governance")
    admin.fill("#f-code", "client-x")
    admin.fill("#f-name", "Client X gates")
    admin.get_by_test_id("start-model").click()
    admin.wait_for_selector("[data-testid=gate-1]")
    assert admin.locator(".sc-gate[data-testid^=gate-]").count() == 3
    gate = admin.get_by_test_id("gate-1")
    gate.get_by_test_id("add-must").click()
    gate = admin.get_by_test_id("gate-1")
    crit = gate.get_by_test_id("criterion").first
    crit.get_by_test_id("crit-label").fill("Budget above 10k")
    crit.get_by_test_id("crit-explanation").fill("Estimate a potential above 10,000 before the idea is scoped.")
    crit.get_by_test_id("cond-field").select_option("potential")
    crit.get_by_test_id("cond-op").select_option("gt")
    crit.get_by_test_id("cond-value").fill("10000")
    assert crit.get_by_test_id("sentence").inner_text() == "Passes when Potential is greater than 10000."
    crit.get_by_test_id("tab-expert").click()
    assert '"potential"' in crit.get_by_test_id("expert").input_value()
    shot(admin, "model-editor")
    admin.get_by_test_id("save-draft").click()
    expect(admin.get_by_test_id("editor-status")).to_have_text("Draft saved.")
    admin.get_by_test_id("review-publish").click()
    admin.wait_for_url(re.compile(r".*/governance/client-x/publish"))
    assert "must-meet 'Budget above 10k'" in admin.get_by_test_id("diff").inner_text()
    shot(admin, "publish-diff")
    admin.get_by_test_id("publish").click()
    admin.wait_for_url(re.compile(r".*/governance/$"))
    assert "v1" in admin.get_by_test_id("model-client-x").inner_text()

    # -- ... and a measure type with a custom form on it
    admin.goto(f"{base}/types/edit")
    admin.fill("#f-code", "client_x")
    admin.fill("#f-name", "Client X measure")
    admin.select_option("#f-model", "client-x")
    admin.fill("[aria-label='Label of field 1']", "Vendor")
    admin.fill("[aria-label='Help text of field 1']", "Who delivers the change")
    admin.fill("[aria-label='Label of field 2']", "Tier")
    admin.select_option("[aria-label='Type of field 2']", "choice")
    admin.fill("[aria-label='Choices of field 2']", "gold, silver")
    shot(admin, "form-builder")
    admin.get_by_test_id("save-type").click()
    admin.wait_for_url(re.compile(r".*/types/$"))
    assert "Client X measure" in admin.get_by_test_id("types").inner_text()

    # -- the owner creates a measure, sees the failed criterion explained, fixes it and submits
    owner = open_page("alice")
    owner.goto(f"{base}/measures/new")
    owner.fill("#f-title", "Consolidate vendors")
    owner.select_option("#f-type", "client_x")
    owner.fill("#f-potential", "500")
    owner.get_by_test_id("create").click()
    owner.wait_for_selector("[data-testid=checklist]")
    failed = owner.get_by_test_id("criterion-budget_above_10k")
    assert "Estimate a potential above 10,000" in failed.inner_text()
    assert owner.get_by_test_id("not-ready").is_visible()
    shot(owner, "measure-checklist-failed")
    owner.get_by_test_id("tab-details").click()
    owner.fill("#f-potential", "50000")
    owner.fill("#f-vendor", "Acme Logistics")
    owner.select_option("#f-tier", "gold")
    owner.select_option("#f-sponsor", "bob")
    shot(owner, "measure-details")
    owner.get_by_test_id("save").click()
    owner.wait_for_selector("[data-testid=checklist]")
    owner.get_by_test_id("submit").click()
    owner.wait_for_selector("[data-testid^=review-]")
    shot(owner, "measure-reviews")

    # -- the sponsor approves from the inbox
    sponsor = open_page("bob")
    card = sponsor.locator("[data-testid^=approval-]")
    assert card.count() == 1
    shot(sponsor, "inbox")
    card.locator("input[name=comment]").fill("Good case")
    card.get_by_test_id("vote-go").click()
    sponsor.wait_for_selector("[data-testid=empty]")
    assert "Nothing waits for your vote" in sponsor.get_by_test_id("empty").inner_text()

    # -- the second gate: submitted from the checklist, a conditional go with a condition from the inbox
    page_url = owner.url.split("?")[0]
    owner.goto(page_url + "?tab=checklist")
    owner.get_by_test_id("submit").click()
    owner.wait_for_selector("[data-testid^=review-]")
    assert "Approved" in owner.locator("[data-testid^=review-]").first.inner_text()
    sponsor.goto(f"{base}/inbox/")
    card = sponsor.locator("[data-testid^=approval-]")
    assert card.count() == 1 and "Approved" in card.inner_text()
    card.locator("input[name=comment]").fill("Go once the vendor contract is signed")
    card.locator("input[name=condition]").fill("Sign the vendor contract")
    card.get_by_test_id("vote-conditional_go").click()
    sponsor.wait_for_selector("[data-testid=empty]")
    owner.goto(page_url + "?tab=reviews")
    assert "Sign the vendor contract" in owner.get_by_test_id("conditions").inner_text()

    # -- the measure moved twice and the dashboard counts changed
    owner.goto(page_url + "?tab=history")
    assert owner.get_by_test_id("history").inner_text().count("measure.doi_changed") == 2
    owner.goto(f"{base}/measures/")
    shot(owner, "measures")
    admin.goto(f"{base}/dashboard/")
    row = admin.get_by_test_id("funnel-client-x-2").inner_text()
    assert "Approved" in row and " 1 " in f" {row} ".replace("\t", " ")
    assert int(admin.get_by_test_id("kpi-pending").inner_text()) == before
    shot(admin, "dashboard-after")
    admin.goto(f"{base}/hierarchy/")
    shot(admin, "hierarchy")
