"""The model editor in headless Chromium: the impact preview follows the rule as edited on the page."""

from __future__ import annotations

from services.test_impact_preview import threshold_portfolio, with_threshold
from value.helpers import new_measure

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
