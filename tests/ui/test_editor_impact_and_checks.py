"""The model editor in headless Chromium: the impact preview follows the rule as edited on the page;
rules reading what no measure has are refused, or flagged, next to the rule."""

from __future__ import annotations

from playwright.sync_api import expect
from services.test_impact_preview import threshold_portfolio, with_threshold
from value.helpers import new_measure

from conftest import default_config
from steerco.services.configuration import drafts
from ui.conftest import shot


def test_preview_follows_a_threshold_raised_on_the_page(open_page, app):
    store = app.extensions["steerco.store"]
    with_threshold(store)
    code = threshold_portfolio(store)
    for i in range(30):
        new_measure(store, f"Also 250k {i}", potential=250000, controller=None)
    admin = open_page("admin")
    admin.goto(f"{admin.base}/governance/doi-default/edit")
    gate = admin.get_by_test_id("gate-1")
    crit = gate.get_by_test_id("criterion").nth(2)
    assert crit.get_by_test_id("sentence").inner_text() == "Passes when Potential is greater than 100000."
    crit.get_by_test_id("cond-value").fill("300000")  # not saved: the preview takes the page as it is
    gate.get_by_test_id("impact").click()
    admin.wait_for_selector("[data-testid=impact-1] [data-testid=impact-summary]")
    out = admin.get_by_test_id("impact-1")
    row = out.get_by_test_id("impact-criterion-potential_estimated")
    assert row.locator("td").all_inner_texts() == ["Potential above 100,000", "33 pass, 1 fail", "1 pass, 33 fail",
                                                  "32", "0"]
    assert out.get_by_test_id("impact-summary").inner_text() == "32 measure(s) change result:"
    assert out.get_by_test_id("impact-page").inner_text() == "1–25 of 32"
    first = out.get_by_test_id("impact-measure").all_inner_texts()
    assert len(first) == 25
    out.get_by_test_id("impact-next").click()
    rest = out.get_by_test_id("impact-measure").all_inner_texts()
    assert out.get_by_test_id("impact-page").inner_text() == "26–32 of 32"
    mid = next(r for r in first + rest if r.startswith(code["Mid 200k"]))
    assert "fails → fails" in mid and "Potential above 100,000: passes → fails" in mid
    shot(admin, "model-editor-impact")


def test_expert_tab_names_an_unknown_field_and_accepts_a_known_one(open_page, app):
    admin = open_page("admin")
    admin.goto(f"{admin.base}/governance/doi-default/edit")
    crit = admin.get_by_test_id("gate-1").get_by_test_id("criterion").nth(2)
    crit.get_by_test_id("tab-expert").click()
    crit.get_by_test_id("expert").fill('{">": [{"var": "fields.nonexistent"}, 0]}')
    crit.get_by_role("button", name="Check and use").click()
    note = crit.get_by_test_id("expert-note")
    expect(note).to_contain_text("no measure type of model 'doi-default' (cost, growth) has a field 'nonexistent'")
    assert "sc-error" in note.get_attribute("class")
    crit.get_by_test_id("expert").fill('{">": [{"var": "vaule.plan"}, 0]}')
    crit.get_by_role("button", name="Check and use").click()
    expect(note).to_contain_text("a measure has no fact 'vaule' (did you mean 'value'?)")
    crit.get_by_test_id("expert").fill('{">": [{"var": "fields.one_time_cost"}, 0]}')
    crit.get_by_role("button", name="Check and use").click()
    expect(note).to_have_text("Rule accepted; it reads fields.one_time_cost.")
    shot(admin, "model-editor-rule-checked")


def test_errors_and_warnings_show_next_to_the_rule(open_page, app):
    store = app.extensions["steerco.store"]
    # a draft saved while the cost type had 'lever'; the type has dropped it since
    model = store.run("admin", lambda uow: drafts.draft(uow, "doi-default"), readonly=True)["definition"]
    model["gates"][0]["must_meet"][2]["rule"] = {"!!": {"var": "fields.lever"}}
    store.run("admin", lambda uow: drafts.save_draft(uow, "doi-default", model))
    cost = default_config()["measure_types"][0]
    store.run("admin", lambda uow: drafts.save_measure_type(
        uow, "cost", cost["name"], "doi-default", [f for f in cost["fields"] if f["key"] != "lever"]))
    admin = open_page("admin")
    admin.goto(f"{admin.base}/governance/doi-default/edit")
    note = admin.get_by_test_id("gate-1").get_by_test_id("criterion").nth(2).get_by_test_id("rule-note")
    expect(note).to_have_text("Error: reads 'fields.lever', but no measure type of model 'doi-default' (cost, growth) "
                              "has a field 'lever' (their fields: achieved_value, business_unit, customer, "
                              "go_live_date, one_time_cost).")
    assert "gate 'Identified' criterion 'potential_estimated'" in admin.get_by_test_id("editor-findings").inner_text()
    admin.expected_errors.add(f"{admin.base}/api/v1/ui/models/doi-default/draft")  # the 422 answer is the point
    admin.get_by_test_id("save-draft").click()
    expect(admin.get_by_test_id("editor-status")).to_have_text("Not saved: 1 problem(s), listed above the gates.")
    crit = admin.get_by_test_id("gate-1").get_by_test_id("criterion").nth(2)
    crit.get_by_test_id("tab-expert").click()
    crit.get_by_test_id("expert").fill('{"!!": {"var": "fields.one_time_cost"}}')
    crit.get_by_role("button", name="Check and use").click()
    expect(note).to_have_text("")
    expect(admin.get_by_test_id("editor-findings")).to_be_hidden()
    admin.goto(f"{admin.base}/governance/doi-default/publish")
    assert "fields.lever" in admin.get_by_test_id("publish-findings").inner_text()
    assert admin.get_by_test_id("publish").is_disabled()

    # a model without measure types yet: the field is accepted, with a warning beside the rule
    lean = drafts.skeleton("lean", "Lean model")
    lean["gates"][0]["must_meet"] = [{"code": "vendor_named", "label": "Vendor named",
                                      "rule": {"!!": {"var": "fields.vendor"}}}]
    store.run("admin", lambda uow: drafts.save_draft(uow, "lean", lean))
    admin.goto(f"{admin.base}/governance/lean/edit")
    crit = admin.get_by_test_id("gate-1").get_by_test_id("criterion").first
    warning = ("Warning: reads 'fields.vendor', but model 'lean' has no measure type yet: "
               "the type you add for it needs a field 'vendor'.")
    expect(crit.get_by_test_id("rule-note")).to_have_text(warning)
    crit.get_by_test_id("tab-expert").click()
    crit.get_by_role("button", name="Check and use").click()
    expect(crit.get_by_test_id("expert-note")).to_have_text("Rule accepted; it reads fields.vendor. " + warning)
    admin.get_by_test_id("save-draft").click()
    expect(admin.get_by_test_id("editor-status")).to_have_text("Draft saved.")
    expect(crit.get_by_test_id("rule-note")).to_have_text(warning)
    shot(admin, "model-editor-field-warning")
